"""Revocation data and the TSA's sizing token shared between one user's commands
(referatbygg.sharedtrust), seen from outside: a counting proxy in front of a certomancer PKI
says what each `referatbygg sign` process asked for, and pyHanko's LTV validation (no fetching)
says whether what a command took from the shared data is complete and embedded."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest import copy_built
from pki import CONFIG, P12_PASS, CertPki, Proxy, free_port, make_pki
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import DocumentSecurityStore, validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from referatbygg.config import load_config
from referatbygg.signing import pades, sharedtrust, trust

CLI = Path(sys.executable).parent / "referatbygg"


@pytest.fixture(scope="module")
def counted(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A PKI of its own whose certificates point at a counting proxy."""
    folder = tmp_path_factory.mktemp("counted-pki")
    port = free_port()
    pki = make_pki(folder, port=port)
    pki.serve_port = free_port()
    pki.start()
    proxy = Proxy(port, pki.serve_port)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    yield pki, proxy
    proxy.shutdown()
    pki.stop()


def runtime(tmp_path: Path) -> Path:
    folder = tmp_path / "run"
    folder.mkdir(mode=0o700)
    return folder


def sign(
    counted: tuple[CertPki, Proxy], pdf: Path, run: Path, *, label: str = "byradsleder",
    ttl: str | None = None,
) -> tuple[subprocess.CompletedProcess[str], Counter[str]]:  # fmt: skip
    """`referatbygg sign` as its own process (a new command); what it asked the PKI for."""
    pki, proxy = counted
    config = pki.config(pdf.parent, byradsleder=label)
    env = {**os.environ, "REFERATBYGG_RUNTIME_DIR": str(run), "RB_TEST_P12": P12_PASS}
    if ttl is not None:
        env["REFERATBYGG_TRUST_TTL"] = ttl
    before = Counter(proxy.counts)
    done = subprocess.run(
        [str(CLI), "sign", str(pdf), "--role", "byradsleder", "--config", str(config),
         "--no-service", "--no-prompt", "--json"],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    return done, Counter(proxy.counts) - before


def unsigned(built_seed: Path, folder: Path) -> Path:
    folder.mkdir()
    return copy_built(built_seed, folder / "referat.pdf")


def signs(
    counted: tuple[CertPki, Proxy], built_seed: Path, folder: Path, run: Path, **kw: str
) -> tuple[Path, Counter[str]]:
    """A copy of the seed in ``folder`` signed by a new command, which must succeed."""
    pdf = unsigned(built_seed, folder)
    done, asked = sign(counted, pdf, run, **kw)
    assert done.returncode == 0, done.stderr
    return pdf, asked


def ltv_valid(pdf: Path, pki: CertPki, *, dss: bool = True) -> bool:
    """pyHanko's own validation from the file alone, revocation checked hard-fail against the
    file's DSS with nothing fetched: the revocation data a command embedded must cover the
    signer's chain."""
    with pdf.open("rb") as fh:
        reader = PdfFileReader(fh)
        kwargs: dict[str, Any] = {
            "trust_roots": [load_cert_from_pemder(str(pki.cert("root")))],
            "allow_fetching": False,
            "revocation_mode": "hard-fail",
        }
        if dss:
            context = DocumentSecurityStore.read_dss(reader).as_validation_context(kwargs)
        else:  # the control: the same check without the embedded data must fail
            context = ValidationContext(ocsps=[], crls=[], **kwargs)
        status = validate_pdf_signature(reader.embedded_signatures[0], context, context)
        return bool(status.bottom_line)


def test_the_next_command_takes_what_the_last_fetched(
    counted: tuple[CertPki, Proxy], built_seed: Path, tmp_path: Path
) -> None:
    run = runtime(tmp_path)
    a, asked = signs(counted, built_seed, tmp_path / "a", run)
    revocation = asked["ocsp"] + asked["crls"]
    assert revocation > 0, asked  # what the next command is spared: it was really fetched
    assert asked["tsa"] == 2, asked  # the sizing token and the signature's own

    b, asked = signs(counted, built_seed, tmp_path / "b", run)
    assert asked["ocsp"] + asked["crls"] == 0, asked
    assert asked["tsa"] == 2, asked  # the sizing token is not shared (sharedtrust says why)
    # What the second command took from the shared data is embedded and sufficient.
    assert ltv_valid(b, counted[0])
    assert ltv_valid(a, counted[0])
    assert not ltv_valid(b, counted[0], dss=False)


def test_old_data_or_none_at_all_is_fetched_again(
    counted: tuple[CertPki, Proxy], built_seed: Path, tmp_path: Path
) -> None:
    run = runtime(tmp_path)
    _, asked = signs(counted, built_seed, tmp_path / "a", run)
    fetched = asked["ocsp"] + asked["crls"]

    # Older than the time the data is kept (600 s by default): fetched again.
    for entry in (run / "trust").iterdir():
        os.utime(entry, (time.time() - 601, time.time() - 601))
    _, asked = signs(counted, built_seed, tmp_path / "b", run)
    assert asked["ocsp"] + asked["crls"] == fetched and asked["tsa"] == 2, asked

    # Sharing switched off (REFERATBYGG_TRUST_TTL=0): every command fetches, nothing is kept.
    other = tmp_path / "other-run"
    other.mkdir(mode=0o700)
    for name in ("c", "d"):
        _, asked = signs(counted, built_seed, tmp_path / name, other, ttl="0")
        assert asked["ocsp"] + asked["crls"] == fetched and asked["tsa"] == 2, asked
    assert not (other / "trust").exists()

    # Unreadable entries count as missing: fetched again, and the signature is complete.
    for n, garbage in enumerate([b'{"der": ["not base64 DER"', b'{"der": ["MIIBAAAA"]}']):
        for entry in (run / "trust").iterdir():
            entry.write_bytes(garbage)
        e, asked = signs(counted, built_seed, tmp_path / f"e{n}", run)
        assert asked["ocsp"] + asked["crls"] == fetched and asked["tsa"] == 2, asked
        assert ltv_valid(e, counted[0])


def test_a_swapped_entry_does_not_make_a_revoked_certificate_usable(
    counted: tuple[CertPki, Proxy], built_seed: Path, tmp_path: Path
) -> None:
    """The shared data is checked as fetched data is: a good OCSP response of another
    certificate, put where the revoked certificate's answers are kept, is not taken for it."""
    run = runtime(tmp_path)
    pdf = unsigned(built_seed, tmp_path / "a")
    before = pdf.read_bytes()
    refused, _ = sign(counted, pdf, run, label="revoked")
    assert refused.returncode != 0 and "has been revoked" in refused.stderr, refused.stderr
    revoked_entries = set((run / "trust").iterdir())

    signs(counted, built_seed, tmp_path / "b", run)
    good_ocsp = [p for p in (run / "trust").glob("ocsp-*") if p not in revoked_entries]
    assert good_ocsp
    for entry in revoked_entries:  # every answer kept for the revoked chain, swapped
        if entry.name.startswith("ocsp-"):
            shutil.copyfile(good_ocsp[0], entry)
    again, _ = sign(counted, pdf, run, label="revoked")
    assert again.returncode != 0, again.stdout
    assert "revoked" in again.stderr, again.stderr
    assert pdf.read_bytes() == before


def test_another_pki_with_the_same_names_gets_its_own_data(
    counted: tuple[CertPki, Proxy], pki: CertPki, built_seed: Path, tmp_path: Path
) -> None:
    """certomancer makes every test PKI with the same names and serial numbers; only the keys
    differ. What was fetched for one is not read back for the other (seen while benchmarking:
    the next PKI's signer refused, 'CRL signature could not be verified')."""
    run = runtime(tmp_path)
    signs(counted, built_seed, tmp_path / "a", run)
    b, _ = signs((pki, counted[1]), built_seed, tmp_path / "b", run)  # the session's own PKI
    assert ltv_valid(b, pki)


def test_no_private_folder_no_sharing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A runtime folder others can read is not used (the command simply fetches)."""
    open_folder = tmp_path / "open"
    open_folder.mkdir(mode=0o755)
    open_folder.chmod(0o755)
    monkeypatch.setenv("REFERATBYGG_RUNTIME_DIR", str(open_folder))
    assert sharedtrust.store(600) is None
    assert not (open_folder / "trust").exists()
    private = runtime(tmp_path)
    monkeypatch.setenv("REFERATBYGG_RUNTIME_DIR", str(private))
    kept = sharedtrust.store(600)
    assert kept is not None and oct((private / "trust").stat().st_mode & 0o777) == "0o700"
    kept.put("ocsp", "k", [b"\x30\x00"])
    assert kept.get("ocsp", "k") == [b"\x30\x00"]
    assert json.loads(next((private / "trust").iterdir()).read_text())["der"] == ["MAA="]


ANSWER_SECONDS = 30  # how long the short-lived responder's answers are good for


@pytest.fixture(scope="module")
def short_lived(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A PKI whose OCSP answers are good for half a minute (certomancer's default is ten; some
    responders answer for minutes, and a batch runs for hours)."""
    folder = tmp_path_factory.mktemp("short-lived-pki")
    architecture = folder / "certomancer.yml"
    line = "interm: {for-issuer: interm, responder-cert: ocsp, signing-key: ocsp}"
    text = CONFIG.read_text()
    assert text.count(line) == 1
    architecture.write_text(text.replace(
        line, line[:-1] + f", validity-period: {{seconds: {ANSWER_SECONDS}}}}}"
    ))  # fmt: skip
    pki = make_pki(folder / "pki", architecture=architecture)
    pki.start()
    yield pki
    pki.stop()


def long_term_at_its_timestamp(pdf: Path, pki: CertPki, data_of: Path | None = None) -> bool:
    """pyHanko's validation of the file's signature as an archive's verifier does it: at the
    time its timestamp proves, against the revocation data in the file (later data allowed),
    revocation hard-fail, nothing fetched. ``data_of``: another file's revocation data."""
    roots = [load_cert_from_pemder(str(pki.cert("root")))]
    with (data_of or pdf).open("rb") as fh:
        dss = DocumentSecurityStore.read_dss(PdfFileReader(fh))
    with pdf.open("rb") as fh:
        reader = PdfFileReader(fh)
        signature = reader.embedded_signatures[0]
        loose = dss.as_validation_context(
            {"trust_roots": roots, "allow_fetching": False, "revocation_mode": "soft-fail"}
        )
        moment = validate_pdf_signature(signature, loose, loose).timestamp_validity.timestamp
        strict = dss.as_validation_context({
            "trust_roots": roots, "allow_fetching": False, "revocation_mode": "hard-fail",
            "moment": moment, "retroactive_revinfo": True,
        })  # fmt: skip
        return bool(validate_pdf_signature(signature, strict, strict).bottom_line)


def test_one_process_does_not_sign_with_an_answer_past_its_end(
    short_lived: CertPki, built_seed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch worker signs meeting after meeting in one process, which keeps its validation
    context — and pyHanko's context never asks again for a certificate it has an answer for.
    Seen over 1,000 meetings: answers kept past their nextUpdate, 203 signatures that were
    not long-term valid at their own timestamps. The second signature here comes after the
    first one's answer has lapsed: the process must ask again, and what it embeds must hold
    at the signature's timestamp."""
    monkeypatch.setattr(trust, "_TRUST_CACHE", {})
    monkeypatch.setenv("REFERATBYGG_RUNTIME_DIR", str(runtime(tmp_path)))
    monkeypatch.setenv("RB_TEST_P12", P12_PASS)
    config = load_config(short_lived.config(tmp_path))
    first = unsigned(built_seed, tmp_path / "a")
    pades.sign(first, "byradsleder", config, ask=None)
    lapsed = time.monotonic() + ANSWER_SECONDS + 1
    assert long_term_at_its_timestamp(first, short_lived)

    time.sleep(max(0.0, lapsed - time.monotonic()))
    second = unsigned(built_seed, tmp_path / "b")
    pades.sign(second, "byradsleder", config, ask=None)
    assert long_term_at_its_timestamp(second, short_lived)
    # The control: the first signature's data does not hold for the second's timestamp.
    assert not long_term_at_its_timestamp(second, short_lived, data_of=first)


def answer(this_update: dt.datetime, next_update: dt.datetime | None) -> bytes:
    """An OCSP response with these times (unsigned: only its times are read here)."""
    from asn1crypto import algos, ocsp

    single = {
        "cert_id": {
            "hash_algorithm": {"algorithm": "sha256"}, "issuer_name_hash": b"\0" * 32,
            "issuer_key_hash": b"\0" * 32, "serial_number": 1,
        },
        "cert_status": ocsp.CertStatus(name="good", value=None),
        "this_update": this_update, "next_update": next_update,
    }  # fmt: skip
    basic = ocsp.BasicOCSPResponse({
        "tbs_response_data": {
            "responder_id": ("by_key", b"\0" * 20), "produced_at": this_update,
            "responses": [single],
        },
        "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa"}),
        "signature": b"\0",
    })  # fmt: skip
    return ocsp.OCSPResponse({
        "response_status": "successful",
        "response_bytes": {"response_type": "basic_ocsp_response", "response": basic},
    }).dump()  # fmt: skip


@pytest.mark.parametrize(
    ("issued", "good_for", "handed_out"),
    [
        (0, 10, True),  # fresh, ten minutes: taken again
        (-6, 10, False),  # four minutes left: less than the margin, asked again
        (-20, None, True),  # no nextUpdate: a verifier takes it for 30 minutes; 10 left
        (-26, None, False),  # 4 left
        (-20, 5, False),  # past its nextUpdate
    ],
)
def test_an_answer_is_handed_out_again_only_with_time_left(
    issued: int, good_for: int | None, handed_out: bool
) -> None:
    from asn1crypto import ocsp

    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    this = now + dt.timedelta(minutes=issued)
    until = None if good_for is None else this + dt.timedelta(minutes=good_for)
    der = answer(this, until)
    read = sharedtrust._usable(der, ocsp.OCSPResponse.load, sharedtrust._ocsp_window)
    assert (read is not None) is handed_out
    # A context holding it is dropped exactly when it would no longer be handed out.
    life = sharedtrust.Lifetime()
    life.holds(sharedtrust._ocsp_window(ocsp.OCSPResponse.load(der)))
    assert life.over() is not handed_out
