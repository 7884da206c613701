"""The rendered Word document, finished: what a template cannot say without template syntax in
places an editor rewrites.

* Signature anchors. The template holds one bookmark ``sig_anchor`` in the signatory's cell;
  after rendering there is one per signatory, and each is named ``sig_<role>`` here, in signing
  order. (A bookmark named ``sig_{{ s.role }}`` did not survive LibreOffice: it saves it as
  ``sig_{{_s.role_}}``.)
* The signature block keeps with the text before it: the last two lines of text above the block
  are marked keep-with-next, so the block never stands alone on a page.
* A draft's header line alone, for the pages of its attachments (:func:`draft_overlay`).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from ..errors import InputError

ANCHOR = "sig_anchor"


def name_anchors(body: Any, roles: list[str]) -> None:
    """Name the rendered signature anchors ``sig_<role>``, one per signatory in order, with ids
    of their own. An anchor is a paragraph holding a bookmark whose name begins ``sig_anchor``
    (an editor may have renamed a copy to ``sig_anchor_Copy_1``, or written one twice)."""
    paragraphs = []
    for p in body.iter(qn("w:p")):
        marks = [b for b in p.iter(qn("w:bookmarkStart"))
                 if (b.get(qn("w:name")) or "").startswith(ANCHOR)]  # fmt: skip
        if marks:
            paragraphs.append((p, marks))
    if len(paragraphs) != len(roles):
        raise InputError(
            f"the template's signature block has {len(paragraphs)} signature anchor(s) for "
            f"{len(roles)} signatory(ies)",
            hint=f"keep the bookmark '{ANCHOR}…' in the signatory's cell of the signature table; "
            "'referatbygg template check' shows what the template holds",
        )
    for number, ((paragraph, marks), role) in enumerate(zip(paragraphs, roles, strict=True),
                                                        start=9000):  # fmt: skip
        ids = {m.get(qn("w:id")) for m in marks}
        for extra in marks[1:]:
            paragraph_of(extra).remove(extra)
        for end in list(paragraph.iter(qn("w:bookmarkEnd"))):
            if end.get(qn("w:id")) in ids:
                paragraph_of(end).remove(end)
        marks[0].set(qn("w:name"), f"sig_{role}")
        marks[0].set(qn("w:id"), str(number))
        end = parse_xml(f'<w:bookmarkEnd {nsdecls("w")} w:id="{number}"/>')
        marks[0].addnext(end)


def paragraph_of(el: Any) -> Any:
    return el.getparent()


def _text(el: Any) -> str:
    return "".join(t.text or "" for t in el.iter(qn("w:t")))


def _keep(paragraph: Any) -> None:
    ppr = paragraph.find(qn("w:pPr"))
    if ppr is None:
        ppr = parse_xml(f"<w:pPr {nsdecls('w')}/>")
        paragraph.insert(0, ppr)
    if ppr.find(qn("w:keepNext")) is None:
        ppr.insert(0, parse_xml(f"<w:keepNext {nsdecls('w')}/>"))


def keep_with_text(body: Any, heading: str, lines: int = 2) -> None:
    """Mark the last ``lines`` non-empty paragraphs before the signature block (the paragraph
    whose text is ``heading``) keep-with-next; a table there keeps its last row with it."""
    children = list(body)
    found = [i for i, el in enumerate(children) if el.tag == qn("w:p") and _text(el) == heading]
    if not found:
        return
    block = found[-1]  # the block comes last; an item of the same name would come before it
    marked = 0
    for el in reversed(children[:block]):
        if marked >= lines:
            break
        if el.tag == qn("w:p") and _text(el).strip():
            _keep(el)
            marked += 1
        elif el.tag == qn("w:tbl"):
            rows = el.findall(qn("w:tr"))
            if rows:
                row = rows[-1]
                trpr = row.find(qn("w:trPr"))
                if trpr is None:
                    trpr = parse_xml(f"<w:trPr {nsdecls('w')}/>")
                    row.insert(0, trpr)
                if trpr.find(qn("w:cantSplit")) is None:
                    trpr.append(parse_xml(f"<w:cantSplit {nsdecls('w')}/>"))
                for p in row.iter(qn("w:p")):
                    _keep(p)
            break


def describe_image(body: Any, rels: Any, image: bytes, text: str) -> None:
    """Alternative text for each drawing that shows ``image`` (the body's logo): LibreOffice
    exports a drawing's description as the Figure's /Alt, which PDF/UA-1 (7.3) requires."""
    wp = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
    blip = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
    embed = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed"
    shown = {
        rid
        for rid, rel in rels.items()
        if not rel.is_external and getattr(rel.target_part, "blob", None) == image
    }
    for inline in body.iter(f"{wp}inline", f"{wp}anchor"):
        found = inline.find(f".//{blip}")
        pr = inline.find(f"{wp}docPr")
        if found is not None and found.get(embed) in shown and pr is not None:
            pr.set("descr", pr.get("descr") or text)


def draft_overlay(docx: Path) -> bytes:
    """A one-page document holding only the draft header line of ``docx``, in the top edge of
    the page: attachment pages keep their own footer and content; only "UTKAST – bygget …"
    is added, above whatever they print."""
    from docx import Document
    from docx.shared import Cm

    doc = Document(str(docx))
    body = doc.element.body
    for child in list(body):
        if not child.tag.endswith("}sectPr"):
            body.remove(child)
    section = doc.sections[0]
    for ref in section._sectPr.findall(qn("w:footerReference")):
        section._sectPr.remove(ref)  # the minutes' footer is not the attachment's
    section.header_distance = Cm(0.3)
    doc.add_paragraph()
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
