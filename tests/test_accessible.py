"""What is published is accessible (uu-forskriften: WCAG 2.1 AA, for PDF that is PDF/UA-1):
attachments keep the structure they have or are given a faithful one, the reading order of
their pages is the order a text extractor reads them in, each page names its attachment, and
what cannot be made accessible is named instead of published. Judged by veraPDF's engine (our
driver of it, tools/verapdf.py), pdftotext and pypdf — not by the code that tagged the file."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from conftest import SEED
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader

from referatbygg.meeting.check import check
from referatbygg.meeting.load import load_meeting
from referatbygg.pipeline import build
from referatbygg.tools import verapdf


def ua1_failures(pdf: Path) -> list[str]:
    """The rules PDF/UA-1 finds broken, asked of veraPDF directly (whatever the file claims)."""
    return [r.label for r in verapdf.validate(pdf, "ua1").rules]


def seed_copy(tmp_path: Path, extra: str = "") -> Path:
    folder = tmp_path / "meetings" / "politiradet"
    shutil.copytree(SEED.parent, folder)
    meeting = folder / SEED.name
    meeting.write_text(meeting.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return meeting


def report_of(pdf: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((pdf.parent / "build-report.json").read_text("utf-8"))
    return data


# --- reading order ------------------------------------------------------------------------------


def _mcid_texts(pdf: Path, index: int) -> tuple[dict[int, str], str]:
    """The text of each marked-content id on page ``index``, and the text drawn as artifacts,
    as pypdf reads the content stream."""
    page = PdfReader(pdf).pages[index]
    stack: list[object] = []
    texts: dict[int, str] = {}
    artifacts: list[str] = []
    shown: list[object] = [None]  # the marked content of the last text-showing operator

    def before(op: bytes, args: Any, _cm: Any, _tm: Any) -> None:
        if op == b"BDC":
            props = args[1] if len(args) > 1 else None
            stack.append("art" if args[0] == "/Artifact" else props.get("/MCID"))
        elif op == b"BMC":
            stack.append("art" if args[0] == "/Artifact" else None)
        elif op == b"EMC" and stack:
            stack.pop()
        elif op in (b"Tj", b"TJ", b"'", b'"'):
            inner = "art" if "art" in stack else next(
                (m for m in reversed(stack) if isinstance(m, int)), None
            )  # fmt: skip
            shown[0] = inner

    def text(value: str, *_: Any) -> None:
        # pypdf hands text over when the line ends (a move, ET), which may be after the
        # sequence's EMC: it belongs to the marked content it was shown in.
        if shown[0] == "art":
            artifacts.append(value)
        elif isinstance(shown[0], int):
            texts[shown[0]] = texts.get(shown[0], "") + value

    page.extract_text(visitor_operand_before=before, visitor_text=text)
    return texts, " ".join(artifacts)


def structure_order(pdf: pikepdf.Pdf) -> list[tuple[int, int]]:
    """(page index, MCID) in the order of the structure tree: the order a screen reader reads."""
    pages = {p.obj.objgen: i for i, p in enumerate(pdf.pages)}
    found: list[tuple[int, int]] = []

    def walk(elem: Any, page: Any) -> None:
        page = elem.get("/Pg", page)
        kids = elem.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, int):
                found.append((pages[page.objgen], kid))
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                found.append((pages[kid.get("/Pg", page).objgen], int(kid.MCID)))
            elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                walk(kid, page)

    walk(pdf.Root.StructTreeRoot, None)
    return found


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def read_in_order(pdf: Path, index: int) -> tuple[list[str], list[str]]:
    """Page ``index``'s words as the structure orders them, and as pdftotext reads the page
    (page furniture — artifacts — left out of both)."""
    with pikepdf.open(pdf) as doc:
        order = [m for p, m in structure_order(doc) if p == index]
    texts, artifacts = _mcid_texts(pdf, index)
    tagged = words(" ".join(texts.get(m, "") for m in order))
    args = ["pdftotext", "-f", str(index + 1), "-l", str(index + 1), str(pdf), "-"]
    plain = words(subprocess.run(args, capture_output=True, text=True, check=True).stdout)
    furniture = words(artifacts)
    if furniture and plain[: len(furniture)] == furniture:
        plain = plain[len(furniture) :]
    elif furniture and plain[-len(furniture) :] == furniture:
        plain = plain[: -len(furniture)]
    return tagged, plain


def test_attachment_pages_read_in_the_order_pdftotext_reads_them(built_seed: Path) -> None:
    """Every attachment page of the seed (the two PDFs given a structure here, the agreement
    with its own): the structure's words are pdftotext's words, in the same order."""
    parts = report_of(built_seed)["parts"][1:]
    assert len(parts) == 3
    for part in parts:
        for index in range(part["first_page"] - 1, part["first_page"] - 1 + part["pages"]):
            tagged, plain = read_in_order(built_seed, index)
            assert len(plain) > 20, (part["title"], index)
            assert tagged == plain, (part["title"], index)


def test_the_reading_order_check_can_fail(built_seed: Path, tmp_path: Path) -> None:
    """Two paragraphs of the SaLTo programme's first page swapped in the structure tree: the
    comparison sees it."""
    part = report_of(built_seed)["parts"][3]
    index = part["first_page"] - 1
    swapped = tmp_path / "swapped.pdf"
    with pikepdf.open(built_seed) as pdf:
        page = pdf.pages[index].obj
        queue = [pdf.Root.StructTreeRoot]
        while queue:
            elem = queue.pop()
            kids = elem.get("/K")
            if isinstance(kids, pikepdf.Array):
                ps = [i for i, k in enumerate(kids) if isinstance(k, pikepdf.Dictionary)
                      and k.get("/S") == "/P" and k.get("/Pg") == page]  # fmt: skip
                if len(ps) > 2:
                    kids[ps[1]], kids[ps[2]] = kids[ps[2]], kids[ps[1]]
                    break
                queue += [k for k in kids if isinstance(k, pikepdf.Dictionary) and "/S" in k]
        pdf.save(swapped)
    tagged, plain = read_in_order(swapped, index)
    assert sorted(tagged) == sorted(plain) and tagged != plain


# --- what is kept, what is made -----------------------------------------------------------------


def test_a_tagged_attachment_keeps_its_structure(tmp_path: Path) -> None:
    """The tool's own notice (PDF/A-2a, PDF/UA-1) as an attachment: its structure tree —
    headings, roles, language — is carried into the minutes under a Part, and the merged file
    passes PDF/UA-1."""
    meeting = seed_copy(tmp_path)
    notice = build(meeting, tmp_path / "n", kind="innkalling").pdf
    assert notice is not None and ua1_failures(notice) == []
    shutil.copy(notice, meeting.parent / "vedlegg" / "innkalling.pdf")
    meeting.write_text(meeting.read_text("utf-8") + '\n[[attachments]]\nitem = 8\ntitle = '
                       '"Innkalling til møtet"\nfile = "vedlegg/innkalling.pdf"\n',
                       encoding="utf-8")  # fmt: skip
    result = build(meeting, tmp_path / "out")
    assert result.pdf is not None
    assert result.attachments[-1].accessible
    assert ua1_failures(result.pdf) == []
    with pikepdf.open(notice) as own:
        theirs = _types(own.Root.StructTreeRoot)
    with pikepdf.open(result.pdf) as pdf:
        part = next(e for e in _elements(pdf.Root.StructTreeRoot)
                    if e.get("/S") == "/Part" and "Innkalling" in str(e.get("/T")))  # fmt: skip
        kept = _types(part)
    # The notice's agenda is a list (eleven lines: "7. og 8." is one), and stays one inside.
    assert theirs.count("/L") == 2 and theirs.count("/LI") == 11 + 3 and "/H2" in theirs
    assert [t for t in kept if t in ("/L", "/LI", "/H1", "/H2")] == [
        "/H1",
        *[t for t in theirs if t in ("/L", "/LI", "/H1", "/H2")],
    ]
    assert kept[:3] == ["/Part", "/Sect", "/H1"]  # the band names it, first


def _elements(root: Any) -> list[Any]:
    found, queue = [], [root]
    while queue:
        elem = queue.pop(0)
        kids = elem.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                found.append(kid)
                queue.append(kid)
    return found


def _types(elem: Any) -> list[str]:
    """The structure types under ``elem`` (itself first when it has one), depth first."""
    found = [str(elem.S)] if "/S" in elem else []
    kids = elem.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            found += _types(kid)
    return found


def _scan() -> Image.Image:
    """A page as a scanner makes it: an image of text (200 dpi, 14 pt Noto Sans)."""
    image = Image.new("RGB", (1700, 2200), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf", 40)
    for row, line in enumerate(LETTER):
        draw.text((200, 200 + 70 * row), line, fill="black", font=font)
    return image


LETTER = [
    "Brev fra Statsforvalteren i Oslo og Viken", "",
    "Vi viser til politirådets møte 13. januar 2023.",
    "Statsforvalteren har ingen merknader til avtalen.", "", "Med hilsen", "Kari Nordmann",
]  # fmt: skip


def test_a_scanned_letter_is_read_by_ocr_and_published(tmp_path: Path) -> None:
    """A scanned letter (an image, no text layer): Tesseract's reading laid over the page, the
    image untouched, the text tagged — the letter passes PDF/UA-1 and is published, and the
    report says its page was read by OCR."""
    meeting = seed_copy(tmp_path, '\n[[attachments]]\nitem = 8\ntitle = "Brev fra '
                        'Statsforvalteren"\nfile = "vedlegg/brev.pdf"\n')  # fmt: skip
    _scan().save(meeting.parent / "vedlegg" / "brev.pdf", "PDF", resolution=200)
    result = build(meeting, tmp_path / "out")
    letter = result.attachments[-1]
    assert letter.accessible, letter.accessibility_note
    assert letter.ocr_pages == [1]
    assert ua1_failures(letter.pdf) == [] and ua1_failures(result.pdf) == []
    tagged, plain = read_in_order(letter.pdf, 0)
    assert tagged == plain
    assert words(" ".join(LETTER)) == tagged[-len(words(" ".join(LETTER))) :]  # after the band
    assert str(letter.pdf) in report_of(result.pdf)["publish"]


def test_a_page_without_text_is_named_and_not_published(tmp_path: Path) -> None:
    """A photograph (no text at all, so OCR finds none) cannot be read by a screen reader: the
    minutes fall to PDF/A-2b, and the report names the minutes and the photo as not published,
    saying why, while the accessible attachments stay in the publication set."""
    meeting = seed_copy(tmp_path, '\n[[attachments]]\nitem = 8\ntitle = "Brev fra '
                        'Statsforvalteren"\nfile = "vedlegg/brev.pdf"\n')  # fmt: skip
    photo = Image.new("RGB", (850, 1100), (90, 120, 90))
    ImageDraw.Draw(photo).ellipse((200, 300, 650, 800), fill=(200, 180, 60))
    photo.save(meeting.parent / "vedlegg" / "brev.pdf", "PDF", resolution=100)


def test_an_image_attachment_is_a_figure_with_its_alternative_text(tmp_path: Path) -> None:
    """A PNG attachment with ``alt``: one Figure holding the image, with that text, PDF/UA-1.
    Without ``alt`` check warns, and the attachment is named as not accessible."""
    extra = ('\n[[attachments]]\nitem = 8\ntitle = "Kart over innsatsområdene"\n'
             'file = "vedlegg/kart.png"\nalt = "Kart over Oslo med de tre innsatsområdene '
             'markert"\n')  # fmt: skip
    meeting = seed_copy(tmp_path, extra)
    _scan().save(meeting.parent / "vedlegg" / "kart.png")
    result = build(meeting, tmp_path / "out")
    image = result.attachments[-1]
    assert image.accessible, image.accessibility_note
    assert ua1_failures(image.pdf) == []
    with pikepdf.open(image.pdf) as pdf:
        figures = [e for e in _elements(pdf.Root.StructTreeRoot) if e.get("/S") == "/Figure"]
    assert [str(f.Alt) for f in figures] == ["Kart over Oslo med de tre innsatsområdene markert"]

    meeting.write_text(meeting.read_text("utf-8").split("\nalt = ")[0] + "\n", encoding="utf-8")
    warnings = [p for p in check(load_meeting(meeting)) if p.code == "attachment_alt"]
    assert len(warnings) == 1 and warnings[0].severity == "warning"
    again = build(meeting, tmp_path / "out2")
    assert not again.attachments[-1].accessible
    assert "alternative text" in str(again.attachments[-1].accessibility_note)


# --- the band -----------------------------------------------------------------------------------


def _words_with_boxes(pdf: Path, number: int) -> list[tuple[str, float, float, float]]:
    """(word, top, bottom, height) on page ``number`` (1-based), from pdftotext -bbox."""
    args = ["pdftotext", "-bbox", "-f", str(number), "-l", str(number), str(pdf), "-"]
    html = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    found = []
    for m in re.finditer(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>', html):
        top, bottom = float(m.group(1)), float(m.group(2))
        found.append((m.group(3), top, bottom, bottom - top))
    return found


def test_each_attachment_page_is_a4_with_the_band_at_its_head(built_seed: Path) -> None:
    """US Letter stand-ins on A4, scaled (nothing cropped: every source word is there); the band
    above the page's own text, at a readable size, naming attachment and page."""
    parts = report_of(built_seed)["parts"][1:]
    for number, part in enumerate(parts, start=1):
        for page in range(part["pages"]):
            index = part["first_page"] + page
            box = PdfReader(built_seed).pages[index - 1].mediabox
            assert (round(float(box.width)), round(float(box.height))) == (595, 842)
            boxes = _words_with_boxes(built_seed, index)
            band = [w for w in boxes if w[2] <= 18]
            rest = [w for w in boxes if w[2] > 18]
            line = " ".join(w[0] for w in band)
            assert line.startswith(f"Vedlegg {number} – "), line
            assert line.endswith(f"Side {page + 1} av {part['pages']}"), line
            assert min(w[3] for w in band) >= 7, band  # the glyph box of 7.5 pt text
            assert rest and min(w[1] for w in rest) > 18, "the page's text under the band"


def test_an_exempt_attachment_says_so_on_every_page(tmp_path: Path) -> None:
    meeting = seed_copy(tmp_path)
    text = meeting.read_text("utf-8").replace(
        'file = "vedlegg/situasjonsbrief.pdf"',
        'file = "vedlegg/situasjonsbrief.pdf"\nexempt = "offl. § 24 tredje ledd"',
    )
    meeting.write_text(text, encoding="utf-8")
    result = build(meeting, tmp_path / "out")
    assert result.pdf is not None
    first = result.parts[1].first_page + 1
    line = " ".join(w[0] for w in _words_with_boxes(result.pdf, first) if w[2] <= 18)
    assert line.endswith("Side 1 av 1 · Unntatt offentlighet, jf. offl. § 24 tredje ledd"), line
    assert str(result.attachments[0].pdf) not in report_of(result.pdf)["publish"]


@pytest.mark.parametrize("turn", [0, 90])
def test_band_scales_and_turns_pages_onto_a4(tmp_path: Path, turn: int) -> None:
    """A landscape Letter page and a page shown turned (/Rotate 90): A4 as shown, no rotation
    left, its words all there and below the band."""
    from referatbygg.pdf.band import Band, place

    source = SEED.parent / "vedlegg" / "situasjonsbrief.pdf"
    target = tmp_path / "turned.pdf"
    with pikepdf.open(source) as pdf:
        if turn:
            pdf.pages[0].obj.Rotate = turn
        pdf.save(target)
    before = words(subprocess.run(["pdftotext", str(target), "-"], capture_output=True,
                                  text=True, check=True).stdout)  # fmt: skip
    assert place(target, Band("Vedlegg 1 – Pkt. 5 – Brief")) == 1
    page = PdfReader(target).pages[0]
    assert "/Rotate" not in page
    size = (round(float(page.mediabox.width)), round(float(page.mediabox.height)))
    assert size == ((842, 595) if turn else (595, 842))
    boxes = _words_with_boxes(target, 1)
    assert words(" ".join(w[0] for w in boxes if w[2] > 18)) == before


def test_every_published_file_of_the_signed_seed_passes_pdfua(package: Any) -> None:
    """The seed as it ends (signed by both, timestamped, packaged): its publication set — the
    minutes with their attachments merged in, and each attachment on its own — passes PDF/UA-1
    and PDF/A-2a by veraPDF."""
    out = package.zip.parent.parent
    report = report_of(out / "referat.pdf")
    published = [Path(p) for p in report["publish"]]
    assert [p.name for p in published] == [
        "referat.pdf", "01-pkt5-situasjonsbrief-fra-politiet.pdf",
        "02-pkt7-politiradsavtale-2023-2025.pdf", "03-pkt8-salto-handlingsprogram-2023-2025.pdf",
    ]  # fmt: skip
    for path in published:
        for flavour in ("ua1", "2a"):
            assert [r.label for r in verapdf.validate(path, flavour).rules] == [], (path, flavour)


# --- structure LibreOffice gets wrong -----------------------------------------------------------


def test_list_bullets_are_labels(built_seed: Path) -> None:
    """Each bullet of the minutes is its list item's label (Lbl "•"), not the start of its
    body text."""
    with pikepdf.open(built_seed) as pdf:
        pages = {p.obj.objgen: i for i, p in enumerate(pdf.pages)}
        items = [e for e in _elements(pdf.Root.StructTreeRoot) if e.get("/S") == "/LI"]
        assert len(items) >= 10
        for li in items:
            kinds = [str(k.S) for k in li.K if isinstance(k, pikepdf.Dictionary)]
            assert kinds == ["/Lbl", "/LBody"], kinds
            label = next(k for k in li.K if k.get("/S") == "/Lbl")
            texts, _ = _mcid_texts(built_seed, pages[label.Pg.objgen])
            mcid = label.K[0] if isinstance(label.K, pikepdf.Array) else label.K  # grafted: [n]
            assert texts[int(mcid)].strip() == "•"
            body = next(k for k in li.K if k.get("/S") == "/LBody")
            first = body.K[0] if isinstance(body.K, pikepdf.Array) else body.K
            mcids = first.K if isinstance(first.K, pikepdf.Array) else [first.K]
            assert not texts[int(mcids[0])].strip().startswith("•")


def test_signature_fields_are_read_in_their_cells_by_role_and_person(built_seed: Path) -> None:
    """Each signatory's field: a Form element inside the signature table's cell made for it
    (before the name printed under it), its /TU and alternative text naming role and person;
    the invisible document timestamp says it is invisible."""
    with pikepdf.open(built_seed) as pdf:
        fields = {str(f.T): f for f in pdf.Root.AcroForm.Fields}
        assert str(fields["byradsleder"].TU) == "Signatur: Byrådsleder Raymond Johansen"
        assert str(fields["politimester"].TU) == "Signatur: Politimester Beate Gangås"
        forms = [e for e in _elements(pdf.Root.StructTreeRoot) if e.get("/S") == "/Form"]
        by_field = {str(f.K.Obj.T): f for f in forms}
        for role in ("byradsleder", "politimester"):
            form = by_field[role]
            assert str(form.Alt) == str(fields[role].TU)
            assert form.P.S == "/Signaturfelt" and form.P.P.S == "/TD"
        assert str(by_field["Dokumenttidsstempel"].Alt) == "Dokumenttidsstempel (usynlig)"


def test_a_notice_warns_of_an_item_without_a_title(tmp_path: Path) -> None:
    """The valstyre's first item has no title ("Sak 1" and its text in the minutes): its notice
    would list a bare number, so the build says so, at the item's line — and the minutes do not
    warn."""
    from conftest import ROOT

    meeting = ROOT / "meetings/valstyret/2025-06-12.toml"
    notice = build(meeting, tmp_path / "n", kind="innkalling", pdf=False)
    found = [w for w in notice.warnings if w.code == "notice_untitled"]
    assert [(w.where.rsplit("/", 1)[-1], dict(w.args)) for w in found] == [
        ("2025-06-12.toml:20", {"item": "Sak 1"})
    ]
    minutes = build(meeting, tmp_path / "m", pdf=False)
    assert not [w for w in minutes.warnings if w.code == "notice_untitled"]
