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
    """One editable value: its path under the entry ("decision.votes.for"), its label, how it is
    written, and the folded section of the form it is shown in ("" for the open part).

    Kinds: text, multiline, int, date, time, bool (yes/no, absent = no), tristate (yes, no, or
    not said — absent), choice (one of ``choices``, shown as ``names``), ref (an agenda item:
    5 or "RS 2"), refs (several, comma-separated), numbers (an item's own numbers: "7, 8"),
    lines (a list of texts, one per line)."""

    path: str
    label: str
    kind: str = "text"
    choices: tuple[str, ...] = ()
    section: str = ""
    names: tuple[str, ...] = ()  # how the page shows each of ``choices``
    default: str = ""  # what an empty choice means, as the page says it

    @property
    def options(self) -> list[tuple[str, str]]:
        return list(zip(self.choices, self.names or self.choices, strict=True))


_D, _C, _N, _L, _O = ("Vedtak og stemmer", "Saksopplysninger", "Nummer og rekkefølge",
                      "Lukket møte", "Offentlighet")  # fmt: skip
ITEM_FIELDS = (
    Field("title", "Tittel"),
    Field("kind", "Type", "choice", ("sak", "orientering"), names=("sak", "orientering")),
    Field("presenter", "Orientering ved"),
    Field("text", "Tekst", "multiline"),
    Field("decision.text", "Vedtak", "multiline", section=_D),
    Field("decision.unanimous", "Enstemmig", "bool", section=_D),
    Field("decision.votes.for", "Stemmer for", "int", section=_D),
    Field("decision.votes.against", "Stemmer mot", "int", section=_D),
    Field("decision.votes.blank", "Blanke stemmer", "int", section=_D),
    Field("decision.votes.for_names", "Stemte for (ett navn per linje)", "lines", section=_D),
    Field("decision.votes.against_names", "Stemte mot (ett navn per linje)", "lines", section=_D),
    Field(
        "decision.note",
        "Merknad til vedtaket (dissens, protokolltilførsel)",
        "multiline",
        section=_D,
    ),
    Field(
        "closed.basis",
        "Hjemmel for lukket møte (f.eks. kml. § 11-5 andre ledd bokstav a)",
        section=_L,
    ),
    Field("closed.public_title", "Tittel utad", section=_L),
    Field("closed.decision", "Vedtak utad", "multiline", section=_L),
    Field("case.archive_ref", "Arkivsak (f.eks. 23/1234)", section=_C),
    Field("case.handler", "Saksbehandler", section=_C),
    Field("case.class_code", "Arkivkode", section=_C),
    Field("case.object", "Objekt (f.eks. gnr. 12/3)", section=_C),
    Field("case.decided_by", "Avgjøres av", section=_C),
    Field("case.route", "Saksgang (én linje per organ og dato)", "lines", section=_C),
    Field("numbers", "Saksnummer (flere: 7, 8)", "numbers", section=_N),
    Field("series", "Serie (tom: hovedserien)", section=_N),
    Field("added", "Tilleggssak (meldt på møtet)", "bool", section=_N),
    Field("treated_after", "Behandlet etter sak", "ref", section=_N),
    Field("no_business", "Ingen saker", "bool", section=_N),
    Field("next_meetings", "Vis neste møter under saken", "bool", section=_N),
    Field("exempt", "Unntatt offentlighet: hjemmel (tom: offentlig)", section=_O),
)
_VOTES = (
    Field("votes.for", "Stemmer for", "int", section="Stemmer"),
    Field("votes.against", "Stemmer mot", "int", section="Stemmer"),
    Field("votes.blank", "Blanke stemmer", "int", section="Stemmer"),
)
PROPOSAL_FIELDS = (
    Field("kind", "Slags forslag", "choice",
          ("forslag", "innstilling", "tilråding", "endringsforslag", "tilleggsforslag")),
    Field("by", "Fremmet av"),
    Field("party", "Parti"),
    Field("text", "Forslaget", "multiline"),
    Field("unanimous", "Enstemmig", "bool", section="Stemmer"),
    *_VOTES,
    Field("adopted", "Vedtatt", "tristate", section="Stemmer", default="etter stemmene"),
)  # fmt: skip
CONFLICT_FIELDS = (
    Field("name", "Navn"),
    Field("party", "Parti"),
    Field("basis", "Hjemmel (f.eks. fvl. § 6 første ledd bokstav a)"),
    Field("declared", "Erklært", "choice", ("body", "self"),
          names=("inhabil av organet", "inhabil selv")),
    Field("stepped_out", "Fratrådte", "tristate", section="Mer", default="ja"),
    Field("replaced_by", "Erstattet av", section="Mer"),
)  # fmt: skip
# Lists inside each agenda item: form keys "items.3.proposals.1.text".
SUBLISTS = {"proposals": PROPOSAL_FIELDS, "conflicts": CONFLICT_FIELDS}
ATTACHMENT_FIELDS = (
    Field("title", "Tittel"),
    Field("item", "Til sak", "ref"),
    Field("exempt", "Unntatt offentlighet: hjemmel (tom: offentlig)"),
    Field("alt", "Alternativ tekst (hva bildet viser)"),
    Field("author", "Forfatter (tom: organet)"),
)
_MORE = "Mer"
PERSON_FIELDS = (
    Field("name", "Navn"),
    Field("role", "Rolle"),
    Field("party", "Parti"),
    Field("organisation", "Organisasjon", section=_MORE),
    Field("arrived", "Kom klokken (TT:MM)", "time", section=_MORE),
    Field("left", "Gikk klokken (TT:MM)", "time", section=_MORE),
    Field("arrived_at", "Kom til sak", "ref", section=_MORE),
    Field("left_after", "Gikk etter sak", "ref", section=_MORE),
    Field("items", "Bare med i sakene (f.eks. 3, 4, RS 2)", "refs", section=_MORE),
)
SUBSTITUTE_FIELDS = (
    Field("name", "Navn"),
    Field("role", "Rolle"),
    Field("party", "Parti"),
    Field("for", "Møtte for"),
    Field("items", "Bare med i sakene (f.eks. 3, 4, RS 2)", "refs", section=_MORE),
)
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
            "proposals": ("text",), "conflicts": ("name",),
            **{group: ("name",) for group in GROUPS}}  # fmt: skip
_SUBLIST = re.compile(r"items\.(\d+)\.(proposals|conflicts)")


def fields_of(group: str) -> tuple[Field, ...] | None:
    """The fields of ``group``: one of EDITABLE, or a list inside an item ("items.3.proposals");
    None for anything else."""
    if group in EDITABLE:
        return EDITABLE[group]
    found = _SUBLIST.fullmatch(group)
    return SUBLISTS[found.group(2)] if found else None


def required_of(group: str) -> tuple[str, ...] | None:
    found = _SUBLIST.fullmatch(group)
    return REQUIRED.get(found.group(2) if found else group)


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
    problems: list[Any] = field(default_factory=list)  # as the page says them (findings.Said)
    lists: dict[str, list[Entry]] = field(default_factory=dict)  # its proposals, conflicts
    series: str = ""
    heading: str = ""  # as the minutes print it ("3. Orientering fra politimesteren"), if known


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


def items(path: Path) -> list[ItemForm]:
    """Each agenda item's editable fields (its findings are put in by the page: findings.py)."""
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    forms = []
    for index, item in enumerate(doc.get("items", [])):
        numbers = ", ".join(str(n) for n in item.get("numbers", []))
        values = {f.path: _shown(_get(item, f.path), f) for f in ITEM_FIELDS}
        lists = {sub: [Entry(f"items.{index}.{sub}.{j}",
                             str(entry.get("name") or entry.get("by") or ""),
                             {f.path: _shown(_get(entry, f.path), f) for f in fields})
                       for j, entry in enumerate(item.get(sub, []))]
                 for sub, fields in SUBLISTS.items()}  # fmt: skip
        series = str(item.get("series") or "")
        forms.append(ItemForm(index, numbers, values, lists=lists, series=series))
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
    if f.kind == "tristate" and isinstance(value, bool):
        return "true" if value else "false"
    if f.kind in ("lines", "refs", "numbers") and isinstance(value, list):
        return ("\n" if f.kind == "lines" else ", ").join(str(x) for x in value)
    return str(value)


def _put(entry: Any, f: Field, value: str) -> None:
    """Set (or, when empty, remove) one value, creating the tables on its way as the files
    write them — ``[items.decision]`` a table, ``votes`` an inline table — and removing a table
    the form emptied. An unchanged value is left as written (quotes, layout, comments). A field
    of white space alone is an emptied one: the files take no blank titles."""
    if not value.strip():
        value = ""
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
    if f.kind == "tristate" and value in ("true", "false"):
        return value == "true"
    if f.kind == "ref":
        return _ref(value)
    if f.kind in ("lines", "refs", "numbers"):
        parts = value.splitlines() if f.kind == "lines" else value.split(",")
        found = [p.strip() for p in parts if p.strip()]
        if f.kind == "numbers" and not (found and all(p.isdigit() for p in found)):
            return value  # check names it: "expected a list"
        return array_of([p if f.kind == "lines" else _ref(p) for p in found])
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


def array_of(values: list[Any]) -> Any:
    """``values`` as a TOML array, written inline as the files write lists."""
    array = tomlkit.array()
    array.extend(values)
    return array


def _ref(value: str) -> int | str:
    """An agenda item as the files name it: 5, or "RS 2"."""
    value = value.strip()
    return int(value) if value.isdigit() else value


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


def live_check(path: Path, form: dict[str, str]) -> list[Problem]:
    """What ``check`` would find if the form were saved now, without saving it: the text is
    written to a hidden file beside the meeting (its body file and attachments are found as for
    the real one; hidden files are no meetings to the rest of the tool) and removed at once."""
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
    return [dataclasses.replace(p, where=p.where.replace(trial.name, path.name),
                                message=p.message.replace(trial.name, path.name))
            for p in found]  # fmt: skip


def applied(path: Path, form: dict[str, str]) -> str:
    """The file's text with the form's values put in, everything else as it was."""
    return tomlkit.dumps(applied_doc(path, form))


def applied_doc(path: Path, form: dict[str, str]) -> Any:
    """The parsed file with the form's values put in."""
    doc: Any = tomlkit.parse(path.read_text(encoding="utf-8"))
    groups = [*EDITABLE, *(f"items.{i}.{sub}" for i in range(len(entries_of(doc, "items")))
                           for sub in SUBLISTS)]  # fmt: skip
    for group in groups:
        fields = fields_of(group) or ()
        for index, entry in enumerate(entries_of(doc, group)):
            for f in fields:
                key = f"{group}.{index}.{f.path}"
                if key in form:
                    _put(entry, f, form[key].replace("\r\n", "\n"))
    return doc
