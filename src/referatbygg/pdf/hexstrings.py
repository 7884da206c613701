"""pyHanko's reader of PDF hex strings, read a block at a time instead of a byte at a time.

A signature's ``/Contents`` is a hex string of tens of kilobytes (the CMS with certificates,
revocation data and timestamp); pyHanko reads it one byte and three function calls per digit,
and reads it again for every reader that opens the file — a tenth of a second per signing or
verification here. :func:`install` replaces that reader with one that takes the common case —
hex digits and whitespace up to the closing ``>`` — in one step, and hands anything else
(comments, stray bytes, a missing ``>``) to pyHanko's own reader from the same position, so
that every verdict and every error is pyHanko's. tests/test_hexstrings.py checks both give the
same result on a corpus of valid and malformed strings.
"""

from __future__ import annotations

import binascii
import os
import re
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PDF_WHITESPACE

_ORIGINAL = generic.read_hex_string_from_stream
_HEX = re.compile(rb"[0-9a-fA-F]*")
_BLOCK = 1 << 16


def read_hex_string(stream: Any) -> Any:
    """Same contract as :func:`pyhanko.pdf_utils.generic.read_hex_string_from_stream`: the
    stream is at ``<``; afterwards it is just past the closing ``>``."""
    start = stream.tell()
    data = b""
    end = -1
    while end < 0:
        block = stream.read(_BLOCK)
        if not block:
            break
        end = block.find(b">")
        data += block if end < 0 else block[:end]
        if end >= 0:
            end = len(data)
    if end < 0 or b"%" in data:
        stream.seek(start, os.SEEK_SET)
        return _ORIGINAL(stream)
    digits = data[1:].translate(None, PDF_WHITESPACE)
    if not _HEX.fullmatch(digits):
        stream.seek(start, os.SEEK_SET)
        return _ORIGINAL(stream)  # raises pyHanko's own error for the stray byte
    stream.seek(start + end + 1, os.SEEK_SET)
    if len(digits) % 2:
        digits += b"0"
    return generic.pdf_string(binascii.unhexlify(digits))


def install() -> None:
    generic.read_hex_string_from_stream = read_hex_string
