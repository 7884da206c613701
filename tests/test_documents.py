"""More documents from the same source: the notice, drafts, public and internal versions,
agreements, nynorsk."""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
from conftest import SEED
from docx import Document
from lxml import etree
from pypdf import PdfReader
from textcompare import plain

from referatbygg import verify
from referatbygg.archive import arkivmelding
from referatbygg.archive.check import check_package
from referatbygg.config import ArchiveProfile, load_config
from referatbygg.errors import InputError, SigningError
from referatbygg.pdf import pdfa
from referatbygg.pipeline import build, run
from referatbygg.signing import pades
from referatbygg.signing.trust import trust

AGREEMENT = SEED.parent / "avtaler/politiradsavtale-2023-2025.toml"
# The receiving archive's code for exempt content: the archive's to give, no default.
CONFIG = load_config(None).model_copy(
    update={"archive": ArchiveProfile(access_codes={"offl.": "UO"})}
)


def text_of(pdf: Path) -> str:
    res = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    return res.stdout


def folder_with(tmp_path: Path, meeting: str, language: str = "nb") -> Path:
    """The seed body (optionally in nynorsk) and ``meeting`` as 2024-05-05.toml."""
    shutil.copytree(SEED.parent / "vedlegg", tmp_path / "vedlegg")
    body = (SEED.parent / "organ.toml").read_text(encoding="utf-8")
    (tmp_path / "organ.toml").write_text(
        body.replace('language = "nb"', f'language = "{language}"')
    )
    path = tmp_path / "2024-05-05.toml"
    path.write_text(textwrap.dedent(meeting), encoding="utf-8")
    return path


EXEMPT_MEETING = """\
    date = 2024-05-05
    start = "09:00"
    end = "10:00"
    place = "Rådhuset"

    [[items]]
    numbers = [1]
    title = "Orientering om trusselvurdering"
    text = \"\"\"
    - Åpen opplysning om møteplan.
    - [unntatt: offl. § 24 tredje ledd] Kodeordet KVITVEIS gjelder for aksjonen.
    \"\"\"

    [[items]]
    numbers = [2]
    title = "Eventuelt"
    no_business = true

    [[attachments]]
    item = 1
    title = "Trusselvurdering"
    file = "vedlegg/trussel.docx"
    exempt = "offl. § 13 jf. fvl. § 13"

    [[attachments]]
    item = 1
    title = "Situasjonsbrief"
    file = "vedlegg/situasjonsbrief.pdf"
"""


@pytest.fixture(scope="module")
def exempt_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("exempt")
    meeting = folder_with(folder, EXEMPT_MEETING)
    doc = Document()
    doc.add_paragraph("Fortrolig vurdering: SNØSKREDVARSEL for sentrum.")
    doc.save(str(folder / "vedlegg/trussel.docx"))
    result = run(meeting, folder / "out", CONFIG)
    assert result.package is not None
    return result.status.out_dir, result.package.bag


def test_public_version_has_no_exempt_words(exempt_build: tuple[Path, Path]) -> None:
    out, _bag = exempt_build
    internal, public = text_of(out / "referat.pdf"), text_of(out / "referat-offentlig.pdf")
    for word in ("KVITVEIS", "SNØSKREDVARSEL", "Kodeordet"):
        assert word in internal, word
        assert word not in public, word
    assert "Unntatt offentlighet, jf. offl. § 24 tredje ledd" in public
    assert "Åpen opplysning om møteplan." in public
    assert "Pkt. 1 – Unntatt offentlighet, jf. offl. § 13 jf. fvl. § 13" in public
    assert "(Unntatt offentlighet, jf. offl. § 24 tredje ledd)" in internal  # marked, kept
    report = pdfa.validate(out / "referat-offentlig.pdf")
    assert report.valid and report.claimed == "PDF/A-2a + PDF/UA-1", report.summary
    # The public version is the minutes' text alone, accessible; what may be published beside
    # it is listed in the build report: never the exempt attachment.
    outline = [o.title for o in PdfReader(out / "referat-offentlig.pdf").outline
               if not isinstance(o, list)]  # fmt: skip
    assert not any(t.startswith("Vedlegg – ") for t in outline)
    publish = [Path(p).name for p in json.loads((out / "build-report.json").read_text())["publish"]]
    assert publish == ["referat-offentlig.pdf", "02-pkt1-situasjonsbrief.pdf"]


def test_arkivmelding_marks_the_exemptions(exempt_build: tuple[Path, Path]) -> None:
    _out, bag = exempt_build
    xml = (bag / "data/arkivmelding.xml").read_bytes()
    assert arkivmelding.schema_errors(xml) == []
    doc = etree.fromstring(xml)
    ns = {"a": arkivmelding.NS, "m": arkivmelding.MDK}
    reg = doc.find("a:registrering", ns)
    # Skjerming where the exempt content is, never on the registration as a whole (#17).
    assert reg.find("a:skjerming", ns) is None
    descs = reg.findall("a:dokumentbeskrivelse", ns)
    # The signed original holds the exempt item's text and the exempt attachment's pages: the
    # strictest of their bases alone, the duty of confidentiality (#30).
    assert descs[0].findtext("a:skjerming/a:skjermingshjemmel", namespaces=ns) == (
        "offl. § 13 jf. fvl. § 13"
    )
    assert descs[0].findtext("a:skjerming/a:tilgangsrestriksjon/m:kode", namespaces=ns) == "UO"
    variants = [v.text for v in descs[0].iterfind(".//a:variantformat/m:kode", ns)]
    # Signed, production format, and the public version as the document's public variant
    # (Noark's O, "dokument hvor deler av innholdet er skjermet"): the profile's default.
    assert variants == ["S", "P", "O"]
    assert len(descs) == 3  # the minutes and the two attachments
    assert descs[1].findtext("a:skjerming/a:skjermingshjemmel", namespaces=ns) == (
        "offl. § 13 jf. fvl. § 13"
    )
    assert descs[2].find("a:skjerming", ns) is None
    assert (bag / "data/dokumenter/referat-offentlig.pdf").is_file()


def test_notice_has_agenda_and_no_outcomes(tmp_path: Path) -> None:
    result = build(SEED, tmp_path, kind="innkalling")
    assert result.pdf == tmp_path / "politiradet-2023-01-13" / "innkalling.pdf"
    text = " ".join(text_of(result.pdf).split())
    assert "Innkalling – Politirådet i Oslo 13. januar 2023" in text
    assert "Saksliste" in text
    assert "3. Orientering fra politimesteren" in text
    assert "7. og 8. Politirådsavtale 2023–2025 og SaLTo handlingsprogram 2023–2025" in text
    assert "Vedlegg som legges fram" in text and "Pkt. 5 – Situasjonsbrief fra politiet" in text
    for outcome in ("Vedtak", "Stillingen som ny politimester", "Ingen saker", "Underskrifter"):
        assert outcome not in text, outcome
    assert not PdfReader(result.pdf).get_fields()  # no signature fields on a notice
    notice = pdfa.validate(result.pdf)
    assert notice.valid and notice.claimed == "PDF/A-2a + PDF/UA-1", notice.summary


def test_notice_needs_no_outcomes(tmp_path: Path) -> None:
    meeting = folder_with(tmp_path, """\
        date = 2024-05-05
        start = "09:00"
        [[items]]
        numbers = [1]
        title = "Budsjett 2025"
        [[items]]
        numbers = [2]
        title = "Eventuelt"
    """)  # fmt: skip
    result = build(meeting, tmp_path / "out", kind="innkalling", pdf=False)
    assert "Budsjett 2025" in "".join(p.text for p in Document(str(result.docx)).paragraphs)


def test_draft_is_marked_and_cannot_be_signed(tmp_path: Path) -> None:
    meeting = folder_with(
        tmp_path, EXEMPT_MEETING.replace("date = 2024-05-05", "date = 2024-05-05\n    draft = true")
    )
    doc = Document()
    doc.add_paragraph("Vurdering.")
    doc.save(str(tmp_path / "vedlegg/trussel.docx"))
    with pytest.raises(InputError, match="marked as a draft"):
        build(meeting, tmp_path / "out")
    result = build(meeting, tmp_path / "out", draft=True)
    assert result.pdf is not None and result.pdf.name == "referat-utkast.pdf"
    reader = PdfReader(result.pdf)
    assert len(reader.pages) > result.parts[0].pages  # attachment pages are marked too
    for page in reader.pages:
        assert "UTKAST – bygget" in page.extract_text()
    assert str(reader.metadata.title).startswith("UTKAST")
    assert not reader.get_fields()
    draft = pdfa.validate(result.pdf)
    assert draft.valid and draft.claimed == "PDF/A-2b", draft.summary
    before = result.pdf.read_bytes()
    with pytest.raises(SigningError, match="drafts are never signed"):
        pades.sign(result.pdf, "byradsleder", CONFIG, ask=None)
    assert result.pdf.read_bytes() == before
    assert not (result.out_dir / "referat.pdf").exists()  # nothing for the archive to take


def test_agreement_signed_and_packaged_and_attached(tmp_path: Path) -> None:
    agreement = run(AGREEMENT, tmp_path, CONFIG)
    pdf = agreement.status.out_dir / "avtale.pdf"
    report = verify.verify(pdf, trust(CONFIG).roots)
    assert report.valid, report.summary
    assert [s.field_name for s in report.signatures] == [
        "byradsleder", "politimester", "Dokumenttidsstempel"]  # fmt: skip
    signed = pdfa.validate(pdf)
    assert signed.valid and signed.claimed == "PDF/A-2a + PDF/UA-1", signed.summary
    assert agreement.package is not None
    assert check_package(agreement.package.zip, trust(CONFIG).roots).ok
    xml = (agreement.package.bag / "data/arkivmelding.xml").read_bytes()
    assert b"<n5mdk:kode>AVTALE</n5mdk:kode>" in xml
    # The same source file is an attachment of the minutes that adopted it.
    minutes = build(SEED, tmp_path)
    assert minutes.pdf is not None
    titles = [o.title for o in PdfReader(minutes.pdf).outline if not isinstance(o, list)]
    assert "Vedlegg – Pkt. 7 – Politirådsavtale 2023–2025" in titles
    part = next(p for p in minutes.parts if "Politirådsavtale" in p.title)
    text = PdfReader(minutes.pdf).pages[part.first_page].extract_text()
    assert "Innsatsområder" in text and "Parter" in text


def test_agreement_party_with_unknown_role(tmp_path: Path) -> None:
    body = (SEED.parent / "organ.toml").read_text(encoding="utf-8")
    (tmp_path / "organ.toml").write_text(body)
    (tmp_path / "avtaler").mkdir()
    path = tmp_path / "avtaler" / "a.toml"
    path.write_text(AGREEMENT.read_text(encoding="utf-8").replace(
        'signatory = "politimester"', 'signatory = "ordforer"'), encoding="utf-8")  # fmt: skip
    with pytest.raises(Exception, match="party 'Oslo politidistrikt': signatory role 'ordforer'"):
        build(path, tmp_path / "out", pdf=False)


def test_nynorsk_notice_and_minutes(tmp_path: Path) -> None:
    meeting = folder_with(tmp_path, """\
        date = 2024-05-05
        start = "09:00"
        end = "10:00"
        [[items]]
        numbers = [1]
        title = "Orientering"
        text = "- [unntatt: offl. § 13] Løyndom."
    """, language="nn")  # fmt: skip
    notice = build(meeting, tmp_path / "out", kind="innkalling", pdf=False)
    raw = "\n".join(p.text for p in Document(str(notice.docx)).paragraphs)
    assert "Innkalling – Politirådet i Oslo 5.\xa0mai\xa02024" in raw  # the date keeps together
    text = plain(raw)
    assert "Dato: sundag 5. mai 2024" in text and "Sakliste" in text
    minutes = build(meeting, tmp_path / "out", pdf=False)
    text = plain("\n".join(p.text for p in Document(str(minutes.docx)).paragraphs))
    assert "Løyndom. (Unnateke offentlegheit, jf. offl. § 13)" in text


def test_seed_public_version_with_one_item_exempt(tmp_path: Path) -> None:
    """The seed with agenda item 5 exempt: the public version is PDF/A-2a and PDF/UA-1 by
    veraPDF, without the item's text; the signed minutes stay PDF/A-2b."""
    folder = tmp_path / "politiradet"
    shutil.copytree(SEED.parent, folder)
    meeting = folder / SEED.name
    text = meeting.read_text(encoding="utf-8")
    text = text.replace(
        'title = "Situasjonsbrief fra politiet"\ntext = """',
        'title = "Situasjonsbrief fra politiet"\nexempt = "offl. § 24 tredje ledd"\ntext = """',
        1,
    )
    meeting.write_text(text, encoding="utf-8")
    result = build(meeting, tmp_path / "out")
    assert result.public_pdf is not None and result.pdf is not None
    public = pdfa.validate(result.public_pdf)
    assert public.valid and public.claimed == "PDF/A-2a + PDF/UA-1", public.summary
    assert "Ugradert presentasjon er vedlagt" not in text_of(result.public_pdf)
    assert "Ugradert presentasjon er vedlagt" in text_of(result.pdf)
    assert pdfa.validate(result.pdf).claimed == "PDF/A-2a + PDF/UA-1"  # internal: accessible too
