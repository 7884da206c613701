"""A meeting's attachments as the files they are: what each really is, and whether a build can
use it — known without converting anything.

``check`` inspects every attachment with :func:`inspect`, and the build (pdf/convert.py) starts
from the same inspection, so what check accepts the build can convert. A file whose content does
not match its extension, an empty, broken or encrypted file, or an image over the pixel limit is
refused with an error that names the attachment, its agenda item and its file.
"""

from __future__ import annotations

import re
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader

from ..errors import InputError
from ..settings import image_pixels
from .load import load_meeting, locate, printable
from .model import Meeting

Kind = Literal["pdf", "docx", "odt", "png", "jpeg", "avtale"]
EXTENSIONS: dict[str, Kind] = {
    ".pdf": "pdf", ".docx": "docx", ".odt": "odt", ".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg",
    ".toml": "avtale",  # an agreement's source file: rendered and converted like the minutes
}  # fmt: skip


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


class AttachmentError(InputError):
    """An attachment cannot be used; the message names it, its agenda item and file."""


def fail(meeting: Meeting, index: int, message: str) -> AttachmentError:
    att = meeting.data.attachments[index]
    where = locate(meeting.source, ("attachments", index, "file"))
    return AttachmentError(
        f"{where}: attachment '{printable(att.title)}' (agenda item {att.item}, "
        f"{printable(att.file)}): {message}"
    )


# Images larger than settings.image_pixels() are refused before they are decoded (decompression
# bombs): a scanned A4 page at 600 dpi is ~35 megapixels. Read per image: the service's
# commands each have their own environment.


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
        raise fail(meeting, index, str(found.problem))
    src = found.path
    if src.stat().st_size == 0:
        raise fail(meeting, index, "the file is empty")
    expected = EXTENSIONS.get(src.suffix.lower())
    if expected is None:
        raise fail(
            meeting,
            index,
            f"unsupported file type '{src.suffix}' (use PDF, DOCX, ODT, PNG or JPEG)",
        )
    kind = sniff(src)
    if kind != expected:
        if expected == "avtale":
            raise fail(meeting, index, 'a .toml attachment must be an agreement (kind = "avtale")')
        found_kind = f"a {kind.upper()} file" if kind else "not a PDF, DOCX, ODT, PNG or JPEG file"
        raise fail(
            meeting, index, f"the name says {expected.upper()}, but the content is {found_kind}"
        )
    if kind == "pdf":
        read_pdf(meeting, index, src)
    elif kind in ("png", "jpeg"):
        check_image(meeting, index, src)
    elif kind == "avtale":
        agreement_of(meeting, index, src)
    return Inspected(src, kind)


# Relationships that make a word processor fetch something to show the document: a linked image,
# an OLE object, a template, a frame, a sub-document. A hyperlink is only a link to click.
_FETCHED = ("image", "oleObject", "attachedTemplate", "frame", "subDocument", "package",
            "audio", "video", "externalLinkPath")  # fmt: skip


_FIELD = re.compile(r'\b(?:INCLUDEPICTURE|INCLUDETEXT|LINK\s+[\w.]+)\s+"([^"<>]+)"')


def external_links(src: Path) -> list[str]:
    """The outside resources a DOCX (or ODT) links to and a converter would fetch: their
    targets (URLs, file paths), in file order. LibreOffice is configured never to fetch them
    (tools/libreoffice.py); check names them so the secretariat knows what is left out."""
    found: list[str] = []
    try:
        with zipfile.ZipFile(src) as z:
            for name in z.namelist():
                if name.endswith(".rels"):
                    text = z.read(name).decode("utf-8", "replace")
                    for rel in re.findall(r"<Relationship\b[^>]*>", text):
                        kind = re.search(r'Type="[^"]*/([^"/]+)"', rel)
                        target = re.search(r'Target="([^"]*)"', rel)
                        if ('TargetMode="External"' in rel and kind and target
                                and kind.group(1) in _FETCHED):  # fmt: skip
                            found.append(target.group(1))
                elif name.startswith("word/") and name.endswith(".xml"):
                    # Fields that include a picture, a text or an object by its path or URL.
                    text = z.read(name).decode("utf-8", "replace").replace("&quot;", '"')
                    found += _FIELD.findall(text)
                elif name == "content.xml":  # ODT: a linked picture or object, not a link
                    text = z.read(name).decode("utf-8", "replace")
                    drawn = r"<draw:(?:image|object|object-ole|plugin)\b[^>]*?xlink:href="
                    found += re.findall(drawn + r'"((?:https?|ftp|file):[^"]+)"', text)
    except (zipfile.BadZipFile, OSError):
        return []
    return found


def agreements(meeting: Meeting) -> list[tuple[int, str]]:
    """(attachment index, agreement id) of each attachment built from an agreement's TOML."""
    found = []
    for index, att in enumerate(meeting.data.attachments):
        if att.file.suffix.lower() != ".toml":
            continue
        try:
            agreement = agreement_of(meeting, index, inspect(meeting, index).path)
        except AttachmentError:
            continue  # check has said what is wrong with it
        found.append((index, agreement.id))
    return found


def read_pdf(meeting: Meeting, index: int, src: Path) -> PdfReader:
    with src.open("rb") as fh:
        offset = fh.read(1024).find(b"%PDF-")
    if offset > 0:
        # Readers that search for the header open it; Ghostscript, which makes the PDF/A,
        # does not. What check accepts the build must convert: it is said here.
        raise fail(meeting, index, f"{offset} bytes that are not PDF come before its '%PDF-' "
                   "header; save it again as PDF from the program that made it")  # fmt: skip
    try:
        reader = PdfReader(src)
        if reader.is_encrypted:
            raise fail(meeting, index, "the PDF is encrypted; ask for an unprotected copy")
        if not reader.pages:
            raise fail(meeting, index, "the PDF has no pages")
        return reader
    except AttachmentError:
        raise
    except Exception as exc:  # pypdf raises many kinds on a damaged file
        raise fail(meeting, index, f"the PDF is damaged and cannot be read ({exc})") from None


def check_image(meeting: Meeting, index: int, src: Path) -> None:
    """The image's size from its header — refused above the pixel limit before anything is
    decoded (decompression bombs) — then decoded once, as the build will: a truncated or
    damaged image is found by check, not half-way through a build."""
    limit = image_pixels()
    Image.MAX_IMAGE_PIXELS = limit  # ours is checked first; Pillow's own guard stays behind it
    try:
        with Image.open(src) as img:
            width, height = img.size
            if width * height > limit:
                raise fail(
                    meeting, index,
                    f"the image is {width} × {height} pixels ({width * height / 1e6:.0f} "
                    f"megapixels), more than the limit of {limit / 1e6:.0f} "
                    "(REFERATBYGG_MAX_IMAGE_MEGAPIXELS); scale it down or make it a PDF",
                )  # fmt: skip
            img.load()
    except Image.DecompressionBombError:
        # Pillow's own guard (twice its MAX_IMAGE_PIXELS) fired before ours could say it plainly.
        raise fail(
            meeting, index,
            f"the image claims more than {2 * (Image.MAX_IMAGE_PIXELS or 0) / 1e6:.0f} megapixels "
            f"(a decompression bomb, or a scan at far too high a resolution); the limit is "
            f"{limit / 1e6:.0f} (REFERATBYGG_MAX_IMAGE_MEGAPIXELS)",
        ) from None  # fmt: skip
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise fail(meeting, index, f"the image is damaged and cannot be read ({exc})") from None


def agreement_of(meeting: Meeting, index: int, src: Path) -> Meeting:
    """The agreement an attachment's TOML file holds, loaded; its errors are the attachment's."""
    try:
        return load_meeting(src, meeting.root)
    except InputError as exc:
        raise fail(meeting, index, f"the agreement file has errors:\n{exc}") from None
