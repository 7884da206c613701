"""A warm JVM: a small Java program of ours, compiled once, answering many requests.

A JVM costs seconds to start; a validation a fraction of that. So a program in ``java/`` is
compiled with javac on first use (cached by the hash of its source and its classpath), started
once per process and kept running: one request line in, answer lines out until ``END``. A request
that overruns its timeout kills the JVM's process group; a crash restarts it once.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import DependencyError, ValidationError
from . import proc

log = logging.getLogger(__name__)
SOURCES = Path(__file__).parent / "java"
JDK = "default-jdk-headless"


@dataclass(frozen=True)
class JavaProgram:
    name: str  # the class with main(), in java/<name>.java
    classpath: tuple[Path, ...]
    options: tuple[str, ...] = ()

    @property
    def source(self) -> Path:
        return SOURCES / f"{self.name}.java"


def cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "referatbygg"


def compiled(program: JavaProgram) -> Path:
    """The folder holding the program's classes, compiled now if needed."""
    digest = hashlib.sha256(program.source.read_bytes())
    for jar in program.classpath:
        digest.update(f"{jar}:{jar.stat().st_size}".encode())
    target = cache_dir() / "java" / f"{program.name}-{digest.hexdigest()[:16]}"
    if (target / f"{program.name}.class").is_file():
        return target
    javac = shutil.which("javac")
    if javac is None:
        raise DependencyError(
            f"javac is needed once to compile {program.source.name}",
            hint=f"apt-get install {JDK}",
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".compile-", dir=target.parent))
    try:
        cp = ":".join(str(j) for j in program.classpath)
        res = proc.run([javac, "-cp", cp, "-d", str(tmp), str(program.source)], timeout=300)
        if res.returncode != 0 or not (tmp / f"{program.name}.class").is_file():
            raise DependencyError(
                f"{program.source.name} does not compile: {res.stderr.strip()[-400:]}"
            )
        with contextlib.suppress(OSError):  # another process may have compiled it first
            tmp.rename(target)
        return target
    except proc.ToolTimeout as exc:
        raise DependencyError(f"compiling {program.source.name} timed out ({exc})") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class Crashed(Exception):
    """The JVM ended while answering."""


class LineServer:
    """One warm JVM answering requests one at a time (a lock serialises threads)."""

    def __init__(self, program: JavaProgram, *, start_timeout: float = 120) -> None:
        self.program = program
        self.start_timeout = start_timeout
        self._proc: subprocess.Popen[str] | None = None
        self._lines: queue.Queue[str | None] = queue.Queue()
        self.lock = threading.Lock()
        self.banner = ""
        self.generation = 0  # counts starts: a restarted JVM is a new one

    def _start(self) -> None:
        java = proc.which("java", package="default-jre-headless")
        cp = ":".join([*(str(j) for j in self.program.classpath), str(compiled(self.program))])
        self._lines = queue.Queue()
        child = subprocess.Popen(
            [java, *self.program.options, "-cp", cp, self.program.name],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True, encoding="utf-8", start_new_session=True,
        )  # fmt: skip
        lines = self._lines

        def pump() -> None:
            assert child.stdout is not None
            for line in child.stdout:
                lines.put(line.rstrip("\n"))
            lines.put(None)

        threading.Thread(target=pump, daemon=True).start()
        self._proc = child
        first = self._next(time.monotonic() + self.start_timeout, "start")
        if first is None or not first.startswith("READY"):
            self.stop()
            why = first.partition("\t")[2] if first else "it exited at once"
            raise DependencyError(f"{self.program.name} did not start: {why}")
        self.banner = first.partition("\t")[2]
        self.generation += 1
        log.info("%s started (pid %s): %s", self.program.name, child.pid, self.banner)

    def _next(self, deadline: float, what: str) -> str | None:
        try:
            return self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            self.stop()
            raise ValidationError(
                f"{self.program.name} did not answer within the time allowed ({what})"
            ) from None

    def ask(self, request: str, timeout: float) -> list[str]:
        """Send one request; return its answer lines (without END)."""
        with self.lock:
            for attempt in (1, 2):
                if self._proc is None or self._proc.poll() is not None:
                    self._start()
                try:
                    return self._ask(request, timeout)
                except Crashed:
                    self.stop()
                    if attempt == 2:
                        raise ValidationError(f"{self.program.name} crashed twice") from None
            raise AssertionError("unreachable")

    def _ask(self, request: str, timeout: float) -> list[str]:
        assert self._proc is not None and self._proc.stdin is not None
        try:
            self._proc.stdin.write(request + "\n")
            self._proc.stdin.flush()
        except OSError:
            raise Crashed() from None
        deadline = time.monotonic() + timeout
        answer: list[str] = []
        while True:
            line = self._next(deadline, request.rsplit("\t", 1)[-1])
            if line is None:
                raise Crashed()
            if line == "END":
                return answer
            answer.append(line)

    def stop(self) -> None:
        if self._proc is not None:
            if self._proc.stdin:
                with contextlib.suppress(OSError):
                    self._proc.stdin.close()
            # Nothing of value is lost by stopping it outright (it writes no files), and a JVM's
            # orderly shutdown costs a quarter of a second at the end of every command.
            proc.kill_group(self._proc)
            self._proc = None


def classpath_of(jars: Sequence[Path], *, hint: str) -> tuple[Path, ...]:
    """``jars`` if all exist; else a DependencyError naming the missing ones."""
    missing = [str(j) for j in jars if not j.is_file()]
    if missing:
        raise DependencyError(f"missing: {', '.join(missing)}", hint=hint)
    return tuple(jars)
