"""What was sent to the archive and what it answered, kept in the meeting's output folder
(``arkiv-svar.json``).

Each Fiks Arkiv message written for the Fiks IO client is recorded when it is written: its
``klientMeldingId``, type, the records' keys and each document's number and SHA-256. An answer
file the client received — ``mottatt``, ``kvittering``, or a ``feilmelding`` — is read back
against that record: a kvittering must be valid against its V1 schema and name our own keys,
so another meeting's receipt is refused. The archive's systemIDs, case and journal numbers are
kept; a later send of the same meeting then updates those records instead of creating new ones.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from ..errors import PackageError
from ..fsutil import write_atomic
from . import parts

STATE = "arkiv-svar.json"
KVITTERING = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1"
KVITTERING_SCHEMA = "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.kvittering.xsd"
_FEIL = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/"
FEIL_BASE = f"{_FEIL}feilmelding/v1"  # the namespace of an error's feilId and feilmelding
# Fiks Arkiv's error messages: the root element names the kind, its schema validates it.
ERRORS = {
    "ugyldigforespoersel": "no.ks.fiks.arkiv.v1.feilmelding.ugyldigforespoersel.xsd",
    "serverfeil": "no.ks.fiks.arkiv.v1.feilmelding.serverfeil.xsd",
    "ikkefunnet": "no.ks.fiks.arkiv.v1.feilmelding.ikkefunnet.xsd",
}
PREFIX = "no.ks.fiks.arkiv.v1."


@dataclass
class Record:
    """The meeting's dealings with the archive."""

    sent: list[dict[str, Any]] = field(default_factory=list)
    answers: list[dict[str, Any]] = field(default_factory=list)
    # The archive's identities of our records, from its kvittering: mappe, registrering (each
    # a dict), and each document's systemID by our key.
    archive: dict[str, Any] = field(default_factory=dict)

    @property
    def registration_id(self) -> str | None:
        reg = self.archive.get("registrering")
        return str(reg["systemID"]) if isinstance(reg, dict) and reg.get("systemID") else None

    def archived_digests(self) -> dict[str, list[str]]:
        """Each document's SHA-256s in the messages the archive took (not refused): the
        versions of it the archive holds."""
        refused = {a.get("klientMeldingId") for a in self.answers if a.get("outcome") == "error"}
        found: dict[str, list[str]] = {}
        for sent in self.sent:
            if sent.get("klientMeldingId") in refused:
                continue
            for key, digest in (sent.get("digests") or {}).items():
                found.setdefault(str(key), [])
                if digest not in found[key]:
                    found[key].append(str(digest))
        return found

    def as_dict(self) -> dict[str, Any]:
        return {"sent": self.sent, "answers": self.answers, "archive": self.archive}

    def last_exchange(self) -> tuple[dict[str, Any], dict[str, Any] | None] | None:
        """The last message sent and the archive's answer to it (None: none read yet); None
        when nothing was sent."""
        if not self.sent:
            return None
        last = self.sent[-1]
        reply = next((a for a in reversed(self.answers)
                      if a.get("klientMeldingId") == last["klientMeldingId"]), None)  # fmt: skip
        return last, reply

    def summary(self) -> str | None:
        """One line for ``status``: where the meeting stands with the archive."""
        exchange = self.last_exchange()
        if exchange is None:
            return None
        last, reply = exchange
        kind = str(last["meldingstype"]).removeprefix(PREFIX)
        if reply is None:
            return f"{kind} written {last['written']}, no answer read yet ('archive --receipt')"
        if reply["outcome"] == "error":
            return f"the archive refused {kind}: {reply['text']}"
        if reply["outcome"] == "received":
            return f"{kind} received by the archive, no receipt yet"
        return f"archived: {describe(self.archive)}"


def describe(
    archive: dict[str, Any], words: tuple[str, str, str] = ("case", "journal post", "registrering")
) -> str:
    """The archive's identities as people quote them, named by ``words`` (case, journal post,
    registration: the page's language gives its own)."""
    reg, folder = archive.get("registrering") or {}, archive.get("mappe") or {}
    values = (folder.get("saksnummer"), reg.get("journalnummer"), reg.get("systemID"))
    said = [f"{word} {value}" for word, value in zip(words, values, strict=True) if value]
    return ", ".join(said) or "no identities given"


def read(out_dir: Path) -> Record:
    try:
        data = json.loads((out_dir / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Record()
    if not isinstance(data, dict):
        return Record()
    return Record(list(data.get("sent") or []), list(data.get("answers") or []),
                  dict(data.get("archive") or {}))  # fmt: skip


def write(out_dir: Path, record: Record) -> None:
    text = json.dumps(record.as_dict(), ensure_ascii=False, indent=2)
    write_atomic(out_dir / STATE, text.encode("utf-8"))


def note_sent(out_dir: Path, entry: dict[str, Any]) -> None:
    """Record a message written for the Fiks IO client (the same id twice is one send)."""
    record = read(out_dir)
    record.sent = [s for s in record.sent if s.get("klientMeldingId") != entry["klientMeldingId"]]
    record.sent.append(entry)
    write(out_dir, record)


# --- reading an answer ---------------------------------------------------------------------------


def read_answer(out_dir: Path, file: Path, now: dt.datetime | None = None) -> Record:
    """Read the answer ``file`` into the meeting's record: PackageError when it cannot be
    read, is not valid, or is not about what was sent from here."""
    record = read(out_dir)
    if not record.sent:
        raise PackageError(
            f"nothing has been sent to the archive from {out_dir.name}: an answer to what?",
            hint="'referatbygg archive MEETING' writes the message the Fiks IO client sends",
        )
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise PackageError(f"{file}: cannot be read ({exc.strerror})") from exc
    last = record.sent[-1]
    if data.lstrip().startswith(b"{"):
        answer = _json_answer(file, data, record)
    else:
        answer = _xml_answer(file, data, last, record)
    answer |= {"file": file.name, "sha256": hashlib.sha256(data).hexdigest(),
               "read": (now or dt.datetime.now(dt.UTC).astimezone()).isoformat(
                   timespec="seconds")}  # fmt: skip
    answer.setdefault("klientMeldingId", last["klientMeldingId"])
    record.answers.append(answer)
    write(out_dir, record)
    return record


def _json_answer(file: Path, data: bytes, record: Record) -> dict[str, Any]:
    """A Fiks IO answer without a payload, as the client saved it: {"meldingstype": "….mottatt",
    "klientMeldingId": …}."""
    try:
        given = json.loads(data)
        kind = str(given["meldingstype"])
    except (ValueError, KeyError, TypeError) as exc:
        raise PackageError(f"{file}: not a Fiks IO answer (JSON with 'meldingstype')") from exc
    sent = {str(s["klientMeldingId"]): s for s in record.sent}
    answered = str(given.get("klientMeldingId") or record.sent[-1]["klientMeldingId"])
    if answered not in sent:
        raise PackageError(f"{file}: answers klientMeldingId {answered}, which was not sent from "
                           "here")  # fmt: skip
    asked = str(sent[answered]["meldingstype"])
    if kind == f"{asked}.mottatt":
        return {"meldingstype": kind, "outcome": "received", "klientMeldingId": answered}
    # An update's or a new version's receipt carries nothing V1 defines a schema for here: its
    # type is the answer (the archive's identities stay those of its first receipt).
    if kind == f"{asked}.kvittering" and not asked.endswith("arkivmelding.opprett"):
        return {"meldingstype": kind, "outcome": "archived", "klientMeldingId": answered}
    raise PackageError(
        f"{file}: a '{kind}' cannot be read from JSON alone as the answer to {asked}",
        hint="a kvittering or feilmelding is the XML file the message carried",
    )


def _xml_answer(file: Path, data: bytes, last: dict[str, Any], record: Record) -> dict[str, Any]:
    try:
        root = etree.fromstring(data)
    except etree.XMLSyntaxError as exc:
        raise PackageError(f"{file}: not well-formed XML ({exc})") from exc
    namespace, name = etree.QName(root).namespace or "", etree.QName(root).localname
    if namespace.startswith(_FEIL) and name in ERRORS:
        _valid(file, data, ERRORS[name])
        text = root.findtext(f"{{{FEIL_BASE}}}feilmelding") or ""
        return {"meldingstype": f"{PREFIX}feilmelding.{name}", "outcome": "error",
                "text": text, "feilId": root.findtext(f"{{{FEIL_BASE}}}feilId")}  # fmt: skip
    if namespace != KVITTERING or name != "arkivmeldingKvittering":
        raise PackageError(f"{file}: neither a kvittering nor a feilmelding of Fiks Arkiv V1 "
                           f"(root element {name})")  # fmt: skip
    _valid(file, data, KVITTERING_SCHEMA)
    archive = _kvittering(file, root, last)
    record.archive = archive
    return {"meldingstype": f"{last['meldingstype']}.kvittering", "outcome": "archived",
            "archive": archive}  # fmt: skip


def _valid(file: Path, data: bytes, schema: str) -> None:
    errors = parts.schema_errors(data, schema)
    if errors:
        raise PackageError(f"{file}: not valid against {schema}: {'; '.join(errors)}")


def _kvittering(file: Path, root: etree._Element, last: dict[str, Any]) -> dict[str, Any]:
    """The archive's identities of our records; PackageError when the receipt names keys
    other than ours or reports a failure."""
    ns = KVITTERING

    def text(el: etree._Element, tag: str) -> str | None:
        found = el.findtext(f"{{{ns}}}{tag}")
        return str(found) if found is not None else None

    def key_of(el: etree._Element) -> str | None:
        return text(el, f"referanseEksternNoekkel/{{{parts.MDK}}}noekkel")

    for failed in ("mappeFeilet", "registreringFeilet"):
        el = root.find(f"{{{ns}}}{failed}")
        if el is not None:
            raise PackageError(f"{file}: the archive reports {failed}: {_feil(el)}")
    archive: dict[str, Any] = {}
    folder = root.find(f"{{{ns}}}mappeKvittering")
    if folder is not None:
        given = key_of(folder)
        if given is not None and given != last["keys"].get("mappe"):
            raise PackageError(f"{file}: the receipt's mappe has the key {given}, the message "
                               f"sent from here {last['keys'].get('mappe')}")  # fmt: skip
        entry: dict[str, Any] = {"systemID": text(folder, "systemID"), "key": given,
                                 "status": text(folder, "opprettetEllerEksisterende")}  # fmt: skip
        year, seq = text(folder, "saksaar"), text(folder, "sakssekvensnummer")
        if year and seq:
            entry["saksnummer"] = f"{year}/{seq}"
        archive["mappe"] = entry
    reg = root.find(f"{{{ns}}}registreringKvittering")
    if reg is not None:
        given = key_of(reg)
        if given is not None and given != last["keys"]["registrering"]:
            sent = last["keys"]["registrering"]
            raise PackageError(f"{file}: the receipt's registrering has the key {given}, the "
                               f"message sent from here {sent}")  # fmt: skip
        entry = {"systemID": text(reg, "systemID"), "key": given,
                 "status": text(reg, "opprettetEllerEksisterende"),
                 "registreringsID": text(reg, "registreringsID")}  # fmt: skip
        year, seq = text(reg, "journalaar"), text(reg, "journalsekvensnummer")
        if year and seq:
            entry["journalnummer"] = f"{year}/{seq}"
        if text(reg, "journalpostnummer"):
            entry["journalpostnummer"] = text(reg, "journalpostnummer")
        archive["registrering"] = entry
        documents: dict[str, str] = {}
        for desc in reg.findall(f"{{{ns}}}dokumentbeskrivelseKvittering"):
            number = text(desc, "dokumentnummer")
            doc_key = last["documents"].get(number or "")
            if doc_key is None:
                raise PackageError(f"{file}: the receipt lists document number {number}, which "
                                   "the message sent from here did not hold")  # fmt: skip
            documents[doc_key] = str(text(desc, "systemID"))
        if set(documents) != set(last["documents"].values()):
            missing = sorted(set(last["documents"].values()) - set(documents))
            raise PackageError(f"{file}: the receipt does not list every document the message "
                               f"sent from here held (missing: {', '.join(missing)}); it is "
                               "not the answer to it")  # fmt: skip
        archive["dokumenter"] = documents
    if not archive.get("registrering"):
        raise PackageError(f"{file}: the receipt names no registrering: nothing to record")
    return archive


def _feil(el: etree._Element) -> str:
    found = [t.text for t in el.iter() if etree.QName(t).localname == "feilmelding" and t.text]
    return found[0] if found else "no reason given"
