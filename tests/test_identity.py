"""Who signed: the certificate holder against the name in the signature block, and the pins of
referatbygg.toml. Demo certificates are issued per body, role and person."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from asn1crypto import x509
from conftest import SEED, copy_built
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields as sigfields
from pyhanko.sign import signers

from referatbygg.config import Config, load_config
from referatbygg.errors import InputError
from referatbygg.pipeline import build
from referatbygg.signing import pades
from referatbygg.signing.credentials import demo_credentials
from referatbygg.signing.demopki import DemoPki
from referatbygg.signing.trust import trust
from referatbygg.verify import verify
from referatbygg.verify.identity import Expected, Pin, fingerprint, holder, problem, same_person


def cert(pki: DemoPki, role: str, name: str | None, body: str) -> x509.Certificate:
    path, _key = pki.signer(role, name, role.capitalize(), body)
    return load_cert_from_pemder(str(path))


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> DemoPki:
    return DemoPki(tmp_path_factory.mktemp("demo") / "pki")


def test_names_are_compared_as_people_write_them(pki: DemoPki) -> None:
    ase = cert(pki, "leder", "Åse Marie Ødegård", "utvalg")
    assert holder(ase) == "Åse Marie Ødegård"
    assert same_person("Åse Marie Ødegård", ase)
    assert same_person("åse ødegård", ase)  # case folded, middle name left out
    assert same_person("ÅSE  MARIE  ØDEGÅRD", ase)
    assert not same_person("Åse Hansen", ase)
    assert not same_person("Marie Ødegård", ase)


def test_each_body_role_and_person_gets_its_own_demo_certificate(pki: DemoPki) -> None:
    one = cert(pki, "ordforer", "Kari Nordmann", "kommunestyret-a")
    other = cert(pki, "ordforer", "Ola Hansen", "kommunestyret-b")
    again = cert(pki, "ordforer", "Kari Nordmann", "kommunestyret-a")
    assert fingerprint(one) != fingerprint(other)
    assert fingerprint(one) == fingerprint(again)
    assert "TEST" in one.subject.native["common_name"]  # still visibly a test certificate
    wrong = problem(Expected("ordforer", "Kari Nordmann"), other)
    assert wrong == (
        "the signature block names Kari Nordmann as ordforer, but the certificate is Ola Hansen's"
    )


def test_pins_decide(pki: DemoPki) -> None:
    kari = cert(pki, "leder", "Kari Nordmann", "utvalg")
    ola = cert(pki, "leder", "Ola Hansen", "utvalg")
    by_print = Pin(fingerprint=":".join(fingerprint(kari)[i : i + 2] for i in range(0, 64, 2)))
    assert problem(Expected("leder", "Ola Hansen", by_print), kari) is None  # the pin decides
    assert "not the certificate referatbygg.toml pins" in str(
        problem(Expected("leder", "Kari Nordmann", by_print), ola)
    )
    assert problem(Expected("leder", "", Pin(name="Ola Hansen")), ola) is None
    assert "not by the organisation referatbygg.toml pins for leder (NTRNO-974770482)" in str(
        problem(Expected("leder", "Kari Nordmann", Pin(organisation_id="NTRNO-974770482")), kari)
    )


def test_identity_pins_in_config(tmp_path: Path) -> None:
    path = tmp_path / "referatbygg.toml"
    path.write_text(
        '[signers.byradsleder]\nidentity = { name = "Raymond Johansen" }\n'
        '[signers.politimester.identity]\nfingerprint = "' + "ab" * 32 + '"\n',
        encoding="utf-8",
    )
    config = load_config(path)
    assert config.pins()["byradsleder"] == Pin(name="Raymond Johansen")
    assert not config.signs_here("byradsleder")  # signs elsewhere: receive or deferred
    path.write_text('[signers.x.identity]\nname = "A B"\nfingerprint = "ab"\n', encoding="utf-8")
    with pytest.raises(InputError, match="fingerprint"):
        load_config(path)


def test_another_bodys_role_holder_is_not_valid(tmp_path: Path) -> None:
    """The seed's byrådsleder field signed with the demo certificate of another body's
    byrådsleder (another person): verify names both."""
    result = build(SEED, tmp_path / "out")
    assert result.pdf is not None
    pdf = copy_built(result.pdf, tmp_path / "x" / "referat.pdf")
    creds = demo_credentials("byradsleder", "Nina Berg", "Byrådsleder", DemoPki(),
                                     "bergen-byrad")  # fmt: skip
    out = io.BytesIO()
    meta = signers.PdfSignatureMetadata(field_name="byradsleder", md_algorithm="sha256",
                                        subfilter=sigfields.SigSeedSubFilter.PADES)  # fmt: skip
    with pades.metadata_frozen():
        signers.PdfSigner(meta, signer=creds.signer).sign_pdf(
            IncrementalPdfFileWriter(io.BytesIO(pdf.read_bytes())), output=out
        )
    pdf.write_bytes(out.getvalue())
    report = verify(pdf, trust(Config(demo=True)).roots, level="B-B", complete=False)
    assert not report.valid
    assert (
        "byradsleder: the signature block names Raymond Johansen as byradsleder, but the "
        "certificate is Nina Berg's" in report.summary
    )
