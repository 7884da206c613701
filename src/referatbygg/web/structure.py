"""Adding, removing and moving the entries of a meeting file from the form: agenda items,
participants in every group, next meetings, the meeting's signatories.

An action comes with the form (``action = "add:items"``, ``"remove:participants.present.2"``,
``"up:signatories.1"``) and is applied after the form's values, in the same save — so what was
typed in the other fields is kept. A new entry's values come from the form's "new" fields and
are written as TOML values by tomlkit; one without what it must have is refused before anything
is written. Items are added with the next number of the main series; they are not moved (their
numbers, and what refers to them, would have to move too) — participants and signatories are,
since their order is the attendance list's and the signing order.
"""

from __future__ import annotations

from typing import Any

import tomlkit

from .editing import EDITABLE, GROUPS, REQUIRED, _put, entries_of

MOVABLE = {*GROUPS, "signatories", "next_meetings"} - {"participants.chair"}


def describe(action: str) -> str:
    """What a save did, for the history: 'lagret i skjemaet', 'la til: Til stede'."""
    verb, _, target = action.partition(":")
    if not verb:
        return "lagret i skjemaet"
    group = target if verb == "add" else target.rpartition(".")[0]
    name = {"items": "sak", "next_meetings": "neste møte", "signatories": "signatar",
            **GROUPS}.get(group, group)  # fmt: skip
    words = {"add": "la til", "remove": "fjernet", "up": "flyttet opp", "down": "flyttet ned"}
    return f"{words.get(verb, verb)}: {name.lower()}"


class Refused(Exception):
    """The action cannot be done; the message says why, in the page's words."""


def apply(doc: Any, action: str, form: dict[str, str]) -> None:
    """Carry out ``action`` on the parsed document ``doc``."""
    verb, _, target = action.partition(":")
    if verb == "add" and target in REQUIRED:
        _add(doc, target, form)
    elif verb in ("remove", "up", "down"):
        group, _, index = target.rpartition(".")
        if group not in EDITABLE or group == "meeting" or not index.isdigit():
            raise Refused("ukjent handling")
        _change(doc, verb, group, int(index))
    else:
        raise Refused("ukjent handling")


def _new_values(group: str, form: dict[str, str]) -> dict[str, str]:
    return {f.path: form.get(f"new.{group}.{f.path}", "").replace("\r\n", "\n").strip()
            for f in EDITABLE[group]}  # fmt: skip


def _add(doc: Any, group: str, form: dict[str, str]) -> None:
    values = _new_values(group, form)
    labels = {f.path: f.label for f in EDITABLE[group]}
    missing = [labels[k] for k in REQUIRED[group] if not values.get(k)]
    if missing:
        raise Refused(f"fyll inn {', '.join(m.lower() for m in missing)} før du legger til; "
                      "ingenting ble skrevet")  # fmt: skip
    entry: Any
    if group == "items":
        entry = tomlkit.table()
        entry["numbers"] = [_next_number(doc)]
    elif group.startswith("participants."):
        entry = tomlkit.inline_table()
    else:
        entry = tomlkit.table()
    for f in EDITABLE[group]:
        if values.get(f.path):
            _put(entry, f, values[f.path])
    if group == "participants.chair":
        _table(doc, "participants")["chair"] = entry
        return
    parent, _, key = group.rpartition(".")
    container = _table(doc, parent) if parent else doc
    if key not in container:
        if group.startswith("participants."):
            container[key] = tomlkit.array().multiline(True)
        else:
            container[key] = tomlkit.aot()
    container[key].append(entry)


def _table(doc: Any, name: str) -> Any:
    if name not in doc:
        doc[name] = tomlkit.table()
    return doc[name]


def _next_number(doc: Any) -> int:
    """The number after the last in the main series (items with a series of their own are
    numbered by the secretary)."""
    numbers = [n for item in doc.get("items", []) if not item.get("series")
               for n in item.get("numbers", [])]  # fmt: skip
    return max(numbers, default=0) + 1


def _change(doc: Any, verb: str, group: str, index: int) -> None:
    entries = entries_of(doc, group)
    if index >= len(entries):
        raise Refused("finnes ikke lenger (siden var gammel); ingenting ble endret")
    if group == "participants.chair":
        if verb != "remove":
            raise Refused("ukjent handling")
        del doc["participants"]["chair"]
        return
    container = _container(doc, group)
    if verb == "remove":
        if group == "items" and len(entries) == 1:
            raise Refused("et møte har minst én sak; ingenting ble fjernet")
        del container[index]
        if len(container) == 0:
            parent, _, key = group.rpartition(".")
            del (doc[parent] if parent else doc)[key]
        return
    if group not in MOVABLE:
        raise Refused("sakene flyttes ikke (numrene deres ville måtte endres); ingenting ble "
                      "endret")  # fmt: skip
    other = index - 1 if verb == "up" else index + 1
    if not 0 <= other < len(entries):
        return  # already first or last
    first, second = container[index], container[other]
    container[index], container[other] = second, first


def _container(doc: Any, group: str) -> Any:
    parent, _, key = group.rpartition(".")
    return (doc[parent] if parent else doc)[key]
