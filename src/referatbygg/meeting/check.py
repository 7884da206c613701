"""Checks on a loaded meeting that a schema cannot express: cross-references and the text itself.

Problems are returned, not raised, so that ``referatbygg check`` can show all of them at once;
:func:`require_clean` raises when any is an error (what ``build`` does before any work).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from ..errors import CheckFailed
from . import legal
from .load import _LineIndex, display, locate
from .model import AgreementFile, Meeting, Paragraph, Votes
from .presence import members_at
from .vocab import PLACEHOLDER_NAME

# Capitalised words of 2–6 letters (OPD, AIS, KRIPOS): candidates for the abbreviation table.
_ABBREV = re.compile(r"(?<![\w-])[A-ZÆØÅ]{2,6}(?![\wæøåÆØÅ])")
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Problem:
    """One finding. ``message`` is English, as the command line prints it; ``code`` names the
    kind of problem and ``args`` its values, so that the workbench can say it in the page's
    language (web/findings.py); ``loc`` is the key path it is about, so that the page can name
    the field. A file's own errors (schema, TOML) have no code: their text is parsed there."""

    severity: Literal["error", "warning"]
    where: str
    message: str
    code: str = ""
    args: tuple[tuple[str, str], ...] = ()
    loc: tuple[str | int, ...] = ()

    def __str__(self) -> str:
        return f"{self.where}: {self.severity}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        found: dict[str, object] = {"severity": self.severity, "where": self.where,
                                    "message": self.message}  # fmt: skip
        if self.code:
            found |= {"code": self.code, "args": dict(self.args), "loc": list(self.loc)}
        return found

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Problem:
        """A finding as as_dict wrote it (in a build report), for a page to say it again."""
        args = data.get("args")
        loc = data.get("loc")
        return cls(
            "error" if data.get("severity") == "error" else "warning",
            str(data.get("where", "")),
            str(data.get("message", "")),
            str(data.get("code", "")),
            tuple((str(k), str(v)) for k, v in args.items()) if isinstance(args, dict) else (),
            tuple(x if isinstance(x, int) else str(x) for x in loc)
            if isinstance(loc, list) else (),
        )  # fmt: skip

    @property
    def values(self) -> dict[str, str]:
        return dict(self.args)


def file_problems(message: str, where: str) -> list[Problem]:
    """A meeting file's own errors (a MeetingFileError's lines, 'file:line: text') as check's
    findings: reported the same way as the others."""
    found = []
    for line in message.splitlines():
        at, _, text = line.partition(": ") if ": " in line else (where, "", line)
        found.append(Problem("error", at, text))
    return found


def _texts(meeting: Meeting) -> list[tuple[tuple[str | int, ...], str]]:
    """Every free text of the meeting with its key path."""
    out: list[tuple[tuple[str | int, ...], str]] = [(("remarks",), meeting.data.remarks)]
    for i, item in enumerate(meeting.data.items):
        out.append((("items", i, "title"), item.title or ""))
        out.append((("items", i, "text"), item.text))
        if item.decision:
            out.append((("items", i, "decision", "text"), item.decision.text))
        for j, proposal in enumerate(item.proposals):
            out.append((("items", i, "proposals", j, "text"), proposal.text))
    for i, att in enumerate(meeting.data.attachments):
        out.append((("attachments", i, "title"), att.title))
    if isinstance(meeting.data, AgreementFile):
        out.append((("preamble",), meeting.data.preamble))
        for i, article in enumerate(meeting.data.articles):
            out.append((("articles", i, "text"), article.title + "\n" + article.text))
    return out


# Sizes that make LibreOffice slow: its line breaking grows faster than linearly with the length
# of one paragraph (150,000 characters in one paragraph took 4 s here, 600,000 took 65 s; the
# conversion is stopped after 120 s), and a table of 10,000 rows took 45 s.
PARAGRAPH_WARN, PARAGRAPH_MAX = 20_000, 150_000
TEXT_WARN = 300_000
ABBREVIATIONS_WARN, ABBREVIATIONS_MAX = 500, 2_000


def check(meeting: Meeting) -> list[Problem]:
    """All problems found in ``meeting``, errors first, in file order."""
    src, body_src = meeting.source, meeting.body_source
    problems: list[Problem] = []
    where_in = _Locator(src)

    def add(sev: Literal["error", "warning"], loc: tuple[str | int, ...], msg: str,
            code: str = "", **args: object) -> None:  # fmt: skip
        said = tuple((k, str(v)) for k, v in args.items())
        problems.append(Problem(sev, where_in(loc), msg, code, said, loc))

    seen = _numbering(meeting, add)
    _attachments(meeting, seen, add)
    roles = {s.role for s in meeting.body.signatories}
    _parties_sign(meeting, roles, add)
    _signatures(meeting, add, body_src)
    _attendance(meeting, seen, add)
    _legal_bases(meeting, add)
    _closed_decided(meeting, add)
    for role in meeting.data.signatory_names:
        if role not in roles:
            add(
                "error",
                ("signatory_names", role),
                f"signatory role '{role}' is not defined by the body "
                f"({locate(body_src, ('signatories',))}); known roles: {', '.join(sorted(roles))}",
                "role_unknown",
                role=role,
                known=", ".join(sorted(roles)),
            )
    for i, nxt in enumerate(meeting.data.next_meetings):
        if nxt.date <= meeting.data.date:
            add(
                "warning",
                ("next_meetings", i, "date"),
                f"next meeting {nxt.date} is not after this one",
                "next_not_after",
                date=nxt.date,
            )
    _plausible_date(meeting, add)
    _archive_ready(meeting, add, body_src)
    _sizes(meeting, add)
    _look(meeting, problems, body_src)
    _placeholders(meeting, problems, add, body_src)
    _abbreviations(meeting, add)
    problems.sort(key=lambda p: p.severity != "error")
    return problems


def _attachments(meeting: Meeting, seen: dict[tuple[str, int], int], add: Add) -> None:
    """Each attachment belongs to an agenda item and is what the build can convert."""
    from .attachments import AttachmentError, external_links, inspect

    for i, att in enumerate(meeting.data.attachments):
        label = f"attachment '{att.title}' (agenda item {att.item})"
        if meeting.key(att.item) not in seen:
            add(
                "error",
                ("attachments", i, "item"),
                f"{label}: there is no agenda item {att.item}",
                "attachment_no_item",
                title=att.title,
                item=att.item,
            )
        try:
            found = inspect(meeting, i)  # what the build will find: the same checks, first
        except AttachmentError as exc:
            add(
                "error",
                ("attachments", i, "file"),
                exc.message.split(": ", 1)[-1],
                "attachment_file",
                title=att.title,
                reason=exc.message.split(": ", 1)[-1],
            )
            continue
        links = external_links(found.path) if found.kind in ("docx", "odt") else []
        if links:
            add(
                "warning",
                ("attachments", i, "file"),
                f"{label}: the file links {len(links)} outside resource(s) ({links[0]}"
                f"{', …' if len(links) > 1 else ''}); nothing is fetched while building: the "
                "PDF shows only what the file itself holds",
                "attachment_links",
                title=att.title,
                count=len(links),
                first=links[0],
            )
        if found.kind in ("png", "jpeg") and not att.alt:
            add(
                "warning",
                ("attachments", i, "alt"),
                f"{label}: an image without an alternative text (alt) cannot be read by a "
                "screen reader; it is not published as accessible",
                "attachment_alt",
                title=att.title,
            )


def _parties_sign(meeting: Meeting, roles: set[str], add: Add) -> None:
    """Each party of an agreement signs in one of the body's signatory roles."""
    if isinstance(meeting.data, AgreementFile):
        for i, party in enumerate(meeting.data.parties):
            if party.signatory not in roles:
                add(
                    "error",
                    ("parties", i, "signatory"),
                    f"party '{party.name}': signatory role '{party.signatory}' is not defined by "
                    f"the body; known roles: {', '.join(sorted(roles))}",
                    "party_role",
                    party=party.name,
                    role=party.signatory,
                    known=", ".join(sorted(roles)),
                )


def _abbreviations(meeting: Meeting, add: Add) -> None:
    """Upper-case words in the text that the abbreviation table does not explain, once each."""
    known = set(meeting.abbreviations) | set(meeting.body.known_terms) | _parties(meeting)
    reported: set[str] = set()
    for loc, text in _texts(meeting):
        words = [w for line in text.splitlines() if not _shouted(line)
                 for w in _ABBREV.findall(line)]  # fmt: skip
        for word in words:
            if word not in known and word not in reported:
                reported.add(word)
                add(
                    "warning",
                    loc,
                    f"'{word}' looks like an abbreviation but is not in the abbreviation table "
                    "(add it under [abbreviations], or to the body's known_terms)",
                    "abbreviation",
                    word=word,
                )


def _shouted(line: str) -> bool:
    """A line written in capitals — "SØKNAD OM SKJENKEBEVILLING – TROMSØ", as protocols write
    case titles: its words are words, not abbreviations. Two or more words, most in capitals."""
    words = _WORD.findall(line)
    capitals = [w for w in words if len(w) > 1 and w.isupper()]
    return len(capitals) >= 2 and len(capitals) * 3 >= len(words) * 2


class _Locator:
    """'file:line' for key paths of one file, its source read and indexed once (a meeting with
    a thousand problems is checked in linear time)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.index: _LineIndex | None = None

    def __call__(self, loc: tuple[str | int, ...]) -> str:
        if self.index is None:
            try:
                self.index = _LineIndex(self.path.read_text(encoding="utf-8-sig"))
            except OSError:
                return display(self.path)
        line = self.index.line_of(loc)
        return f"{display(self.path)}:{line}" if line else display(self.path)


class Add(Protocol):
    def __call__(self, sev: Literal["error", "warning"], loc: tuple[str | int, ...], msg: str,
                 code: str = "", **args: object) -> None: ...  # fmt: skip


def _numbering(meeting: Meeting, add: Add) -> dict[tuple[str, int], int]:
    """Agenda numbers: unique and increasing in each series, from 1 unless the body numbers
    through the year; a series the body declares; an order of treatment that names an item.
    Returns (series, number) → index of its item."""
    seen: dict[tuple[str, int], int] = {}
    last: dict[str, int] = {}
    declared = {x.id for x in meeting.body.series}
    for i, item in enumerate(meeting.data.items):
        series = item.series or ""
        if series and series not in declared:
            known = ", ".join(sorted(declared)) or "none"
            add("error", ("items", i, "series"), f"case series '{series}' is not declared by "
                f"the body ([[series]] in its file; declared: {known})", "series_unknown",
                series=series, known=known)  # fmt: skip
        named = f"{series} " if series else ""
        for n in item.numbers:
            before = last.get(series, 0)
            if (series, n) in seen:
                add(
                    "error",
                    ("items", i, "numbers"),
                    f"agenda number {named}{n} is used twice",
                    "number_twice",
                    number=f"{named}{n}",
                )
            elif n <= before:
                add("error", ("items", i, "numbers"), f"agenda number {named}{n} comes after "
                    f"{named}{before} (list items by number; say treated_after = … for an "
                    "item treated out of order)", "number_order", number=f"{named}{n}",
                    before=f"{named}{before}")  # fmt: skip
            elif n != before + 1 and not (before == 0 and meeting.body.numbering == "year"):
                hint = (" (if numbers run through the year, say numbering = \"year\" in the body "
                        "file)" if before == 0 else "")  # fmt: skip
                add("warning", ("items", i, "numbers"),
                    f"agenda numbers jump from {named}{before} to {named}{n}{hint}",
                    "number_jump" + ("_first" if hint else ""), number=f"{named}{n}",
                    before=f"{named}{before}")  # fmt: skip
            seen.setdefault((series, n), i)
            last[series] = max(before, n)
    for i, item in enumerate(meeting.data.items):
        ref = item.treated_after
        if ref is not None:
            if meeting.key(ref) not in seen:
                add("error", ("items", i, "treated_after"), f"treated_after = {ref!r}, but "
                    f"there is no agenda item {ref}", "treated_after_missing",
                    ref=ref)  # fmt: skip
            elif seen[meeting.key(ref)] == i:
                add("error", ("items", i, "treated_after"), "an item cannot be treated after "
                    "itself", "treated_after_self")  # fmt: skip
    return seen


def _signatures(meeting: Meeting, add: Add, body_src: Path) -> None:
    """Who signs: the body's signatories, this meeting's, or nobody — as the body says."""
    if isinstance(meeting.data, AgreementFile):
        return
    mode, given = meeting.body.signatures, meeting.data.signatories
    where = locate(body_src, ("signatures",))
    if mode == "meeting" and not given:
        add("error", ("signatories",), f"the body's signatories are chosen per meeting "
            f"({where}), but this meeting lists no [[signatories]]",
            "signatories_missing")  # fmt: skip
    elif mode != "meeting" and given:
        add("error", ("signatories",), f"this meeting lists [[signatories]], but the body "
            f"{'signs with its own' if mode == 'body' else 'has no signatures'} ({where}); set "
            "signatures = \"meeting\" in the body file, or remove them here",
            "signatories_not_here" if mode == "body" else "signatories_none")  # fmt: skip
    for i, s in enumerate(given):
        if not s.name:  # not demanded: a secretary would write "NN", which no certificate says
            add("warning", ("signatories", i, "name"), f"signatory '{s.role}' has no name: "
                "who signs is then not checked against a person (only against a pin for the "
                "role in referatbygg.toml, if any); name them when the minutes do",
                "signatory_no_name", title=s.title)  # fmt: skip


def _attendance(meeting: Meeting, numbers: dict[tuple[str, int], int], add: Add) -> None:
    """References from the attendance to agenda items exist; nobody is both there and absent;
    what the items say fits who was there for them (in the order of treatment)."""
    p = meeting.data.participants
    groups = (("chair", (p.chair,) if p.chair else ()), ("present", p.present),
              ("absent", p.absent), ("administration", p.administration),
              ("others", p.others), ("secretary", p.secretary))  # fmt: skip
    for group, people in groups:
        for i, person in enumerate(people):
            index: tuple[int, ...] = () if group == "chair" else (i,)
            loc: tuple[str | int, ...] = ("participants", group, *index)
            for key in ("arrived_at", "left_after"):
                n = getattr(person, key)
                if n is not None and meeting.key(n) not in numbers:
                    add("error", (*loc, key), f"{person.who}: {key} = {n!r}, but there is no "
                        f"agenda item {n}", "attendance_" + key, who=person.who,
                        ref=n)  # fmt: skip
            _items_exist(meeting, person.who, person.items, (*loc, "items"), numbers, add)
            if person.items and (person.arrived_at or person.left_after):
                add("warning", loc, f"{person.who}: items names the items they took part in; "
                    "arrived_at and left_after say it again", "items_and_times",
                    who=person.who)  # fmt: skip
    absent = {x.who for x in p.absent}
    there = {x.who for x in ((p.chair,) if p.chair else ())} | {x.who for x in p.present}
    if p.chair and p.chair.who in {x.who for x in p.present}:
        add("warning", ("participants", "present"), f"{p.chair.who} is the chair and listed "
            "among those present as well: the chair is counted once", "chair_present",
            who=p.chair.who)  # fmt: skip
    for i, person in enumerate(p.absent):
        if person.who in there:
            add("warning", ("participants", "absent", i), f"{person.who} is listed both as "
                "present and as absent", "present_absent", who=person.who)  # fmt: skip
    for i, sub in enumerate(p.substitutes):
        loc = ("participants", "substitutes", i, "items")
        _items_exist(meeting, sub.name, sub.items, loc, numbers, add)
        if not sub.for_:
            add("warning", ("participants", "substitutes", i), f"{sub.name}: whom they met for "
                "is not given; minutes normally say it (for = …)", "substitute_no_for",
                who=sub.name)  # fmt: skip
        elif absent and sub.for_ not in absent:
            add("warning", ("participants", "substitutes", i, "for"), f"{sub.name} met for "
                f"{sub.for_}, who is not listed as absent (forfall)",
                "substitute_for_present", who=sub.name, for_=sub.for_)  # fmt: skip
    names = {x.who for _, people in groups for x in people} | {s.name for s in p.substitutes}
    if len(names) > (1 if p.chair else 0):
        for i, item in enumerate(meeting.data.items):
            for j, c in enumerate(item.conflicts):
                if c.name not in names:
                    add("warning", ("items", i, "conflicts", j, "name"), f"{c.name} is declared "
                        "disqualified but is not among the participants",
                        "conflict_not_participant", who=c.name)  # fmt: skip
    _votes_fit(meeting, add)


def _items_exist(meeting: Meeting, who: str, refs: tuple[int | str, ...],
                 loc: tuple[str | int, ...], numbers: dict[tuple[str, int], int],
                 add: Add) -> None:  # fmt: skip
    for n in refs:
        if meeting.key(n) not in numbers:
            add(
                "error",
                loc,
                f"{who}: items lists {n!r}, but there is no agenda item {n}",
                "items_missing",
                who=who,
                ref=n,
            )


def _votes_fit(meeting: Meeting, add: Add) -> None:
    """A vote counts no more votes than members were there for the item, and names only
    members who were — judged in the order the items were treated."""
    at = members_at(meeting)
    if not at:
        return
    for i, item in enumerate(meeting.data.items):
        there = at.get(i, set())
        ref = " ".join(filter(None, (item.series, str(item.numbers[0]))))
        votes: list[tuple[tuple[str | int, ...], Votes | None]] = []
        if item.decision:
            votes.append((("decision", "votes"), item.decision.votes))
        votes += [(("proposals", j, "votes"), x.votes) for j, x in enumerate(item.proposals)]
        for loc, v in votes:
            if v is None:
                continue
            total = v.for_ + v.against + v.blank
            if total > len(there):
                add("warning", ("items", i, *loc), f"agenda item {ref}: {total} votes, but the "
                    f"attendance has {len(there)} member(s) there for it (in the order of "
                    "treatment)", "votes_too_many", ref=ref, total=total,
                    there=len(there))  # fmt: skip
            gone = [n for n in (*v.for_names, *v.against_names, *v.blank_names)
                    if n not in there]  # fmt: skip
            if gone:
                add("warning", ("items", i, *loc), f"agenda item {ref}: {', '.join(gone)} "
                    "voted, but the attendance does not have them there for it",
                    "voter_not_there", ref=ref, names=", ".join(gone))  # fmt: skip


def _closed_decided(meeting: Meeting, add: Add) -> None:
    """A case treated behind closed doors records what was decided: the public learns nothing
    else of it."""
    for i, item in enumerate(meeting.data.items):
        if item.closed and item.kind == "sak" and not item.decision and not item.no_business:
            add("warning", ("items", i, "closed"), f"agenda item {item.numbers[0]} was treated "
                "behind closed doors but records no decision (decision = …)",
                "closed_no_decision", ref=item.numbers[0])  # fmt: skip


def _legal_bases(meeting: Meeting, add: Add) -> None:
    """Legal bases cite the statutes minutes cite (offentleglova, forvaltningsloven,
    kommuneloven) — a warning otherwise: a body may have a reason this table does not know."""
    found: list[tuple[tuple[str | int, ...], str, tuple[str, ...]]] = []
    for i, item in enumerate(meeting.data.items):
        if item.exempt:
            found.append((("items", i, "exempt"), item.exempt, ()))
        if item.closed:
            found.append((("items", i, "closed", "basis"), item.closed.basis, legal.CLOSED))
        for j, c in enumerate(item.conflicts):
            if c.basis:
                found.append((("items", i, "conflicts", j, "basis"), c.basis, legal.CONFLICT))
            else:
                add("warning", ("items", i, "conflicts", j), f"{c.name}: the legal basis of the "
                    "disqualification is not given; minutes cite it, e.g. 'fvl. § 6 første ledd "
                    "bokstav a' (basis = …)", "conflict_no_basis", who=c.name)  # fmt: skip
        for b in item.blocks:
            inner = [b] if isinstance(b, Paragraph) else getattr(b, "bullets", [])
            found += [(("items", i, "text"), x.exempt, ()) for x in inner if x.exempt]
    for i, att in enumerate(meeting.data.attachments):
        if att.exempt:
            found.append((("attachments", i, "exempt"), att.exempt, ()))
    for loc, basis, expect in found:
        problem = legal.basis_problem(basis, expect)
        if problem:
            code, english, values = problem
            add("warning", loc, f"legal basis {english}", code, basis=basis, **values)


def _parties(meeting: Meeting) -> set[str]:
    """Party names used in the meeting: 'SV', 'FrP' are not abbreviations to explain."""
    p = meeting.data.participants
    people = [*((p.chair,) if p.chair else ()), *p.present, *p.absent, *p.substitutes]
    parties = {x.party for x in people if x.party}
    for item in meeting.data.items:
        parties |= {x.party for x in item.proposals if x.party}
        parties |= {x.party for x in item.conflicts if x.party}
    return parties


def _look(meeting: Meeting, problems: list[Problem], body_src: Path) -> None:
    """The body's logo, and the fonts of the template its minutes are built with."""
    from . import templates

    where = locate(body_src, ("logo",))
    logo = meeting.logo_file()
    if logo is not None:
        if logo.path is None:
            problems.append(Problem("error", where, f"logo: {logo.problem}", "logo_file",
                                    (("reason", str(logo.problem)),)))  # fmt: skip
        else:
            head = logo.path.read_bytes()[:512]
            if not (head.startswith(b"\x89PNG") or b"<svg" in head):
                problems.append(Problem("error", where, "logo: not a PNG or SVG image",
                                        "logo_format"))  # fmt: skip
    template = templates.find(body_src.parent, "avtale" if meeting.kind == "avtale" else "referat")
    for font in templates.missing_fonts(template):
        problems.append(Problem("warning", str(template), f"the template's font '{font}' is not "
                                "installed here; LibreOffice will use another one",
                                "template_font", (("font", font),)))  # fmt: skip


def _placeholders(meeting: Meeting, problems: list[Problem], add: Add, body_src: Path) -> None:
    """A name `new` wrote for the secretariat to replace: built, but not signed until it is."""
    said = (f"is still '{PLACEHOLDER_NAME}', as `new` wrote it: write who signs; nothing is "
            "signed until then")  # fmt: skip
    for i, s in enumerate(meeting.body.signatories):
        if s.name == PLACEHOLDER_NAME:
            where = locate(body_src, ("signatories", i, "name"))
            problems.append(Problem("warning", where, f"signatory '{s.role}': the name {said}",
                                    "placeholder_name", (("title", s.title),)))  # fmt: skip
    if isinstance(meeting.data, AgreementFile):
        return
    for i, s in enumerate(meeting.data.signatories):
        if s.name == PLACEHOLDER_NAME:
            add(
                "warning",
                ("signatories", i, "name"),
                f"signatory '{s.role}': the name {said}",
                "placeholder_name",
                title=s.title,
            )


def _archive_ready(meeting: Meeting, add: Add, body_src: Path) -> None:
    """A møtemappe needs the meeting's number, and nothing may make it up (a warning: the
    meeting is built and signed without it; archiving stops). A file marked as a draft is
    built as one only: the final build refuses it."""
    if meeting.data.draft:
        add(
            "warning",
            ("draft",),
            "the meeting is marked as a draft (draft = true): 'build' makes the draft only "
            "(--draft) and refuses the final minutes until the mark is removed",
            "draft_marked",
        )
    filing = meeting.body.archive.filing
    if meeting.kind != "avtale" and filing == "moetemappe" and not meeting.data.number:
        add(
            "warning",
            ("date",),
            "the meeting has no number (møtenummer), and the body files its minutes in a "
            'møtemappe, which needs one: archiving will stop; add number = "…" as the body '
            'numbers its meetings, or set [archive] filing = "journalpost" in the body file',
            "number_missing",
        )


def organisation_number_missing(meeting: Meeting) -> Problem:
    """The warning when neither the body file nor the archive profile gives the organisation
    number (``check`` knows the profile; this module does not)."""
    return Problem(
        "warning",
        locate(meeting.body_source, ("organisation",)),
        "the body file gives no organisation number, nor does the archive profile: archiving "
        "needs it (it names the organisation in every external key); add organisation_number "
        '= "…" (Enhetsregisteret) to the body file, or to [archive] in referatbygg.toml',
        "organisation_number_missing",
    )


def _plausible_date(meeting: Meeting, add: Add) -> None:
    when = meeting.data.date
    today = dt.date.today()
    if when.year < 1900 or when > today + dt.timedelta(days=3 * 365):
        add(
            "warning",
            ("date",),
            f"the date {when} is far from today; is it a typo?",
            "date_far",
            date=when,
        )
    signed = getattr(meeting.data, "signing_date", None)
    if signed is not None and signed < when:
        add("warning", ("signing_date",), f"signing_date {signed} is before the meeting "
            f"({when}); minutes are signed on the day or after", "signing_before",
            signed=signed, date=when)  # fmt: skip


def _sizes(meeting: Meeting, add: Add) -> None:
    total = 0
    for loc, text in _texts(meeting):
        total += len(text)
        longest = max((len(p) for p in text.split("\n\n")), default=0)
        if longest > PARAGRAPH_MAX:
            add("error", loc, f"a paragraph of {longest:,} characters: LibreOffice cannot lay "
                f"out paragraphs over {PARAGRAPH_MAX:,} characters in reasonable time; split it "
                "with blank lines, or attach the text as a document", "paragraph_too_long",
                length=longest, max=PARAGRAPH_MAX)  # fmt: skip
        elif longest > PARAGRAPH_WARN:
            add("warning", loc, f"a paragraph of {longest:,} characters makes the build slow; "
                "split it with blank lines", "paragraph_long", length=longest)  # fmt: skip
    if total > TEXT_WARN:
        add(
            "warning",
            (),
            f"{total:,} characters of text: the build will take minutes",
            "text_long",
            length=total,
        )
    count = len(meeting.abbreviations)
    if count > ABBREVIATIONS_MAX:
        add("error", ("abbreviations",), f"{count:,} abbreviations: the table would run to "
            f"{count // 45:,} pages and take minutes to build; at most "
            f"{ABBREVIATIONS_MAX:,}", "abbreviations_too_many", count=count,
            max=ABBREVIATIONS_MAX)  # fmt: skip
    elif count > ABBREVIATIONS_WARN:
        add("warning", ("abbreviations",), f"{count:,} abbreviations make the build slow "
            "(10,000 took 45 s)", "abbreviations_many", count=count)  # fmt: skip


def require_clean(meeting: Meeting) -> list[Problem]:
    """Raise CheckFailed listing the errors; return the warnings otherwise."""
    problems = check(meeting)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise CheckFailed(
            "\n".join(str(p) for p in errors),
            hint="run 'referatbygg check' for all problems",
            problems=errors,
        )
    return problems
