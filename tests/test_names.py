"""Names that deceive: a meeting file's name becomes the meeting's id, its output folder, the
package's file names and the archive's keys. A control character (a newline, U+0001) or an
invisible format character (the right-to-left override that shows '…‮fdp.exe' as '…exe.pdf')
is refused with its code point named; the same name in two Unicode forms is one meeting."""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

import pytest
from conftest import SEED
from test_examples import main

from referatbygg.errors import ExitCode
from referatbygg.meeting.load import load_meeting


@pytest.mark.parametrize(
    ("name", "said"),
    [("2023-01-13\x01.toml", "U+0001"), ("2023-01-13\nny.toml", "U+000A"),
     ("2023-01-13\u202efdp.exe.toml", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
     ("2023-01-13\u200b.toml", "U+200B (ZERO WIDTH SPACE)")],
)  # fmt: skip
def test_a_deceiving_name_is_refused_by_check_and_build(tmp_path: Path, name: str,
                                                         said: str) -> None:  # fmt: skip
    folder = tmp_path / "politiradet"
    shutil.copytree(SEED.parent, folder)
    meeting = folder / name
    shutil.copy(SEED, meeting)
    for command in (("check",), ("build", "--out", tmp_path / "out", "--no-service")):
        code, text = main(*command, meeting)
        assert code == ExitCode.check_failed, text
        assert said in text and "rename the file" in text, text
        assert "\n" not in text.split("error:")[0].strip()  # the name shown escaped, one line
    assert not (tmp_path / "out").exists()  # nothing written


def test_the_same_name_in_two_unicode_forms_is_one_meeting(tmp_path: Path) -> None:
    folder = tmp_path / "politiradet"
    shutil.copytree(SEED.parent, folder)
    composed, decomposed = (
        unicodedata.normalize(f, "2023-01-13-årsmøte.toml") for f in ("NFC", "NFD")
    )
    assert composed != decomposed
    shutil.copy(SEED, folder / decomposed)
    meeting = load_meeting(folder / decomposed)
    assert meeting.id == unicodedata.normalize("NFC", "politiradet-2023-01-13-årsmøte")
