"""Command line: parse arguments, call the library, print results. No logic of its own.

One module per command group, each registering its own commands' arguments: documents (check,
build, validate), signing (sign, timestamp, verify, receive), runs (run, status, batch),
archive (archive, check-package), scaffold (new, template, schema), workbench (serve), machine
(service, doctor); common.py what they share. Here: the parser in the order ``--help`` lists
the commands, and :func:`main`, which hands a heavy command to the background service or runs
it, and turns errors into messages and exit codes.

Each command imports what it needs when it runs: `check` and `--help` must not wait for the
signing and archive stack to load (bench/ measures it).
"""

from __future__ import annotations

import argparse
import errno
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from .. import __version__
from ..errors import ExitCode, ReferatbyggError
from . import archive, documents, machine, runs, scaffold, signing, workbench
from .common import Parents, Subparsers, parents, say

log = logging.getLogger("referatbygg")

# In the order --help lists them: the story first, then the tools around it.
COMMANDS: tuple[Callable[[Subparsers, Parents], None], ...] = (
    documents.add_check, documents.add_build, documents.add_validate,
    signing.add_sign, signing.add_timestamp, signing.add_verify,
    runs.add_run, runs.add_status, signing.add_receive,
    archive.add_archive, archive.add_check_package, runs.add_batch,
    scaffold.add_new, scaffold.add_template, scaffold.add_schema,
    workbench.add_serve, machine.add_service, machine.add_doctor,
)  # fmt: skip


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="referatbygg",
        description="Turn a meeting described in TOML into official minutes: a Word document, "
        "a PDF/A with the attachments merged in, signed by each signatory, packaged for the "
        "archive.",
        epilog="Exit codes: 0 ok, 2 bad input, 3 check found errors, 4 missing program "
        "('referatbygg doctor' lists them), 5 conversion failed, 6 signing failed, 7 validation "
        "failed, 8 package problem, 9 some meetings of a batch failed, 10 the outputs cannot be "
        "written (disk full, read-only, no permission), 70 a bug in referatbygg, 130 "
        "interrupted. A failed command leaves earlier outputs as they were.",
    )
    p.add_argument("--version", action="version", version=f"referatbygg {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    shared = parents()
    for add in COMMANDS:
        add(sub, shared)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser().parse_args(argv)
    if getattr(args, "served", False) and not args.no_service:
        from ..service import client

        def notice(message: str, always: bool) -> None:
            if always or not (args.quiet or args.json):
                say(f"{'warning: ' if always else '· '}{message}", sys.stderr)

        code = client.run([str(a) for a in argv], notice)
        if code is not None:
            return code
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:
        # Third-party log lines (pyHanko's difference analysis logs every suspicious change with
        # a traceback) belong under --verbose; our own messages say what was found.
        for name in ("pyhanko", "pyhanko_certvalidator", "fontTools", "pikepdf", "pypdf"):
            logging.getLogger(name).setLevel(logging.CRITICAL + 1)
        # pypdf's "incorrect startxref" and Pillow's DecompressionBombWarning come as Python
        # warnings on stderr; check says what matters about the file in its own words.
        import warnings

        for module in ("pypdf", "PIL"):
            warnings.filterwarnings("ignore", module=module)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        from .. import settings

        settings.check_all()  # a limit that is not a number: said before any work, exit 2
        if getattr(args, "served", False):
            from .. import heap
            from ..tools import verapdf

            heap.settle("referatbygg.pipeline")  # every heavy command imports it; see heap.py
            verapdf.prefer("quick")  # a JVM started here lives for this one command
        return int(func(args))
    except ReferatbyggError as exc:
        _report(args, exc)
        return int(exc.exit_code)
    except KeyboardInterrupt:
        say("interrupted", sys.stderr)
        return int(ExitCode.interrupted)
    except OSError as exc:
        from ..fsutil import problem_writing

        where = Path(exc.filename).parent if exc.filename else Path.cwd()
        machine = problem_writing(exc, where)
        if machine is None and exc.errno == errno.EPIPE:
            return int(ExitCode.ok)  # a reader that went away; the work was done
        if machine is None:
            return _internal(args, exc)
        if not hasattr(args, "out") and machine.hint and "--out" in machine.hint:
            # A command without --out (new, template, receive …): the folder it was given.
            hint = "check the folder's permissions and free space, or write somewhere else"
            machine = type(machine)(machine.message, hint=hint)
        _report(args, machine)
        return int(machine.exit_code)
    except Exception as exc:  # a bug: say so plainly, details only when asked for
        return _internal(args, exc)


def _report(args: argparse.Namespace, exc: ReferatbyggError) -> None:
    if args.json:
        say(json.dumps({"ok": False, "error": exc.message, "hint": exc.hint}, ensure_ascii=False))
    say(f"error: {exc}", sys.stderr)


def _internal(args: argparse.Namespace, exc: Exception) -> int:
    log.debug("internal error", exc_info=True)
    say(f"internal error: {type(exc).__name__}: {exc}\n"
        "  this is a bug in referatbygg; run with --verbose and report it", sys.stderr)  # fmt: skip
    if args.verbose:
        raise exc
    return int(ExitCode.internal)
