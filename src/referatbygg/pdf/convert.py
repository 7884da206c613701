"""Documents → PDF/A: the minutes' docx, and each attachment by what it really is.

PDF attachments are cleaned of active content and rewritten by Ghostscript; DOCX/ODT go through
LibreOffice; PNG/JPEG become a page through Pillow and then Ghostscript. Each starts from the
inspection ``check`` made (meeting/attachments.py): a file whose content does not match its
extension, an empty, broken or encrypted file is refused with an error that names the attachment
and its agenda item.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader, PdfWriter

from ..document import lang
from ..errors import ConversionError
from ..meeting.attachments import (
    Kind,
    agreement_of,
    agreements,
    check_image,
    fail,
    inspect,
    read_pdf,
)
from ..meeting.model import Attachment, Meeting
from .band import A4, Band
from .titles import JOINER

if TYPE_CHECKING:  # the converter is handed in
    from ..tools.libreoffice import Converter, PdfaLevel

log = logging.getLogger(__name__)


@dataclass
class Converted:
    """One attachment as PDF/A, with what was done to it (for the build report)."""

    index: int
    attachment: Attachment
    source: Path
    kind: Kind
    pdf: Path
    pages: int
    removed: list[str] = field(default_factory=list)
    accessible: bool = False  # tagged, and PDF/A-2a and PDF/UA-1 by veraPDF
    accessibility_note: str | None = None  # why not: what could not be tagged, or what failed
    ref: str = ""  # its agenda item as the minutes refer to it: "Pkt. 5", "PS 25/25"
    scaled_to_a4: int = 0  # pages whose size changed (onto A4, or turned as shown)
    ocr_pages: list[int] = field(default_factory=list)  # scanned pages read by Tesseract

    @property
    def label(self) -> str:
        return f"{self.ref or f'Pkt. {self.attachment.item}'} – {self.attachment.title}"


def signed_originals(meeting: Meeting, out_root: Path) -> frozenset[int]:
    """The attachments that are agreements whose own signed document exists under
    ``out_root``: the minutes say so, and the merged copy says it is a copy."""
    from .fields import is_signed

    return frozenset(
        index for index, agreement_id in agreements(meeting)
        if (signed := out_root / agreement_id / "avtale.pdf").is_file() and is_signed(signed)
    )  # fmt: skip


def convert_attachment(
    meeting: Meeting,
    index: int,
    work: Path,
    level: PdfaLevel,
    converter: Converter,
    originals: frozenset[int] = frozenset(),
) -> Converted:
    """Convert attachment number ``index`` of ``meeting`` into ``work``; returns the PDF/A."""
    from . import band, pdfa, tagging, titles
    from .sanitize import active_content

    att = meeting.data.attachments[index]
    found = inspect(meeting, index)
    src, kind = found.path, found.kind
    out = work / f"vedlegg-{index + 1:02d}.pdf"
    removed: list[str] = []
    read: list[int] = []
    if kind == "pdf":
        removed, read = _pdf(meeting, index, src, out, level, work)
    elif kind == "avtale":
        _agreement(meeting, index, src, out, level, work, converter, index in originals)
    elif kind in ("docx", "odt"):
        try:
            converter.convert(src, out, level)
        except ConversionError as exc:
            raise fail(meeting, index, f"LibreOffice could not convert it: {exc}") from None
    else:
        _image(meeting, index, src, out, level, work)
    tagged = kind in ("docx", "odt", "avtale") and level.startswith("2")  # LibreOffice tags
    why_not: str | None = None
    if kind not in ("docx", "odt", "avtale"):  # Ghostscript's: "Untitled", no language
        titles.name_document(out, att.title, lang.BCP47[meeting.language])
        if level.startswith("2"):  # kept as it was, or tagged here
            tagged, why_not = _autotag(out, kind, att.alt)
    if tagged:
        tagging.finish_converted(out, lang.BCP47[meeting.language], att.title)
    pdfa.normalise(out, level)
    scaled = band.place(out, _band(meeting, index), a4=meeting.body.attachment_pages == "A4")
    accessible = False
    if tagged:
        accessible, why_not = tagging.settle(out)
    reader = PdfReader(out)
    left = active_content(reader)
    if left:
        raise fail(meeting, index, f"active content survived conversion: {', '.join(left)}")
    return Converted(index, att, src, kind, out, len(reader.pages), removed, accessible, why_not,
                     lang.item_ref(meeting, att.item), scaled, read)  # fmt: skip


def _autotag(path: Path, kind: Kind, alt: str | None) -> tuple[bool, str | None]:
    """Give an attachment without structure one (pdf/autotag.py; one kept as it was has its
    own): (tagged, why not)."""
    from .autotag import NotTaggable, tag

    if kind in ("png", "jpeg") and not alt:
        return False, "an image attachment needs an alternative text (alt in the meeting file)"
    try:
        tag(path, alt)
    except NotTaggable as exc:
        return False, str(exc)
    return True, None


def _band(meeting: Meeting, index: int) -> Band:
    """What the band at the head of the attachment's pages says."""
    att = meeting.data.attachments[index]
    labels = meeting.labels
    basis = meeting.withheld(att)
    ref = lang.item_ref(meeting, att.item) or f"{labels['item_short']} {att.item}"
    return Band(
        f"{labels['attachments']} {index + 1} – {ref} – {att.title.replace(JOINER, '')}",
        labels["page"],
        labels["of"],
        f"{labels['exempt']} {basis}" if basis else None,
    )


def _pdf(
    meeting: Meeting, index: int, src: Path, out: Path, level: PdfaLevel, work: Path
) -> tuple[list[str], list[int]]:
    """Active content removed; Ghostscript's PDF/A (scanned pages read by OCR first), or the
    file itself when it is accessible already. Returns (what was removed, pages read by OCR)."""
    from . import ocr
    from .sanitize import sanitize

    reader = read_pdf(meeting, index, src)
    try:
        writer = PdfWriter(clone_from=reader, keep_initial_header=True)
    except Exception as exc:  # pypdf raises many kinds on a damaged file
        raise fail(meeting, index, f"the PDF is damaged and cannot be read ({exc})") from None
    removed = sanitize(writer)
    if removed:
        log.info("attachment %s: removed %s", src.name, ", ".join(removed))
    clean = work / f"vedlegg-{index + 1:02d}.clean.pdf"
    with clean.open("wb") as fh:
        writer.write(fh)
    if level.startswith("2") and _accessible_as_is(clean):
        clean.replace(out)  # its own structure, roles, language and alternative texts kept
        return removed, []
    read = []
    if level.startswith("2"):  # scanned pages: a text layer first, to tag
        try:
            read = ocr.searchable(clean, work)
        except ConversionError as exc:
            raise fail(meeting, index, str(exc)) from None
    _ghostscript(meeting, index, clean, out, level)
    return removed, read


def _accessible_as_is(path: Path) -> bool:
    """A tagged PDF/A-2 that veraPDF passes for its PDF/A part and PDF/UA-1 (one of this
    tool's own notices, a document exported for accessibility): Ghostscript would drop its
    structure tree, so it is taken as it is (active content already removed)."""
    import pikepdf

    from . import pdfa, tagging

    with pikepdf.open(path) as pdf:
        if not (tagging.is_tagged(pdf) and tagging.claims_ua(pdf)):
            return False
    report = pdfa.validate(path)
    return (
        report.valid and report.checked[:1] in (["2a"], ["2b"], ["2u"]) and "ua1" in report.checked
    )


def _image(
    meeting: Meeting, index: int, src: Path, out: Path, level: PdfaLevel, work: Path
) -> None:
    check_image(meeting, index, src)
    try:
        with Image.open(src) as img:
            img.load()
            rgb = img.convert("RGB")  # PDF/A: no alpha channel, device RGB with the output intent
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise fail(meeting, index, f"the image is damaged and cannot be read ({exc})") from None
    # Fit the image on an A4 page with 2 cm margins, never enlarged beyond 150 dpi.
    width, height = rgb.size
    margin = 56.7
    scale = min((A4[0] - 2 * margin) / width, (A4[1] - 2 * margin) / height, 72 / 150)
    resolution = 72 / scale
    plain = work / f"vedlegg-{index + 1:02d}.image.pdf"
    rgb.save(plain, "PDF", resolution=resolution)
    _ghostscript(meeting, index, plain, out, level)


def _agreement(
    meeting: Meeting, index: int, src: Path, out: Path, level: PdfaLevel, work: Path,
    converter: Converter, signed: bool,
) -> None:  # fmt: skip
    """An agreement listed as an attachment: built from the same source file as its own package,
    as a copy — marked so on its first page, and saying who signs the original instead of
    showing empty signature lines."""
    from ..document.render import render_docx

    agreement = agreement_of(meeting, index, src)
    docx = work / f"vedlegg-{index + 1:02d}.docx"
    docx.write_bytes(render_docx(agreement, variant="copy", copy_signed=signed))
    try:
        converter.convert(docx, out, level)
    except ConversionError as exc:
        raise fail(meeting, index, f"LibreOffice could not convert it: {exc}") from None


def _ghostscript(meeting: Meeting, index: int, src: Path, out: Path, level: PdfaLevel) -> None:
    """Ghostscript to PDF/A; the intermediate ``src`` is removed either way."""
    from ..tools import ghostscript

    try:
        ghostscript.to_pdfa(src, out, level, title=meeting.data.attachments[index].title)
    except ConversionError as exc:
        raise fail(meeting, index, str(exc)) from None
    finally:
        src.unlink(missing_ok=True)
