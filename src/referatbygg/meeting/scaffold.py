"""Starting points: a body file with comments, the next meeting from the last one, and the JSON
Schema of each file so that editors complete and check keys.

``new`` never overwrites: a file that exists is an error. What it writes passes ``check`` as it
is (with placeholders that say what to fill in), so the secretary edits a valid file.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path
from typing import Any, Literal

import tomlkit
from pydantic import BaseModel

from ..errors import InputError
from ..fsutil import write_atomic
from . import styles
from .load import load_meeting
from .model import AgreementFile, Body, MeetingFile, NextMeeting, Person
from .vocab import PLACEHOLDER_NAME, Language

BODY_TEMPLATE = """\
#:schema {schema}
# {name}: what every meeting of the body shares. `referatbygg schema body` describes every key.
# The id is used in file and package names: a-z, 0-9 and _.
id = "{id}"
name = {name_value}
organisation = {organisation_value}
{organisation_number}
# nb (bokmål) or nn (nynorsk)
language = "{language}"
# The house style ("{style}"; README: "A body's house style"):
{style_keys}
[abbreviations]
# KOSTRA = "Kommune-Stat-Rapportering"

# Who signs, in order. Or: signatures = "meeting" (each meeting names them, e.g. members
# elected at the meeting, with an attestation sentence), or signatures = "none".
{signatories}"""

SIGNATORY = """[[signatories]]
role = {role}
title = {title}
name = {name}
"""

SCHEMA_FILES = {"body": "organ.schema.json", "meeting": "meeting.schema.json",
                "agreement": "agreement.schema.json"}  # fmt: skip


def slug(text: str) -> str:
    plain = text.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    plain = unicodedata.normalize("NFKD", plain).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "_", plain).strip("_")
    return slug if slug[:1].isalpha() else f"organ_{slug}".strip("_")


def new_body(
    folder: Path, *, name: str, organisation: str, language: Language = "nb",
    style: str = styles.DEFAULT, signatories: list[tuple[str, str]] | None = None,
    organisation_number: str | None = None,
) -> Path:  # fmt: skip
    """Write ``folder/organ.toml``, commented, in one of the shipped house styles; refuses to
    overwrite. Without ``organisation_number`` the key is there, commented out: the archive
    needs it, and nothing here may make it up."""
    if style not in styles.STYLES:
        raise InputError(f"unknown style {style!r}; known: {', '.join(styles.STYLES)}")
    target = folder / "organ.toml"
    if target.exists():
        raise InputError(f"{target} exists; new never overwrites a file")
    chair = "Leder" if language == "nb" else "Leiar"
    given = [(t.strip(), n.strip()) for t, n in signatories or [] if t.strip() or n.strip()]
    who = given or [(chair, PLACEHOLDER_NAME)]
    roles: list[str] = []
    for title, person in who:
        for what, value in (("signatory's title", title), ("signatory's name", person)):
            if not value or not value.isprintable():
                raise InputError(f"the {what} must be one line of text, not {value!r}")
        role = slug(title)
        roles.append(role if role not in roles else f"{role}_{len(roles) + 1}")
    signing = "\n".join(
        SIGNATORY.format(role=tomlkit.string(role).as_string(),
                         title=tomlkit.string(title).as_string(),
                         name=tomlkit.string(person).as_string())
        for role, (title, person) in zip(roles, who, strict=True)
    )  # fmt: skip
    for what, value in (("name", name), ("organisation", organisation)):
        if not value.strip() or any(c in value for c in "\r\n") or not value.isprintable():
            raise InputError(f"the body's {what} must be one line of text, not {value!r}")
    # Values are written as TOML strings (quotes, backslashes escaped), never pasted as text:
    # a quote or a newline in a name must not end the string or add keys of its own.
    text = BODY_TEMPLATE.format(
        schema="organ.schema.json", id=slug(name) or "organ", name=name,
        name_value=tomlkit.string(name).as_string(),
        organisation_value=tomlkit.string(organisation).as_string(), language=language,
        organisation_number=(
            f"organisation_number = {tomlkit.string(organisation_number).as_string()}"
            if organisation_number else
            '# organisation_number = "…"  # Enhetsregisteret: the archive needs it'),
        signatories=signing, style=style, style_keys=styles.keys(style, language),
    )  # fmt: skip
    _valid_body(text, target)
    folder.mkdir(parents=True, exist_ok=True)
    write_schemas(folder)
    write_atomic(target, text.encode("utf-8"))  # last: a folder with organ.toml is complete
    return target


def _valid_body(text: str, target: Path) -> None:
    """What new writes must load: refused, with the reason, before anything is written."""
    import tomllib

    from pydantic import ValidationError

    try:
        Body.model_validate(tomllib.loads(text))
    except (tomllib.TOMLDecodeError, ValidationError) as exc:
        first = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
        raise InputError(f"{target}: the body file would not be valid ({first}); nothing was "
                         "written") from None  # fmt: skip


def _person(p: Person) -> dict[str, Any]:
    """A participant for the next meeting: who they are, not what they did this time."""
    return p.model_dump(
        exclude_none=True,
        exclude_defaults=True,
        exclude={"arrived_at", "left_after", "arrived", "left", "items"},
    )


def _inline_list(rows: list[dict[str, Any]]) -> Any:
    array = tomlkit.array()
    for row in rows:
        table = tomlkit.inline_table()
        table.update(row)
        array.append(table)
    return array.multiline(True)


def _next_number(number: str | None) -> str | None:
    """'2/2025' → '3/2025'."""
    if number is None:
        return None
    found = re.fullmatch(r"(\d+)(\D.*)?", number)
    return f"{int(found.group(1)) + 1}{found.group(2) or ''}" if found else number


def blank_meeting(target: Path) -> Path:
    """A meeting file for the body in ``target``'s folder: today's date and the usual opening
    items (the body file says the language and the numbering)."""
    from .load import load_body

    if target.exists():
        raise InputError(f"{target} exists; new never overwrites a file")
    body_file = target.parent / "organ.toml"
    if not body_file.is_file():
        raise InputError(f"{body_file} not found: a meeting file lives beside its body file",
                         hint=f"start the body with: referatbygg new {target.parent}")  # fmt: skip
    body = load_body(body_file)
    doc = tomlkit.document()
    doc.add(tomlkit.comment("Started by `referatbygg new`; `referatbygg check` says what is "
                            "missing."))  # fmt: skip
    try:  # a file named for its date (2025-05-01.toml) is that meeting's
        doc["date"] = dt.date.fromisoformat(target.stem)
    except ValueError:  # said in the file: today's date is not the meeting's
        doc["date"] = dt.date.today()
        doc["date"].comment("today's date, as `new` wrote it: write the meeting's")
    if body.signatures == "meeting":
        rows = tomlkit.aot()
        rows.append({"role": "leder", "title": "Møteleder", "name": PLACEHOLDER_NAME})
        doc["signatories"] = rows
    _opening_items(doc, body.language, None, body)
    text = f"#:schema {SCHEMA_FILES['meeting']}\n" + tomlkit.dumps(doc)
    write_atomic(target, text.encode("utf-8"))
    return target


def next_date(m: MeetingFile) -> dt.date:
    """The next meeting's date: the first of ``m``'s next_meetings, else four weeks on."""
    return m.next_meetings[0].date if m.next_meetings else m.date + dt.timedelta(days=28)


def next_meeting(previous: Path, target: Path, root: Path | None = None) -> Path:
    """A meeting file for the meeting after ``previous``: its date from the first of the
    previous meeting's next_meetings, the same place and members (everyone present, nothing
    recorded yet), the same signatories, agenda numbers continued where the body numbers
    through the year, and the usual opening items."""
    if target.exists():
        raise InputError(f"{target} exists; new never overwrites a file")
    meeting = load_meeting(previous, root)
    m = meeting.data
    if isinstance(m, AgreementFile):
        raise InputError(f"{previous} is an agreement; --from takes a meeting file")
    upcoming = m.next_meetings[0] if m.next_meetings else None
    date = next_date(m)
    doc = tomlkit.document()
    doc.add(tomlkit.comment(f"Started from {previous.name} by `referatbygg new --from`; "
                            "check the date, the agenda and who attends."))  # fmt: skip
    if m.body != Path("organ.toml"):
        doc["body"] = str(m.body)
    doc["date"] = date
    # The time announced for the next meeting, else this meeting's.
    start, end = (upcoming.start, upcoming.end) if upcoming and upcoming.start else (m.start, m.end)
    if start:
        doc["start"] = start.strftime("%H:%M")
    if end:
        doc["end"] = end.strftime("%H:%M")
    if m.place:
        doc["place"] = m.place
    number = _next_number(m.number)
    if number:
        doc["number"] = number
    if m.signatory_names:
        doc["signatory_names"] = dict(m.signatory_names)
    if m.signatories:
        rows = tomlkit.aot()
        for s in m.signatories:
            rows.append(s.model_dump(exclude_none=True))
        doc["signatories"] = rows
    _participants(doc, m)
    _opening_items(doc, meeting.language, m, meeting.body)
    later = m.next_meetings[1:] if upcoming else ()
    if later:
        rows = tomlkit.aot()
        for n in later:
            rows.append(_next_row(n))
        doc["next_meetings"] = rows
    target.parent.mkdir(parents=True, exist_ok=True)
    # Taplo and the editors built on it read the first line: the schema beside the file.
    text = f"#:schema {SCHEMA_FILES['meeting']}\n" + tomlkit.dumps(doc)
    write_atomic(target, text.encode("utf-8"))
    return target


def _next_row(n: NextMeeting) -> dict[str, Any]:
    """A next meeting as the files write it: dates as TOML dates, times as "13:30"."""
    row: dict[str, Any] = {"date": n.date}
    if n.end_date:
        row["end_date"] = n.end_date
    for key in ("start", "end"):
        value = getattr(n, key)
        if value is not None:
            row[key] = value.strftime("%H:%M")
    if n.note:
        row["note"] = n.note
    return row


def write_schemas(folder: Path) -> list[Path]:
    """The three schemas as files in ``folder`` (what the files' #:schema lines name)."""
    import json

    written = []
    kinds: tuple[Kind, ...] = ("body", "meeting", "agreement")
    for kind in kinds:
        name = SCHEMA_FILES[kind]
        path = folder / name
        data = json.dumps(json_schema(kind), ensure_ascii=False, indent=2) + "\n"
        write_atomic(path, data.encode("utf-8"))
        written.append(path)
    return written


def _participants(doc: Any, m: MeetingFile) -> None:
    p = m.participants
    table = tomlkit.table()
    if p.chair:
        chair = tomlkit.inline_table()
        chair.update(_person(p.chair))
        table["chair"] = chair
    members = [_person(x) for x in (*p.present, *p.absent)]
    for key, rows in (("present", members), ("administration", [_person(x) for x in
                      p.administration]), ("others", []), ("secretary",
                      [_person(x) for x in p.secretary])):  # fmt: skip
        if rows:
            table[key] = _inline_list(rows)
    if len(table):
        doc["participants"] = table


def _opening_items(doc: Any, language: Language, m: MeetingFile | None, body: Body) -> None:
    # The opening items are in the main series (PS), whatever the other series reached.
    last = max((n for i in m.items if not i.series for n in i.numbers), default=0) if m else 0
    first = last + 1 if body.numbering == "year" else 1
    titles = {
        "nb": [
            "Godkjenning av innkalling og saksliste",
            "Godkjenning av protokoll fra forrige møte",
        ],
        "nn": ["Godkjenning av innkalling og sakliste", "Godkjenning av møtebok frå førre møte"],
    }[language]
    if body.document_type is None:
        titles[1] = titles[1].replace("protokoll", "referat")
    items = tomlkit.aot()
    for offset, title in enumerate(titles):
        items.append({"numbers": [first + offset], "title": title})
    doc["items"] = items


Kind = Literal["body", "meeting", "agreement"]


def json_schema(kind: Kind) -> dict[str, Any]:
    """The JSON Schema of a body, meeting or agreement file (draft 2020-12)."""
    models: dict[str, type[BaseModel]] = {
        "body": Body, "meeting": MeetingFile, "agreement": AgreementFile,
    }  # fmt: skip
    model = models[kind]
    schema = model.model_json_schema(by_alias=True, mode="validation")
    names = {"body": "organ.toml (body)", "meeting": "meeting file", "agreement": "agreement file"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema,
        "title": f"referatbygg {names[kind]}",
    }
