"""Batch runs: one bad meeting never stops the others; concurrent batches do not collide."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import SEED

from referatbygg import batch
from referatbygg.archive.check import check_package
from referatbygg.config import load_config
from referatbygg.pdf import pdfa
from referatbygg.signing import pades
from referatbygg.signing.trust import trust


def meetings(folder: Path, dates: list[str], broken: bool = True) -> Path:
    """Copies of the seed meeting on other dates (and one broken meeting) in ``folder``."""
    shutil.copytree(SEED.parent, folder / "politiradet")
    (folder / "politiradet" / SEED.name).unlink()
    for date in dates:
        text = SEED.read_text(encoding="utf-8").replace("date = 2023-01-13", f"date = {date}")
        (folder / "politiradet" / f"{date}.toml").write_text(text, encoding="utf-8")
    if broken:
        (folder / "politiradet" / "2023-09-29.toml").write_text(
            'date = 2023-09-29\n[[items]]\nnumbers = [1]\ntitel = "Feil nøkkel"\n', encoding="utf-8"
        )
    return folder


def batch_cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "referatbygg", "batch", *map(str, args), "--json"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def test_find_meetings_skips_body_and_config(tmp_path: Path) -> None:
    folder = meetings(tmp_path, ["2023-04-21"])
    (folder / "referatbygg.toml").write_text("[signing]\n")
    found = [p.name for p in batch.find_meetings([folder])]
    # The broken meeting is kept, to fail; agreements are built and signed like minutes.
    assert found == ["2023-04-21.toml", "2023-09-29.toml", "politiradsavtale-2023-2025.toml"]


def test_broken_meeting_does_not_stop_the_others(tmp_path: Path) -> None:
    folder = meetings(tmp_path / "in", ["2023-04-21", "2023-06-02"])
    res = batch_cli(folder, "--out", tmp_path / "out", "--jobs", "2")
    assert res.returncode == 9, res.stderr
    data = json.loads(res.stdout)
    by_name = {Path(m["file"]).name: m for m in data["meetings"]}
    assert by_name["2023-09-29.toml"]["ok"] is False
    assert (
        "2023-09-29.toml:4: items[0].titel: unknown key 'titel'"
        in (by_name["2023-09-29.toml"]["message"])
    )
    for name in ("2023-04-21.toml", "2023-06-02.toml"):
        assert by_name[name]["ok"] is True
        assert Path(by_name[name]["package"]).is_file()
    assert "1 failed" in data["summary"]


def test_two_batches_at_once_do_not_corrupt_outputs(tmp_path: Path) -> None:
    folder = meetings(tmp_path / "in", ["2023-04-21", "2023-06-02"], broken=False)
    out = tmp_path / "out"
    args = [sys.executable, "-m", "referatbygg", "batch", str(folder), "--out", str(out),
            "--jobs", "1", "--json"]  # fmt: skip
    first = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    second = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for p in (first, second):
        stdout, stderr = p.communicate(timeout=600)
        assert p.returncode == 0, stderr
        assert json.loads(stdout)["ok"] is True
    roots = trust(load_config(None)).roots
    for date in ("2023-04-21", "2023-06-02"):
        meeting_dir = out / f"politiradet-{date}"
        pdf = meeting_dir / "referat.pdf"
        assert pdfa.validate(pdf).valid
        assert len(pades.signing_state(pdf)) == 2
        assert all(f.signed for f in pades.signing_state(pdf))
        report = check_package(meeting_dir / "pakke" / f"politiradet-{date}.zip", roots)
        assert report.ok, report.problems
