"""Reading and writing a meeting file from the workbench's form: tomlkit edits the document in
place, so comments, order and layout stay as the secretary wrote them; a file changed on disk
since the form was loaded is not overwritten (its digest is in the form)."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomlkit

from ..check import Problem
from ..fsutil import write_atomic

FIELDS = ("title", "text")  # what the form edits of each item, so far
LIMIT = 1 << 20  # a form larger than this is refused before it is read


class Conflict(Exception):
    """The file changed on disk since the form was loaded."""


@dataclass
class ItemForm:
    index: int
    numbers: str
    values: dict[str, str]
    problems: list[Problem] = field(default_factory=list)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def inside(folder: Path, relative: str) -> Path | None:
    """``relative`` as a meeting file inside ``folder``; None for anything else (a path out of
    the folder, not a .toml file, not there)."""
    path = (folder / relative).resolve()
    if not path.is_relative_to(folder.resolve()) or path.suffix != ".toml" or not path.is_file():
        return None
    return path


def _item_lines(text: str) -> list[int]:
    """The line (1-based) where each [[items]] table starts."""
    return [n for n, line in enumerate(text.splitlines(), start=1)
            if re.match(r"\s*\[\[\s*items\s*\]\]", line)]  # fmt: skip


def items(path: Path, problems: list[Problem]) -> list[ItemForm]:
    """Each agenda item's editable fields, with the problems `check` found on its lines."""
    text = path.read_text(encoding="utf-8")
    doc = tomlkit.parse(text)
    starts = _item_lines(text)
    forms = []
    for index, item in enumerate(doc.get("items", [])):
        numbers = ", ".join(str(n) for n in item.get("numbers", []))
        values = {name: str(item.get(name, "")) for name in FIELDS}
        forms.append(ItemForm(index, numbers, values))
    for problem in problems:
        line = _line_of(problem, path)
        if line is None:
            continue
        before = [i for i, start in enumerate(starts) if start <= line]
        if before and before[-1] < len(forms):
            forms[before[-1]].problems.append(problem)
    return forms


def _line_of(problem: Problem, path: Path) -> int | None:
    match = re.match(r"(.*):(\d+)$", problem.where)
    if not match or Path(match.group(1)).name != path.name:
        return None
    return int(match.group(2))


def _multiline(value: str) -> Any:
    """A multi-line string written as the files have them: the text starting on the line after
    the opening quotes (tomlkit escapes it; TOML drops that first newline when reading)."""
    quoted = tomlkit.string(value, multiline=True).as_string()
    return tomlkit.parse(f'x = """\n{quoted[3:]}\n')["x"]


def save(path: Path, loaded: str, form: dict[str, str]) -> None:
    """Write the form's values into ``path``, keeping everything else; Conflict when the file
    is no longer the one the form was made from."""
    if digest(path) != loaded:
        raise Conflict(path.name)
    write_atomic(path, applied(path, form).encode("utf-8"))


def live_check(path: Path, form: dict[str, str]) -> dict[str, Any]:
    """What ``check`` would find if the form were saved now, without saving it: the text is
    written to a hidden file beside the meeting (its body file and attachments are found as for
    the real one; hidden files are no meetings to the rest of the tool) and removed at once.
    Returns the findings by item index, and those outside the items."""
    import secrets

    from ..check import check, file_problems
    from ..errors import ReferatbyggError
    from ..load import load_meeting

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
        before = [i for i, start in enumerate(starts) if line is not None and start <= line]
        entry = {"severity": problem.severity, "where": problem.where, "message": problem.message}
        (by_item.setdefault(before[-1], []) if before else general).append(entry)
    return {"items": by_item, "general": general}


def applied(path: Path, form: dict[str, str]) -> str:
    """The file's text with the form's values put in, everything else as it was."""
    doc: Any = tomlkit.parse(path.read_text(encoding="utf-8"))
    for index, item in enumerate(doc.get("items", [])):
        for name in FIELDS:
            key = f"items.{index}.{name}"
            if key not in form:
                continue
            value = form[key].replace("\r\n", "\n")
            if value == str(item.get(name, "")):
                continue
            if not value and name in item:
                del item[name]
            elif name == "text" or "\n" in value:
                item[name] = _multiline(value)
            else:
                item[name] = value
    return tomlkit.dumps(doc)
