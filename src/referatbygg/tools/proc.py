"""The one wrapper through which every external program runs.

Argument lists only (no shell), a timeout, the child in its own process group so that a timeout
kills LibreOffice's or Java's children too, and the command and its stderr logged. Tests inject
faults by patching :func:`run` or :func:`spawn`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import subprocess
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import DependencyError

log = logging.getLogger(__name__)

# The children run() is waiting for, so that an interrupted command can stop them instead of
# waiting for them (a 400-page attachment in Ghostscript outlasts the service's patience).
_RUNNING: set[subprocess.Popen[str]] = set()
_RUNNING_LOCK = threading.Lock()


class ToolTimeout(Exception):
    def __init__(self, args: Sequence[str], timeout: float) -> None:
        super().__init__(f"{Path(args[0]).name} did not finish within {timeout:g} s")
        self.timeout = timeout


@dataclass(frozen=True)
class Result:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


@dataclass(frozen=True)
class ProcessInfo:
    pid: int
    state: str  # 'R', 'S', 'Z' (zombie), 'T' (stopped) …
    pgrp: int


def processes(name: str) -> list[ProcessInfo]:
    """Processes called ``name`` (Linux /proc), e.g. to find LibreOffice's soffice.bin."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        if comm == name:
            found.append(ProcessInfo(int(entry.name), fields[0], int(fields[2])))
    return found


def which(program: str, *, package: str) -> str:
    """The program's path, or a DependencyError that says which Debian package provides it."""
    found = shutil.which(program)
    if not found:
        raise DependencyError(
            f"'{program}' was not found on PATH",
            hint=f"install it with: apt-get install {package} (scripts/setup.sh does this)",
        )
    return found


def kill_group(proc: subprocess.Popen[bytes] | subprocess.Popen[str]) -> None:
    """Kill the child's whole process group and reap the child. (A server that should end
    its own children first is sent SIGTERM by its supervisor: WarmConverter.stop.)"""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:  # pragma: no cover - a zombie that will not die
        log.warning("process %s did not exit after SIGKILL", proc.pid)


def run(
    args: Sequence[str],
    *,
    timeout: float,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Result:
    """Run ``args`` to completion; raise ToolTimeout (after killing the group) if it overruns."""
    argv = tuple(str(a) for a in args)
    log.info("run: %s", " ".join(argv))
    full_env = {**os.environ, **env} if env else None
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        env=full_env,
        cwd=cwd,
        start_new_session=True,
    )
    with _RUNNING_LOCK:
        _RUNNING.add(proc)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        raise ToolTimeout(argv, timeout) from None
    except BaseException:
        kill_group(proc)
        raise
    finally:
        with _RUNNING_LOCK:
            _RUNNING.discard(proc)
    if err.strip():
        log.debug("%s stderr: %s", Path(argv[0]).name, err.strip()[-2000:])
    return Result(argv, proc.returncode, out, err)


def stop_all() -> int:
    """Kill every child :func:`run` is waiting for, in any thread of this process (their runs
    end as killed programs do); how many there were. For a command that was interrupted."""
    with _RUNNING_LOCK:
        running = list(_RUNNING)
    for proc in running:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
    return len(running)


def spawn(
    args: Sequence[str], *, env: Mapping[str, str] | None = None, log_file: Path | None = None
) -> subprocess.Popen[bytes]:
    """Start a long-running child (a server) in its own process group."""
    argv = [str(a) for a in args]
    log.info("spawn: %s", " ".join(argv))
    out = log_file.open("ab") if log_file else subprocess.DEVNULL
    try:
        return subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT if log_file else subprocess.DEVNULL,
            env={**os.environ, **env} if env else None,
            start_new_session=True,
        )
    finally:
        if log_file and not isinstance(out, int):
            out.close()
