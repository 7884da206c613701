"""Signatures made elsewhere: pyHanko's own command line signs as another PAdES tool would (as
Acrobat does: no signature timestamp), with the certomancer PKI's certificates. What is taken in
finishes as a package the archive accepts; everything else is refused at intake, naming the role
and the reason, with the working file unchanged."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import attacks
import pikepdf
import pytest
from conftest import SEED
from pki import P12_PASS, CertPki
from pyhanko.sign.fields import MDPPerm

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
    first = finished(working, out, config)
    assert (first.field_name, first.holder, first.pades_level) == (
        "byradsleder", "Raymond Johansen", "B-LTA")  # fmt: skip
    assert "timestamped by the document timestamp that follows it" in first.notes


def finished(working: Path, out: Path, config: Config) -> Any:
    """The rest as usual after a signature taken in: politimester on the token, the final
    timestamp, the package, which check-package accepts; the first signature's verify report."""
    result = run(SEED, out, config)
    assert result.did == ["sign politimester", "timestamp", "archive"]
    assert result.package is not None
    roots = trust(config).roots
    assert check_package(result.package.zip, roots).ok
    report = verify(working, roots)
    assert report.valid, report.summary
    return report.signatures[0]


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
    message = refused(working, returned, config, "byradsleder: the signature is valid, but the "
                      "signing tool broke the document's PDF/A-2a + PDF/UA-1",
                      "the signature's appearance uses the font Courier without embedding "
                      "it")  # fmt: skip
    assert "font is embedded" in message  # what to do: another appearance, invisible, or here


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


# --- what a signer changes in the revision his own signature closes -----------------------------


def sign_with_edit(
    pki: CertPki, src: Path, dst: Path, field: str, edit: attacks.Edit, *,
    certify: MDPPerm | None = None,
) -> Path:  # fmt: skip
    """rsasigner (Raymond Johansen, the byrådsleder) signs ``field`` with pyHanko's library,
    after ``edit`` changed the document in the same revision (``certify``: as a certifying
    signature with those permissions); a stamp in an embedded font, so the signature itself
    keeps PDF/A."""
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter
    from pyhanko.stamp import TextStampStyle

    signer = signers.SimpleSigner.load_pkcs12(
        str(pki.pfx("rsasigner")), passphrase=P12_PASS.encode()
    )
    assert signer is not None
    box = TextBoxStyle(font=GlyphAccumulatorFactory(FONT))
    style = TextStampStyle(stamp_text="Signert av %(signer)s", text_box_style=box)
    meta = signers.PdfSignatureMetadata(
        field_name=field, subfilter=SigSeedSubFilter.PADES, certify=certify is not None,
        docmdp_permissions=certify or MDPPerm.FILL_FORMS,
    )  # fmt: skip
    with src.open("rb") as fh:
        writer = IncrementalPdfFileWriter(fh, strict=False)
        edit(writer)
        with dst.open("wb") as out:
            signers.PdfSigner(meta, signer, stamp_style=style).sign_pdf(writer, output=out)
    return dst


OWN_REVISION = {
    "own_info_title": "the document information (/Info) was changed in its own revision: /Title",
    "own_xmp_title": "the XMP metadata was changed in its own revision: dc:title",
    "own_outline_title": "its own revision changes the document besides the signature",
    "own_page_labels": "its own revision changes the document besides the signature",
    "own_orphan_zip": "adds objects that nothing in the document refers to",
    "own_inflating_stream": "a stream that inflates to more than 256 MiB",
}


@pytest.mark.parametrize("edit", sorted(OWN_REVISION))
def test_a_change_in_the_signers_own_revision_is_refused(
    edit: str, meeting: tuple[Path, Path], pki: CertPki, config: Config, tmp_path: Path
) -> None:
    """The signer's own signature covers what he changed while signing; nobody after him is
    asked about it. Intake refuses it, and verify (which the archive runs) says why."""
    working, _ = meeting
    returned = sign_with_edit(pki, working, tmp_path / "r.pdf", "byradsleder",
                              getattr(attacks, edit))  # fmt: skip
    refused(working, returned, config, "byradsleder:", OWN_REVISION[edit])
    report = verify(returned, trust(config).roots, level=None, complete=False)
    assert not report.valid and OWN_REVISION[edit] in report.summary, report.summary


def test_the_same_signature_without_a_change_is_taken_in(
    meeting: tuple[Path, Path], pki: CertPki, config: Config, tmp_path: Path
) -> None:
    """The control: the harness above makes signatures intake accepts."""
    working, _ = meeting
    returned = sign_with_edit(pki, working, tmp_path / "r.pdf", "byradsleder", attacks.own_nothing)
    assert intake.receive(returned, working, config).role == "byradsleder"


def test_a_certification_that_allows_no_changes_is_refused(
    meeting: tuple[Path, Path], pki: CertPki, config: Config, tmp_path: Path
) -> None:
    """DocMDP P=1: nobody could sign after it, nor could the final timestamp be added; taken in,
    it would block the meeting. Certifying with signatures allowed (P=2) is what referatbygg
    itself does for the first signatory, and is taken in."""
    working, _ = meeting
    locked = sign_with_edit(pki, working, tmp_path / "p1.pdf", "byradsleder", attacks.own_nothing,
                            certify=MDPPerm.NO_CHANGES)  # fmt: skip
    message = refused(working, locked, config, "byradsleder: the signature certifies the "
                      "document with 'no changes allowed' (DocMDP P=1)")  # fmt: skip
    assert "sign without certifying" in message
    allowed = sign_with_edit(pki, working, tmp_path / "p2.pdf", "byradsleder",
                             attacks.own_nothing, certify=MDPPerm.FILL_FORMS)  # fmt: skip
    assert intake.receive(allowed, working, config).role == "byradsleder"


def test_a_refusal_asks_for_what_would_help(
    meeting: tuple[Path, Path], pki: CertPki, config: Config, tmp_path: Path
) -> None:
    """The hint fits the reason: another person's certificate, an untrusted issuer and a change
    to the document each ask for something else."""
    working, _ = meeting
    cases = {
        ("politimester", None): "with their own certificate",
        ("rogue", None): "a valid certificate from an issuer this archive trusts",
        ("rsasigner", "own_page_labels"): "without comments, form edits, metadata or other changes",
    }
    for (holder, edit), hint in cases.items():
        returned = tmp_path / f"{holder}-{edit}.pdf"
        if edit is None:
            sign_elsewhere(pki, working, returned, "byradsleder", holder)
        else:
            sign_with_edit(pki, working, returned, "byradsleder", getattr(attacks, edit))
        with pytest.raises(intake.IntakeRefused) as exc:
            intake.receive(returned, working, config)
        assert exc.value.hint is not None and hint in exc.value.hint, (holder, exc.value.hint)
