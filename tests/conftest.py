from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "meetings/politiradet/2023-01-13.toml"
sys.path.insert(0, str(Path(__file__).parent))  # textcompare and other test helpers

BODY = """\
id = "testorgan"
name = "Testutvalget"
organisation = "Test kommune"
language = "{language}"

[abbreviations]
OPD = "Oslo politidistrikt"

[[signatories]]
role = "leder"
title = "Leder"
name = "Kari Nordmann"

[[signatories]]
role = "nestleder"
title = "Nestleder"
"""

MEETING = """\
date = 2024-03-01
start = "09:00"
end = "11:00"
place = "Rådhuset, møterom 1"

[[items]]
numbers = [1]
title = "Godkjenning av innkalling"

[[items]]
numbers = [2]
title = "Budsjett"
text = \"\"\"
Innledning.

- Første punkt om OPD.
- Andre punkt.
\"\"\"
"""

WriteMeeting = Callable[..., Path]


@pytest.fixture
def busy_cores():  # type: ignore[no-untyped-def]
    """Every core kept busy by four spinning processes each while the test runs (load 8 on
    two cores): as on a machine doing other work, where timing assumptions break."""
    import os
    import subprocess

    spin = [sys.executable, "-c", "while True: pass"]
    spinners = [subprocess.Popen(spin) for _ in range(4 * (os.cpu_count() or 1))]
    try:
        yield len(spinners)
    finally:
        for p in spinners:
            p.kill()
            p.wait()


@pytest.fixture
def write_meeting(tmp_path: Path) -> WriteMeeting:
    """Write a body and a meeting file into tmp_path; returns the meeting file's path."""

    def write(
        meeting: str = MEETING, body: str | None = None, language: str = "nb", name: str = "m.toml"
    ) -> Path:
        (tmp_path / "organ.toml").write_text(
            textwrap.dedent(body) if body is not None else BODY.format(language=language),
            encoding="utf-8",
        )
        path = tmp_path / name
        path.write_text(textwrap.dedent(meeting), encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session", autouse=True)
def demo_pki_in_tmp(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never touch the user's demo PKI or runtime folder (the service's socket, the
    revocation data shared between commands); subprocesses inherit the variables."""
    import os

    os.environ["REFERATBYGG_DEMO_PKI"] = str(tmp_path_factory.mktemp("demo") / "demo-pki")
    runtime = tmp_path_factory.mktemp("runtime")
    runtime.chmod(0o700)
    os.environ["REFERATBYGG_RUNTIME_DIR"] = str(runtime)
    # Tests choose explicitly: everything in-process unless a test starts its own service
    # (tests/test_service.py, with a runtime folder of its own).
    os.environ["REFERATBYGG_SERVICE"] = "off"


def copy_built(pdf: Path, target: Path) -> Path:
    """Copy a built PDF with its build report (signing trusts a PDF only through its report)."""
    import shutil

    from referatbygg.build.report import report_path

    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(pdf, target)
    shutil.copy(report_path(pdf.parent, pdf.stem), report_path(target.parent, target.stem))
    return target


def vouch(pdf: Path) -> Path:
    """Write a passing build report for ``pdf`` as it is: for tests that sign a file they made or
    changed themselves (an attacker's prepared copy, say), as if referatbygg had built it."""
    import json

    from referatbygg.build.report import fingerprint, report_path

    report = {"validation": {"valid": True}, "pdf_built": fingerprint(pdf)}
    report_path(pdf.parent, pdf.stem).write_text(json.dumps(report), encoding="utf-8")
    return pdf


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A certomancer PKI with its TSA, OCSP and CRL on 127.0.0.1, and a SoftHSM2 token holding
    politimester's key; the secrets in the environment variables referatbygg.toml names."""
    import os

    from pki import P12_PASS, PIN, make_pki, make_token

    folder = tmp_path_factory.mktemp("pki")
    pki = make_pki(folder)
    env = {**make_token(pki, folder), "RB_TEST_P12": P12_PASS, "RB_TEST_PIN": PIN}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    pki.start()
    yield pki
    pki.stop()
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def demo_roots() -> list[object]:
    """The demo PKI's roots, read when used: its folder is set by a session fixture after
    import."""
    from referatbygg.config import load_config
    from referatbygg.signing.trust import trust

    return list(trust(load_config(None)).roots)


@pytest.fixture(scope="session")
def package(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The seed run once for the session — built, signed by both, timestamped, archived — with
    the demo PKI. Tests copy what they change."""
    from referatbygg.config import load_config
    from referatbygg.pipeline import run

    result = run(SEED, tmp_path_factory.mktemp("run"), load_config(None))
    assert result.package is not None
    assert result.did == ["build", "sign byradsleder", "sign politimester", "timestamp", "archive"]
    return result.package


@pytest.fixture(scope="session")
def built_seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed minutes built once for the session (PDF/A, signature fields, build report).
    Tests copy it (copy_built, or its whole output folder); none changes it."""
    from referatbygg.pipeline import build

    result = build(SEED, tmp_path_factory.mktemp("seed-build"))
    assert result.pdf is not None
    return result.pdf
