"""Documents → PDF/A: the minutes' docx, and each attachment by what it really is.

PDF attachments are cleaned of active content and rewritten by Ghostscript; DOCX/ODT go through
LibreOffice; PNG/JPEG become a page through Pillow and then Ghostscript. A file whose content does
not match its extension, an empty, broken or encrypted file is refused with an error that names the
attachment and its agenda item.
"""

from __future__ import annotations

import logging
import os
import tomllib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader, PdfWriter

from ..document import lang
from ..errors import ConversionError, InputError
from ..meeting.load import locate, printable
from ..meeting.model import Attachment, Meeting

if TYPE_CHECKING:  # check reads attachments through this module: it must not load the build
    from ..tools.libreoffice import Converter, PdfaLevel

log = logging.getLogger(__name__)

Kind = Literal["pdf", "docx", "odt", "png", "jpeg", "avtale"]
EXTENSIONS: dict[str, Kind] = {
    ".pdf": "pdf", ".docx": "docx", ".odt": "odt", ".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg",
    ".toml": "avtale",  # an agreement's source file: rendered and converted like the minutes
}  # fmt: skip
A4 = (595.28, 841.89)  # points


def sniff(path: Path) -> Kind | None:
    """What the bytes say the file is (None: none of the supported kinds)."""
    with path.open("rb") as fh:
        head = fh.read(2048)
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if path.suffix.lower() == ".toml":
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError):
            return None
        return "avtale" if data.get("kind") == "avtale" else None
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as z:
                names = set(z.namelist())
                if "word/document.xml" in names:
                    return "docx"
                if "mimetype" in names and z.read("mimetype").strip() == (
                    b"application/vnd.oasis.opendocument.text"
                ):
                    return "odt"
        except zipfile.BadZipFile:
            return None
    return None


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
    accessibility_note: str | None = None  # why not, when it was tagged but failed
    ref: str = ""  # its agenda item as the minutes refer to it: "Pkt. 5", "PS 25/25"
    scaled_to_a4: int = 0  # pages of another size scaled onto A4 (attachment_pages = "A4")

    @property
    def label(self) -> str:
        return f"{self.ref or f'Pkt. {self.attachment.item}'} – {self.attachment.title}"


class AttachmentError(InputError):
    """An attachment cannot be used; the message names it, its agenda item and file."""


def _fail(meeting: Meeting, index: int, message: str) -> AttachmentError:
    att = meeting.data.attachments[index]
    where = locate(meeting.source, ("attachments", index, "file"))
    return AttachmentError(
        f"{where}: attachment '{printable(att.title)}' (agenda item {att.item}, "
        f"{printable(att.file)}): {message}"
    )


# Images larger than this are refused before they are decoded (decompression bombs): a scanned
# A4 page at 600 dpi is ~35 megapixels.
MAX_PIXELS = int(os.environ.get("REFERATBYGG_MAX_IMAGE_MEGAPIXELS", "120")) * 1_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # ours is checked first; Pillow's own guard stays behind it


@dataclass(frozen=True)
class Inspected:
    """An attachment's file, and what it really is."""

    path: Path
    kind: Kind


def inspect(meeting: Meeting, index: int) -> Inspected:
    """Everything about an attachment that can be known without converting it — ``check`` runs
    this for every attachment, so what it accepts the build can convert. Raises AttachmentError."""
    att = meeting.data.attachments[index]
    found = meeting.attachment_file(att)
    if found.path is None:
        raise _fail(meeting, index, str(found.problem))
    src = found.path
    if src.stat().st_size == 0:
        raise _fail(meeting, index, "the file is empty")
    expected = EXTENSIONS.get(src.suffix.lower())
    if expected is None:
        raise _fail(
            meeting,
            index,
            f"unsupported file type '{src.suffix}' (use PDF, DOCX, ODT, PNG or JPEG)",
        )
    kind = sniff(src)
    if kind != expected:
        if expected == "avtale":
            raise _fail(meeting, index, 'a .toml attachment must be an agreement (kind = "avtale")')
        found_kind = f"a {kind.upper()} file" if kind else "not a PDF, DOCX, ODT, PNG or JPEG file"
        raise _fail(
            meeting, index, f"the name says {expected.upper()}, but the content is {found_kind}"
        )
    if kind == "pdf":
        _pdf_reader(meeting, index, src)
    elif kind in ("png", "jpeg"):
        _image_size(meeting, index, src)
    elif kind == "avtale":
        _agreement_meeting(meeting, index, src)
    return Inspected(src, kind)


def agreements(meeting: Meeting) -> list[tuple[int, str]]:
    """(attachment index, agreement id) of each attachment built from an agreement's TOML."""
    found = []
    for index, att in enumerate(meeting.data.attachments):
        if att.file.suffix.lower() != ".toml":
            continue
        try:
            agreement = _agreement_meeting(meeting, index, inspect(meeting, index).path)
        except AttachmentError:
            continue  # check has said what is wrong with it
        found.append((index, agreement.id))
    return found


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
    from . import pdfa, tagging
    from .sanitize import active_content

    att = meeting.data.attachments[index]
    found = inspect(meeting, index)
    src, kind = found.path, found.kind
    out = work / f"vedlegg-{index + 1:02d}.pdf"
    removed: list[str] = []
    if kind == "pdf":
        removed = _pdf(meeting, index, src, out, level, work)
    elif kind == "avtale":
        _agreement(meeting, index, src, out, level, work, converter, index in originals)
    elif kind in ("docx", "odt"):
        try:
            converter.convert(src, out, level)
        except ConversionError as exc:
            raise _fail(meeting, index, f"LibreOffice could not convert it: {exc}") from None
    else:
        _image(meeting, index, src, out, level, work)
    tagged = kind in ("docx", "odt", "avtale") and level.startswith("2")  # LibreOffice tags
    if tagged:
        tagging.finish_converted(out, lang.BCP47[meeting.language], att.title)
    pdfa.normalise(out, level)
    scaled = 0
    if meeting.body.attachment_pages == "A4":
        from .assemble import fit_a4

        scaled = fit_a4(out)
    accessible, why_not = tagging.settle(out) if tagged else (False, None)
    reader = PdfReader(out)
    left = active_content(reader)
    if left:
        raise _fail(meeting, index, f"active content survived conversion: {', '.join(left)}")
    return Converted(index, att, src, kind, out, len(reader.pages), removed, accessible, why_not,
                     lang.item_ref(meeting, att.item), scaled)  # fmt: skip


def _pdf_reader(meeting: Meeting, index: int, src: Path) -> PdfReader:
    try:
        reader = PdfReader(src)
        if reader.is_encrypted:
            raise _fail(meeting, index, "the PDF is encrypted; ask for an unprotected copy")
        if not reader.pages:
            raise _fail(meeting, index, "the PDF has no pages")
        return reader
    except AttachmentError:
        raise
    except Exception as exc:  # pypdf raises many kinds on a damaged file
        raise _fail(meeting, index, f"the PDF is damaged and cannot be read ({exc})") from None


def _image_size(meeting: Meeting, index: int, src: Path) -> None:
    """The image's size from its header — refused above the pixel limit before anything is
    decoded (decompression bombs) — then decoded once, as the build will: a truncated or
    damaged image is found by check, not half-way through a build."""
    try:
        with Image.open(src) as img:
            width, height = img.size
            if width * height > MAX_PIXELS:
                raise _fail(
                    meeting, index,
                    f"the image is {width} × {height} pixels ({width * height / 1e6:.0f} "
                    f"megapixels), more than the limit of {MAX_PIXELS / 1e6:.0f} "
                    "(REFERATBYGG_MAX_IMAGE_MEGAPIXELS); scale it down or make it a PDF",
                )  # fmt: skip
            img.load()
    except Image.DecompressionBombError:
        # Pillow's own guard (twice its MAX_IMAGE_PIXELS) fired before ours could say it plainly.
        raise _fail(
            meeting, index,
            f"the image claims more than {2 * (Image.MAX_IMAGE_PIXELS or 0) / 1e6:.0f} megapixels "
            f"(a decompression bomb, or a scan at far too high a resolution); the limit is "
            f"{MAX_PIXELS / 1e6:.0f} (REFERATBYGG_MAX_IMAGE_MEGAPIXELS)",
        ) from None  # fmt: skip
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise _fail(meeting, index, f"the image is damaged and cannot be read ({exc})") from None


def _agreement_meeting(meeting: Meeting, index: int, src: Path) -> Meeting:
    from ..meeting.load import load_meeting

    try:
        return load_meeting(src, meeting.root)
    except InputError as exc:
        raise _fail(meeting, index, f"the agreement file has errors:\n{exc}") from None


def _pdf(
    meeting: Meeting, index: int, src: Path, out: Path, level: PdfaLevel, work: Path
) -> list[str]:
    from .sanitize import sanitize

    reader = _pdf_reader(meeting, index, src)
    try:
        writer = PdfWriter(clone_from=reader, keep_initial_header=True)
    except Exception as exc:  # pypdf raises many kinds on a damaged file
        raise _fail(meeting, index, f"the PDF is damaged and cannot be read ({exc})") from None
    removed = sanitize(writer)
    if removed:
        log.info("attachment %s: removed %s", src.name, ", ".join(removed))
    clean = work / f"vedlegg-{index + 1:02d}.clean.pdf"
    with clean.open("wb") as fh:
        writer.write(fh)
    _ghostscript(meeting, index, clean, out, level)
    return removed


def _image(
    meeting: Meeting, index: int, src: Path, out: Path, level: PdfaLevel, work: Path
) -> None:
    _image_size(meeting, index, src)
    try:
        with Image.open(src) as img:
            img.load()
            rgb = img.convert("RGB")  # PDF/A: no alpha channel, device RGB with the output intent
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise _fail(meeting, index, f"the image is damaged and cannot be read ({exc})") from None
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

    agreement = _agreement_meeting(meeting, index, src)
    docx = work / f"vedlegg-{index + 1:02d}.docx"
    docx.write_bytes(render_docx(agreement, variant="copy", copy_signed=signed))
    try:
        converter.convert(docx, out, level)
    except ConversionError as exc:
        raise _fail(meeting, index, f"LibreOffice could not convert it: {exc}") from None


def _ghostscript(meeting: Meeting, index: int, src: Path, out: Path, level: PdfaLevel) -> None:
    """Ghostscript to PDF/A; the intermediate ``src`` is removed either way."""
    from ..tools import ghostscript

    try:
        ghostscript.to_pdfa(src, out, level, title=meeting.data.attachments[index].title)
    except ConversionError as exc:
        raise _fail(meeting, index, str(exc)) from None
    finally:
        src.unlink(missing_ok=True)
