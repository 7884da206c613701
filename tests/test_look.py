"""Documents that look official, read back from the PDF: the signature block with the minutes,
whole; the outline; drafts; A4 pages; the agreement copy; templates that survive an editor."""

from __future__ import annotations

import itertools
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import SEED, copy_built
from pypdf import PdfReader
from textcompare import plain

from referatbygg import cli
from referatbygg.document import templatecheck
from referatbygg.document.lang import JOINER, NBSP, nobreak
from referatbygg.meeting import templates
from referatbygg.pdf.band import A4
from referatbygg.pdf.fields import TIMESTAMP_FIELD
from referatbygg.pipeline import build

HEADING = "Underskrifter"


def signature_pages(pdf: Path) -> dict[str, int]:
    """Each signatory field (the timestamp's left out) and the page it is on."""
    pages = {}
    for number, page in enumerate(PdfReader(pdf).pages):
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            if annot.get("/FT") == "/Sig" and annot.get("/T") != TIMESTAMP_FIELD:
                pages[str(annot["/T"])] = number
    return pages


def text_above_block(pdf: Path, page: int) -> str:
    text = plain(PdfReader(pdf).pages[page].extract_text() or "")
    assert HEADING in text, f"the signature heading is not on page {page + 1}"
    return text.split(HEADING)[0].strip()


def test_seed_signature_block_stands_with_the_minutes(built_seed: Path) -> None:
    pages = signature_pages(built_seed)
    assert set(pages) == {"byradsleder", "politimester"}
    (page,) = set(pages.values())  # one page for the whole block
    above = text_above_block(built_seed, page)
    assert "Referat og vedlegg er offentlig." in above  # the minutes' last lines come along
    assert "Oslo, 13. januar 2023" in plain(PdfReader(built_seed).pages[page].extract_text())


THREE = """\
id = "utvalget"
name = "Utvalget"
organisation = "Nordby kommune"
[[signatories]]
role = "leder"
title = "Leder"
name = "Kari Nordmann"
[[signatories]]
role = "nestleder"
title = "Nestleder"
name = "Ola Nordmann"
[[signatories]]
role = "sekretar"
title = "Sekretær"
name = "Siv Dahl"
"""


@pytest.mark.parametrize("extra", [40, 44, 48, 52])
def test_long_meeting_with_three_signers_never_splits_the_block(tmp_path: Path, extra: int) -> None:
    """40 extra bullets and more move the block across page ends: it stays whole, with text."""
    bullets = "\n".join(f"- Punkt {n}: en orientering om arbeidet som pågår i utvalget."
                        for n in range(extra))  # fmt: skip
    (tmp_path / "organ.toml").write_text(THREE, encoding="utf-8")
    meeting = tmp_path / "2024-03-01.toml"
    meeting.write_text(f'date = 2024-03-01\n[[items]]\nnumbers = [1]\ntitle = "Orientering"\n'
                       f'text = """\n{bullets}\n"""\n', encoding="utf-8")  # fmt: skip
    pdf = build(meeting, tmp_path / "out").pdf
    assert pdf is not None
    pages = signature_pages(pdf)
    assert set(pages) == {"leder", "nestleder", "sekretar"}
    (page,) = set(pages.values())
    assert text_above_block(pdf, page)  # minutes text above the block on its page
    # One per row from three on: the fields stand one above the other.
    lefts = set()
    for ref in PdfReader(pdf).pages[page].get("/Annots") or []:
        annot = ref.get_object()
        if annot.get("/FT") == "/Sig" and annot.get("/T") != TIMESTAMP_FIELD:
            lefts.add(round(float(annot["/Rect"][0])))
    assert len(lefts) == 1


def test_outline_mirrors_the_document(built_seed: Path) -> None:
    reader = PdfReader(built_seed)
    top = [entry for entry in reader.outline if not isinstance(entry, list)]
    titles = [str(e.title) for e in top]
    assert titles[0] == "1. Dagsorden godkjent" and "12. Eventuelt" in titles
    closing = titles[titles.index("12. Eventuelt") + 1 :]
    assert closing[:4] == ["Vedlegg", "Forkortelser", "Om politirådssamarbeidet", HEADING]
    assert not [t for t in titles if t.endswith(":") or "\u2060" in t]
    attachments = [t for t in titles if t.startswith("Vedlegg – ")]
    assert len(attachments) == 3
    # Each attachment's own outline under its bookmark: the 5-page handlingsprogram has 5.
    outline = list(reader.outline)
    titled = [str(e.title) if not isinstance(e, list) else "" for e in outline]
    salto = next(i for i, t in enumerate(titled) if t.startswith("Vedlegg – Pkt. 8"))
    children = outline[salto + 1]
    assert isinstance(children, list) and len(children) == 5
    assert reader.trailer["/Root"]["/PageMode"] == "/UseOutlines"


def test_attachment_pages_are_a4(built_seed: Path) -> None:
    """The seed's body asks for A4; its stand-in attachments are US Letter."""
    info = subprocess.run(["pdfinfo", str(SEED.parent / "vedlegg/situasjonsbrief.pdf")],
                          capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert "letter" in info  # the check can fail: the source is not A4
    for page in PdfReader(built_seed).pages:
        box = page.mediabox
        size = sorted((float(box.width), float(box.height)))
        assert abs(size[0] - A4[0]) < 1 and abs(size[1] - A4[1]) < 1, size


def test_draft_marks_attachment_pages_with_the_draft_line_only(tmp_path: Path) -> None:
    folder = tmp_path / "politiradet"
    shutil.copytree(SEED.parent, folder)
    pdf = build(folder / SEED.name, tmp_path / "out", draft=True).pdf
    assert pdf is not None
    reader = PdfReader(pdf)
    minutes_pages = 4
    for page in reader.pages[minutes_pages:]:
        text = plain(page.extract_text() or "")
        assert "UTKAST – bygget" in text
        assert "referat 13. januar 2023 – Side" not in text  # not the minutes' footer


def test_agreement_copy_in_the_minutes(tmp_path: Path) -> None:
    """Before the agreement is signed on its own, the merged copy says it will be; after, the
    minutes say it is, and the merged copy too."""
    folder = tmp_path / "politiradet"
    shutil.copytree(SEED.parent, folder)
    out = tmp_path / "out"
    pdf = build(folder / SEED.name, tmp_path / "before").pdf
    assert pdf is not None
    text = plain("".join(p.extract_text() or "" for p in PdfReader(pdf).pages))
    assert "Kopi – originalen signeres og arkiveres separat" in text
    assert "Originalen signeres elektronisk av Raymond Johansen (byrådsleder)" in text
    assert "er signert" not in text and "signert original" not in text
    assert cli.main(["run", "-q", str(folder / "avtaler/politiradsavtale-2023-2025.toml"),
                     "--out", str(out)]) == 0  # fmt: skip
    pdf = build(folder / SEED.name, out).pdf
    assert pdf is not None
    text = plain("".join(p.extract_text() or "" for p in PdfReader(pdf).pages))
    assert (
        "Pkt. 7 – Politirådsavtale 2023–2025 (signert original arkivert som eget dokument)" in text
    )
    assert "Kopi – signert original arkivert separat" in text
    assert (
        "Originalen er signert elektronisk av Raymond Johansen (byrådsleder) og Beate Gangås"
        in text
    )


def test_public_version_says_who_signs(tmp_path: Path) -> None:
    folder = tmp_path / "politiradet"
    shutil.copytree(SEED.parent, folder)
    meeting = folder / SEED.name
    text = meeting.read_text(encoding="utf-8").replace(
        'title = "Situasjonsbrief fra politiet"\n',
        'title = "Situasjonsbrief fra politiet"\nexempt = "offl. § 24 tredje ledd"\n',
    )
    meeting.write_text(text, encoding="utf-8")
    result = build(meeting, tmp_path / "out")
    assert result.public_pdf is not None
    public = PdfReader(result.public_pdf)
    text = plain("".join(p.extract_text() or "" for p in public.pages))
    # Built before anyone signs: it must not claim the signing has happened.
    assert "Originalen signeres elektronisk av Raymond Johansen (byrådsleder)" in text
    assert "er signert" not in text
    assert not signature_pages(result.public_pdf)  # no empty signature lines or fields


def test_nobreak() -> None:
    assert nobreak("13. januar 2023") == f"13.{NBSP}januar{NBSP}2023"
    assert nobreak("Pkt. 5 og § 13") == f"Pkt.{NBSP}5 og §{NBSP}13"
    assert nobreak("kl. 13.30") == f"kl.{NBSP}13.30"
    assert nobreak("4,2 mill. kroner") == f"4,2{NBSP}mill. kroner"
    assert nobreak("Politirådsavtale 2023–2025") == f"Politirådsavtale 2023–{JOINER}2025"
    assert nobreak("Ingen tall her.") == "Ingen tall her."


# --- templates -----------------------------------------------------------------------------------


def libreoffice_round_trip(src: Path, folder: Path) -> Path:
    """Open ``src`` in LibreOffice and save it as Word again, as a secretary restyling it would."""
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{folder}/profile",
         "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(folder / "saved"), str(src)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return folder / "saved" / src.name


def test_default_template_survives_libreoffice(tmp_path: Path) -> None:
    saved = libreoffice_round_trip(templates.builtin("referat"), tmp_path)
    assert saved.read_bytes() != templates.builtin("referat").read_bytes()
    assert [f for f in templatecheck.check(saved, "referat") if f.severity == "error"] == []
    folder = tmp_path / "politiradet"
    shutil.copytree(SEED.parent, folder)
    pdf = build(folder / SEED.name, tmp_path / "out", template=saved).pdf
    assert pdf is not None
    assert set(signature_pages(pdf)) == {"byradsleder", "politimester"}


def _edit(src: Path, dst: Path, change: dict[str, str]) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/document.xml":
                text = data.decode("utf-8")
                for old, new in change.items():
                    assert old in text, old
                    text = text.replace(old, new)
                data = text.encode("utf-8")
            zout.writestr(item, data)
    return dst


def test_template_check_rejects_what_would_not_build(tmp_path: Path) -> None:
    src = templates.builtin("referat")
    renamed = {'w:name="sig_anchor_1"': 'w:name="x1"', 'w:name="sig_anchor_2"': 'w:name="x2"'}
    no_anchor = _edit(src, tmp_path / "uten-anker.docx", renamed)
    broken = _edit(src, tmp_path / "ødelagt.docx", {"{%p endfor %}": "{%p endfro %}"})
    for path, words in ((no_anchor, "signature anchor is gone"), (broken, "does not parse")):
        found = templatecheck.check(path, "referat")
        assert any(f.severity == "error" and words in f.message for f in found), found
        assert cli.main(["template", "check", str(path), "--kind", "referat"]) == 3
    assert cli.main(["template", "check", str(src)]) == 0


def test_body_templates_are_picked_up_and_the_builtin_kept(tmp_path: Path) -> None:
    folder = tmp_path / "politiradet"
    shutil.copytree(SEED.parent, folder)
    builtin = templates.builtin("referat").read_bytes()
    assert cli.main(["template", "copy", str(folder)]) == 0
    own = folder / "templates/referat.docx"
    _edit(own, tmp_path / "x.docx", {"{{ title }}": "{{ title }} (EGEN MAL)"})
    shutil.copy(tmp_path / "x.docx", own)
    docx = build(folder / SEED.name, tmp_path / "out", pdf=False).docx
    from textcompare import docx_text

    assert "(EGEN MAL)" in docx_text(docx)
    assert templates.builtin("referat").read_bytes() == builtin
    assert not Path(__file__).resolve().parents[1].joinpath("templates").is_symlink()


def test_missing_font_is_a_warning(tmp_path: Path) -> None:
    folder = tmp_path / "politiradet"
    shutil.copytree(SEED.parent, folder)
    assert cli.main(["template", "copy", str(folder)]) == 0
    own = folder / "templates/referat.docx"
    with zipfile.ZipFile(own) as zin:
        styles = zin.read("word/styles.xml").decode().replace("Noto Sans", "Calibri")
        items = [(i, zin.read(i.filename)) for i in zin.infolist()]
    with zipfile.ZipFile(own, "w", zipfile.ZIP_DEFLATED) as zout:
        for item, data in items:
            zout.writestr(item, styles.encode() if item.filename == "word/styles.xml" else data)
    from referatbygg.meeting.check import check
    from referatbygg.meeting.load import load_meeting

    warnings = [str(p) for p in check(load_meeting(folder / SEED.name))]
    assert any("the template's font 'Calibri' is not installed" in w for w in warnings)
    assert any("Calibri" in f.message for f in templatecheck.check(own))


def test_stamp_in_the_documents_font_stays_pdfa(tmp_path: Path, built_seed: Path) -> None:
    """A template set in DejaVu Sans (2048 units per em) gets its stamps in DejaVu Sans, scaled
    to 1000 units, and the signed file is still PDF/A by veraPDF."""
    import json

    from referatbygg.build.report import report_path
    from referatbygg.config import load_config
    from referatbygg.pdf import pdfa
    from referatbygg.signing import pades

    pdf = copy_built(built_seed, tmp_path / "x" / "referat.pdf")
    report = report_path(pdf.parent, pdf.stem)
    data = json.loads(report.read_text(encoding="utf-8"))
    data["body_font"] = "DejaVu Sans"
    report.write_text(json.dumps(data), encoding="utf-8")
    pades.sign(pdf, "byradsleder", load_config(None), ask=None)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert "DejaVuSans" in fonts
    assert pdfa.validate(pdf).valid


def test_each_archived_attachment_says_its_title_and_language(built_seed: Path) -> None:
    """Ghostscript leaves "Untitled", "UnknownApplication" and no /Lang; each attachment file
    carries its title from the meeting file and the body's language instead, in /Info and XMP
    alike — and the agreement's title has no word joiner (U+2060) in its metadata."""
    import pikepdf

    from referatbygg.meeting.load import load_meeting
    from referatbygg.pdf import pdfa, xmp

    meeting = load_meeting(SEED)
    files = sorted((built_seed.parent / "vedlegg").glob("*.pdf"))
    assert len(files) == len(meeting.data.attachments)
    for file, att in zip(files, meeting.data.attachments, strict=True):
        with pikepdf.open(file) as pdf:
            packet = xmp.properties(pdf.Root.Metadata.read_bytes())
            assert str(pdf.docinfo.get("/Title")) == att.title, file.name
            assert str(pdf.Root.get("/Lang")) == "nb-NO", file.name
            raw = pdf.Root.Metadata.read_bytes()
        assert att.title in packet["dc:title"], (file.name, packet.get("dc:title"))
        assert b"Untitled" not in raw and b"UnknownApplication" not in raw and "\u2060" not in (
            raw.decode("utf-8"))  # fmt: skip
        assert pdfa.validate(file).valid, file.name


def _pages(pdf: Path) -> list[list[str]]:
    """Each page's text lines (pdftotext, layout kept), blank lines and the footer left out."""
    count = len(PdfReader(pdf).pages)
    out = []
    for n in range(1, count + 1):
        text = subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), "-layout", str(pdf), "-"],
                              capture_output=True, text=True, check=True).stdout  # fmt: skip
        lines = [x.strip() for x in text.splitlines() if x.strip()]
        out.append([x for x in lines if " – Side " not in x])
    return out


FIRST_PAGE = 14  # filler paragraphs that leave the decision near the first page's foot


def test_a_vote_line_or_a_short_table_is_never_left_alone_at_a_page_break(tmp_path: Path) -> None:
    """Sixteen versions of one meeting, each a line longer before its last case, so that the
    page break sweeps over the decision with its vote line and the five-row abbreviation table
    after it. Rendered with LibreOffice, read back with pdftotext: no page begins with a vote
    line (its decision is on the page before it), the table's rows and its header are on one
    page (a table of fewer than six rows is not split), and no page ends with a case heading or
    the table's header alone."""
    from referatbygg.document.render import render_docx
    from referatbygg.meeting.load import load_meeting

    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "organ.toml").write_text('id = "testutvalget"\nname = "Testutvalget"\n'
                                       'organisation = "Testkommune"\nsignatures = "none"\n',
                                       encoding="utf-8")  # fmt: skip
    for n in range(16):
        filler = "\n\n".join(f"Avsnitt {i}: tekst som fyller om lag én linje i protokollen."
                             for i in range(FIRST_PAGE + n))  # fmt: skip
        path = folder / f"2023-02-{n + 1:02d}.toml"
        path.write_text(
            f'''date = 2023-02-{n + 1:02d}
remarks = """
{filler}
"""

[[items]]
numbers = [1]
title = "Budsjett"
text = "Saken ble drøftet."

[items.decision]
text = "Budsjettet vedtas som foreslått, med de endringene som kom fram i møtet."
votes = {{ for = 5, against = 2 }}

[abbreviations]
ROS = "Risiko- og sårbarhetsanalyse"
SFO = "Skolefritidsordningen"
NAV = "Arbeids- og velferdsforvaltningen"
PPT = "Pedagogisk-psykologisk tjeneste"
KDS = "Kommunedirektørens stab"
''',
            encoding="utf-8",
        )
        (tmp_path / f"v{n:02d}.docx").write_bytes(render_docx(load_meeting(path)))
    profile = (tmp_path / "profil").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to",
                    "pdf", "--outdir", str(tmp_path / "pdf"),
                    *sorted(str(p) for p in tmp_path.glob("v*.docx"))],
                   check=True, capture_output=True, timeout=300)  # fmt: skip
    pdfs = sorted((tmp_path / "pdf").glob("v*.pdf"))
    assert len(pdfs) == 16
    breaks = 0
    for pdf in pdfs:
        pages = _pages(pdf)
        for before, page in itertools.pairwise(pages):
            assert not page[0].startswith("Vedtatt med"), (pdf.name, before[-3:], page[:3])
            assert before[-1] not in ("Forkortelse Betydning",) and not before[-1].startswith(
                ("1. Budsjett", "Forkortelse")), (pdf.name, before[-3:])  # fmt: skip
        words = ("Vedtak:", "Vedtatt med", "Forkortelse", "KDS", "NAV", "PPT", "ROS", "SFO")
        at = {word: next(i for i, p in enumerate(pages) if any(x.startswith(word) for x in p))
              for word in words}  # fmt: skip
        assert at["Vedtak:"] == at["Vedtatt med"], (pdf.name, at)
        assert len({at[w] for w in words[2:]}) == 1, (pdf.name, at)  # the table on one page
        breaks += len(pages) > 1 and any(p[0].startswith(("Vedtak", "Forkortelse", "1. Budsjett"))
                                         for p in pages[1:])  # fmt: skip
    assert breaks, "the sweep never put a break at the decision or the table: nothing was tested"


def test_the_document_title_is_a_heading(built_seed: Path) -> None:
    """The title paragraph ("Referat fra …", LibreOffice's Title style) is tagged as the first
    heading (Title → H1), so a screen reader's list of headings begins with it; it was a
    paragraph (Title → P)."""
    import pikepdf

    with pikepdf.open(built_seed) as pdf:
        roles = pdf.Root.StructTreeRoot.RoleMap
        assert roles.get("/Title") == pikepdf.Name.H1
        assert _first_heading(pdf.Root.StructTreeRoot, roles) == "/Title"


def _first_heading(element: object, roles: object) -> str | None:
    """The structure type of the first element that maps to H1, depth first."""
    import pikepdf

    kids = element.get("/K")  # type: ignore[attr-defined]
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []:
        if not isinstance(kid, pikepdf.Dictionary) or "/S" not in kid:
            continue
        if roles.get(str(kid.S), kid.S) == pikepdf.Name.H1:  # type: ignore[attr-defined]
            return str(kid.S)
        found = _first_heading(kid, roles)
        if found is not None:
            return found
    return None


def test_an_agreement_copied_into_the_minutes_does_not_number_its_own_pages(
    built_seed: Path,
) -> None:
    """The minutes number their own pages ("Side 1 av 4"); the agreement copied in after them
    showed "Side 1 av 1" of its own inside that numbering. Its footer names it, unnumbered."""
    import json
    import re

    report = json.loads((built_seed.parent / "build-report.json").read_text(encoding="utf-8"))
    part = next(p for p in report["parts"] if "avtale" in p["title"].lower())
    numbered = re.compile(r"Side \d+ av \d+")
    assert numbered.search(_page_text(built_seed, 1))  # the minutes' own pages are numbered
    for number in range(part["first_page"], part["first_page"] + part["pages"]):
        text = _page_text(built_seed, number)
        # The band at its head numbers the attachment's pages; the agreement's own footer not.
        band, _, own = text.partition("\n")
        assert re.fullmatch(r"\s*Vedlegg 2 – Pkt\. 7 – .* · Side 1 av 1\s*", band), band
        assert not numbered.search(own), (number, own[-300:])
        assert "Avtale – Politirådsavtale 2023–2025" in own.replace("\u2060", ""), own[-300:]


def _page_text(pdf: Path, number: int) -> str:
    """Page ``number`` (1-based) as pdftotext reads it, footer included."""
    args = ["pdftotext", "-f", str(number), "-l", str(number), "-layout", str(pdf), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout
