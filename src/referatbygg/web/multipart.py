"""The fields of a multipart/form-data body that lies in a file, read without loading the body
into memory (an upload is up to hundreds of MB; the email parser held twelve copies of it). The
parts are found by their boundary through a memory map; a file field is copied out 1 MiB at a
time, a text field read only up to a small limit.
"""

from __future__ import annotations

import mmap
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

CHUNK = 1 << 20
TEXT_LIMIT = 1 << 16  # a text field longer than this is not one the forms send


def boundary(content_type: str) -> bytes | None:
    """The boundary of a multipart/form-data Content-Type, or None for anything else."""
    if not content_type.lower().startswith("multipart/form-data"):
        return None
    found = re.search(r'boundary="?([^";]{1,70})"?', content_type)
    return found.group(1).encode("latin-1") if found else None


@dataclass(frozen=True)
class Part:
    name: str
    filename: str | None
    start: int  # the content's first byte in the body
    end: int  # one past its last


def _parts(mm: mmap.mmap, mark: bytes) -> Iterator[Part]:
    delimiter = b"--" + mark
    at = mm.find(delimiter)
    while at >= 0:
        head_start = at + len(delimiter)
        if mm[head_start : head_start + 2] == b"--":  # the closing delimiter
            return
        head_end = mm.find(b"\r\n\r\n", head_start)
        following = mm.find(b"\r\n" + delimiter, head_end + 4) if head_end >= 0 else -1
        if following < 0:
            return
        head = mm[head_start:head_end].decode("utf-8", "replace")
        name = re.search(r'(?i)content-disposition:[^\r\n]*;\s*name="([^"]*)"', head)
        filename = re.search(r'(?i)content-disposition:[^\r\n]*;\s*filename="([^"]*)"', head)
        if name:
            yield Part(name.group(1), filename.group(1) if filename else None, head_end + 4,
                       following)  # fmt: skip
        at = following + 2


def read(body: Path, content_type: str) -> tuple[dict[str, str], dict[str, Part]]:
    """The text fields (each up to TEXT_LIMIT bytes, as text) and the file fields (where
    their content lies) of the form in ``body``."""
    mark = boundary(content_type)
    texts: dict[str, str] = {}
    files: dict[str, Part] = {}
    if mark is None or body.stat().st_size == 0:
        return texts, files
    with body.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        for part in _parts(mm, mark):
            if part.filename is not None:
                files.setdefault(part.name, part)
            elif part.end - part.start <= TEXT_LIMIT:
                texts.setdefault(part.name, mm[part.start : part.end].decode("utf-8", "replace"))
    return texts, files


def copy_part(body: Path, part: Part, dest: Path) -> None:
    """Copy a file field's content to ``dest``, 1 MiB at a time."""
    with body.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm,\
            dest.open("wb") as out:  # fmt: skip
        for start in range(part.start, part.end, CHUNK):
            out.write(mm[start : min(start + CHUNK, part.end)])


def copy_field(body: Path, content_type: str, name: str, dest: Path) -> bool:
    """Copy the content of the file field ``name`` to ``dest``; False when there is none."""
    _texts, files = read(body, content_type)
    part = files.get(name)
    if part is None:
        return False
    copy_part(body, part, dest)
    return True
