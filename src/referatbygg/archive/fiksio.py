"""The hand-off to the municipality's Fiks IO client: each message written as a folder (and a
zip) beside the bag, with everything the client needs besides the transport.

A folder holds the message's XML and the files it names, each by its name alone — what the
client puts into the message's ASiC-E container — and ``melding.json``: the message type, the
receiving archive's Fiks IO account, the ``klientMeldingId`` (derived from the content, so the
same content sent again carries the same id) and the time to live. Sending needs the Fiks
platform and the municipality's keys and is the client's; each message written is recorded
(record.py), so its answer can be read back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import tempfile
from pathlib import Path

from ..config import ArchiveProfile
from ..errors import PackageError
from ..fsutil import replace_folder, write_zip
from . import identities, record
from .updates import Message

FOLDER = ".fiks-arkiv"  # <meeting id>.fiks-arkiv[<label>]/


def hand_off(
    target: Path, meeting_id: str, messages: list[Message], data: Path, profile: ArchiveProfile,
    out_dir: Path, now: dt.datetime, folder_key: str | None,
) -> list[Path]:  # fmt: skip
    """Write each message's folder and zip in ``target`` (files copied from the bag's
    ``data``), remove the folders of an earlier send that this one does not repeat, and
    record each message sent; the folders, the main message first."""
    written = []
    for message in messages:
        folder = target / f"{meeting_id}{FOLDER}{message.label}"
        ident = _write(folder, message, data, profile)
        digests = {d.key: d.files[0].sha256 for d in message.documents}
        record.note_sent(out_dir, {
            "klientMeldingId": ident, "meldingstype": message.kind,
            "written": now.isoformat(timespec="seconds"), "folder": folder.name,
            "keys": {"registrering": message.about, "mappe": folder_key},
            "documents": {str(n): d.key for n, d in enumerate(message.documents, start=1)},
            "digests": digests,
        })  # fmt: skip
        write_zip(folder, folder.with_name(f"{folder.name}.zip"))
        written.append(folder)
    keep = {p.name for p in written} | {f"{p.name}.zip" for p in written}
    for old in target.glob(f"{meeting_id}{FOLDER}*"):
        if old.name not in keep and not old.name.startswith("."):
            shutil.rmtree(old) if old.is_dir() else old.unlink()
    return written


def _write(folder: Path, message: Message, data: Path, profile: ArchiveProfile) -> str:
    """The message's folder written; its klientMeldingId."""
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        names = []
        for doc in message.documents:
            for f in doc.files:
                flat = Path(f.path).name
                if flat in names:  # our own naming makes them unique; never overwrite one
                    raise PackageError(f"two files named {flat} in the Fiks Arkiv message")
                names.append(flat)
                shutil.copyfile(data / f.path, staging / flat)
        (staging / message.name).write_bytes(message.xml)
        # The files' digests name the content: the XML's own time stamps do not make a
        # resend of the same documents another message. An update has no files: its XML.
        digests = [f.sha256 for d in message.documents for f in d.files] or [
            hashlib.sha256(message.xml).hexdigest()
        ]
        meta = {
            "meldingstype": message.kind,
            "klientMeldingId": identities.message_id(message.kind, [message.about], digests),
            "mottakerKontoId": profile.fiks_io_account,
            "ttl": profile.ttl_hours * 3600 * 1000,  # Fiks IO's time to live, in milliseconds
            "filer": [message.name, *names],
        }
        (staging / "melding.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2),
                                              encoding="utf-8")  # fmt: skip
        replace_folder(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return str(meta["klientMeldingId"])
