"""The files a meeting reads: inside its folder tree, regular files, of a bounded size.

A meeting file names other files — its body file, its attachments, agreements built from their
own TOML. Each must lie inside the meeting's folder tree (the folder of the body it belongs to, or
a root given with ``--root``): no ``..`` above it, no absolute path, no symbolic link pointing out.
Each must be a regular file (not a folder, a device such as /dev/zero, or a pipe that would block
the reader) and no larger than a limit, checked before it is read.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError

TOML_LIMIT = 2 * 1024 * 1024  # a meeting or body file: text, never this large
BODY_FILE = "organ.toml"


def default_root(meeting_file: Path) -> Path:
    """The folder tree a meeting may read from: the nearest folder (its own, or the one above,
    as for agreements in avtaler/) that holds a body file; else the meeting file's folder."""
    folder = meeting_file.resolve().parent
    for candidate in (folder, folder.parent):
        if (candidate / BODY_FILE).is_file():
            return candidate
    return folder


@dataclass(frozen=True)
class Found:
    path: Path | None
    problem: str | None  # what is wrong, as the end of a sentence about the file


def find(root: Path, base: Path, given: Path | str, *, limit: int) -> Found:
    """``given``, relative to ``base``, as a readable regular file inside ``root``."""
    text = str(given)
    if "\x00" in text:
        return Found(None, "the file name contains a NUL character")
    if Path(text).is_absolute():
        return Found(None, "an absolute path; give it relative to the meeting file")
    candidate = base / text
    try:
        real = Path(os.path.realpath(candidate, strict=True))
    except FileNotFoundError:
        return Found(None, "file not found")
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return Found(None, "a loop of symbolic links")
        return Found(None, f"cannot be opened ({exc.strerror})")
    inside = Path(os.path.realpath(root))
    if not real.is_relative_to(inside):
        return Found(None, f"outside the meeting's folder ({inside}): reached through "
                     "'..', an absolute path or a symbolic link")  # fmt: skip
    try:
        info = real.stat()
    except OSError as exc:
        return Found(None, f"cannot be opened ({exc.strerror})")
    if not stat.S_ISREG(info.st_mode):
        return Found(None, "not a regular file (a folder, a device or a pipe)")
    if info.st_size > limit:
        return Found(None, f"{info.st_size / 2**20:.0f} MB, more than the limit of "
                     f"{limit / 2**20:.0f} MB")  # fmt: skip
    return Found(real, None)


def check_file(path: Path, *, limit: int) -> None:
    """A file named on the command line: a regular file of bounded size (not confined)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot open it ({exc.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"{path}: not a regular file (a folder, a device or a pipe)")
    if info.st_size > limit:
        raise InputError(f"{path}: {info.st_size / 2**20:.0f} MB, more than the limit of "
                         f"{limit / 2**20:.0f} MB")  # fmt: skip
