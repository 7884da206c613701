"""What the workbench shows about a meetings folder: each body, each meeting, where it stands
(the same status and check as the CLI's), and the next thing to do."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .. import lang
from ..batch import find_meetings
from ..check import Problem, check
from ..config import Config
from ..errors import ReferatbyggError
from ..load import load_meeting

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

    @property
    def errors(self) -> int:
        return sum(p.severity == "error" for p in self.problems)

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.errors


def rows(folder: Path, out_root: Path, config: Config) -> list[Row]:
    """Every meeting (and agreement) file under ``folder``, in the order of their folders."""
    from ..pipeline import status

    found = []
    for file in find_meetings([folder]):
        try:
            meeting = load_meeting(file)
        except ReferatbyggError as exc:
            found.append(Row(file, file.parent.name, file.name, STATES["broken"], "",
                             [Problem("error", file.name, exc.message)]))  # fmt: skip
            continue
        problems = check(meeting)
        title = getattr(meeting.data, "title", None) or lang.long_date(
            meeting.data.date, lang=meeting.language
        )
        try:
            st = status(file, out_root, config)
        except ReferatbyggError as exc:
            found.append(Row(file, meeting.body.name, title, STATES["broken"], "",
                             [*problems, Problem("error", file.name, exc.message)]))  # fmt: skip
            continue
        if st.stale:
            state = STATES["stale"]
        elif st.package:
            state = STATES["packaged"]
        elif st.timestamped:
            state = STATES["timestamped"]
        elif st.built and st.waiting:
            state = STATES["waiting"].format(who=", ".join(st.waiting))
        elif st.built:
            state = STATES["built"]
        else:
            state = STATES["draft"]
        step = NEXT.get(st.next_step.split(" ")[0], st.next_step)
        found.append(Row(file, meeting.body.name, title, state, step, problems))
    for row in found:
        row.rel = row.file.relative_to(folder).as_posix()
    return found
