"""Scanned pages made searchable before an attachment is tagged: each page with no text of its
own is drawn at 300 dpi (pdftoppm), read by Tesseract, and the invisible text it finds is laid
over the page — the page's image itself is not touched. The structure is then made from that
text like any other (pdf/autotag.py); the build report says which pages were read by OCR, since
a machine's reading of a scan can be wrong.
"""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader, PdfWriter, Transformation

from ..errors import ConversionError
from ..tools import proc, tesseract

DPI = 300


def searchable(src: Path, work: Path) -> list[int]:
    """In place: a text layer over every page of ``src`` that has no text; returns those
    pages' numbers (1-based; empty when every page has text, and nothing is written). Pages
    shown turned are left as they are."""
    reader = PdfReader(src)
    blank = [
        i for i, page in enumerate(reader.pages)
        if not (page.extract_text() or "").strip() and not int(page.get("/Rotate", 0)) % 360
    ]  # fmt: skip
    if not blank:
        return []
    writer = PdfWriter(clone_from=src, keep_initial_header=True)
    for i in blank:
        image = work / f"ocr-{i + 1}.png"
        res = proc.run([proc.which("pdftoppm", package="poppler-utils"), "-r", str(DPI),
                        "-f", str(i + 1), "-l", str(i + 1), "-png", "-singlefile", str(src),
                        str(image.with_suffix(""))], timeout=300)  # fmt: skip
        if res.returncode != 0 or not image.is_file():
            raise ConversionError(f"pdftoppm could not draw page {i + 1}: "
                                  f"{res.stderr.strip()[-300:]}")  # fmt: skip
        layer = PdfReader(tesseract.text_layer(image, work / f"ocr-{i + 1}.pdf")).pages[0]
        page = writer.pages[i]
        box = page.cropbox
        sx = float(box.width) / float(layer.mediabox.width)
        sy = float(box.height) / float(layer.mediabox.height)
        move = Transformation().scale(sx, sy).translate(float(box.left), float(box.bottom))
        page.merge_transformed_page(layer, move, over=True)
        image.unlink(missing_ok=True)
    tmp = src.with_suffix(".ocr.pdf")
    with tmp.open("wb") as fh:
        writer.write(fh)
    tmp.replace(src)
    return [i + 1 for i in blank]
