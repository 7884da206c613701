"""What every command group shares: printing (lines, or JSON with --json), progress on
stderr, and the argument groups several commands take (--json/-v/-q, --root, --no-service,
--config, --out)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TextIO

if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]
else:
    Subparsers = argparse._SubParsersAction

SERVICE_SWITCH = "REFERATBYGG_SERVICE"
SOCKET_HINT = "$XDG_RUNTIME_DIR/referatbygg/service.sock, else /tmp/referatbygg-<uid>/"


def say(text: str, stream: TextIO | None = None) -> None:
    """Print a line; a reader that went away (``| head -1``) is not a failure of the work:
    the rest of the output is dropped and the work goes on."""
    stream = stream or sys.stdout
    try:
        print(text, file=stream, flush=stream is sys.stderr)
    except BrokenPipeError:
        # Point the descriptor at /dev/null so the final flush at exit does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, stream.fileno())
        except (OSError, ValueError):
            pass
        finally:
            os.close(devnull)


def emit(args: argparse.Namespace, data: dict[str, Any], lines: Sequence[str]) -> None:
    """The result: ``data`` as JSON with --json, else ``lines``."""
    if args.json:
        say(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        for line in lines:
            say(line)


def progress(args: argparse.Namespace) -> Callable[[str], None] | None:
    """Progress lines on stderr, unless --json or --quiet."""
    if args.json or args.quiet:
        return None
    return lambda msg: say(f"· {msg}", sys.stderr)


def pdf_file(path: Path) -> Path:
    """A PDF the user named: there, a regular file, within the size limit."""
    from ..meeting.inputs import check_file
    from ..settings import pdf_limit

    check_file(path, limit=pdf_limit())
    return path


def command(
    sub: Subparsers,
    func: Callable[[argparse.Namespace], int],
    *parents: argparse.ArgumentParser,
    description: str | None = None,
) -> argparse.ArgumentParser:
    """The subcommand ``func`` runs: named after it (``cmd_check_package``: check-package), its
    help the first line of its docstring and its description the rest (or ``description``)."""
    # argparse folds white space in descriptions: the docstring's line breaks do not matter.
    help_text, _, rest = (func.__doc__ or "").strip().partition("\n")
    parser = sub.add_parser(
        func.__name__.removeprefix("cmd_").replace("_", "-"),
        parents=list(parents),
        help=help_text.strip(),
        description=description or " ".join(rest.split()),
    )
    parser.set_defaults(func=func)
    return parser


class Parents(NamedTuple):
    """The argument groups several commands share (argparse parents)."""

    common: argparse.ArgumentParser  # --json, --verbose, --quiet
    rooted: argparse.ArgumentParser  # --root
    served: argparse.ArgumentParser  # --no-service
    cfg: argparse.ArgumentParser  # --config
    out: argparse.ArgumentParser  # --out


def parents() -> Parents:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print the result as JSON on stdout")
    common.add_argument("-v", "--verbose", action="store_true", help="log what is done to stderr")
    common.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    rooted = argparse.ArgumentParser(add_help=False)
    rooted.add_argument(
        "--root", type=Path,
        help="the folder tree the meeting may read files from (default: the folder of its body "
        "file organ.toml — the meeting's folder, or the one above it for an agreement in "
        "avtaler/); attachments and the body file outside it, reached by '..', an absolute path "
        "or a symbolic link, are refused",
    )  # fmt: skip
    served = argparse.ArgumentParser(add_help=False)
    served.add_argument(
        "--no-service", action="store_true",
        help="run in this process, not in the background service that keeps LibreOffice and "
        f"the validator warm (also: {SERVICE_SWITCH}=off)",
    )  # fmt: skip
    served.set_defaults(served=True)
    cfg = argparse.ArgumentParser(add_help=False)
    cfg.add_argument(
        "--config",
        type=Path,
        help="project configuration (default: ./referatbygg.toml; without one, the demo PKI "
        "signs with TEST certificates)",
    )
    out = argparse.ArgumentParser(add_help=False)
    out.add_argument("--out", type=Path, default=Path("out"), help="output root (default: ./out)")
    return Parents(common, rooted, served, cfg, out)
