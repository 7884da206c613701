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
from referatbygg.meeting.load import load_meeting
from referatbygg.pipeline import build, run
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


# --- who should sign comes from outside the signed file -----------------------------------------

OUTSIDER = ("Ola Utenforstående", "annet-organ")  # a member of another body, same trusted CA


def forge_as_outsider(pdf: Path) -> None:
    """The attack a trusted certificate allows when the name to check is read from the file: in
    the revision of his own signature the outsider writes his name into every signatory field
    (/TM), then signs every field and adds the final timestamp — PDF/A kept, B-LTA reached,
    as referatbygg itself would sign."""
    from pyhanko.pdf_utils import generic
    from pyhanko.sign.signers.pdf_signer import PdfTimeStamper

    from referatbygg.signing.pdfasafe import ArchivalPdfSigner, stamp_style

    tr = trust(Config(demo=True))
    name, body = OUTSIDER
    roles = [f.role for f in pades.signing_state(pdf)]
    for n, role in enumerate(roles):
        creds = demo_credentials(role, name, role.capitalize(), DemoPki(), body)
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf.read_bytes()), strict=False)
        if n == 0:
            for ref in writer.root["/AcroForm"]["/Fields"]:
                field = ref.get_object()
                if str(field.get("/T")) in roles:
                    field["/TM"] = generic.TextStringObject(name)
                    writer.mark_update(ref)
        meta = signers.PdfSignatureMetadata(
            field_name=role, md_algorithm="sha256", subfilter=sigfields.SigSeedSubFilter.PADES,
            embed_validation_info=True, validation_context=tr.context,
        )  # fmt: skip
        out = io.BytesIO()
        with pades.metadata_frozen():
            ArchivalPdfSigner(meta, signer=creds.signer, timestamper=tr.timestamper,
                              stamp_style=stamp_style()).sign_pdf(
                writer, output=out,
                appearance_text_params={"status": "", "signer": name, "title": role, "when": ""},
            )  # fmt: skip
        pdf.write_bytes(out.getvalue())
    stamper = PdfTimeStamper(tr.timestamper, field_name="Dokumenttidsstempel")
    out = io.BytesIO()
    with pades.metadata_frozen():
        stamper.timestamp_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf.read_bytes()), strict=False),
                              "sha256", validation_context=tr.context, output=out)  # fmt: skip
    pdf.write_bytes(out.getvalue())


@pytest.fixture(scope="module")
def forged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    result = build(SEED, tmp_path_factory.mktemp("forged") / "out")
    assert result.pdf is not None
    forge_as_outsider(result.pdf)
    return result.pdf


def test_a_signer_who_wrote_his_own_name_into_the_fields_is_not_valid(forged: Path) -> None:
    """His certificate is trusted and his name now stands in every field: still not valid,
    against the names the document printed when it was built — and the summary of a valid
    file says it was not checked against who should sign."""
    roots = trust(Config(demo=True)).roots
    report = verify(forged, roots)
    assert not report.valid
    assert ("byradsleder: the signature block names Raymond Johansen as byradsleder, but the "
            "certificate is Ola Utenforstående's") in report.summary  # fmt: skip
    assert "politimester: the signature block names Beate Gangås" in report.summary


def test_who_should_sign_comes_from_the_meeting(forged: Path) -> None:
    roots = trust(Config(demo=True)).roots
    meeting = load_meeting(SEED)
    report = verify(forged, roots, signers={s.role: s.name for s in meeting.signatories})
    assert not report.valid
    assert report.signers_checked_against == "who should sign"
    assert ("byradsleder: Raymond Johansen should sign as byradsleder, but the certificate is "
            "Ola Utenforstående's") in report.summary  # fmt: skip
    # The name it shows is the one printed at build, not the one the forger wrote.
    assert {s.named for s in report.signatures if s.kind == "signature"} == {
        "Raymond Johansen", "Beate Gangås"}  # fmt: skip


def test_the_cli_names_whom_it_checked_against(tmp_path: Path) -> None:
    """A valid file: the summary line says who signed which field and that who should sign was
    not given — unless --meeting gives it."""
    from referatbygg.cli import main

    result = run(SEED, tmp_path / "out", Config(demo=True))
    pdf = result.status.out_dir / "referat.pdf"
    report = verify(pdf, trust(Config(demo=True)).roots)
    assert report.valid
    assert ("signed: byradsleder by Raymond Johansen, politimester by Beate Gangås — checked "
            "against the names the document printed when it was built, not against who should "
            "sign (not given)") in report.summary  # fmt: skip
    assert main(["verify", str(pdf), "--meeting", str(SEED), "--no-service", "-q"]) == 0
    given = verify(pdf, trust(Config(demo=True)).roots,
                   signers={s.role: s.name for s in load_meeting(SEED).signatories})  # fmt: skip
    assert given.valid and "not against who should sign" not in given.summary
