"""Small PDFs and files for attachment tests, made with pypdf and Pillow."""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, TextStringObject


def plain_pdf(path: Path, pages: int = 1) -> Path:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    with path.open("wb") as fh:
        writer.write(fh)
    return path


def active_pdf(path: Path) -> Path:
    """A PDF with JavaScript (open action and name tree), a launch link and an embedded file."""
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    writer.add_attachment("hemmelig.txt", b"innebygd fil")
    script = DictionaryObject({
        NameObject("/S"): NameObject("/JavaScript"),
        NameObject("/JS"): TextStringObject("app.alert('hei');"),
    })  # fmt: skip
    names = writer.root_object["/Names"].get_object()
    names[NameObject("/JavaScript")] = DictionaryObject({
        NameObject("/Names"): ArrayObject([TextStringObject("hei"), writer._add_object(script)])
    })  # fmt: skip
    launch = DictionaryObject({
        NameObject("/S"): NameObject("/Launch"),
        NameObject("/F"): TextStringObject("calc.exe"),
    })  # fmt: skip
    link = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"),
        NameObject("/Subtype"): NameObject("/Link"),
        NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (50, 50, 200, 100)]),
        NameObject("/A"): launch,
    })  # fmt: skip
    page[NameObject("/Annots")] = ArrayObject([writer._add_object(link)])
    js = DictionaryObject({
        NameObject("/S"): NameObject("/JavaScript"),
        NameObject("/JS"): TextStringObject("app.alert('åpnet');"),
    })  # fmt: skip
    writer.root_object[NameObject("/OpenAction")] = writer._add_object(js)
    with path.open("wb") as fh:
        writer.write(fh)
    return path


def mark_signed(path: Path) -> None:
    """Give ``path`` a filled /Sig field, which is how a signed file looks to a reader."""
    writer = PdfWriter(clone_from=path)
    sig = DictionaryObject({
        NameObject("/FT"): NameObject("/Sig"),
        NameObject("/T"): TextStringObject("x"),
        NameObject("/V"): DictionaryObject({NameObject("/Type"): NameObject("/Sig")}),
    })  # fmt: skip
    writer.root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): ArrayObject([writer._add_object(sig)])}
    )
    with path.open("wb") as fh:
        writer.write(fh)


def encrypted_pdf(path: Path) -> Path:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt("hemmelig")
    with path.open("wb") as fh:
        writer.write(fh)
    return path


def png(path: Path, size: tuple[int, int] = (800, 600), mode: str = "RGBA") -> Path:
    Image.new(mode, size, (30, 90, 160, 200) if mode == "RGBA" else (30, 90, 160)).save(path)
    return path
