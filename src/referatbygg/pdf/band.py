"""Attachment pages inside the minutes: each on an A4 page (scaled, never cropped) with a slim
band at its head naming the attachment, the page and — for an exempt one — its exemption:

    Vedlegg 1 – Pkt. 5 – Situasjonsbrief fra politiet · Side 1 av 5 · Unntatt offentlighet, jf. …

A reader of the printed protocol knows from any page what it belongs to; an archive that keeps
the attachment on its own sees the same. The page's content is scaled into the space below the
band (for an A4 page by about 2 %), so nothing of it is covered. In a tagged file the band of
the first page is the attachment's heading (H1, first in its structure and first on the page);
on the other pages it is page furniture (an artifact), like a running header.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name

from .bandfont import BandFont, embed
from .retag import page_parents
from .tagging import is_tagged, next_key, top_element

A4 = (595.276, 841.89)  # pt
BAND = 18.0  # pt kept free at the head of every page
SIZE = 7.5  # pt: the band's text (ISO 14289 asks for nothing smaller than the stamp's 7 pt)
MARGIN = 42.5  # pt: 15 mm
FONT = Name("/FBand")


@dataclass(frozen=True)
class Band:
    """What the band says: ``label`` ("Vedlegg 1 – Pkt. 5 – <title>"), the page words
    ("Side", "av") and the exemption ("Unntatt offentlighet, jf. offl. § 13") or None."""

    label: str
    page: str = "Side"
    of: str = "av"
    exemption: str | None = None

    def text(self, number: int, pages: int) -> tuple[str, str]:
        """(the label, the rest) for page ``number`` of ``pages``: the label is what is
        shortened when the line is too long."""
        rest = f" · {self.page} {number} {self.of} {pages}"
        if self.exemption:
            rest += f" · {self.exemption}"
        return self.label, rest


def place(path: Path, band: Band, *, a4: bool = True) -> int:
    """In place: every page of ``path`` scaled into its page (A4 when ``a4``) below the band,
    and the band drawn. Returns the number of pages whose size changed."""
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        pages = len(pdf.pages)
        lines = [band.text(i + 1, pages) for i in range(pages)]
        font = embed(pdf, "".join(a + b for a, b in lines) + "…")
        heading = _heading_target(pdf)
        changed = 0
        for index, page in enumerate(pdf.pages):
            width, height, resized = _fit(pdf, page, a4)
            changed += resized
            label, rest = lines[index]
            text = _shortened(font, label, rest, width - 2 * MARGIN)
            mark = _heading_mark(pdf, page, heading) if index == 0 else None
            _draw(pdf, page, font, text, mark, height)
        pdf.save(path)
    return changed


def _fit(pdf: pikepdf.Pdf, page: pikepdf.Page, a4: bool) -> tuple[float, float, bool]:
    """Scale and turn the page's visible area into the page below the band; the page then
    has no /Rotate and its boxes are the new page. Returns (width, height, size changed)."""
    box = [float(v) for v in page.obj.get("/CropBox", page.obj.MediaBox)]
    x0, y0 = min(box[0], box[2]), min(box[1], box[3])
    w0, h0 = abs(box[2] - box[0]), abs(box[3] - box[1])
    turn = int(page.obj.get("/Rotate", 0)) % 360
    shown_w, shown_h = (h0, w0) if turn in (90, 270) else (w0, h0)
    if a4:
        width, height = (A4[1], A4[0]) if shown_w > shown_h else A4
    else:
        width, height = shown_w, shown_h + BAND
    # Where the visible area's points go, before scaling: turned as a viewer shows the page.
    a, b, c, d, e, f = {
        0: (1, 0, 0, 1, -x0, -y0),
        90: (0, -1, 1, 0, -y0, w0 + x0),
        180: (-1, 0, 0, -1, w0 + x0, h0 + y0),
        270: (0, 1, -1, 0, h0 + y0, -x0),
    }[turn]
    scale = min(width / shown_w, (height - BAND) / shown_h)
    dx = (width - shown_w * scale) / 2
    dy = height - BAND - shown_h * scale  # just below the band
    matrix = [v * scale for v in (a, b, c, d, e, f)]
    matrix[4] += dx
    matrix[5] += dy
    before = pikepdf.Stream(pdf, (
        "q " + " ".join(f"{v:.5f}" for v in matrix) + " cm "
        f"{x0:.3f} {y0:.3f} {w0:.3f} {h0:.3f} re W n\n"
    ).encode())  # fmt: skip
    page.contents_add(before, prepend=True)
    page.contents_add(pikepdf.Stream(pdf, b"\nQ\n"))
    for annot in page.obj.get("/Annots", []):
        if "/Rect" in annot:
            annot.Rect = _moved(annot.Rect, matrix)
        if "/QuadPoints" in annot:
            q = [float(v) for v in annot.QuadPoints]
            annot.QuadPoints = Array([
                v for i in range(0, len(q) - 1, 2) for v in _point(q[i], q[i + 1], matrix)
            ])  # fmt: skip
    resized = abs(shown_w - width) > 2 or abs(shown_h - height) > 2 or turn != 0
    page.obj.MediaBox = Array([0, 0, round(width, 3), round(height, 3)])
    for name in ("/CropBox", "/TrimBox", "/BleedBox", "/ArtBox", "/Rotate"):
        if name in page.obj:
            del page.obj[name]
    return width, height, resized


def _point(x: float, y: float, m: list[float]) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def _moved(rect: Any, m: list[float]) -> Array:
    x1, y1, x2, y2 = (float(v) for v in rect)
    corners = [_point(x, y, m) for x in (x1, x2) for y in (y1, y2)]
    xs, ys = [p[0] for p in corners], [p[1] for p in corners]
    return Array([round(min(xs), 3), round(min(ys), 3), round(max(xs), 3), round(max(ys), 3)])


def _shortened(font: BandFont, label: str, rest: str, room: float) -> str:
    """The band's line, the label shortened with an ellipsis when it does not fit."""
    if font.width(label + rest, SIZE) <= room:
        return label + rest
    while label and font.width(label + "…" + rest, SIZE) > room:
        label = label[:-1]
    return label.rstrip() + "…" + rest


def _draw(
    pdf: pikepdf.Pdf,
    page: pikepdf.Page,
    font: BandFont,
    text: str,
    mark: int | None,
    height: float,
) -> None:
    resources = page.obj.get("/Resources")
    if resources is None:
        resources = page.obj.Resources = Dictionary()
    fonts = resources.get("/Font")
    if fonts is None:
        fonts = resources.Font = Dictionary()
    fonts[FONT] = font.font
    begin = (
        f"/H1 <</MCID {mark}>> BDC" if mark is not None
        else "/Artifact <</Type /Pagination /Subtype /Header>> BDC"
    )  # fmt: skip
    shown = font.encode(text).hex().upper()
    stream = (
        f"\n{begin} q 0.25 g BT {FONT} {SIZE} Tf 1 0 0 1 {MARGIN} {height - BAND / 2 - 1:.2f} Tm "
        f"<{shown}> Tj ET Q EMC\n"
    )
    page.contents_add(pikepdf.Stream(pdf, stream.encode("ascii")), prepend=False)


def _heading_target(pdf: pikepdf.Pdf) -> Any:
    """The element the heading goes first into (the tagged file's top element), or None when
    the file is not tagged or its parent tree is not one flat list (then the band of every
    page is an artifact)."""
    if not is_tagged(pdf):
        return None
    tree = pdf.Root.StructTreeRoot.get("/ParentTree")
    if tree is None or "/Nums" not in tree or "/Kids" in tree:
        return None
    top = top_element(pdf.Root.StructTreeRoot)
    return top if isinstance(top, Dictionary) else None


def _heading_mark(pdf: pikepdf.Pdf, page: pikepdf.Page, top: Any) -> int | None:
    """Make the first page's band the heading: an H1 element first in ``top``, its marked
    content the next MCID of the page. Returns that MCID (None: the band is an artifact)."""
    if top is None:
        return None
    root = pdf.Root.StructTreeRoot
    if "/StructParents" not in page.obj:  # a page with nothing tagged yet
        key = next_key(root)
        page.obj.StructParents = key
        root.ParentTree.Nums.append(key)
        root.ParentTree.Nums.append(pdf.make_indirect(Array()))
        root.ParentTreeNextKey = key + 1
    parents = page_parents(root, page.obj)
    if not isinstance(parents, Array):
        return None
    mcid = len(parents)
    heading = pdf.make_indirect(Dictionary(
        Type=Name.StructElem, S=Name.H1, P=top, Pg=page.obj, K=mcid,
    ))  # fmt: skip
    parents.append(heading)
    kids = top.get("/K")
    if isinstance(kids, Array):
        kids.insert(0, heading)
    else:
        top.K = Array([heading] if kids is None else [heading, kids])
    return mcid
