"""What a build is asked to make (:class:`Options`) and what it made (:class:`BuildResult`),
which becomes its report (build-report.json).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..document import minutes
from ..document.render import DocKind
from ..meeting import templates
from ..meeting.check import Problem
from ..meeting.model import Meeting
from ..pdf import assemble, pdfa
from ..pdf.convert import Converted
from ..tools.libreoffice import PdfaLevel
from .report import Sources, source_digest, sources

UNTAGGED = "no structure (untagged PDF)"  # why an attachment is not accessible, unless said


@dataclass(frozen=True)
class Options:
    """What to build. ``kind`` "innkalling" is the meeting notice; an agreement file always
    builds an agreement. A draft is marked UTKAST on every page and never gets signature fields."""

    level: PdfaLevel = "2b"
    pdf: bool = True
    template: Path | None = None
    kind: DocKind = "referat"
    draft: bool = False


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
    draft: bool = False
    final: bool = False  # signed minutes or agreement: each attachment is also kept on its own
    public_claim: str = ""  # the public version's PDF/A level: 2a (with PDF/UA-1) or 2b
    sources: Sources | None = None  # what it read, fixed when it started

    def claim_note(self) -> str | None:
        """Why the main PDF claims level b where level a (and PDF/UA-1) was possible."""
        if self.accessibility_note:
            return f"PDF/A-2b, not 2a with PDF/UA-1: {self.accessibility_note}"
        if not self.untagged or not self.level.startswith("2"):
            return None
        why = {f"Vedlegg – {c.label}": c.accessibility_note for c in self.attachments}
        return "PDF/A-2b, not 2a with PDF/UA-1: " + "; ".join(
            f"{name}: {why.get(name) or UNTAGGED}" for name in self.untagged
        )

    def publication(self) -> list[tuple[Path, str | None]]:
        """What goes on the website (offentleglova, uu-forskriften), each with why it cannot
        (None: it may): the minutes — their public version where something is exempt — and
        each attachment that is not exempt, as its own file. Only what passes PDF/UA-1 (and
        its PDF/A part) is published; drafts are not published at all."""
        if self.pdf is None or self.draft:
            return []
        minutes = self.public_pdf or self.pdf
        claim = self.public_claim if self.public_pdf else self.claim
        found: list[tuple[Path, str | None]] = [
            (minutes, None if claim == "2a" else self.claim_note() or "not PDF/UA-1"),
        ]
        for c in self.attachments if self.final else ():  # only final minutes keep them apart
            if self.meeting.withheld(c.attachment):
                continue
            why = None if c.accessible else c.accessibility_note or UNTAGGED
            found.append((c.pdf, why))
        return found

    def publish(self) -> list[str]:
        return [str(path) for path, why in self.publication() if why is None]

    @property
    def valid(self) -> bool:
        return bool(self.validations) and all(v.valid for v in self.validations)

    def as_dict(self) -> dict[str, object]:
        return {
            "meeting": self.meeting.id,
            "body": self.meeting.body.id,
            "language": self.meeting.language,  # the stamp's words: bokmål or nynorsk
            "template": str(self.template) if self.template else None,
            # What signing needs from the document: the stamp in the text's font, the place.
            "body_font": templates.body_font(self.template) if self.template else None,
            "signing_place": minutes.signing_place(self.meeting),
            # Who should sign, as the body and meeting files say: signing, intake and verify
            # compare each certificate with this, never with a name inside the signed file.
            "signatories": [
                {"role": s.role, "title": s.title, "name": s.name} for s in self.meeting.signatories
            ],
            "source_digest": self.sources.digest if self.sources else source_digest(self.meeting),
            "sources": self.sources.files if self.sources else sources(self.meeting),
            "out_dir": str(self.out_dir),
            "docx": str(self.docx),
            "pdf": str(self.pdf) if self.pdf else None,
            "pdf_built": self.built,
            "public_pdf": str(self.public_pdf) if self.public_pdf else None,
            "pdfa": self.claim or self.level,
            "pdfa_note": self.claim_note(),
            "untagged": list(self.untagged),  # the attachments the note names, for a page
            "publish": self.publish(),
            # What could go on the website but is not accessible, and why.
            "not_published": [
                {"file": str(path), "reason": why} for path, why in self.publication() if why
            ],
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
                    "ocr_pages": c.ocr_pages,  # its text there is Tesseract's reading of a scan
                    "accessible": c.accessible,  # PDF/A-2a and PDF/UA-1 by veraPDF
                    "accessibility_note": c.accessibility_note,  # why not
                    "pdfa": str(c.pdf),
                }
                for c in self.attachments
            ],
            "valid": self.valid,
            "validation": self.validation.as_dict() if self.validation else None,
            "validations": [v.as_dict() for v in self.validations],
            "warnings": [w.as_dict() for w in self.warnings],
        }
