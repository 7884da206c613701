"""Many meetings at once: N worker processes, each with its own supervised LibreOffice.

Each meeting is an independent task — a meeting file in, its output folder out — so one bad
meeting never stops the others, and a later version can hand the same tasks to a distributed
executor. Workers are plain processes with a ``finally`` that stops their LibreOffice (a
ProcessPoolExecutor's workers end with ``os._exit`` and would leave it running).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import time
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .config import load_config
from .errors import ReferatbyggError
from .tools import libreoffice, verapdf
from .tools.libreoffice import Converter, PdfaLevel, open_converter

SKIP = {"organ.toml", "referatbygg.toml"}


@dataclass
class Outcome:
    file: str
    ok: bool
    seconds: float
    message: str
    meeting: str | None = None
    package: str | None = None
    rss_mb: float | None = None  # peak resident memory (Unix) of the process that ran it, so far
    worker: int | None = None  # the process that ran it (its pid): whose memory rss_mb is
    note: str | None = None  # e.g. that LibreOffice runs cold here (said once per worker)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def find_meetings(paths: Iterable[Path]) -> list[Path]:
    """Meeting files in ``paths`` (folders are searched); body and config files are left out.

    A file that does not parse is kept: it is a meeting that must be reported as failed, not
    silently skipped. Hidden files in a folder, and everything in a hidden folder (an editor's
    lock or backup, the workbench's trial copy while it checks a form, its history of saves)
    are not meetings.
    """
    found: list[Path] = []
    for path in paths:
        candidates = sorted(path.rglob("*.toml")) if path.is_dir() else [path]
        for file in candidates:
            hidden = file != path and any(part.startswith(".")
                                          for part in file.relative_to(path).parts)  # fmt: skip
            if file.name in SKIP or hidden or not file.is_file():
                continue
            try:
                data = tomllib.loads(file.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                found.append(file)
                continue
            if "signatories" in data and "items" not in data:
                continue  # a body file under another name
            found.append(file)
    return found


@dataclass(frozen=True)
class Settings:
    out_root: Path
    config: Path | None
    level: PdfaLevel
    build_only: bool
    warm: bool
    root: Path | None = None  # the folder tree each meeting may read from (--root)


def _one(
    file: Path, settings: Settings, converter: Converter, notes: list[str] | None = None
) -> Outcome:
    outcome = _attempt(file, settings, converter)
    outcome.rss_mb = _peak_rss_mb()
    outcome.worker = os.getpid()
    if notes:
        outcome.note = notes.pop()
    return outcome


def _peak_rss_mb() -> float | None:
    try:
        import resource  # Unix only
    except ImportError:
        return None
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _attempt(file: Path, settings: Settings, converter: Converter) -> Outcome:
    from . import pipeline

    started = time.monotonic()
    try:
        if settings.build_only:
            result = pipeline.build(
                file,
                settings.out_root,
                level=settings.level,
                converter=converter,
                root=settings.root,
            )
            return Outcome(str(file), True, time.monotonic() - started,
                           f"built {result.pdf}", result.meeting.id)  # fmt: skip
        config = load_config(settings.config)
        run = pipeline.run(file, settings.out_root, config, level=settings.level,
                           converter=converter, root=settings.root)  # fmt: skip
        package = str(run.package.zip) if run.package else None
        message = f"packed {package}" if package else run.status.next_step
        return Outcome(str(file), True, time.monotonic() - started, message,
                       run.status.meeting, package)  # fmt: skip
    except ReferatbyggError as exc:
        return Outcome(str(file), False, time.monotonic() - started, str(exc).splitlines()[0])
    except Exception as exc:  # a bug must not stop the other meetings either
        return Outcome(str(file), False, time.monotonic() - started,
                       f"internal error: {type(exc).__name__}: {exc}")  # fmt: skip


def _worker(tasks: Any, results: Any, settings: Settings) -> None:
    # Each worker has its own LibreOffice and veraPDF engine, also when the batch itself runs
    # in the background service: sharing the service's one LibreOffice would serialise them.
    libreoffice.use(None)
    verapdf.use(None)
    verapdf.prefer("quick")  # every core is busy with meetings: no CPU for C2's compiler
    converter: Converter | None = None
    notes: list[str] = []
    try:
        while (file := tasks.get()) is not None:
            converter = converter or open_converter(warm=settings.warm, announce=notes.append)
            results.put(_one(file, settings, converter, notes))
    finally:
        if converter is not None:
            converter.close()
        verapdf.stop()  # forked workers end with os._exit: atexit would not run


def run_batch(
    files: list[Path],
    settings: Settings,
    jobs: int,
    on_result: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Build (and sign and archive, unless build_only) every file; outcomes in input order."""
    say = on_result or (lambda _o: None)
    jobs = max(1, min(jobs, len(files) or 1))
    by_file: dict[str, Outcome] = {}
    if jobs == 1:
        notes: list[str] = []
        converter = (settings.warm and libreoffice.elsewhere()) or open_converter(
            warm=settings.warm and len(files) > 1, announce=notes.append
        )
        try:
            for file in files:
                outcome = _one(file, settings, converter, notes)
                by_file[str(file)] = outcome
                say(outcome)
        finally:
            converter.close()
    else:
        ctx = mp.get_context("fork")
        tasks: Any = ctx.Queue()
        results: Any = ctx.Queue()
        for file in files:
            tasks.put(file)
        for _ in range(jobs):
            tasks.put(None)
        workers = [
            ctx.Process(target=_worker, args=(tasks, results, settings)) for _ in range(jobs)
        ]
        for w in workers:
            w.start()
        try:
            while len(by_file) < len(files):
                try:
                    outcome = results.get(timeout=5)
                except queue.Empty:
                    if any(w.is_alive() for w in workers):
                        continue
                    # Every worker is gone (killed, out of memory): the rest cannot finish.
                    for file in files:
                        if str(file) not in by_file:
                            by_file[str(file)] = Outcome(str(file), False, 0.0, "worker died")
                            say(by_file[str(file)])
                    break
                by_file[outcome.file] = outcome
                say(outcome)
        finally:
            for w in workers:
                w.join(timeout=60)
                if w.is_alive():
                    w.terminate()
    return [by_file[str(f)] for f in files]


def default_jobs() -> int:
    return max(1, os.cpu_count() or 1)
