"""Who was there, as the body prints it: lines under the heading ("Til stede: …"), a table per
group, one table of every member with a status column (møtt, forfall, møtt for), or one person
per line with the title first ("Ordfører Kari Nordmann (Ap)") under each group's heading.

The body chooses the form (``attendance``), which groups are shown and in which order
(``attendance_groups``) and every heading (``[phrases]``). What a person did — came at a time or
from an item, left, took part only in some items — is a note beside them, in the body's words.
"""

from __future__ import annotations

from typing import Any

from ..meeting.model import Meeting, MeetingFile, Person, Substitute
from . import caselist, lang

Row = dict[str, str]
# The order the groups stand in unless the body gives its own: as lines, the chair first; as
# tables, the chair within those present and the substitutes next to them.
LINE_ORDER = ("chair", "present", "absent", "substitutes", "administration", "others",
              "secretary")  # fmt: skip
TABLE_ORDER = ("present", "substitutes", "absent", "administration", "others", "secretary")
MEMBERS = ("chair", "present", "substitutes", "absent")  # the status table's rows


def refs_text(meeting: Meeting, refs: tuple[int | str, ...]) -> str:
    """'pkt. 4 og 5', 'PS 61/23–PS 63/23 og RS 2/23': runs of consecutive numbers of one series
    as ranges, in a sentence."""
    by_series: dict[str, list[int]] = {}
    for ref in refs:
        series, number = meeting.key(ref)
        by_series.setdefault(series, []).append(number)
    out = []
    for series, numbers in by_series.items():
        for first, last in caselist.runs(numbers):
            one = lang.item_ref(meeting, f"{series} {first}" if series else first, in_sentence=True)
            two = lang.item_ref(meeting, f"{series} {last}" if series else last, in_sentence=True)
            if last > first + 1:
                out.append(f"{one}–{two}")
            else:
                out += [one, two] if last > first else [one]
    return lang.join(out, meeting.labels)


def notes(meeting: Meeting, person: Person | Substitute) -> list[str]:
    """'møtte fra pkt. 3', 'gikk etter PS 65/23', 'møtte fra kl. 18.30', 'i pkt. 4 og 5'."""
    labels = meeting.labels
    out = []
    if isinstance(person, Person):
        if person.arrived:
            out.append(labels["arrived_time"].format(time=lang.time_range(person.arrived, None,
                                                                          labels)))  # fmt: skip
        if person.arrived_at:
            ref = lang.item_ref(meeting, person.arrived_at, in_sentence=True)
            out.append(labels["arrived"].format(ref=ref))
        if person.left_after:
            ref = lang.item_ref(meeting, person.left_after, in_sentence=True)
            out.append(labels["left"].format(ref=ref))
        if person.left:
            out.append(labels["left_time"].format(time=lang.time_range(person.left, None,
                                                                       labels)))  # fmt: skip
    if person.items:
        out.append(labels["only_in"].format(refs=refs_text(meeting, person.items)))
    return out


def _extra(x: Person | Substitute, organisation: bool = True) -> list[str]:
    """Role, organisation and party beside a name; a person named by function only has the
    function as their name."""
    org = x.organisation if isinstance(x, Person) and organisation else None
    role = x.role if x.name else None
    return [v for v in (role, org, x.party) if v]


def _line(meeting: Meeting, people: tuple[Person, ...], organisation: bool = True) -> str:
    def one(x: Person) -> str:
        extra = _extra(x, organisation) + notes(meeting, x)
        return f"{x.who} ({', '.join(extra)})" if extra else x.who

    return ", ".join(one(x) for x in people)


def _substitutes_line(meeting: Meeting, subs: tuple[Substitute, ...]) -> str:
    labels = meeting.labels

    def one(s: Substitute) -> str:
        extra = _extra(s)
        who = f"{s.name} ({', '.join(extra)})" if extra else s.name
        said = notes(meeting, s)
        met_for = f" {labels['substitute_for']} {s.for_}" if s.for_ else ""
        return f"{who}{met_for}" + (f" {said[0]}" if said else "")

    return ", ".join(one(s) for s in subs)


def _groups(meeting: Meeting, default: tuple[str, ...]) -> list[str]:
    return list(meeting.body.attendance_groups or default)


def by_organisation(
    meeting: Meeting, people: tuple[Person, ...]
) -> list[tuple[str, tuple[Person, ...]]]:
    """Those present under their organisations, in the order the organisations first appear
    ('Til stede fra Oslo kommune', 'Til stede fra Oslo politidistrikt'); the people whose
    organisation is not given under the plain heading."""
    labels, order = meeting.labels, dict[str, list[Person]]()
    for x in people:
        order.setdefault(x.organisation or "", []).append(x)
    return [(labels["present_from"].format(organisation=org) if org else labels["present"],
             tuple(group)) for org, group in order.items()]  # fmt: skip


def lines(meeting: Meeting, m: MeetingFile, only: tuple[str, ...] | None = None) -> list[Row]:
    """Participants as 'label: names' lines under the heading (the seed's form)."""
    labels, p = meeting.labels, m.participants
    if meeting.body.attendance_by == "organisation" and (only is None or "present" in only):
        keys = [k for k in _groups(meeting, LINE_ORDER) if only is None or k in only]
        out: list[Row] = []
        for key in keys:
            if key == "present":
                out += [{"label": label, "text": _line(meeting, group, organisation=False)}
                        for label, group in by_organisation(meeting, p.present)]  # fmt: skip
            else:
                out += lines(meeting, m, only=(key,))
        return out
    text = {
        "chair": _line(meeting, (p.chair,)) if p.chair else "",
        "present": _line(meeting, p.present),
        "absent": _line(meeting, p.absent),
        "substitutes": _substitutes_line(meeting, p.substitutes),
        "administration": _line(meeting, p.administration),
        "others": _line(meeting, p.others),
        "secretary": _line(meeting, p.secretary),
    }
    keys = [k for k in _groups(meeting, LINE_ORDER) if only is None or k in only]
    return [{"label": labels[k], "text": text[k]} for k in keys if text[k]]


def _row(
    meeting: Meeting, x: Person | Substitute, status: str = "", organisation: bool = True
) -> Row:
    """One person in a table or on a line of their own: the name, party, role (with the
    organisation), status and remark; ``line`` is the person as one line, title first."""
    labels = meeting.labels
    said = notes(meeting, x)
    if isinstance(x, Substitute) and x.for_ and not status:
        # "for Eva Sand i PS 61/15": whom they met for and where, one phrase
        said = [" ".join([f"{labels['substitute_for']} {x.for_}", *said[:1]]), *said[1:]]
    org = x.organisation if isinstance(x, Person) and organisation else None
    role = ", ".join(v for v in (x.role if x.name else None, org) if v)
    title_first = " ".join(v for v in (x.role, x.name) if v)
    if org:
        title_first += f", {org}"
    extra = [v for v in (x.party, *said) if v]
    return {
        "name": x.who, "party": x.party or "", "role": role, "status": status,
        "note": ", ".join(said),
        "line": f"{title_first} ({', '.join(extra)})" if extra else title_first,
    }  # fmt: skip


def tables(meeting: Meeting, m: MeetingFile) -> list[dict[str, Any]]:
    """Participants as groups of rows ('table': one table each, 'roster': one line each)."""
    labels, p = meeting.labels, m.participants
    chair = (p.chair,) if p.chair else ()
    keys = _groups(meeting, TABLE_ORDER)
    members: dict[str, tuple[Person, ...] | tuple[Substitute, ...]] = {
        "chair": chair,
        "present": p.present if "chair" in keys else chair + p.present,
        "substitutes": p.substitutes,
        "absent": p.absent,
        "administration": p.administration,
        "others": p.others,
        "secretary": p.secretary,
    }
    out = []
    for key in keys:
        if key == "present" and meeting.body.attendance_by == "organisation":
            people = members["present"]
            assert all(isinstance(x, Person) for x in people)
            for label, group in by_organisation(meeting, people):  # type: ignore[arg-type]
                out.append({"label": label, "rows": [_row(meeting, x, organisation=False)
                                                     for x in group]})  # fmt: skip
        elif members[key]:
            out.append({"label": labels[key], "rows": [_row(meeting, x) for x in members[key]]})
    return out


def status_table(meeting: Meeting, m: MeetingFile) -> list[dict[str, Any]]:
    """Every member in one table, with how they attended: møtt, forfall, møtt for …"""
    labels, p = meeting.labels, m.participants
    keys = [k for k in _groups(meeting, LINE_ORDER) if k in MEMBERS]
    rows: list[Row] = []
    for key in keys:
        if key == "chair" and p.chair:
            rows.append(_row(meeting, p.chair, labels["status_present"]))
        elif key == "present":
            rows += [_row(meeting, x, labels["status_present"]) for x in p.present]
        elif key == "absent":
            rows += [_row(meeting, x, labels["status_absent"]) for x in p.absent]
        elif key == "substitutes":
            rows += [_row(meeting, s, labels["status_substitute"].format(for_=s.for_) if s.for_
                          else labels["status_substitute_unstated"])
                     for s in p.substitutes]  # fmt: skip
    return [{"label": labels["attendance"], "rows": rows}] if rows else []


def context(meeting: Meeting, m: MeetingFile) -> tuple[list[Row], list[dict[str, Any]]]:
    """The attendance's lines under the heading and its groups, as the body prints them."""
    form = meeting.body.attendance
    if form == "list":
        return lines(meeting, m), []
    if form == "status":
        others = tuple(k for k in LINE_ORDER if k not in MEMBERS)
        return lines(meeting, m, only=others), status_table(meeting, m)
    chair = [] if "chair" in _groups(meeting, TABLE_ORDER) else lines(meeting, m, ("chair",))
    return chair, tables(meeting, m)
