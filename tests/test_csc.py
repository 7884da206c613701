"""Remote signing over the CSC API v2, against a CSC service on 127.0.0.1 started here
(tests/csc_service.py) that holds the certomancer PKI's keys."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SEED
from csc_service import CLIENT_ID, CLIENT_SECRET, Running, Service, credential
from pki import CertPki

from referatbygg.archive.check import check_package
from referatbygg.config import Config, load_config
from referatbygg.errors import SigningError
from referatbygg.pipeline import run
from referatbygg.signing import pades
from referatbygg.signing.trust import trust
from referatbygg.verify import verify

PIN = "2468"


@pytest.fixture(scope="module")
def service(pki: CertPki) -> Iterator[Running]:
    keys = pki.folder / "keys"
    chain = [pki.cert("interm")]
    running = Running(Service({
        "byradsleder-rsa": credential(keys / "rsasigner.key.pem", pki.cert("rsasigner"), chain,
                                      PIN),
        "politimester-ec": credential(keys / "politimester.key.pem", pki.cert("politimester"),
                                      chain, PIN),
    }))  # fmt: skip
    os.environ.update({"RB_CSC_ID": CLIENT_ID, "RB_CSC_SECRET": CLIENT_SECRET, "RB_CSC_PIN": PIN})
    yield running
    running.stop()


def csc_config(
    pki: CertPki, service: Running, folder: Path, *, byradsleder: str = "byradsleder-rsa",
    secret: str = "RB_CSC_SECRET", pin: str = "RB_CSC_PIN",
) -> Config:  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    path = pki.config(folder)
    text = path.read_text(encoding="utf-8")
    text = text[: text.index("[signers.byradsleder.pkcs12]")]
    for role, cred in (("byradsleder", byradsleder), ("politimester", "politimester-ec")):
        text += (
            f'\n[signers.{role}.csc]\nurl = "{service.url}"\ncredential_id = "{cred}"\n'
            f'client_id_env = "RB_CSC_ID"\nclient_secret_env = "{secret}"\npin_env = "{pin}"\n'
        )
    path.write_text(text, encoding="utf-8")
    return load_config(path)


@pytest.fixture(scope="session")
def built(built_seed: Path) -> Path:
    return built_seed


@pytest.fixture
def out(built: Path, tmp_path: Path) -> Path:
    shutil.copytree(built.parent, tmp_path / "out" / built.parent.name)
    return tmp_path / "out"


def test_both_roles_sign_over_csc(out: Path, pki: CertPki, service: Running,
                                  tmp_path: Path) -> None:  # fmt: skip
    config = csc_config(pki, service, tmp_path / "cfg")
    result = run(SEED, out, config)
    assert result.did == ["build", "sign byradsleder", "sign politimester", "timestamp",
                          "archive"]  # fmt: skip
    assert result.package is not None
    pdf = result.status.out_dir / "referat.pdf"
    tr = trust(config)
    report = verify(pdf, tr.roots, others=tr.others)
    assert report.valid, report.summary
    assert [s.holder for s in report.signatures[:2]] == ["Raymond Johansen", "Beate Gangås"]
    assert check_package(result.package.zip, tr.roots, others=tr.others).ok
    assert "/csc/v2/credentials/authorize" in service.service.calls


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"byradsleder": "finnes-ikke"},
            "byradsleder: the signing service does not offer the "
            "credential 'finnes-ikke': Invalid parameter credentialID",
        ),
        (
            {"pin": "RB_CSC_WRONG_PIN"},
            "byradsleder: the signing service refused to authorise "
            "the signature: the PIN is wrong: authorisation refused",
        ),
        (
            {"secret": "RB_CSC_WRONG_SECRET"},
            "byradsleder: the service did not accept the client "
            "credentials: unknown client or wrong client secret",
        ),
    ],
)
def test_refusals_change_nothing(out: Path, pki: CertPki, service: Running, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch, change: dict[str, str],
                                 message: str) -> None:  # fmt: skip
    monkeypatch.setenv("RB_CSC_WRONG_PIN", "0000")
    monkeypatch.setenv("RB_CSC_WRONG_SECRET", "feil")
    config = csc_config(pki, service, tmp_path / "cfg", **change)
    pdf = out / "politiradet-2023-01-13" / "referat.pdf"
    before = pdf.read_bytes()
    with pytest.raises(SigningError) as exc:
        pades.sign(pdf, "byradsleder", config, ask=None)
    assert message in str(exc.value)
    assert "0000" not in str(exc.value) and "feil" not in str(exc.value).split(":")[-1]
    assert pdf.read_bytes() == before
