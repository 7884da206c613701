"""The archive identities of a meeting's records: systemIDs that are random UUIDs (Noark M001:
globally unique, never changed), kept in the meeting's output folder. Packaging the same meeting
again keeps them; a document whose file changed gets a new one; another installation (another
output folder) gets its own."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path

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
