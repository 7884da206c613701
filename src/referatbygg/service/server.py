"""The service: accepts commands on the user's socket and runs each in a worker process.

Workers are forked by a zygote (multiprocessing's forkserver) that imported the whole stack
once, so a command starts in milliseconds. The service itself holds the warm tools: one
supervised LibreOffice (conversions one at a time, as LibreOffice works anyway) and up to
``pool`` veraPDF engines, one per command validating at once. Up to ``pool`` commands run at
once, each in its own process with its own working files; more wait their turn. A command whose
client goes away is interrupted; the service stops itself after ``idle`` seconds without work.
"""

from __future__ import annotations

import contextlib
import json
import logging
import multiprocessing as mp
import os
import queue
import select
import signal
import socket
import threading
import time
from pathlib import Path
from typing import Any

from ..errors import ExitCode, ReferatbyggError
from ..runtime import private_dir
from ..tools import proc, verapdf
from ..tools.libreoffice import WarmConverter
from . import wire
from .child import PRELOAD, Command, run_command

# Seconds an interrupted command has to end on its own (its programs stopped, its work folder
# removed) before it is stopped outright.
GRACE = 15

log = logging.getLogger(__name__)


class Service:
    def __init__(self, folder: Path, command: Command, *, idle: float, pool: int) -> None:
        self.folder = folder
        self.command = command  # the CLI's main, run in each worker
        self.path = folder / "service.sock"
        self.idle = idle
        self.pool = max(1, pool)
        self.code = wire.code_id()
        self.started = time.time()
        self.last_work = time.monotonic()
        self.active = 0
        self.peak = 0  # the most commands that ran at once
        self.served = 0
        self.lock = threading.Lock()
        self.slots = threading.Semaphore(self.pool)
        self.stopping = threading.Event()
        self.office = WarmConverter()
        self.office.on_spawn = self._note_office
        # Last in, first out: the engine used last is the one whose JIT is warmest, and a
        # second engine is only for validations that overlap (first in, first out would
        # share the warm-up between them, and every engine would stay lukewarm for longer).
        self.engines: queue.Queue[verapdf.Validator] = queue.LifoQueue()
        self.engine_count = 0
        self.zygote = mp.get_context("forkserver")
        self.zygote.set_forkserver_preload(PRELOAD)
        self.listener: socket.socket | None = None
        self.inode = 0

    # -- life --------------------------------------------------------------------------------

    def serve(self) -> None:
        self.listener = self._bind()
        self._record()
        threading.Thread(target=self._warm_up, daemon=True).start()
        log.info("serving on %s (pid %s, pool %s, idle %ss)", self.path, os.getpid(),
                 self.pool, self.idle)  # fmt: skip
        self.listener.settimeout(1.0)
        while not self.stopping.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                with self.lock:
                    quiet = self.active == 0 and time.monotonic() - self.last_work > self.idle
                if quiet:
                    log.info("idle for %ss: stopping", self.idle)
                    break
                continue
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()
        # Stopping: no new commands; those running finish first (their clients are waiting).
        if self.listener is not None:
            self.listener.close()
        with contextlib.suppress(OSError):
            if self.path.stat().st_ino == self.inode:
                self.path.unlink()
        deadline = time.monotonic() + 600
        while self.active and time.monotonic() < deadline:
            time.sleep(0.2)
        self.close()

    def _bind(self) -> socket.socket:
        """Bind at a private name with a closed umask, then rename into place: the socket is
        never, even for a moment, open to others."""
        tmp = self.folder / f".service.{os.getpid()}.sock"
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)
        try:
            listener.bind(str(tmp))
        finally:
            os.umask(old)
        listener.listen(16)
        tmp.replace(self.path)
        self.inode = self.path.stat().st_ino
        return listener

    def _record(self) -> None:
        (self.folder / "service.json").write_text(json.dumps({"pid": os.getpid()}))

    def _warm_up(self) -> None:
        """Start what the first command will want, while it is being read and rendered."""
        self.zygote.Process(target=_nothing).start()  # starts the zygote: imports the stack
        with contextlib.suppress(ReferatbyggError):
            self.office.start()  # a command's conversion waits for it (WarmConverter's turn)
        with contextlib.suppress(ReferatbyggError):
            engine = self._engine()
            engine.validate(verapdf.CANARY / "pass-6-1-3-t01-a.pdf", "2b")
            self.engines.put(engine)

    def _note_office(self, group: int) -> None:
        data = {"pid": os.getpid(), "office_group": group}
        (self.folder / "service.json").write_text(json.dumps(data))

    def close(self) -> None:
        self.stopping.set()
        if self.listener is not None:
            self.listener.close()
        with contextlib.suppress(OSError):
            if self.path.stat().st_ino == self.inode:  # still ours, not a successor's
                self.path.unlink()
        self.office.close()
        while not self.engines.empty():
            self.engines.get().stop()
        with contextlib.suppress(OSError):
            (self.folder / "service.json").unlink()

    # -- connections -------------------------------------------------------------------------

    def _handle(self, conn: socket.socket) -> None:
        reader = wire.Reader(conn)
        try:
            _pid, uid = wire.peer(conn)
            if uid != os.getuid():
                return  # another user's process (the socket is 0600: should not happen)
            message = reader.next(30)
            if message is None:
                return
            op = message.get("op")
            if op == "run":
                self._run(conn, reader, message)
            elif op == "convert":
                self._answer(conn, self._convert, message)
            elif op == "validate":
                self._answer(conn, self._validate, message)
            elif op == "ping":
                wire.send(conn, self.status())
            elif op == "stop":
                self.stopping.set()
                wire.send(conn, {"stopping": True})
        except (OSError, ValueError) as exc:
            log.info("connection ended: %s", exc)
        finally:
            for fd in reader.fds:
                with contextlib.suppress(OSError):
                    os.close(fd)
            conn.close()

    def status(self) -> dict[str, Any]:
        with self.lock:
            return {"pid": os.getpid(), "code": self.code, "since": self.started,
                    "active": self.active, "peak": self.peak, "served": self.served,
                    "pool": self.pool, "idle": self.idle, "engines": self.engine_count,
                    "office": self.office.pid}  # fmt: skip

    def _answer(self, conn: socket.socket, work: Any, message: dict[str, Any]) -> None:
        try:
            answer = work(message)
        except ReferatbyggError as exc:
            answer = {"error": {"type": type(exc).__name__, "message": exc.message,
                                "hint": exc.hint}}  # fmt: skip
        except Exception as exc:  # reported to the command, which fails with it
            log.exception("serving %s", message.get("op"))
            answer = {"error": {"type": "ReferatbyggError", "hint": None,
                                "message": f"the background service failed: {exc}"}}  # fmt: skip
        wire.send(conn, answer)

    def _convert(self, message: dict[str, Any]) -> dict[str, Any]:
        self.office.convert(Path(message["src"]), Path(message["dst"]), message["level"])
        return {"ok": True}

    def _engine(self) -> verapdf.Validator:
        with self.lock:
            make = self.engine_count < self.pool
            if make:
                self.engine_count += 1
        # Long-lived engines on an interactive machine: both compilers (verapdf.program).
        return verapdf.Validator("full") if make else self.engines.get()

    def _validate(self, message: dict[str, Any]) -> dict[str, Any]:
        try:
            engine = self.engines.get_nowait()
        except queue.Empty:
            engine = self._engine()  # a new one, or the next one free when the pool is full
        try:
            result = engine.validate(Path(message["pdf"]), message["flavour"],
                                     float(message.get("timeout", 600)))  # fmt: skip
        finally:
            self.engines.put(engine)
        return {"result": result.as_dict()}

    # -- commands ----------------------------------------------------------------------------

    def _run(self, conn: socket.socket, reader: wire.Reader, message: dict[str, Any]) -> None:
        if message.get("code") != self.code:
            # Another version of the code than the client's: let a new service take over.
            wire.send(conn, {"stale": True})
            self.stopping.set()
            return
        if len(reader.fds) != 3:
            wire.send(conn, {"refused": "expected the command's stdin, stdout and stderr"})
            return
        fds, reader.fds = reader.fds, []
        if not self.slots.acquire(blocking=False):
            wire.send(conn, {"queued": True})
            while not self.slots.acquire(timeout=wire.HEARTBEAT):
                wire.send(conn, {"alive": True})
        with self.lock:
            self.active += 1
            self.peak = max(self.peak, self.active)
        try:
            self._supervise(conn, reader, fds, message)
        finally:
            with self.lock:
                self.active -= 1
                self.served += 1
                self.last_work = time.monotonic()
            self.slots.release()

    def _supervise(
        self, conn: socket.socket, reader: wire.Reader, fds: list[int], message: dict[str, Any]
    ) -> None:
        boxes = [_Fd(fd) for fd in fds]
        worker = self.zygote.Process(
            target=run_command, args=(boxes, message, str(self.path), self.command), daemon=False
        )
        worker.start()
        for fd in fds:
            os.close(fd)  # the worker has its own copies now
        wire.send(conn, {"started": worker.pid})
        watch: list[Any] = [worker.sentinel, conn]
        interrupted = 0.0
        killed = False
        while True:
            ready, _, _ = select.select(watch, [], [], wire.HEARTBEAT)
            if worker.sentinel in ready:
                worker.join()
                break
            if conn in ready:
                note = _read(reader)
                if note is None or note.get("interrupt"):
                    # The client was interrupted or went away: so is the command.
                    if worker.pid and not interrupted:
                        os.kill(worker.pid, signal.SIGINT)
                        interrupted = time.monotonic()
                    if note is None:
                        watch = [worker.sentinel]
            if interrupted and not killed and time.monotonic() - interrupted > GRACE:
                worker.kill()
                killed = True
            if conn in watch:
                with contextlib.suppress(OSError):
                    wire.send(conn, {"alive": True})
        code = worker.exitcode if worker.exitcode is not None else 70
        if killed:
            # Stopped outright because it was interrupted and did not end in time (a loaded
            # machine): the user's Ctrl-C ended it, and that is what its exit code says.
            code = int(ExitCode.interrupted)
        with contextlib.suppress(OSError):
            wire.send(conn, {"exit": code if code >= 0 else 128 - code, "killed": killed})


def _nothing() -> None:
    pass


class _Fd:
    """A file descriptor handed to the worker through the zygote (pickled as a duplicate)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def __reduce__(self) -> tuple[Any, ...]:
        from multiprocessing.reduction import DupFd

        return (_detach, (DupFd(self.fd),))


def _detach(dup: Any) -> int:
    fd: int = dup.detach()
    return fd


def _read(reader: wire.Reader) -> dict[str, Any] | None:
    try:
        return reader.next(0.5)
    except (OSError, ValueError):
        return None


def main(idle: float, pool: int, command: Command) -> int:
    """Serve until idle. ``command`` runs a command's arguments in a worker: the CLI's ``main``,
    handed in by ``__main__`` (the service runs the command line; it does not import it)."""
    import fcntl  # Unix only, as the service is

    folder = private_dir()
    lock = (folder / "service.lock").open("w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return 0  # another service is starting or running; the client will find it
    _clear_leftovers(folder)
    service = Service(folder, command, idle=idle, pool=pool)
    signal.signal(signal.SIGTERM, lambda *_: service.stopping.set())
    signal.signal(signal.SIGINT, lambda *_: service.stopping.set())
    try:
        service.serve()
    finally:
        service.close()
    return 0


def _clear_leftovers(folder: Path) -> None:
    """A service killed outright leaves its LibreOffice running: stop it (the JVMs end with
    their stdin)."""
    try:
        data = json.loads((folder / "service.json").read_text())
    except (OSError, ValueError):
        return
    group = data.get("office_group")
    if not group or wire.alive(int(data.get("pid", 0))):
        return
    if any(p.pgrp == group for p in proc.processes("soffice.bin")) or _is_unoserver(group):
        with contextlib.suppress(OSError):
            os.killpg(group, signal.SIGKILL)


def _is_unoserver(pid: int) -> bool:
    try:
        return b"unoserver" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
