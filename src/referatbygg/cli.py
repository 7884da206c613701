"""Command line: parse arguments, call the library, print results. No logic of its own."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .check import check
from .errors import ExitCode, ReferatbyggError
from .load import load_meeting
from .pipeline import build

log = logging.getLogger("referatbygg")


def _emit(args: argparse.Namespace, data: dict[str, Any], lines: Sequence[str]) -> None:
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        for line in lines:
            print(line)


def cmd_check(args: argparse.Namespace) -> int:
    meeting = load_meeting(args.meeting)
    problems = check(meeting)
    errors = sum(p.severity == "error" for p in problems)
    summary = f"{meeting.id}: {errors} error(s), {len(problems) - errors} warning(s)"
    _emit(
        args,
        {"meeting": meeting.id, "ok": errors == 0, "problems": [p.as_dict() for p in problems]},
        [str(p) for p in problems] + [summary],
    )
    return ExitCode.check_failed if errors else ExitCode.ok


def cmd_build(args: argparse.Namespace) -> int:
    progress = None if args.json or args.quiet else (lambda msg: print(f"· {msg}", file=sys.stderr))
    result = build(args.meeting, args.out, template=args.template, progress=progress)
    lines = [str(w) for w in result.warnings] + [f"wrote {result.docx}"]
    _emit(args, result.as_dict(), lines)
    return ExitCode.ok


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print the result as JSON on stdout")
    common.add_argument("-v", "--verbose", action="store_true", help="log what is done to stderr")
    common.add_argument("-q", "--quiet", action="store_true", help="no progress output")

    p = argparse.ArgumentParser(
        prog="referatbygg",
        description="Turn a meeting described in TOML into official minutes: a Word document, "
        "a PDF/A with the attachments merged in, signed by each signatory, packaged for the "
        "archive.",
        epilog="Exit codes: 0 ok, 2 bad input, 3 check found errors, 4 missing program, "
        "5 conversion failed, 6 signing failed, 7 validation failed, 8 package problem.",
    )
    p.add_argument("--version", action="version", version=f"referatbygg {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    c = sub.add_parser(
        "check",
        parents=[common],
        help="check a meeting file and report errors and warnings",
        description="Read a meeting file (and its body file) and report every problem found: "
        "invalid keys and values, duplicate or out-of-order agenda numbers, missing attachment "
        "files, unknown signatory roles, abbreviations missing from the table. Exits 3 on errors.",
    )
    c.add_argument("meeting", type=Path, help="the meeting's TOML file")
    c.set_defaults(func=cmd_check)

    b = sub.add_parser(
        "build",
        parents=[common],
        help="build the minutes (Word document) for a meeting",
        description="Check the meeting, then write OUT/<meeting id>/referat.docx. "
        "Warnings are shown; errors stop the build before anything is written.",
    )
    b.add_argument("meeting", type=Path, help="the meeting's TOML file")
    b.add_argument("--out", type=Path, default=Path("out"), help="output root (default: ./out)")
    b.add_argument("--template", type=Path, help="a restyled Word template (default: built-in)")
    b.set_defaults(func=cmd_build)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return int(func(args))
    except ReferatbyggError as exc:
        if args.json:
            print(
                json.dumps(
                    {"ok": False, "error": exc.message, "hint": exc.hint}, ensure_ascii=False
                )
            )
        print(f"error: {exc}", file=sys.stderr)
        return int(exc.exit_code)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return int(ExitCode.interrupted)
    except Exception as exc:  # a bug: say so plainly, details only when asked for
        log.debug("internal error", exc_info=True)
        print(
            f"internal error: {type(exc).__name__}: {exc}\n"
            "  this is a bug in referatbygg; run with --verbose and report it",
            file=sys.stderr,
        )
        if args.verbose:
            raise
        return int(ExitCode.internal)
