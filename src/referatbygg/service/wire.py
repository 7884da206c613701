"""Where the service's socket lives, who may use it, and the messages on it.

One service per user: a Unix socket in the user's runtime folder (runtime.py: ``$XDG_RUNTIME_DIR``,
else ``/tmp/referatbygg-<uid>``). The folder must be ours and closed to others (0700), the socket
ours (0600), and the process at the other end ours (SO_PEERCRED): another user's socket, or a
folder someone else made to catch ours, is refused, never used. Messages are JSON objects, one
per line; the first message of a command carries the client's stdin, stdout and stderr
(SCM_RIGHTS).
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import stat
import struct
import sys
from pathlib import Path
from typing import Any

from .. import __version__
from ..runtime import Unsafe, runtime_dir

SWITCH_ENV = "REFERATBYGG_SERVICE"  # "off": every command in-process
IDLE_ENV = "REFERATBYGG_SERVICE_IDLE"  # seconds without work before the service stops
POOL_ENV = "REFERATBYGG_SERVICE_POOL"  # commands served at once
DEFAULT_IDLE = 15 * 60
HEARTBEAT = 2.0  # the service says it is alive this often while a command runs
# A service silent this long (no heartbeat) is hung.
SILENCE = float(os.environ.get("REFERATBYGG_SERVICE_SILENCE") or 30)


def enabled() -> bool:
    return os.environ.get(SWITCH_ENV, "").strip().lower() not in ("off", "0", "no", "false")


def socket_path() -> Path:
    return runtime_dir() / "service.sock"


def check_socket(path: Path) -> bool:
    """Whether ``path`` exists; Unsafe when it is not a socket of this user closed to others."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return False
    if not stat.S_ISSOCK(st.st_mode) or st.st_uid != os.getuid():
        raise Unsafe(f"{path} is not this user's socket")
    if st.st_mode & 0o077:
        raise Unsafe(f"{path} is open to other users (mode {stat.S_IMODE(st.st_mode):o})")
    return True


def peer(sock: socket.socket) -> tuple[int, int]:
    """(pid, uid) of the process at the other end of a Unix socket (Linux SO_PEERCRED)."""
    raw = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    pid, uid, _gid = struct.unpack("3i", raw)
    return pid, uid


def code_id() -> str:
    """This installation's code: a service started from other code (an upgrade, an edit) must
    not serve this client."""
    digest = hashlib.sha256(f"{__version__}\0{sys.executable}".encode())
    package = Path(__file__).resolve().parents[1]
    for file in sorted(package.rglob("*.py")):
        st = file.stat()
        digest.update(f"{file.relative_to(package)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def send(sock: socket.socket, message: dict[str, Any], fds: list[int] | None = None) -> None:
    data = json.dumps(message, ensure_ascii=False).encode() + b"\n"
    if fds:
        socket.send_fds(sock, [data], fds)
    else:
        sock.sendall(data)


class Reader:
    """JSON lines from a socket, with the file descriptors that came with them."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = b""
        self.fds: list[int] = []

    def next(self, timeout: float | None) -> dict[str, Any] | None:
        """The next message; None at end of stream; TimeoutError after ``timeout`` seconds."""
        self.sock.settimeout(timeout)
        while b"\n" not in self.buffer:
            data, fds, _flags, _addr = socket.recv_fds(self.sock, 65536, 8)
            self.fds += fds
            if not data:
                return None
            self.buffer += data
        line, _, self.buffer = self.buffer.partition(b"\n")
        message: dict[str, Any] = json.loads(line)
        return message


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie does not: it only waits to be reaped; Linux /proc)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")
