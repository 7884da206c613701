"""The block reader of hex strings gives exactly what pyHanko's own reader gives: the same
value, the same stream position after it, the same error — on valid and malformed strings."""

from __future__ import annotations

import random
from io import BytesIO

import pytest

from referatbygg.pdf import hexstrings

CASES = [
    b"<>", b"<41>", b"<414>", b"<4 1\n4\r2\t4\f3\x0044>", b"<  >", b"<DEADbeef>",
    b"<41%comment\n42>", b"<41 % more > than it seems\n42>", b"<41g2>", b"<41", b"<",
    b"<4142>>", b"<41>rest", b"< 4 >trailing<42>", b"<41(42)>", b"<41\xff>", b"<4142",
    b"<" + b"30" * 70000 + b">", b"<" + b"3" * 70001 + b">", b"<" + b"0a " * 30000 + b"%>x\n>",
    b"<" + b"ab" * 40000,
]  # fmt: skip


def _random_cases(n: int) -> list[bytes]:
    rng = random.Random(19005)
    alphabet = b"0123456789abcdefABCDEF \n\r\t\f\x00%gZ<>()"
    out = []
    for _ in range(n):
        body = bytes(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        out.append(b"<" + body + rng.choice([b">", b"", b">tail"]))
    return out


def _read(reader: object, data: bytes) -> tuple[object, ...]:
    stream = BytesIO(data)
    try:
        value = reader(stream)  # type: ignore[operator]
    except Exception as exc:
        return ("error", type(exc), str(exc))
    return ("ok", type(value), bytes(value.original_bytes), stream.tell())


@pytest.mark.parametrize("data", CASES + _random_cases(400))
def test_same_as_pyhanko(data: bytes) -> None:
    assert _read(hexstrings.read_hex_string, data) == _read(hexstrings._ORIGINAL, data)


def test_installed() -> None:
    from pyhanko.pdf_utils import generic

    import referatbygg.verify  # noqa: F401  (installs it)

    assert generic.read_hex_string_from_stream is hexstrings.read_hex_string
