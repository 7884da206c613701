"""The archive package and the one-command pipeline, checked as the receiving archive would."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import bagit
import pytest
from conftest import SEED
from conftest import demo_roots as roots
from lxml import etree

from referatbygg.archive import arkivmelding
from referatbygg.archive.check import check_package
from referatbygg.archive.package import PackageResult, make_package
from referatbygg.config import load_config
from referatbygg.errors import InputError, PackageError, SigningError
from referatbygg.meeting.load import load_meeting
from referatbygg.pipeline import build, run, status
from referatbygg.signing import pades

CONFIG = load_config(None)  # the demo PKI


def bag_copy(package: PackageResult, tmp_path: Path) -> Path:
    target = tmp_path / package.bag.name
    shutil.copytree(package.bag, target)
    return target


def problems_of(path: Path) -> list[str]:
    report = check_package(path, roots())
    assert not report.ok
    return report.problems


def test_package_checks_out(package: PackageResult) -> None:
    for path in (package.bag, package.zip):
        report = check_package(path, roots())
        assert report.ok, report.problems
    res = subprocess.run(
        [sys.executable, "-m", "referatbygg", "check-package", str(package.zip), "--json"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert res.returncode == 0, res.stdout + res.stderr
    assert json.loads(res.stdout)["ok"] is True


def test_package_contents(package: PackageResult) -> None:
    data = package.bag / "data"
    names = {str(p.relative_to(data)) for p in data.rglob("*") if p.is_file()}
    assert {
        "arkivmelding.xml", "dokumenter/referat.pdf", "produksjon/referat.docx",
        "produksjon/kilde/2023-01-13.toml", "produksjon/kilde/organ.toml",
        "bevis/verify-referat.json", "bevis/validate-referat.json", "bevis/bygg-referat.json",
    } <= names  # fmt: skip
    assert len([n for n in names if n.startswith("dokumenter/vedlegg/")]) == 3
    bag = bagit.Bag(str(package.bag))
    assert set(bag.algorithms) == {"sha256", "sha512"}
    assert bag.info["External-Identifier"] == "958935420/politiradet-2023-01-13/referat"
    assert bag.version_info == (1, 0)  # RFC 8493
    assert bag.info["Source-Organization"] == "Oslo kommune"
    assert "Payload-Oxum" in bag.info and "Bagging-Date" in bag.info
    evidence = json.loads((data / "bevis/verify-referat.json").read_text())
    assert evidence["valid"] is True and len(evidence["signatures"]) == 3


def test_arkivmelding_validates_and_broken_does_not(package: PackageResult) -> None:
    xml = (package.bag / "data/arkivmelding.xml").read_bytes()
    assert arkivmelding.schema_errors(xml) == []
    doc = etree.fromstring(xml)
    ns = {"a": arkivmelding.NS}
    assert doc.findtext("a:antallFiler", namespaces=ns) == "5"
    assert len(doc.findall(".//a:dokumentbeskrivelse", ns)) == 4
    # Remove a required element: the schema must say no.
    kind = doc.find(".//a:journalposttype", ns)
    kind.getparent().remove(kind)
    assert any("journalposttype" in e or "journalstatus" in e for e in
               arkivmelding.schema_errors(etree.tostring(doc)))  # fmt: skip
    assert arkivmelding.schema_errors(b"<arkivmelding>") != []


def test_changed_payload_byte(package: PackageResult, tmp_path: Path) -> None:
    bag = bag_copy(package, tmp_path)
    target = bag / "data/produksjon/kilde/organ.toml"
    target.write_bytes(target.read_bytes().replace(b"Oslo", b"0slo", 1))
    assert any("organ.toml" in p and "bag:" in p for p in problems_of(bag))


def test_missing_file(package: PackageResult, tmp_path: Path) -> None:
    bag = bag_copy(package, tmp_path)
    (bag / "data/bevis/validate-referat.json").unlink()
    assert any("validate-referat.json" in p for p in problems_of(bag))


def test_extra_file(package: PackageResult, tmp_path: Path) -> None:
    bag = bag_copy(package, tmp_path)
    (bag / "data/dokumenter/snik.pdf").write_bytes(b"%PDF-1.4 snik")
    assert any("snik.pdf" in p for p in problems_of(bag))


def _rebag(bag: Path) -> None:
    """Recompute the manifests, so that only the deeper checks can catch the change."""
    b = bagit.Bag(str(bag))
    b.save(manifests=True)


def test_xml_names_a_file_not_in_the_bag(package: PackageResult, tmp_path: Path) -> None:
    bag = bag_copy(package, tmp_path)
    xml_path = bag / "data/arkivmelding.xml"
    xml_path.write_bytes(
        xml_path.read_bytes().replace(b"dokumenter/referat.pdf<", b"dokumenter/borte.pdf<")
    )
    _rebag(bag)
    assert "arkivmelding.xml names dokumenter/borte.pdf, which is not in the bag" in problems_of(
        bag
    )


def test_tampered_signature(package: PackageResult, tmp_path: Path) -> None:
    bag = bag_copy(package, tmp_path)
    pdf = bag / "data/dokumenter/referat.pdf"
    data = bytearray(pdf.read_bytes())
    at = data.index("Politirådet i Oslo".encode())
    data[at] = ord("Q")
    pdf.write_bytes(bytes(data))
    _rebag(bag)
    found = problems_of(bag)
    assert any(p.startswith("referat.pdf signatures: NOT VALID") for p in found), found
    assert any("SHA-256 differs" in p for p in found)


def test_archive_refuses_before_signatures(tmp_path: Path) -> None:
    result = build(SEED, tmp_path)
    with pytest.raises(PackageError, match="missing byradsleder's signature, politimester's"):
        make_package(result.meeting, result.out_dir, roots())
    assert not (result.out_dir / "pakke" / "politiradet-2023-01-13.zip").exists()


def test_interrupted_run_resumes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_sign = pades.sign

    def failing(pdf: Path, role: str, *args: object, **kwargs: object) -> None:
        if role == "politimester":
            raise SigningError("token removed (simulated)")
        real_sign(pdf, role, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pades, "sign", failing)
    with pytest.raises(SigningError, match="token removed"):
        run(SEED, tmp_path, CONFIG)
    st = status(SEED, tmp_path, CONFIG)
    assert st.signed == ["byradsleder"] and st.waiting == ["politimester"]
    assert st.next_step == "waiting for politimester's signature"
    pdf = st.out_dir / "referat.pdf"
    first = pdf.read_bytes()

    monkeypatch.setattr(pades, "sign", real_sign)
    result = run(SEED, tmp_path, CONFIG)
    assert result.did == ["sign politimester", "timestamp", "archive"]  # nothing redone
    assert pdf.read_bytes().startswith(first)  # byrådsleder's revision untouched
    assert result.status.next_step == "done"
    assert check_package(result.package.zip, roots()).ok  # type: ignore[union-attr]
    again = run(SEED, tmp_path, CONFIG)
    assert again.did == ["archive"]


def test_run_stops_where_credentials_are_missing(tmp_path: Path) -> None:
    config_file = tmp_path / "referatbygg.toml"
    config_file.write_text(
        '[signing]\ntsa_url = "http://127.0.0.1:9/tsa"\ntrust_roots = ["root.pem"]\n',
        encoding="utf-8",
    )
    config = load_config(config_file)
    result = run(SEED, tmp_path / "out", config)
    assert result.did == ["build"]
    assert result.status.next_step == "waiting for byradsleder's signature"
    assert result.package is None


def test_status_of_unbuilt_meeting(tmp_path: Path) -> None:
    st = status(SEED, tmp_path, CONFIG)
    assert (st.built, st.next_step, st.waiting) == (False, "build", ["byradsleder", "politimester"])
    assert load_meeting(SEED).id == st.meeting


def test_sources_changed_after_signing_are_refused_at_archive(tmp_path: Path) -> None:
    """An item newly marked exempt after the minutes were signed: the signed file shows it in
    full, so packaging it with new metadata would be a lie. `status` says stale, `run` warns
    and `archive` refuses, naming what changed; the package made before is untouched."""
    folder = tmp_path / "m"
    shutil.copytree(SEED.parent, folder)
    meeting = folder / SEED.name
    result = run(meeting, tmp_path / "out", CONFIG)
    assert not result.status.stale and result.package is not None
    packed = result.package.zip.read_bytes()
    text = meeting.read_text(encoding="utf-8").replace(
        'title = "Situasjonsbrief fra politiet"\n',
        'title = "Situasjonsbrief fra politiet"\nexempt = "offl. § 24 tredje ledd"\n',
    )
    meeting.write_text(text, encoding="utf-8")
    st = status(meeting, tmp_path / "out", CONFIG)
    assert st.stale
    messages: list[str] = []
    with pytest.raises(PackageError, match=r"2023-01-13\.toml changed after .*referat\.pdf was "
                       r"built and signed.*nothing was packaged"):  # fmt: skip
        run(meeting, tmp_path / "out", CONFIG, progress=messages.append)
    assert any(m.startswith("WARNING:") for m in messages)
    assert result.package.zip.read_bytes() == packed


@pytest.mark.parametrize("edited", ["2023-01-13.toml", "vedlegg/situasjonsbrief.pdf"])
def test_an_edit_during_the_build_is_refused(tmp_path: Path, edited: str) -> None:
    """The meeting file (or an attachment) saved while the build runs: the build refuses, naming
    it, and the previous outputs stay as they were — a build never records hashes of files it
    did not build from, so that neither `status` nor `archive` can take the old document for
    the new sources."""
    folder = tmp_path / "m"
    shutil.copytree(SEED.parent, folder)
    meeting = folder / SEED.name
    first = build(meeting, tmp_path / "out")
    assert first.pdf is not None
    before = first.pdf.read_bytes()
    target = folder / edited

    def edit_when_merging(message: str) -> None:
        if message == "merge":
            data = target.read_bytes()
            if edited.endswith(".toml"):
                target.write_bytes(data.replace("Politirådet".encode(), "Byrådet".encode(), 1))
            else:
                target.write_bytes(data + b"\n% saved again\n")

    with pytest.raises(InputError, match=rf"{re.escape(edited.split('/')[-1])} changed while the "
                       "build ran"):  # fmt: skip
        build(meeting, tmp_path / "out", progress=edit_when_merging)
    assert first.pdf.read_bytes() == before
    assert not (first.pdf.parent / "work").exists()
    assert status(meeting, tmp_path / "out", CONFIG).stale  # the files now differ from the build


def test_forged_minutes_in_a_rebagged_package(package: PackageResult, tmp_path: Path) -> None:
    """The receiving archive's check gives the same verdict as `verify`: an incremental-saving
    attack with a shifted startxref, even when the bag's manifests were made to match."""
    import attacks

    bag = bag_copy(package, tmp_path)
    pdf = bag / "data/dokumenter/referat.pdf"
    pdf.write_bytes(attacks.isa_startxref_off(pdf.read_bytes()))
    _rebag(bag)
    found = problems_of(bag)
    assert any(
        p.startswith("referat.pdf signatures: NOT VALID: the file's structure is damaged")
        for p in found
    ), found
