"""Sending a meeting again once the archive has answered: the records it made are updated,
never made twice.

The archive's kvittering gave its systemIDs (record.py). A later send of the same meeting is
then an ``arkivmelding.oppdater`` of that registrering (found by the archive's systemID and our
key: title and description as they are now), and for each document whose file changed — a
new round of signatures, a renewed timestamp — a ``dokumentobjekt.opprett`` that adds the new
file as the next version of the archive's document. A document the archive does not hold yet
cannot be added to a registrering by V1: that is refused, named.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from ..errors import PackageError
from ..meeting.model import Meeting
from . import parts
from .arkivmelding import Context, cases, record_title
from .identities import SYSTEM
from .parts import MDK, Document

UPDATE = "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.oppdater"
UPDATE_NS = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/oppdater/v1"
UPDATE_SCHEMA = "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.oppdater.xsd"
UPDATE_FILE = "arkivmeldingOppdatering.xml"
NEW_FILE = "no.ks.fiks.arkiv.v1.arkivering.dokumentobjekt.opprett"
NEW_FILE_NS = (
    "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/dokumentobjekt/opprett/v1"
)
NEW_FILE_SCHEMA = "no.ks.fiks.arkiv.v1.arkivering.dokumentobjekt.opprett.xsd"
NEW_FILE_FILE = "dokumentobjekt.xml"
OPPRETT_NS = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/v1"


@dataclass(frozen=True)
class Message:
    """One message for the Fiks IO client: its type, its XML (file name and bytes), the
    documents whose files it carries, and the key of the record it is about."""

    kind: str
    name: str
    xml: bytes
    documents: list[Document]
    about: str  # the external key of the record it creates or changes
    label: str = ""  # the hand-off folder's suffix ("" for the main message)


def update(meeting: Meeting, ctx: Context, archive: dict[str, object]) -> Message:
    """The oppdater of the registrering the archive made: found by its systemID and our key."""
    reg = archive.get("registrering")
    assert isinstance(reg, dict)
    root = etree.Element(f"{{{UPDATE_NS}}}arkivmeldingOppdatering",
                         nsmap={None: UPDATE_NS, "n5mdk": MDK})  # fmt: skip
    upd = parts.sub(root, "registreringOppdateringer", None, UPDATE_NS)
    target = parts.sub(upd, "referanseTilRegistrering", None, UPDATE_NS)
    parts.sub(target, "systemID", str(reg["systemID"]), MDK)
    parts.key(target, "referanseEksternNoekkel", SYSTEM, ctx.keys.registration, MDK)
    parts.sub(upd, "tittel", record_title(meeting), UPDATE_NS)
    if meeting.kind != "avtale" and meeting.data.items:
        described = parts.sub(upd, "beskrivelse", None, UPDATE_NS)
        parts.sub(described, "oppdatering", cases(meeting), UPDATE_NS)
    xml = parts.to_bytes(root)
    _valid(xml, UPDATE_SCHEMA)
    return Message(UPDATE, UPDATE_FILE, xml, [], ctx.keys.registration)


def new_versions(
    documents: list[Document], sent: dict[str, list[str]], archive: dict[str, object],
    ctx: Context,
) -> list[Message]:  # fmt: skip
    """A dokumentobjekt.opprett for each file of each document that changed since it was
    archived (``sent``: key → the SHA-256s its first file has had in the messages sent, the
    archive holding a version of each); PackageError for a document the archive does not
    hold."""
    held = archive.get("dokumenter")
    held = held if isinstance(held, dict) else {}
    messages = []
    for doc in documents:
        if doc.key not in held:
            raise PackageError(
                f"the archive holds no document '{doc.title}' of this meeting: Fiks Arkiv V1 "
                "cannot add a document to a registrering it has already made; nothing was "
                "written",
                hint="ask the archive to add it, or file the changed meeting as a new "
                "registration (move the output folder's arkiv-svar.json away first)",
            )
        known = sent.get(doc.key, [])
        if doc.files[0].sha256 in known:
            continue  # the archive has this very file
        for f in doc.files:
            space = {None: NEW_FILE_NS, "n5mdk": MDK, "a": OPPRETT_NS}
            root = etree.Element(f"{{{NEW_FILE_NS}}}dokumentobjektOpprett", nsmap=space)
            target = parts.sub(root, "referanseTilDokumentbeskrivelse", None, NEW_FILE_NS)
            parts.sub(target, "systemID", str(held[doc.key]), MDK)
            parts.key(target, "referanseEksternNoekkel", SYSTEM, ctx.keys.document(doc.key), MDK)
            parts.dokumentobjekt(
                root, f, ctx.ref(f), doc.details, ctx.profile.format_codes, OPPRETT_NS,
                version=len(known) + 1, own_ns=NEW_FILE_NS,
            )  # fmt: skip
            xml = parts.to_bytes(root)
            _valid(xml, NEW_FILE_SCHEMA)
            label = f"-{doc.key}" + ("" if f is doc.files[0] else f"-{f.variant}")
            messages.append(Message(NEW_FILE, NEW_FILE_FILE, xml,
                                    [Document(doc.title, doc.main, doc.kind, [f], key=doc.key)],
                                    ctx.keys.document(doc.key), label))  # fmt: skip
    return messages


def _valid(xml: bytes, schema: str) -> None:
    errors = parts.schema_errors(xml, schema)
    if errors:  # a bug in referatbygg, not in the user's input
        raise PackageError(f"the {schema} message does not validate: " + "; ".join(errors))


def about(xml: bytes) -> str:
    """The external key of the record an update or a new version is about."""
    root = etree.fromstring(xml)
    found = root.find(f".//{{{MDK}}}referanseEksternNoekkel/{{{MDK}}}noekkel")
    return found.text or "" if found is not None else ""


def listed_files(xml: bytes) -> list[tuple[str, str, int]]:
    """(referanseDokumentfil, sjekksum, filstoerrelse) of the new file a message carries."""
    root = etree.fromstring(xml)
    out = []
    for obj in root.iter(f"{{{NEW_FILE_NS}}}dokumentobjekt"):
        out.append((obj.findtext(f"{{{OPPRETT_NS}}}referanseDokumentfil") or "",
                    obj.findtext(f"{{{OPPRETT_NS}}}sjekksum") or "",
                    int(obj.findtext(f"{{{OPPRETT_NS}}}filstoerrelse") or -1)))  # fmt: skip
    return out
