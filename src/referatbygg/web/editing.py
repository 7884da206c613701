"""Reading and writing a meeting file from the workbench's form: tomlkit edits the document in
place, so comments, order and layout stay as the secretary wrote them; a file changed on disk
since the form was loaded is not overwritten (its digest is in the form)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomlkit

from ..fsutil import write_atomic
from ..meeting.check import Problem


@dataclass(frozen=True)
class Field:
    """One editable value: its path under the entry ("decision.votes.for"), its label, and how it
    is written — text, multi-line text, a whole number, yes/no, or one of ``choices``."""

    path: str
    label: str
    kind: str = "text"  # "text", "multiline", "int", "bool", "choice"
    choices: tuple[str, ...] = ()

    @property
    def group(self) -> str:
        """Where the form shows it: with the item, or folded under Vedtak or Offentlighet."""
        return {"decision": "Vedtak og stemmer", "exempt": "Offentlighet"}.get(
            self.path.split(".")[0], ""
        )


ITEM_FIELDS = (
    Field("title", "Tittel"),
    Field("kind", "Type", "choice", ("sak", "orientering")),
    Field("presenter", "Orientering ved"),
    Field("text", "Tekst", "multiline"),
    Field("decision.text", "Vedtak", "multiline"),
    Field("decision.unanimous", "Enstemmig", "bool"),
    Field("decision.votes.for", "Stemmer for", "int"),
    Field("decision.votes.against", "Stemmer mot", "int"),
    Field("decision.votes.blank", "Blanke stemmer", "int"),
    Field("exempt", "Unntatt offentlighet: hjemmel (tom: offentlig)"),
)
ATTACHMENT_FIELDS = (
    Field("title", "Tittel"),
    Field("exempt", "Unntatt offentlighet: hjemmel (tom: offentlig)"),
)
PERSON_FIELDS = (Field("name", "Navn"), Field("role", "Rolle"), Field("party", "Parti"))
SUBSTITUTE_FIELDS = (*PERSON_FIELDS, Field("for", "Møtte for"))
MEETING_FIELDS = (
    Field("date", "Dato (ÅÅÅÅ-MM-DD)", "date"),
    Field("start", "Fra klokken (TT:MM)", "time"),
    Field("end", "Til klokken (TT:MM)", "time"),
    Field("place", "Sted"),
    Field("number", "Møtenummer"),
    Field("remarks", "Merknader", "multiline"),
)
NEXT_FIELDS = (
    Field("date", "Dato (ÅÅÅÅ-MM-DD)", "date"),
    Field("start", "Fra klokken (TT:MM)", "time"),
    Field("end", "Til klokken (TT:MM)", "time"),
    Field("note", "Merknad"),
)
SIGNATORY_FIELDS = (Field("title", "Tittel"), Field("name", "Navn"),
                    Field("role", "Rolle-id (a–z, 0–9, _)"))  # fmt: skip
GROUPS = {
    "participants.chair": "Møteleder",
    "participants.present": "Til stede",
    "participants.absent": "Forfall",
    "participants.substitutes": "Varamedlemmer",
    "participants.administration": "Fra administrasjonen",
    "participants.others": "Andre til stede",
    "participants.secretary": "Referent",
}
# Which entries of the file the form edits, and with what fields (a form key is the entry's
# path and the field's: "items.3.decision.text", "participants.present.0.name"; the meeting's
# own values are the one entry "meeting.0").
EDITABLE = {"meeting": MEETING_FIELDS, "items": ITEM_FIELDS, "attachments": ATTACHMENT_FIELDS,
            **dict.fromkeys(GROUPS, PERSON_FIELDS),
            "participants.substitutes": SUBSTITUTE_FIELDS, "next_meetings": NEXT_FIELDS,
            "signatories": SIGNATORY_FIELDS}  # fmt: skip
# What a new entry must have before it is written (the rest is filled in afterwards).
REQUIRED = {"items": ("title",), "next_meetings": ("date",), "signatories": ("role", "title"),
            **{group: ("name",) for group in GROUPS}}  # fmt: skip


def entries_of(doc: Any, group: str) -> list[Any]:
    """The entries of ``group`` in the document: a list of tables, the chair's one table, or
    the document itself for the meeting's own values."""
    if group == "meeting":
        return [doc]
    found = _get(doc, group)
    if found is None:
        return []
    return [found] if hasattr(found, "keys") else list(found)


LIMIT = 1 << 20  # a form larger than this is refused before it is read


class Conflict(Exception):
    """The file changed on disk since the form was loaded."""


@dataclass
class ItemForm:
    index: int
    numbers: str
    values: dict[str, str]
    problems: list[Problem] = field(default_factory=list)


@dataclass
class Entry:
    """One attachment or participant in the form: its form-key prefix and current values."""

    prefix: str
    heading: str
    values: dict[str, str]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def inside(folder: Path, relative: str) -> Path | None:
    """``relative`` as a meeting file inside ``folder``; None for anything else (a path out of
    the folder, not a .toml file, not there)."""
    if "\x00" in relative:  # no file system takes it; an answer, not a traceback
        return None
    try:
        path = (folder / relative).resolve()
        if not path.is_relative_to(folder.resolve()) or path.suffix != ".toml" \
                or not path.is_file():  # fmt: skip
            return None
    except (OSError, ValueError):  # a name too long, a loop of links
        return None
    return path


def _item_lines(text: str) -> list[tuple[int, int]]:
    """The lines (1-based, first and last) each [[items]] entry spans: from its header to the
    line before the next header that is not one of its own sub-tables."""
    lines = text.splitlines()
    spans: list[tuple[int, int]] = []
    for n, line in enumerate(lines, start=1):
        header = re.match(r"\s*\[\[?\s*([A-Za-z0-9_.\s\"']+?)\s*\]\]?\s*(#.*)?$", line)
        if not header:
            continue
        name = re.sub(r"\s+", "", header.group(1))
        if name.startswith("items."):
            continue  # the item's own sub-tables: [items.decision], [[items.proposals]]
        if spans and spans[-1][1] == len(lines):
            spans[-1] = (spans[-1][0], n - 1)  # the next item, or a table after the items
        if re.match(r"\s*\[\[\s*items\s*\]\]", line):
            spans.append((n, len(lines)))
    return spans


def items(path: Path, problems: list[Problem]) -> list[ItemForm]:
    """Each agenda item's editable fields, with the problems `check` found on its lines."""
    text = path.read_text(encoding="utf-8")
    doc = tomlkit.parse(text)
    starts = _item_lines(text)
    forms = []
    for index, item in enumerate(doc.get("items", [])):
        numbers = ", ".join(str(n) for n in item.get("numbers", []))
        values = {f.path: _shown(_get(item, f.path), f) for f in ITEM_FIELDS}
        forms.append(ItemForm(index, numbers, values))
    for problem in problems:
        line = _line_of(problem, path)
        if line is None:
            continue
        inside = [i for i, (first, last) in enumerate(starts) if first <= line <= last]
        if inside and inside[-1] < len(forms):
            forms[inside[-1]].problems.append(problem)
    return forms


def entries(path: Path) -> dict[str, list[Entry]]:
    """The attachments and participant groups of the form, by group."""
    doc: Any = tomlkit.parse(path.read_text(encoding="utf-8"))
    found: dict[str, list[Entry]] = {}
    for group, fields in EDITABLE.items():
        if group == "items":
            continue
        for index, entry in enumerate(entries_of(doc, group)):
            heading = str(entry.get("title") or entry.get("name") or entry.get("role") or "")
            values = {f.path: _shown(_get(entry, f.path), f) for f in fields}
            found.setdefault(group, []).append(Entry(f"{group}.{index}", heading, values))
    return found


def _get(table: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(table, list) and part.isdigit() and int(part) < len(table):
            table = table[int(part)]
        elif hasattr(table, "get"):
            table = table.get(part)
        else:
            return None
    return table


def _shown(value: Any, f: Field) -> str:
    if value is None:
        return ""
    if f.kind == "bool":
        return "true" if value is True else ""
    return str(value)


def _line_of(problem: Problem, path: Path) -> int | None:
    match = re.match(r"(.*):(\d+)$", problem.where)
    if not match or Path(match.group(1)).name != path.name:
        return None
    return int(match.group(2))


def _put(entry: Any, f: Field, value: str) -> None:
    """Set (or, when empty, remove) one value, creating the tables on its way as the files
    write them — ``[items.decision]`` a table, ``votes`` an inline table — and removing a table
    the form emptied. An unchanged value is left as written (quotes, layout, comments)."""
    if value == _shown(_get(entry, f.path), f):
        return
    *parents, last = f.path.split(".")
    tables = [entry]
    for part in parents:
        table = tables[-1]
        if part not in table:
            if not value:
                return
            table[part] = tomlkit.inline_table() if part == "votes" else tomlkit.table()
        tables.append(table[part])
    table = tables[-1]
    if not value:
        table.pop(last, None)
        for parent, part in zip(reversed(tables[:-1]), reversed(parents), strict=True):
            if len(parent[part]) == 0:
                del parent[part]
        return
    table[last] = _typed(value, f)


def _typed(value: str, f: Field) -> Any:
    """The value as the file should hold it; what does not parse stays text, for check to name
    at its field (nothing is silently changed)."""
    if f.kind == "bool":
        return value == "true"
    if f.kind == "int" and value.strip().isdigit():
        return int(value)
    if f.kind == "date":
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return value  # check names it at its line: "expected a date like 2023-01-13"
    if f.kind == "time":
        return value.strip()  # as the files write times: "13:30"
    if f.kind == "multiline" or "\n" in value:
        return _multiline(value)
    return value


def _multiline(value: str) -> Any:
    """A multi-line string written as the files have them: the text starting on the line after
    the opening quotes (tomlkit escapes it; TOML drops that first newline when reading)."""
    quoted = tomlkit.string(value, multiline=True).as_string()
    return tomlkit.parse(f'x = """\n{quoted[3:]}\n')["x"]


def save(
    path: Path, loaded: str, form: dict[str, str], history: Path | None = None,
    change: Callable[[Any], None] | None = None, what: str = "lagret i skjemaet",
) -> None:  # fmt: skip
    """Write the form's values into ``path``, keeping everything else; Conflict when the file
    is no longer the one the form was made from.

    The check and the write are one step: a lock (flock) on the file as it is opened is held
    from the digest check to the rename. A second save waiting on it then finds the file
    renamed over — another digest — and gets the conflict, never a silent overwrite."""
    from ..fsutil import locked

    with locked(path):
        if digest(path) != loaded:
            raise Conflict(path.name)
        before = path.read_text(encoding="utf-8")
        doc = applied_doc(path, form)
        if change is not None:  # add, remove or move an entry (structure.py); it may refuse
            change(doc)
        after = tomlkit.dumps(doc)
        if after == before:
            return
        write_atomic(path, after.encode("utf-8"))
        if history is not None:  # who, when, what: kept beside the meetings (history.py)
            from .history import record

            record(history, path, before, after, what)


def live_check(path: Path, form: dict[str, str]) -> dict[str, Any]:
    """What ``check`` would find if the form were saved now, without saving it: the text is
    written to a hidden file beside the meeting (its body file and attachments are found as for
    the real one; hidden files are no meetings to the rest of the tool) and removed at once.
    Returns the findings by item index, and those outside the items."""
    import secrets

    from ..errors import ReferatbyggError
    from ..meeting.check import check, file_problems
    from ..meeting.load import load_meeting

    text = applied(path, form)
    trial = path.with_name(f".{path.stem}.{secrets.token_hex(4)}.toml")
    trial.write_text(text, encoding="utf-8")
    try:
        try:
            found = check(load_meeting(trial))
        except ReferatbyggError as exc:
            found = file_problems(exc.message, trial.name)
    finally:
        trial.unlink(missing_ok=True)
    found = [dataclasses.replace(p, where=p.where.replace(trial.name, path.name),
                                 message=p.message.replace(trial.name, path.name))
             for p in found]  # fmt: skip
    starts = _item_lines(text)
    by_item: dict[int, list[dict[str, str]]] = {}
    general: list[dict[str, str]] = []
    for problem in found:
        line = _line_of(problem, path)
        inside = [i for i, (first, last) in enumerate(starts)
                  if line is not None and first <= line <= last]  # fmt: skip
        entry = {"severity": problem.severity, "where": problem.where, "message": problem.message}
        (by_item.setdefault(inside[-1], []) if inside else general).append(entry)
    return {"items": by_item, "general": general}


def applied(path: Path, form: dict[str, str]) -> str:
    """The file's text with the form's values put in, everything else as it was."""
    return tomlkit.dumps(applied_doc(path, form))


def applied_doc(path: Path, form: dict[str, str]) -> Any:
    """The parsed file with the form's values put in."""
    doc: Any = tomlkit.parse(path.read_text(encoding="utf-8"))
    for group, fields in EDITABLE.items():
        for index, entry in enumerate(entries_of(doc, group)):
            for f in fields:
                key = f"{group}.{index}.{f.path}"
                if key in form:
                    _put(entry, f, form[key].replace("\r\n", "\n"))
    return doc
