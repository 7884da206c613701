"""The archive package: a BagIt bag (RFC 8493) with the signed minutes, each attachment as PDF/A,
the production formats, ``arkivmelding.xml`` and the validation evidence; beside it the Fiks
Arkiv message.

Payload (``data/``)::

    arkivmelding.xml                 Fiks Arkiv V1 arkivmelding (opprett)
    dokumenter/referat.pdf           the signed minutes, PDF/A, attachments merged
    dokumenter/vedlegg/NN-….pdf      each attachment on its own, PDF/A
    produksjon/referat.docx          production format of the minutes
    produksjon/kilde/*.toml          the meeting and body files it was built from
    bevis/verify-referat.json        the signature report at packing time
    bevis/bygg-referat.json          the build record: the document as built (SHA-256, size)
                                     and the SHA-256 of every source it was built from
    bevis/validate-*.json            the PDF/A report of every PDF in the payload

The bag is built in a temporary folder and renamed into place, the zip written atomically, so a
package is either whole or absent. What the receiving archive runs is check.py.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import datetime as dt
import json
import logging
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bagit

from .. import __version__, verify
from ..build import report as build_report
from ..config import ArchiveProfile
from ..document import lang
from ..errors import PackageError
from ..fsutil import atomic_path
from ..meeting.load import display
from ..meeting.model import Meeting
from ..pdf import pdfa
from ..pdf.fields import signature_fields
from . import arkivmelding, identities
from .arkivmelding import MESSAGE_TYPE, DocFile, Document

log = logging.getLogger(__name__)

Progress = Callable[[str], None]


@dataclass
class PackageResult:
    bag: Path
    zip: Path
    files: int
    message: Path | None = None  # the Fiks Arkiv message folder (and .zip beside it)

    def as_dict(self) -> dict[str, Any]:
        return {"bag": str(self.bag), "zip": str(self.zip), "files": self.files,
                "fiks_arkiv": str(self.message) if self.message else None}  # fmt: skip


def missing_for_archive(pdf: Path, need_timestamp: bool = True) -> list[str]:
    """What keeps ``pdf`` from being archived: unsigned roles, the final timestamp."""
    from pypdf import PdfReader

    from ..signing.pades import has_document_timestamp

    if not pdf.is_file():
        return ["the minutes have not been built"]
    missing = [f"{f.role}'s signature" for f in signature_fields(PdfReader(pdf)) if not f.signed]
    if need_timestamp and not has_document_timestamp(pdf):
        missing.append("the final document timestamp")
    return missing


def fmt_of(pdf: Path) -> str:
    """The PDF/A part and level ``pdf`` claims, as FORMATS names it ('PDF/A-2a')."""
    from pypdf import PdfReader

    claim = pdfa.claimed(PdfReader(pdf))
    return f"PDF/A-{claim[0]}{claim[1].lower()}" if claim else "PDF/A-2b"


def _json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


def make_package(
    meeting: Meeting,
    out_dir: Path,
    roots: list[Any],
    *,
    need_timestamp: bool = True,
    signature_level: verify.Level = "B-LTA",
    pins: dict[str, verify.identity.Pin] | None = None,
    others: list[Any] | None = None,
    progress: Progress | None = None,
    now: dt.datetime | None = None,
    profile: ArchiveProfile | None = None,
) -> PackageResult:
    """Pack the signed minutes in ``out_dir`` into ``out_dir/pakke/<id>/`` and ``<id>.zip``
    (the BagIt package), and ``<id>.fiks-arkiv/`` and ``.zip`` (the Fiks Arkiv message)."""
    say = progress or (lambda _m: None)
    name = meeting.kind  # referat or avtale
    missing = missing_for_archive(out_dir / f"{name}.pdf", need_timestamp)
    if missing:
        raise PackageError(
            f"{meeting.id} cannot be archived yet: missing {', '.join(missing)}",
            hint="sign with 'referatbygg sign', then 'referatbygg timestamp'",
        )
    now = now or dt.datetime.now(dt.UTC).astimezone()
    target = out_dir / "pakke"
    target.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{meeting.id}.", dir=target))
    try:
        say("collect documents")
        title, documents = _collect(meeting, out_dir, staging)
        say("evidence: signatures and PDF/A")
        who = {s.role: s.name for s in meeting.signatories}  # as the meeting's files say
        report = _evidence(staging, name, roots, signature_level, pins, others, who)
        _build_record(meeting, out_dir, staging)
        say("arkivmelding.xml")
        documents[0] = dataclasses.replace(
            documents[0], details=f"PAdES {report.level}, {documents[0].files[0].fmt}"
        )
        ids = identities.assign(out_dir, {d.key: d.files[0].sha256 for d in documents})
        ctx = arkivmelding.Context(ids, profile or ArchiveProfile(),
                                   signed_lines(meeting, report, now), authors(meeting),
                                   adopted(meeting, out_dir.parent))  # fmt: skip
        xml = arkivmelding.build(meeting, documents, now, ctx)
        errors = arkivmelding.schema_errors(xml)
        if errors:  # a bug in referatbygg, not in the user's input
            raise PackageError("arkivmelding.xml does not validate: " + "; ".join(errors))
        (staging / "arkivmelding.xml").write_bytes(xml)
        message = arkivmelding.build(meeting, documents, now, dataclasses.replace(ctx, flat=True))
        say("bag (SHA-256, SHA-512)")
        _bag(meeting, staging, title, now)
        bag = target / meeting.id
        _swap(staging, bag)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    say("zip")
    archive = _zip(bag, target / f"{meeting.id}.zip", Path(meeting.id))
    say("Fiks Arkiv message")
    payload = fiks_payload(target, meeting.id, message, documents, bag / "data")
    return PackageResult(bag, archive, sum(len(d.files) for d in documents), payload)


def _collect(meeting: Meeting, out_dir: Path, staging: Path) -> tuple[str, list[Document]]:
    """The documents copied into the payload, each described for arkivmelding: the signed
    original (and its production format and sources), the public version, the attachments."""
    name, pdf = meeting.kind, out_dir / f"{meeting.kind}.pdf"
    docs = staging / "dokumenter"
    (docs / "vedlegg").mkdir(parents=True)
    shutil.copyfile(pdf, docs / f"{name}.pdf")
    prod = staging / "produksjon"
    (prod / "kilde").mkdir(parents=True)
    shutil.copyfile(out_dir / f"{name}.docx", prod / f"{name}.docx")
    for src in (meeting.source, meeting.body_source):
        shutil.copyfile(src, prod / "kilde" / src.name)
    files = [
        DocFile(f"dokumenter/{name}.pdf", docs / f"{name}.pdf", "S", fmt_of(pdf)),
        DocFile(f"produksjon/{name}.docx", prod / f"{name}.docx", "P", "DOCX"),
    ]
    if meeting.kind == "avtale":
        title, kind = meeting.data.title or name, "AVTALE"
    else:
        title, kind = (
            f"{meeting.document_type or 'Referat'} – {meeting.body.name} "
            f"{meeting.data.date.isoformat()}",
            "PROTOKOLL",
        )
    # Skjerming on the signed original when it holds exempt content — its text, or an
    # exempt attachment merged into it — and nowhere else: the public version is its own
    # document, public.
    bases = meeting.exempt_bases()
    documents = [Document(title, True, kind, files, "; ".join(bases) or None, name)]
    public = out_dir / f"{name}-offentlig.pdf"
    if public.is_file():  # the published version, exempt parts left out
        shutil.copyfile(public, docs / public.name)
        documents.append(Document(
            f"{title} ({meeting.labels['public']})", False, kind,  # nb/nn, as the document
            [DocFile(f"dokumenter/{public.name}", docs / public.name, "O", fmt_of(public))],
            None, "offentlig",
        ))  # fmt: skip
    return title, documents + _attachments(meeting, out_dir, docs)


def _attachments(meeting: Meeting, out_dir: Path, docs: Path) -> list[Document]:
    """Each attachment as a document of its own, PDF/A, exempt where the meeting says so."""
    attachments = sorted((out_dir / "vedlegg").glob("*.pdf"))
    if len(attachments) != len(meeting.data.attachments):
        raise PackageError(
            f"{display(out_dir / 'vedlegg')} has {len(attachments)} attachment PDF(s), the "
            f"meeting lists {len(meeting.data.attachments)}; rebuild before archiving"
        )
    documents = []
    for number, (att, src) in enumerate(
        zip(meeting.data.attachments, attachments, strict=True), start=1
    ):
        shutil.copyfile(src, docs / "vedlegg" / src.name)
        documents.append(
            Document(f"{lang.item_ref(meeting, att.item)} – {att.title}", False, "VEDLEGG", [
                DocFile(f"dokumenter/vedlegg/{src.name}", docs / "vedlegg" / src.name, "A",
                        fmt_of(src))
            ], exempt=meeting.withheld(att), key=f"vedlegg-{number}")
        )  # fmt: skip
    return documents


def _evidence(
    staging: Path, name: str, roots: list[Any], level: verify.Level,
    pins: dict[str, verify.identity.Pin] | None, others: list[Any] | None,
    signers: dict[str, str | None],
) -> verify.VerifyReport:  # fmt: skip
    """The signatures verified and every PDF validated, each report written to bevis/; a
    package is only made of documents that pass."""
    docs = staging / "dokumenter"
    # veraPDF (its own process) validates while the signatures are verified here.
    pdfs = sorted(docs.rglob("*.pdf"))
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        validations = pool.map(pdfa.validate, pdfs)
        report = verify.verify(docs / f"{name}.pdf", roots, level=level, pins=pins,
                               others=others, signers=signers)  # fmt: skip
        results = list(validations)
    if not report.valid:
        raise PackageError(f"the signed minutes do not verify: {report.summary}")
    # The packed file's path in the bag, not the staging folder's.
    _json(staging / "bevis" / f"verify-{name}.json",
          report.as_dict() | {"file": f"dokumenter/{name}.pdf"})  # fmt: skip
    for file, result in zip(pdfs, results, strict=True):
        if not result.valid:
            raise PackageError(f"{file.name} is not valid PDF/A: {result.summary}")
        data = result.as_dict() | {"file": str(file.relative_to(staging))}
        _json(staging / "bevis" / f"validate-{file.stem}.json", data)
    return report


def _build_record(meeting: Meeting, out_dir: Path, staging: Path) -> None:
    """What the build report says of the signed document's first revision and its sources,
    for the archive to compare with the packed sources (check-package): the minutes show what
    the packed meeting file says. Names without the secretariat's folders; ``packed``: the
    sources in produksjon/kilde/ (the meeting and body files; attachments are documents)."""
    name = meeting.kind
    found = build_report.read(build_report.report_path(out_dir, name))
    if not found or not isinstance(found.get("sources"), dict) or not found.get("pdf_built"):
        raise PackageError(
            f"{display(out_dir)} has no readable build report for {name}.pdf: what it was built "
            "from cannot be recorded",
            hint="build, sign and archive again",
        )
    _json(staging / "bevis" / f"bygg-{name}.json", {
        "document": f"dokumenter/{name}.pdf",
        "pdf_built": found["pdf_built"],
        "sources": {Path(n).name: sha for n, sha in found["sources"].items()},
        "packed": [meeting.source.name, meeting.body_source.name],
    })  # fmt: skip


def _bag(meeting: Meeting, staging: Path, title: str, now: dt.datetime) -> None:
    bag_info = {
        "Source-Organization": meeting.body.organisation,
        "External-Identifier": meeting.id,
        "External-Description": title,
        "Bag-Software-Agent": f"referatbygg {__version__}",
        "Bagging-Date": now.date().isoformat(),
    }
    bagit.make_bag(str(staging), bag_info, checksums=["sha256", "sha512"])


def _zip(folder: Path, target: Path, inside: Path | None = None) -> Path:
    """Every file below ``folder`` into the zip ``target``, atomically: under ``inside``, or
    flat (the Fiks Arkiv message: file names alone)."""
    with atomic_path(target) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for file in sorted(folder.rglob("*") if inside else folder.iterdir()):
            if file.is_file():
                zf.write(file, inside / file.relative_to(folder) if inside else file.name)
    return target


def fiks_payload(
    target: Path, meeting_id: str, xml: bytes, documents: list[Document], data: Path
) -> Path:
    """The Fiks Arkiv message: ``arkivmelding.xml`` and the files it names, each by its name
    alone, side by side — what a Fiks IO client puts into the message's ASiC-E container —
    and ``melding.json`` with the message type. Written beside the bag as a folder and a zip."""
    folder = target / f"{meeting_id}.fiks-arkiv"
    staging = Path(tempfile.mkdtemp(prefix=f".{meeting_id}.fiks.", dir=target))
    try:
        names = []
        for doc in documents:
            for f in doc.files:
                flat = Path(f.path).name
                if flat in names:  # our own naming makes them unique; never overwrite one
                    raise PackageError(f"two files named {flat} in the Fiks Arkiv message")
                names.append(flat)
                shutil.copyfile(data / f.path, staging / flat)
        (staging / "arkivmelding.xml").write_bytes(xml)
        _json(staging / "melding.json", {"meldingstype": MESSAGE_TYPE,
                                         "filer": ["arkivmelding.xml", *names]})  # fmt: skip
        _swap(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _zip(folder, folder.with_name(f"{folder.name}.zip"))
    return folder


def _swap(staging: Path, folder: Path) -> None:
    """Put the finished ``staging`` folder in place of ``folder``: the old one is moved aside
    first and removed after, so there is always a whole one."""
    old = folder.with_name(f".{folder.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if folder.exists():
        folder.rename(old)
    staging.rename(folder)
    shutil.rmtree(old, ignore_errors=True)


def signed_lines(meeting: Meeting, report: verify.VerifyReport, now: dt.datetime) -> list[str]:
    """The archive note: who signed, as whom, when, and what verification found."""
    titles = {s.role: s.title for s in meeting.signatories}
    lines = []
    for sig in report.signatures:
        when = sig.timestamp or sig.signing_time or "?"
        if sig.kind == "signature":
            who = sig.holder or sig.signer
            lines.append(f"Signert av {who} ({titles.get(sig.field_name, sig.field_name)}) {when}")
        else:
            lines.append(f"Dokumenttidsstempel {when}")
    verdict = "gyldig" if report.valid else "ikke gyldig"
    lines.append(f"Verifisert {now.isoformat(timespec='seconds')}: {verdict}, PAdES {report.level}"
                 + (" (TESTSIGNATURER)" if report.test_signatures else ""))  # fmt: skip
    return lines


def adopted(meeting: Meeting, out_root: Path) -> list[tuple[str, str | None]]:
    """The agreements among the minutes' attachments, as references to their own records: the
    external key always, the systemID once the agreement has been packaged here."""
    if meeting.kind == "avtale":
        return []
    from ..meeting.attachments import agreements

    found: list[tuple[str, str | None]] = []
    for _index, agreement_id in agreements(meeting):
        try:
            ids = json.loads((out_root / agreement_id / identities.STATE).read_text("utf-8"))
            system_id = str(ids["registrering"])
        except (OSError, ValueError, KeyError, TypeError):
            system_id = None
        found.append((f"{agreement_id}/avtale", system_id))
    return found


def authors(meeting: Meeting) -> list[str]:
    """Forfatter: the secretary of the meeting, else the body; for an agreement, its parties."""
    data: Any = meeting.data
    if meeting.kind == "avtale":
        return [p.name for p in data.parties]
    return [p.name for p in data.participants.secretary] or [meeting.body.name]
