"""The worker side: one command, in a process forked from the service's preloaded zygote.

The worker takes over the client's stdin, stdout and stderr, working folder, environment and
umask, then runs the CLI's own ``main`` (handed to the service by its ``__main__``) — the same
code as in-process, so the same outputs and exit codes. LibreOffice conversions and veraPDF
validations go to the service, which holds them warm (:class:`RemoteConverter`,
:class:`RemoteValidator`).
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import errors
from ..tools import libreoffice, verapdf
from ..tools.libreoffice import PdfaLevel
from . import wire

Command = Callable[[list[str]], int]  # the CLI's main: arguments in, exit code out

# The modules every heavy command needs, imported once in the zygote so that no command pays
# for them (the reason the service exists).
PRELOAD = [
    "referatbygg.cli", "referatbygg.pipeline", "referatbygg.signing.pades", "referatbygg.verify",
    "referatbygg.archive.package", "referatbygg.signing.intake", "referatbygg.batch",
    "referatbygg.meeting.check", "referatbygg.signing.deferred", "referatbygg.document.render",
    "referatbygg.service.child",
    "pyhanko.sign", "pyhanko.sign.validation", "pyhanko_certvalidator", "rich.progress",
    "referatbygg.service.warm",
]  # fmt: skip


# The questions to the service under way in this worker's threads, and whether the command was
# interrupted: Ctrl-C stops waiting for their answers (a conversion or validation the service
# is still busy with), so that the command ends at once instead of when the service is done.
_WAITING: set[socket.socket] = set()
_INTERRUPTED = threading.Event()


def _interrupt(_signum: int, _frame: Any) -> None:
    """SIGINT in the worker: as Python's own handler (KeyboardInterrupt in the main thread),
    and every thread waiting for the service stops waiting."""
    _INTERRUPTED.set()
    for sock in list(_WAITING):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    raise KeyboardInterrupt


class _Ask:
    """One question to the service on a connection of its own, one answer back."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __call__(self, message: dict[str, Any], timeout: float) -> dict[str, Any]:
        if _INTERRUPTED.is_set():  # asked after Ctrl-C: not worth an answer
            raise errors.ReferatbyggError("interrupted")
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                _WAITING.add(sock)
                try:
                    sock.settimeout(10)
                    sock.connect(self.path)
                    wire.send(sock, message)
                    answer = wire.Reader(sock).next(timeout)
                finally:
                    _WAITING.discard(sock)
        except (ConnectionError, FileNotFoundError):
            answer = None
        except OSError:
            if not _INTERRUPTED.is_set():
                raise
            answer = None
        if _INTERRUPTED.is_set():
            raise errors.ReferatbyggError("interrupted")
        if answer is None:
            # The service is gone, and this worker goes with it in a moment (its zygote ends
            # and the kernel stops it): say nothing on the client's terminal meanwhile — the
            # client runs the command again itself.
            time.sleep(10)
            raise errors.DependencyError("the background service stopped while working")
        if "error" in answer:
            kind = getattr(errors, answer["error"]["type"], errors.ReferatbyggError)
            raise kind(answer["error"]["message"], hint=answer["error"].get("hint"))
        return answer


class RemoteConverter:
    """The service's warm LibreOffice (a conversion at a time, supervised there)."""

    def __init__(self, ask: _Ask) -> None:
        self.ask = ask

    def convert(self, src: Path, dst: Path, level: PdfaLevel) -> None:
        # The client's PATH decides, as in-process: without LibreOffice there, the command
        # says so (exit 4) instead of using the one the service found when it started.
        libreoffice.soffice()
        self.ask({"op": "convert", "src": str(src.resolve()), "dst": str(dst.resolve()),
                  "level": level}, timeout=600)  # fmt: skip
        libreoffice.check_pdf(dst, src.name)

    def close(self) -> None:
        pass  # the service's to close


class RemoteValidator:
    """One of the service's warm veraPDF engines (each proved on the canary files there)."""

    def __init__(self, ask: _Ask) -> None:
        self.ask = ask

    def validate(self, pdf: Path, flavour: str, timeout: float = 600) -> verapdf.Result:
        verapdf.require()  # Java and JAXB as the client's environment finds them, as in-process
        answer = self.ask({"op": "validate", "pdf": str(pdf.resolve()), "flavour": flavour,
                           "timeout": timeout}, timeout=timeout + 60)  # fmt: skip
        data = answer["result"]
        rules = [verapdf.Rule(**rule) for rule in data.pop("rules")]
        return verapdf.Result(**data, rules=rules)


def _die_with_parent() -> None:
    """If the zygote goes (the service was killed), this command goes too, at once: a command
    left running would race the client's own retry."""
    # The zygote ends when the service's end of its "alive" pipe closes — but multiprocessing
    # gives every worker a copy of that end too, so that a worker alive would keep the zygote
    # alive, and the zygote the worker. The worker starts no processes through the zygote.
    from multiprocessing import forkserver

    server: Any = getattr(forkserver, "_forkserver", None)
    if server is not None and isinstance(server._forkserver_alive_fd, int):
        with contextlib.suppress(OSError):
            os.close(server._forkserver_alive_fd)
        server._forkserver_alive_fd = None
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:
            os._exit(137)


def _stream(fd: int, mode: str, encoding: str, errors_: str) -> io.TextIOWrapper:
    raw = io.FileIO(fd, mode, closefd=False)
    tty = os.isatty(fd)
    buffered: Any = io.BufferedWriter(raw) if "w" in mode else io.BufferedReader(raw)
    return io.TextIOWrapper(buffered, encoding=encoding, errors=errors_, line_buffering=tty)


def run_command(fds: list[int], request: dict[str, Any], service: str, command: Command) -> None:
    """The target of the forked worker: become the client's command, run it, exit with its
    code (multiprocessing turns SystemExit into the exit code the service reports)."""
    # First: the zygote's children start with SIGINT as the service found it (ignored, when it
    # was started in the background), and a Ctrl-C passed on now must not be lost — noted
    # until the command runs, then raised as Python's own handler does.
    signal.signal(signal.SIGINT, lambda *_: _INTERRUPTED.set())
    _die_with_parent()
    # multiprocessing gave the worker a stdin of its own (os.devnull, perhaps on fd 0): close
    # it before fd 0 becomes the client's, or its finaliser would close the client's later.
    import fcntl  # Unix only, as the service is

    with contextlib.suppress(OSError, ValueError):
        sys.stdin.close()
    high = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in fds]
    for fd in fds:
        os.close(fd)
    for target, fd in zip((0, 1, 2), high, strict=True):
        os.dup2(fd, target)  # inheritable: programs we start see the client's streams too
        os.close(fd)
    os.chdir(request["cwd"])
    os.umask(request["umask"])
    os.environ.clear()
    os.environ.update(request["env"])
    os.environ[wire.SWITCH_ENV] = "off"  # this is where it runs; nothing to hand over again
    encoding, errors_ = request.get("encoding") or ("utf-8", "strict")
    sys.stdin = _stream(0, "r", encoding, errors_)
    sys.stdout = _stream(1, "w", encoding, errors_)
    sys.stderr = _stream(2, "w", encoding, "backslashreplace")
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    ask = _Ask(service)
    libreoffice.use(RemoteConverter(ask))
    verapdf.use(RemoteValidator(ask))
    signal.signal(signal.SIGINT, _interrupt)
    if _INTERRUPTED.is_set():  # before it began: nothing was done
        sys.stderr.write("interrupted\n")
        sys.stderr.flush()
        os._exit(int(errors.ExitCode.interrupted))
    code = command(request["argv"])
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    # Nothing more may reach the client's streams (a reader that went away is not an error).
    sys.stdout = sys.stderr = Path(os.devnull).open("w")  # noqa: SIM115
    if _INTERRUPTED.is_set():
        # Threads may still be finishing work nobody waits for (a page loop in pure Python):
        # the command is over, its outputs as they were — the process does not join them.
        os._exit(code)
    sys.exit(code)
