"""The product's story in one place.

load → check → render docx → convert to PDF/A → normalise and merge attachments → validate
(→ signature fields → sign per signatory → final timestamp → package: later stages).

Each stage is a function from inputs (paths, the validated model) to outputs (paths) inside the
meeting's output folder ``out/<meeting id>/``; intermediate files live in its ``work/`` folder,
results are written atomically, the final result last. A file that carries signatures is never
overwritten by a rebuild.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pypdf import PdfReader

from . import assemble, pdfa
from .check import Problem, require_clean
from .convert import Converted, convert_attachment
from .errors import InputError, ValidationError
from .fsutil import write_atomic
from .load import display, load_meeting
from .model import Meeting
from .render import render_docx
from .tools.libreoffice import Converter, PdfaLevel, open_converter

log = logging.getLogger(__name__)

Progress = Callable[[str], None]
ConverterChoice = Literal["auto", "warm", "cold"]
# A warm server costs ~5 s to start and ~0.15 s per document; a cold soffice ~1.0 s per document
# (KNOWN-PITFALLS, confirmed here). Below this many conversions, cold is faster.
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
    validation: pdfa.PdfaReport | None = None
    warnings: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "meeting": self.meeting.id,
            "out_dir": str(self.out_dir),
            "docx": str(self.docx),
            "pdf": str(self.pdf) if self.pdf else None,
            "pdfa": self.level,
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
                    "pdfa": str(c.pdf),
                }
                for c in self.attachments
            ],
            "validation": self.validation.as_dict() if self.validation else None,
            "warnings": [w.as_dict() for w in self.warnings],
        }


def out_dir_for(meeting: Meeting, out_root: Path) -> Path:
    return out_root / meeting.id


def is_signed(pdf: Path) -> bool:
    """Whether ``pdf`` carries a signature (filled signature field or document timestamp)."""
    try:
        fields = PdfReader(pdf).get_fields() or {}
    except Exception:  # unreadable: not ours to judge here, and not signed by us
        return False
    return any(f.get("/FT") == "/Sig" and f.get("/V") is not None for f in fields.values())


def refuse_if_signed(pdf: Path) -> None:
    if pdf.exists() and is_signed(pdf):
        raise InputError(
            f"{display(pdf)} is already signed; a rebuild would destroy the signatures",
            hint="move it away first if you really mean to rebuild and sign again",
        )


@contextmanager
def converter_for(choice: ConverterChoice, conversions: int) -> Iterator[Converter]:
    warm = choice == "warm" or (choice == "auto" and conversions >= WARM_FROM)
    conv = open_converter(warm=warm)
    try:
        yield conv
    finally:
        conv.close()


def build(
    meeting_file: Path,
    out_root: Path = Path("out"),
    *,
    level: PdfaLevel = "2b",
    pdf: bool = True,
    template: Path | None = None,
    converter: Converter | None = None,
    converter_choice: ConverterChoice = "auto",
    progress: Progress | None = None,
) -> BuildResult:
    """Build the minutes of one meeting into ``out_root/<meeting id>/``."""
    say = progress or (lambda _msg: None)
    say("load")
    meeting = load_meeting(meeting_file)
    say("check")
    warnings = require_clean(meeting)
    out = out_dir_for(meeting, out_root)
    result = BuildResult(meeting, out, out / "referat.docx", level=level, warnings=warnings)
    if pdf:
        refuse_if_signed(out / "referat.pdf")
    say("render docx")
    write_atomic(result.docx, render_docx(meeting, template))
    if not pdf:
        return result

    work = out / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    office = 1 + sum(a.file.suffix.lower() in (".docx", ".odt") for a in meeting.data.attachments)
    if converter is None:
        with converter_for(converter_choice, office) as conv:
            _to_pdf(meeting, result, work, conv, say)
    else:
        _to_pdf(meeting, result, work, converter, say)

    say("validate PDF/A")
    assert result.pdf is not None
    result.validation = pdfa.validate(result.pdf)
    result.report = out / "build-report.json"
    report = json.dumps(result.as_dict(), ensure_ascii=False, indent=2)
    write_atomic(result.report, report.encode("utf-8"))
    if not result.validation.valid:
        raise ValidationError(
            f"{display(result.pdf)} is not valid PDF/A: {result.validation.summary}",
            hint=f"details in {display(result.report)}",
        )
    return result


def _to_pdf(
    meeting: Meeting, result: BuildResult, work: Path, conv: Converter, say: Progress
) -> None:
    level = result.level
    say("convert minutes to PDF/A")
    minutes = work / "referat-uten-vedlegg.pdf"
    conv.convert(result.docx, minutes, level)
    for index, att in enumerate(meeting.data.attachments):
        say(f"convert attachment {index + 1}/{len(meeting.data.attachments)}: {att.title}")
        result.attachments.append(convert_attachment(meeting, index, work, level, conv))
    say("merge")
    result.pdf = result.out_dir / "referat.pdf"
    result.parts = assemble.merge(
        minutes, result.attachments, result.pdf, level, meeting.signatories
    )
    assemble.require_parts(result.pdf, result.attachments)
