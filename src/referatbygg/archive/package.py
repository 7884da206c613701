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
import hashlib
import json
import logging
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bagit

from .. import __version__, verify
from ..build import report as build_report
from ..config import ArchiveProfile
from ..document import lang
from ..errors import PackageError
from ..fsutil import replace_folder, write_zip
from ..meeting.load import display
from ..meeting.model import Meeting
from ..pdf import pdfa
from ..pdf.fields import signature_fields
from . import arkivmelding, fiksio, identities, record, updates
from .arkivmelding import Note
from .parts import DocFile, Document

log = logging.getLogger(__name__)

Progress = Callable[[str], None]


@dataclass
class PackageResult:
    bag: Path
    zip: Path
    files: int
    message: Path | None = None  # the Fiks Arkiv message folder (and .zip beside it)
    kinds: list[str] = field(default_factory=list)  # the message types written
    messages: list[Path] = field(default_factory=list)  # every message folder, main first

    def as_dict(self) -> dict[str, Any]:
        return {"bag": str(self.bag), "zip": str(self.zip), "files": self.files,
                "fiks_arkiv": str(self.message) if self.message else None,
                "fiks_arkiv_messages": [
                    {"folder": str(p), "meldingstype": k}
                    for p, k in zip(self.messages, self.kinds, strict=True)
                ]}  # fmt: skip


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
    profile = profile or ArchiveProfile()
    ready(meeting, profile)
    now = now or dt.datetime.now(dt.UTC).astimezone()
    target = out_dir / "pakke"
    target.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{meeting.id}.", dir=target))
    try:
        say("collect documents")
        title, documents = _collect(meeting, out_dir, staging, profile)
        say("evidence: signatures and PDF/A")
        who = {s.role: s.name for s in meeting.signatories}  # as the meeting's files say
        report = _evidence(staging, name, roots, signature_level, pins, others, who)
        _json(staging / "bevis" / f"signaturer-{name}.json", signature_record(report, now))
        _build_record(meeting, out_dir, staging)
        say("arkivmelding.xml")
        documents[0] = dataclasses.replace(
            documents[0], details=f"PAdES {report.level}, {documents[0].files[0].fmt}"
        )
        ids = identities.assign(out_dir, {d.key: d.files[0].sha256 for d in documents})
        number = identities.organisation_number(
            meeting.body.organisation_number, profile.organisation_number, meeting.body.id
        )
        keys = identities.Keys(number, meeting.id, meeting.kind)
        ctx = arkivmelding.Context(
            ids, keys, profile, meeting.body.archive, signature_notes(meeting, report, now),
            authors(meeting), adopted(meeting, out_dir.parent, keys), archived_by(profile),
        )  # fmt: skip
        xml = arkivmelding.build(meeting, documents, now, ctx)
        errors = arkivmelding.schema_errors(xml)
        if errors:  # a bug in referatbygg, not in the user's input
            raise PackageError("arkivmelding.xml does not validate: " + "; ".join(errors))
        (staging / "arkivmelding.xml").write_bytes(xml)
        messages = _messages(meeting, documents, now, dataclasses.replace(ctx, flat=True),
                             out_dir)  # fmt: skip
        say("bag (SHA-256, SHA-512)")
        _bag(meeting, staging, title, now, keys.registration)
        bag = target / meeting.id
        replace_folder(staging, bag)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    say("zip")
    archive = write_zip(bag, target / f"{meeting.id}.zip", Path(meeting.id))
    say("Fiks Arkiv message")
    folders = fiksio.hand_off(target, meeting.id, messages, bag / "data", profile, out_dir, now,
                              arkivmelding.folder_key(xml))  # fmt: skip
    return PackageResult(bag, archive, sum(len(d.files) for d in documents), folders[0],
                         [m.kind for m in messages], folders)  # fmt: skip


def _messages(
    meeting: Meeting, documents: list[Document], now: dt.datetime, ctx: arkivmelding.Context,
    out_dir: Path,
) -> list[updates.Message]:  # fmt: skip
    """What goes to the archive: the create message the first time; once the archive has
    answered with its identities, an update of its registrering and a new version of each
    document that changed."""
    found = record.read(out_dir)
    if found.registration_id is None:
        xml = arkivmelding.build(meeting, documents, now, ctx)
        return [updates.Message(arkivmelding.MESSAGE_TYPE, "arkivmelding.xml", xml, documents,
                                ctx.keys.registration)]  # fmt: skip
    return [
        updates.update(meeting, ctx, found.archive),
        *updates.new_versions(documents, found.archived_digests(), found.archive, ctx),
    ]


def _collect(
    meeting: Meeting, out_dir: Path, staging: Path, profile: ArchiveProfile
) -> tuple[str, list[Document]]:
    """The documents copied into the payload, each described for arkivmelding: the signed
    original (and its production format and sources), the public version, the attachments.
    Each file is offered under a name of its own (filnavn: the meeting's id and the file), so
    the archive never holds two 'referat.pdf'."""
    name, pdf = meeting.kind, out_dir / f"{meeting.kind}.pdf"
    docs = staging / "dokumenter"
    (docs / "vedlegg").mkdir(parents=True)
    shutil.copyfile(pdf, docs / f"{name}.pdf")
    prod = staging / "produksjon"
    (prod / "kilde").mkdir(parents=True)
    shutil.copyfile(out_dir / f"{name}.docx", prod / f"{name}.docx")
    for src in (meeting.source, meeting.body_source):
        shutil.copyfile(src, prod / "kilde" / src.name)

    def named(path: str) -> str:
        return f"{meeting.id}-{Path(path).name}"

    files = [
        DocFile(f"dokumenter/{name}.pdf", docs / f"{name}.pdf", "S", fmt_of(pdf),
                named(f"{name}.pdf")),
        DocFile(f"produksjon/{name}.docx", prod / f"{name}.docx", "P", "DOCX",
                named(f"{name}.docx")),
    ]  # fmt: skip
    title = arkivmelding.record_title(meeting)
    kind = "AVTALE" if meeting.kind == "avtale" else "PROTOKOLL"
    # Skjerming on the signed original when it holds exempt content — its text, or an
    # exempt attachment merged into it. The public version, exempt parts left out, is the
    # same document's public variant (O), or a public document of its own, as the profile says.
    bases = meeting.exempt_bases()
    public = out_dir / f"{name}-offentlig.pdf"
    extra: list[Document] = []
    if public.is_file():
        shutil.copyfile(public, docs / public.name)
        variant = DocFile(f"dokumenter/{public.name}", docs / public.name, "O", fmt_of(public),
                          named(public.name))  # fmt: skip
        if profile.public_version == "variant":
            files.append(variant)
        else:
            extra.append(Document(
                f"{title} ({meeting.labels['public']})", False, kind,  # nb/nn, as the document
                [variant], None, "offentlig", authors=tuple(authors(meeting)),
            ))  # fmt: skip
    main = Document(title, True, kind, files, "; ".join(bases) or None, name,
                    authors=tuple(authors(meeting)))  # fmt: skip
    return title, [main, *extra, *_attachments(meeting, out_dir, docs)]


def _attachments(meeting: Meeting, out_dir: Path, docs: Path) -> list[Document]:
    """Each attachment as a document of its own, PDF/A, exempt where the meeting says so,
    written by whom the meeting file says (else the body)."""
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
                        fmt_of(src), f"{meeting.id}-vedlegg-{src.name}")
            ], exempt=meeting.withheld(att), key=f"vedlegg-{number}",
               authors=(att.author or meeting.body.name,))
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


def _bag(meeting: Meeting, staging: Path, title: str, now: dt.datetime, key: str) -> None:
    """The payload made a BagIt 1.0 bag (RFC 8493): bag-info names the organisation and the
    record's external key (what the archive files it under)."""
    bag_info = {
        "Source-Organization": meeting.body.organisation,
        "External-Identifier": key,
        "External-Description": title,
        "Bag-Software-Agent": f"referatbygg {__version__}",
        "Bagging-Date": now.date().isoformat(),
    }
    bagit.make_bag(str(staging), bag_info, checksums=["sha256", "sha512"])
    rfc8493(staging)


def rfc8493(bag: Path) -> None:
    """Declare the bag BagIt 1.0: bagit-python (1.9) writes 0.97, whose layout RFC 8493 kept;
    the declaration and the tag manifests' lines for it are made again."""
    (bag / "bagit.txt").write_bytes(b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")
    for manifest in sorted(bag.glob("tagmanifest-*.txt")):
        alg = manifest.stem.removeprefix("tagmanifest-")
        lines = []
        for line in manifest.read_text(encoding="utf-8").splitlines():
            _digest, name = line.split(" ", 1)
            digest = hashlib.new(alg, (bag / name.strip()).read_bytes()).hexdigest()
            lines.append(f"{digest} {name.strip()}\n")
        manifest.write_text("".join(lines), encoding="utf-8")


def signature_notes(meeting: Meeting, report: verify.VerifyReport, now: dt.datetime) -> list[Note]:
    """The archive notes on the signed document (V1 has no elektroniskSignatur), in the body's
    language: one per signature — signer, the role they signed as, when (by the timestamp),
    the certificate's issuer and assurance level — and the verification: when, by what, the
    result."""
    say = meeting.labels
    titles = {s.role: s.title for s in meeting.signatories}
    notes = []
    for sig in report.signatures:
        when = sig.timestamp or sig.signing_time or "?"
        if sig.kind != "signature":
            notes.append(Note(say["note_timestamp"].format(when=when)))
            continue
        level = (say["note_level"].format(level=sig.assurance) if sig.assurance
                 else say["note_no_level"])  # fmt: skip
        notes.append(Note(say["note_signature"].format(
            who=sig.holder or sig.signer, title=titles.get(sig.field_name, sig.field_name),
            when=when, issuer=sig.issuer or say["note_unknown"], level=level,
            pades=sig.pades_level, verdict=say["note_valid" if sig.valid else "note_invalid"],
        )))  # fmt: skip
    verdict = say["note_valid" if report.valid else "note_invalid"]
    notes.append(Note(say["note_verified"].format(
        when=now.isoformat(timespec="seconds"), tool=f"referatbygg {__version__}",
        verdict=verdict, level=report.level,
    ) + (" (TESTSIGNATURER)" if report.test_signatures else "")))  # fmt: skip
    return notes


def signature_record(report: verify.VerifyReport, now: dt.datetime) -> dict[str, Any]:
    """The signatures as Noark 5's elektroniskSignatur records them (Fiks Arkiv V2 carries
    it; V1 only the notes): per signature its assurance level and verification, with who
    signed, the issuer and the time — ready for the V2 message, kept in the evidence now."""
    from .codes import code

    verified = now.isoformat(timespec="seconds")
    entries = []
    for sig in report.signatures:
        if sig.kind != "signature":
            continue
        entry: dict[str, Any] = {
            "signatar": sig.holder or sig.signer, "rolle": sig.field_name,
            "utsteder": sig.issuer, "signert": sig.timestamp or sig.signing_time,
            "elektroniskSignaturVerifisert": dict(zip(("kode", "beskrivelse"),
                code("elektronisksignaturverifisert", "V" if sig.valid else "I"), strict=True)),
            "verifisertDato": verified, "verifisertAv": f"referatbygg {__version__}",
            "padesNivaa": sig.pades_level,
        }  # fmt: skip
        if sig.assurance:
            kode, beskrivelse = code("elektronisksignatursikkerhetsnivaa", sig.assurance)
            entry["elektroniskSignaturSikkerhetsnivaa"] = {"kode": kode, "beskrivelse": beskrivelse}
        entries.append(entry)
    return {"dokument": f"dokumenter/{Path(report.file).name}", "signaturer": entries,
            "testsignaturer": report.test_signatures}  # fmt: skip


def archived_by(profile: ArchiveProfile) -> str:
    """opprettetAv: the profile's archivist, else the person running this (their full name
    from the system's user database, else their login)."""
    if profile.archived_by:
        return profile.archived_by
    import getpass
    import pwd

    try:
        login = getpass.getuser()
        full = pwd.getpwnam(login).pw_gecos.split(",")[0].strip()
    except (KeyError, OSError):
        return "referatbygg"
    return full or login


def ready(meeting: Meeting, profile: ArchiveProfile) -> None:
    """What the archive needs, asked before any work: the organisation number, the meeting's
    number for a møtemappe, an access code for every exempt basis."""
    identities.organisation_number(meeting.body.organisation_number,
                                   profile.organisation_number, meeting.body.id)  # fmt: skip
    if meeting.kind != "avtale" and meeting.body.archive.filing == "moetemappe":
        arkivmelding.meeting_number(meeting)
    bases = meeting.exempt_bases()
    if bases:
        from .codes import withholding

        withholding(bases, profile)
        for att in meeting.data.attachments:
            basis = meeting.withheld(att)
            if basis:
                withholding(basis.split("; "), profile)


def adopted(
    meeting: Meeting, out_root: Path, keys: identities.Keys
) -> list[tuple[str, str | None]]:
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
        found.append((keys.agreement(agreement_id), system_id))
    return found


def authors(meeting: Meeting) -> list[str]:
    """Forfatter: the secretary of the meeting, else the body; for an agreement, its parties."""
    data: Any = meeting.data
    if meeting.kind == "avtale":
        return [p.name for p in data.parties]
    return [p.name for p in data.participants.secretary] or [meeting.body.name]
