"""The whole pipeline on one meeting or many: run, status, batch."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ExitCode, InputError
from .common import Parents, Subparsers, command, emit, progress

if TYPE_CHECKING:
    from .. import pipeline


def add_run(sub: Subparsers, shared: Parents) -> None:
    r = command(sub, cmd_run, shared.common, shared.cfg, shared.out, shared.rooted, shared.served)
    r.add_argument("meeting", type=Path, help="the meeting's TOML file")
    r.add_argument("--pdfa", choices=["2b", "1b"], default="2b", help="PDF/A level (default 2b)")
    r.add_argument("--converter", choices=["auto", "warm", "cold"], default="auto")
    r.add_argument("--no-prompt", action="store_true", help="fail instead of asking for a secret")


def cmd_run(args: argparse.Namespace) -> int:
    """the whole pipeline: check, build, sign, timestamp, archive

    Check and build the meeting, sign for every signatory with credentials here (in the body's
    order), add the final timestamp and make the archive package. Finished stages are kept: a
    signed file is never rebuilt, so an interrupted run can simply be run again. Stops at the
    first signatory without credentials here ('waiting for politimester's signature').
    """
    import getpass

    from .. import pipeline
    from ..config import load_config

    config = load_config(args.config)
    ask = None if args.no_prompt else getpass.getpass
    result = pipeline.run(
        args.meeting, args.out, config, level=args.pdfa, converter_choice=args.converter,
        ask=ask, progress=progress(args), root=args.root,
    )  # fmt: skip
    lines = [f"done: {', '.join(result.did) or 'nothing (all stages were finished)'}"]
    lines += _status_lines(result.status)
    if result.package:
        lines.append(f"package: {result.package.zip}")
        for folder, kind in zip(result.package.messages, result.package.kinds, strict=True):
            lines.append(f"Fiks Arkiv message ({kind.removeprefix('no.ks.fiks.arkiv.v1.')}): "
                         f"{folder} (and .zip)")  # fmt: skip
        lines.append(f"check it: referatbygg check-package {result.package.zip}")
    if config.demo:
        lines.append("(TEST signatures from the demo PKI: not valid as real signatures)")
    emit(args, result.as_dict(), lines)
    return ExitCode.ok


def add_status(sub: Subparsers, shared: Parents) -> None:
    st = command(sub, cmd_status, shared.common, shared.cfg, shared.out, shared.rooted)
    st.add_argument("meeting", type=Path)


def cmd_status(args: argparse.Namespace) -> int:
    """show where a meeting stands (built, signed, timestamped, archived)

    Show the meeting's state without changing anything.
    """
    from .. import pipeline
    from ..config import load_config

    st = pipeline.status(args.meeting, args.out, load_config(args.config), args.root)
    emit(args, st.as_dict(), _status_lines(st))
    return ExitCode.ok


def add_batch(sub: Subparsers, shared: Parents) -> None:
    bt = command(sub, cmd_batch, shared.common, shared.cfg, shared.out, shared.rooted,
                 shared.served)  # fmt: skip
    bt.add_argument("paths", type=Path, nargs="+", help="folders or meeting files")
    bt.add_argument(
        "--jobs", "-j", type=int, default=os.cpu_count() or 1,
        help=f"worker processes (default: CPU count, here {os.cpu_count() or 1})",
    )  # fmt: skip
    bt.add_argument("--build-only", action="store_true", help="build, do not sign or archive")
    bt.add_argument("--pdfa", choices=["2b", "1b"], default="2b", help="PDF/A level (default 2b)")


def cmd_batch(args: argparse.Namespace) -> int:
    """run many meetings at once (N workers, warm LibreOffice each)

    Run every meeting file in the given folders or files, like `run` (or only `build` with
    --build-only), in N worker processes that each keep a LibreOffice warm. One bad meeting
    never stops the others: each gets a result line, the summary lists the failed ones, and the
    exit code is 9 if any failed. Body files (organ.toml) and referatbygg.toml are skipped.
    """
    import time

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from .. import batch

    files = batch.find_meetings(args.paths)
    if not files:
        raise InputError(f"no meeting files in {', '.join(map(str, args.paths))}")
    settings = batch.Settings(args.out, args.config, args.pdfa, args.build_only, warm=True,
                              root=args.root)  # fmt: skip
    console = Console(stderr=True)
    show = not (args.json or args.quiet)
    started = time.monotonic()
    with Progress(
        "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=console, disable=not show,
    ) as bar:  # fmt: skip
        task = bar.add_task(f"{len(files)} meetings, {args.jobs} job(s)", total=len(files))

        def done(o: batch.Outcome) -> None:
            bar.advance(task)
            if show:
                mark = "[green]ok[/green]  " if o.ok else "[red]FAIL[/red]"
                console.print(f"{mark} {o.file} ({o.seconds:.1f} s): {o.message}", highlight=False)
                if o.note:
                    console.print(f"note: {o.note}", highlight=False)

        outcomes = batch.run_batch(files, settings, args.jobs, done)
    failed = [o for o in outcomes if not o.ok]
    seconds = time.monotonic() - started
    summary = (
        f"{len(outcomes) - len(failed)} ok, {len(failed)} failed, {seconds:.1f} s "
        f"({len(outcomes) / seconds * 60:.1f} meetings/min)"
    )
    lines = [summary] + [f"failed: {o.file}: {o.message}" for o in failed]
    data = {"ok": not failed, "summary": summary, "meetings": [o.as_dict() for o in outcomes]}
    emit(args, data, lines)
    return ExitCode.batch_failed if failed else ExitCode.ok


def _status_lines(st: pipeline.Status) -> list[str]:
    lines = [f"{st.meeting} ({st.out_dir})"]
    lines.append(f"  built:       {'yes' if st.built else 'no'}")
    lines.append(f"  signed:      {', '.join(st.signed) or '—'}")
    lines.append(f"  waiting for: {', '.join(st.waiting) or '—'}")
    lines.append(f"  timestamp:   {'yes' if st.timestamped else 'no'}")
    lines.append(f"  package:     {st.package or '—'}")
    if st.archive:
        lines.append(f"  archive:     {st.archive}")
    lines.append(f"  next:        {st.next_step}")
    if st.unchecked:
        lines.append(
            "  NOTE: a file signed elsewhere was saved over the working file; 'run' takes it in"
        )
    if st.stale:
        what = "the signed document" if st.signed else "the document"
        lines.append(
            f"  WARNING: the meeting file or its attachments changed after {what} was built; "
            "it does not show those changes"
        )
    return lines
