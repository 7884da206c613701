"""`check`: cross-reference and text problems, with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
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


# --- nothing invented: what real minutes may lack is warned about, not demanded -----------------

UNSTATED = (
    MEETING
    + """
[participants]
present = [{ name = "Kari Nordmann" }, { name = "Per Hansen" }]
absent = [{ name = "Ola Berg" }]
substitutes = [{ name = "Liv Sande" }, { name = "Tor Dahl", for = "Nina Lie" }]

[[items]]
numbers = [3]
title = "Søknad om løyve"
conflicts = [{ name = "Per Hansen" }]

[[items.proposals]]
text = "Søknaden vert innvilga."
unanimous = true
"""
)


def test_what_the_minutes_did_not_record_is_warned_at_its_line(
    write_meeting: WriteMeeting,
) -> None:
    """A substitute's `for`, a disqualification's legal basis and a proposal's proposer may be
    left out — real minutes lack them, and a secretary must not invent them — and check says
    once, at the line, what minutes normally give."""
    path = write_meeting(UNSTATED)
    found = problems(path)
    assert [p for p in found if ": error:" in p] == []
    assert f"{path}:23: warning: Liv Sande: whom they met for is not given" in "\n".join(found)
    assert any(p.startswith(f"{path}:23: warning: Tor Dahl met for Nina Lie, who is not listed "
                            "as absent (forfall)") for p in found), found  # fmt: skip
    assert any(p.startswith(f"{path}:28: warning: Per Hansen: the legal basis of the "
                            "disqualification is not given") for p in found), found  # fmt: skip
    assert len(found) == 3, found


def test_a_minutes_without_what_it_did_not_record_renders(write_meeting: WriteMeeting) -> None:
    """Rendered without the missing parts — no 'for None', no 'jf. None', no 'fra None'."""
    from referatbygg.document import attendance, lang, minutes
    from referatbygg.meeting.phrases import LABELS

    meeting = load_meeting(write_meeting(UNSTATED))
    lines = " ".join(x["text"] for x in attendance.lines(meeting, meeting.data))
    assert "Liv Sande," in lines and "Tor Dahl for Nina Lie" in lines and "None" not in lines
    item = meeting.data.items[2]
    assert minutes._item_notes(meeting, item, LABELS["nb"]) == [
        "Per Hansen ble erklært inhabil, og fratrådte under behandlingen av saken."]  # fmt: skip
    assert lang.proposal_label(item.proposals[0]) == "Forslag:"
    nn = minutes._item_notes(meeting, item, LABELS["nn"])
    assert nn[0].startswith("Per Hansen vart erklært ugild") and "None" not in nn[0]


def test_capitals_in_a_title_are_not_abbreviations(write_meeting: WriteMeeting) -> None:
    """Protocols write case titles in capitals: SØKNAD, TROMSØ, PÅ are words. An abbreviation
    in ordinary text is still found."""
    text = MEETING.replace('title = "Budsjett"',
                           'title = "SØKNAD OM SKJENKEBEVILLING – TROMSØ PÅ LANDET"')  # fmt: skip
    assert problems(write_meeting(text)) == []
    text = text.replace("Andre punkt.", "Andre punkt om UDI.")
    (found,) = problems(write_meeting(text))
    assert "'UDI' looks like an abbreviation" in found


def test_how_minutes_write_the_acts_is_understood() -> None:
    from referatbygg.meeting import legal

    for basis in (
        "Off.l. §18",
        "offl. § 13 jf. fvl. § 13 første ledd nr. 1",
        "Offentleglova § 18",
        "forvaltningsloven § 13",
        "forvl. § 6 første ledd",
    ):
        assert legal.basis_problem(basis) is None, basis
    assert "does not say which ledd and bokstav" in str(
        legal.basis_problem("kml. § 11-5", legal.CLOSED)
    )
    assert legal.basis_problem("kml. § 11-5 andre ledd bokstav a", legal.CLOSED) is None
    assert legal.basis_problem("kl. § 11-5 (2) a", legal.CLOSED) is None
    assert "cites no statute" in str(legal.basis_problem("fordi vi vil"))  # still a check


def test_present_and_absent_and_a_closed_case_without_decision(write_meeting: WriteMeeting) -> None:
    text = (
        MEETING
        + """
[participants]
present = [{ name = "Kari Nordmann" }]
absent = [{ name = "Kari Nordmann" }]

[[items]]
numbers = [3]
title = "Personalsak"
closed = { basis = "kml. § 11-5 andre ledd bokstav a", public_title = "Personalsak" }
"""
    )
    path = write_meeting(text)
    found = problems(path)
    assert f"{path}:22: warning: Kari Nordmann is listed both as present and as absent" in found
    assert any(p.startswith(f"{path}:27: warning: agenda item 3 was treated behind closed doors "
                            "but records no decision") for p in found), found  # fmt: skip
    assert len(found) == 2, found


def test_a_meeting_signatory_without_a_name_is_a_warning(write_meeting: WriteMeeting) -> None:
    """Minutes signed by 'two members elected at the meeting' may not name them; demanding a
    name made secretaries write 'NN'. Warned, with what it costs."""
    from conftest import BODY

    body = BODY.format(language="nb").split("[[signatories]]")[0]
    body = body.replace("[abbreviations]", 'signatures = "meeting"\n\n[abbreviations]', 1)
    text = MEETING.replace('place = "Rådhuset, møterom 1"\n', 'place = "R"\n\n[[signatories]]\n'
                           'role = "medlem_1"\ntitle = "Valgt medlem"\n')  # fmt: skip
    path = write_meeting(text, body=body)
    (found,) = problems(path)
    said = f"{path}:6: warning: signatory 'medlem_1' has no name: who signs is then not checked"
    assert said in found, found


def test_a_title_of_white_space_alone_is_an_error(write_meeting: WriteMeeting) -> None:
    """A title of spaces or tabs would print a blank heading ('2.'), a bookmark and a signature
    field named by nothing: refused at its line, as check and build both read the file."""
    from referatbygg.errors import MeetingFileError

    path = write_meeting(MEETING.replace('title = "Budsjett"', 'title = " \\t "'))
    with pytest.raises(MeetingFileError) as err:
        load_meeting(path)
    assert f"{path}:12: items[1].title: is only white space" in err.value.message
    path = write_meeting(MEETING)
    body = path.parent / "organ.toml"
    body.write_text(body.read_text(encoding="utf-8").replace('title = "Leder"', 'title = "  "'),
                    encoding="utf-8")  # fmt: skip
    with pytest.raises(MeetingFileError) as err:
        load_meeting(path)
    assert "signatories[0].title: is only white space" in err.value.message


def test_bytes_before_the_pdf_header_are_said_by_check(
    write_meeting: WriteMeeting, tmp_path: Path
) -> None:
    """Readers that search for '%PDF-' open such a file; Ghostscript, which makes the PDF/A,
    does not — check names it, so the build never fails on what check accepted."""
    pdf = plain_pdf(tmp_path / "a.pdf")
    pdf.write_bytes(b"X" * 600 + pdf.read_bytes())
    text = MEETING + '\n[[attachments]]\nitem = 2\ntitle = "Notat"\nfile = "a.pdf"\n'
    (found,) = problems(write_meeting(text))
    assert "600 bytes that are not PDF come before its '%PDF-' header" in found


def test_a_draft_mark_is_a_warning(write_meeting: WriteMeeting) -> None:
    marked = MEETING.replace("date = 2024-03-01", "date = 2024-03-01\ndraft = true")
    (found,) = problems(write_meeting(marked))
    assert "m.toml:2: warning: the meeting is marked as a draft" in found


def test_check_says_problems_in_its_own_words_only(
    write_meeting: WriteMeeting, tmp_path: Path
) -> None:
    """A PDF whose startxref points nowhere opens (pypdf repairs it, Ghostscript too); check
    prints no library's raw 'WARNING pypdf._reader' lines about it."""
    import re
    import subprocess
    import sys

    pdf = plain_pdf(tmp_path / "a.pdf")
    data = pdf.read_bytes()
    at = data.rfind(b"startxref")
    pdf.write_bytes(data[:at] + re.sub(rb"startxref\s+\d+", b"startxref\n12345", data[at:]))
    text = MEETING + '\n[[attachments]]\nitem = 2\ntitle = "Notat"\nfile = "a.pdf"\n'
    # Its own process: the streams and logging exactly as a user's terminal gets them.
    res = subprocess.run([sys.executable, "-m", "referatbygg", "check", str(write_meeting(text))],
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    said = res.stdout + res.stderr
    assert res.returncode == 0, said
    assert "WARNING" not in said and "pypdf" not in said, said


def test_an_unclosed_string_is_named_where_it_opens(write_meeting: WriteMeeting) -> None:
    """TOML's parser says 'Unterminated string (at end of document)'; check says where the
    string that never closes began — the line a person must look at, not the file's end."""
    from test_examples import main

    text = MEETING.replace('- Andre punkt.\n"""', "- Andre punkt.\n")
    code, said = main("check", write_meeting(text + '\n[[items]]\nnumbers = [3]\ntitle = "x"\n'))
    assert code == 3, said
    assert (
        'm.toml:13:8: error: not valid TOML: Unterminated string: the multi-line ("""…""") '
        "string opened here is never closed" in said
    ), said


def test_an_abbreviation_s_expansion_is_bounded(write_meeting: WriteMeeting) -> None:
    """A 1 MB expansion made the conversion time out after 120 s while check said OK."""
    from referatbygg.errors import MeetingFileError

    text = MEETING.replace("[[items]]", f'[abbreviations]\nXYZ = "{"a" * 300}"\n\n[[items]]', 1)
    with pytest.raises(MeetingFileError) as err:
        load_meeting(write_meeting(text))
    assert "m.toml:7: abbreviations.XYZ: is 300 characters long; at most 200" in err.value.message
