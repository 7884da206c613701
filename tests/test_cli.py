"""The command line as a user runs it: exit codes, messages, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import MEETING, ROOT, SEED, WriteMeeting


def run(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "referatbygg", *map(str, args)],
        capture_output=True, text=True, cwd=cwd, timeout=120,
    )  # fmt: skip


def test_help_describes_commands() -> None:
    res = run("--help")
    assert res.returncode == 0
    assert "check" in res.stdout and "build" in res.stdout and "Exit codes" in res.stdout
    for cmd in ("check", "build"):
        sub = run(cmd, "--help")
        assert sub.returncode == 0 and "--json" in sub.stdout


def test_check_seed_exit_0() -> None:
    res = run("check", SEED)
    assert res.returncode == 0, res.stderr
    assert "0 error(s)" in res.stdout


def test_check_errors_exit_3_and_json(write_meeting: WriteMeeting) -> None:
    path = write_meeting(MEETING.replace("numbers = [2]", "numbers = [1]"))
    res = run("check", path, "--json")
    assert res.returncode == 3
    data = json.loads(res.stdout)
    assert data["ok"] is False
    assert data["problems"][0]["message"] == "agenda number 1 is used twice"
    assert data["problems"][0]["where"].endswith("m.toml:11")


def test_bad_meeting_file_exit_3_without_traceback(write_meeting: WriteMeeting) -> None:
    """A meeting file's own errors are check's findings (exit 3, as the README says), listed
    like the others; build refuses with the same code. Exit 2 is for files it cannot read."""
    path = write_meeting(MEETING.replace("date = 2024-03-01", "dato = 2024-03-01"))
    res = run("check", path)
    assert res.returncode == 3
    assert "m.toml:1: error: dato: unknown key 'dato' (did you mean 'date'?)" in res.stdout
    assert res.stdout.strip().splitlines()[-1].endswith("1 error(s), 0 warning(s)")
    assert "Traceback" not in res.stderr
    built = run("build", path, "--out", path.parent / "out")
    assert built.returncode == 3 and "unknown key 'dato'" in built.stderr


def test_missing_file_exit_2() -> None:
    res = run("build", "finnes/ikke.toml")
    assert res.returncode == 2
    assert res.stderr.strip().splitlines()[-1] == "error: finnes/ikke.toml: file not found"


def test_usage_error_exit_2() -> None:
    assert run("bygg").returncode == 2


def test_build_writes_docx_and_json(tmp_path: Path) -> None:
    res = run("build", SEED, "--out", tmp_path, "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert Path(data["docx"]) == tmp_path / "politiradet-2023-01-13" / "referat.docx"
    assert Path(data["docx"]).is_file()


def test_build_refuses_meeting_with_errors_and_writes_nothing(
    write_meeting: WriteMeeting, tmp_path: Path
) -> None:
    text = MEETING + '\n[[attachments]]\nitem = 2\ntitle = "X"\nfile = "mangler.pdf"\n'
    res = run("build", write_meeting(text), "--out", tmp_path / "out")
    assert res.returncode == 3
    assert "(agenda item 2, mangler.pdf): file not found" in res.stderr
    assert not (tmp_path / "out").exists()
