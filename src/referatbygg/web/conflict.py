"""When the file changed while the secretary typed: keep what they typed, show what changed.

Every version of a meeting file the form was made from is kept in the site's scratch folder by
its digest. On a conflict the three versions are compared field by field: the one the form was
made from (the base), the file as it is now, and what was posted. The form comes back with the
file as it is now and the secretary's own changes on top — nothing they typed is lost, nothing
the other person saved is silently reverted — and a list names every field they changed, with
the value now on disk beside theirs, marking those both changed. Saving again writes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit

from .editing import EDITABLE, GROUPS, _get, _shown, entries_of


def remember(cache: Path, text: str, digest: str) -> None:
    """Keep the version a form was made from (by the digest the form carries)."""
    folder = cache / "versions"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{digest}.toml"
    if not path.exists():
        path.write_text(text, encoding="utf-8")


def recall(cache: Path, digest: str) -> str | None:
    if not digest.isalnum():  # a digest from a form: hex only, never a path
        return None
    path = cache / "versions" / f"{digest}.toml"
    return path.read_text(encoding="utf-8") if path.is_file() else None


def form_values(text: str) -> dict[str, str]:
    """Every editable value of a meeting file, by its form key ("items.3.title")."""
    doc: Any = tomlkit.parse(text)
    out = {}
    for group, fields in EDITABLE.items():
        for index, entry in enumerate(entries_of(doc, group)):
            for f in fields:
                out[f"{group}.{index}.{f.path}"] = _shown(_get(entry, f.path), f)
    return out


@dataclass
class Change:
    key: str
    label: str
    now: str  # on disk now
    typed: str  # what the secretary typed
    both: bool  # the other save changed it too


@dataclass
class Merged:
    values: dict[str, str]  # what the form shows: the file now, with the secretary's changes
    changes: list[Change]


def merge(base: str | None, now: str, typed: dict[str, str]) -> Merged:
    """The file as it is ``now`` with the secretary's changes (``typed`` against ``base``) on
    top. Without the base (a server restarted), every value that differs is theirs."""
    before = form_values(base) if base is not None else None
    current = form_values(now)
    values, changes = dict(current), []
    for key, value in typed.items():
        if key not in current:
            continue
        value = value.replace("\r\n", "\n")
        mine = value != (before.get(key) if before is not None else current[key])
        if not mine or value == current[key]:
            continue
        both = before is None or current[key] != before.get(key)
        values[key] = value
        changes.append(Change(key, _label(key, now), current[key], value, both))
    return Merged(values, changes)


def _label(key: str, text: str) -> str:
    """'Sak 3: Tittel', 'Til stede 2: Navn', 'Vedlegg 1: Tittel' — what the page calls it."""
    for group, fields in EDITABLE.items():
        if not key.startswith(f"{group}."):
            continue
        index, path = key[len(group) + 1 :].split(".", 1)
        label = next((f.label for f in fields if f.path == path), path)
        if group == "items":
            doc: Any = tomlkit.parse(text)
            numbers = doc["items"][int(index)].get("numbers", [])
            return f"Sak {', '.join(str(n) for n in numbers)}: {label}"
        return (
            f"{({'attachments': 'Vedlegg'} | GROUPS).get(group, group)} {int(index) + 1}: {label}"
        )
    return key
