"""Page geometry of attachments: pages of another size scaled onto A4 (never cropped), and an
overlay put on top of every page (a draft's UTKAST line on attachment pages)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.generic import RectangleObject

from ..fsutil import atomic_path

A4 = (595.276, 841.89)  # pt


def fit_a4(pdf: Path) -> int:
    """Scale every page that is not A4 onto an A4 page (landscape for a landscape page),
    centred, never cropped; links and other annotations scale with it. Returns how many pages
    changed; ``pdf`` is rewritten only when one did."""
    if all(_a4_goal(page) is None for page in PdfReader(pdf).pages):
        return 0  # the usual case: nothing to rewrite, and reading is cheaper than cloning
    writer = PdfWriter(clone_from=pdf, keep_initial_header=True)
    changed = 0
    for page in writer.pages:
        goal = _a4_goal(page)
        if goal is None:
            continue
        shown_w, shown_h, target_w, target_h, turned = goal
        scale = min(target_w / shown_w, target_h / shown_h)
        page.scale_by(scale)
        # The page box grows around the scaled content, which stays where it is.
        box = page.mediabox
        goal_w, goal_h = (target_h, target_w) if turned else (target_w, target_h)
        dx = (goal_w - float(box.width)) / 2
        dy = (goal_h - float(box.height)) / 2
        left, bottom = float(box.left) - dx, float(box.bottom) - dy
        page.mediabox = RectangleObject((left, bottom, left + goal_w, bottom + goal_h))
        page.cropbox = RectangleObject((left, bottom, left + goal_w, bottom + goal_h))
        for name in ("/TrimBox", "/BleedBox", "/ArtBox"):
            if name in page:
                del page[name]
        changed += 1
    if changed:
        with atomic_path(pdf) as tmp, tmp.open("wb") as fh:
            writer.write(fh)
    return changed


def _a4_goal(page: Any) -> tuple[float, float, float, float, bool] | None:
    """(shown width, height, target width, height, turned) of a page that is not A4; None for
    one that is (within 2 pt)."""
    box = page.mediabox
    width, height = float(box.width), float(box.height)
    turned = int(page.get("/Rotate", 0)) % 180 == 90  # shown turned: width and height swap
    shown_w, shown_h = (height, width) if turned else (width, height)
    target_w, target_h = (A4[1], A4[0]) if shown_w > shown_h else A4
    if abs(shown_w - target_w) < 2 and abs(shown_h - target_h) < 2:
        return None
    return shown_w, shown_h, target_w, target_h, turned


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
