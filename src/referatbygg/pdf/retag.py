"""Two things LibreOffice 7.4 tags wrongly, put right after it (pikepdf):

* a list item's bullet is drawn as marked content of its own but sits in the item's body
  (LI → LBody → "• text"); it is moved into a label, LI → Lbl ("•"), LBody ("text"), so that a
  screen reader announces a list item instead of reading "bullet" into the text;
* a notice's agenda and attachment list (the template's "Saksliste" and "Vedleggsliste"
  paragraphs) are tagged as paragraphs; each run of them becomes a list, L → LI → LBody;
* an image in the page header (the body's logo) gets a Figure element with its alternative text
  but no content, while the image itself is drawn as an artifact; the artifact becomes the
  Figure's marked content, so the Figure holds its image.
"""

from __future__ import annotations

from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, Operator

TEXT = {"Tj", "TJ", "'", '"'}
LABEL_BYTES = 4  # a bullet is one glyph (two bytes in a CID font); "10." is still a label


LIST_LINES = {"/Saksliste", "/Vedleggsliste"}  # the template's styles for lines of a list


def put_right(pdf: pikepdf.Pdf) -> tuple[int, int]:
    """In place; returns (labels made, figures given their image)."""
    root = pdf.Root.get("/StructTreeRoot")
    if root is None or "/ParentTree" not in root or "/Kids" in root.ParentTree:
        return 0, 0
    elements = _elements(root)
    labels = _labels(pdf, root, elements)
    figures = _figures(pdf, root, elements)
    _lists(pdf, [root, *elements])
    return labels, figures


def _elements(root: Any) -> list[Any]:
    found, queue = [], [root]
    while queue:
        elem = queue.pop()
        kids = elem.get("/K")
        for kid in kids if isinstance(kids, Array) else [kids]:
            if isinstance(kid, Dictionary) and "/S" in kid:
                found.append(kid)
                queue.append(kid)
    return found


def page_parents(root: Any, page: Any) -> Any:
    """The parent tree's array for ``page``'s marked content (None when it has none)."""
    key = page.get("/StructParents")
    nums = root.ParentTree.Nums
    for i in range(0, len(nums), 2):
        if key is not None and int(nums[i]) == int(key):
            return nums[i + 1]
    return None


def _short_marks(page: Any) -> set[int]:
    """MCIDs whose content shows text once, at most a label's few bytes."""
    shown: dict[int, list[int]] = {}
    stack: list[int | None] = []
    for ins in pikepdf.parse_content_stream(page):
        name = str(ins.operator)
        if name == "BDC":
            props = ins.operands[1]
            mcid = props.get("/MCID") if isinstance(props, Dictionary) else None
            stack.append(int(mcid) if mcid is not None else None)
        elif name == "BMC":
            stack.append(None)
        elif name == "EMC" and stack:
            stack.pop()
        elif name in TEXT and stack and stack[-1] is not None:
            args = ins.operands[-1]
            items = list(args) if isinstance(args, Array) else [args]
            size = sum(len(bytes(s)) for s in items if isinstance(s, pikepdf.String))
            shown.setdefault(stack[-1], []).append(size)
    return {m for m, sizes in shown.items() if len(sizes) == 1 and 0 < sizes[0] <= LABEL_BYTES}


def _labels(pdf: pikepdf.Pdf, root: Any, elements: list[Any]) -> int:
    short: dict[tuple[int, int], set[int]] = {}
    made = 0
    for li in elements:
        if li.get("/S") != "/LI" or not isinstance(li.get("/K"), Array):
            continue
        kids = li.K
        if any(isinstance(k, Dictionary) and k.get("/S") == "/Lbl" for k in kids):
            continue
        body = next((k for k in kids if isinstance(k, Dictionary) and k.get("/S") == "/LBody"),
                    None)  # fmt: skip
        inner = body  # down to the paragraph that holds the text: LBody → "List Bullet"
        while inner is not None:
            kid = inner.get("/K")
            first = kid[0] if isinstance(kid, Array) and len(kid) else kid
            if not (isinstance(first, Dictionary) and "/S" in first):
                break
            inner = first
        if inner is None or not isinstance(inner.get("/K"), Array) or len(inner.K) < 2:
            continue
        first, page = inner.K[0], inner.get("/Pg")
        if not isinstance(first, int) or page is None:
            continue
        if page.objgen not in short:
            short[page.objgen] = _short_marks(page)
        if int(first) not in short[page.objgen]:
            continue
        parents = page_parents(root, page)
        if parents is None or int(first) >= len(parents):
            continue
        label = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Lbl, P=li, Pg=page,
                                             K=int(first)))  # fmt: skip
        del inner.K[0]
        kids.insert(list(kids).index(body), label)
        parents[int(first)] = label
        made += 1
    return made


def _lists(pdf: pikepdf.Pdf, parents: list[Any]) -> None:
    """Each run of list lines among an element's kids becomes one list."""
    for parent in parents:
        kids = parent.get("/K")
        if not isinstance(kids, Array):
            continue
        new, run = [], []
        for kid in [*kids, None]:
            if isinstance(kid, Dictionary) and kid.get("/S") in LIST_LINES:
                run.append(kid)
                continue
            if run:
                new.append(_as_list(pdf, parent, run))
                run = []
            if kid is not None:
                new.append(kid)
        if len(new) != len(kids):
            parent.K = Array(new)


def _as_list(pdf: pikepdf.Pdf, parent: Any, lines: list[Any]) -> Any:
    listing = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.L, P=parent))
    items = []
    for line in lines:
        item = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.LI, P=listing))
        line.S, line.P = Name.LBody, item
        item.K = Array([line])
        items.append(item)
    listing.K = Array(items)
    return listing


def _figures(pdf: pikepdf.Pdf, root: Any, elements: list[Any]) -> int:
    given = 0
    for figure in elements:
        page = figure.get("/Pg")
        if figure.get("/S") != "/Figure" or figure.get("/K") is not None or page is None:
            continue
        parents = page_parents(root, page)
        if parents is None:
            continue
        mcid = len(parents)
        if not _mark_image(pdf, page, mcid):
            continue
        figure.K = mcid
        parents.append(figure)
        given += 1
    return given


def _mark_image(pdf: pikepdf.Pdf, page: Any, mcid: int) -> bool:
    """The first artifact on ``page`` that draws one image and nothing else becomes marked
    content ``mcid`` of a Figure."""
    ops = list(pikepdf.parse_content_stream(page))
    images = page.get("/Resources", Dictionary()).get("/XObject", Dictionary())
    for start, ins in enumerate(ops):
        if str(ins.operator) != "BMC" or ins.operands[0] != Name.Artifact:
            continue
        depth, end = 0, None
        for i in range(start, len(ops)):
            name = str(ops[i].operator)
            depth += name in ("BMC", "BDC")
            depth -= name == "EMC"
            if depth == 0:
                end = i
                break
        if end is None:
            return False
        inside = [str(o.operator) for o in ops[start + 1 : end]]
        drawn = [o.operands[0] for o in ops[start + 1 : end] if str(o.operator) == "Do"]
        if TEXT & set(inside) or len(drawn) != 1 or {"BMC", "BDC"} & set(inside):
            continue
        xobject = images.get(drawn[0])
        if xobject is None or xobject.get("/Subtype") != "/Image":
            continue
        ops[start] = pikepdf.ContentStreamInstruction(
            [Name.Figure, Dictionary(MCID=mcid)], Operator("BDC")
        )
        page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(ops))
        return True
    return False
