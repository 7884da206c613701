"""The product's story in one place: load → check → render docx → (later stages follow).

Each stage is a function from inputs (paths, the validated model) to outputs (paths) inside the
meeting's output folder; results are written atomically, the final result last.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .check import Problem, require_clean
from .fsutil import write_atomic
from .load import load_meeting
from .model import Meeting
from .render import render_docx

log = logging.getLogger(__name__)

Progress = Callable[[str], None]


@dataclass
class BuildResult:
    meeting: Meeting
    out_dir: Path
    docx: Path
    warnings: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "meeting": self.meeting.id,
            "out_dir": str(self.out_dir),
            "docx": str(self.docx),
            "warnings": [w.as_dict() for w in self.warnings],
        }


def out_dir_for(meeting: Meeting, out_root: Path) -> Path:
    return out_root / meeting.id


def build(
    meeting_file: Path,
    out_root: Path = Path("out"),
    *,
    template: Path | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Build the minutes for one meeting file into ``out_root/<meeting id>/``."""
    say = progress or (lambda _msg: None)
    say("load")
    meeting = load_meeting(meeting_file)
    say("check")
    warnings = require_clean(meeting)
    out = out_dir_for(meeting, out_root)
    say("render docx")
    docx = out / "referat.docx"
    write_atomic(docx, render_docx(meeting, template))
    log.info("wrote %s", docx)
    return BuildResult(meeting, out, docx, warnings)
