"""Long work started from the workbench — a build — runs in a thread of the server, one per
meeting file at a time; the page asks for its progress. The work is the library's own
(pipeline.build), with its checks and its all-or-nothing outputs."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ReferatbyggError


@dataclass
class Job:
    file: Path
    messages: list[str] = field(default_factory=list)
    running: bool = True
    error: str | None = None
    pdf: Path | None = None

    def as_dict(self) -> dict[str, object]:
        return {"running": self.running, "messages": self.messages[-8:], "error": self.error}


_JOBS: dict[Path, Job] = {}
_LOCK = threading.Lock()


def get(file: Path) -> Job | None:
    with _LOCK:
        return _JOBS.get(file)


def start_build(file: Path, out_root: Path) -> Job:
    """Start building ``file`` unless a build of it runs already (that one is returned)."""
    with _LOCK:
        job = _JOBS.get(file)
        if job is not None and job.running:
            return job
        job = _JOBS[file] = Job(file)

    def work() -> None:
        from ..pipeline import build

        try:
            result = build(file, out_root, progress=job.messages.append)
            job.pdf = result.pdf
            job.messages.append("ferdig")
        except ReferatbyggError as exc:
            job.error = str(exc)
        except Exception as exc:  # reported on the page, like the CLI's internal error
            job.error = f"intern feil: {type(exc).__name__}: {exc}"
        finally:
            job.running = False

    threading.Thread(target=work, name=f"build {file.name}", daemon=True).start()
    return job
