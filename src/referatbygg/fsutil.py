"""Writing outputs safely: whole files or nothing, never over a signed file by accident.

A file is written as ``.<name>.<pid>.<random>.part`` beside its target and renamed onto it when
complete. A process killed mid-write leaves its part file; the next command in that folder
removes part files whose process is gone (:func:`clean_parts`). Outputs get the permissions the
user's umask gives new files; only secrets are written 0600 (demopki.py).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import OutputError

_PART = re.compile(r"^\..+\.(\d+)\.[^.]+\.part$")
# Errors that are the machine's, not the input's or ours: said as such, naming the folder.
_NO_ROOM = (errno.ENOSPC, errno.EDQUOT)
_NOT_WRITABLE = (errno.EROFS, errno.EACCES, errno.EPERM)
LOW_SPACE = 16 * 1024 * 1024  # below this, a failed conversion is blamed on the disk


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target``; renamed onto it only if the block succeeds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{target.name}.{os.getpid()}.", suffix=".part", dir=target.parent
    )
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        tmp_path.chmod(0o666 & ~_umask())  # mkstemp makes 0600: outputs are ordinary files
        tmp_path.replace(target)
    finally:
        tmp_path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_parts(folder: Path) -> list[Path]:
    """Remove part files in ``folder`` (not below) left by processes that no longer run."""
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for entry in folder.iterdir():
        found = _PART.match(entry.name)
        if found and entry.is_file() and not _alive(int(found.group(1))):
            entry.unlink(missing_ok=True)
            removed.append(entry)
    return removed


def problem_writing(exc: BaseException, folder: Path) -> OutputError | None:
    """An OutputError when ``exc`` is the machine refusing to write in ``folder`` (disk full,
    read-only, no permission), else None. LibreOffice and Ghostscript do not say "disk full":
    they fail, or write a truncated file; so any failure while the disk is nearly full is
    reported as the disk being full — except a problem with the input, which stays that."""
    from .errors import InputError

    if isinstance(exc, OSError) and exc.errno in _NO_ROOM:
        return disk_full(folder)
    written = isinstance(exc, OSError) and (
        exc.filename is None or Path(exc.filename).resolve().is_relative_to(folder.resolve())
    )
    if isinstance(exc, OSError) and written and exc.errno in _NOT_WRITABLE:
        where = exc.filename or folder
        return OutputError(f"cannot write {where}: {exc.strerror}",
                           hint="check the permissions of the output folder (--out)")  # fmt: skip
    blameless = isinstance(exc, Exception) and not isinstance(exc, InputError | OutputError)
    if blameless and free_space(folder) < LOW_SPACE:
        return disk_full(folder)
    return None


def disk_full(folder: Path) -> OutputError:
    return OutputError(
        f"the disk is full: no room to write in {folder} "
        f"({free_space(folder) / 2**20:.1f} MB free)",
        hint="free some space or choose another output folder with --out; nothing was replaced",
    )


def free_space(folder: Path) -> int:
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            try:
                return shutil.disk_usage(candidate).free
            except OSError:
                return 1 << 62
    return 1 << 62


def write_atomic(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """An exclusive lock on ``path`` (created if needed), held for the block.

    Two runs on the same meeting (two batches over one folder, or a batch and a user) take
    turns instead of writing into each other's work folder. The lock is the kernel's (flock):
    it goes away with the process, so a crash never leaves a stale lock behind.
    """
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def replace_folder(staging: Path, folder: Path) -> None:
    """Put the finished ``staging`` folder in place of ``folder``: the old one is moved aside
    first and removed after, so there is always a whole one."""
    old = folder.with_name(f".{folder.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if folder.exists():
        folder.rename(old)
    staging.rename(folder)
    shutil.rmtree(old, ignore_errors=True)


def write_zip(folder: Path, target: Path, inside: Path | None = None) -> Path:
    """Every file below ``folder`` into the zip ``target``, atomically: under ``inside``, or
    flat (file names alone, the top of ``folder``)."""
    import zipfile

    # A zip's timestamps hold the years 1980..2107 only: a file dated outside (a machine whose
    # clock is wrong, a file touched to 1970) is stamped at the nearest end, not refused.
    with (
        atomic_path(target) as tmp,
        zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, strict_timestamps=False) as zf,
    ):
        for file in sorted(folder.rglob("*") if inside else folder.iterdir()):
            if file.is_file():
                zf.write(file, inside / file.relative_to(folder) if inside else file.name)
    return target
