"""Checks on a loaded meeting that a schema cannot express: cross-references and the text itself.

Problems are returned, not raised, so that ``referatbygg check`` can show all of them at once;
:func:`require_clean` raises when any is an error (what ``build`` does before any work).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Literal

from .errors import CheckFailed
from .load import locate
from .model import AgreementFile, Meeting

# Capitalised words of 2–6 letters (OPD, AIS, KRIPOS): candidates for the abbreviation table.
_ABBREV = re.compile(r"(?<![\w-])[A-ZÆØÅ]{2,6}(?![\wæøåÆØÅ])")


@dataclass(frozen=True)
class Problem:
    severity: Literal["error", "warning"]
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.severity}: {self.message}"

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def _texts(meeting: Meeting) -> list[tuple[tuple[str | int, ...], str]]:
    """Every free text of the meeting with its key path."""
    out: list[tuple[tuple[str | int, ...], str]] = []
    for i, item in enumerate(meeting.data.items):
        out.append((("items", i, "title"), item.title or ""))
        out.append((("items", i, "text"), item.text))
        if item.decision:
            out.append((("items", i, "decision", "text"), item.decision.text))
    for i, att in enumerate(meeting.data.attachments):
        out.append((("attachments", i, "title"), att.title))
    if isinstance(meeting.data, AgreementFile):
        out.append((("preamble",), meeting.data.preamble))
        for i, article in enumerate(meeting.data.articles):
            out.append((("articles", i, "text"), article.title + "\n" + article.text))
    return out


def check(meeting: Meeting) -> list[Problem]:
    """All problems found in ``meeting``, errors first, in file order."""
    src, body_src = meeting.source, meeting.body_source
    problems: list[Problem] = []

    def add(sev: Literal["error", "warning"], loc: tuple[str | int, ...], msg: str) -> None:
        problems.append(Problem(sev, locate(src, loc), msg))

    # Agenda numbers: unique and increasing.
    seen: dict[int, int] = {}
    last = 0
    for i, item in enumerate(meeting.data.items):
        for n in item.numbers:
            if n in seen:
                add("error", ("items", i, "numbers"), f"agenda number {n} is used twice")
            elif n <= last:
                add("error", ("items", i, "numbers"), f"agenda number {n} comes after {last}")
            elif n != last + 1:
                add("warning", ("items", i, "numbers"), f"agenda numbers jump from {last} to {n}")
            seen.setdefault(n, i)
            last = max(last, n)

    for i, att in enumerate(meeting.data.attachments):
        label = f"attachment '{att.title}' (agenda item {att.item})"
        if att.item not in seen:
            add("error", ("attachments", i, "item"), f"{label}: there is no agenda item {att.item}")
        path = meeting.attachment_path(att)
        if not path.is_file():
            add("error", ("attachments", i, "file"), f"{label}: file not found: {att.file}")

    roles = {s.role for s in meeting.body.signatories}
    if isinstance(meeting.data, AgreementFile):
        for i, party in enumerate(meeting.data.parties):
            if party.signatory not in roles:
                add(
                    "error",
                    ("parties", i, "signatory"),
                    f"party '{party.name}': signatory role '{party.signatory}' is not defined by "
                    f"the body; known roles: {', '.join(sorted(roles))}",
                )
    for role in meeting.data.signatory_names:
        if role not in roles:
            add(
                "error",
                ("signatory_names", role),
                f"signatory role '{role}' is not defined by the body "
                f"({locate(body_src, ('signatories',))}); known roles: {', '.join(sorted(roles))}",
            )

    for i, nxt in enumerate(meeting.data.next_meetings):
        if nxt.date <= meeting.data.date:
            add(
                "warning",
                ("next_meetings", i, "date"),
                f"next meeting {nxt.date} is not after this one",
            )

    known = set(meeting.abbreviations) | set(meeting.body.known_terms)
    reported: set[str] = set()
    for loc, text in _texts(meeting):
        for word in _ABBREV.findall(text):
            if word not in known and word not in reported:
                reported.add(word)
                add(
                    "warning",
                    loc,
                    f"'{word}' looks like an abbreviation but is not in the abbreviation table "
                    "(add it under [abbreviations], or to the body's known_terms)",
                )
    problems.sort(key=lambda p: p.severity != "error")
    return problems


def require_clean(meeting: Meeting) -> list[Problem]:
    """Raise CheckFailed listing the errors; return the warnings otherwise."""
    problems = check(meeting)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise CheckFailed(
            "\n".join(str(p) for p in errors), hint="run 'referatbygg check' for all problems"
        )
    return problems
