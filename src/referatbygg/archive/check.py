"""The receiving side: a package checked as the archive checks it on arrival — the bag
(completeness, checksums), arkivmelding.xml against the Fiks Arkiv V1 schema, every document it
lists present with the same checksum and size, the signatures of the signed original, PDF/A of
every PDF, and the Fiks Arkiv message beside the bag, its files verified and validated as the
bag's are. Every problem is named; nothing here trusts what the package says about itself.

Bytes are not meaning (meaning.py): the files must also be about one meeting — the signed
original is the file arkivmelding calls signed, it is signed, and the meeting, body, date and
signers that arkivmelding, bag-info and the evidence name are the ones the signed file shows.
A zip is opened entry by entry (zipsafe.py): no entry outside its folder, no link, no name twice.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import bagit

from .. import verify
from ..errors import PackageError, ValidationError
from ..meeting.load import display
from ..pdf import pdfa
from . import arkivmelding, meaning, parts, updates, zipsafe
from .arkivmelding import MESSAGE_TYPE


@dataclass
class PackageReport:
    """What check-package found: each problem named, each check that passed said."""

    path: str
    ok: bool
    problems: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def check_package(
    path: Path, roots: list[Any], *, signature_level: verify.Level = "B-LTA",
    pins: dict[str, verify.identity.Pin] | None = None, others: list[Any] | None = None,
    signers: Mapping[str, Mapping[str, str]] | None = None,
) -> PackageReport:  # fmt: skip
    """Check a package as the receiving archive would; every problem is named. ``path`` is the
    bag (folder or .zip) — with the Fiks Arkiv message beside it checked too — or the message
    alone (its folder or .zip). ``signers``: who may sign for each body (by its identifier in
    arkivmelding), from the archive's profile."""
    report = PackageReport(str(path), ok=False)
    judge = _Judge(roots, signature_level, pins, others, signers or {})
    if _is_message(path):
        check_message(path, report, judge)
        report.ok = not report.problems
        return report
    with tempfile.TemporaryDirectory() as scratch:
        bag_dir = _open(path, Path(scratch))
        _check_bag(bag_dir, report)
        data = bag_dir / "data"
        if not _check_listed(data, report):
            return report
        xml = (data / "arkivmelding.xml").read_bytes()
        signed = meaning.signed_original(data, xml, report.problems)
        if signed is not None:
            verdict = judge.verify(signed, xml)
            _signatures(report, verdict, signed.name)
            meaning.agrees(bag_dir, xml, signed, verdict, report.problems, report.checked)
        _check_pdfa(data, report, judge)
        key = arkivmelding.record_key(xml)
    stem = path.name.removesuffix(".zip")
    for beside in sorted(path.parent.glob(f"{stem}.fiks-arkiv*")):
        check_message(beside, report, judge, key=key)
    report.ok = not report.problems
    return report


@dataclass
class _Judge:
    """What the package is judged with: the trust of verify, who should sign for each body (the
    archive's profile), and the verdicts already given, by content (the message beside a bag
    carries the same files)."""

    roots: list[Any]
    level: verify.Level
    pins: dict[str, verify.identity.Pin] | None
    others: list[Any] | None
    signers: Mapping[str, Mapping[str, str]]
    verified: dict[str, verify.VerifyReport] = field(default_factory=dict)
    validated: dict[str, pdfa.PdfaReport | str] = field(default_factory=dict)

    def verify(self, pdf: Path, xml: bytes | None) -> verify.VerifyReport:
        """The signatures of ``pdf``, checked against who may sign for the body ``xml`` names."""
        digest = arkivmelding.sha256_file(pdf)
        if digest not in self.verified:
            body = arkivmelding.body_identifier(xml) if xml else None
            expected = self.signers.get(body) if body else None
            self.verified[digest] = verify.verify(
                pdf, self.roots, level=self.level, pins=self.pins, others=self.others,
                signers=dict(expected) if expected is not None else None,
            )  # fmt: skip
        return self.verified[digest]

    def validate(self, pdf: Path) -> pdfa.PdfaReport | str:
        """The PDF/A verdict on ``pdf``, or why it could not be read."""
        digest = arkivmelding.sha256_file(pdf)
        if digest not in self.validated:
            try:
                self.validated[digest] = pdfa.validate(pdf)
            except ValidationError as exc:
                self.validated[digest] = exc.message.split(": ", 1)[-1]
        return self.validated[digest]


def _open(path: Path, scratch: Path) -> Path:
    """The bag folder: ``path`` itself, or the single folder inside a .zip."""
    if path.is_dir():
        links = zipsafe.links_in(path)
        if links:
            raise PackageError(f"{display(path)}: symbolic links in the bag: {', '.join(links)}")
        return path
    if not path.exists():
        raise PackageError(f"{display(path)}: not found")
    if not zipfile.is_zipfile(path):
        raise PackageError(f"{display(path)} is neither a bag folder nor a .zip file")
    zipsafe.extract(path, scratch, one_folder=True)
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


def _check_pdfa(data: Path, report: PackageReport, judge: _Judge, label: str = "") -> None:
    """Every PDF of the payload valid for the PDF/A part (and PDF/UA) it claims."""
    pdfs = sorted((data / "dokumenter").rglob("*.pdf")) if not label else sorted(data.glob("*.pdf"))
    for pdf in pdfs:
        rel = f"{label}: {pdf.name}" if label else str(pdf.relative_to(data))
        result = judge.validate(pdf)
        if isinstance(result, str):
            report.problems.append(f"{rel}: {result}")
        elif result.valid:
            report.checked.append(f"{rel}: {result.claimed} valid")
        else:
            report.problems.append(f"{rel}: not valid PDF/A: {result.summary}")


# Each message's XML file, by the Fiks Arkiv message type that melding.json gives.
PAYLOADS = {MESSAGE_TYPE: "arkivmelding.xml", updates.UPDATE: updates.UPDATE_FILE,
            updates.NEW_FILE: updates.NEW_FILE_FILE}  # fmt: skip


def _is_message(path: Path) -> bool:
    """A Fiks Arkiv message (melding.json, or arkivmelding.xml, at its top), not a bag."""
    tops = {"melding.json", *PAYLOADS.values()}
    if path.is_dir():
        return any((path / t).is_file() for t in tops) and not (path / "bagit.txt").exists()
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            return bool(tops & set(zf.namelist()))
    return False


def check_message(
    path: Path, report: PackageReport, judge: _Judge, *, key: str | None = None
) -> None:
    """The Fiks Arkiv message as the archive's Fiks Arkiv endpoint takes it: the schema, the
    message type, every referanseDokumentfil a file of the message (same checksum and size),
    every file named by it, the signed original verified and every PDF validated — and, beside
    a bag (``key``), about the same meeting as the bag."""
    label = path.name
    with tempfile.TemporaryDirectory() as scratch:
        folder = path
        if path.is_dir():
            links = zipsafe.links_in(path)
            if links:
                report.problems.append(f"{label}: symbolic links: {', '.join(links)}")
                return
        else:
            folder = Path(scratch)
            try:
                zipsafe.extract(path, folder, one_folder=False)
            except PackageError as exc:
                report.problems.append(f"{label}: {exc.message.split(': ', 1)[-1]}")
                return
        try:
            kind = json.loads((folder / "melding.json").read_text(encoding="utf-8"))["meldingstype"]
        except (OSError, ValueError, KeyError, TypeError):
            kind = MESSAGE_TYPE if (folder / "arkivmelding.xml").is_file() else None
        if kind not in PAYLOADS:
            report.problems.append(f"{label}: melding.json gives no Fiks Arkiv message type this "
                                   f"package can hold ({', '.join(PAYLOADS)})")  # fmt: skip
            return
        if kind != MESSAGE_TYPE:
            _later_message(folder, kind, report, label, key)
            _check_pdfa(folder, report, judge, label)
            return
        xml_path = folder / "arkivmelding.xml"
        if not xml_path.is_file():
            report.problems.append(f"{label}: arkivmelding.xml is missing")
            return
        xml = xml_path.read_bytes()
        if not _message_files(folder, xml, report, label):
            return
        filed = arkivmelding.record_key(xml)
        if key is not None and filed != key:
            report.problems.append(f"{label}: its arkivmelding.xml files another meeting "
                                   f"({filed}) than the bag ({key})")  # fmt: skip
        signed = meaning.signed_original(folder, xml, report.problems, label=label)
        if signed is not None:
            verdict = judge.verify(signed, xml)
            _signatures(report, verdict, f"{label}: {signed.name}")
            report.problems += [f"{label}: {p}" for p in meaning.shows(xml, signed, verdict,
                                                                      signed.name)]  # fmt: skip
        _check_pdfa(folder, report, judge, label)


def _message_files(folder: Path, xml: bytes, report: PackageReport, label: str) -> bool:
    """The schema, the message type, and every file named and every name a file. False when
    arkivmelding.xml does not validate (then nothing more in it is relied on)."""
    errors = arkivmelding.schema_errors(xml)
    report.problems += [f"{label}: arkivmelding.xml: {e}" for e in errors]
    before = len(report.problems)
    _files_named(folder, arkivmelding.listed_files(xml), "arkivmelding.xml", report, label)
    if len(report.problems) == before and not errors:
        report.checked.append(f"{label}: Fiks Arkiv message ({MESSAGE_TYPE}): every file "
                              "named, every name a file, same checksums")  # fmt: skip
    return not errors


def _files_named(
    folder: Path, listed: list[tuple[str, str, int]], name: str, report: PackageReport,
    label: str,
) -> None:  # fmt: skip
    """Every file the message's XML (``name``) lists is a file of the message, by its name
    alone, with the checksum and size given; and every file of the message is listed."""
    named = set()
    for ref, checksum, size in listed:
        named.add(ref)
        file = folder / ref
        if "/" in ref or not file.is_file():
            report.problems.append(f"{label}: {name} names {ref}, which is not a file of the "
                                   "message")  # fmt: skip
        elif arkivmelding.sha256_file(file) != checksum or file.stat().st_size != size:
            report.problems.append(f"{label}: {ref} differs from {name}")
    extra = sorted(p.name for p in folder.iterdir() if p.name not in named | {name, "melding.json"})
    report.problems += [f"{label}: {n} is not named in {name}" for n in extra]


def _later_message(
    folder: Path, kind: str, report: PackageReport, label: str, key: str | None
) -> None:
    """An update of the registrering the archive made, or a new version of one of its
    documents: valid against its V1 schema, about the bag's record (its key), every file it
    names there with the same checksum and size, nothing else."""
    name = PAYLOADS[kind]
    try:
        xml = (folder / name).read_bytes()
    except OSError:
        report.problems.append(f"{label}: {name} is missing")
        return
    schema = updates.UPDATE_SCHEMA if kind == updates.UPDATE else updates.NEW_FILE_SCHEMA
    errors = parts.schema_errors(xml, schema)
    report.problems += [f"{label}: {name}: {e}" for e in errors]
    if errors:
        return
    before = len(report.problems)
    about = updates.about(xml)
    own = key is None or about == key or about.startswith(f"{key}/dokument/")
    if not own:
        report.problems.append(f"{label}: {name} is about {about}, not the bag's record {key}")
    _files_named(folder, updates.listed_files(xml), name, report, label)
    if len(report.problems) == before:
        report.checked.append(f"{label}: Fiks Arkiv message ({kind}) about {about}: valid, "
                              "every file named, same checksums")  # fmt: skip


def _signatures(report: PackageReport, signatures: verify.VerifyReport, name: str) -> None:
    if signatures.valid:
        report.checked.append(f"{name}: {signatures.summary}")
    else:
        report.problems.append(f"{name} signatures: {signatures.summary}")
