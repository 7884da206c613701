"""The user's private runtime folder: where the background service's socket lives and where
commands share what they fetched (signing/sharedtrust.py).

``$REFERATBYGG_RUNTIME_DIR``, else ``$XDG_RUNTIME_DIR/referatbygg``, else
``/tmp/referatbygg-<uid>``. It must be ours and closed to others (0700): a folder someone else
made to catch ours is refused, never used.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

RUNTIME_ENV = "REFERATBYGG_RUNTIME_DIR"  # the folder, for tests and unusual set-ups


class Unsafe(Exception):
    """A socket or folder that is not ours alone: never used."""


def runtime_dir() -> Path:
    if base := os.environ.get(RUNTIME_ENV):
        return Path(base)
    xdg = os.environ.get("XDG_RUNTIME_DIR")
    if xdg and Path(xdg).is_dir():
        return Path(xdg) / "referatbygg"
    return Path(tempfile.gettempdir()) / f"referatbygg-{os.getuid()}"


def private_dir() -> Path:
    """The runtime folder, made if missing; Unsafe unless it is ours and closed to others."""
    folder = runtime_dir()
    with contextlib.suppress(FileExistsError):
        folder.mkdir(mode=0o700)
    st = os.lstat(folder)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
        raise Unsafe(f"{folder} is not a folder of this user")
    if st.st_mode & 0o077:
        raise Unsafe(f"{folder} is open to other users (mode {stat.S_IMODE(st.st_mode):o})")
    return folder
