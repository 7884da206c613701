"""The product's story in one place.

load → check → render docx → convert to PDF/A (the attachments alongside, from the start) →
merge (with empty signature fields) → validate → sign per signatory → final timestamp → package.

Each stage is a function from inputs (paths, the validated model) to outputs (paths) inside the
meeting's output folder ``out/<meeting id>/``; intermediate files live in its ``work/`` folder
(build/work.py), results are written atomically, the final result last. A file that carries
signatures is never overwritten by a rebuild.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import json
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import settings
from .archive import record as archive_record
from .archive.package import PackageResult, make_package
from .build import rounds, work
from .build.attachments import Attachments
from .build.layout import (
    attachment_name,
    lock_for,
    main_pdf,
    out_dir_for,
    refuse_if_signed,
    stem,
)
from .build.report import (
    changed_sources,
    fingerprint,
    is_stale,
    report_path,
    require_unchanged,
    snapshot,
)
from .build.result import BuildResult, Options
from .config import Config
from .document import lang
from .document.docxpost import draft_overlay
from .document.render import DocKind, render_docx, transparent_images
from .errors import InputError, PackageError, ValidationError
from .fsutil import clean_parts, locked
from .meeting import inputs, templates
from .meeting.check import Problem, require_clean
from .meeting.load import display, load_meeting, locate
from .meeting.model import Meeting
from .pdf import assemble, pages, pdfa, tagging
from .pdf.convert import signed_originals
from .pdf.fields import is_signed
from .signing import intake, ledger, pades
from .signing.trust import trust
from .tools import libreoffice, verapdf
from .tools.libreoffice import Converter, PdfaLevel

log = logging.getLogger(__name__)

Progress = Callable[[str], None]


# --- build: the documents -----------------------------------------------------------------------


def build(
    meeting_file: Path,
    out_root: Path = Path("out"),
    *,
    level: PdfaLevel = "2b",
    pdf: bool = True,
    template: Path | None = None,
    kind: DocKind = "referat",
    draft: bool = False,
    converter: Converter | None = None,
    converter_choice: libreoffice.Choice = "auto",
    progress: Progress | None = None,
    root: Path | None = None,
    new_round: bool = False,
) -> BuildResult:
    """Build one meeting (minutes or notice) or agreement into ``out_root/<id>/``. ``root``: the
    folder tree the meeting's files must lie in (default: its body's folder). ``new_round``:
    when the document is signed, keep that round aside (build/rounds.py) and build again."""
    say = progress or (lambda _msg: None)
    say("load")
    meeting = load_meeting(meeting_file, root)
    require_clean(meeting)  # before the lock: a refused meeting leaves nothing behind
    if template is not None:
        inputs.check_file(template, limit=settings.attachment_limit())
    options = Options(level, pdf, template, kind, draft)
    with locked(lock_for(meeting, out_root)):
        out = out_dir_for(meeting, out_root)
        clean_parts(out)
        kept = None
        if new_round and pdf and is_signed(main_pdf(meeting, out)):
            kept = rounds.set_aside(out)
            say(f"new signing round: the signed document and its outputs kept in {display(kept)}")
        try:
            with work.cleaned_on_failure(out):
                return _build(meeting, out_root, options, converter, converter_choice, say)
        except BaseException:
            if kept is not None:
                rounds.restore(out, kept)
            raise


@dataclass(frozen=True)
class _Job:
    """One build under way: what it makes, where, and whom it tells."""

    meeting: Meeting
    options: Options
    out: Path  # the output folder
    work: Path  # scratch
    stage: Path  # the outputs, until every one has passed
    name: str  # referat, innkalling, avtale; -utkast
    final: bool  # minutes and agreements get signature fields; notices and drafts never do
    say: Progress


def _build(
    meeting: Meeting,
    out_root: Path,
    options: Options,
    converter: Converter | None,
    converter_choice: libreoffice.Choice,
    say: Progress,
) -> BuildResult:
    """Everything is made in ``work/ut/`` and validated there; only a build whose every PDF
    passes moves into the output folder. A failed build leaves the previous outputs as they
    were, and its report in ``work/`` (:func:`.work.cleaned_on_failure`, around every call)."""
    job, result = _start(meeting, out_root, options, say)
    originals = signed_originals(meeting, out_root)  # agreements already signed on their own
    if not options.pdf:
        _render(job, result, originals)
        assert result.sources is not None
        require_unchanged(meeting, result.sources)
        work.commit(job.stage, job.out, [result.docx.name], [])
        shutil.rmtree(job.work, ignore_errors=True)
        return result
    public = job.final and bool(meeting.exempt_bases())
    office = 1 + sum(a.file.suffix.lower() in (".docx", ".odt") for a in meeting.data.attachments)
    with contextlib.ExitStack() as stack:
        conv = converter or stack.enter_context(
            libreoffice.converter_for(converter_choice, office + public, say)
        )
        # Threads mostly wait (for Ghostscript, soffice, the validator): more than cores.
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=4)
        # The attachments first, side by side, while the minutes are rendered.
        attachments = Attachments(pool, meeting, job.work, conv, say, options, signed=job.final,
                                  originals=originals)  # fmt: skip
        stack.callback(lambda: pool.shutdown(wait=not attachments.cancelled.is_set(),
                                             cancel_futures=True))  # fmt: skip
        stack.push(functools.partial(_interrupted, attachments))  # before the shutdown waits
        render = _render(job, result, originals)
        _to_pdf(job, result, conv, attachments)
        if public:
            _public_version(job, result, conv, render)
    _validate(job, result)
    _commit(job, result)
    return result


def _interrupted(
    attachments: Attachments, kind: type[BaseException] | None, _exc: object, _tb: object
) -> bool:
    """Ctrl-C during a build: the attachments' work is stopped, not waited for, so that the
    command ends in seconds whatever it was converting (its outputs are left as they were, as
    for any failure)."""
    if kind is not None and issubclass(kind, KeyboardInterrupt):
        attachments.cancel()
    return False


def _start(
    meeting: Meeting, out_root: Path, options: Options, say: Progress
) -> tuple[_Job, BuildResult]:
    """Check again under the lock, refuse what must not be built, and make the work folder."""
    say("check")
    warnings = require_clean(meeting)
    start = snapshot(meeting)  # what is built is what was read now, and the report says so
    if meeting.data.draft and not options.draft:
        raise InputError(
            f"{display(meeting.source)} is marked as a draft (draft = true); the final build "
            "refuses to run",
            hint="build it with --draft, or remove the mark once the minutes are approved",
        )
    out = out_dir_for(meeting, out_root)
    name = stem(meeting, options.kind, options.draft)
    if options.pdf:
        refuse_if_signed(out / f"{name}.pdf")
        verapdf.prestart()  # the validator's JVM starts while the documents are converted
    scratch, stage = work.fresh(out)
    final = not options.draft and options.kind == "referat"
    job = _Job(meeting, options, out, scratch, stage, name, final, say)
    result = BuildResult(meeting, out, out / f"{name}.docx", level=options.level, warnings=warnings,
                         sources=start, draft=options.draft, final=final)  # fmt: skip
    kind = "avtale" if meeting.kind == "avtale" else options.kind
    result.template = templates.find(meeting.body_source.parent, kind, options.template)
    if kind == "innkalling":  # minutes may say "Sak 1" and its text; a notice has only that
        result.warnings += _untitled(meeting)
    if options.template is not None:  # the body's own template: check has said it
        result.warnings += [
            Problem("warning", str(result.template), f"the template's font '{font}' is not "
                    "installed here; LibreOffice uses another one", "template_font",
                    (("font", font),))
            for font in templates.missing_fonts(result.template)
        ]  # fmt: skip
    return job, result


def _untitled(meeting: Meeting) -> list[Problem]:
    """A notice lists each agenda item by number and title; one without a title is a bare
    number there, which tells the members nothing (nothing is made up in its place)."""
    found = []
    for i, item in enumerate(meeting.data.items):
        if item.title or (item.kind == "orientering" and item.presenter):
            continue
        number = lang.case_numbers(meeting, item.numbers, item.series)
        said = f"the notice lists '{number}' by its number alone: the item has no title"
        where = locate(meeting.source, ("items", i))
        found.append(
            Problem("warning", where, said, "notice_untitled", (("item", number),), ("items", i))
        )
    return found


def _render(job: _Job, result: BuildResult, originals: frozenset[int]) -> Callable[..., bytes]:
    """Render the Word document into the stage; returns the renderer (the public version is the
    same document in another variant)."""
    job.say("render docx")
    options = job.options
    draft_note = lang.oslo_now() if options.draft else None
    render = functools.partial(
        render_docx, job.meeting, options.template, kind=options.kind, draft=draft_note,
        originals=originals,
    )  # fmt: skip
    docx_bytes = render()
    (job.stage / result.docx.name).write_bytes(docx_bytes)
    if options.pdf and options.level.startswith("1"):
        transparent = transparent_images(docx_bytes)
        if transparent:
            raise InputError(
                f"the template has a transparent image ({', '.join(transparent)}); PDF/A-1 "
                "does not allow transparency (ISO 19005-1, 6.4), so it would be flattened "
                "onto white",
                hint="build with --pdfa 2b (the default), or use an image without "
                "transparency",
            )  # fmt: skip
    return render


def _finish_converted(pdf: Path, meeting: Meeting, level: PdfaLevel) -> None:
    """LibreOffice's tagged PDF/A-2, finished for PDF/UA-1 (tagging.py)."""
    if level.startswith("2"):
        tagging.finish_converted(pdf, lang.BCP47[meeting.language])


def _to_pdf(job: _Job, result: BuildResult, conv: Converter, attachments: Attachments) -> None:
    """The minutes converted, the attachments (converted meanwhile) merged in behind them,
    with the empty signature fields of a final document."""
    meeting, level, name = job.meeting, result.level, job.name
    body = job.work / f"{name}-uten-vedlegg.pdf"
    job.say(f"convert {name} to PDF/A")
    conv.convert(job.stage / result.docx.name, body, level)
    _finish_converted(body, meeting, level)
    result.attachments = attachments.results()
    if job.options.draft and result.attachments:
        job.say("mark attachment pages UTKAST")
        overlay = job.work / "utkast.pdf"
        docx = job.work / "utkast.docx"
        docx.write_bytes(draft_overlay(job.stage / result.docx.name))
        conv.convert(docx, overlay, level)
        for done in result.attachments:
            pages.stamp_pages(done.pdf, overlay)
    job.say("merge")
    result.pdf = job.stage / f"{name}.pdf"
    fields = meeting.signatories if job.final else None
    merged = assemble.merge(body, result.attachments, result.pdf, level, fields,
                            accessible=not job.options.draft,
                            title=_title(meeting, job.options),
                            language=meeting.language)  # fmt: skip
    result.parts, result.claim, result.untagged = merged.parts, merged.claim, merged.untagged
    assemble.require_parts(result.pdf, result.attachments)
    if result.claim == "2a":
        accessible, result.accessibility_note = tagging.settle(result.pdf)
        result.claim = "2a" if accessible else "2b"
    if job.final:
        # Each attachment also on its own: the archive registers them as separate documents.
        folder = job.stage / "vedlegg"
        folder.mkdir()
        for done in result.attachments:
            target = folder / attachment_name(done)
            shutil.copyfile(done.pdf, target)
            done.pdf = target


def _title(meeting: Meeting, options: Options) -> str:
    """The merged document's title: the body's name for its minutes, else the kind's."""
    title = meeting.labels["notice" if options.kind == "innkalling" else "minutes"]
    if options.kind == "referat" and meeting.kind == "referat":
        title = meeting.document_type or title
    elif meeting.kind == "avtale":
        title = meeting.labels["agreement"]
    return title


def _public_version(
    job: _Job, result: BuildResult, conv: Converter, render: Callable[..., bytes]
) -> None:
    """The public version is the minutes' text with exempt parts replaced, accessible (PDF/UA-1,
    PDF/A-2a); the non-exempt attachments are published beside it as they are — merging
    untagged attachment pages into it would make it inaccessible."""
    job.say("public version")
    level = job.options.level
    docx = job.stage / f"{job.name}-offentlig.docx"
    docx.write_bytes(render(variant="public"))
    plain = job.work / f"{job.name}-offentlig-uten-vedlegg.pdf"
    conv.convert(docx, plain, level)
    _finish_converted(plain, job.meeting, level)
    result.public_pdf = job.stage / f"{job.name}-offentlig.pdf"
    result.public_claim = assemble.merge(plain, [], result.public_pdf, level).claim
    if result.public_claim == "2a":
        result.public_claim = "2a" if tagging.settle(result.public_pdf)[0] else "2b"


def _validate(job: _Job, result: BuildResult) -> None:
    """Every PDF of the build by veraPDF's engine; the report written into the stage, or — when
    one fails — kept in work/ and the build refused."""
    assert result.pdf is not None
    job.say("validate PDF/A (veraPDF)")
    checked = [result.pdf, *([result.public_pdf] if result.public_pdf else [])]
    checked += [c.pdf for c in result.attachments if job.final]
    result.validations = [pdfa.validate(pdf) for pdf in checked]
    result.validation = result.validations[0]
    result.built = fingerprint(result.pdf)
    work.final_paths(result, job.stage, job.out)
    assert result.sources is not None
    require_unchanged(job.meeting, result.sources)
    result.report = report_path(job.out, job.name)
    report = json.dumps(result.as_dict(), ensure_ascii=False, indent=2).encode("utf-8")
    failed = [v for v in result.validations if not v.valid]
    if failed:
        kept = job.work / result.report.name
        kept.write_bytes(report)
        raise ValidationError(
            "; ".join(f"{Path(v.file).name} is not valid PDF/A: {v.summary}" for v in failed)
            + f". Nothing was replaced: the previous outputs in {display(job.out)} are as they "
            "were",
            hint=pdfa.advice(failed, job.options.level) or f"details in {display(kept)}",
        )
    (job.stage / result.report.name).write_bytes(report)


def _commit(job: _Job, result: BuildResult) -> None:
    """The staged outputs into the output folder, the report last; what the previous build
    made and this one did not goes."""
    assert result.pdf is not None and result.report is not None
    name = job.name
    files = [result.docx.name, result.pdf.name]
    if result.public_pdf:
        files += [f"{name}-offentlig.docx", result.public_pdf.name]
    stale = [] if result.public_pdf else [f"{name}-offentlig.docx", f"{name}-offentlig.pdf"]
    stale.append(ledger.path(result.pdf).name)  # a new PDF: no signing history yet
    work.commit(job.stage, job.out, [*files, result.report.name], stale,
                folder="vedlegg" if job.final else None)  # fmt: skip
    shutil.rmtree(job.work, ignore_errors=True)


# --- the whole pipeline -------------------------------------------------------------------------


@dataclass
class Status:
    meeting: str
    out_dir: Path
    built: bool
    signed: list[str]
    waiting: list[str]
    timestamped: bool
    package: Path | None
    next_step: str
    stale: bool = False  # the sources changed after the (signed) document was built
    unchecked: bool = False  # a signature made elsewhere was saved over the file, not taken in
    archive: str | None = None  # what was sent to the archive and what it answered
    archived: dict[str, object] | None = None  # the archive's identities, from its receipt

    def as_dict(self) -> dict[str, object]:
        data = dict(self.__dict__)
        data["out_dir"] = str(self.out_dir)
        data["package"] = str(self.package) if self.package else None
        return data


def status(meeting_file: Path, out_root: Path, config: Config, root: Path | None = None) -> Status:
    """Where a meeting stands, without changing anything — but a half-written file that a
    killed command left (a part file of a process that no longer runs) goes: it is no output."""
    meeting = load_meeting(meeting_file, root)
    out = out_dir_for(meeting, out_root)
    clean_parts(out)
    pdf = main_pdf(meeting, out)
    built = pdf.is_file()
    fields = pades.signing_state(pdf) if built else []
    signed = [f.role for f in fields if f.signed]
    waiting = (
        [f.role for f in fields if not f.signed] if built else [s.role for s in meeting.signatories]
    )
    timestamped = built and pades.has_document_timestamp(pdf)
    zipped = out / "pakke" / f"{meeting.id}.zip"
    package = zipped if zipped.is_file() and zipped.stat().st_mtime >= pdf.stat().st_mtime else None
    stale = built and is_stale(meeting, out)
    unchecked = built and ledger.unchecked(pdf) is not None
    if not built:
        step = "build"
    elif unchecked:
        step = f"take in the signature saved over {pdf.name} ('referatbygg run')"
    elif waiting:
        step = f"waiting for {waiting[0]}'s signature"
    elif config.final_timestamp and not timestamped:
        step = "final timestamp"
    elif package is None:
        step = "archive"
    else:
        step = "done"
    dealt = archive_record.read(out)
    return Status(meeting.id, out, built, signed, waiting, timestamped, package, step, stale,
                  unchecked, dealt.summary(), dealt.archive or None)  # fmt: skip


@dataclass
class RunResult:
    status: Status
    did: list[str] = field(default_factory=list)
    package: PackageResult | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "status": self.status.as_dict(),
            "did": self.did,
            "package": self.package.as_dict() if self.package else None,
        }


def run(
    meeting_file: Path,
    out_root: Path,
    config: Config,
    *,
    level: PdfaLevel = "2b",
    converter: Converter | None = None,
    converter_choice: libreoffice.Choice = "auto",
    ask: Callable[[str], str] | None = None,
    progress: Progress | None = None,
    root: Path | None = None,
) -> RunResult:
    """check → build → sign (each signatory with credentials here, in order) → timestamp →
    archive. Finished stages are not redone: a signed file is never rebuilt, a signature never
    repeated. Stops, without error, where a signatory has no credentials on this machine."""
    say = progress or (lambda _msg: None)
    meeting = load_meeting(meeting_file, root)
    require_clean(meeting)  # before the lock: a refused meeting leaves nothing behind
    with locked(lock_for(meeting, out_root)):
        clean_parts(out_dir_for(meeting, out_root))
        return _run(meeting, meeting_file, out_root, config, level, converter,
                    converter_choice, ask, say)  # fmt: skip


def _run(
    meeting: Meeting,
    meeting_file: Path,
    out_root: Path,
    config: Config,
    level: PdfaLevel,
    converter: Converter | None,
    converter_choice: libreoffice.Choice,
    ask: Callable[[str], str] | None,
    say: Progress,
) -> RunResult:
    out = out_dir_for(meeting, out_root)
    pdf = main_pdf(meeting, out)
    did: list[str] = []
    stale = False
    if pdf.is_file() and is_signed(pdf):
        say("build: already signed, kept as it is")
        stale = is_stale(meeting, out)
        if stale:
            log.warning("%s changed after %s was built and signed", meeting.source.name, pdf.name)
            say(f"WARNING: {meeting.source.name} or its attachments changed after the signed "
                f"{pdf.name} was built; it does not show those changes")  # fmt: skip
    else:
        with work.cleaned_on_failure(out):
            _build(meeting, out_root, Options(level), converter, converter_choice,
                   lambda m: say(f"build: {m}"))  # fmt: skip
        did.append("build")
    if ledger.unchecked(pdf) is not None:
        did.append(intake.take_in_saved(pdf, config, say))
    for f in pades.signing_state(pdf):
        if f.signed:
            continue
        if not config.signs_here(f.role):
            say(f"waiting for {f.role}'s signature (no credentials for {f.role} here: "
                "'referatbygg receive' takes in a file signed elsewhere)")  # fmt: skip
            return RunResult(status(meeting_file, out_root, config, meeting.root), did)
        if stale:  # a signature now would sign what the minutes no longer say
            raise InputError(
                f"{display(meeting.source)} changed after {display(pdf)} was built and signed; "
                f"{f.role} does not sign a document that does not show the change",
                hint=f"start a new signing round: referatbygg build --new-round "
                f"{display(meeting.source)} (the signed file is kept in tidligere/)",
            )
        say(f"sign: {f.role}")
        pades.sign(pdf, f.role, config, ask=ask)
        did.append(f"sign {f.role}")
    if config.final_timestamp and not pades.has_document_timestamp(pdf):
        say("final timestamp")
        pades.timestamp(pdf, config)
        did.append("timestamp")
    say("archive")
    package = make_archive(meeting, out_root, config, progress=lambda m: say(f"archive: {m}"))
    did.append("archive")
    return RunResult(status(meeting_file, out_root, config, meeting.root), did, package)


def make_archive(
    meeting: Meeting, out_root: Path, config: Config, *, progress: Progress | None = None
) -> PackageResult:
    """The archive package of a signed meeting; each document described at the PDF/A level it
    claims."""
    out = out_dir_for(meeting, out_root)
    changed = changed_sources(meeting, out)
    if changed:
        pdf = main_pdf(meeting, out)
        raise PackageError(
            f"{', '.join(changed)} changed after {display(pdf)} was built"
            + (" and signed" if pdf.is_file() and is_signed(pdf) else "")
            + ": the document does not show the changes, and its metadata would not match it; "
            "nothing was packaged",
            hint="put the files back as they were when it was built, or start a new signing "
            f"round: 'referatbygg build --new-round {display(meeting.source)}' (the archive's "
            "records of the meeting stay the same), then sign again",
        )
    tr = trust(config)
    return make_package(
        meeting, out, tr.roots,
        need_timestamp=config.final_timestamp, signature_level=config.signature_level,
        pins=config.pins(), others=tr.others, progress=progress, profile=config.archive,
    )  # fmt: skip
