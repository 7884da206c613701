"""The receiving side: a package checked as the archive checks it on arrival — the bag
(completeness, checksums), arkivmelding.xml against the Fiks Arkiv V1 schema, every document it
lists present with the same checksum and size, the signatures of the signed original, PDF/A of
every PDF, and the Fiks Arkiv message beside the bag. Every problem is named; nothing here
trusts what the package says about itself.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import bagit

from .. import verify
from ..errors import PackageError, ValidationError
from ..meeting.load import display
from ..pdf import pdfa
from . import arkivmelding
from .arkivmelding import MESSAGE_TYPE


@dataclass
class PackageReport:
    path: str
    ok: bool
    problems: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _open(path: Path, scratch: Path) -> Path:
    """The bag folder: ``path`` itself, or the single folder inside a .zip."""
    if path.is_dir():
        return path
    if not path.exists():
        raise PackageError(f"{display(path)}: not found")
    if not zipfile.is_zipfile(path):
        raise PackageError(f"{display(path)} is neither a bag folder nor a .zip file")
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.startswith("/") or ".." in Path(name).parts:
                raise PackageError(f"{display(path)}: unsafe path in archive: {name}")
        zf.extractall(scratch)
    folders = [p for p in scratch.iterdir() if p.is_dir()]
    if len(folders) != 1:
        raise PackageError(f"{display(path)}: expected one bag folder inside, found {len(folders)}")
    return folders[0]


def _bag_details(bag: bagit.Bag) -> list[str]:
    out: list[str] = []
    for check in (bag._validate_completeness, lambda: bag._validate_entries(1)):
        try:
            check()
        except bagit.BagValidationError as exc:
            out += [str(d) for d in getattr(exc, "details", [])] or [str(exc)]
    return out


def check_package(
    path: Path, roots: list[Any], *, signature_level: verify.Level = "B-LTA",
    pins: dict[str, verify.identity.Pin] | None = None, others: list[Any] | None = None,
) -> PackageReport:  # fmt: skip
    """Check a package as the receiving archive would; every problem is named. ``path`` is the
    bag (folder or .zip) — with the Fiks Arkiv message beside it checked too — or the message
    alone (its folder or .zip)."""
    report = PackageReport(str(path), ok=False)
    if _is_message(path):
        check_message(path, report, roots, signature_level=signature_level, pins=pins,
                      others=others)  # fmt: skip
        report.ok = not report.problems
        return report
    with tempfile.TemporaryDirectory() as scratch:
        bag_dir = _open(path, Path(scratch))
        _check_bag(bag_dir, report)
        data = bag_dir / "data"
        if not _check_listed(data, report):
            return report
        main = [data / "dokumenter" / f"{n}.pdf" for n in ("referat", "avtale")]
        minutes = next((p for p in main if p.is_file()), main[0])
        if minutes.is_file():
            signatures = verify.verify(minutes, roots, level=signature_level, pins=pins,
                                       others=others)  # fmt: skip
            _signatures(report, signatures, minutes.name)
        else:
            report.problems.append("the signed document (dokumenter/referat.pdf) is missing")
        _check_pdfa(data, report)
    stem = path.name.removesuffix(".zip")
    for beside in (path.with_name(f"{stem}.fiks-arkiv"), path.with_name(f"{stem}.fiks-arkiv.zip")):
        if beside.exists():
            check_message(beside, report, roots, signature_level=signature_level, pins=pins,
                          others=others, signatures=False)  # fmt: skip
    report.ok = not report.problems
    return report


def _check_bag(bag_dir: Path, report: PackageReport) -> None:
    """BagIt: complete, and every checksum (SHA-256, SHA-512) matches."""
    try:
        bag = bagit.Bag(str(bag_dir))
        bag.validate(processes=1)
        report.checked.append("bag: complete, checksums match (SHA-256, SHA-512)")
    except bagit.BagValidationError as exc:
        details = [str(d) for d in getattr(exc, "details", [])]
        if not details:
            # The Payload-Oxum pre-check fails first and names no file; bagit's completeness
            # and checksum checks (private, stable in bagit 1.x) name each one.
            details = [str(exc), *_bag_details(bag)]
        report.problems += [f"bag: {d}" for d in details]
    except bagit.BagError as exc:
        report.problems.append(f"bag: {exc}")


def _check_listed(data: Path, report: PackageReport) -> bool:
    """arkivmelding.xml valid against the schema, and every document it lists in the bag with
    the same checksum and size. False when there is no arkivmelding.xml at all."""
    xml_path = data / "arkivmelding.xml"
    if not xml_path.is_file():
        report.problems.append("arkivmelding.xml is missing")
        return False
    xml = xml_path.read_bytes()
    errors = arkivmelding.schema_errors(xml)
    report.problems += [f"arkivmelding.xml: {e}" for e in errors]
    if errors:
        return True
    report.checked.append("arkivmelding.xml: valid against the Fiks Arkiv V1 schema")
    before = len(report.problems)
    for ref, checksum, size in arkivmelding.listed_files(xml):
        file = (data / ref).resolve()
        if not file.is_relative_to(data.resolve()) or not file.is_file():
            report.problems.append(f"arkivmelding.xml names {ref}, which is not in the bag")
            continue
        if arkivmelding.sha256_file(file) != checksum:
            report.problems.append(f"{ref}: SHA-256 differs from arkivmelding.xml")
        if file.stat().st_size != size:
            report.problems.append(f"{ref}: size differs from arkivmelding.xml")
    if len(report.problems) == before:
        report.checked.append("every document in arkivmelding.xml is in the bag, same checksum")
    return True


def _check_pdfa(data: Path, report: PackageReport) -> None:
    """Every PDF of the payload valid for the PDF/A part (and PDF/UA) it claims."""
    for pdf in sorted((data / "dokumenter").rglob("*.pdf")):
        rel = pdf.relative_to(data)
        try:
            result = pdfa.validate(pdf)
        except ValidationError as exc:
            report.problems.append(f"{rel}: {exc.message.split(': ', 1)[-1]}")
            continue
        if result.valid:
            report.checked.append(f"{rel}: {result.claimed} valid")
        else:
            report.problems.append(f"{rel}: not valid PDF/A: {result.summary}")


def _is_message(path: Path) -> bool:
    """A Fiks Arkiv message (arkivmelding.xml at its top), not a bag."""
    if path.is_dir():
        return (path / "arkivmelding.xml").is_file() and not (path / "bagit.txt").exists()
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            return "arkivmelding.xml" in zf.namelist()
    return False


def check_message(
    path: Path, report: PackageReport, roots: list[Any], *, signature_level: verify.Level,
    pins: dict[str, verify.identity.Pin] | None, others: list[Any] | None,
    signatures: bool = True,
) -> None:  # fmt: skip
    """The Fiks Arkiv message as the archive's Fiks Arkiv endpoint takes it: the schema, the
    message type, every referanseDokumentfil a file of the message (same checksum and size),
    every file named by it; with ``signatures``, the signed document verified too."""
    label = path.name
    with tempfile.TemporaryDirectory() as scratch:
        folder = path
        if not path.is_dir():
            folder = Path(scratch)
            with zipfile.ZipFile(path) as zf:
                for name in zf.namelist():
                    if "/" in name.strip("/") or name.startswith(("/", ".")):
                        report.problems.append(f"{label}: {name} is not a file name alone")
                        return
                zf.extractall(folder)
        xml_path = folder / "arkivmelding.xml"
        if not xml_path.is_file():
            report.problems.append(f"{label}: arkivmelding.xml is missing")
            return
        xml = xml_path.read_bytes()
        errors = arkivmelding.schema_errors(xml)
        report.problems += [f"{label}: arkivmelding.xml: {e}" for e in errors]
        try:
            kind = json.loads((folder / "melding.json").read_text(encoding="utf-8"))["meldingstype"]
        except (OSError, ValueError, KeyError, TypeError):
            kind = None
        if kind != MESSAGE_TYPE:
            report.problems.append(f"{label}: melding.json does not give the message type "
                                   f"{MESSAGE_TYPE}")  # fmt: skip
        before = len(report.problems)
        named = set()
        for ref, checksum, size in arkivmelding.listed_files(xml):
            named.add(ref)
            file = folder / ref
            if "/" in ref or not file.is_file():
                report.problems.append(f"{label}: arkivmelding.xml names {ref}, which is not a "
                                       "file of the message")  # fmt: skip
                continue
            if arkivmelding.sha256_file(file) != checksum or file.stat().st_size != size:
                report.problems.append(f"{label}: {ref} differs from arkivmelding.xml")
        extra = sorted(p.name for p in folder.iterdir()
                       if p.name not in named | {"arkivmelding.xml", "melding.json"})  # fmt: skip
        report.problems += [f"{label}: {name} is not named in arkivmelding.xml" for name in extra]
        if len(report.problems) == before and not errors:
            report.checked.append(f"{label}: Fiks Arkiv message ({MESSAGE_TYPE}): every file "
                                  "named, every name a file, same checksums")  # fmt: skip
        main = next((folder / n for n in ("referat.pdf", "avtale.pdf") if (folder / n).is_file()),
                    None)  # fmt: skip
        if signatures and main is not None:
            _signatures(report, verify.verify(main, roots, level=signature_level, pins=pins,
                                              others=others), main.name)  # fmt: skip


def _signatures(report: PackageReport, signatures: verify.VerifyReport, name: str) -> None:
    if signatures.valid:
        report.checked.append(f"{name}: {signatures.summary}")
    else:
        report.problems.append(f"{name} signatures: {signatures.summary}")
