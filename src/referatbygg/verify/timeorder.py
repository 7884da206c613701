"""Times in the order of the revisions: a signature appended after another cannot have been
made before it, and a document timestamp cannot be older than the signatures it covers.

Each signature's and document timestamp's time is proved by a timestamp authority; two such
times out of the order of their revisions mean a clock was wrong or the evidence was put
together afterwards — a forger who back-dates a signature to before its predecessor, or a
document timestamp that claims to have sealed signatures before they were made. TSA clocks
keep to UTC within a second or so; the tolerance allows for two authorities and is stated in
the verdict. A signer's own claimed signing time (no timestamp) proves nothing, so an order
broken by claimed times alone is a note, not a failure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .signature import SignatureReport

TOLERANCE = dt.timedelta(minutes=2)


@dataclass(frozen=True)
class _Moment:
    when: dt.datetime
    field: str
    revision: int


def _time(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _broken(reports: list[SignatureReport], proven: bool) -> list[str]:
    said = []
    latest: _Moment | None = None
    for rep in sorted((r for r in reports if r.revision), key=lambda r: r.revision or 0):
        when = _time(rep.timestamp if proven else rep.signing_time)
        if when is None:
            continue
        if latest is not None and when < latest.when - TOLERANCE:
            gap = latest.when - when
            how = "timestamped" if proven else "dated"
            said.append(
                f"{rep.field_name} (revision {rep.revision}) is {how} "
                f"{when.isoformat(timespec='seconds')}, {_span(gap)} before {latest.field} "
                f"(revision {latest.revision}, {latest.when.isoformat(timespec='seconds')}), "
                f"which comes before it in the file; times out of the revisions' order "
                f"(tolerance {_span(TOLERANCE)})"
            )
        if latest is None or when > latest.when:
            latest = _Moment(when, rep.field_name, rep.revision or 0)
    return said


def _span(delta: dt.timedelta) -> str:
    seconds = round(delta.total_seconds())
    if seconds >= 5400:
        return f"{seconds / 3600:.1f} h"
    if seconds >= 60:
        return f"{round(seconds / 60)} min"
    return f"{seconds} s"


def check(reports: list[SignatureReport]) -> tuple[list[str], list[str]]:
    """(problems: proved times out of order; notes: claimed times out of order)."""
    return _broken(reports, proven=True), [
        f"{n} (claimed by the signer, not proved)" for n in _broken(reports, proven=False)
    ]
