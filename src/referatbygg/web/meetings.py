"""What the workbench shows about a meetings folder: each body, each meeting, where it stands
(the same status and check as the CLI's), and the next thing to do."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..batch import find_meetings
from ..config import Config
from ..document import lang
from ..errors import ReferatbyggError
from ..meeting.check import Problem, check, file_problems
from ..meeting.load import load_meeting
from .findings import Said, item_numbers, say

STATES = {
    "draft": "utkast", "built": "bygget", "waiting": "venter på {who}", "timestamped":
    "tidsstemplet", "packaged": "arkivert", "stale": "endret etter bygging", "broken": "feil",
}  # fmt: skip
NEXT = {
    "build": "bygg", "waiting": "signering", "final": "endelig tidsstempel", "archive": "arkiver",
    "take": "ta inn signatur", "done": "ferdig",
}  # fmt: skip


@dataclass
class Row:
    file: Path
    body: str
    title: str
    state: str
    next_step: str
    problems: list[Problem] = field(default_factory=list)
    rel: str = ""  # the file's path in the meetings folder, for links
    numbers: dict[int, str] = field(default_factory=dict)  # each item's numbers, as shown

    @property
    def said(self) -> list[Said]:
        """The findings in bokmål, as the Møter page lists them (it lists every body)."""
        return [say(p, "nb", str, self.numbers) for p in self.problems]

    @property
    def errors(self) -> int:
        return sum(p.severity == "error" for p in self.problems)

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.errors


def rows(folder: Path, out_root: Path, config: Config) -> list[Row]:
    """Every meeting (and agreement) file under ``folder``, in the order of their folders."""
    found = [row(file, out_root, config) for file in find_meetings([folder])]
    for r in found:
        r.rel = r.file.relative_to(folder).as_posix()
    return found


def row(file: Path, out_root: Path, config: Config, *, own_language: bool = False) -> Row:
    """One meeting file: where it stands and what check finds (its own errors, when it cannot
    be read). The state in bokmål (the Møter page lists every body), or with ``own_language``
    in the body's written standard (the meeting's own pages)."""
    from ..pipeline import status
    from .texts import translator

    try:
        meeting = load_meeting(file)
    except ReferatbyggError as exc:
        return Row(file, file.parent.name, file.name, STATES["broken"], "",
                   file_problems(exc.message, file.name))  # fmt: skip
    problems = check(meeting)
    _ = translator(meeting.language if own_language else "nb")
    title = getattr(meeting.data, "title", None) or lang.long_date(
        meeting.data.date, lang=meeting.language
    )
    try:
        st = status(file, out_root, config)
    except ReferatbyggError as exc:
        return Row(file, meeting.body.name, title, _(STATES["broken"]), "",
                   [*problems, Problem("error", file.name, exc.message)])  # fmt: skip
    if st.stale:
        state = _(STATES["stale"])
    elif st.package:
        state = _(STATES["packaged"])
    elif st.timestamped:
        state = _(STATES["timestamped"])
    elif st.built and st.waiting:
        state = _(STATES["waiting"]).format(who=", ".join(st.waiting))
    elif st.built:
        state = _(STATES["built"])
    else:
        state = _(STATES["draft"])
    step = NEXT.get(st.next_step.split(" ")[0], st.next_step)
    return Row(file, meeting.body.name, title, state, step, problems,
               numbers=item_numbers(meeting))  # fmt: skip
