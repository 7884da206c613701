"""The meeting's cases as a list: the saksliste table on the first page (number, title, archive
case, closed or added) and the summary line of the cases treated, per series ("PS 61–72/15,
RS 13–15/15"), which form-style front matter shows as "Saksnr.".
"""

from __future__ import annotations

import string

from ..meeting.model import Item, Meeting, MeetingFile
from . import lang


def _split(fmt: str, year: int) -> tuple[str, str, str]:
    """A case format around its number: 'PS {number}/{yy}' → ('PS ', '{number}', '/15')."""
    before: list[str] = []
    after: list[str] = []
    spec, seen = "", False
    for literal, name, fmt_spec, conv in string.Formatter().parse(fmt):
        (after if seen else before).append(literal)
        if name == "number":
            spec, seen = "{number" + (f":{fmt_spec}" if fmt_spec else "") + "}", True
        elif name is not None:
            field = "{" + name + (f"!{conv}" if conv else "") + (f":{fmt_spec}" if fmt_spec
                                                                  else "") + "}"  # fmt: skip
            (after if seen else before).append(field)
    values = {"year": year, "yy": f"{year % 100:02d}"}
    return "".join(before).format(**values), spec, "".join(after).format(**values)


def runs(numbers: list[int]) -> list[tuple[int, int]]:
    """(first, last) runs of consecutive numbers: 21, 22, 23, 25 → (21, 23), (25, 25)."""
    out: list[tuple[int, int]] = []
    for n in sorted(set(numbers)):
        if out and n == out[-1][1] + 1:
            out[-1] = (out[-1][0], n)
        else:
            out.append((n, n))
    return out


def span(meeting: Meeting, series: str | None, numbers: list[int]) -> str:
    """One series' numbers as ranges: 'PS 61–72/15', '001/15–003/15' → '001–003/15'; runs with
    gaps between them as 'PS 61–63/15, PS 65/15'."""
    fmt = next((x.format for x in meeting.body.series if x.id == series),
               meeting.body.case_format)  # fmt: skip
    pre, number, post = _split(fmt, meeting.data.date.year)
    out = []
    for first, last in runs(numbers):
        a, b = number.format(number=first), number.format(number=last)
        out.append(f"{pre}{a}–{b}{post}" if last > first else f"{pre}{a}{post}")
    return ", ".join(out)


def summary(meeting: Meeting, m: MeetingFile) -> str:
    """The cases treated, per series in the order the series first appear: 'PS 61–72/15,
    RS 13–15/15'."""
    by_series: dict[str | None, list[int]] = {}
    for item in m.items:
        by_series.setdefault(item.series, []).extend(item.numbers)
    return ", ".join(span(meeting, s, numbers) for s, numbers in by_series.items())


def rows(meeting: Meeting, items: list[Item], headings: list[str]) -> list[dict[str, str]]:
    """The saksliste as table rows: the case number, title (from the item's heading as the
    version shows it: a closed case's public title in the public version), archive case, and
    whether it was closed or added at the meeting."""
    labels, out = meeting.labels, []
    for item, shown in zip(items, headings, strict=True):
        number = lang.case_numbers(meeting, item.numbers, item.series)
        title = shown.removeprefix(number).strip()
        marks = [labels["closed_short"]] if item.closed else []
        marks += [labels["added"]] if item.added else []
        out.append({
            "number": number, "title": title,
            "archive_ref": item.case.archive_ref or "" if item.case else "",
            "status": ", ".join(marks),
        })  # fmt: skip
    return out
