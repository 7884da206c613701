"""Empty signature fields, placed from the template's anchors, added before anyone signs.

The Word template has a bookmark ``sig_<role>`` at the top-left of each signatory's place in the
signature block; LibreOffice exports it as a PDF named destination (page and position). One
signature field per signatory goes there, named after the role, with the signatory's title as its
user-facing name (/TU). The document-timestamp field for PAdES B-LTA is created too, invisible, with
an empty appearance: a widget without one fails PDF/A (Preflight 5.3.1, see KNOWN-PITFALLS).
Fields are added by pypdf while the merged file is written anyway, so no incremental update (and
none of pyHanko's metadata rewriting) is involved.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)

from ..errors import InputError
from ..meeting.model import Signatory

TIMESTAMP_FIELD = "Dokumenttidsstempel"
# The stamp fills the signatory's stamp area in the template (an 8 cm cell, a 62 pt line):
# the cell's text width less a little, and the area's height less 3 pt above and below.
STAMP_WIDTH = 210.0
STAMP_HEIGHT = 52.0
STAMP_GAP = 5.0
PRINT = 4  # annotation flag: PDF/A requires it on every widget


@dataclass(frozen=True)
class Anchor:
    page: int
    left: float
    top: float


def anchors(reader: PdfReader) -> dict[str, Anchor]:
    """Signature anchors by role, from named destinations ``sig_<role>``."""
    found = {}
    for name, dest in reader.named_destinations.items():
        # LibreOffice escapes '_' in destination names as #5F; pypdf shows it as 5F.
        plain = str(name).lstrip("/").replace("#5F", "_").replace("5F", "_")
        if plain.startswith("sig_"):
            page = reader.get_destination_page_number(dest)
            if page is None:
                continue
            found[plain[4:]] = Anchor(page, float(dest.left or 0), float(dest.top or 0))
    return found


def _empty_appearance(writer: PdfWriter, width: float, height: float) -> object:
    stream = StreamObject()
    stream.update({
        NameObject("/Type"): NameObject("/XObject"),
        NameObject("/Subtype"): NameObject("/Form"),
        NameObject("/BBox"): ArrayObject([FloatObject(v) for v in (0, 0, width, height)]),
        NameObject("/Resources"): DictionaryObject(),
    })  # fmt: skip
    stream.set_data(b"")
    return writer._add_object(stream)


def _field(
    writer: PdfWriter, page: int, name: str, tu: str, rect: tuple[float, ...], tm: str = ""
) -> object:
    page_obj = writer.pages[page]
    width, height = rect[2] - rect[0], rect[3] - rect[1]
    widget = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"),
        NameObject("/Subtype"): NameObject("/Widget"),
        NameObject("/FT"): NameObject("/Sig"),
        NameObject("/T"): TextStringObject(name),
        NameObject("/TU"): TextStringObject(tu),
        NameObject("/TM"): TextStringObject(tm),
        NameObject("/F"): NumberObject(PRINT),
        NameObject("/Rect"): ArrayObject([FloatObject(v) for v in rect]),
        NameObject("/P"): page_obj.indirect_reference,
        NameObject("/AP"): DictionaryObject(
            {NameObject("/N"): _empty_appearance(writer, width, height)}
        ),
    })  # fmt: skip
    ref = writer._add_object(widget)
    annots = page_obj.get("/Annots")
    if annots is None:
        page_obj[NameObject("/Annots")] = ArrayObject([ref])
    else:
        annots.get_object().append(ref)
    return ref


def add_signature_fields(
    writer: PdfWriter, minutes: PdfReader, signatories: tuple[Signatory, ...]
) -> None:
    """One field per signatory at its anchor, plus the document-timestamp field."""
    found = anchors(minutes)
    refs = []
    for s in signatories:
        anchor = found.get(s.role)
        if anchor is None:
            raise InputError(
                f"the template has no signature anchor for '{s.role}' "
                f"(a bookmark named sig_{s.role} in the signature block)",
                hint="keep the sig_<role> bookmarks when restyling the template",
            )
        top = anchor.top - STAMP_GAP  # the anchor is the top-left of the stamp area
        rect = (anchor.left, top - STAMP_HEIGHT, anchor.left + STAMP_WIDTH, top)
        # /TU: what users and screen readers are told — role and person, so that two
        # "Valgt medlem" fields differ; /TM: the signatory's name (for the demo certificate).
        refs.append(_field(writer, anchor.page, s.role, user_name(s.title, s.name), rect,
                           s.name or ""))  # fmt: skip
    last = len(writer.pages) - 1
    refs.append(_field(writer, last, TIMESTAMP_FIELD, "Dokumenttidsstempel", (0, 0, 0, 0)))
    writer.root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): ArrayObject(refs)}
    )


def is_signed(pdf: Path) -> bool:
    """Whether ``pdf`` carries a signature (filled signature field or document timestamp)."""
    try:
        fields = PdfReader(pdf).get_fields() or {}
    except Exception:  # unreadable: not ours to judge here, and not signed by us
        return False
    return any(f.get("/FT") == "/Sig" and f.get("/V") is not None for f in fields.values())


SIGNATURE = "Signatur: "


def user_name(title: str, name: str | None) -> str:
    """The field's /TU: "Signatur: Valgt medlem Kari Holm"."""
    return f"{SIGNATURE}{title} {name or ''}".strip()


def _title(tu: str, name: str) -> str:
    """The signatory's title back from /TU (fields made before /TU named the person hold the
    title alone)."""
    if not tu.startswith(SIGNATURE):
        return tu
    tu = tu[len(SIGNATURE) :]
    return tu[: -len(name)].rstrip() if name and tu.endswith(" " + name) else tu


@dataclass(frozen=True)
class SigField:
    role: str
    title: str
    name: str
    signed: bool


def signature_fields(reader: PdfReader) -> list[SigField]:
    """The signatory fields, in signing order (the timestamp field left out)."""
    out: list[SigField] = []
    form = reader.root_object.get("/AcroForm")
    for ref in form.get_object().get("/Fields", []) if form is not None else []:
        field = ref.get_object()
        if field.get("/FT") != "/Sig" or field.get("/T") == TIMESTAMP_FIELD:
            continue
        name = str(field.get("/TM", ""))
        title = _title(str(field.get("/TU", field["/T"])), name)
        out.append(SigField(str(field["/T"]), title, name, field.get("/V") is not None))
    return out
