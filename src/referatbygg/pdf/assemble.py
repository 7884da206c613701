"""Merge the minutes and their attachments into one PDF/A (pypdf).

The minutes come first (``clone_from`` keeps their XMP packet, output intent, structure tree and
heading bookmarks), then each attachment in the order of the attachment list, each with a
bookmark "Vedlegg – Pkt. 5 – <title>" and page labels "V1-1, V1-2 …". Afterwards the claim is set
to what is true for the whole file, and the merged file is checked against the list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from pypdf import PdfReader, PdfWriter
from pypdf.constants import PageLabelStyle
from pypdf.generic import NameObject, TextStringObject

from ..errors import ValidationError
from ..fsutil import atomic_path
from ..meeting.model import Signatory
from ..tools.libreoffice import PdfaLevel
from .convert import Converted
from .fields import TIMESTAMP_FIELD, add_signature_fields, user_name
from .pdfa import add_cidsets, set_claim
from .tagging import TaggedPart, finish_merged, without_ua_claim

BOOKMARK_PREFIX = "Vedlegg – "


@dataclass(frozen=True)
class Part:
    """One part of the merged file: its bookmark title, first page (0-based) and page count."""

    title: str
    first_page: int
    pages: int


def bookmark(conv: Converted) -> str:
    """'Vedlegg – Pkt. 5 – <title>', 'Vedlegg – PS 25/25 – <title>'."""
    return f"{BOOKMARK_PREFIX}{conv.label}"


@dataclass(frozen=True)
class Merged:
    """The parts as merged, the PDF/A level the file claims, and what kept it from level a."""

    parts: list[Part]
    claim: str  # "2a", "2b", "1b"
    untagged: list[str]  # bookmark titles of attachments without structure


def merge(
    minutes: Path,
    attachments: list[Converted],
    dst: Path,
    level: PdfaLevel,
    signatories: tuple[Signatory, ...] | None = None,
    *,
    accessible: bool = True,
    title: str = "Referat",
    language: str = "nb",
) -> Merged:
    """Write the merged PDF/A to ``dst`` (atomically), with empty signature fields for
    ``signatories`` and the final timestamp (none at all when ``signatories`` is None: notices,
    drafts, public versions; only the timestamp's when it is empty: minutes nobody signs, which
    still get their final timestamp). A PDF/A-2 file whose every page is tagged claims level a
    and PDF/UA-1 (:mod:`.tagging`); otherwise level b, naming the attachments without
    structure."""
    writer = PdfWriter(clone_from=minutes, keep_initial_header=True)
    minutes_pages = len(writer.pages)
    writer.set_page_label(0, minutes_pages - 1, style=PageLabelStyle.DECIMAL)
    parts = [Part(title, 0, minutes_pages)]
    tagged: list[TaggedPart] = []
    untagged: list[str] = []
    for number, conv in enumerate(attachments, start=1):
        first = len(writer.pages)
        mark = bookmark(conv)
        # The attachment's own outline, under its "Vedlegg – …" bookmark.
        writer.append(conv.pdf, outline_item=mark, import_outline=True)
        count = len(writer.pages) - first
        writer.set_page_label(
            first, first + count - 1, style=PageLabelStyle.DECIMAL, prefix=f"V{number}-"
        )
        parts.append(Part(mark, first, count))
        if conv.accessible:
            tagged.append(TaggedPart(mark, conv.pdf, first, count))
        else:
            untagged.append(mark)
    if signatories is not None:
        add_signature_fields(writer, PdfReader(minutes), signatories)
    # Open with the outline panel: the reader sees the items and attachments at once.
    writer.root_object[NameObject("/PageMode")] = NameObject("/UseOutlines")
    _plain_titles(writer)
    set_claim(writer, level)
    add_cidsets(writer)
    # pypdf sets its own Producer; PDF/A wants Info and XMP to agree, so keep the minutes' one.
    producer = PdfReader(minutes).metadata
    if producer and producer.producer:
        writer.add_metadata({"/Producer": producer.producer})
    with atomic_path(dst) as tmp:
        with tmp.open("wb") as fh:
            writer.write(fh)
        claim: str = level
        if level.startswith("2"):
            titles = {s.role: user_name(s.title, s.name) for s in signatories or ()}
            titles[TIMESTAMP_FIELD] = ("Dokumenttidsstempel (usynleg)" if language == "nn"
                                       else "Dokumenttidsstempel (usynlig)")  # fmt: skip
            claim, untagged = _claim(tmp, tagged, untagged, titles, accessible)
    return Merged(parts, claim, untagged)


def _claim(
    path: Path, parts: list[TaggedPart], untagged: list[str], titles: dict[str, str],
    accessible: bool,
) -> tuple[str, list[str]]:  # fmt: skip
    """Finish the structure and claim level a with PDF/UA-1 when every page is tagged."""
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        grafted = finish_merged(pdf, parts, list(untagged), titles)
        full = grafted.tagged and accessible
        xmp = pdf.Root.Metadata.read_bytes().decode("utf-8")
        new = xmp if full else without_ua_claim(xmp)
        new = re.sub(r"(<pdfaid:conformance>)\s*[ABU]\s*(</pdfaid:conformance>)",
                     rf"\g<1>{'A' if full else 'B'}\g<2>", new)  # fmt: skip
        pdf.Root.Metadata.write(new.encode("utf-8"))
        pdf.save(path)
    return ("2a" if full else "2b"), grafted.untagged


def _plain_titles(writer: PdfWriter) -> None:
    """Drop the word joiners :func:`.lang.nobreak` puts into ranges ("2023–\u20602025") from
    the bookmarks: they keep a line from breaking on the page, but in the outline panel some
    viewers show them as a box, and searching the outline for "2023–2025" would miss them."""
    outlines = writer.root_object.get("/Outlines")
    stack = [outlines.get_object().get("/First")] if outlines is not None else []
    while stack:
        ref = stack.pop()
        if ref is None:
            continue
        entry = ref.get_object()
        title = str(entry.get("/Title", ""))
        if "\u2060" in title:
            entry[NameObject("/Title")] = TextStringObject(title.replace("\u2060", ""))
        stack.extend([entry.get("/Next"), entry.get("/First")])


def attachment_parts(pdf: Path) -> list[Part]:
    """The attachment bookmarks found in a merged file, in page order."""
    reader = PdfReader(pdf)
    found: list[tuple[int, str]] = []
    for entry in reader.outline:
        if isinstance(entry, list) or not str(entry.title).startswith(BOOKMARK_PREFIX):
            continue
        page = reader.get_destination_page_number(entry)
        if page is not None:
            found.append((page, str(entry.title)))
    found.sort()
    total = len(reader.pages)
    parts = []
    for i, (first, title) in enumerate(found):
        end = found[i + 1][0] if i + 1 < len(found) else total
        parts.append(Part(title, first, end - first))
    return parts


def check_parts(pdf: Path, expected: list[Converted]) -> list[str]:
    """Compare the merged file with the attachment list: every attachment once, in order, with
    its page count. Returns the mismatches (empty when all is well)."""
    found = attachment_parts(pdf)
    want = [(bookmark(c), c.pages) for c in expected]
    problems = []
    titles = [p.title for p in found]
    for title, pages in want:
        count = titles.count(title)
        if count == 0:
            problems.append(f"'{title}' is missing from the merged PDF")
        elif count > 1:
            problems.append(f"'{title}' appears {count} times in the merged PDF")
        else:
            got = found[titles.index(title)].pages
            if got != pages:
                problems.append(f"'{title}' has {got} page(s) in the merged PDF, expected {pages}")
    for title in titles:
        if title not in {t for t, _ in want}:
            problems.append(f"'{title}' is in the merged PDF but not in the attachment list")
    if not problems and titles != [t for t, _ in want]:
        problems.append(f"attachments are out of order: {titles}")
    return problems


def require_parts(pdf: Path, expected: list[Converted]) -> None:
    problems = check_parts(pdf, expected)
    if problems:
        raise ValidationError(
            f"{pdf.name}: the merged PDF does not match the attachment list: " + "; ".join(problems)
        )
