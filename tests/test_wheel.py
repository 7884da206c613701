"""Installable anywhere: the wheel, in a fresh virtual environment outside the repository (no
system site-packages, nothing of ours on the path), runs the seed meeting from a copied meetings
folder to a package the receiving archive's check accepts."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT

# What the package reads at run time from its own files.
RUNTIME_FILES = (
    "referatbygg/tools/java/VeraServer.java",
    "referatbygg/tools/canary/pass-6-1-3-t01-a.pdf",
    "referatbygg/tools/canary/fail-6-1-2-t01-a.pdf",
    "referatbygg/fonts/NotoSans-stamp.ttf",
    "referatbygg/fonts/OFL.txt",
    "referatbygg/templates/referat.docx",
    "referatbygg/schemas/fiks-arkiv-v1/no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.xsd",
    "referatbygg/py.typed",
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    # Built from a copy: setuptools leaves build/ in the folder it builds.
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "src", source / "src",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))  # fmt: skip
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
         "--disable-pip-version-check", "-w", str(dist), str(source)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    (found,) = dist.glob("referatbygg-*.whl")
    return found


def test_wheel_holds_what_runs(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [f for f in RUNTIME_FILES if f not in names]
    assert not missing, missing
    assert not [n for n in names if n.startswith(("tests/", "meetings/"))]


def test_wheel_runs_the_seed_outside_the_repository(
    wheel: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    place = tmp_path_factory.mktemp("elsewhere")
    venv = place / "venv"
    python = shutil.which("python3") or sys.executable
    subprocess.run([python, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = [str(venv / "bin/python"), "-m", "pip", "--disable-pip-version-check", "-q"]
    res = subprocess.run([*pip, "install", str(wheel)], capture_output=True, text=True,
                         timeout=1200)  # fmt: skip
    assert res.returncode == 0, res.stderr[-3000:]
    shutil.copytree(ROOT / "meetings", place / "meetings")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = os.pathsep.join(
        p for p in env.get("PATH", "").split(os.pathsep) if not p.startswith(str(ROOT))
    )
    rb = str(venv / "bin/referatbygg")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([rb, *args], cwd=place, env=env, capture_output=True, text=True,
                              timeout=900)  # fmt: skip

    doctor = run("doctor")
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    # The venv has no system site-packages, yet the warm converter finds a Python with uno.
    assert "ok      python3-uno" in doctor.stdout, doctor.stdout
    seed = "meetings/politiradet/2023-01-13.toml"
    done = run("run", seed)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "internal error" not in done.stderr
    package = place / "out/politiradet-2023-01-13/pakke/politiradet-2023-01-13.zip"
    checked = run("check-package", str(package))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "NOT OK" not in checked.stdout
