"""An overlay put on top of every page of an attachment (a draft's UTKAST line). Pages onto
A4, with the band naming them, are pdf/band.py's."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader, PdfWriter


def stamp_pages(pdf: Path, overlay: Path) -> None:
    """Put the overlay's first page on top of every page of ``pdf``, in place, aligned to the
    top left (drafts: the UTKAST line on attachment pages, which have no header of their own)."""
    from pypdf import Transformation

    mark = PdfReader(overlay).pages[0]
    writer = PdfWriter(clone_from=pdf, keep_initial_header=True)
    for page in writer.pages:
        dy = float(page.mediabox.top) - float(mark.mediabox.top)
        dx = float(page.mediabox.left) - float(mark.mediabox.left)
        page.merge_transformed_page(mark, Transformation().translate(dx, dy), over=True)
    tmp = pdf.with_suffix(".stamped.pdf")
    with tmp.open("wb") as fh:
        writer.write(fh)
    tmp.replace(pdf)
