"""Signing and verification with real parts: a certomancer PKI served on 127.0.0.1 (TSA, OCSP,
CRL), a PKCS#12 file and a SoftHSM2 token; pyHanko's own validation and PDFBox Preflight check
the results."""

from __future__ import annotations

import itertools
import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import copy_built
from pki import P12_PASS, PIN, CertPki
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, NumberObject

from referatbygg import verify
from referatbygg.config import Config, load_config
from referatbygg.errors import SigningError
from referatbygg.pdf import pdfa
from referatbygg.signing import pades


@pytest.fixture(scope="session")
def unsigned(built_seed: Path) -> Path:
    return built_seed


@pytest.fixture
def pdf(unsigned: Path, tmp_path: Path) -> Path:
    return copy_built(unsigned, tmp_path / "referat.pdf")


@pytest.fixture
def config(pki: CertPki, tmp_path: Path) -> Config:
    return load_config(pki.config(tmp_path))


@pytest.fixture(scope="module")
def signed(pki: CertPki, unsigned: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed minutes signed by both roles (PKCS#12 and PKCS#11) and timestamped: B-LTA."""
    folder = tmp_path_factory.mktemp("signed")
    target = copy_built(unsigned, folder / "referat.pdf")
    config = load_config(pki.config(folder))
    pades.sign(target, "byradsleder", config, ask=None)
    assert pdfa.validate(target).valid
    pades.sign(target, "politimester", config, ask=None)
    assert pdfa.validate(target).valid
    pades.timestamp(target, config)
    return target


def roots(pki: CertPki) -> list[object]:
    return [load_cert_from_pemder(str(pki.cert("root")))]


def test_both_signatures_validate_with_pyhanko(signed: Path, pki: CertPki) -> None:
    ctx = ValidationContext(
        trust_roots=roots(pki),
        other_certs=[load_cert_from_pemder(str(pki.cert("interm")))],
        allow_fetching=True,
    )
    with signed.open("rb") as fh:
        sigs = PdfFileReader(fh).embedded_signatures
        assert [s.field_name for s in sigs] == [
            "byradsleder",
            "politimester",
            "Dokumenttidsstempel",
        ]
        for sig in sigs[:2]:
            status = validate_pdf_signature(sig, ctx, ctx)
            assert status.bottom_line, status.pretty_print_details()
            assert status.timestamp_validity is not None and status.timestamp_validity.trusted
        ts = validate_pdf_timestamp(sigs[2], ctx)
        assert ts.intact and ts.valid and ts.trusted
        assert "/DSS" in PdfFileReader(fh).root


def test_signed_file_is_still_pdfa(signed: Path) -> None:
    report = pdfa.validate(signed)
    assert report.valid, report.summary


def test_verify_offline_with_server_stopped(signed: Path, pki: CertPki, tmp_path: Path) -> None:
    pki.stop()
    try:
        assert not pki.running()
        report = verify.verify(signed, roots(pki))
        assert report.valid, report.summary
        assert [s.pades_level for s in report.signatures[:2]] == ["B-LTA", "B-LTA"]
        assert all(s.long_term for s in report.signatures[:2])
        res = subprocess.run(
            [sys.executable, "-m", "referatbygg", "verify", str(signed), "--json",
             "--config", str(pki.config(tmp_path))],
            capture_output=True, text=True,
        )  # fmt: skip
        assert res.returncode == 0, res.stdout + res.stderr
    finally:
        pki.start()


# --- refusals: each leaves the input unchanged ---------------------------------------------------


def refused(pdf: Path, match: str, action: object) -> str:
    before = pdf.read_bytes()
    with pytest.raises(SigningError, match=match) as exc:
        action()  # type: ignore[operator]
    assert pdf.read_bytes() == before
    assert not list(pdf.parent.glob(".*.part"))
    return str(exc.value)


def test_wrong_passphrase(pdf: Path, config: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RB_TEST_P12", "feil-passord-123")
    msg = refused(pdf, "wrong passphrase", lambda: pades.sign(pdf, "byradsleder", config, ask=None))
    assert "feil-passord-123" not in msg


def test_wrong_pin(pdf: Path, config: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    pades.sign(pdf, "byradsleder", config, ask=None)
    monkeypatch.setenv("RB_TEST_PIN", "000000")
    msg = refused(pdf, "wrong PIN", lambda: pades.sign(pdf, "politimester", config, ask=None))
    assert "000000" not in msg


@pytest.mark.parametrize(
    ("label", "match"),
    [
        ("expired", "expired on 2022-01-01"),
        ("notyet", "is not valid until 2090-01-01"),
        ("revoked", "has been revoked"),
        ("rogue", "not issued by a trusted root"),
    ],
)
def test_bad_certificates(pdf: Path, pki: CertPki, tmp_path: Path, label: str, match: str) -> None:
    config = load_config(pki.config(tmp_path, byradsleder=label))
    refused(pdf, match, lambda: pades.sign(pdf, "byradsleder", config, ask=None))


def test_another_persons_certificate_is_refused_before_signing(
    pdf: Path, pki: CertPki, tmp_path: Path
) -> None:
    """byrådsleder's configured PKCS#12 holds politimester's certificate (valid, trusted): the
    body file says Raymond Johansen signs as byrådsleder, so nothing is signed."""
    config = load_config(pki.config(tmp_path, byradsleder="politimester"))
    refused(pdf, "Raymond Johansen should sign as byradsleder, but the certificate is Beate "
            "Gangås's; nothing was signed",
            lambda: pades.sign(pdf, "byradsleder", config, ask=None))  # fmt: skip


def test_out_of_order_and_twice_and_unknown(pdf: Path, config: Config) -> None:
    refused(pdf, "byradsleder must sign before 'politimester'",
            lambda: pades.sign(pdf, "politimester", config, ask=None))  # fmt: skip
    refused(pdf, "no signature field for 'ordforer'",
            lambda: pades.sign(pdf, "ordforer", config, ask=None))  # fmt: skip
    refused(pdf, "waiting for byradsleder, politimester",
            lambda: pades.timestamp(pdf, config))  # fmt: skip
    pades.sign(pdf, "byradsleder", config, ask=None)
    refused(pdf, "'byradsleder' has already signed",
            lambda: pades.sign(pdf, "byradsleder", config, ask=None))  # fmt: skip


def test_modified_file_is_not_signed(pdf: Path, config: Config) -> None:
    pades.sign(pdf, "byradsleder", config, ask=None)
    add_page(pdf)
    refused(pdf, "refusing to sign it: byradsleder: changed after signing: other changes",
            lambda: pades.sign(pdf, "politimester", config, ask=None))  # fmt: skip


def test_no_secret_in_logs(
    pdf: Path,
    unsigned: Path,
    config: Config,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
    pki: CertPki,
) -> None:
    caplog.set_level(logging.DEBUG)
    pades.sign(pdf, "byradsleder", config, ask=None)
    pades.sign(pdf, "politimester", config, ask=None)
    # The CLI with a wrong passphrase, verbose: the error is shown, the secret is not.
    other = copy_built(unsigned, tmp_path / "x" / "referat.pdf")
    res = subprocess.run(
        [sys.executable, "-m", "referatbygg", "sign", str(other), "--role", "byradsleder",
         "--verbose", "--no-prompt", "--config", str(pki.config(tmp_path))],
        capture_output=True, text=True, env={**os.environ, "RB_TEST_P12": "galt-passord-987"},
    )  # fmt: skip
    assert res.returncode == 6 and "wrong passphrase" in res.stderr
    for secret in (P12_PASS, PIN, "galt-passord-987"):
        assert secret not in caplog.text
        assert secret not in res.stdout + res.stderr
    # Without --verbose: the message only, no third-party traceback or log line.
    quiet = subprocess.run(
        [sys.executable, "-m", "referatbygg", "sign", str(other), "--role", "byradsleder",
         "--no-prompt", "--config", str(pki.config(tmp_path))],
        capture_output=True, text=True, env={**os.environ, "RB_TEST_P12": "galt-passord-987"},
    )  # fmt: skip
    assert quiet.returncode == 6
    assert quiet.stderr.strip().splitlines()[0].startswith("error: cannot open"), quiet.stderr
    assert "Traceback" not in quiet.stderr and "pyhanko" not in quiet.stderr.lower()


# --- tampering: verify says not valid, and why ----------------------------------------------------


def tampered(signed: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "tuklet.pdf"
    shutil.copy(signed, copy)
    return copy


def incremental(path: Path, change: object) -> None:
    original = path.read_bytes()
    writer = PdfWriter(path, incremental=True)
    change(writer)  # type: ignore[operator]
    writer.write(path)  # pypdf writes the original bytes, then the update
    assert path.read_bytes().startswith(original)


def add_page(path: Path) -> None:
    incremental(path, lambda w: w.add_blank_page(595, 842))


def check_invalid(path: Path, pki: CertPki, reason: str) -> None:
    report = verify.verify(path, roots(pki))
    assert not report.valid
    assert reason in report.summary, report.summary


def test_tamper_byte_in_signed_range(signed: Path, tmp_path: Path, pki: CertPki) -> None:
    path = tampered(signed, tmp_path)
    data = bytearray(path.read_bytes())
    # A letter of the document title in the (uncompressed) XMP packet of the first revision:
    # the file still parses, but the signed bytes differ.
    at = data.index(b"Politir\xc3\xa5det i Oslo")
    data[at] = ord("Q")
    path.write_bytes(bytes(data))
    check_invalid(path, pki, "the signed content was changed (digest mismatch)")


def test_tamper_added_page(signed: Path, tmp_path: Path, pki: CertPki) -> None:
    path = tampered(signed, tmp_path)
    add_page(path)
    check_invalid(path, pki, "changed after signing: other changes")


def test_tamper_annotation_over_text(signed: Path, tmp_path: Path, pki: CertPki) -> None:
    path = tampered(signed, tmp_path)

    def annotate(w: PdfWriter) -> None:
        box = DictionaryObject({
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Square"),
            NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (60, 500, 540, 700)]),
            NameObject("/IC"): ArrayObject([FloatObject(1), FloatObject(1), FloatObject(1)]),
            NameObject("/F"): NumberObject(4),
        })  # fmt: skip
        w.add_annotation(0, box)

    incremental(path, annotate)
    # pypdf rewrites the page object too, so pyHanko classes this as more than an annotation.
    check_invalid(path, pki, "changed after signing")


def test_tamper_form_field_value(signed: Path, tmp_path: Path, pki: CertPki) -> None:
    """The byradsleder field's value is swapped for politimester's signature."""
    path = tampered(signed, tmp_path)

    def swap(w: PdfWriter) -> None:
        fields = [f.get_object() for f in w.root_object["/AcroForm"]["/Fields"]]
        by_name = {str(f["/T"]): f for f in fields}
        by_name["byradsleder"][NameObject("/V")] = by_name["politimester"].raw_get("/V")

    incremental(path, swap)
    check_invalid(path, pki, "byradsleder")


def test_tamper_removed_signature(signed: Path, tmp_path: Path, pki: CertPki) -> None:
    path = tampered(signed, tmp_path)

    def remove(w: PdfWriter) -> None:
        for ref in w.root_object["/AcroForm"]["/Fields"]:
            field = ref.get_object()
            if field["/T"] == "politimester":
                del field[NameObject("/V")]

    incremental(path, remove)
    check_invalid(path, pki, "politimester: not signed")


def test_file_changed_while_signing_is_not_overwritten(
    pdf: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Someone else's update lands while we sign: ours is dropped, theirs is kept."""
    real = pades.metadata_frozen

    def meanwhile():  # type: ignore[no-untyped-def]
        with real():
            with pdf.open("ab") as fh:
                fh.write(b"\n% another update\n")
            yield

    import contextlib

    monkeypatch.setattr(pades, "metadata_frozen", contextlib.contextmanager(meanwhile))
    with pytest.raises(SigningError, match="changed by someone else while signing"):
        pades.sign(pdf, "byradsleder", config, ask=None)
    assert pdf.read_bytes().endswith(b"% another update\n")
    assert not any(f.signed for f in pades.signing_state(pdf))


def test_rsa_and_ecdsa_signatures_keep_pdfa_2b(pdf: Path, pki: CertPki, tmp_path: Path) -> None:
    """ECDSA P-256 (politimester, on the token) and RSA: the file stays PDF/A-2b and never
    declares PDF 2.0 (pyHanko would, for P-256)."""
    config = load_config(pki.config(tmp_path, byradsleder="rsasigner"))
    pades.sign(pdf, "byradsleder", config, ask=None)
    pades.sign(pdf, "politimester", config, ask=None)
    pades.timestamp(pdf, config)
    report = pdfa.validate(pdf)
    assert report.valid, report.summary
    reader = PdfFileReader(pdf.open("rb"))
    assert str(reader.root.get("/Version", "/1.7")).lstrip("/").startswith("1.")
    algos = [s.signer_info["signature_algorithm"]["algorithm"].native
             for s in reader.embedded_signatures[:2]]  # fmt: skip
    assert algos[0].startswith("sha256_rsa") or algos[0] == "rsassa_pkcs1v15", algos
    assert algos[1].endswith("ecdsa"), algos


def test_sign_refuses_what_no_passing_build_vouches_for(pdf: Path, config: Config) -> None:
    from referatbygg.build.report import report_path

    report = report_path(pdf.parent, pdf.stem)
    good = report.read_text()
    data = json.loads(good)
    data["validation"]["valid"] = False
    report.write_text(json.dumps(data))
    refused(pdf, "did not pass PDF/A validation", lambda: pades.sign(pdf, "byradsleder", config))
    report.unlink()
    refused(pdf, "has no readable build report", lambda: pades.sign(pdf, "byradsleder", config))
    report.write_text(good)
    data = bytearray(pdf.read_bytes())
    data[7] = ord("5") if data[7] != ord("5") else ord("6")  # %PDF-1.x: another header
    pdf.write_bytes(bytes(data))
    refused(pdf, "is not the file", lambda: pades.sign(pdf, "byradsleder", config))


def test_packaged_stamp_font_covers_the_stamp_characters() -> None:
    """The stamp font ships in the package (Noto Sans, OFL), cut to STAMP_CHARS: every one of
    them has a glyph, and units per em stay 1000 (pyHanko's widths assume it)."""
    from fontTools.ttLib import TTFont

    from referatbygg.signing import pdfasafe

    font = TTFont(pdfasafe.stamp_font())
    cmap = font.getBestCmap()
    assert [c for c in pdfasafe.STAMP_CHARS if c not in cmap] == []
    assert font["head"].unitsPerEm == 1000
    assert "Open Font License" in (pdfasafe.stamp_font().parent / "OFL.txt").read_text()


def test_the_stamp_is_drawn_at_a_readable_size_with_its_status_set_off(signed: Path) -> None:
    """Each signature's stamp, read from its appearance stream: the text at 8 pt as drawn
    (every scaling on the way multiplied in: pyHanko's default margins once drew it at 5.25
    pt), inside the field, and the status line followed by an empty line."""
    import pikepdf

    with pikepdf.open(signed) as pdf:
        stamps = [f for f in pdf.Root.AcroForm.Fields
                  if str(f.get("/T")) in ("byradsleder", "politimester")]  # fmt: skip
        assert len(stamps) == 2
        for field in stamps:
            scale, y, sizes, rows = 1.0, 0.0, [], []
            for operands, operator in pikepdf.parse_content_stream(field.AP.N):
                op = str(operator)
                if op == "cm":
                    scale *= float(operands[0])
                elif op == "Tf":
                    sizes.append(float(operands[1]) * scale)
                elif op == "Td":
                    y += float(operands[1])
                elif op in ("TJ", "Tj"):
                    rows.append(y)
            assert sizes and min(sizes) >= 7.0, (str(field.T), sizes)
            # Four lines of text; the status set off from the rest by an empty line.
            gaps = [a - b for a, b in itertools.pairwise(rows)]
            assert len(rows) == 4 and gaps[0] == 2 * gaps[1] == 2 * gaps[2], rows
