"""Deferred signing: the request file goes to a signing process that sees nothing else
(tests/remote_signer.py, run as its own process); the answer is embedded and taken in."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SEED
from pki import CertPki

from referatbygg.archive.check import check_package
from referatbygg.config import Config, load_config
from referatbygg.errors import SigningError
from referatbygg.pipeline import run
from referatbygg.signing import deferred
from referatbygg.signing.trust import trust
from referatbygg.verify import verify

SIGNER = Path(__file__).parent / "remote_signer.py"


@pytest.fixture(scope="session")
def built(built_seed: Path) -> Path:
    return built_seed


@pytest.fixture
def working(built: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    shutil.copytree(built.parent, out / built.parent.name)
    return out / built.parent.name / built.name


@pytest.fixture
def config(pki: CertPki, tmp_path: Path) -> Config:
    # Neither signatory has credentials here: both sign elsewhere.
    path = tmp_path / "cfg" / "referatbygg.toml"
    path.parent.mkdir()
    pki.config(path.parent)
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("[signers.byradsleder.pkcs12]")], encoding="utf-8")
    return load_config(path)


def answer(pki: CertPki, request: Path, holder: str, mode: str, tmp_path: Path) -> Path:
    out = tmp_path / f"svar-{holder}-{mode}.json"
    key = pki.folder / "keys" / f"{holder}.key.pem"
    subprocess.run([sys.executable, str(SIGNER), str(request), str(key), str(pki.cert(holder)),
                    mode, str(out)], check=True, capture_output=True)  # fmt: skip
    return out


def test_deferred_signing_completes_the_meeting(
    working: Path, pki: CertPki, config: Config, tmp_path: Path
) -> None:
    before = working.read_bytes()
    first = deferred.prepare(working, "byradsleder", config,
                             certificate=pki.cert("rsasigner"))  # fmt: skip
    assert working.read_bytes() == before  # preparing changes nothing
    request = json.loads(first.request.read_text())
    assert request["role"] == "byradsleder" and request["signed_attributes"]
    taken = deferred.complete(working, "byradsleder", answer(pki, first.request, "rsasigner",
                                                             "raw", tmp_path), config)  # fmt: skip
    assert taken.role == "byradsleder" and not first.request.exists()
    second = deferred.prepare(working, "politimester", config)  # no certificate: a CMS answer
    deferred.complete(
        working,
        "politimester",
        answer(pki, second.request, "politimester", "cms", tmp_path),
        config,
    )
    result = run(SEED, working.parent.parent, config)
    assert result.did == ["timestamp", "archive"] and result.package is not None
    roots = trust(config).roots
    report = verify(working, roots)
    assert report.valid, report.summary
    signed = [s for s in report.signatures if s.kind == "signature"]
    assert [s.holder for s in signed] == ["Raymond Johansen", "Beate Gangås"]
    assert [s.pades_level for s in signed] == ["B-LTA", "B-LTA"]
    assert check_package(result.package.zip, roots).ok


def test_answer_for_another_document_or_request_is_refused(
    working: Path, pki: CertPki, config: Config, tmp_path: Path
) -> None:
    before = working.read_bytes()
    prepared = deferred.prepare(working, "byradsleder", config,
                                certificate=pki.cert("rsasigner"))  # fmt: skip
    good = answer(pki, prepared.request, "rsasigner", "cms", tmp_path)
    # The same request id, but a CMS signature over another document's digest.
    other = json.loads(prepared.request.read_text())
    other["document_digest"] = "00" * 32
    elsewhere = tmp_path / "annet.request.json"
    elsewhere.write_text(json.dumps(other))
    forged = answer(pki, elsewhere, "rsasigner", "cms", tmp_path)
    with pytest.raises(SigningError, match="byradsleder: the answer signs another document"):
        deferred.complete(working, "byradsleder", forged, config)
    stranger = json.loads(good.read_text()) | {"id": "0f0e0d0c-not-this-request"}
    good.write_text(json.dumps(stranger))
    with pytest.raises(SigningError, match="the answer is not for this request"):
        deferred.complete(working, "byradsleder", good, config)
    assert working.read_bytes() == before


@pytest.mark.parametrize("size", [40_000, 100_000])
def test_an_answer_larger_than_the_request_reserved_is_named(
    working: Path, pki: CertPki, config: Config, tmp_path: Path, size: int
) -> None:
    """A raw signature value (or CMS) too large for the space the request reserved: refused with
    the sizes named, the working file untouched — not an internal error (exit 70)."""
    import base64

    prepared = deferred.prepare(working, "byradsleder", config,
                                certificate=pki.cert("rsasigner"))  # fmt: skip
    request = json.loads(prepared.request.read_text())
    big = tmp_path / "stort-svar.json"
    raw = base64.b64encode(b"\x01" * size).decode()
    big.write_text(json.dumps({"id": request["id"], "signature": raw}))
    before = working.read_bytes()
    with pytest.raises(SigningError, match=r"bytes, more than the 16,384 the request reserved"):
        deferred.complete(working, "byradsleder", big, config)
    assert working.read_bytes() == before


def test_an_answer_with_another_certificate_than_requested_is_refused(
    working: Path, pki: CertPki, config: Config, tmp_path: Path
) -> None:
    """Prepared for one certificate of Raymond Johansen's (RSA), answered with another of his
    (ECDSA): the same person, but not what the request named — refused, file untouched."""
    prepared = deferred.prepare(working, "byradsleder", config,
                                certificate=pki.cert("rsasigner"))  # fmt: skip
    other = answer(pki, prepared.request, "byradsleder", "cms", tmp_path)
    before = working.read_bytes()
    with pytest.raises(SigningError, match="the answer is signed with another certificate than "
                       "the request named"):  # fmt: skip
        deferred.complete(working, "byradsleder", other, config)
    assert working.read_bytes() == before


def test_expired_request_is_refused(working: Path, pki: CertPki, config: Config,
                                    tmp_path: Path) -> None:  # fmt: skip
    prepared = deferred.prepare(working, "byradsleder", config, valid_for=dt.timedelta(hours=1))
    reply = answer(pki, prepared.request, "rsasigner", "cms", tmp_path)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    before = working.read_bytes()
    with pytest.raises(SigningError, match="byradsleder: the request expired"):
        deferred.complete(working, "byradsleder", reply, config, now=later)
    assert working.read_bytes() == before


def test_deferred_on_the_command_line(working: Path, pki: CertPki, config: Config,
                                      tmp_path: Path) -> None:  # fmt: skip
    cfg = str(config.source)
    res = subprocess.run(
        [sys.executable, "-m", "referatbygg", "sign", str(working), "--role", "byradsleder",
         "--prepare", "--json", "--config", cfg], capture_output=True, text=True,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    request = Path(json.loads(res.stdout)["request"])
    reply = answer(pki, request, "rsasigner", "cms", tmp_path)
    res = subprocess.run(
        [sys.executable, "-m", "referatbygg", "sign", str(working), "--role", "byradsleder",
         "--complete", str(reply), "--config", cfg], capture_output=True, text=True,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "byradsleder's signature completed and taken in" in res.stdout
