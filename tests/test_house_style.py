"""A body's house style and what its protocols record (#26): front matter as a form, the
saksliste as a table, each case on its own page, attendance as one status table or one person
per line, case series with their own numbers, the order of treatment and who was there for
each item, tilleggssaker, people by function, self-declared disqualification — in bokmål and
nynorsk, read back from the document in reading order."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, WriteMeeting
from test_bodies import BODY, MEETING, WORDS, text_of

from referatbygg.meeting.check import check
from referatbygg.meeting.load import load_meeting
from referatbygg.meeting.presence import members_at


def body(language: str, extra: str = "") -> str:
    text = BODY.format(language=language, **WORDS[language]) + extra
    if extra.startswith("front"):  # the form-style body: every member in one status table
        text = text.replace('attendance = "table"', 'attendance = "status"')
    return text


def meeting(language: str, change: tuple[str, str] | None = None, extra: str = "") -> str:
    text = MEETING.format(**WORDS[language])
    if change:
        assert change[0] in text, change[0]
        text = text.replace(*change)
    return text + extra


def in_order(text: str, parts: list[str]) -> None:
    """Each part found after the one before it."""
    at, found = 0, []
    for part in parts:
        at = text.find(part, at)
        found.append(at)
        if at < 0:
            break
        at += len(part)
    assert -1 not in found, (list(zip(parts, found, strict=False))[-2:], text)


def problems(path: Path) -> list[str]:
    return [str(p) for p in check(load_meeting(path))]


EXAMPLE_PDF = ROOT / "meetings/kommunestyret/vedlegg/tilstandsrapport-nordby-skole.pdf"
FORM = 'front = "form"\nagenda_table = true\n'
FORM_ORDER = {
    "nb": ["Utvalg\nBystyret", "Dato", "torsdag 18. juni 2015", "Saksnr.\nPS 61–64/15",
           "Fra administrasjonen", "Trond Aas", "Saksliste", "Saksnr.", "Sakstittel", "Arkivsak",
           "PS 61/15", "Skolebruksplan", "15/321", "PS 63/15", "Tilsetting av rådmann", "Lukket",
           "Møtedeltakere", "Oppmøte", "Anne Berg", "Møtt", "Eva Sand", "Forfall", "Jon Vik",
           "Møtt for Eva Sand", "i PS 61/15 og PS 62/15", "PS 61/15 Skolebruksplan"],
    "nn": ["Utval\nBystyret", "Dato", "torsdag 18. juni 2015", "Saksnr.\nPS 61–64/15",
           "Frå administrasjonen", "Trond Aas", "Sakliste", "Saksnr.", "Sakstittel", "Arkivsak",
           "PS 61/15", "Skolebruksplan", "15/321", "PS 63/15", "Tilsetting av rådmann", "Lukka",
           "Møtedeltakarar", "Oppmøte", "Anne Berg", "Møtt", "Eva Sand", "Forfall", "Jon Vik",
           "Møtte for Eva Sand", "i PS 61/15 og PS 62/15", "PS 61/15 Skolebruksplan"],
}  # fmt: skip


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_form_front_saksliste_table_and_status_table(
    write_meeting: WriteMeeting, language: str
) -> None:
    """A form of the body, date, … and the cases treated, with those who are not members as
    its rows; the saksliste as a table (a closed case marked closed); every member in one table
    with their status."""
    text = text_of(write_meeting(meeting(language), body=body(language, FORM)))
    in_order(text, FORM_ORDER[language])


def test_the_public_saksliste_shows_a_closed_case_by_its_public_title(
    write_meeting: WriteMeeting,
) -> None:
    text = text_of(write_meeting(meeting("nb"), body=body("nb", FORM)), variant="public")
    assert "Tilsetting av rådmann" not in text and "Tilsettingssak" in text


@pytest.mark.parametrize(("language", "lines"), [
    ("nb", ["Til stede", "ordfører Anne Berg (Ap)", "Per Dahl (H)",
            "Kari Nordmann (H, møtte fra PS 62/15)", "Møtt for",
            "1. vara Jon Vik (SV, for Eva Sand i PS 61/15 og PS 62/15)", "Forfall",
            "Eva Sand (SV)", "Fra administrasjonen", "rådmann Trond Aas"]),
    ("nn", ["Til stades", "ordfører Anne Berg (Ap)", "Kari Nordmann (H, møtte frå PS 62/15)",
            "Møtte for", "1. vara Jon Vik (SV, for Eva Sand i PS 61/15 og PS 62/15)",
            "Forfall", "Frå administrasjonen", "rådmann Trond Aas"]),
])  # fmt: skip
def test_roster_one_person_per_line_title_first(
    write_meeting: WriteMeeting, language: str, lines: list[str]
) -> None:
    text = text_of(
        write_meeting(meeting(language), body=body(language).replace('"table"', '"roster"'))
    )
    in_order(text, lines)
    for line in lines:
        assert f"\n{line}\n" in f"\n{text}\n" or line in ("Møtt for", "Møtte for"), line


def test_groups_and_their_order_are_the_bodys(write_meeting: WriteMeeting) -> None:
    """attendance_groups chooses which groups are shown and in which order; their headings
    are phrases the body may reword."""
    extra = ('attendance_groups = ["chair", "absent", "present"]\n'
             '[phrases]\nabsent = "Meldt forfall"\npresent = "Tilstede på møtet"\n')  # fmt: skip
    text = text_of(write_meeting(meeting("nb"), body=body("nb", extra)))
    in_order(text, ["Møteleder", "Anne Berg", "Meldt forfall", "Eva Sand", "Tilstede på møtet",
                    "Per Dahl"])  # fmt: skip
    assert "Fra administrasjonen" not in text and "Møtt for" not in text


def pdf_pages(path: Path, tmp_path: Path) -> list[str]:
    """Build ``path`` to PDF/A (LibreOffice, veraPDF must pass what it claims) and read each
    page's text back with poppler as laid out (a table row on a line), whitespace collapsed."""
    from referatbygg.pipeline import build

    result = build(path, tmp_path / "ut")
    assert result.pdf is not None and result.validation is not None and result.validation.valid
    assert "ua1" in result.validation.checked, result.validation.checked
    text = subprocess.run(["pdftotext", "-layout", str(result.pdf), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    return [" ".join(p.split()) for p in text.split("\f") if p.strip()]


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_form_style_in_the_built_pdf(
    write_meeting: WriteMeeting, tmp_path: Path, language: str
) -> None:
    """In the PDF LibreOffice made: the form, the saksliste table and the status table on the
    first page, in that order; each case on a page of its own, beginning with its heading and
    its case header; the tables pass veraPDF for PDF/A-2a and PDF/UA-1."""
    style = FORM + "case_page = true\n"
    pages = pdf_pages(write_meeting(meeting(language), body=body(language, style)), tmp_path)
    handler, agenda, status = {
        "nb": ("Saksbehandler", "Saksliste", "Jon Vik SV 1. vara Møtt for"),
        "nn": ("Saksbehandlar", "Sakliste", "Jon Vik SV 1. vara Møtte for"),
    }[language]
    in_order(pages[0], [FORM_ORDER[language][0].replace("\n", " "), "Saksnr. PS 61–64/15",
                        agenda, "Skolebruksplan 15/321", status])  # fmt: skip
    starts = [p[:8] for p in pages[1:5]]
    assert starts == ["PS 61/15", "PS 62/15", "PS 63/15", "PS 64/15"], starts
    assert pages[1].startswith(f"PS 61/15 Skolebruksplan {handler} Siv Moe Arkivsak 15/321")


@pytest.mark.parametrize(("language", "said"), [
    ("nb", ["Behandlede saker: PS 61–64/15, RS 3–4/15", "Til stede fra Oslo kommune",
            "ordfører Anne Berg (Ap)", "Per Dahl (H)", "Møtt for",
            "1. vara Jon Vik (SV, for Eva Sand i PS 61/15 og PS 62/15)",
            "Debatten ble ført i to runder.", "Innstilling fra rådmannen:",
            "BYSTYRET PS 61/15 VEDTAK: Skolebruksplanen vedtas.",
            "PS 63/15 Tilsetting av rådmann", "Behandlet etter PS 61/15.",
            "RS 3/15 og RS 4/15 Referatsaker", "Tilleggssak."]),
    ("nn", ["Handsama saker: PS 61–64/15, RS 3–4/15", "Til stades frå Oslo kommune",
            "ordfører Anne Berg (Ap)", "Per Dahl (H)", "Møtte for",
            "1. vara Jon Vik (SV, for Eva Sand i PS 61/15 og PS 62/15)",
            "Debatten ble ført i to runder.", "Innstilling frå rådmannen:",
            "BYSTYRET PS 61/15 VEDTAK: Skolebruksplanen vedtas.",
            "PS 63/15 Tilsetting av rådmann", "Handsama etter PS 61/15.",
            "RS 3/15 og RS 4/15 Referatsaker", "Tilleggssak."]),
])  # fmt: skip
def test_roster_series_and_wording_in_the_built_pdf(
    write_meeting: WriteMeeting, tmp_path: Path, language: str, said: list[str]
) -> None:
    """In the PDF: the summary of the series, those present by organisation one per line title
    first, the recommendation after the case text, the body's decision label naming the case,
    the order of treatment and a tilleggssak in another series."""
    text = meeting(language, TREATED, extra=RS_ITEMS.split("[[attachments]]")[0]
                   .replace("[3, 4]", "[3, 4]\nadded = true"))  # fmt: skip
    for name in ("Anne Berg", "Per Dahl"):
        text = text.replace(f'{{ name = "{name}", ', f'{{ name = "{name}", organisation = '
                            '"Oslo kommune", ')  # fmt: skip
    style = body(language, 'attendance_by = "organisation"\nrecommendation = "after"\n' + SERIES
                 + '[phrases]\ndecision = "BYSTYRET {case} VEDTAK"\n')  # fmt: skip
    style = style.replace('attendance = "table"', 'attendance = "roster"')
    pages = pdf_pages(write_meeting(text, body=style), tmp_path)
    in_order(" ".join(pages), said)


SERIES = """
[[series]]
id = "RS"
format = "RS {number}/{yy}"
"""
RS_ITEMS = """
[[items]]
numbers = [3, 4]
series = "RS"
title = "Referatsaker"
[items.decision]
text = "Tas til orientering."
unanimous = true

[[attachments]]
item = "RS 3"
title = "Brev fra Statsforvalteren"
file = "brev.pdf"
"""


def test_case_series_numbered_on_their_own(write_meeting: WriteMeeting) -> None:
    """RS numbered beside PS; the cases treated summed up per series; an attachment referred
    to by series and number."""
    path = write_meeting(meeting("nb", extra=RS_ITEMS), body=body("nb", SERIES))
    (path.parent / "brev.pdf").write_bytes(EXAMPLE_PDF.read_bytes())
    assert [p for p in problems(path) if ": error:" in p] == []
    text = text_of(path)
    in_order(
        text,
        [
            "Behandlede saker: PS 61–64/15, RS 3–4/15",
            "PS 64/15",
            "RS 3/15 og RS 4/15 Referatsaker",
            "RS 3/15 – Brev fra Statsforvalteren",
        ],
    )


@pytest.mark.parametrize(("extra", "body_extra", "said"), [
    (RS_ITEMS, "", "case series 'RS' is not declared by the body"),
    (RS_ITEMS.replace("[3, 4]", "[4, 3]"), SERIES, "agenda number RS 3 comes after RS 4"),
    (RS_ITEMS.replace('item = "RS 3"', 'item = "RS 9"'), SERIES, "there is no agenda item RS 9"),
    (RS_ITEMS.replace('item = "RS 3"', 'item = "RS3"'), SERIES, "is not an agenda reference"),
])  # fmt: skip
def test_series_mistakes_are_named_at_their_line(
    write_meeting: WriteMeeting, extra: str, body_extra: str, said: str
) -> None:
    from referatbygg.errors import MeetingFileError

    path = write_meeting(meeting("nb", extra=extra), body=body("nb", body_extra))
    (path.parent / "brev.pdf").write_bytes(b"%PDF-1.4\n")
    try:
        found = problems(path)
    except MeetingFileError as exc:
        found = [exc.message]
    assert any(said in p and "m.toml:" in p for p in found), found


TREATED = ("numbers = [63]\n", "numbers = [63]\ntreated_after = 61\n")


def test_order_of_treatment_judges_who_was_there(write_meeting: WriteMeeting) -> None:
    """PS 63 was treated after PS 61; Ola Lie left after PS 62 — so he was there for 61, 63
    and 62, and not for 64. Without the order of treatment he would not have been there for
    63. A vote in 62 counting more members than were there is warned about."""
    plain = load_meeting(write_meeting(meeting("nb"), body=body("nb")))
    moved = load_meeting(write_meeting(meeting("nb", TREATED), body=body("nb")))
    assert moved.treatment_order() == [0, 2, 1, 3]
    assert "Ola Lie" not in members_at(plain)[2] and "Ola Lie" not in members_at(plain)[3]
    assert "Ola Lie" in members_at(moved)[2] and "Ola Lie" not in members_at(moved)[3]
    # left after 63, which came second: gone for 62
    left = meeting("nb", TREATED).replace("left_after = 62", "left_after = 63")
    gone = load_meeting(write_meeting(left, body=body("nb")))
    assert "Ola Lie" not in members_at(gone)[1]
    assert "Ola Lie" in members_at(load_meeting(write_meeting(left.replace(
        "treated_after = 61\n", ""), body=body("nb"))))[1]  # fmt: skip
    text = text_of(write_meeting(meeting("nb", TREATED), body=body("nb")))
    in_order(text, ["PS 63/15 Tilsetting av rådmann", "Behandlet etter PS 61/15."])


def test_votes_are_checked_against_who_was_there(write_meeting: WriteMeeting) -> None:
    votes = ("text = \"Planen vedtas.\"\nunanimous = true",
             "text = \"Planen vedtas.\"\nvotes = { for = 4, against = 1 }")  # fmt: skip
    plain = meeting("nb", votes)
    found = problems(write_meeting(plain, body=body("nb")))
    assert not any("agenda item 62:" in p for p in found), found
    # Ola Lie left after 61 now: four members (Anne, Per, Kari, Jon) were there for 62
    fewer = plain.replace("left_after = 62", "left_after = 61")
    found = problems(write_meeting(fewer, body=body("nb")))
    assert any("agenda item 62: 5 votes, but the attendance has 4 member(s) there" in p
               for p in found), found  # fmt: skip
    named = meeting("nb").replace("arrived_at = 62", "arrived_at = 63")
    found = problems(write_meeting(named, body=body("nb")))
    assert any("agenda item 61: Kari Nordmann voted, but the attendance does not have them"
               in p for p in found), found  # fmt: skip


@pytest.mark.parametrize(("language", "said"), [
    ("nb", ["Tilleggssak.", "Saksbehandler: Siv Moe · Arkivsak: 15/321 · Arkivkode: 033 · "
            "Objekt: gnr. 12 bnr. 3 · Avgjøres av: Bystyret",
            "Ola Lie (Sp) erklærte seg inhabil, jf. fvl. § 6 første ledd bokstav a",
            "BYSTYRET PS 61/15 VEDTAK: Skolebruksplanen vedtas.", "møtte fra kl. 18.30",
            "forlot møtet kl. 21.00"]),
    ("nn", ["Tilleggssak.", "Saksbehandlar: Siv Moe · Arkivsak: 15/321 · Arkivkode: 033 · "
            "Objekt: gnr. 12 bnr. 3 · Avgjerd av: Bystyret",
            "Ola Lie (Sp) erklærte seg ugild, jf. fvl. § 6 første ledd bokstav a",
            "BYSTYRET PS 61/15 VEDTAK: Skolebruksplanen vedtas.", "møtte frå kl. 18.30",
            "forlét møtet kl. 21.00"]),
])  # fmt: skip
def test_what_protocols_record(write_meeting: WriteMeeting, language: str, said: list[str]) -> None:
    """A tilleggssak, the case's arkivkode, objekt and who decides, a member who declared
    himself disqualified, the body's decision label naming the case, clock times."""
    text = meeting(language, ("numbers = [61]\n", "numbers = [61]\nadded = true\n"))
    text = text.replace(
        'route = ["Formannskapet 4. juni 2015"]',
        'class_code = "033"\nobject = "gnr. 12 bnr. 3"\ndecided_by = "Bystyret"',
    )
    text = text.replace(
        'replaced_by = "Jon Vik (SV)"', 'replaced_by = "Jon Vik (SV)"\ndeclared = "self"'
    )
    text = text.replace(
        '{ name = "Per Dahl", party = "H" }',
        '{ name = "Per Dahl", party = "H", arrived = "18:30", left = "21:00" }',
    )
    path = write_meeting(text, body=body(language, '[phrases]\ndecision = "BYSTYRET {case} '
                                                   'VEDTAK"\n'))  # fmt: skip
    assert [p for p in problems(path) if ": error:" in p] == []
    rendered = text_of(path)
    in_order(rendered, said[:3])
    for x in said[3:]:
        assert x in rendered, x


def test_someone_named_by_function_only(write_meeting: WriteMeeting) -> None:
    """'rådmannen' without a name: shown by function, not registered as a person in the
    archive's list of participants, no name demanded."""
    from referatbygg.archive.arkivmelding import participants

    text = meeting("nb").replace('administration = [{ name = "Trond Aas", role = "rådmann" }]',
                                 'administration = [{ role = "rådmannen" }]\n'
                                 'secretary = [{ role = "Politisk sekretariat" }]')  # fmt: skip
    path = write_meeting(text, body=body("nb").replace('"table"', '"list"'))
    assert [p for p in problems(path) if ": error:" in p] == []
    rendered = text_of(path)
    assert "Fra administrasjonen: rådmannen" in rendered, rendered[:800]
    assert "Referent: Politisk sekretariat" in rendered
    assert all(name for name, _, _ in participants(load_meeting(path)))
    nobody = text.replace('{ role = "rådmannen" }', '{ party = "Ap" }')
    from referatbygg.errors import MeetingFileError

    with pytest.raises(MeetingFileError, match="a participant needs a name, or a role"):
        load_meeting(write_meeting(nobody, body=body("nb")))


def test_new_warnings(write_meeting: WriteMeeting) -> None:
    """The chair listed among those present too; arrived_at beside items saying the same."""
    both = meeting("nb").replace('{ name = "Per Dahl", party = "H" }',
                                 '{ name = "Anne Berg", party = "Ap" },\n  '
                                 '{ name = "Per Dahl", party = "H", items = [61], '
                                 'arrived_at = 61 }')  # fmt: skip
    found = problems(write_meeting(both, body=body("nb")))
    assert any("m.toml:" in p and "Anne Berg is the chair and listed among those present" in p
               for p in found), found  # fmt: skip
    assert any("Per Dahl: items names the items they took part in" in p for p in found), found


@pytest.mark.parametrize("language", ["nb", "nn"])
@pytest.mark.parametrize("style", ["referat", "kommunestyre", "skjema", "formannskap"])
def test_each_shipped_style_starts_a_body_that_checks_and_renders(
    tmp_path: Path, style: str, language: str
) -> None:
    """`new FOLDER --style …`: the style's keys in organ.toml; the first meeting passes check
    (only the placeholder name is warned about) and renders."""
    from referatbygg import cli
    from referatbygg.meeting.styles import STYLES

    folder = tmp_path / "utval"
    assert cli.main(["new", str(folder), "--style", style, "--language", language,
                     "--name", "Utvalet", "--organisation", "Test kommune"]) == 0  # fmt: skip
    body_text = (folder / "organ.toml").read_text(encoding="utf-8")
    for line in STYLES[style][1].splitlines():
        if line and not line.startswith("#") and "{protocol}" not in line:
            assert line in body_text, line
    assert cli.main(["new", str(folder / "2026-01-10.toml")]) == 0
    found = problems(folder / "2026-01-10.toml")
    assert len(found) == 1 and "Fyll inn navn" in found[0], found
    assert "Godkjenning" in text_of(folder / "2026-01-10.toml")


def test_template_new_and_names_outside_the_data_model(tmp_path: Path) -> None:
    """`template new` writes a template to start from and the data model beside it; `template
    check` warns about a name the data model does not have (it would print nothing)."""
    from docx import Document

    from referatbygg import cli

    assert cli.main(["template", "new", str(tmp_path)]) == 0
    made = tmp_path / "templates/referat.docx"
    assert "## Top-level names" in (tmp_path / "templates/DATAMODEL.md").read_text("utf-8")
    assert cli.main(["template", "new", str(tmp_path)]) != 0  # never overwrites
    doc = Document(str(made))
    doc.add_paragraph("{{ meeting_title }} {{ title }}")
    doc.save(str(made))
    out = subprocess.run([sys.executable, "-m", "referatbygg", "template", "check", str(made)],
                         capture_output=True, text=True, check=False)  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "it uses meeting_title, which a build does not give" in out.stdout, out.stdout


def test_readme_documents_the_house_style_keys() -> None:
    """A new secretary writes the new examples from the README: every key is explained there."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for key in ("front =", "agenda_table", "case_page", "attendance_groups", "[[series]]",
                "treated_after", "added = true", "class_code", "decided_by", "object =",
                'declared = "self"', "arrived =", "--style", "template new", "[phrases]",
                "attendance_by",
                '"roster"', '"status"', "meetings/oppvekstutvalet/",
                "meetings/formannskapet/"):  # fmt: skip
        assert key in readme, key


@pytest.mark.parametrize(("language", "form", "said"), [
    ("nb", "list", ["Møteleder: Anne Berg", "Til stede fra Oslo kommune: Per Dahl (H), "
                    "Ola Lie (Sp, gikk etter PS 62/15)",
                    "Til stede fra Oslo politidistrikt: Kari Nordmann (H, møtte fra PS 62/15)",
                    "Forfall: Eva Sand"]),
    ("nn", "roster", ["Til stades frå Oslo kommune", "Per Dahl (H)", "Ola Lie (Sp, gjekk etter "
                      "PS 62/15)", "Til stades frå Oslo politidistrikt",
                      "Kari Nordmann (H, møtte frå PS 62/15)", "Møtte for"]),
])  # fmt: skip
def test_those_present_by_organisation(
    write_meeting: WriteMeeting, language: str, form: str, said: list[str]
) -> None:
    """attendance_by = "organisation": those present under their organisations, as police
    councils list them; the organisation is not repeated beside each name."""
    text = meeting(language)
    for name, org in (("Per Dahl", "Oslo kommune"), ("Kari Nordmann", "Oslo politidistrikt"),
                      ("Ola Lie", "Oslo kommune")):  # fmt: skip
        text = text.replace(
            f'{{ name = "{name}", ', f'{{ name = "{name}", organisation = "{org}", '
        )
    style = body(language, 'attendance_by = "organisation"\n').replace('"table"', f'"{form}"')
    rendered = text_of(write_meeting(text, body=style))
    in_order(rendered, said)
    assert "Oslo politidistrikt)" not in rendered and "Oslo kommune)" not in rendered


def test_the_notice_lists_what_was_on_the_agenda(write_meeting: WriteMeeting) -> None:
    """The notice went out before the meeting: a tilleggssak is not on it; with agenda_table
    its saksliste is the table, a closed case by its public title."""
    from textcompare import docx_text

    from referatbygg.document.render import render_docx

    text = meeting("nb", ("numbers = [64]\n", "numbers = [64]\nadded = true\n"))
    path = write_meeting(text, body=body("nb", FORM))
    docx = path.parent / "innkalling.docx"
    docx.write_bytes(render_docx(load_meeting(path), kind="innkalling"))
    notice = docx_text(docx)
    in_order(notice, ["Saksliste", "Saksnr.", "Sakstittel", "PS 61/15", "Skolebruksplan",
                      "15/321", "PS 63/15", "Tilsettingssak", "Lukket"])  # fmt: skip
    assert "PS 64/15" not in notice and "Tilsetting av rådmann" not in notice
    assert "PS 64/15" in text_of(path)  # the minutes have it


def test_the_next_meeting_continues_the_main_series(tmp_path: Path) -> None:
    """`new --from` a meeting with RS, DS and orienteringer: the opening items continue PS."""
    import shutil

    from referatbygg import cli

    shutil.copytree(ROOT / "meetings/formannskapet", tmp_path / "fs")
    assert cli.main(["new", str(tmp_path / "fs/2026-04-09.toml"), "--from",
                     str(tmp_path / "fs/2026-03-05.toml")]) == 0  # fmt: skip
    made = load_meeting(tmp_path / "fs/2026-04-09.toml")
    assert [i.numbers for i in made.data.items] == [(18,), (19,)]
    assert all(i.series is None for i in made.data.items)
    assert problems(tmp_path / "fs/2026-04-09.toml") == []


def test_a_reference_may_use_the_main_series_prefix(write_meeting: WriteMeeting) -> None:
    """ "PS 61" names PS 61/15 as 61 does: the secretary writes the numbers as the body does."""
    path = write_meeting(meeting("nb", ("numbers = [63]\n", 'numbers = [63]\ntreated_after = '
                                        '"PS 61"\n')), body=body("nb"))  # fmt: skip
    assert load_meeting(path).treatment_order() == [0, 2, 1, 3]
    assert not [p for p in problems(path) if ": error:" in p]
    assert "Behandlet etter PS 61/15." in text_of(path)
