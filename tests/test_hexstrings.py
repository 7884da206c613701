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


# --- the cross-reference history index --------------------------------------------------------


def test_the_xref_index_answers_as_pyhanko_walks() -> None:
    """On a file of many revisions — objects added and redefined, one revision after another —
    the indexed look-ups give exactly what pyHanko's own walk gives, for every object and every
    revision, and for references that are nowhere; and verify uses them."""
    import attacks as A
    import pikepdf
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.pdf_utils.xref import XRefCache

    import referatbygg.verify  # noqa: F401  (installs it)
    from referatbygg.pdf import xrefindex

    head = (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
            b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n")  # fmt: skip
    second = head.index(b"2 0 obj")
    table = f"xref\n0 3\n0000000000 65535 f \n0000000009 00000 n \n{second:010d} 00000 n \n"
    data = (
        head
        + table.encode()
        + f"trailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n{len(head)}\n%%EOF\n".encode()
    )
    # The same file written with object and cross-reference streams (pikepdf), updated after.
    out = BytesIO()
    with pikepdf.open(BytesIO(data)) as pdf:
        pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    streams = out.getvalue()
    for n in range(12):
        edit = {3 + n % 3: f"<< /N {n} >>".encode()} if n % 4 else {2: b"<< >>"}
        data, streams = A.update(data, edit), A.update(streams, edit)
    for file in (data, streams):
        xrefs = PdfFileReader(BytesIO(file), strict=False).xrefs
        assert xrefs.total_revisions == 13
        for ref in (generic.Reference(i, g) for i in range(8) for g in (0, 1)):
            assert _call(xrefindex.get_last_change, xrefs, ref) == _call(
                xrefindex._LAST_CHANGE, xrefs, ref)  # fmt: skip
            for revision in range(xrefs.total_revisions):
                assert xrefindex.get_historical_ref(xrefs, ref, revision) == (
                    xrefindex._HISTORICAL_REF(xrefs, ref, revision))  # fmt: skip
    assert XRefCache.get_last_change is xrefindex.get_last_change


def _call(func: object, *args: object) -> object:
    try:
        return func(*args)  # type: ignore[operator]
    except KeyError:
        return KeyError
