"""One file field of a multipart/form-data body that lies in a file, copied out without reading
the body into memory (the body of an upload is up to 100 MB; the email parser held twelve copies
of it). The parts are found by their boundary through a memory map and copied 1 MiB at a time.
"""

from __future__ import annotations

import mmap
import re
from pathlib import Path

CHUNK = 1 << 20


def boundary(content_type: str) -> bytes | None:
    """The boundary of a multipart/form-data Content-Type, or None for anything else."""
    if not content_type.lower().startswith("multipart/form-data"):
        return None
    found = re.search(r'boundary="?([^";]{1,70})"?', content_type)
    return found.group(1).encode("latin-1") if found else None


def copy_field(body: Path, content_type: str, name: str, dest: Path) -> bool:
    """Copy the content of the part named ``name`` to ``dest``; False when there is none (or
    the body is not multipart)."""
    mark = boundary(content_type)
    if mark is None or body.stat().st_size == 0:
        return False
    delimiter = b"--" + mark
    wanted = re.compile(rb'(?i)content-disposition:[^\r\n]*;\s*name="' + re.escape(name.encode())
                        + rb'"')  # fmt: skip
    with body.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        at = mm.find(delimiter)
        while at >= 0:
            head_start = at + len(delimiter)
            if mm[head_start : head_start + 2] == b"--":  # the closing delimiter
                return False
            head_end = mm.find(b"\r\n\r\n", head_start)
            if head_end < 0:
                return False
            following = mm.find(b"\r\n" + delimiter, head_end + 4)
            if following < 0:
                return False
            if wanted.search(mm[head_start:head_end]):
                with dest.open("wb") as out:
                    for start in range(head_end + 4, following, CHUNK):
                        out.write(mm[start : min(start + CHUNK, following)])
                return True
            at = following + 2
    return False
