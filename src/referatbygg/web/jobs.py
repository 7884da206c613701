"""Long work started from the workbench — a build, taking in a signature, signing, packaging —
runs in a thread of the server, one job per meeting file at a time; the page asks for its
progress. The work is the library's own (pipeline, intake, signing, archive), with its checks
and its all-or-nothing outputs."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ReferatbyggError

Say = Callable[[str], None]


@dataclass
class Job:
    file: Path
    kind: str  # what the page calls it: "bygging", "innsending", …
    messages: list[str] = field(default_factory=list)
    running: bool = True
    error: str | None = None
    hint: str | None = None  # what to do about the error, when the library says
    failure: str = ""  # the error's class ("CheckFailed"): what the page says it was
    problems: list[Any] = field(default_factory=list)  # check's findings, when check stopped it
    result: Any = None  # what the work returned, for the page that shows it

    def as_dict(self) -> dict[str, object]:
        return {"running": self.running, "kind": self.kind, "messages": self.messages[-8:],
                "error": self.error, "hint": self.hint}  # fmt: skip


_JOBS: dict[Path, Job] = {}
_LOCK = threading.Lock()


def get(file: Path) -> Job | None:
    with _LOCK:
        return _JOBS.get(file)


def start(file: Path, kind: str, work: Callable[[Say], Any]) -> Job:
    """Run ``work`` for ``file`` in the background, unless a job for that file runs already
    (that one is returned: two pieces of work on one meeting never overlap)."""
    with _LOCK:
        job = _JOBS.get(file)
        if job is not None and job.running:
            return job
        job = _JOBS[file] = Job(file, kind)

    def run() -> None:
        try:
            job.result = work(job.messages.append)
            job.messages.append("ferdig")
        except ReferatbyggError as exc:
            job.error, job.hint, job.failure = exc.message, exc.hint, _kind(exc)
            job.problems = _findings(exc, file)
        except Exception as exc:  # reported on the page, like the CLI's internal error
            job.error = f"{type(exc).__name__}: {exc}"
        finally:
            job.running = False

    threading.Thread(target=run, name=f"{kind} {file.name}", daemon=True).start()
    return job


def _findings(exc: ReferatbyggError, file: Path) -> list[Any]:
    """check's findings in an error: those it stopped the work for, or a file's own errors."""
    from ..errors import CheckFailed, MeetingFileError
    from ..meeting.check import file_problems

    if isinstance(exc, CheckFailed):
        return list(exc.problems)
    if isinstance(exc, MeetingFileError):
        return file_problems(exc.message, file.name)
    return []


def _kind(exc: ReferatbyggError) -> str:
    """The kind of error as the page tells them apart: the library's own class it is of
    (IntakeRefused is a SigningError, AttachmentError an InputError)."""
    from .. import errors

    for cls in type(exc).__mro__:
        if cls.__module__ == errors.__name__:
            return cls.__name__
    return type(exc).__name__
