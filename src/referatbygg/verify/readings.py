"""Two readings of the same file: does it show the same pages to every reader?

A strict reader follows the cross-reference chain; viewers that meet a damaged chain rebuild it by
scanning the file for object bodies, and the last body of an object wins (qpdf, pikepdf, poppler,
MuPDF do this). An attacker who can make the two readings differ shows the signer one document and
the reader another. qpdf plays both parts here: once reading the file as it is, with recovery
switched off, and once made to rebuild its cross-reference table (the last startxref pointer is
blanked, which forces the scan). Each page is then reduced to a fingerprint of everything it
shows — content streams, resources, annotations and their appearances, recursively, streams as
stored — and any difference is named by page.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from typing import Any

from .structure import plain

log = logging.getLogger(__name__)

# Back-links to the page tree and from annotations to pages: not part of what a page shows.
_SKIP = {"/Parent", "/P"}
_LAST_STARTXREF = re.compile(rb"startxref[ \t\r\n\f\x00]*(\d+)")


def compare(data: bytes) -> list[str]:
    """Differences between a strict and a recovering reading of ``data`` (empty: none)."""
    import pikepdf

    try:
        strict = pikepdf.open(io.BytesIO(data), attempt_recovery=False)
    except Exception as exc:  # pikepdf.PdfError and friends
        log.info("qpdf cannot read the file strictly", exc_info=True)
        return [f"qpdf cannot read the file without repairing it ({plain(exc)})"]
    try:
        recovering = pikepdf.open(io.BytesIO(_force_rebuild(data)), attempt_recovery=True)
    except Exception as exc:
        log.info("qpdf cannot rebuild the file", exc_info=True)
        return [f"qpdf cannot rebuild the file's cross-reference table ({plain(exc)})"]
    with strict, recovering:
        try:
            seen = [_fingerprint(p.obj) for p in strict.pages]
            rebuilt = [_fingerprint(p.obj) for p in recovering.pages]
        except Exception as exc:
            log.info("page comparison failed", exc_info=True)
            return [f"the pages cannot be read for comparison ({plain(exc)})"]
        # qpdf's own warnings (what it works around) are not findings by themselves: the strict
        # structure check has judged the file; what counts here is what each reading shows.
        for warning in strict.get_warnings()[:5]:
            log.info("qpdf: %s", warning)
    problems: list[str] = []
    if len(seen) != len(rebuilt):
        problems.append(
            f"a strict reader sees {len(seen)} page(s), a reader that rebuilds the "
            f"cross-reference table sees {len(rebuilt)}"
        )
    differing = [str(n) for n, (a, b) in enumerate(zip(seen, rebuilt, strict=False), 1) if a != b]
    if differing:
        problems.append(
            f"page(s) {', '.join(differing)} differ between a strict reading and a reading that "
            "rebuilds the cross-reference table (as many viewers do): content hidden from the "
            "signature check"
        )
    return problems


def _force_rebuild(data: bytes) -> bytes:
    """``data`` with its last startxref pointer blanked, so that qpdf must scan the file."""
    matches = list(_LAST_STARTXREF.finditer(data))
    if not matches:
        return data
    last = matches[-1]
    return data[: last.start(1)] + b"0" * len(last.group(1)) + data[last.end(1) :]


def _fingerprint(obj: Any) -> str:
    return _Walker().digest(obj)


class _Walker:
    """A digest of an object and everything it refers to (each indirect object once)."""

    def __init__(self) -> None:
        self.memo: dict[tuple[int, int], str] = {}
        self.active: set[tuple[int, int]] = set()

    def digest(self, obj: Any) -> str:
        import pikepdf

        if isinstance(obj, pikepdf.Object) and obj.is_indirect:
            key = obj.objgen
            if key in self.memo:
                return self.memo[key]
            if key in self.active:  # a cycle: name it, do not follow it
                return f"cycle {key}"
            self.active.add(key)
            try:
                self.memo[key] = self._direct(obj)
            finally:
                self.active.discard(key)
            return self.memo[key]
        return self._direct(obj)

    def _direct(self, obj: Any) -> str:
        import pikepdf

        h = hashlib.sha256()
        if isinstance(obj, pikepdf.Stream):
            # The stored bytes: both readings decode them alike, and not decoding every font
            # program and image keeps the comparison cheap.
            h.update(b"stream")
            h.update(obj.read_raw_bytes())
            self._keys(h, obj)
        elif isinstance(obj, pikepdf.Dictionary):
            h.update(b"dict")
            self._keys(h, obj)
        elif isinstance(obj, pikepdf.Array):
            h.update(b"array")
            for item in obj:
                h.update(self.digest(item).encode())
        else:
            h.update(repr(obj).encode())
        return h.hexdigest()

    def _keys(self, h: Any, obj: Any) -> None:
        for key in sorted(obj.keys()):
            if key not in _SKIP:
                h.update(key.encode() + b"=" + self.digest(obj[key]).encode())
