"""The archive identities of a meeting's records: systemIDs that are random UUIDs (Noark M001:
globally unique, never changed), kept in the meeting's output folder. Packaging the same meeting
again keeps them; a document whose file changed gets a new one; another installation (another
output folder) gets its own."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path

from ..errors import PackageError
from ..fsutil import write_atomic

STATE = "arkiv-id.json"


@dataclass(frozen=True)
class Ids:
    folder: str
    registration: str
    documents: dict[str, str]  # by the document's key


def assign(out_dir: Path, documents: dict[str, str]) -> Ids:
    """IDs for the mappe, the registrering and each document (``documents``: key → SHA-256 of
    its main file), reusing those recorded for the same file."""
    path = out_dir / STATE
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        state = {}
    known = state.get("dokumenter") if isinstance(state.get("dokumenter"), dict) else {}
    docs: dict[str, dict[str, str]] = {}
    for key, digest in documents.items():
        old = known.get(key)
        kept = old.get("id") if isinstance(old, dict) and old.get("sha256") == digest else None
        docs[key] = {"id": str(kept or uuid.uuid4()), "sha256": digest}
    folder = str(state.get("mappe") or uuid.uuid4())
    registration = str(state.get("registrering") or uuid.uuid4())
    new = {"mappe": folder, "registrering": registration, "dokumenter": docs}
    if new != state:
        write_atomic(path, json.dumps(new, indent=2).encode("utf-8"))
    return Ids(folder, registration, {k: v["id"] for k, v in docs.items()})


# --- external keys -------------------------------------------------------------------------------

SYSTEM = "referatbygg"  # fagsystem of every external key: what made the record


@dataclass(frozen=True)
class Keys:
    """The external keys (referanseEksternNoekkel) of a meeting's records: the organisation
    number, the meeting and the object, so that the same meeting of two organisations never
    shares a key, and a resend from any installation of the same organisation finds its own
    records again. Each object has its own key: the mappe, the registrering and every document
    differ."""

    organisation: str
    meeting: str  # the meeting's id: body id and file name
    kind: str  # referat or avtale

    @property
    def folder(self) -> str:
        return f"{self.organisation}/{self.meeting}/mappe"

    @property
    def registration(self) -> str:
        return f"{self.organisation}/{self.meeting}/{self.kind}"

    def document(self, key: str) -> str:
        return f"{self.registration}/dokument/{key}"

    def year_case(self, body: str, year: int) -> str:
        """The body's case of the year that holds its minutes as journal posts."""
        return f"{self.organisation}/{body}/{self.kind}/{year}"

    def agreement(self, agreement_id: str) -> str:
        """The registrering of an agreement adopted in the meeting, under its own id."""
        return f"{self.organisation}/{agreement_id}/avtale"


def organisation_number(body_number: str | None, profile_number: str | None, body: str) -> str:
    """The organisation number the keys carry: the body file's, else the archive profile's;
    PackageError when neither gives one or they differ."""
    if body_number and profile_number and body_number != profile_number:
        raise PackageError(
            f"the body file of {body} gives organisation number {body_number}, the archive "
            f"profile {profile_number}: the records would be filed under two organisations",
            hint="remove one of them, or correct the wrong one (Enhetsregisteret shows it)",
        )
    number = body_number or profile_number
    if not number:
        raise PackageError(
            "the archive needs the organisation's number (Enhetsregisteret): it names the "
            "organisation in every external key, so that two municipalities' meetings never "
            "share one",
            hint='add organisation_number = "…" to the body file (organ.toml), or to [archive] '
            "in referatbygg.toml",
        )
    return number


def message_id(kind: str, keys: list[str], digests: list[str]) -> str:
    """klientMeldingId of a message: a UUID derived from what it carries (its type, the keys
    of its records, the SHA-256 of its files), so that sending the same content again carries
    the same id and the archive can tell a resend from a new message."""
    text = "\n".join([kind, *keys, *sorted(digests)])
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "referatbygg:" + text))
