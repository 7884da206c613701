"""The Word document: content against the reference, escaping, reproducibility, languages."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from conftest import MEETING, SEED, WriteMeeting
from docx import Document
from lxml import etree
from textcompare import REFERENCE, docx_text, similarity

from referatbygg.document.render import render_docx
from referatbygg.meeting.load import load_meeting
from referatbygg.pipeline import build


@pytest.fixture(scope="module")
def seed_docx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(SEED, tmp_path_factory.mktemp("out")).docx


def test_seed_matches_reference_text(seed_docx: Path) -> None:
    ratio = similarity(docx_text(seed_docx), REFERENCE.read_text(encoding="utf-8"))
    assert ratio >= 0.95, ratio


def test_similarity_check_can_fail(write_meeting: WriteMeeting) -> None:
    other = build(write_meeting(), write_meeting().parent / "out").docx
    assert similarity(docx_text(other), REFERENCE.read_text(encoding="utf-8")) < 0.5


def test_norwegian_formatting(seed_docx: Path) -> None:
    text = docx_text(seed_docx)
    # The date in a title keeps together (no-break spaces): never "13. januar / 2023".
    assert "Referat – Politirådet i Oslo 13.\xa0januar\xa02023" in docx_text(seed_docx, raw=True)
    assert "fredag 13. januar 2023" in text
    assert "21. april 2023 kl. 13.30–15.30" in text
    assert "30. november–1. desember 2023, lunsj til lunsj" in text
    assert "7. og 8. Politirådsavtale 2023–2025" in text
    assert "3. Orientering fra politimesteren" in text
    assert "Pkt. 5 – Situasjonsbrief fra politiet" in text


def test_abbreviations_are_a_table(seed_docx: Path) -> None:
    doc = Document(str(seed_docx))
    rows = [[c.text for c in r.cells] for r in doc.tables[0].rows]
    assert rows[0] == ["Forkortelse", "Betydning"]  # a header row (TH in the tagged PDF)
    assert rows[1] == ["OPD", "Oslo politidistrikt"]
    assert len(rows) == 6


def test_signature_anchors_are_bookmarks(seed_docx: Path) -> None:
    with zipfile.ZipFile(seed_docx) as z:
        xml = etree.fromstring(z.read("word/document.xml"))
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    names = [b.get(f"{w}name") for b in xml.iter(f"{w}bookmarkStart")]
    ids = [b.get(f"{w}id") for b in xml.iter(f"{w}bookmarkStart")]
    assert names == ["sig_byradsleder", "sig_politimester"]
    assert len(set(ids)) == 2


def test_reproducible_bytes(write_meeting: WriteMeeting) -> None:
    meeting = load_meeting(write_meeting())
    first = render_docx(meeting)
    second = render_docx(load_meeting(write_meeting()))
    assert first == second
    with zipfile.ZipFile(__import__("io").BytesIO(first)) as z:
        assert {i.date_time for i in z.infolist()} == {(2024, 3, 1, 12, 0, 0)}


def test_reproducible_build_of_seed(tmp_path: Path, seed_docx: Path) -> None:
    assert build(SEED, tmp_path).docx.read_bytes() == seed_docx.read_bytes()


NASTY = [
    "{{ 7*7 }}",
    "{% if true %}x{% endif %}",
    "{%p endfor %}",
    "Tom & Jerry <b>fet</b>",
    "Sitat: \"doble\" og 'enkle' anførselstegn",
    "Emoji 🚓👮‍♀️ og æøå ÆØÅ",
    "]]> <![CDATA[ x",
]


@pytest.mark.parametrize("nasty", NASTY)
def test_text_is_data_not_template_code(write_meeting: WriteMeeting, nasty: str) -> None:
    escaped = nasty.replace("\\", "\\\\").replace('"', '\\"')
    text = MEETING.replace('title = "Budsjett"', f'title = "{escaped}"').replace(
        "Første punkt om OPD.", nasty.replace('"""', "")
    )
    path = write_meeting(text)
    out = build(path, path.parent / "out").docx
    with zipfile.ZipFile(out) as z:
        etree.fromstring(z.read("word/document.xml"))  # still well-formed XML
    content = docx_text(out)
    assert f"2. {nasty}" in content
    assert content.count(nasty) == 2


def test_nynorsk_labels_and_dates(write_meeting: WriteMeeting) -> None:
    text = MEETING + '[items.decision]\ntext = "Budsjettet vert vedteke."\nunanimous = true\n'
    text = text.replace(
        'place = "Rådhuset, møterom 1"',
        'place = "Rådhuset"\n\n[participants]\npresent = [{ name = "Kari" }]\n',
    )
    path = write_meeting(text, language="nn")
    out = build(path, path.parent / "out").docx
    content = docx_text(out)
    assert "Dato: fredag 1. mars 2024" in content
    assert "Stad: Rådhuset" in content
    assert "Til stades: Kari" in content
    assert "Samrøystes vedteke." in content
    with zipfile.ZipFile(out) as z:
        assert b'w:val="nn-NO"' in z.read("word/styles.xml")
    assert Document(str(out)).core_properties.language == "nn-NO"


def test_participants_and_vote(write_meeting: WriteMeeting) -> None:
    text = MEETING.replace(
        'place = "Rådhuset, møterom 1"\n',
        """place = "Rådhuset"
number = "2/2024"

[participants]
present = [{ name = "Kari Nordmann", role = "leder" }, { name = "Per Hansen" }]
absent = [{ name = "Ola Olsen" }]
substitutes = [{ name = "Lise Berg", for = "Ola Olsen" }]
others = [{ name = "Anne Ås", role = "rådmann" }]
secretary = [{ name = "Siv Dahl" }]
""",
    )
    text += (
        '[items.decision]\ntext = "Budsjettet vedtas."\n'
        'votes = { for = 5, against = 2, blank = 1 }\nnote = "Hansen tok dissens."\n'
    )
    out = build(write_meeting(text), write_meeting(text).parent / "out").docx
    content = docx_text(out)
    for expected in (
        "Til stede: Kari Nordmann (leder), Per Hansen",
        "Forfall: Ola Olsen",
        "Møtt for: Lise Berg for Ola Olsen",
        "Andre til stede: Anne Ås (rådmann)",
        "Referent: Siv Dahl",
        "Møtenummer: 2/2024",
        "Tid: kl. 09.00–11.00",
        "Vedtak: Budsjettet vedtas.",
        "Vedtatt med 5 mot 2 stemmer, 1 blank.",
        "Hansen tok dissens.",
        "Nestleder",
    ):
        assert expected in content


def test_a_notice_names_an_agreement_signed_on_its_own_by_its_title() -> None:
    """After the agreement was signed as a document of its own, the notice's attachment list
    still names it ("Politirådsavtale 2023–2025 (signert original …)"), not only the note;
    an exempt attachment is still named by its legal basis alone."""
    from referatbygg.document.minutes import _attachments
    from referatbygg.meeting.load import load_meeting

    meeting = load_meeting(SEED)
    labels = meeting.labels
    index = next(i for i, a in enumerate(meeting.data.attachments)
                 if str(a.file).endswith(".toml"))  # fmt: skip
    title = meeting.data.attachments[index].title
    for notice in (True, False):
        data = meeting.data
        listed = _attachments(meeting, data, labels, "internal", notice, frozenset({index}))  # type: ignore[arg-type]
        assert title in listed[index] and labels["original_archived"] in listed[index], listed
