"""The loader: every error names file and line, in plain language."""

from __future__ import annotations

import pytest
from conftest import MEETING, SEED, WriteMeeting

from referatbygg.errors import InputError
from referatbygg.meeting.load import load_meeting
from referatbygg.meeting.model import Bullet, BulletList, MarkupError, Paragraph, parse_text


def error_of(path) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as exc:
        load_meeting(path)
    return str(exc.value)


def test_seed_meeting_loads() -> None:
    m = load_meeting(SEED)
    assert m.id == "politiradet-2023-01-13"
    assert [i.numbers for i in m.data.items][6] == (7, 8)
    assert m.body.signatories[0].role == "byradsleder"
    assert len(m.data.attachments) == 3
    assert m.data.next_meetings[3].note == "lunsj til lunsj"


def test_unknown_key_names_line_and_suggests(write_meeting: WriteMeeting) -> None:
    path = write_meeting(MEETING.replace('title = "Budsjett"', 'titel = "Budsjett"'))
    msg = error_of(path)
    assert f"{path.name}:12: items[1].titel: unknown key 'titel' (did you mean 'title'?)" in msg
    assert "(agenda item 2)" in msg


def test_missing_required_key(write_meeting: WriteMeeting) -> None:
    path = write_meeting(MEETING.replace("date = 2024-03-01\n", ""))
    assert "m.toml: date: required key 'date' is missing" in error_of(path)


def test_text_date_is_rejected_with_example(write_meeting: WriteMeeting) -> None:
    path = write_meeting(MEETING.replace("date = 2024-03-01", 'date = "01.03.2024"'))
    assert "m.toml:1: date: expected a date like 2023-01-13 (no quotes), got '01.03.2024'" in (
        error_of(path)
    )


def test_impossible_date_is_a_toml_error_with_line_and_column(write_meeting: WriteMeeting) -> None:
    path = write_meeting(MEETING.replace("2024-03-01", "2024-02-30"))
    msg = error_of(path)
    assert "m.toml:1:" in msg and "not valid TOML" in msg


def test_toml_syntax_error(write_meeting: WriteMeeting) -> None:
    path = write_meeting(MEETING.replace('place = "Rådhuset, møterom 1"', "place = Rådhuset"))
    msg = error_of(path)
    assert "m.toml:4:9: not valid TOML" in msg


def test_bad_time(write_meeting: WriteMeeting) -> None:
    path = write_meeting(MEETING.replace('start = "09:00"', 'start = "ni"'))
    assert "m.toml:2: start: expected a time like \"13:30\", got 'ni'" in error_of(path)


def test_end_before_start(write_meeting: WriteMeeting) -> None:
    path = write_meeting(MEETING.replace('end = "11:00"', 'end = "08:00"'))
    assert "end is not after start" in error_of(path)


def test_control_character_is_refused(write_meeting: WriteMeeting) -> None:
    path = write_meeting(MEETING.replace("Innledning.", "Innled\\u000bning."))
    msg = error_of(path)
    assert "m.toml:13: items[1].text: contains the control character U+000B" in msg


def test_item_without_title_is_its_number(write_meeting: WriteMeeting) -> None:
    """Untitled items ('Sak 1' in many protocols) are allowed: the heading is the number."""
    from referatbygg.document.minutes import heading

    meeting = load_meeting(
        write_meeting(MEETING.replace('title = "Godkjenning av innkalling"', ""))
    )
    assert meeting.data.items[0].title is None
    assert heading(meeting, meeting.data.items[0], "internal") == "1."


def test_several_problems_reported_together(write_meeting: WriteMeeting) -> None:
    text = MEETING.replace('start = "09:00"', 'start = "ni"').replace(
        "numbers = [2]", "numbers = 2"
    )
    msg = error_of(write_meeting(text))
    assert "start: expected a time" in msg
    assert "m.toml:11: items[1].numbers: expected a list [...], got 2" in msg


def test_body_errors_name_the_body_file(write_meeting: WriteMeeting) -> None:
    body = (
        'id = "x"\nname = "X"\norganisation = "Y"\nlanguage = "se"\n\n'
        '[[signatories]]\nrole = "Leder"\ntitle = "L"\n'
    )
    msg = error_of(write_meeting(body=body))
    assert "organ.toml:4: language: Input should be 'nb' or 'nn'" in msg
    assert (
        "organ.toml:7: signatories[0].role: 'Leder' must start with a letter a–z and hold only "
        in msg
    )


def test_duplicate_signatory_role_in_body(write_meeting: WriteMeeting) -> None:
    body = (
        'id = "x"\nname = "X"\norganisation = "Y"\n'
        '[[signatories]]\nrole = "a"\ntitle = "A"\n[[signatories]]\nrole = "a"\ntitle = "B"\n'
    )
    assert "signatory role 'a' is listed twice" in error_of(write_meeting(body=body))


def test_missing_body_file(write_meeting: WriteMeeting) -> None:
    path = write_meeting('body = "finnes-ikke.toml"\n' + MEETING)
    assert "m.toml:1: body: 'finnes-ikke.toml': file not found" in error_of(path)


def test_not_utf8(write_meeting: WriteMeeting) -> None:
    path = write_meeting()
    path.write_bytes(MEETING.replace("Rådhuset", "R\u00e5dhuset").encode("latin-1"))
    assert "not UTF-8 text" in error_of(path)


def test_votes_and_unanimous_are_exclusive(write_meeting: WriteMeeting) -> None:
    text = (
        MEETING
        + '[items.decision]\ntext = "X"\nunanimous = true\nvotes = { for = 3, against = 1 }\n'
    )
    msg = error_of(write_meeting(text))
    assert "m.toml:19: items[1].decision: a decision is either 'unanimous' or has 'votes'" in msg


def test_parse_text_markup() -> None:
    blocks = parse_text(
        "Første avsnitt\nfortsetter.\n\n- punkt en\n  fortsetter\n- punkt to\nSlutt?"
    )
    assert blocks[0] == Paragraph(text="Første avsnitt fortsetter.")
    assert blocks[1] == BulletList(
        bullets=(Bullet(text="punkt en fortsetter"), Bullet(text="punkt to Slutt?"))
    )
    assert parse_text("-18.11 er ikke et punkt") == (Paragraph(text="-18.11 er ikke et punkt"),)


def test_exempt_markup() -> None:
    blocks = parse_text(
        "[unntatt: offl. § 13] Hemmelig avsnitt.\n\n- [unntatt: offl. § 24] Kort\n- Åpent"
    )
    assert blocks[0] == Paragraph(text="Hemmelig avsnitt.", exempt="offl. § 13")
    assert blocks[1] == BulletList(
        bullets=(Bullet(text="Kort", exempt="offl. § 24"), Bullet(text="Åpent"))
    )
    with pytest.raises(MarkupError, match="needs its legal basis") as exc:
        parse_text("Først.\n\n- åpent\n- [unntatt] uten hjemmel")
    assert exc.value.line == 3


def test_exempt_without_legal_basis_is_an_error(write_meeting: WriteMeeting) -> None:
    msg = error_of(write_meeting(MEETING.replace("- Andre punkt.", "- [unntatt:] Andre punkt.")))
    assert "m.toml:13: items[1].text: line 4 of the text: an exempt part needs its legal" in msg
    text = MEETING.replace('title = "Budsjett"', 'title = "Budsjett"\nexempt = true')
    assert "m.toml:13: items[1].exempt: an exempt part needs its legal basis, e.g." in error_of(
        write_meeting(text)
    )
