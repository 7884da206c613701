"""serve: the workbench in the browser."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ExitCode, InputError
from .common import Parents, Subparsers, command, say

if TYPE_CHECKING:
    from ..web.base import Site


def add_serve(sub: Subparsers, shared: Parents) -> None:
    wb = command(sub, cmd_serve, shared.common)
    wb.add_argument("folder", nargs="?", type=Path, default=Path("meetings"),
                    help="the meetings folder (default: meetings/)")  # fmt: skip
    wb.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    wb.add_argument("--no-open", action="store_true", help="do not open a browser")
    wb.add_argument("--out", type=Path, default=Path("out"), help="output root (default: ./out)")
    wb.add_argument("--config", type=Path, help="referatbygg.toml (default: ./referatbygg.toml)")


def cmd_serve(args: argparse.Namespace) -> int:
    """the workbench in the browser: meetings, their state and check's findings

    A local web application over a meetings folder, bound to 127.0.0.1. The first line on stdout
    is its address with a random token (referatbygg: http://127.0.0.1:N/?token=…); only requests
    with that token (or the cookie the first page sets), this server's Host and Origin are
    answered. Stop it with Ctrl-C.
    """
    from ..web.server import make_server, url

    if not args.folder.is_dir():
        raise InputError(f"{args.folder}: not a folder of meetings")
    server, site = make_server(args.folder, args.out, args.config, args.port)
    # Ctrl-C or a plain kill (SIGTERM, as a service manager stops it): the scratch folder with
    # page images and uploads not yet taken in is removed either way. Set before the address
    # is said: whoever reads it may stop the server at once.
    signal.signal(signal.SIGTERM, _stop)
    try:
        say(f"referatbygg: {url(site)}")
        sys.stdout.flush()
        # LibreOffice starts now, in the background: the first build from the pages is warm.
        threading.Thread(target=site.warm, name="warm LibreOffice", daemon=True).start()
        if not args.no_open:
            open_browser(site)
        server.serve_forever()
    except KeyboardInterrupt:
        say("stopped", sys.stderr)
    finally:
        server.server_close()
        site.close()
    return ExitCode.ok


def _stop(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def open_browser(site: Site) -> None:
    """Open the browser on a one-time URL: the token itself would stand on the browser's command
    line, which every local user can read."""
    import webbrowser

    webbrowser.open(site.one_time_url())
