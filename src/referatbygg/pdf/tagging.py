"""Accessible PDF: what LibreOffice 7.4 leaves undone for PDF/UA-1 and PDF/A level a, finished
with pikepdf.

LibreOffice, exporting with ``PDFUACompliance``, tags the text, maps its paragraph styles to
standard structure types and writes the PDF/UA identification. Still missing, and done here:

* decoration (table rules, the decision's left border) drawn outside any marked content: marked
  as artifacts (ISO 14289-1, 7.1);
* the PDF/A extension schema for the ``pdfuaid`` properties (ISO 19005-2, 6.6.2.3) and
  ``dc:language``;
* after the merge: the structure of attachments that have one (our own agreement, documents that
  LibreOffice converted) grafted into the minutes' tree, each under a Part element; signature
  widgets inside Form elements with alternative text and their pages' tab order by structure
  (ISO 14289-1, 7.18);
* the claim: level a and PDF/UA-1 only when every page is tagged; otherwise level b, without the
  PDF/UA identification, and the untagged attachments are named.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name

from .retag import put_right
from .titles import with_language, with_title

log = logging.getLogger(__name__)

PAINT = {"S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "sh", "Do", "INLINE IMAGE"}
TEXT = {"Tj", "TJ", "'", '"'}
PATH = {"m", "l", "c", "v", "y", "h", "re", "W", "W*", "n"}
UA_SCHEMA = """<rdf:Description rdf:about="" \
xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" \
xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" \
xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
   <pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
    <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
    <pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
    <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
    <pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
     <pdfaProperty:name>part</pdfaProperty:name>
     <pdfaProperty:valueType>Integer</pdfaProperty:valueType>
     <pdfaProperty:category>internal</pdfaProperty:category>
     <pdfaProperty:description>The part of ISO 14289 followed</pdfaProperty:description>
    </rdf:li></rdf:Seq></pdfaSchema:property>
   </rdf:li></rdf:Bag></pdfaExtension:schemas>
  </rdf:Description>
  """
_UA_CLAIM = re.compile(
    r"<rdf:Description[^>]*xmlns:pdfuaid=[^>]*>\s*<pdfuaid:part>\d</pdfuaid:part>\s*"
    r"</rdf:Description>\s*"
)


def is_tagged(pdf: pikepdf.Pdf) -> bool:
    mark = pdf.Root.get("/MarkInfo")
    return "/StructTreeRoot" in pdf.Root and bool(mark and mark.get("/Marked"))


def finish_converted(path: Path, language: str, title: str | None = None) -> bool:
    """In place, after LibreOffice: artifacts, XMP schema and language, and — for a document
    that has none (an attachment written in Word) — ``title`` as its title, shown by viewers.
    Returns whether the file is tagged (when not, nothing is changed)."""
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        if not is_tagged(pdf):
            return False
        marked = sum(_mark_artifacts(pdf, page) for page in pdf.pages)
        labels, figures = put_right(pdf)  # bullets as labels, the logo's Figure its image
        roles = pdf.Root.StructTreeRoot.get("/RoleMap")
        if roles is not None and roles.get("/Title") == Name.P:
            # LibreOffice maps the Title paragraph style to P; it is the document's title, its
            # first heading (PDF 1.7 has no Title structure type).
            roles[Name("/Title")] = Name.H1
        xmp = pdf.Root.Metadata.read_bytes().decode("utf-8")
        new = with_language(_with_ua_schema(xmp), language)
        if title and "<dc:title>" not in new:
            new = with_title(new, title)
            pdf.docinfo[Name.Title] = pikepdf.String(title)  # Info and XMP agree
            prefs = pdf.Root.get("/ViewerPreferences") or Dictionary()
            prefs.DisplayDocTitle = True
            pdf.Root.ViewerPreferences = prefs
        if new != xmp:
            pdf.Root.Metadata.write(new.encode("utf-8"))
        log.info("%s: %d drawing(s) marked as artifacts, %d list label(s), %d figure(s) given "
                 "their image", path.name, marked, labels, figures)  # fmt: skip
        pdf.save(path)
    return True


def _mark_artifacts(pdf: pikepdf.Pdf, page: pikepdf.Page) -> int:
    """Wrap what is drawn outside any marked content as ``/Artifact BMC … EMC``."""
    out: list[Any] = []
    depth = marked = 0
    for instruction in pikepdf.parse_content_stream(page):
        operands, operator = instruction.operands, instruction.operator
        name = str(operator)
        if name in ("BDC", "BMC"):
            depth += 1
        elif name == "EMC":
            depth -= 1
        elif depth == 0 and (name in PAINT or name in TEXT):
            start = len(out)
            while start and str(out[start - 1][1]) in PATH:  # the path this operator paints
                start -= 1
            out.insert(start, ([Name.Artifact], pikepdf.Operator("BMC")))
            out.append((operands, operator))
            out.append(([], pikepdf.Operator("EMC")))
            marked += 1
            continue
        out.append((operands, operator))
    if marked:
        page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(out))
    return marked


def _with_ua_schema(xmp: str) -> str:
    if "pdfuaid" not in xmp or "http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>" in xmp:
        return xmp
    return xmp.replace("</rdf:RDF>", UA_SCHEMA + "</rdf:RDF>", 1)


def with_ua_claim(xmp: str) -> str:
    """The PDF/UA-1 identification (and its extension schema), as LibreOffice writes it."""
    if "pdfuaid:part" not in xmp:
        xmp = xmp.replace(
            "</rdf:RDF>",
            '<rdf:Description rdf:about="" '
            'xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">'
            "<pdfuaid:part>1</pdfuaid:part></rdf:Description>\n  </rdf:RDF>",
            1,
        )
    return _with_ua_schema(xmp)


def without_ua_claim(xmp: str) -> str:
    return _UA_CLAIM.sub("", xmp)


def claims_ua(pdf: pikepdf.Pdf) -> bool:
    return b"pdfuaid:part" in pdf.Root.Metadata.read_bytes()


def set_level(path: Path, full: bool) -> None:
    """Claim level a (keeping PDF/UA-1) or level b (without it), in place."""
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        xmp = pdf.Root.Metadata.read_bytes().decode("utf-8")
        new = xmp if full else without_ua_claim(xmp)
        new = re.sub(r"(<pdfaid:conformance>)\s*[ABU]\s*(</pdfaid:conformance>)",
                     rf"\g<1>{'A' if full else 'B'}\g<2>", new)  # fmt: skip
        new = re.sub(r"(pdfaid:conformance=[\"'])[ABU]([\"'])",
                     rf"\g<1>{'A' if full else 'B'}\g<2>", new)  # fmt: skip
        if new != xmp:
            pdf.Root.Metadata.write(new.encode("utf-8"))
            pdf.save(path)


def settle(path: Path) -> tuple[bool, str | None]:
    """Claim the highest level that is true: level a with PDF/UA-1 when the file is tagged and
    veraPDF accepts both; else level b without PDF/UA. Returns (accessible, why not)."""
    from . import pdfa

    with pikepdf.open(path) as pdf:
        candidate = is_tagged(pdf) and claims_ua(pdf)
    if not candidate:
        set_level(path, False)
        return False, None
    set_level(path, True)
    report = pdfa.validate(path)
    if report.valid:
        return True, None
    set_level(path, False)
    return False, report.summary


@dataclass
class Grafted:
    """What :func:`finish_merged` decided: every page tagged, and which attachments were not."""

    tagged: bool
    untagged: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class TaggedPart:
    title: str  # as in the bookmark, e.g. "Vedlegg – Pkt. 7 – Politirådsavtale 2023–2025"
    source: Path  # the attachment's PDF as converted (its structure is read from here)
    first_page: int  # 0-based, in the merged file
    pages: int


def finish_merged(
    pdf: pikepdf.Pdf, parts: list[TaggedPart], untagged: list[str], widget_titles: dict[str, str]
) -> Grafted:
    """After the merge: graft the tagged attachments' structure, put signature widgets in Form
    elements, set the tab order. Returns whether every page is now tagged."""
    if not is_tagged(pdf):
        return Grafted(False, untagged)
    root = pdf.Root.StructTreeRoot
    document = top_element(root)
    for part in parts:
        with pikepdf.open(part.source) as attachment:
            if is_tagged(attachment):
                _graft(pdf, document, attachment, part)
            else:
                untagged.append(part.title)
    _widgets(pdf, document, widget_titles)
    return Grafted(not untagged, untagged)


SIGNATURE_PLACE = "/Signaturfelt"  # the template's paragraph style for a signature's place


def _signature_places(document: Any, count: int) -> list[Any]:
    """The minutes' own signature places (the template's "Signaturfelt" paragraphs, one per
    signatory, in signing order) — none when their number is not ``count``: then the fields
    stand at the end of the structure rather than in the wrong cells."""
    found: list[Any] = []

    def walk(elem: Any) -> None:  # in document order
        kids = elem.get("/K")
        for kid in kids if isinstance(kids, Array) else [kids]:
            if not isinstance(kid, Dictionary) or "/S" not in kid or Name.Part == kid.S:
                continue  # attachments' structure is theirs
            if kid.S == SIGNATURE_PLACE:
                found.append(kid)
            else:
                walk(kid)

    walk(document)
    return found if len(found) == count else []


def top_element(root: Any) -> Any:
    """The structure tree's first element (LibreOffice's Document)."""
    kids = root.K
    return kids[0] if isinstance(kids, Array) else kids


def next_key(root: Any) -> int:
    """The next free key of the parent tree."""
    nums = root.ParentTree.Nums
    keys = [int(nums[i]) for i in range(0, len(nums), 2)]
    return max([int(root.get("/ParentTreeNextKey", 0)), *(k + 1 for k in keys)], default=0)


def _graft(pdf: pikepdf.Pdf, document: Any, attachment: pikepdf.Pdf, part: TaggedPart) -> None:
    """Copy the attachment's structure tree, its page references pointed at the merged pages."""
    root = pdf.Root.StructTreeRoot
    theirs = attachment.Root.StructTreeRoot
    copier = _Copier(pdf, {
        attachment.pages[i].obj.objgen: pdf.pages[part.first_page + i].obj
        for i in range(min(part.pages, len(attachment.pages)))
    })  # fmt: skip
    wrapper = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Part, P=document,
                                           T=pikepdf.String(part.title)))  # fmt: skip
    top = theirs.K
    kids = [copier.copy(k, wrapper) for k in (top if isinstance(top, Array) else [top])]
    for kid in kids:
        if kid.get("/S") == "/Document":
            kid.S = Name.Sect  # one Document element per file
    wrapper.K = Array(kids)
    document.K = _append(document.get("/K"), wrapper)
    _renumber(pdf, root, theirs, attachment, part, copier.copies)
    role_map = theirs.get("/RoleMap")
    if role_map is not None:
        ours = root.get("/RoleMap") or Dictionary()
        for name, target in role_map.items():
            if name not in ours:
                ours[name] = target
        root.RoleMap = ours


class _Copier:
    """Structure elements copied from an attachment into the merged file, page references
    pointed at the merged pages (``page_map``); ``copies`` maps each original to its copy."""

    def __init__(self, pdf: pikepdf.Pdf, page_map: dict[tuple[int, int], Any]) -> None:
        self.pdf, self.page_map = pdf, page_map
        self.copies: dict[tuple[int, int], Any] = {}

    def copy(self, elem: Any, parent: Any) -> Any:
        new = self.pdf.make_indirect(Dictionary())
        self.copies[elem.objgen] = new
        for key, value in elem.items():
            if key in ("/P", "/K", "/Pg"):
                continue
            new[key] = _foreign(self.pdf, value)
        new.P = parent
        if "/Pg" in elem and elem.Pg.objgen in self.page_map:
            new.Pg = self.page_map[elem.Pg.objgen]
        kids = elem.get("/K")
        if kids is not None:
            new.K = self._kids(kids, new)
        return new

    def _kids(self, kids: object, parent: Any) -> Array:
        # Object references are left out: the merge does not carry annotations over.
        items = list(kids) if isinstance(kids, Array) else [kids]
        return Array([
            self._kid(k, parent) for k in items
            if not (isinstance(k, Dictionary) and k.get("/Type") == "/OBJR")
        ])  # fmt: skip

    def _kid(self, kid: object, parent: Any) -> object:
        if isinstance(kid, Dictionary) and kid.get("/Type") == "/MCR":
            mcr = Dictionary(Type=Name.MCR, MCID=kid.MCID)
            if "/Pg" in kid and kid.Pg.objgen in self.page_map:
                mcr.Pg = self.page_map[kid.Pg.objgen]
            return mcr
        if isinstance(kid, Dictionary) and "/S" in kid:
            return self.copy(kid, parent)
        return kid  # an MCID


def _renumber(
    pdf: pikepdf.Pdf, root: Any, theirs: Any, attachment: pikepdf.Pdf, part: TaggedPart,
    copies: dict[tuple[int, int], Any],
) -> None:  # fmt: skip
    """The attachment's pages keep their marked content's MCIDs; their parent tree entries are
    renumbered into the merged file's parent tree, pointing at the copied elements."""
    their_nums = theirs.ParentTree.Nums
    parents = {int(their_nums[i]): their_nums[i + 1] for i in range(0, len(their_nums), 2)}
    key = next_key(root)
    for i in range(min(part.pages, len(attachment.pages))):
        old = attachment.pages[i].obj.get("/StructParents")
        if old is None or int(old) not in parents:
            continue
        entry = parents[int(old)]
        if isinstance(entry, Array):
            mapped: object = Array([copies.get(e.objgen) for e in entry])
        else:
            mapped = copies.get(entry.objgen)
        root.ParentTree.Nums.append(key)
        root.ParentTree.Nums.append(mapped)
        pdf.pages[part.first_page + i].obj.StructParents = key
        key += 1
    root.ParentTreeNextKey = key


def _foreign(pdf: pikepdf.Pdf, value: Any) -> Any:
    """``value`` from another file, made ours: indirect objects copied, direct ones rebuilt."""
    if isinstance(value, pikepdf.Object) and value.is_indirect:
        return pdf.copy_foreign(value)
    if isinstance(value, Dictionary):
        return Dictionary({k: _foreign(pdf, v) for k, v in value.items()})
    if isinstance(value, Array):
        return Array([_foreign(pdf, v) for v in value])
    return value


def _append(kids: object, new: Any) -> Any:
    if isinstance(kids, Array):
        kids.append(new)
        return kids
    return Array([new] if kids is None else [kids, new])


def _widgets(pdf: pikepdf.Pdf, document: Any, titles: dict[str, str]) -> None:
    """Each widget annotation in a Form element with alternative text — a signatory's in the
    signature table's cell made for it, so that it is read there, beside the name; pages with
    annotations take their tab order from the structure."""
    root = pdf.Root.StructTreeRoot
    key = next_key(root)
    places = _signature_places(document, len(titles) - 1)  # every title but the timestamp's
    order = list(titles)
    for page in pdf.pages:
        annots = page.obj.get("/Annots")
        if not annots:
            continue
        page.obj.Tabs = Name.S
        for annot in annots:
            if annot.get("/Subtype") != "/Widget" or "/StructParent" in annot:
                continue
            name = str(annot.get("/T", ""))
            alt = titles.get(name, str(annot.get("/TU", name)))
            index = order.index(name) if name in order else len(places)
            parent = places[index] if index < len(places) else document
            form = pdf.make_indirect(Dictionary(
                Type=Name.StructElem, S=Name.Form, P=parent, Alt=pikepdf.String(alt),
                K=Dictionary(Type=Name.OBJR, Obj=annot, Pg=page.obj),
            ))  # fmt: skip
            parent.K = _append(parent.get("/K"), form)
            annot.StructParent = key
            root.ParentTree.Nums.append(key)
            root.ParentTree.Nums.append(form)
            key += 1
    root.ParentTreeNextKey = key
