"""PDF/A minutes with real LibreOffice and Ghostscript, judged by veraPDF's validation engine."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import ROOT, SEED
from pdfmaker import active_pdf, encrypted_pdf, mark_signed, plain_pdf, png
from pypdf import PdfReader
from textcompare import REFERENCE, similarity

from referatbygg.build.result import BuildResult
from referatbygg.errors import CheckFailed, InputError, ValidationError
from referatbygg.pdf import assemble, pdfa
from referatbygg.pdf.sanitize import active_content
from referatbygg.pipeline import build


@pytest.fixture(scope="module")
def seed_2b(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    return build(SEED, tmp_path_factory.mktemp("out2b"), level="2b")


@pytest.fixture(scope="module")
def seed_1b(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    return build(SEED, tmp_path_factory.mktemp("out1b"), level="1b")


BAND = re.compile(r"^(\f?) *Vedlegg \d+ – .* · Side \d+ av \d+.*\n", re.MULTILINE)


def without_band(text: str) -> str:
    """Text without the band this tool puts at the head of each attachment page."""
    return BAND.sub(r"\1", text)


def pdftotext(pdf: Path, first: int, last: int) -> str:
    res = subprocess.run(
        ["pdftotext", "-layout", "-f", str(first), "-l", str(last), str(pdf), "-"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return res.stdout


def test_seed_passes_verapdf(seed_2b: BuildResult) -> None:
    """The merged minutes and each attachment on its own: PDF/A-2a and PDF/UA-1 by veraPDF's
    engine — the PDF attachments given a structure (pdf/autotag.py), the agreement its own."""
    assert seed_2b.pdf is not None
    report = pdfa.validate(seed_2b.pdf)
    assert report.claimed == "PDF/A-2a + PDF/UA-1"
    assert report.valid and report.findings == [], report.summary
    assert report.summary == "PDF/A-2a, PDF/UA-1: veraPDF found no errors"
    assert len(seed_2b.validations) == 1 + len(seed_2b.attachments)
    for attachment in seed_2b.attachments:
        assert pdfa.validate(attachment.pdf).valid, attachment.pdf


def test_seed_1b_passes_verapdf(seed_1b: BuildResult) -> None:
    assert seed_1b.pdf is not None
    report = pdfa.validate(seed_1b.pdf)
    assert report.claimed == "PDF/A-1b"  # LibreOffice claimed 1a; merged pages make it 1b
    assert report.valid and report.findings == [], report.summary
    assert PdfReader(seed_1b.pdf).pdf_header == "%PDF-1.4"


def test_non_pdfa_file_fails_validation() -> None:
    plain = ROOT / "meetings/politiradet/vedlegg/situasjonsbrief.pdf"
    report = pdfa.validate(plain)
    assert not report.valid
    assert report.claimed == "none"
    res = subprocess.run(
        [sys.executable, "-m", "referatbygg", "validate", str(plain), "--json"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert res.returncode == 7
    assert json.loads(res.stdout)["ok"] is False


def test_pdfa2_with_a_real_error_fails(seed_2b: BuildResult, tmp_path: Path) -> None:
    """The output intent removed: device colour without a profile, which veraPDF names."""
    assert seed_2b.pdf is not None
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=seed_2b.pdf)
    del writer.root_object["/OutputIntents"]
    bad = tmp_path / "bad.pdf"
    with bad.open("wb") as fh:
        writer.write(fh)
    report = pdfa.validate(bad)
    assert not report.valid
    assert any(str(f["rule"]).startswith("ISO 19005-2:2011 6.2.4.") for f in report.findings), (
        report.summary
    )


def test_minutes_text_matches_reference(seed_2b: BuildResult) -> None:
    assert seed_2b.pdf is not None
    pages = seed_2b.parts[0].pages
    text = pdftotext(seed_2b.pdf, 1, pages)
    # The footer line repeats on every page; it is ours, not the reference's.
    text = "\n".join(ln for ln in text.splitlines() if "– referat 13. januar 2023" not in ln)
    assert similarity(text, REFERENCE.read_text(encoding="utf-8")) >= 0.95


def test_bookmarks_page_labels_and_parts(seed_2b: BuildResult) -> None:
    assert seed_2b.pdf is not None
    reader = PdfReader(seed_2b.pdf)
    titles = [o.title for o in reader.outline if not isinstance(o, list)]
    assert titles[0] == "1. Dagsorden godkjent"  # the minutes' own headings are kept
    assert titles[-3:] == [
        "Vedlegg – Pkt. 5 – Situasjonsbrief fra politiet",
        "Vedlegg – Pkt. 7 – Politirådsavtale 2023–2025",
        "Vedlegg – Pkt. 8 – SaLTo handlingsprogram 2023–2025",
    ]
    minutes = seed_2b.parts[0].pages
    labels = reader.page_labels
    assert labels[:minutes] == [str(n) for n in range(1, minutes + 1)]
    assert labels[minutes] == "V1-1"
    assert labels[-1] == f"V3-{seed_2b.parts[-1].pages}"
    assert [p.pages for p in seed_2b.parts[1:]] == [c.pages for c in seed_2b.attachments]
    assert len(reader.root_object["/OutputIntents"]) == 1
    assert "/StructTreeRoot" in reader.root_object
    assert reader.root_object["/Lang"] == "nb-NO"
    report = json.loads((seed_2b.out_dir / "build-report.json").read_text())
    assert [a["pages"] for a in report["attachments"]] == [p.pages for p in seed_2b.parts[1:]]
    assert report["validation"]["valid"] is True


def test_list_vs_content_check_finds_mismatches(seed_2b: BuildResult) -> None:
    assert seed_2b.pdf is not None
    atts = seed_2b.attachments
    assert assemble.check_parts(seed_2b.pdf, atts) == []
    assert "missing" in assemble.check_parts(seed_2b.pdf, [*atts, atts[0].__class__(
        3, atts[0].attachment.model_copy(update={"title": "Ekstra"}), atts[0].source,
        "pdf", atts[0].pdf, 1)])[0]  # fmt: skip
    problems = assemble.check_parts(seed_2b.pdf, atts[:2])
    assert problems == [
        "'Vedlegg – Pkt. 8 – SaLTo handlingsprogram 2023–2025' is in the merged PDF but not in "
        "the attachment list"
    ]
    wrong = [atts[0], atts[1], atts[2].__class__(**{**atts[2].__dict__, "pages": 99})]
    assert (
        "has 5 page(s) in the merged PDF, expected 99"
        in assemble.check_parts(seed_2b.pdf, wrong)[0]
    )
    assert "out of order" in assemble.check_parts(seed_2b.pdf, [atts[1], atts[0], atts[2]])[0]
    with pytest.raises(ValidationError, match="does not match the attachment list"):
        assemble.require_parts(seed_2b.pdf, atts[:2])


# --- attachments -----------------------------------------------------------------------------


def meeting_with(tmp_path: Path, files: dict[str, Path | bytes]) -> Path:
    """A copy of the seed body with a meeting whose attachments are ``files`` (name → content)."""
    shutil.copy(SEED.parent / "organ.toml", tmp_path / "organ.toml")
    (tmp_path / "vedlegg").mkdir(exist_ok=True)
    entries = ""
    for name, content in files.items():
        target = tmp_path / "vedlegg" / name
        if isinstance(content, Path):
            shutil.copy(content, target)
        else:
            target.write_bytes(content)
        entries += (
            f'\n[[attachments]]\nitem = 2\ntitle = "Vedlegg {name}"\nfile = "vedlegg/{name}"\n'
        )
    meeting = tmp_path / "2024-05-05.toml"
    meeting.write_text(
        textwrap.dedent("""\
            date = 2024-05-05
            [[items]]
            numbers = [1]
            title = "Godkjenning"
            [[items]]
            numbers = [2]
            title = "Saker med vedlegg"
            """)
        + entries,
        encoding="utf-8",
    )
    return meeting


def assert_refused(tmp_path: Path, name: str, content: Path | bytes, message: str) -> None:
    meeting = meeting_with(tmp_path, {name: content})
    out = tmp_path / "out"
    with pytest.raises(CheckFailed) as exc:  # found by check, before anything is built
        build(meeting, out)
    text = str(exc.value)
    assert f"attachment 'Vedlegg {name}' (agenda item 2, vedlegg/{name})" in text
    assert "2024-05-05.toml:" in text  # file and line of the attachment
    assert message in text
    final = out / "politiradet-2024-05-05"
    assert not (final / "referat.pdf").exists()
    assert not list(final.glob("*.part"))


def test_empty_attachment(tmp_path: Path) -> None:
    assert_refused(tmp_path, "tom.pdf", b"", "the file is empty")


def test_encrypted_attachment(tmp_path: Path) -> None:
    pdf = encrypted_pdf(tmp_path / "e.pdf")
    assert_refused(tmp_path, "laast.pdf", pdf, "the PDF is encrypted")


def test_broken_pdf(tmp_path: Path) -> None:
    assert_refused(tmp_path, "odelagt.pdf", b"%PDF-1.7\n1 0 obj << /Type /Cat", "damaged")


def test_content_does_not_match_extension(tmp_path: Path) -> None:
    image = png(tmp_path / "bilde.png")
    assert_refused(tmp_path, "bilde.pdf", image, "the name says PDF, but the content is a PNG file")
    assert_refused(
        tmp_path, "notat.docx", b"bare tekst", "the name says DOCX, but the content is not a PDF"
    )


def test_broken_image(tmp_path: Path) -> None:
    data = png(tmp_path / "b.png").read_bytes()[:60]
    assert_refused(tmp_path, "kutt.png", data, "the image is damaged")


def test_unsupported_extension(tmp_path: Path) -> None:
    assert_refused(tmp_path, "notat.txt", b"hei", "unsupported file type '.txt'")


def test_active_content_is_removed(tmp_path: Path) -> None:
    source = active_pdf(tmp_path / "aktiv.pdf")
    assert {"JavaScript", "JS", "Launch", "EmbeddedFiles"} <= set(
        active_content(PdfReader(source))
    )  # the scan sees it: the check can fail
    meeting = meeting_with(tmp_path, {"aktiv.pdf": source, "bilde.png": png(tmp_path / "p.png")})
    result = build(meeting, tmp_path / "out")
    assert result.pdf is not None and result.validation is not None
    assert active_content(PdfReader(result.pdf)) == []
    assert active_content(PdfReader(result.attachments[0].pdf)) == []
    removed = result.attachments[0].removed
    assert "JavaScript" in removed and "embedded files" in removed and "open action" in removed
    assert "page 1 link action" in removed
    assert result.validation.valid
    assert result.attachments[1].kind == "png" and result.attachments[1].pages == 1


def test_rebuild_refuses_to_overwrite_a_signed_pdf(tmp_path: Path) -> None:
    meeting = meeting_with(tmp_path, {"a.pdf": plain_pdf(tmp_path / "a.pdf")})
    out = tmp_path / "out"
    result = build(meeting, out, pdf=True)
    assert result.pdf is not None
    mark_signed(result.pdf)
    before = result.pdf.read_bytes()
    with pytest.raises(InputError, match="already signed"):
        build(meeting, out)
    assert result.pdf.read_bytes() == before


def test_claim_is_read_in_every_xmp_form(tmp_path: Path) -> None:
    """LibreOffice writes <pdfaid:part>2</pdfaid:part>; Ghostscript writes pdfaid:part='2'."""
    from pypdf import PdfWriter
    from pypdf.generic import NameObject, StreamObject

    forms = {
        "element": "<pdfaid:part>2</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>",
        "double": 'pdfaid:part="1" pdfaid:conformance="A"',
        "single": "pdfaid:part='2' pdfaid:conformance='B'",
        "none": "<dc:title>x</dc:title>",
    }
    expected = {"element": ("2", "B"), "double": ("1", "A"), "single": ("2", "B"), "none": None}
    for name, xmp in forms.items():
        writer = PdfWriter()
        writer.add_blank_page(10, 10)
        stream = StreamObject()
        stream.set_data(f"<x:xmpmeta><rdf:Description {xmp}/></x:xmpmeta>".encode())
        writer.root_object[NameObject("/Metadata")] = writer._add_object(stream)
        path = tmp_path / f"{name}.pdf"
        with path.open("wb") as fh:
            writer.write(fh)
        assert pdfa.claimed(PdfReader(path)) == expected[name], name


def test_attachments_alone_are_valid_pdfa(seed_1b: BuildResult) -> None:
    for conv in seed_1b.attachments:
        report = pdfa.validate(conv.pdf)
        assert report.claimed == "PDF/A-1b" and report.valid, (conv.pdf, report)


def test_pdf_attachments_read_as_their_sources(seed_2b: BuildResult, seed_1b: BuildResult) -> None:
    """What an archive's full-text index reads (poppler): each PDF attachment, as archived and
    as merged into the minutes, has its source's words. Ghostscript 10.00 swaps the bytes of a
    ligature's ToUnicode, and the seed's SaLTo programme then read "昀氀ere" for "flere"."""
    for built in (seed_2b, seed_1b):
        pdfs = [a for a in built.attachments if a.kind == "pdf"]
        assert len(pdfs) == 2
        assert built.pdf is not None
        merged = pdftotext(built.pdf, 1, 999)
        for att in pdfs:
            source = pdftotext(att.source, 1, 999)
            assert "fl" in source or "fi" in source  # the fixture has ligatures to lose
            assert without_band(pdftotext(att.pdf, 1, 999)).split() == source.split(), att.pdf
            assert " ".join(source.split()) in " ".join(without_band(merged).split())


def test_only_swapped_ligature_text_is_swapped_back() -> None:
    from referatbygg.tools.ghostscript import unswapped

    cmap = (
        b"3 beginbfrange\n<1f><1f><66006c00>\n<20><20><0062>\n<21><21><660066006900>\n"
        b"endbfrange\n2 beginbfchar\n<0022><0066006C>\n<0023><0a000a00>\nendbfchar\n"
    )
    fixed, count = unswapped(cmap)
    assert count == 2
    assert b"<1f><1f><0066006c>" in fixed and b"<21><21><006600660069>" in fixed
    assert b"<0022><0066006C>" in fixed  # right already: left as it is
    assert b"<0023><0a000a00>" in fixed  # would not be text: left as it is
    assert b"<20><20><0062>" in fixed
    assert unswapped(fixed) == (fixed, 0)


def logo_template(tmp_path: Path) -> Path:
    """The default template restyled with a half-transparent PNG logo in the header."""
    from docx import Document
    from docx.shared import Cm
    from PIL import Image, ImageDraw

    from referatbygg.document.render import default_template

    logo = tmp_path / "logo.png"
    img = Image.new("RGBA", (300, 120), (0, 0, 0, 0))
    ImageDraw.Draw(img).ellipse((10, 10, 110, 110), fill=(0, 80, 160, 200))
    img.save(logo)
    doc = Document(str(default_template()))
    header = doc.sections[0].header
    (header.paragraphs[0] if header.paragraphs else header.add_paragraph()).add_run().add_picture(
        str(logo), width=Cm(3)
    )
    target = tmp_path / "logo-mal.docx"
    doc.save(str(target))
    return target


def test_transparent_logo_is_pdfa_2b_and_refused_at_1b(tmp_path: Path) -> None:
    template = logo_template(tmp_path)
    result = build(SEED, tmp_path / "ut2b", template=template)
    assert result.pdf is not None and pdfa.validate(result.pdf).valid
    reader = PdfReader(result.pdf)
    images = [x for x in reader.pages[0]["/Resources"]["/XObject"].values()]
    assert any("/SMask" in i.get_object() for i in images)  # the transparency is kept
    with pytest.raises(InputError, match=r"transparent image \(image\d\.png\); PDF/A-1 does not"):
        build(SEED, tmp_path / "ut1b", template=template, level="1b")
    assert not (tmp_path / "ut1b" / result.meeting.id).exists()  # nothing left behind


def test_seed_claims_2a_with_every_attachment_tagged(seed_2b: BuildResult) -> None:
    """The seed's PDF attachments had no structure and were given one; the agreement keeps
    its own: the merged file claims level a and PDF/UA-1, and the report names nothing."""
    assert seed_2b.pdf is not None
    report = json.loads((seed_2b.out_dir / "build-report.json").read_text())
    assert report["pdfa"] == "2a" and report["pdfa_note"] is None and report["untagged"] == []
    assert all(c.accessible for c in seed_2b.attachments)
    agreement = next(c for c in seed_2b.attachments if c.kind == "avtale")
    assert pdfa.validate(agreement.pdf).claimed == "PDF/A-2a + PDF/UA-1"


def test_tagged_meeting_is_accessible_after_signing(tmp_path: Path) -> None:
    """Minutes whose attachments all have structure (the agreement, a Word document): the
    merged file claims PDF/A-2a and PDF/UA-1, the attachments' structure is grafted in, signature
    widgets sit in Form elements — and all of it still holds after both signatures and the final
    timestamp."""
    import pikepdf
    from docx import Document

    from referatbygg.config import Config
    from referatbygg.pipeline import run

    folder = tmp_path / "politiradet"
    shutil.copytree(SEED.parent, folder)
    meeting = (folder / "2023-01-13.toml").read_text(encoding="utf-8")
    parts = meeting.split("[[attachments]]")
    meeting = "[[attachments]]".join([parts[0], *(p for p in parts[1:] if '.pdf"' not in p)])
    note = Document()
    note.add_heading("Notat", 1)
    note.add_paragraph("Et vedlegg skrevet i Word.")
    note.save(str(folder / "vedlegg/notat.docx"))
    meeting += '\n[[attachments]]\nitem = 5\ntitle = "Notat"\nfile = "vedlegg/notat.docx"\n'
    (folder / "2023-01-13.toml").write_text(meeting, encoding="utf-8")
    result = run(folder / "2023-01-13.toml", tmp_path / "out", Config(demo=True))
    pdf = result.status.out_dir / "referat.pdf"
    report = pdfa.validate(pdf)
    assert report.valid and report.claimed == "PDF/A-2a + PDF/UA-1", report.summary
    with pikepdf.open(pdf) as doc:
        kinds: list[str] = []

        def walk(elem: pikepdf.Object) -> None:
            if isinstance(elem, pikepdf.Array):
                for kid in elem:
                    walk(kid)
            elif isinstance(elem, pikepdf.Dictionary) and "/S" in elem:
                kinds.append(str(elem.S))
                if "/K" in elem:
                    walk(elem.K)

        walk(doc.Root.StructTreeRoot.K)
        assert kinds.count("/Part") == 2  # one per grafted attachment
        assert kinds.count("/Form") == 3  # two signatures and the final timestamp
        assert all(p.obj.get("/Tabs") == "/S" for p in doc.pages if "/Annots" in p.obj)
