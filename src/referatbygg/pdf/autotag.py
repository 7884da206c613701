"""A structure for an attachment that has none: its text in content order, paragraph by text
block, everything else page furniture — so that a screen reader following the tags reads
the attachment instead of skipping its pages.

What it does, page by page, on the content stream Ghostscript wrote:

* drops the marked-content operators the file brought (Ghostscript keeps the source's, which
  point at a structure tree it did not keep);
* groups the text objects into paragraphs: the next line belongs to the same paragraph when it
  has the same size and follows on the same line or the next one; a larger gap, a change of
  size or a jump back up the page starts a new one;
* marks each paragraph's text objects as marked content of a ``P`` element (MCIDs in content
  order), each image as a ``Figure`` with the meeting file's alternative text when there is one
  (else as decoration, an artifact), and every other drawing (rules, backgrounds, clip paths)
  as an artifact;
* writes the structure tree (Document → P, Figure), the parent tree and /MarkInfo.

What it cannot do is said instead: a page without text (a scan in which OCR, pdf/ocr.py, found
none), optional content, an image attachment without an alternative text. The result is judged
by veraPDF (PDF/A-2a and PDF/UA-1) like every other file; only a file that passes is called
accessible.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, Operator

from .tagging import PAINT, PATH, TEXT, is_tagged, with_ua_claim

MARKS = {"BDC", "BMC", "EMC"}


class NotTaggable(Exception):
    """Why an attachment cannot be given a faithful structure (in Norwegian-free English: the
    build report's reason)."""


@dataclass
class _Unit:
    """A run of the page's instructions: a text object, a drawing, or state changes."""

    kind: str  # "text", "figure", "art", "state", "edge" (BT, ET)
    ops: list[Any]
    y: float = 0.0  # text: the baseline of its first line, in page space
    size: float = 0.0  # text: the font size as shown


@dataclass
class _Paragraph:
    kind: str  # "P" or "Figure"
    page: Any
    mcids: list[int] = field(default_factory=list)


def tag(path: Path, alt: str | None = None) -> None:
    """In place: give the untagged file at ``path`` a structure. ``alt``: the alternative text
    of its images (an image attachment's, from the meeting file). Raises :class:`NotTaggable`
    with the reason when that cannot be done faithfully (nothing is written then). A file that
    has a structure (kept as it came) is left as it is."""
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        if is_tagged(pdf):
            return
        elements: list[_Paragraph] = []
        for number, page in enumerate(pdf.pages, start=1):
            elements += _page(pdf, page, number, alt)
        _tree(pdf, elements, alt)
        pdf.save(path)


def _page(pdf: pikepdf.Pdf, page: pikepdf.Page, number: int, alt: str | None) -> list[_Paragraph]:
    ops = []
    for instruction in pikepdf.parse_content_stream(page):
        name = str(instruction.operator)
        if name == "BDC" and instruction.operands[0] == Name.OC:
            raise NotTaggable(f"page {number} uses optional content (layers)")
        if name not in MARKS:
            ops.append(instruction)
    units = _units(ops, page)
    if not any(u.kind == "text" for u in units) and not (
        alt and any(u.kind == "figure" for u in units)
    ):
        raise NotTaggable(f"page {number} has no text, and OCR found none in it")
    pitch = _pitches(units)
    elements: list[_Paragraph] = []
    out: list[Any] = []
    mcids = 0  # the page's marked-content ids given so far
    open_: object = None  # the element whose marked content is open, or "art"
    last: _Unit | None = None
    for unit in units:
        if unit.kind == "edge":  # BT, ET: a marked-content sequence never crosses them
            if open_ is not None:
                out.append(([], Operator("EMC")))
                open_ = None
            out += unit.ops
            continue
        if unit.kind == "state":
            out += unit.ops
            continue
        if unit.kind == "text":
            if last is None or _new_paragraph(last, unit, pitch.get(round(unit.size, 1))):
                elements.append(_Paragraph("P", page.obj))
            target: object = elements[-1]
            last = unit
        elif unit.kind == "figure" and alt:
            elements.append(_Paragraph("Figure", page.obj))
            target = elements[-1]
            last = None
        else:
            target = "art"
        if target is not open_:
            if open_ is not None:
                out.append(([], Operator("EMC")))
            if target == "art":
                out.append(([Name.Artifact], Operator("BMC")))
            else:
                assert isinstance(target, _Paragraph)
                target.mcids.append(mcids)
                out.append(([Name("/" + target.kind), Dictionary(MCID=mcids)], Operator("BDC")))
                mcids += 1
            open_ = target
        out += unit.ops
    if open_ is not None:
        out.append(([], Operator("EMC")))
    page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(out))
    return elements


def _pitches(units: list[_Unit]) -> dict[float, float]:
    """The line pitch of each text size on the page: the smallest step down from one line to
    the next that occurs more than once (lines of one paragraph are closer than paragraphs)."""
    steps: dict[float, list[float]] = {}
    last: _Unit | None = None
    for unit in units:
        if unit.kind != "text":
            continue
        if last is not None and abs(last.size - unit.size) < 0.05:
            drop = last.y - unit.y
            if 0.6 * unit.size < drop < 2.5 * unit.size:
                steps.setdefault(round(unit.size, 1), []).append(round(drop * 4) / 4)
        last = unit
    found = {}
    for size, drops in steps.items():
        repeated = sorted(d for d in set(drops) if drops.count(d) > 1)
        if repeated and repeated[0] <= 2 * size:  # more is a gap between paragraphs
            found[size] = repeated[0]
    return found


def _new_paragraph(last: _Unit, unit: _Unit, pitch: float | None) -> bool:
    size = max(last.size, unit.size, 1.0)
    if abs(last.size - unit.size) > 0.15 * size:
        return True
    drop = last.y - unit.y  # down the page is positive
    if drop < -0.5 * size:  # back up the page: another column or box
        return True
    return drop > (pitch * 1.1 + 0.25 if pitch else 1.6 * size)


def _units(ops: list[Any], page: pikepdf.Page) -> list[_Unit]:
    """The instructions cut into pieces of text (each ending with the operator that shows it,
    with its position and size), the text objects' edges (BT, ET), drawings (with the path
    they paint) and state changes."""
    units: list[_Unit] = []
    ctm = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    stack: list[list[float]] = []
    pending: list[Any] = []  # path construction, or text state, waiting for its operator
    in_text = False
    tm = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    line = list(tm)
    size = leading = 0.0
    xobjects = page.obj.get("/Resources", Dictionary()).get("/XObject", Dictionary())
    for ins in ops:
        name = str(ins.operator)
        args = [float(a) if isinstance(a, (int, Decimal)) else a for a in ins.operands]
        if in_text:
            if name == "ET":
                if pending:
                    units.append(_Unit("state", pending))
                units.append(_Unit("edge", [ins]))
                pending, in_text = [], False
                continue
            pending.append(ins)
            if name == "Tf":
                size = float(args[1])
            elif name == "TL":
                leading = float(args[0])
            elif name in ("Td", "TD"):
                if name == "TD":
                    leading = -float(args[1])
                line = _mul([1, 0, 0, 1, float(args[0]), float(args[1])], line)
                tm = list(line)
            elif name == "Tm":
                line = [float(a) for a in args]
                tm = list(line)
            elif name in ("T*", "'", '"'):
                line = _mul([1, 0, 0, 1, 0, -leading], line)
                tm = list(line)
            if name in TEXT:
                shown = _mul(tm, ctm)
                scale = abs(shown[3]) or abs(shown[1]) or 1.0
                units.append(_Unit("text", pending, shown[5], abs(size * scale) or size))
                pending = []
            continue
        if name == "BT":
            if pending:
                units.append(_Unit("state", pending))
            units.append(_Unit("edge", [ins]))
            pending, in_text = [], True
            tm, line = [1.0, 0, 0, 1, 0, 0], [1.0, 0, 0, 1, 0, 0]
            continue
        if name in PATH:
            pending.append(ins)
            continue
        if name in PAINT:
            kind = "art"
            if name == "INLINE IMAGE":
                kind = "figure"
            elif name == "Do":
                kind = _xobject_kind(xobjects.get(ins.operands[0]))
                if kind == "text":
                    units.append(_Unit("text", [*pending, ins], ctm[5] + ctm[3], 10.0))
                    pending = []
                    continue
            units.append(_Unit(kind, [*pending, ins]))
            pending = []
            continue
        if name == "q":
            stack.append(list(ctm))
        elif name == "Q" and stack:
            ctm = stack.pop()
        elif name == "cm":
            ctm = _mul([float(a) for a in args], ctm)
        units.append(_Unit("state", [*pending, ins]))
        pending = []
    if pending:
        units.append(_Unit("state", pending))
    return units


def _xobject_kind(xobject: Any) -> str:
    """An image is a figure; a form with text in it counts as text; any other form is a
    drawing."""
    if xobject is None:
        return "art"
    if xobject.get("/Subtype") == "/Image":
        return "figure"
    try:
        names = {str(i.operator) for i in pikepdf.parse_content_stream(xobject)}
    except pikepdf.PdfError:
        return "art"
    return "text" if names & TEXT else "art"


def _mul(m: list[float], n: list[float]) -> list[float]:
    """m × n for PDF matrices [a b c d e f]."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return [
        a * a2 + b * c2, a * b2 + b * d2,
        c * a2 + d * c2, c * b2 + d * d2,
        e * a2 + f * c2 + e2, e * b2 + f * d2 + f2,
    ]  # fmt: skip


def _tree(pdf: pikepdf.Pdf, elements: list[_Paragraph], alt: str | None) -> None:
    """Document → the paragraphs and figures in order; the parent tree by page."""
    root = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    document = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, P=root))
    kids = Array()
    by_page: dict[tuple[int, int], dict[int, Any]] = {}
    for element in elements:
        elem = pdf.make_indirect(Dictionary(
            Type=Name.StructElem, S=Name("/" + element.kind), P=document, Pg=element.page,
            K=Array(element.mcids) if len(element.mcids) > 1 else element.mcids[0],
        ))  # fmt: skip
        if element.kind == "Figure":
            elem.Alt = pikepdf.String(alt or "")
        kids.append(elem)
        for mcid in element.mcids:
            by_page.setdefault(element.page.objgen, {})[mcid] = elem
    document.K = kids
    nums = Array()
    for key, page in enumerate(pdf.pages):
        parents = by_page.get(page.obj.objgen, {})
        page.obj.StructParents = key
        nums.append(key)
        nums.append(pdf.make_indirect(Array([parents[i] for i in sorted(parents)])))
    root.K = document
    root.ParentTree = pdf.make_indirect(Dictionary(Nums=nums))
    root.ParentTreeNextKey = len(pdf.pages)
    pdf.Root.StructTreeRoot = root
    pdf.Root.MarkInfo = Dictionary(Marked=True)
    xmp = pdf.Root.Metadata.read_bytes().decode("utf-8")
    pdf.Root.Metadata.write(with_ua_claim(xmp).encode("utf-8"))
