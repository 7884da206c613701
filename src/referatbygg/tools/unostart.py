"""unoserver's own server, without its fixed waits: ``<uno python> unostart.py <unoserver args>``.

unoserver 3.x sleeps 5 s after launching LibreOffice, 2 s more after starting its XML-RPC
thread, and 2 s between attempts to connect, on any machine. A warm converter took 5.3 s to
answer where LibreOffice listens after about 1.5 s — at every start: each batch worker, the
background service, every test that starts one. Here unoserver's ``time.sleep`` ends as soon as
LibreOffice's UNO port listens (never later than unoserver's own wait), and a wait
with the port already open is short: there is nothing left to wait for. Everything else is
unoserver's ``main``, unchanged.

Two options of ours come before unoserver's: ``--socket PATH`` serves XML-RPC on a Unix socket
at PATH instead of a TCP port, and ``--isolated`` says the server runs in a network namespace
of its own (tools/unshare.py), whose loopback is down until it is brought up here — for
unoserver's UNO connection to LibreOffice, which never leaves the namespace. The converter
outside reaches the server through the socket's file: a network namespace does not separate
the filesystem.

Run by path with the Python that can ``import uno`` (tools/libreoffice.py), which need not have
referatbygg installed: this file imports nothing of ours.
"""

from __future__ import annotations

import os
import socket
import struct
import sys
import time
import xmlrpc.server
from pathlib import Path
from typing import Any

POLL = 0.05  # s between looks at the port
LISTEN = "0A"  # a socket's state in /proc/net/tcp
SETTLE = 1.0  # s: a longer wait asked for with the port open (a retry after another error)


class UntilListening:
    """Stands in for the ``time`` module inside ``unoserver.server``."""

    def __init__(self, port: int) -> None:
        self.port = port

    def _listening(self) -> bool:
        # Read from the kernel's socket table rather than by connecting, so that LibreOffice's
        # acceptor sees no connection but unoserver's own.
        wanted = f":{self.port:04X}"
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            try:
                with Path(table).open() as fh:
                    next(fh, None)
                    for line in fh:
                        fields = line.split()
                        if fields[1].endswith(wanted) and fields[3] == LISTEN:
                            return True
            except OSError:
                continue
        return False

    def sleep(self, seconds: float) -> None:
        if self._listening():
            # The 2 s waits are for the port (or for a thread to start); the 5 s ones, with the
            # port open, follow an error other than a refused connection: give it a moment.
            time.sleep(POLL if seconds <= 2 else min(seconds, SETTLE))
            return
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            time.sleep(POLL)
            if self._listening():
                return

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


def _option(name: str, default: str) -> str:
    args = sys.argv
    return args[args.index(name) + 1] if name in args[:-1] else default


def _ours(name: str, value: bool) -> str | bool | None:
    """Take our option ``name`` (with its value if ``value``) out of the arguments."""
    args = sys.argv
    if name not in args:
        return None
    at = args.index(name)
    found = args[at + 1] if value else True
    del args[at : at + (2 if value else 1)]
    return found


def loopback_up() -> None:
    """Bring the namespace's loopback up (SIOCGIFFLAGS, then SIOCSIFFLAGS with IFF_UP)."""
    import fcntl  # Linux only, as network namespaces are

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        request = struct.pack("16sH22x", b"lo", 0)
        flags = struct.unpack("16sH22x", fcntl.ioctl(s, 0x8913, request))[1]
        fcntl.ioctl(s, 0x8914, struct.pack("16sH22x", b"lo", flags | 0x1))


class _Handler(xmlrpc.server.SimpleXMLRPCRequestHandler):
    disable_nagle_algorithm = False  # a TCP option: a Unix socket has none

    def address_string(self) -> str:
        return "unix"  # a Unix socket's peer has no address to log


def unix_server(path: str) -> type:
    """unoserver's XMLRPCServer, served on the Unix socket ``path`` (mode 0600)."""

    class UnixXMLRPCServer(xmlrpc.server.SimpleXMLRPCServer):
        address_family = socket.AF_UNIX

        def __init__(self, _addr: Any, allow_none: bool = False) -> None:
            old = os.umask(0o177)
            try:
                super().__init__(path, requestHandler=_Handler, logRequests=False,  # type: ignore[arg-type]
                                 allow_none=allow_none)  # fmt: skip
            finally:
                os.umask(old)

    return UnixXMLRPCServer


def main() -> Any:
    from unoserver import server  # type: ignore[import-untyped]

    path = _ours("--socket", True)
    if _ours("--isolated", False):
        loopback_up()
    if isinstance(path, str):
        server.XMLRPCServer = unix_server(path)
    server.time = UntilListening(int(_option("--uno-port", "2002")))
    return server.main()


if __name__ == "__main__":
    main()  # as unoserver's own __main__ (its exit status is not what we watch)
