"""The CLI's side: hand a heavy command to the service, or say it must run here.

:func:`run` returns the command's exit code, or None when the command should run in this
process: the service is switched off, unsafe (another user's socket or folder), cannot start,
serves other code, or stopped or went silent before the command ended. In the last case the
command may have done part of its work; every command is safe to run again (outputs are written
atomically, a signed file is never overwritten), and the worker dies with the service, so the
retry never races it. A client never waits forever: each wait has a timeout.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..runtime import Unsafe, private_dir, runtime_dir
from . import wire

log = logging.getLogger(__name__)

# Told what the user should know: (message, whether to say it even with --quiet).
Notice = Callable[[str, bool], None]


def connect(timeout: float = 5) -> socket.socket | None:
    """A connection to this user's service, or None when none is running (a stale socket is
    removed). Raises Unsafe for a socket or folder that is not ours alone."""
    private_dir()
    path = wire.socket_path()
    if not wire.check_socket(path):
        return None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(str(path))
    except (ConnectionRefusedError, FileNotFoundError):
        sock.close()
        with contextlib.suppress(FileNotFoundError):
            path.unlink()  # a service that died without cleaning up
        return None
    except OSError:
        sock.close()
        raise
    _pid, uid = wire.peer(sock)
    if uid != os.getuid():
        sock.close()
        raise Unsafe(f"{path} is served by another user's process")
    return sock


def ask(message: dict[str, Any], timeout: float = 10) -> dict[str, Any] | None:
    """One question (ping, stop) to a running service; None when none runs."""
    sock = connect(timeout)
    if sock is None:
        return None
    with sock:
        wire.send(sock, message)
        return wire.Reader(sock).next(timeout)


def start(idle: float | None = None, pool: int | None = None, wait: float = 60) -> int:
    """Start the service in the background (unless one runs) and wait until it answers.
    Returns its pid. RuntimeError with its log's tail when it cannot start."""
    if (answer := ask({"op": "ping"})) is not None:
        return int(answer["pid"])
    child = _launch(idle, pool)
    log_file = runtime_dir() / "service.log"
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, ValueError, Unsafe):
            if (answer := ask({"op": "ping"}, timeout=2)) is not None:
                return int(answer["pid"])
        if child.poll() not in (None, 0):
            break
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        child.kill()
    tail = log_file.read_text(errors="replace").strip().splitlines()[-3:]
    raise RuntimeError("the background service did not start: " + (" | ".join(tail) or "?"))


def _launch(idle: float | None = None, pool: int | None = None) -> subprocess.Popen[bytes]:
    """Start the service process, detached (a second one started at the same moment finds the
    first one's lock and exits)."""
    folder = private_dir()
    command = [sys.executable, "-m", "referatbygg.service"]
    if idle is not None:
        command += ["--idle", str(idle)]
    if pool is not None:
        command += ["--pool", str(pool)]
    env = {**os.environ, wire.SWITCH_ENV: "off"}  # its own commands run in-process, of course
    with (folder / "service.log").open("ab") as out:
        return subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True, env=env, cwd=folder, close_fds=True,
        )  # fmt: skip


def stop(wait: float = 630) -> int | None:
    """Ask the running service to stop (running commands finish first) and wait until it has;
    its pid, or None when none was running."""
    status = ask({"op": "ping"})
    if status is None:
        return None
    pid = int(status["pid"])
    ask({"op": "stop"})
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline and wire.alive(pid):
        time.sleep(0.05)
    return pid


def run(argv: list[str], notice: Notice) -> int | None:
    """Run ``argv`` (the CLI's arguments) in the service; None: run it in this process."""
    if not wire.enabled() or not hasattr(socket, "SO_PEERCRED"):
        return None  # switched off, or not Linux (peer credentials are how we trust it)
    try:
        streams = [sys.stdin.fileno(), sys.stdout.fileno(), sys.stderr.fileno()]
        for fd in streams:
            os.fstat(fd)
    except (AttributeError, OSError, ValueError):
        return None  # no real streams to hand over (embedded, closed): in-process
    try:
        sock = connect()
        if sock is None:
            # Started in the background for the commands after this one; this one runs here,
            # now: waiting for LibreOffice and the JVM to start would make it slower still.
            _launch()
            notice("started the background service for the next commands", False)
            return None
    except Unsafe as exc:
        notice(f"not using the background service: {exc}; running here", True)
        return None
    except (OSError, RuntimeError) as exc:
        log.info("background service unavailable: %s", exc)
        notice(f"the background service is not available ({exc}); running here", False)
        return None
    if sock is None:
        return None
    with sock:
        return _converse(sock, argv, streams, notice)


def _converse(
    sock: socket.socket, argv: list[str], streams: list[int], notice: Notice
) -> int | None:
    request = {
        "op": "run", "argv": argv, "cwd": str(Path.cwd()), "env": dict(os.environ),
        "umask": _umask(), "code": wire.code_id(),
        "encoding": [sys.stdout.encoding or "utf-8", sys.stdout.errors or "strict"],
    }  # fmt: skip
    reader = wire.Reader(sock)
    interrupted = False
    try:
        wire.send(sock, request, streams)
    except OSError as exc:
        log.info("could not hand the command over: %s", exc)
        return None
    while True:
        try:
            message = reader.next(wire.SILENCE)
        except KeyboardInterrupt:
            if interrupted:
                return 130
            interrupted = True  # the worker has no terminal: pass the interrupt on
            with contextlib.suppress(OSError):
                wire.send(sock, {"interrupt": True})
            continue
        except TimeoutError:
            pid, _uid = wire.peer(sock)
            _kill(pid)
            notice("the background service stopped answering; it was stopped" +
                   ("; running the command here" if not interrupted else ""), True)  # fmt: skip
            return 130 if interrupted else None
        except (OSError, ValueError):
            message = None
        if message is None:
            if interrupted:
                return 130
            # Handed over, perhaps begun (or not: "started" may not have reached us yet).
            notice("the background service stopped before the command ended; running it here",
                   True)  # fmt: skip
            return None
        if "exit" in message:
            if message.get("killed"):
                notice("the command did not stop in time after Ctrl-C and was stopped outright; "
                       "a file it was writing is left as a part file, which the next command "
                       "in that folder removes", True)  # fmt: skip
            return int(message["exit"])
        if message.get("stale") or message.get("refused"):
            log.info("service refused the command: %s", message)
            return None


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _kill(pid: int) -> None:
    """A hung service is replaced: stopped outright, its socket removed for the next one."""
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        Path(wire.socket_path()).unlink()
