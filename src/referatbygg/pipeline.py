"""The product's story in one place.

load → check → render docx → convert to PDF/A (the attachments alongside, from the start) →
merge (with empty signature fields) → validate → sign per signatory → final timestamp → package.

Each stage is a function from inputs (paths, the validated model) to outputs (paths) inside the
meeting's output folder ``out/<meeting id>/``; intermediate files live in its ``work/`` folder,
results are written atomically, the final result last. A file that carries signatures is never
overwritten by a rebuild.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import json
import logging
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .archive import package as archive
from .build.report import fingerprint, report_path
from .config import Config
from .document import lang, minutes
from .document.render import DocKind, render_docx, transparent_images
from .errors import InputError, PackageError, ValidationError
from .fsutil import clean_parts, locked, problem_writing, write_atomic
from .meeting import inputs, templates
from .meeting.check import Problem, require_clean
from .meeting.load import display, load_meeting
from .meeting.model import Meeting
from .pdf import assemble, pages, pdfa, tagging
from .pdf.convert import Converted, convert_attachment, signed_originals
from .pdf.fields import is_signed
from .signing import intake, ledger
from .signing import pades as signing
from .tools import libreoffice, verapdf
from .tools.libreoffice import Converter, PdfaLevel, open_converter

log = logging.getLogger(__name__)

Progress = Callable[[str], None]
ConverterChoice = Literal["auto", "warm", "cold"]
# A warm server cost ~5 s to start and ~0.15 s per document; a cold soffice ~1.0 s per document
# (KNOWN-PITFALLS, confirmed here). Below this many conversions, cold was faster. A start now
# costs ~1 s (tools/unostart.py); the threshold is kept until it is measured again.
WARM_FROM = 5


@dataclass
class BuildResult:
    meeting: Meeting
    out_dir: Path
    docx: Path
    pdf: Path | None = None
    report: Path | None = None
    level: PdfaLevel = "2b"
    parts: list[assemble.Part] = field(default_factory=list)
    attachments: list[Converted] = field(default_factory=list)
    validation: pdfa.PdfaReport | None = None  # the main PDF's
    validations: list[pdfa.PdfaReport] = field(default_factory=list)  # every PDF of the build
    warnings: list[Problem] = field(default_factory=list)
    public_pdf: Path | None = None
    built: dict[str, object] = field(default_factory=dict)  # SHA-256 and size of the PDF
    claim: str = ""  # the PDF/A level the main PDF claims: 2a (with PDF/UA-1), 2b, 1b
    untagged: list[str] = field(default_factory=list)  # attachments that keep it from level a
    accessibility_note: str | None = None  # why PDF/UA-1 failed where every page was tagged
    template: Path | None = None  # the Word template it was built with

    def claim_note(self) -> str | None:
        """Why the main PDF claims level b where level a (and PDF/UA-1) was possible."""
        if self.accessibility_note:
            return f"PDF/A-2b, not 2a with PDF/UA-1: {self.accessibility_note}"
        if not self.untagged or not self.level.startswith("2"):
            return None
        return (
            f"PDF/A-2b, not 2a with PDF/UA-1: {', '.join(self.untagged)} "
            f"{'has' if len(self.untagged) == 1 else 'have'} no structure (untagged PDF)"
        )

    def publish(self) -> list[str]:
        """What goes on the website when something is exempt: the public version and the
        attachments that are not exempt."""
        if self.public_pdf is None:
            return []
        shown = [str(c.pdf) for c in self.attachments if not self.meeting.withheld(c.attachment)]
        return [str(self.public_pdf), *shown]

    @property
    def valid(self) -> bool:
        return bool(self.validations) and all(v.valid for v in self.validations)

    def as_dict(self) -> dict[str, object]:
        return {
            "meeting": self.meeting.id,
            "body": self.meeting.body.id,
            "template": str(self.template) if self.template else None,
            # What signing needs from the document: the stamp in the text's font, the place.
            "body_font": templates.body_font(self.template) if self.template else None,
            "signing_place": minutes.signing_place(self.meeting),
            "source_digest": source_digest(self.meeting),
            "sources": sources(self.meeting),
            "out_dir": str(self.out_dir),
            "docx": str(self.docx),
            "pdf": str(self.pdf) if self.pdf else None,
            "pdf_built": self.built,
            "public_pdf": str(self.public_pdf) if self.public_pdf else None,
            "pdfa": self.claim or self.level,
            "pdfa_note": self.claim_note(),
            "publish": self.publish(),
            "parts": [
                {"title": p.title, "first_page": p.first_page + 1, "pages": p.pages}
                for p in self.parts
            ],
            "attachments": [
                {
                    "item": c.attachment.item,
                    "title": c.attachment.title,
                    "source": str(c.source),
                    "kind": c.kind,
                    "pages": c.pages,
                    "removed": c.removed,
                    "scaled_to_a4": c.scaled_to_a4,
                    "pdfa": str(c.pdf),
                }
                for c in self.attachments
            ],
            "valid": self.valid,
            "validation": self.validation.as_dict() if self.validation else None,
            "validations": [v.as_dict() for v in self.validations],
            "warnings": [w.as_dict() for w in self.warnings],
        }


def attachment_name(conv: Converted) -> str:
    """'01-pkt5-situasjonsbrief-fra-politiet.pdf': ordered, readable, safe in any file system."""
    import re
    import unicodedata

    plain = conv.attachment.title.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    plain = unicodedata.normalize("NFKD", plain).encode("ascii", "replace").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")
    return f"{conv.index + 1:02d}-pkt{conv.attachment.item}-{slug[:60] or 'vedlegg'}.pdf"


def _source_files(meeting: Meeting) -> list[tuple[str, Path | None]]:
    files: list[tuple[str, Path | None]] = [
        (display(meeting.source), meeting.source), (display(meeting.body_source),
                                                    meeting.body_source),
    ]  # fmt: skip
    for a in meeting.data.attachments:
        path = meeting.attachment_file(a).path
        files.append((display(path) if path else str(a.file), path))
    return files


def sources(meeting: Meeting) -> dict[str, str]:
    """SHA-256 of each file a build reads, by its name as shown to the user."""
    import hashlib

    return {name: hashlib.sha256(path.read_bytes()).hexdigest() if path else "(missing)"
            for name, path in _source_files(meeting)}  # fmt: skip


def source_digest(meeting: Meeting) -> str:
    """SHA-256 over everything a build reads: the meeting and body files and the attachments."""
    import hashlib

    digest = hashlib.sha256()
    for _name, file in _source_files(meeting):
        if file is None:  # missing or refused: the build will say why
            digest.update(b"(missing)\0")
            continue
        digest.update(str(file.name).encode() + b"\0")
        digest.update(file.read_bytes())
    return digest.hexdigest()


def changed_sources(meeting: Meeting, out_dir: Path) -> list[str]:
    """The source files that changed since the main document was built (per its build
    report); empty when none did or nothing was built."""
    report = report_path(out_dir, stem(meeting))
    if not report.is_file():
        return []
    data = json.loads(report.read_text(encoding="utf-8"))
    recorded = data.get("source_digest")
    if recorded is None or recorded == source_digest(meeting):
        return []
    before = data.get("sources") or {}
    now = sources(meeting)
    names = [n for n in now if before.get(n) != now[n]]
    names += [n for n in before if n not in now]
    return names or ["the meeting's files"]


def is_stale(meeting: Meeting, out_dir: Path) -> bool:
    """Whether the sources changed since the main document was built (per its build report)."""
    return bool(changed_sources(meeting, out_dir))


def out_dir_for(meeting: Meeting, out_root: Path) -> Path:
    return out_root / meeting.id


def refuse_if_signed(pdf: Path) -> None:
    if pdf.exists() and is_signed(pdf):
        raise InputError(
            f"{display(pdf)} is already signed; a rebuild would destroy the signatures",
            hint="move it away first if you really mean to rebuild and sign again",
        )


@contextmanager
def converter_for(
    choice: ConverterChoice, conversions: int, say: Progress | None = None
) -> Iterator[Converter]:
    shared = libreoffice.elsewhere()
    if shared is not None and choice != "cold":  # the background service's, already warm
        yield shared
        return
    warm = choice == "warm" or (choice == "auto" and conversions >= WARM_FROM)
    conv = open_converter(warm=warm, announce=say)
    try:
        yield conv
    finally:
        conv.close()


def lock_for(meeting: Meeting, out_root: Path) -> Path:
    return out_root / f".{meeting.id}.lock"


@dataclass(frozen=True)
class Options:
    """What to build. ``kind`` "innkalling" is the meeting notice; an agreement file always
    builds an agreement. A draft is marked UTKAST on every page and never gets signature fields."""

    level: PdfaLevel = "2b"
    pdf: bool = True
    template: Path | None = None
    kind: DocKind = "referat"
    draft: bool = False


def stem(meeting: Meeting, kind: DocKind = "referat", draft: bool = False) -> str:
    """The output name: referat, innkalling or avtale; '-utkast' for drafts."""
    name = "avtale" if meeting.kind == "avtale" else kind
    return f"{name}-utkast" if draft else name


def main_pdf(meeting: Meeting, out_dir: Path) -> Path:
    """The document that is signed and archived: referat.pdf or avtale.pdf."""
    return out_dir / f"{stem(meeting)}.pdf"


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
    converter_choice: ConverterChoice = "auto",
    progress: Progress | None = None,
    root: Path | None = None,
) -> BuildResult:
    """Build one meeting (minutes or notice) or agreement into ``out_root/<id>/``. ``root``: the
    folder tree the meeting's files must lie in (default: its body's folder)."""
    say = progress or (lambda _msg: None)
    say("load")
    meeting = load_meeting(meeting_file, root)
    require_clean(meeting)  # before the lock: a refused meeting leaves nothing behind
    if template is not None:
        inputs.check_file(template, limit=inputs.ATTACHMENT_LIMIT)
    options = Options(level, pdf, template, kind, draft)
    with locked(lock_for(meeting, out_root)):
        clean_parts(out_dir_for(meeting, out_root))
        return _build_or_clean(meeting, out_root, options, converter, converter_choice, say)


def _build_or_clean(
    meeting: Meeting,
    out_root: Path,
    options: Options,
    converter: Converter | None,
    converter_choice: ConverterChoice,
    say: Progress,
) -> BuildResult:
    """A build that fails leaves no scratch behind — only the report of a failed validation,
    in work/ — and no output folder that it created itself."""
    out = out_dir_for(meeting, out_root)
    existed = out.exists()
    try:
        return _build(meeting, out_root, options, converter, converter_choice, say)
    except BaseException as exc:
        work = out / "work"
        if isinstance(exc, ValidationError) and work.is_dir():
            shutil.rmtree(work / "ut", ignore_errors=True)
            for item in work.iterdir():
                if not item.name.endswith("build-report.json"):
                    shutil.rmtree(item) if item.is_dir() else item.unlink()
        else:
            shutil.rmtree(work, ignore_errors=True)
            if not existed and out.is_dir() and not any(out.iterdir()):
                out.rmdir()
        machine = problem_writing(exc, out)
        if machine is not None:
            raise machine from None
        raise


def draft_overlay(meeting: Meeting, docx: Path) -> bytes:
    """A one-page document holding only the draft header line of ``docx``, in the top edge of
    the page: attachment pages keep their own footer and content; only "UTKAST – bygget …"
    is added, above whatever they print."""
    import io

    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Cm

    doc = Document(str(docx))
    body = doc.element.body
    for child in list(body):
        if not child.tag.endswith("}sectPr"):
            body.remove(child)
    section = doc.sections[0]
    for ref in section._sectPr.findall(qn("w:footerReference")):
        section._sectPr.remove(ref)  # the minutes' footer is not the attachment's
    section.header_distance = Cm(0.3)
    doc.add_paragraph()
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _build(
    meeting: Meeting,
    out_root: Path,
    options: Options,
    converter: Converter | None,
    converter_choice: ConverterChoice,
    say: Progress,
) -> BuildResult:
    """Everything is made in ``work/ut/`` and validated there; only a build whose every PDF
    passes moves into the output folder. A failed build leaves the previous outputs as they
    were, and its report in ``work/``."""
    say("check")
    warnings = require_clean(meeting)
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
    work = out / "work"
    shutil.rmtree(work, ignore_errors=True)
    stage = work / "ut"
    stage.mkdir(parents=True)
    result = BuildResult(meeting, out, out / f"{name}.docx", level=options.level, warnings=warnings)
    kind = "avtale" if meeting.kind == "avtale" else options.kind
    result.template = templates.find(meeting.body_source.parent, kind, options.template)
    if options.template is not None:  # the body's own template: check has said it
        result.warnings += [
            Problem("warning", str(result.template), f"the template's font '{font}' is not "
                    "installed here; LibreOffice uses another one")
            for font in templates.missing_fonts(result.template)
        ]  # fmt: skip
    # Minutes and agreements get signature fields; notices and drafts never do.
    final = not options.draft and options.kind == "referat"
    originals = signed_originals(meeting, out_root)  # agreements already signed on their own
    office = 1 + sum(a.file.suffix.lower() in (".docx", ".odt") for a in meeting.data.attachments)
    public = final and bool(meeting.exempt_bases())
    with contextlib.ExitStack() as stack:
        attachments = None
        if options.pdf:
            conv = converter or stack.enter_context(
                converter_for(converter_choice, office + public, say)
            )
            # Threads mostly wait (for Ghostscript, soffice, the validator): more than cores.
            pool = concurrent.futures.ThreadPoolExecutor(max_workers=4)
            stack.callback(pool.shutdown, wait=True, cancel_futures=True)
            # The attachments first, side by side, while the minutes are rendered: a warm
            # LibreOffice is then free for the minutes about when they are ready, and the
            # attachments' own finishing and validation go on while it converts them.
            attachments = _Attachments(pool, meeting, work, conv, say, options, signed=final,
                                       originals=originals)  # fmt: skip
        say("render docx")
        draft_note = lang.oslo_now() if options.draft else None
        render = functools.partial(
            render_docx, meeting, options.template, kind=options.kind, draft=draft_note,
            originals=originals,
        )  # fmt: skip
        docx_bytes = render()
        (stage / result.docx.name).write_bytes(docx_bytes)
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
        if attachments is None:
            _commit(stage, out, [result.docx.name], [])
            shutil.rmtree(work, ignore_errors=True)
            return result
        _to_pdf(meeting, result, work, stage, conv, say, name, options, attachments,
                signed=final)  # fmt: skip
        if public:
            # The public version is the minutes' text with exempt parts replaced, accessible
            # (PDF/UA-1, PDF/A-2a); the non-exempt attachments are published beside it as they
            # are — merging untagged attachment pages into it would make it inaccessible.
            say("public version")
            docx = stage / f"{name}-offentlig.docx"
            docx.write_bytes(render(variant="public"))
            plain = work / f"{name}-offentlig-uten-vedlegg.pdf"
            conv.convert(docx, plain, options.level)
            _finish_converted(plain, meeting, options.level)
            result.public_pdf = stage / f"{name}-offentlig.pdf"
            if assemble.merge(plain, [], result.public_pdf, options.level).claim == "2a":
                tagging.settle(result.public_pdf)

    assert result.pdf is not None
    say("validate PDF/A (veraPDF)")
    checked = [result.pdf, *([result.public_pdf] if result.public_pdf else [])]
    checked += [c.pdf for c in result.attachments if final]
    result.validations = [pdfa.validate(pdf) for pdf in checked]
    result.validation = result.validations[0]
    result.built = fingerprint(result.pdf)
    files = [result.docx.name, result.pdf.name]
    if result.public_pdf:
        files += [f"{name}-offentlig.docx", result.public_pdf.name]
    _final_paths(result, stage, out)
    result.report = report_path(out, name)
    report = json.dumps(result.as_dict(), ensure_ascii=False, indent=2).encode("utf-8")
    failed = [v for v in result.validations if not v.valid]
    if failed:
        kept = work / result.report.name
        kept.write_bytes(report)
        raise ValidationError(
            "; ".join(f"{Path(v.file).name} is not valid PDF/A: {v.summary}" for v in failed)
            + f". Nothing was replaced: the previous outputs in {display(out)} are as they were",
            hint=pdfa.advice(failed, options.level) or f"details in {display(kept)}",
        )
    (stage / result.report.name).write_bytes(report)
    stale = [] if result.public_pdf else [f"{name}-offentlig.docx", f"{name}-offentlig.pdf"]
    stale.append(ledger.path(result.pdf).name)  # a new PDF: no signing history yet
    _commit(stage, out, [*files, result.report.name], stale,
            folder="vedlegg" if final else None)  # fmt: skip
    shutil.rmtree(work, ignore_errors=True)
    return result


def _finish_converted(pdf: Path, meeting: Meeting, level: PdfaLevel) -> None:
    """LibreOffice's tagged PDF/A-2, finished for PDF/UA-1 (tagging.py)."""
    if level.startswith("2"):
        tagging.finish_converted(pdf, lang.BCP47[meeting.language])


def _final_paths(result: BuildResult, stage: Path, out: Path) -> None:
    """Point the result at where its files will be once committed."""

    def moved(path: Path) -> Path:
        return out / path.relative_to(stage) if path.is_relative_to(stage) else path

    assert result.pdf is not None
    result.pdf = moved(result.pdf)
    result.public_pdf = moved(result.public_pdf) if result.public_pdf else None
    for done in result.attachments:
        done.pdf = moved(done.pdf)
    for report in result.validations:
        report.file = str(moved(Path(report.file)))


def _commit(
    stage: Path, out: Path, files: list[str], stale: list[str], *, folder: str | None = None
) -> None:
    """Move the staged outputs into ``out``: the attachment folder first, the report last, each
    file by an atomic rename; outputs of an earlier build that this one does not make go."""
    if folder and (stage / folder).is_dir():
        old = out / f".{folder}.old"
        shutil.rmtree(old, ignore_errors=True)
        if (out / folder).exists():
            (out / folder).rename(old)
        (stage / folder).rename(out / folder)
        shutil.rmtree(old, ignore_errors=True)
    for name in stale:
        (out / name).unlink(missing_ok=True)
    for name in files:
        (stage / name).replace(out / name)


class _Attachments:
    """The meeting's attachments, each converted (and, for the final minutes, validated) in a
    thread of ``pool``, from the moment this is made. A notice lists its attachments, it does
    not carry them."""

    def __init__(
        self, pool: concurrent.futures.Executor, meeting: Meeting, work: Path, conv: Converter,
        say: Progress, options: Options, *, signed: bool, originals: frozenset[int],
    ) -> None:  # fmt: skip
        self.meeting, self.work, self.conv, self.say = meeting, work, conv, say
        self.level, self.signed, self.originals = options.level, signed, originals
        self.items = meeting.data.attachments if options.kind == "referat" else []
        self.futures = [pool.submit(self._one, index) for index in range(len(self.items))]

    def _one(self, index: int) -> Converted:
        self.say(f"convert attachment {index + 1}/{len(self.items)}: {self.items[index].title}")
        done = convert_attachment(self.meeting, index, self.work, self.level, self.conv,
                                  self.originals)  # fmt: skip
        if self.signed:  # final: validated later as archived; the verdict is kept by content
            pdfa.validate(done.pdf)
        return done

    def results(self) -> list[Converted]:
        """All of them, once every one has ended; else the first failure in attachment order."""
        concurrent.futures.wait(self.futures)
        return [future.result() for future in self.futures]


def _to_pdf(
    meeting: Meeting,
    result: BuildResult,
    work: Path,
    stage: Path,
    conv: Converter,
    say: Progress,
    name: str,
    options: Options,
    attachments: _Attachments,
    *,
    signed: bool,
) -> None:
    level = result.level
    body = work / f"{name}-uten-vedlegg.pdf"
    say(f"convert {name} to PDF/A")
    conv.convert(stage / result.docx.name, body, level)
    _finish_converted(body, meeting, level)
    result.attachments = attachments.results()
    if options.draft and result.attachments:
        say("mark attachment pages UTKAST")
        overlay = work / "utkast.pdf"
        docx = work / "utkast.docx"
        docx.write_bytes(draft_overlay(meeting, stage / result.docx.name))
        conv.convert(docx, overlay, level)
        for done in result.attachments:
            pages.stamp_pages(done.pdf, overlay)
    say("merge")
    result.pdf = stage / f"{name}.pdf"
    fields = meeting.signatories if signed else None
    title = lang.LABELS[meeting.language]["notice" if options.kind == "innkalling" else "minutes"]
    if options.kind == "referat" and meeting.kind == "referat":
        title = meeting.document_type or title
    elif meeting.kind == "avtale":
        title = lang.LABELS[meeting.language]["agreement"]
    merged = assemble.merge(body, result.attachments, result.pdf, level, fields,
                            accessible=not options.draft, title=title)  # fmt: skip
    result.parts, result.claim, result.untagged = merged.parts, merged.claim, merged.untagged
    assemble.require_parts(result.pdf, result.attachments)
    if result.claim == "2a":
        accessible, result.accessibility_note = tagging.settle(result.pdf)
        result.claim = "2a" if accessible else "2b"
    if not signed:
        return
    # Each attachment also on its own: the archive registers them as separate documents.
    folder = stage / "vedlegg"
    folder.mkdir()
    for done in result.attachments:
        target = folder / attachment_name(done)
        shutil.copyfile(done.pdf, target)
        done.pdf = target


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

    def as_dict(self) -> dict[str, object]:
        data = dict(self.__dict__)
        data["out_dir"] = str(self.out_dir)
        data["package"] = str(self.package) if self.package else None
        return data


def status(meeting_file: Path, out_root: Path, config: Config, root: Path | None = None) -> Status:
    """Where a meeting stands, without changing anything."""
    meeting = load_meeting(meeting_file, root)
    out = out_dir_for(meeting, out_root)
    pdf = main_pdf(meeting, out)
    built = pdf.is_file()
    fields = signing.signing_state(pdf) if built else []
    signed = [f.role for f in fields if f.signed]
    waiting = (
        [f.role for f in fields if not f.signed] if built else [s.role for s in meeting.signatories]
    )
    timestamped = built and signing.has_document_timestamp(pdf)
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
    return Status(meeting.id, out, built, signed, waiting, timestamped, package, step, stale,
                  unchecked)  # fmt: skip


@dataclass
class RunResult:
    status: Status
    did: list[str] = field(default_factory=list)
    package: archive.PackageResult | None = None

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
    converter_choice: ConverterChoice = "auto",
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
    converter_choice: ConverterChoice,
    ask: Callable[[str], str] | None,
    say: Progress,
) -> RunResult:
    out = out_dir_for(meeting, out_root)
    pdf = main_pdf(meeting, out)
    did: list[str] = []
    if pdf.is_file() and is_signed(pdf):
        say("build: already signed, kept as it is")
        if is_stale(meeting, out):
            log.warning("%s changed after %s was built and signed", meeting.source.name, pdf.name)
            say(f"WARNING: {meeting.source.name} or its attachments changed after the signed "
                f"{pdf.name} was built; it does not show those changes")  # fmt: skip
    else:
        _build_or_clean(meeting, out_root, Options(level), converter, converter_choice,
                        lambda m: say(f"build: {m}"))  # fmt: skip
        did.append("build")
    if ledger.unchecked(pdf) is not None:
        did.append(take_in_saved(pdf, config, say))
    for f in signing.signing_state(pdf):
        if f.signed:
            continue
        if not config.signs_here(f.role):
            say(f"waiting for {f.role}'s signature (no credentials for {f.role} here: "
                "'referatbygg receive' takes in a file signed elsewhere)")  # fmt: skip
            return RunResult(status(meeting_file, out_root, config, meeting.root), did)
        say(f"sign: {f.role}")
        signing.sign(pdf, f.role, config, ask=ask)
        did.append(f"sign {f.role}")
    if config.final_timestamp and not signing.has_document_timestamp(pdf):
        say("final timestamp")
        signing.timestamp(pdf, config)
        did.append("timestamp")
    say("archive")
    package = make_archive(meeting, out_root, config, progress=lambda m: say(f"archive: {m}"))
    did.append("archive")
    return RunResult(status(meeting_file, out_root, config, meeting.root), did, package)


def take_in_saved(pdf: Path, config: Config, say: Progress) -> str:
    """A file signed elsewhere was saved over the working file: the last state referatbygg
    checked becomes the working file again, and the saved file goes through intake."""
    import datetime as dt

    base = ledger.unchecked(pdf)
    assert base is not None
    kept = pdf.with_name(f"{pdf.stem}-mottatt-{dt.datetime.now():%Y%m%d-%H%M%S}.pdf")
    shutil.copyfile(pdf, kept)
    write_atomic(pdf, base)
    say(f"intake: a signature made elsewhere was saved over {pdf.name}; checking it")
    try:
        taken = intake.receive(kept, pdf, config, progress=lambda m: say(f"intake: {m}"))
    except intake.IntakeRefused as exc:
        raise intake.IntakeRefused(
            f"{exc.message}. The returned file is kept as {display(kept)}; {pdf.name} is as it "
            "was before it",
            hint=exc.hint,
        ) from None
    kept.unlink()
    return f"intake {taken.role}"


def find_working(returned: Path, out_root: Path) -> Path:
    """The working PDF a returned file continues: the one whose bytes it begins with."""
    from .errors import InputError

    try:
        data = returned.read_bytes()
    except OSError as exc:
        raise InputError(f"{display(returned)}: cannot read it ({exc.strerror})") from None
    for candidate in sorted(out_root.glob("*/*.pdf")):
        if candidate.stem not in ("referat", "avtale") or candidate.resolve() == returned.resolve():
            continue
        size = candidate.stat().st_size
        if len(data) > size and data.startswith(candidate.read_bytes()):
            return candidate
    raise InputError(
        f"{display(returned)} continues none of the documents being signed in {display(out_root)}",
        hint="name the meeting with --meeting, or check that the signatory sent back the file "
        "as it was sent, with a signature added",
    )


def make_archive(
    meeting: Meeting, out_root: Path, config: Config, *, progress: Progress | None = None
) -> archive.PackageResult:
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
            hint="put the files back as they were when it was built, or move "
            f"{display(out)} away, then build and sign again",
        )
    tr = signing.trust(config)
    return archive.make_package(
        meeting, out, tr.roots,
        need_timestamp=config.final_timestamp, signature_level=config.signature_level,
        pins=config.pins(), others=tr.others, progress=progress, profile=config.archive,
    )  # fmt: skip
