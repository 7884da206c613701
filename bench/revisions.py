"""How verify's and receive's time grows with the number of revisions in a file.

A signed file with N empty incremental updates appended (each a cross-reference section and a
trailer, nothing else — the cheapest revision an attacker can add): verify must read each
revision strictly, so its time grows with N; it must not grow with N squared (one reader per
revision, each reading every revision before it, took 3 min 33 s for 1,500). The same for
receive: the byrådsleder's signature made elsewhere comes back with N empty updates after it
(receive was killed at 180 s for 1,500).

    .venv/bin/python bench/revisions.py              # N = 0, 100, 500, 1500
    .venv/bin/python bench/revisions.py 3000
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("REFERATBYGG_SERVICE", "off")

from referatbygg.config import Config  # noqa: E402
from referatbygg.errors import ReferatbyggError  # noqa: E402
from referatbygg.pipeline import build, run  # noqa: E402
from referatbygg.signing import intake  # noqa: E402
from referatbygg.signing.trust import trust  # noqa: E402
from referatbygg.verify import verify  # noqa: E402


def empty_updates(data: bytes, count: int) -> bytes:
    """``count`` incremental updates that define nothing, each pointing at the one before."""
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader

    trailer = PdfFileReader(io.BytesIO(data), strict=False).trailer
    size, root = int(trailer["/Size"]), trailer.raw_get("/Root")
    # The file's /ID in each trailer, as PDF/A requires (6.1.3): the updates stay PDF/A.
    ids = " ".join(f"<{getattr(part, 'original_bytes', part).hex()}>" for part in trailer["/ID"])
    out = bytearray(data if data.endswith(b"\n") else data + b"\n")
    prev = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
    for _ in range(count):
        at = len(out)
        out += (
            f"xref\n0 0\ntrailer\n<< /Size {size} /Root {root.idnum} {root.generation} R "
            f"/ID [{ids}]".encode()
        )
        out += f" /Prev {prev} >>\nstartxref\n{at}\n%%EOF\n".encode()
        prev = at
    return bytes(out)


def signed_elsewhere(working: Path) -> bytes:
    """The byrådsleder's signature made outside referatbygg's signing step, as a PDF/A-aware
    tool makes it: pyHanko's library with the PDF/A-safe signer, the demo certificate, no
    timestamp."""
    import io

    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter

    from referatbygg.signing import pdfasafe
    from referatbygg.signing.credentials import demo_credentials
    from referatbygg.signing.demopki import DemoPki

    creds = demo_credentials("byradsleder", "Raymond Johansen", "Byrådsleder", DemoPki(),
                             "politiradet")  # fmt: skip
    meta = signers.PdfSignatureMetadata(field_name="byradsleder",
                                        subfilter=SigSeedSubFilter.PADES)  # fmt: skip
    out = io.BytesIO()
    writer = IncrementalPdfFileWriter(io.BytesIO(working.read_bytes()), strict=False)
    with pdfasafe.metadata_frozen():
        signer = pdfasafe.ArchivalPdfSigner(meta, creds.signer, stamp_style=pdfasafe.stamp_style())
        params = {"status": "Signert digitalt", "signer": "TEST Raymond Johansen",
                  "title": "Byrådsleder", "when": "i dag"}  # fmt: skip
        signer.sign_pdf(writer, output=out, appearance_text_params=params)
    return out.getvalue()


def receive_times(counts: list[int], config: Config, scratch: Path) -> dict[int, str]:
    built = build(ROOT / "meetings/politiradet/2023-01-13.toml", scratch / "built")
    assert built.pdf is not None
    returned = signed_elsewhere(built.pdf)
    times = {}
    for count in counts:
        folder = scratch / f"receive-{count}"
        shutil.copytree(built.pdf.parent, folder)
        back = scratch / f"retur-{count}.pdf"
        back.write_bytes(empty_updates(returned, count))
        started = time.perf_counter()
        try:
            intake.receive(back, folder / built.pdf.name, config)
            verdict = "taken in"
        except ReferatbyggError as exc:
            verdict = f"refused: {exc.message[-120:]}"
        times[count] = f"{time.perf_counter() - started:12.2f}  {verdict}"
    return times


def main() -> None:
    counts = [int(a) for a in sys.argv[1:]] or [0, 100, 500, 1500]
    config = Config(demo=True)
    with tempfile.TemporaryDirectory() as scratch:
        result = run(ROOT / "meetings/politiradet/2023-01-13.toml", Path(scratch), config)
        signed = (result.status.out_dir / "referat.pdf").read_bytes()
        roots = trust(config).roots
        received = receive_times(counts, config, Path(scratch))
        print(f"{'revisions added':>16} {'verify (s)':>11} {'receive (s)':>12}  verdicts")
        for count in counts:
            pdf = Path(scratch) / f"r{count}.pdf"
            pdf.write_bytes(empty_updates(signed, count))
            started = time.perf_counter()
            report = verify(pdf, roots)
            took = time.perf_counter() - started
            verdict = "VALID" if report.valid else "NOT VALID: " + report.summary[:60]
            print(f"{count:16d} {took:11.2f} {received[count]}; verify: {verdict}")


if __name__ == "__main__":
    main()
