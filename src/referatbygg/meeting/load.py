"""TOML files → validated models, with errors that name the file and line.

``tomllib`` parses (TOML 1.0, standard library); pydantic validates. tomllib keeps no positions, so
:class:`_LineIndex` scans the source once to map key paths such as ``("items", 2, "title")`` to
line numbers; an error is reported at the deepest key the index knows.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
import tomllib
import unicodedata
from pathlib import Path
from typing import Any, TypeVar

import pydantic

from ..errors import InputError, MeetingFileError
from .inputs import TOML_LIMIT, check_file, default_root, find
from .model import AgreementFile, Body, Meeting, MeetingFile

M = TypeVar("M", bound=pydantic.BaseModel)
Loc = tuple[str | int, ...]

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\[\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(
    r"""^\s*((?:[A-Za-z0-9_\-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_\-]+|"[^"]*"|'[^']*'))*)\s*="""
)
_TOML_POS = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


def display(path: Path) -> str:
    """A path as the user would type it: relative to the working directory when possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def printable(text: object) -> str:
    """``text`` for a message: control characters (a NUL in a file name, a bell in a key) shown
    as \\uXXXX instead of reaching the terminal."""
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in str(text))


def _split_key(key: str) -> list[str]:
    parts = re.findall(r"""[A-Za-z0-9_\-]+|"[^"]*"|'[^']*'""", key)
    return [p[1:-1] if p[0] in "\"'" else p for p in parts]


class _ArrayScan:
    """Where the elements of a multi-line inline array start: ``present = [`` then one
    ``{ name = … }`` per line — an error in the twelfth person points at the twelfth line."""

    def __init__(self, path: Loc) -> None:
        self.path = path
        self.depth = 0
        self.count = 0
        self.quote: str | None = None

    def feed(self, text: str, lineno: int, lines: dict[Loc, int]) -> bool:
        """Scan one line; returns False once the array is closed."""
        i = 0
        while i < len(text):
            ch = text[i]
            if self.quote:
                if ch == "\\" and self.quote == '"':
                    i += 2
                    continue
                if ch == self.quote:
                    self.quote = None
            elif ch == "#":
                break
            elif ch in "\"'":
                if self.depth == 1:
                    self._element(lineno, lines)
                self.quote = ch
            elif ch in "[{":
                if self.depth == 1:
                    self._element(lineno, lines)
                self.depth += 1
            elif ch in "]}":
                self.depth -= 1
                if self.depth == 0:
                    return False
            elif self.depth == 1 and not ch.isspace() and ch != ",":
                self._element(lineno, lines)
                while i + 1 < len(text) and text[i + 1] not in ",]#":
                    i += 1
            i += 1
        return True

    def _element(self, lineno: int, lines: dict[Loc, int]) -> None:
        lines.setdefault((*self.path, self.count), lineno)
        self.count += 1


class _LineIndex:
    """Key path → line number, for the subset of TOML that meeting files use."""

    def __init__(self, source: str) -> None:
        self.lines: dict[Loc, int] = {}
        aot: dict[Loc, int] = {}  # array-of-tables path → index of its last element
        table: Loc = ()
        in_string: str | None = None
        array: _ArrayScan | None = None
        for lineno, line in enumerate(source.splitlines(), start=1):
            if array is not None:
                if not array.feed(line, lineno, self.lines):
                    array = None
                continue
            if in_string:
                if line.count(in_string) % 2 == 1:
                    in_string = None
                continue
            header = _HEADER.match(line)
            if header:
                segs = _split_key(header.group(2))
                base: Loc = ()
                for seg in segs[:-1]:
                    base = (*base, seg)
                    if base in aot:
                        base = (*base, aot[base])
                base = (*base, segs[-1])
                if header.group(1) == "[[":
                    aot[base] = aot.get(base, -1) + 1
                    table = (*base, aot[base])
                    self.lines.setdefault(base, lineno)
                else:
                    table = base
                self.lines.setdefault(table, lineno)
                continue
            key = _KEY.match(line)
            if key:
                path = (*table, *_split_key(key.group(1)))
                self.lines.setdefault(path, lineno)
                rest = line[key.end() :]
                if rest.lstrip().startswith("["):
                    scan = _ArrayScan(path)
                    if scan.feed(rest, lineno, self.lines):
                        array = scan
                    continue
                for quote in ('"""', "'''"):
                    if rest.count(quote) % 2 == 1:
                        in_string = quote
                        break

    def line_of(self, loc: Loc) -> int | None:
        for end in range(len(loc), 0, -1):
            if loc[:end] in self.lines:
                return self.lines[loc[:end]]
        return None


def read_toml(
    path: Path,
    *,
    checked: bool = False,
    invalid: type[InputError] = InputError,
    digests: dict[Path, str] | None = None,
) -> tuple[dict[str, Any], str]:
    """Parse a TOML file. ``checked``: the path was already found to be a regular file of
    bounded size inside the meeting's folder (else that is checked here). ``invalid``: the error
    for a file that is read but is not valid TOML. ``digests``: gets the SHA-256 of the bytes
    parsed, by path — what a build records as its source is what it read."""
    where = display(path)
    if not checked:
        check_file(path, limit=TOML_LIMIT)
    try:
        raw = path.read_bytes()
        if digests is not None:
            digests[path.resolve()] = hashlib.sha256(raw).hexdigest()
        # As read_text would give it: universal newlines.
        source = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{where}: not UTF-8 text (byte {exc.start})", hint="save the file as UTF-8"
        ) from None
    except OSError as exc:
        raise InputError(f"{where}: cannot read file ({exc.strerror})") from None
    # Editors on Windows start UTF-8 files with a byte order mark; TOML does not allow one.
    source = source.removeprefix("\ufeff")
    try:
        return tomllib.loads(source), source
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        pos = _TOML_POS.search(msg)
        if pos:
            where = f"{where}:{pos.group(1)}:{pos.group(2)}"
            msg = msg[: pos.start()]
        opened = _unclosed(source) if "at end of document" in msg else None
        if opened:  # the parser got to the end: where the string it was in began
            where = f"{where}:{opened[0]}:{opened[1]}"
            msg = (msg.replace(" (at end of document)", "") + f": the {opened[2]} string "
                   "opened here is never closed")  # fmt: skip
        raise invalid(f"{where}: not valid TOML: {msg}") from None
    except RecursionError:
        raise invalid(
            f"{where}: arrays or tables are nested too deeply to be a meeting file"
        ) from None


# What can hold a quote without opening a string (comments, strings that close), else an
# opening multi-line delimiter whose string never closes.
_QUOTED = re.compile(
    r"#[^\n]*"
    r'|"""(?:[^\\]|\\.)*?"""|\'\'\'.*?\'\'\''
    r'|(""")|(\'\'\')'
    r'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'',
    re.S,
)


def _unclosed(source: str) -> tuple[int, int, str] | None:
    """(line, column, kind) of a multi-line string still open at the end of ``source``."""
    for found in _QUOTED.finditer(source):
        if found.lastindex:  # an opening delimiter that no closing one matched
            start = found.start()
            line = source.count("\n", 0, start) + 1
            column = start - (source.rfind("\n", 0, start) + 1) + 1
            quote = found.group(found.lastindex)
            return line, column, f"multi-line ({quote}…{quote})"
    return None


def _fmt_loc(loc: Loc) -> str:
    out = ""
    for part in loc:
        name = printable(part)
        out += f"[{part}]" if isinstance(part, int) else (f".{name}" if out else name)
    return out


def _describe(
    err: Any, model: type[pydantic.BaseModel], data: dict[str, Any], missing: tuple[str, ...] = ()
) -> str:
    kind, loc, value = err["type"], err["loc"], err.get("input")
    last = loc[-1] if loc else ""
    if kind == "missing":
        return f"required key '{last}' is missing"
    if kind == "extra_forbidden":
        known = _known_keys(model, loc[:-1])
        close = _close_key(model, loc, missing)
        tip = f" (did you mean '{close[0]}'?)" if close else ""
        return f"unknown key '{last}'{tip}; allowed here: {', '.join(sorted(known))}"
    if kind.startswith("date") and isinstance(value, dt.datetime):
        return f"expected a date like 2023-01-13, got a date and time ({value.isoformat()})"
    if kind.startswith("date"):
        return f"expected a date like 2023-01-13 (no quotes), got {value!r}"
    if kind == "path_type":
        return f"expected a file name in quotes, got {value!r}"
    if kind.startswith("time"):
        return f'expected a time like "13:30", got {value!r}'
    if kind == "string_type":
        return f"expected text in quotes, got {value!r}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"expected a whole number, got {value!r}"
    if kind in ("bool_type", "bool_parsing"):
        return f"expected true or false, got {value!r}"
    if kind == "too_short":
        return "must have at least one entry"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        limit = err.get("ctx", {}).get("max_length")
        return (f"is {len(str(value)):,} characters long; at most {limit} (a title or name also "
                "becomes the document's properties, which hold 255)")  # fmt: skip
    if kind in ("less_than_equal", "greater_than_equal"):
        return f"{value!r} is out of range ({err['msg'].lower()})"
    if kind == "string_pattern_mismatch":
        return (f"{value!r} must start with a letter a–z and hold only a–z, digits 0–9 and _ "
                "(no capitals, hyphens, spaces or æøå), like 'byradsleder'")  # fmt: skip
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"expected a table (section), got {value!r}"
    if kind in ("tuple_type", "list_type"):
        return f"expected a list [...], got {value!r}"
    msg: str = err["msg"]
    return msg.removeprefix("Value error, ")


# Norwegian words a secretary may guess for a key, and the key that says it.
SYNONYMS = {
    "tittel": "title", "dato": "date", "sted": "place", "stad": "place", "tekst": "text",
    "vedtak": "decision", "forslag": "proposals", "innstilling": "proposals",
    "inhabil": "conflicts", "inhabilitet": "conflicts", "ugild": "conflicts",
    "lukket": "closed", "lukka": "closed", "saksbehandler": "case", "arkivsak": "case",
    "merknader": "remarks", "merknad": "remarks", "moteleder": "chair", "møteleder": "chair",
    "møteleiar": "chair", "forfall": "absent", "vara": "substitutes", "parti": "party",
    "rolle": "role", "navn": "name", "namn": "name", "stemmer": "votes", "mot": "against",
    "blanke": "blank", "enstemmig": "unanimous", "vedlegg": "attachments", "saker": "items",
    "underskrifter": "signatories", "deltakere": "participants", "administrasjonen":
    "administration", "referent": "secretary", "nummer": "number", "neste_mote": "next_meetings",
}  # fmt: skip


def _close_key(
    model: type[pydantic.BaseModel], loc: Loc, missing: tuple[str, ...] = ()
) -> list[str]:
    """The known key an unknown one at ``loc`` probably meant (for 'did you mean'): a close
    spelling, the key for a Norwegian word, or the one required key missing beside it."""
    known = _known_keys(model, loc[:-1])
    close = difflib.get_close_matches(str(loc[-1]), known, n=1)
    if close:
        return close
    synonym = SYNONYMS.get(str(loc[-1]).lower())
    if synonym in known:
        return [synonym]
    return list(missing) if len(missing) == 1 else []


def _known_keys(model: type[pydantic.BaseModel], loc: Loc) -> list[str]:
    """The keys allowed at ``loc`` (for 'did you mean')."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part) if hasattr(current, "model_fields") else None
        if field is None:
            return []
        current = _inner_model(field.annotation)
        if current is None:
            return []
    return [f.alias or n for n, f in current.model_fields.items()]


def _inner_model(annotation: Any) -> type[pydantic.BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found:
            return found
    return None


def _item_context(data: dict[str, Any], loc: Loc) -> str:
    """' (agenda item 7 og 8)' when the error sits inside an item or attachment."""
    if len(loc) >= 2 and loc[0] in ("items", "attachments") and isinstance(loc[1], int):
        try:
            entry = data[loc[0]][loc[1]]
        except (KeyError, IndexError, TypeError):
            return ""
        if loc[0] == "items" and isinstance(entry, dict) and isinstance(entry.get("numbers"), list):
            return f" (agenda item {' og '.join(str(n) for n in entry['numbers'])})"
        if loc[0] == "attachments" and isinstance(entry, dict) and entry.get("title"):
            return f" (attachment '{entry['title']}')"
    return ""


def problems(
    model: type[M], data: dict[str, Any], path: Path, source: str
) -> tuple[M | None, list[str]]:
    """Validate ``data`` read from ``path``: the model, or every problem with its file:line."""
    try:
        return model.model_validate(data), []
    except pydantic.ValidationError as exc:
        index = _LineIndex(source)
        errors = exc.errors()
        # A list whose entries are wrong also comes out "too short" (the wrong entries are not
        # counted): one mistake, said once, at the entry.
        inner = {tuple(e["loc"])[:n] for e in errors for n in range(len(e["loc"]))}
        missing: dict[Loc, tuple[str, ...]] = {}
        for e in errors:
            if e["type"] == "missing":
                parent = tuple(e["loc"])[:-1]
                missing[parent] = (*missing.get(parent, ()), str(e["loc"][-1]))
        meant = {(*tuple(e["loc"])[:-1], tip) for e in errors if e["type"] == "extra_forbidden"
                 for tip in _close_key(model, tuple(e["loc"]),
                                       missing.get(tuple(e["loc"])[:-1], ()))}  # fmt: skip
        found: list[tuple[int, str]] = []
        for err in errors:
            loc: Loc = tuple(err["loc"])
            if err["type"] == "too_short" and loc in inner:
                continue
            if err["type"] == "missing" and loc in meant:
                continue  # said by the misspelt key's "did you mean"
            line = index.line_of(loc)
            where = f"{display(path)}:{line}" if line else display(path)
            key = _fmt_loc(loc)
            prefix = f"{where}: {key}: " if key else f"{where}: "
            here = missing.get(loc[:-1], ())
            text = prefix + _describe(err, model, data, here) + _item_context(data, loc)
            found.append((line or 0, text))
        found.sort(key=lambda f: f[0])
        return None, [text for _, text in found]
    except RecursionError:
        return None, [f"{display(path)}: values are nested too deeply to be a meeting file"]


def validate(model: type[M], data: dict[str, Any], path: Path, source: str) -> M:
    """Validate ``data`` read from ``path``; on failure one InputError lists every problem."""
    result, found = problems(model, data, path, source)
    if result is None:
        raise InputError("\n".join(found))
    return result


def load_body(path: Path) -> Body:
    data, source = read_toml(path, invalid=MeetingFileError)
    result, found = problems(Body, data, path, source)
    if result is None:
        raise MeetingFileError("\n".join(found))
    return result


# Characters a file name may not carry into a meeting's id (and so into output folders, package
# names and the archive's keys): controls (a newline, U+0001) and format characters — among them
# the bidirectional overrides (U+202E turns "…‮fdp.exe" round on screen) and invisible joiners.
_DECEIVING = ("Cc", "Cf", "Zl", "Zp", "Co", "Cs")


def name_problem(stem: str) -> str | None:
    """Why a meeting file's name cannot name a meeting, or None."""
    bad = sorted({c for c in stem if unicodedata.category(c) in _DECEIVING})
    if bad:
        shown = ", ".join(f"U+{ord(c):04X} ({unicodedata.name(c, 'a control character')})"
                          for c in bad)  # fmt: skip
        return (
            f"its name holds {shown}: a control or invisible character, which would "
            "carry into the meeting's id, its output folder and the archive's keys, or "
            "make the name read otherwise than it is; rename the file"
        )
    return None


def meeting_id(body_id: str, path: Path) -> str:
    """The meeting's id: the body's and the file name's, in Unicode's composed form (NFC), so
    the same name typed on two systems (é as one character or as e and a combining accent)
    is one meeting, not two that look alike."""
    return unicodedata.normalize("NFC", f"{body_id}-{path.stem}")


def load_meeting(path: Path, root: Path | None = None) -> Meeting:
    """Read a meeting (or agreement, ``kind = "avtale"``) file and the body file it names. Both
    files' problems are reported together. ``root``: the folder tree the meeting may read from
    (default: the body's folder; see :func:`inputs.default_root`)."""
    path = Path(path)
    problem = name_problem(path.stem)
    if problem:
        raise MeetingFileError(f"{printable(str(path))}: {problem}")
    root = (root or default_root(path)).resolve()
    digests: dict[Path, str] = {}
    data, source = read_toml(path, invalid=MeetingFileError, digests=digests)
    model: type[MeetingFile] | type[AgreementFile] = (
        AgreementFile if data.get("kind") == "avtale" else MeetingFile
    )
    meeting, found = problems(model, data, path, source)
    body_name = data.get("body", "organ.toml" if model is MeetingFile else "../organ.toml")
    body_file = find(root, path.resolve().parent, body_name, limit=TOML_LIMIT)
    body: Body | None = None
    if body_file.path is None:
        line = _LineIndex(source).line_of(("body",))
        where = f"{display(path)}:{line}" if line else display(path)
        found.append(f"{where}: body: {body_name!r}: {body_file.problem}")
    elif isinstance(body_name, str):
        body_data, body_source = read_toml(body_file.path, checked=True, invalid=MeetingFileError,
                                           digests=digests)  # fmt: skip
        body, body_found = problems(Body, body_data, body_file.path, body_source)
        found += body_found
    if found or meeting is None or body is None or body_file.path is None:
        raise MeetingFileError("\n".join(found) or f"{display(path)}: body: expected a file name")
    return Meeting(
        id=meeting_id(body.id, path),
        source=path.resolve(),
        body_source=body_file.path,
        body=body,
        data=meeting,
        root=root,
        read=digests,
    )


def locate(path: Path, loc: Loc) -> str:
    """'file:line' for a key path in a TOML file (just 'file' when the line is unknown)."""
    try:
        line = _LineIndex(path.read_text(encoding="utf-8")).line_of(loc)
    except OSError:
        line = None
    return f"{display(path)}:{line}" if line else display(path)
