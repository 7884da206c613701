"""The worked examples beside the seed — a kommunestyre møteprotokoll (bokmål; signatories
elected at the meeting), a valstyre møtebok (nynorsk), a form-style nynorsk møtebok (each case
on its own page), a formannskap protocol (PS/RS/DS series, orienteringer, a tilleggssak, a
changed order of treatment, attendance by clock time) — and minutes that nobody signs: each is
built, signed by whoever signs it, timestamped and packaged, and the package passes the
archive's check. What the archive receives is read back with tools that did not write it."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT
from lxml import etree
from pypdf import PdfReader
from textcompare import plain

from referatbygg import cli
from referatbygg.archive.arkivmelding import MDK, NS
from referatbygg.errors import ExitCode

EXAMPLES = {
    "kommunestyret": "2025-03-27.toml",
    "valstyret": "2025-06-12.toml",
    "oppvekstutvalet": "2026-02-10.toml",
    "formannskapet": "2026-03-05.toml",
}


def main(*args: str | Path) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main([str(a) for a in args])
    return code, out.getvalue() + err.getvalue()


@pytest.fixture(scope="module")
def done(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The examples run to their packages, from a copy of meetings/; and the nynorsk body
    turned into one whose minutes nobody signs (approved at the next meeting)."""
    place = tmp_path_factory.mktemp("examples")
    shutil.copytree(ROOT / "meetings", place / "meetings")
    unsigned = place / "meetings/valstyret_usignert"
    unsigned.mkdir()
    body = (place / "meetings/valstyret/organ.toml").read_text(encoding="utf-8")
    body = body.split("[[signatories]]")[0].replace('id = "valstyret"', 'id = "valstyret_u"')
    (unsigned / "organ.toml").write_text('signatures = "none"\n' + body, encoding="utf-8")
    shutil.copy(place / "meetings/valstyret/2025-06-12.toml", unsigned / "2025-06-12.toml")
    for folder, name in [*EXAMPLES.items(), ("valstyret_usignert", "2025-06-12.toml")]:
        code, text = main(
            "run",
            "-q",
            place / "meetings" / folder / name,
            "--out",
            place / "out",
            "--config",
            place / "meetings/referatbygg.toml",
        )  # the archive's profile
        assert code == 0, text
    return place / "out"


def pdf_text(pdf: Path) -> str:
    """The text pypdf reads, as a reader reads it (no-break spaces as spaces)."""
    return plain("".join(p.extract_text() or "" for p in PdfReader(pdf).pages))


def field_names(pdf: Path) -> set[str]:
    """The signature fields' names, read by qpdf (pikepdf)."""
    import pikepdf

    with pikepdf.open(pdf) as doc:
        return {str(f.get("/T")) for f in doc.Root.AcroForm.Fields}


def package(out: Path, meeting_id: str) -> Path:
    return out / meeting_id / "pakke" / f"{meeting_id}.zip"


@pytest.mark.parametrize(
    "meeting_id",
    ["kommunestyret-2025-03-27", "valstyret-2025-06-12", "valstyret_u-2025-06-12",
     "oppvekstutvalet-2026-02-10", "formannskapet-2026-03-05"],
)  # fmt: skip
def test_examples_are_signed_and_packaged(done: Path, meeting_id: str) -> None:
    code, text = main("check-package", package(done, meeting_id))
    assert code == 0, text
    assert "NOT OK" not in text


def test_signatories_elected_at_the_meeting_sign(done: Path) -> None:
    pdf = done / "kommunestyret-2025-03-27/referat.pdf"
    assert field_names(pdf) == {"ordforer", "medlem_1", "medlem_2", "Dokumenttidsstempel"}
    code, text = main("verify", pdf)
    assert code == 0, text
    # Each signed as the person the block names: the demo certificate per person, checked.
    for name in ("Anne Lise Berg", "Marit Johansen", "Kjetil Olsen"):
        assert name in text
    # pdfsig (poppler) reads the same signatures.
    sig = subprocess.run(["pdfsig", str(pdf)], capture_output=True, text=True, check=False)
    assert sig.stdout.count("Signature #") == 4, sig.stdout


def test_minutes_nobody_signs(done: Path) -> None:
    pdf = done / "valstyret_u-2025-06-12/referat.pdf"
    assert field_names(pdf) == {"Dokumenttidsstempel"}  # the final timestamp only
    code, text = main("verify", pdf)
    assert code == 0, text
    assert "Underskrifter" not in (PdfReader(pdf).pages[-1].extract_text() or "")


def test_closed_case_in_the_public_version_and_the_archive(done: Path) -> None:
    out = done / "kommunestyret-2025-03-27"
    public = pdf_text(out / "referat-offentlig.pdf")
    assert "PS 28/25 Tilsettingssak" in public
    assert "Saken ble behandlet i lukket møte" in public
    for secret in ("Kari Sunde", "Tilsetting av kommunalsjef", "søkerne"):
        assert secret not in public, secret
    internal = pdf_text(out / "referat.pdf")
    assert "Kari Sunde tilsettes" in internal
    with zipfile.ZipFile(package(done, "kommunestyret-2025-03-27")) as zf:
        name = next(n for n in zf.namelist() if n.endswith("arkivmelding.xml"))
        xml = etree.fromstring(zf.read(name))
    # Participants with their function (Fiks Arkiv code list) and party.
    people = {
        p.findtext(f"{{{MDK}}}identifikator/{{{MDK}}}navn"): (
            p.findtext(f"{{{MDK}}}funksjon/{{{MDK}}}kode"),
            p.findtext(f"{{{MDK}}}representerer/{{{MDK}}}navn"),
        )
        for p in xml.iter(f"{{{NS}}}moetedeltaker")
    }
    assert people["Anne Lise Berg"] == ("LEDER", "Ap")
    assert people["Ingrid Solheim"] == ("NESTL", "Sp")
    assert people["Kjetil Olsen"] == ("MEDL", "H")
    assert people["Knut Bråten"] == ("VARA", "Ap")
    assert people["Heidi Rust"] == ("SEKR", None)
    # The cases in the registration's description, the closed one by its public title; its
    # legal basis as skjerming; the withheld attachment marked.
    description = xml.findtext(f"{{{NS}}}registrering/{{{NS}}}beskrivelse") or ""
    assert "PS 28/25 Tilsettingssak" in description and "kommunalsjef" not in description
    assert "PS 25/25 Rehabilitering av Nordby skole – finansiering" in description
    # Withheld under offl. § 25, not under the provision for closing the meeting (kml. § 11-5).
    bases = [e.text or "" for e in xml.iter(f"{{{NS}}}skjermingshjemmel")]
    assert bases and set(bases) == {"offl. § 25"}


def arkivmelding_of(done: Path, meeting_id: str) -> etree._Element:
    """The Fiks Arkiv message's arkivmelding.xml, as the Fiks IO client sends it."""
    folder = done / meeting_id / "pakke" / f"{meeting_id}.fiks-arkiv"
    return etree.fromstring((folder / "arkivmelding.xml").read_bytes())


# Where a kode is from: the V1 code list of its element (the archive's own codes — format,
# tilgangsrestriksjon — have no list).
LISTS = {"dokumenttype": "dokumenttype", "dokumentstatus": "dokumentstatus",
         "tilknyttetRegistreringSom": "tilknyttetregistreringsom", "variantformat":
         "variantformat", "funksjon": "moetedeltakerfunksjon", "moetedokumenttype":
         "moeteregistreringstype", "journalposttype": "journalposttype", "journalstatus":
         "journalstatus", "korrespondanseparttype": "korrespondanseparttype", "merknadstype":
         "merknadstype"}  # fmt: skip


@pytest.mark.parametrize(
    ("meeting_id", "mode"),
    [("kommunestyret-2025-03-27", "moetemappe"), ("formannskapet-2026-03-05", "moetemappe"),
     ("oppvekstutvalet-2026-02-10", "case"), ("valstyret-2025-06-12", "year")],
)  # fmt: skip
def test_each_filing_mode_s_message(done: Path, meeting_id: str, mode: str) -> None:
    """Each body's minutes filed as its archive profile says — møtemappe with the meeting's
    own number; a journal post into the case the body names, classified, with its unit; a
    journal post into the body's case of the year — each message valid against V1, every
    code from its V1 list, and each item's own case referred to by its saksnummer."""
    from referatbygg.archive import arkivmelding
    from referatbygg.archive.codes import code_list

    xml = arkivmelding_of(done, meeting_id)
    assert arkivmelding.schema_errors(etree.tostring(xml)) == []
    checked = 0
    for el in xml.iter():
        name = etree.QName(el).localname
        if name in LISTS:
            value = el.findtext(f"{{{MDK}}}kode")
            assert value in code_list(LISTS[name]), (name, value)
            checked += 1
    assert checked > 10
    xsi = "{http://www.w3.org/2001/XMLSchema-instance}type"
    reg = xml.find(f"{{{NS}}}registrering")
    folder = xml.find(f"{{{NS}}}mappe")
    assert reg is not None
    parent = reg.find(f"{{{NS}}}referanseForelderMappe")
    assert parent is not None
    if mode == "moetemappe":
        assert folder is not None and folder.get(xsi) == "moetemappe"
        assert reg.get(xsi) == "moetedokument"
        number = {"kommunestyret-2025-03-27": "2/2025", "formannskapet-2026-03-05": "3/2026"}
        assert folder.findtext(f"{{{NS}}}moetenummer") == number[meeting_id]
    elif mode == "case":
        assert folder is None and reg.get(xsi) == "journalpost"
        assert parent.findtext(f"{{{MDK}}}saksnummer/{{{MDK}}}saksaar") == "2026"
        assert parent.findtext(f"{{{MDK}}}saksnummer/{{{MDK}}}sakssekvensnummer") == "12"
        assert reg.findtext(f"{{{NS}}}klassifikasjon/{{{NS}}}klasseID") == "033"
        assert reg.findtext(f"{{{NS}}}journalenhet") == "SENTRAL"
        party = reg.find(f"{{{NS}}}korrespondansepart")
        assert party is not None
        assert party.findtext(f"{{{NS}}}korrespondanseparttype/{{{MDK}}}kode") == "IA"
        assert party.findtext(f"{{{NS}}}administrativEnhet/{{{MDK}}}navn") == (
            "Politisk sekretariat"
        )
    else:
        assert folder is not None and folder.get(xsi) == "saksmappe"
        assert folder.findtext(f"{{{NS}}}tittel") == "Valstyret – Møtebok 2025"
        assert reg.get(xsi) == "journalpost" and xml.find(f".//{{{NS}}}moetenummer") is None
    # Each item's own case (its archive_ref) referred to by its saksnummer.
    meeting = {"kommunestyret-2025-03-27": "kommunestyret/2025-03-27.toml",
               "formannskapet-2026-03-05": "formannskapet/2026-03-05.toml",
               "oppvekstutvalet-2026-02-10": "oppvekstutvalet/2026-02-10.toml",
               "valstyret-2025-06-12": "valstyret/2025-06-12.toml"}[meeting_id]  # fmt: skip
    text = (ROOT / "meetings" / meeting).read_text(encoding="utf-8")
    refs = sorted({r.split("-")[0] for r in re.findall(r'archive_ref = "([^"]+)"', text)})
    referred = sorted(
        f"{int(k.findtext(f'{{{MDK}}}saksaar') or 0) % 100:02d}/"
        f"{k.findtext(f'{{{MDK}}}sakssekvensnummer')}"
        for k in reg.iter(f"{{{MDK}}}saksnummer") if k.getparent() is not parent
    )  # fmt: skip
    assert referred == refs


def test_nynorsk_minutes_read_as_nynorsk(done: Path) -> None:
    text = pdf_text(done / "valstyret-2025-06-12/referat.pdf")
    for expected in ("Møtebok – Valstyret", "Møteleiar", "Til stades", "Sak 1", "Sak 2 Oppnemning",
                     "Tilråding frå valansvarleg", "Samrøystes vedteke", "Vedteke med 4 mot 2",
                     "vart erklært ugild", "Neste møte"):  # fmt: skip
        assert expected in text.replace("\n", " "), expected


def test_examples_build_bookmarks_by_case_number(done: Path) -> None:
    reader = PdfReader(done / "kommunestyret-2025-03-27/referat.pdf")
    titles = [o.title for o in reader.outline if not isinstance(o, list)]
    assert "Vedlegg – PS 25/25 – Tilstandsrapport Nordby skole" in titles


def test_check_exit_codes_for_the_examples() -> None:
    for folder, name in EXAMPLES.items():
        code, text = main("check", ROOT / "meetings" / folder / name)
        assert code == ExitCode.ok and "0 error(s), 0 warning(s)" in text, text


def test_public_version_with_a_logo_stays_accessible(done: Path) -> None:
    """The kommunestyre's logo is a figure in the public version: it needs its alternative text
    for PDF/UA-1, which veraPDF's engine confirms."""
    from referatbygg.pdf import pdfa

    report = pdfa.validate(done / "kommunestyret-2025-03-27/referat-offentlig.pdf")
    assert report.valid and report.checked == ["2a", "ua1"], report.summary


def test_the_form_style_moetebok(done: Path) -> None:
    """Form front matter, the sakliste table and the status table on the first page; each case
    on a page of its own, beginning with its heading and its case header; the tilråding after
    the case text; the body's own decision label; signed by leiar and nestleiar."""
    pdf = done / "oppvekstutvalet-2026-02-10/referat.pdf"
    pages = [plain(p.extract_text() or "") for p in PdfReader(pdf).pages]
    first = " ".join(pages[0].split())
    for expected in ("Utval Hovudutval for oppvekst og kultur", "Saksnr. 005–008/26",
                     "Møtedato tysdag 10. februar 2026", "Sakliste", "Oppmøte",
                     "Per Bakke KrF Møtte for Åse Nerhus", "Frå administrasjonen",
                     "Svein Aarset Ap Møtt forlét møtet kl. 19.40"):  # fmt: skip
        assert expected in first, (expected, first)
    heads = [" ".join(p.split())[:60] for p in pages[1:]]
    for page, number in zip(heads, ["005/26", "006/26", "007/26", "008/26"], strict=True):
        assert page.startswith(number), heads
    case = " ".join(pages[2].split())
    order = ["Saksbehandlar Gunn Rise", "Arkivkode A20", "Skuleruta følgjer",
             "Tilråding frå kommunedirektøren:", "HOVUDUTVALET 006/26 VEDTAK:",
             "Vedtaket var samrøystes."]  # fmt: skip
    assert_in_order(case, order)
    assert "Jon Flatebø (FrP) erklærte seg ugild" in " ".join(pages[4].split())
    assert field_names(pdf) == {"leiar", "nestleiar", "Dokumenttidsstempel"}


def test_the_formannskap_protocol(done: Path) -> None:
    """Case series numbered on their own and summed up; orienteringer numbered; the
    tilleggssak and the changed order said where they happen; attendance by clock time, one
    person per line, title first; the lines after the signatures."""
    text = " ".join(pdf_text(done / "formannskapet-2026-03-05/referat.pdf").split())
    order = [
        "Behandlede saker: Orientering 1–2, RS 4–5/26, DS 7–8/26, PS 12–17/26",
        "Til stede", "Ordfører Anne Holm (Ap)", "Ole Tangen (H, møtte fra kl. 10.30)",
        "Guri Moe (FrP, gikk etter PS 16/26)", "Varamedlemmer",
        "1. vara Ivar Lunde (SV, for Tone Vik)",
        "I tillegg møtte", "Økonomisjef Hanne Berg (i PS 14/26 og PS 15/26)",
        "Revisjonen (møtte fra kl. 13.00, forlot møtet kl. 13.30)", "Orientering 1 Status for",
        "RS 4/26 og RS 5/26 Referatsaker", "DS 7/26 og DS 8/26 Delegerte saker",
        "PS 16/26 Høring", "Behandlet etter PS 13/26.", "PS 16/26 Vedtak:",
        "PS 17/26 Tilskudd til reparasjon av Nordvik kirke", "Tilleggssak.", "Underskrifter",
        "Kopi til: Kommunedirektøren, Revisjonen og Kontrollutvalgets sekretariat",
        "Rett utskrift bekreftes, 9. mars 2026 – Silje Brun, politisk sekretariat",
    ]  # fmt: skip
    assert_in_order(text, order)


def assert_in_order(text: str, parts: list[str]) -> None:
    """Each part found after the one before it."""
    at = 0
    for part in parts:
        at = text.find(part, at)
        assert at >= 0, (part, text)
        at += len(part)


def test_a_nynorsk_body_s_signatures_speak_nynorsk(done: Path, tmp_path: Path) -> None:
    """The stamp of a demo signature and the hidden timestamp field's description in nynorsk:
    "ikkje gyldig", "usynleg" — read from the stamp as drawn (annotations flattened by qpdf, text by
    pdftotext), not from what referatbygg meant to write."""
    import pikepdf

    pdf = done / "valstyret-2025-06-12/referat.pdf"
    with pikepdf.open(pdf) as doc:
        alts = [str(o.Alt) for o in doc.objects
                if isinstance(o, pikepdf.Dictionary) and "/Alt" in o]  # fmt: skip
        doc.flatten_annotations("all")
        flat = tmp_path / "flat.pdf"
        doc.save(flat)
    assert "Dokumenttidsstempel (usynleg)" in alts, alts  # the Form element's alternate text
    assert not [a for a in alts if "usynlig" in a]
    text = subprocess.run(["pdftotext", str(flat), "-"], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip
    assert "TESTSIGNATUR – ikkje gyldig" in text, text[-2000:]
    assert "ikke gyldig" not in text


@pytest.mark.parametrize(
    "meeting_id", ["kommunestyret-2025-03-27", "valstyret-2025-06-12", "formannskapet-2026-03-05"]
)
def test_every_published_file_passes_pdfua(done: Path, meeting_id: str) -> None:
    """What goes on the website (build report ``publish``: the minutes — their public version
    where something is exempt — and each attachment that is not), signed and timestamped as
    published: PDF/UA-1 and PDF/A-2a by veraPDF, nothing exempt among it, nothing left out."""
    import json

    from referatbygg.tools import verapdf

    report = json.loads((done / meeting_id / "build-report.json").read_text(encoding="utf-8"))
    published = [Path(p) for p in report["publish"]]
    assert report["not_published"] == []
    assert published[0] == Path(report["public_pdf"] or report["pdf"])
    assert published[0].name == ("referat-offentlig.pdf" if report["public_pdf"] else "referat.pdf")
    for path in published:
        for flavour in ("ua1", "2a"):
            assert [r.label for r in verapdf.validate(path, flavour).rules] == [], (path, flavour)
    if meeting_id.startswith("kommunestyret"):  # one attachment open, one closed (PS 28)
        assert [p.name for p in published[1:]] == ["01-pkt25-tilstandsrapport-nordby-skole.pdf"]


def test_the_logo_figure_holds_its_image(done: Path) -> None:
    """The kommunestyre's logo: a Figure with its alternative text whose marked content draws
    the image (LibreOffice left the Figure empty and the image an artifact)."""
    import pikepdf

    pdf_path = done / "kommunestyret-2025-03-27" / "referat-offentlig.pdf"
    with pikepdf.open(pdf_path) as pdf:
        queue, figures = [pdf.Root.StructTreeRoot], []
        while queue:
            kids = queue.pop().get("/K")
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    queue.append(kid)
                    figures += [kid] if kid.S == "/Figure" else []
        assert [str(f.Alt) for f in figures] == ["Logo: Eksempel kommune"]
        figure = figures[0]
        drawn, inside = [], None
        for ins in pikepdf.parse_content_stream(figure.Pg):
            op = str(ins.operator)
            if op == "BDC" and ins.operands[0] == "/Figure":
                inside = int(ins.operands[1].MCID)
            elif op == "EMC":
                inside = None
            elif op == "Do" and inside == int(figure.K):
                drawn.append(ins.operands[0])
        xobjects = figure.Pg.Resources.XObject
        assert len(drawn) == 1 and xobjects[drawn[0]].Subtype == "/Image"
