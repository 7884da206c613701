"""Signatures made elsewhere: pyHanko's own command line signs as another PAdES tool would (as
Acrobat does: no signature timestamp), with the certomancer PKI's certificates. What is taken in
finishes as a package the archive accepts; everything else is refused at intake, naming the role
and the reason, with the working file unchanged."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import attacks
import pikepdf
import pytest
from conftest import SEED
from pki import P12_PASS, CertPki

from referatbygg.archive.check import check_package
from referatbygg.cli import main as cli_main
from referatbygg.config import Config, load_config
from referatbygg.errors import SigningError
from referatbygg.pipeline import run, status
from referatbygg.signing import intake, pades
from referatbygg.signing.trust import trust
from referatbygg.verify import verify

PYHANKO = Path(sys.executable).parent / "pyhanko"
FONT = "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"


@pytest.fixture(scope="session")
def built(built_seed: Path) -> Path:
    return built_seed


@pytest.fixture
def meeting(built: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A fresh copy of the built seed in its output folder: (working PDF, out root)."""
    out = tmp_path / "out"
    shutil.copytree(built.parent, out / built.parent.name)
    return out / built.parent.name / built.name, out


@pytest.fixture
def config(pki: CertPki, tmp_path: Path) -> Config:
    return load_config(pki.config(tmp_path))


def sign_elsewhere(
    pki: CertPki, src: Path, dst: Path, field: str, holder: str, *, pdfa_stamp: bool = True
) -> Path:
    """pyHanko's CLI signs ``field`` with ``holder``'s PKCS#12: no timestamp, no validation
    data; with ``pdfa_stamp`` the stamp's font is embedded (what a PDF/A-aware tool does), else
    pyHanko's default stamp (Courier, not embedded)."""
    folder = dst.parent
    (folder / "pass").write_text(P12_PASS, encoding="utf-8")
    (folder / "pyhanko.yml").write_text(
        'stamp-styles:\n  pdfa:\n    type: text\n    stamp-text: "Signert av %(signer)s"\n'
        f"    text-box-style:\n      font: {FONT}\n      font-size: 8\n",
        encoding="utf-8",
    )
    style = ["--style-name", "pdfa"] if pdfa_stamp else []
    subprocess.run(
        [str(PYHANKO), "--config", str(folder / "pyhanko.yml"), "sign", "addsig", "--field",
         field, *style, "pkcs12", "--passfile", str(folder / "pass"), str(src), str(dst),
         str(pki.pfx(holder))],
        check=True, capture_output=True,
    )  # fmt: skip
    return dst


def test_signed_elsewhere_is_taken_in_and_the_meeting_finishes(
    meeting: tuple[Path, Path], pki: CertPki, config: Config, tmp_path: Path
) -> None:
    working, out = meeting
    returned = sign_elsewhere(pki, working, tmp_path / "retur.pdf", "byradsleder", "rsasigner")
    taken = intake.receive(returned, working, config)
    assert taken.role == "byradsleder"
    assert taken.added == [
        "validation data (DSS)",
        "document timestamp (Dokumenttidsstempel-byradsleder): the signature had none",
    ]
    assert working.read_bytes().startswith(returned.read_bytes())
    # The rest as usual: politimester on the token, the final timestamp, the package.
    result = run(SEED, out, config)
    assert result.did == ["sign politimester", "timestamp", "archive"]
    assert result.package is not None
    roots = trust(config).roots
    assert check_package(result.package.zip, roots).ok
    report = verify(working, roots)
    assert report.valid, report.summary
    first = report.signatures[0]
    assert (first.field_name, first.holder, first.pades_level) == (
        "byradsleder", "Raymond Johansen", "B-LTA")  # fmt: skip
    assert "timestamped by the document timestamp that follows it" in first.notes


def test_run_takes_in_a_file_saved_over_the_working_file(
    meeting: tuple[Path, Path], pki: CertPki, config: Config, tmp_path: Path
) -> None:
    working, out = meeting
    returned = sign_elsewhere(pki, working, tmp_path / "retur.pdf", "byradsleder", "rsasigner")
    shutil.copyfile(returned, working)  # the secretariat saved the e-mailed file over it
    st = status(SEED, out, config)
    assert st.unchecked and st.next_step.startswith("take in the signature saved over referat")
    with pytest.raises(SigningError, match="holds updates that referatbygg has not"):
        pades.sign(working, "politimester", config, ask=None)
    result = run(SEED, out, config)
    assert result.did[0] == "intake byradsleder"
    assert result.package is not None


def refused(working: Path, returned: Path, config: Config, *reasons: str) -> str:
    before = working.read_bytes()
    with pytest.raises(intake.IntakeRefused) as exc:
        intake.receive(returned, working, config)
    message = str(exc.value)
    for reason in reasons:
        assert reason in message, message
    assert working.read_bytes() == before
    assert not (working.parent / "work").exists()  # nothing left behind, not even the folder
    return message


def test_wrong_field_is_refused(meeting: tuple[Path, Path], pki: CertPki, config: Config,
                                tmp_path: Path) -> None:  # fmt: skip
    working, _ = meeting
    returned = sign_elsewhere(pki, working, tmp_path / "r.pdf", "politimester", "politimester")
    refused(working, returned, config, "byradsleder: the signature is in the field 'politimester'")


def test_wrong_person_is_refused(meeting: tuple[Path, Path], pki: CertPki, config: Config,
                                 tmp_path: Path) -> None:  # fmt: skip
    working, _ = meeting
    returned = sign_elsewhere(pki, working, tmp_path / "r.pdf", "byradsleder", "politimester")
    # Who should sign comes from the build report (the body file), not from the returned file.
    refused(working, returned, config, "byradsleder:", "Raymond Johansen should sign as "
            "byradsleder, but the certificate is Beate Gangås's")  # fmt: skip


def test_signature_over_a_modified_document_is_refused(
    meeting: tuple[Path, Path], pki: CertPki, config: Config, tmp_path: Path
) -> None:
    working, _ = meeting
    changed = tmp_path / "endret.pdf"
    changed.write_bytes(attacks.isa_content(working.read_bytes()))
    returned = sign_elsewhere(pki, changed, tmp_path / "r.pdf", "byradsleder", "rsasigner")
    refused(working, returned, config, "byradsleder: the document was changed besides the "
            "signature")  # fmt: skip


def test_untrusted_certificate_is_refused(meeting: tuple[Path, Path], pki: CertPki,
                                          config: Config, tmp_path: Path) -> None:  # fmt: skip
    working, _ = meeting
    returned = sign_elsewhere(pki, working, tmp_path / "r.pdf", "byradsleder", "rogue")
    refused(working, returned, config, "byradsleder:", "does not chain to a trusted root")


def test_signature_that_breaks_pdfa_is_refused(meeting: tuple[Path, Path], pki: CertPki,
                                               config: Config, tmp_path: Path) -> None:  # fmt: skip
    working, _ = meeting
    returned = sign_elsewhere(pki, working, tmp_path / "r.pdf", "byradsleder", "rsasigner",
                              pdfa_stamp=False)  # fmt: skip
    refused(working, returned, config, "byradsleder: the PDF tool broke the document's PDF/A-2b",
            "ISO 19005-2:2011 6.2.11.4.1-1")  # fmt: skip


def test_resaved_file_is_not_our_document(meeting: tuple[Path, Path], pki: CertPki,
                                          config: Config, tmp_path: Path) -> None:  # fmt: skip
    working, _ = meeting
    returned = sign_elsewhere(pki, working, tmp_path / "r.pdf", "byradsleder", "rsasigner")
    resaved = tmp_path / "lagret-på-nytt.pdf"
    with pikepdf.open(returned) as pdf:
        pdf.save(resaved)
    refused(working, resaved, config, "byradsleder: the returned file is not the document sent "
            "for signing")  # fmt: skip


def test_receive_on_the_command_line(meeting: tuple[Path, Path], pki: CertPki, tmp_path: Path
                                     ) -> None:  # fmt: skip
    """`referatbygg receive FILE` finds the working file by its bytes; refusals exit 6."""
    working, out = meeting
    cfg = pki.config(tmp_path)
    bad = sign_elsewhere(pki, working, tmp_path / "feil.pdf", "byradsleder", "politimester")
    res = subprocess.run(
        [sys.executable, "-m", "referatbygg", "receive", str(bad), "--out", str(out),
         "--config", str(cfg)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert res.returncode == 6 and "Beate Gangås" in res.stderr, res.stderr
    good = sign_elsewhere(pki, working, tmp_path / "retur.pdf", "byradsleder", "rsasigner")
    res = subprocess.run(
        [sys.executable, "-m", "referatbygg", "receive", str(good), "--out", str(out),
         "--config", str(cfg), "--json"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert '"role": "byradsleder"' in res.stdout and '"waiting_for": [\n    "politimester"' in (
        res.stdout
    )


def test_a_file_that_continues_no_document_is_refused_as_intake(
    meeting: tuple[Path, Path], tmp_path: Path
) -> None:
    """Exit 6, as receive documents its refusals — not 2 (bad input)."""
    working, _ = meeting
    stranger = tmp_path / "fremmed.pdf"
    stranger.write_bytes(b"%PDF-1.7\n% not one of ours\n%%EOF\n")
    code = cli_main(["receive", str(stranger), "--out", str(working.parents[1]), "--no-service",
                     "-q"])  # fmt: skip
    assert code == 6


def test_intake_verifies_what_it_wrote(
    meeting: tuple[Path, Path], pki: CertPki, config: Config, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """What intake adds (validation data, a timestamp) is verified again before the file is
    kept: were the result one that verify refuses — here, content changed in the same step —
    it is refused and the working file stays as it was."""
    import attacks as A

    working, _ = meeting
    returned = sign_elsewhere(pki, working, tmp_path / "r.pdf", "byradsleder", "rsasigner")
    real = intake._long_term

    def spoiled(stage: Path, role: str, report: object, cfg: Config) -> list[str]:
        added = real(stage, role, report, cfg)  # type: ignore[arg-type]
        stage.write_bytes(A.isa_content(stage.read_bytes()))
        return added

    monkeypatch.setattr(intake, "_long_term", spoiled)
    refused(working, returned, config, "byradsleder: the signature is valid, but with the "
            "validation data added the file no longer verifies")  # fmt: skip
