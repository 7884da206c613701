"""Adding, removing and moving the entries of a meeting file from the form: agenda items,
participants in every group, next meetings, the meeting's signatories.

An action comes with the form (``action = "add:items"``, ``"remove:participants.present.2"``,
``"up:signatories.1"``) and is applied after the form's values, in the same save — so what was
typed in the other fields is kept. A new entry's values come from the form's "new" fields and
are written as TOML values by tomlkit; one without what it must have is refused before anything
is written. Items are added with the next number of the main series. Moving an item moves its
number with it: the two items trade places and numbers, and every reference to either (an
attachment's item, "behandlet etter", who came or left at which item) follows its item — the
minutes are numbered in the order they are listed. Participants and signatories move as the
attendance list's and the signing order; an item's proposals in the order they were voted.
"""

from __future__ import annotations

from typing import Any

import tomlkit

from ..meeting.vocab import ref_key
from .editing import GROUPS, _get, _put, array_of, entries_of, fields_of, required_of

MOVABLE = {*GROUPS, "signatories", "next_meetings", "items"} - {"participants.chair"}


def describe(action: str) -> str:
    """What a save did, for the history: 'lagret i skjemaet', 'la til: Til stede'."""
    verb, _, target = action.partition(":")
    if not verb:
        return "lagret i skjemaet"
    group = target if verb == "add" else target.rpartition(".")[0]
    group = group.rpartition(".")[2] if group.startswith("items.") else group
    names = {"items": "sak", "next_meetings": "neste møte", "signatories": "signatar",
             "proposals": "forslag", "conflicts": "inhabilitet", **GROUPS}  # fmt: skip
    name = names.get(group, group)
    words = {"add": "la til", "remove": "fjernet", "up": "flyttet opp", "down": "flyttet ned"}
    return f"{words.get(verb, verb)}: {name.lower()}"


class Refused(Exception):
    """The action cannot be done; the message says why, in the page's words."""


def apply(doc: Any, action: str, form: dict[str, str]) -> None:
    """Carry out ``action`` on the parsed document ``doc``."""
    verb, _, target = action.partition(":")
    if verb == "add" and required_of(target) is not None and fields_of(target) is not None:
        if target.startswith("items.") and _get(doc, target.rpartition(".")[0]) is None:
            raise Refused("saken finnes ikke lenger (siden var gammel); ingenting ble endret")
        _add(doc, target, form)
    elif verb in ("remove", "up", "down"):
        group, _, index = target.rpartition(".")
        if fields_of(group) is None or group == "meeting" or not index.isdigit():
            raise Refused("ukjent handling")
        _change(doc, verb, group, int(index))
    else:
        raise Refused("ukjent handling")


def _new_values(group: str, form: dict[str, str]) -> dict[str, str]:
    return {f.path: form.get(f"new.{group}.{f.path}", "").replace("\r\n", "\n").strip()
            for f in fields_of(group) or ()}  # fmt: skip


def _add(doc: Any, group: str, form: dict[str, str]) -> None:
    values = _new_values(group, form)
    fields = fields_of(group) or ()
    labels = {f.path: f.label for f in fields}
    missing = [labels[k] for k in required_of(group) or () if not values.get(k)]
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
    for f in fields:
        if values.get(f.path):
            _put(entry, f, values[f.path])
    if group == "participants.chair":
        _table(doc, "participants")["chair"] = entry
        return
    parent, _, key = group.rpartition(".")
    container = _get(doc, parent) if parent.startswith("items.") else (
        _table(doc, parent) if parent else doc)  # fmt: skip
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
            del (_get(doc, parent) if parent else doc)[key]
        return
    if group not in MOVABLE and not group.endswith(".proposals"):
        raise Refused("ukjent handling")
    other = index - 1 if verb == "up" else index + 1
    if not 0 <= other < len(entries):
        return  # already first or last
    if group == "items":
        _renumber(doc, min(index, other))
    first, second = container[index], container[other]
    container[index], container[other] = second, first


def _container(doc: Any, group: str) -> Any:
    parent, _, key = group.rpartition(".")
    return (_get(doc, parent) if parent else doc)[key]


def _renumber(doc: Any, first: int) -> None:
    """Before items ``first`` and ``first + 1`` trade places: give the second the lower numbers
    of the two and the first the higher, and make every reference follow its item."""
    items = doc["items"]
    a, b = items[first], items[first + 1]
    series_a, series_b = str(a.get("series") or ""), str(b.get("series") or "")
    if series_a != series_b:
        raise Refused("saker i ulike serier bytter ikke plass (hver serie har sine egne "
                      "numre); ingenting ble endret")  # fmt: skip
    old_a, old_b = [int(n) for n in a["numbers"]], [int(n) for n in b["numbers"]]
    pool = sorted(old_a + old_b)
    new_b, new_a = pool[: len(old_b)], pool[len(old_b) :]
    moved = dict(zip(old_a + old_b, new_a + new_b, strict=True))
    a["numbers"] = array_of(new_a)
    b["numbers"] = array_of(new_b)

    declared = {str(x.get("series")) for x in items if x.get("series")}

    def follow(ref: Any) -> Any:
        """The reference to where its item went: 5 → 4, "RS 2" → "RS 1", "PS 5" → "PS 4"
        (a prefix no item's series has is the main series', as Meeting.key reads it)."""
        if isinstance(ref, bool) or not isinstance(ref, (int, str)):
            return ref
        try:
            series, number = ref_key(ref)
        except (AssertionError, AttributeError):
            return ref  # not a reference check accepts; check names it
        if (series if series in declared else "") != series_a or number not in moved:
            return ref
        if isinstance(ref, int):
            return moved[number]
        return ref[: len(ref) - len(str(number))] + str(moved[number])

    for item in items:
        if "treated_after" in item:
            item["treated_after"] = follow(item["treated_after"])
    for att in doc.get("attachments", []):
        if "item" in att:
            att["item"] = follow(att["item"])
    people = doc.get("participants", {})
    for group in people.values() if hasattr(people, "values") else ():
        for person in [group] if hasattr(group, "keys") else group:
            for key in ("arrived_at", "left_after"):
                if key in person:
                    person[key] = follow(person[key])
            if "items" in person:
                person["items"] = array_of([follow(r) for r in person["items"]])
