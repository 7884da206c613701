"""`check`: cross-reference and text problems, with file and line."""

from __future__ import annotations

from pathlib import Path

from conftest import MEETING, SEED, WriteMeeting
from pdfmaker import plain_pdf

from referatbygg.meeting.check import check
from referatbygg.meeting.load import load_meeting


def problems(path: Path) -> list[str]:
    return [str(p) for p in check(load_meeting(path))]


def test_seed_meeting_is_clean() -> None:
    assert problems(SEED) == []


def test_abbreviation_missing_from_table_is_a_warning(write_meeting: WriteMeeting) -> None:
    path = write_meeting(MEETING.replace("Andre punkt.", "Andre punkt om UDI og OPD."))
    (found,) = problems(path)
    assert found.startswith(f"{path}:13: warning: 'UDI' looks like an abbreviation")


def test_known_terms_are_not_reported(write_meeting: WriteMeeting) -> None:
    from conftest import BODY

    body = BODY.format(language="nb").replace(
        'language = "nb"', 'language = "nb"\nknown_terms = ["UDI"]'
    )
    path = write_meeting(MEETING.replace("Andre punkt.", "Andre punkt om UDI."), body=body)
    assert problems(path) == []


def test_missing_attachment_file(write_meeting: WriteMeeting) -> None:
    text = (
        MEETING
        + '\n[[attachments]]\nitem = 2\ntitle = "Budsjettforslag"\nfile = "vedlegg/mangler.pdf"\n'
    )
    (found,) = problems(write_meeting(text))
    assert (
        "m.toml:23: error: attachment 'Budsjettforslag' (agenda item 2, vedlegg/mangler.pdf): "
        "file not found" in found
    )


def test_attachment_for_unknown_item(write_meeting: WriteMeeting, tmp_path: Path) -> None:
    plain_pdf(tmp_path / "a.pdf")
    text = MEETING + '\n[[attachments]]\nitem = 9\ntitle = "Notat"\nfile = "a.pdf"\n'
    (found,) = problems(write_meeting(text))
    assert (
        "m.toml:21: error: attachment 'Notat' (agenda item 9): there is no agenda item 9" in found
    )


def test_duplicate_agenda_number(write_meeting: WriteMeeting) -> None:
    (found,) = problems(write_meeting(MEETING.replace("numbers = [2]", "numbers = [1]")))
    assert found.endswith("m.toml:11: error: agenda number 1 is used twice")


def test_out_of_order_agenda_number(write_meeting: WriteMeeting) -> None:
    text = MEETING.replace("numbers = [1]", "numbers = [3]").replace(
        "numbers = [2]", "numbers = [1, 2]"
    )
    found = problems(write_meeting(text))
    assert any("m.toml:11: error: agenda number 1 comes after 3" in p for p in found)


def test_gap_in_agenda_numbers_is_a_warning(write_meeting: WriteMeeting) -> None:
    (found,) = problems(write_meeting(MEETING.replace("numbers = [2]", "numbers = [4]")))
    assert "m.toml:11: warning: agenda numbers jump from 1 to 4" in found


def test_unknown_signatory_role(write_meeting: WriteMeeting) -> None:
    text = MEETING.replace(
        'place = "Rådhuset, møterom 1"\n', 'place = "R"\n\n[signatory_names]\nordforer = "Ola"\n'
    )
    (found,) = problems(write_meeting(text))
    assert "m.toml:7: error: signatory role 'ordforer' is not defined by the body" in found
    assert "organ.toml:" in found and "known roles: leder, nestleder" in found
