"""How verify's time grows with the number of revisions in a file.

A signed file with N empty incremental updates appended (each a cross-reference section and a
trailer, nothing else — the cheapest revision an attacker can add): verify must read each
revision strictly, so its time grows with N; it must not grow with N squared (one reader per
revision, each reading every revision before it, took 3 min 33 s for 1,500).

    .venv/bin/python bench/revisions.py              # N = 0, 100, 500, 1500
    .venv/bin/python bench/revisions.py 3000
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("REFERATBYGG_SERVICE", "off")

from referatbygg.config import Config  # noqa: E402
from referatbygg.pipeline import run  # noqa: E402
from referatbygg.signing.trust import trust  # noqa: E402
from referatbygg.verify import verify  # noqa: E402


def empty_updates(data: bytes, count: int) -> bytes:
    """``count`` incremental updates that define nothing, each pointing at the one before."""
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader

    trailer = PdfFileReader(io.BytesIO(data), strict=False).trailer
    size, root = int(trailer["/Size"]), trailer.raw_get("/Root")
    out = bytearray(data if data.endswith(b"\n") else data + b"\n")
    prev = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
    for _ in range(count):
        at = len(out)
        out += (
            f"xref\n0 0\ntrailer\n<< /Size {size} /Root {root.idnum} {root.generation} R".encode()
        )
        out += f" /Prev {prev} >>\nstartxref\n{at}\n%%EOF\n".encode()
        prev = at
    return bytes(out)


def main() -> None:
    counts = [int(a) for a in sys.argv[1:]] or [0, 100, 500, 1500]
    config = Config(demo=True)
    with tempfile.TemporaryDirectory() as scratch:
        result = run(ROOT / "meetings/politiradet/2023-01-13.toml", Path(scratch), config)
        signed = (result.status.out_dir / "referat.pdf").read_bytes()
        roots = trust(config).roots
        print(f"{'revisions added':>16} {'verify (s)':>11}  verdict")
        for count in counts:
            pdf = Path(scratch) / f"r{count}.pdf"
            pdf.write_bytes(empty_updates(signed, count))
            started = time.perf_counter()
            report = verify(pdf, roots)
            took = time.perf_counter() - started
            print(f"{count:16d} {took:11.2f}  {'VALID' if report.valid else 'NOT VALID'}: "
                  f"{report.summary[:90]}")  # fmt: skip


if __name__ == "__main__":
    main()
