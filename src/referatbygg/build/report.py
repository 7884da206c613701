"""The build report: what a build made, and whether the reference validator accepted it.

Written beside the outputs (``build-report.json`` for the minutes, ``<name>-build-report.json``
for other documents) only after every PDF of the build passed validation; it records the SHA-256
and size of the PDF as built. Signing trusts a PDF only through its report: the report must say
valid, and the PDF must begin with exactly the bytes it describes (signatures are incremental
updates, so the file as built stays a prefix of every signed version). It also records the
SHA-256 of every source file the build read: a meeting whose files changed after its document
was built is not archived as if the document showed them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError, SigningError
from ..meeting.load import display
from ..meeting.model import Meeting
from .layout import stem


def report_path(out_dir: Path, name: str) -> Path:
    """build-report.json for the minutes, <name>-build-report.json for other documents."""
    return out_dir / ("build-report.json" if name == "referat" else f"{name}-build-report.json")


def fingerprint(pdf: Path) -> dict[str, Any]:
    data = pdf.read_bytes()
    return {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def read(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def expected_signers(report: dict[str, Any] | None) -> dict[str, str | None] | None:
    """Who should sign each role, as the build report recorded it from the body and meeting
    files; None for a report from before it did (then verify falls back to the printed names)."""
    listed = (report or {}).get("signatories")
    if not isinstance(listed, list):
        return None
    return {str(s.get("role")): s.get("name") for s in listed if isinstance(s, dict)}


def expected_signers_of(pdf: Path) -> dict[str, str | None] | None:
    """Who should sign ``pdf``, from the build report beside it (None without one)."""
    return expected_signers(read(report_path(pdf.parent, pdf.stem)))


def require_validated(pdf: Path) -> dict[str, Any]:
    """Refuse a PDF that no passing build report vouches for (before signing it); returns the
    report."""
    report_file = report_path(pdf.parent, pdf.stem)
    report = read(report_file)
    if report is None:
        raise SigningError(
            f"{display(pdf)} has no readable build report ({display(report_file)}); only a "
            "document built and validated by referatbygg is signed",
            hint="build it with 'referatbygg build'",
        )
    validation = report.get("validation") or {}
    if not validation.get("valid"):
        raise SigningError(
            f"{display(pdf)} did not pass PDF/A validation (see {display(report_file)}); "
            "it is not signed",
            hint="fix what the report names and build again",
        )
    built = report.get("pdf_built") or {}
    data = pdf.read_bytes()
    size = built.get("size")
    if not isinstance(size, int) or hashlib.sha256(data[:size]).hexdigest() != built.get("sha256"):
        raise SigningError(
            f"{display(pdf)} is not the file {display(report_file)} describes: it was replaced or "
            "changed after it was built and validated",
            hint="build it again",
        )
    return report


# --- the sources a build read ------------------------------------------------------------------


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
    return _read_sources(meeting)[0]


def source_digest(meeting: Meeting) -> str:
    """SHA-256 over everything a build reads: the meeting and body files and the attachments."""
    return _read_sources(meeting)[1]


def _read_sources(meeting: Meeting) -> tuple[dict[str, str], str]:
    """Each file read once: its SHA-256 by its name as shown, and the digest over all of them
    (file name, NUL, bytes; "(missing)" and NUL for a file that is not there)."""
    files: dict[str, str] = {}
    digest = hashlib.sha256()
    for name, path in _source_files(meeting):
        if path is None:  # missing or refused: the build will say why
            files[name] = "(missing)"
            digest.update(b"(missing)\0")
            continue
        data = path.read_bytes()
        files[name] = hashlib.sha256(data).hexdigest()
        digest.update(str(path.name).encode() + b"\0")
        digest.update(data)
    return files, digest.hexdigest()


@dataclass(frozen=True)
class Sources:
    """What a build reads, fixed when it starts: each file's SHA-256 by its name as shown, and
    the digest over all of them (as :func:`source_digest`)."""

    files: dict[str, str]
    digest: str


def snapshot(meeting: Meeting) -> Sources:
    """The sources as a build starts. The meeting and body files must still be the bytes that
    were parsed into ``meeting``; an edit since is refused, not recorded as built."""
    start = Sources(*_read_sources(meeting))
    changed = [display(p) for p, parsed in meeting.read.items()
               if start.files.get(display(p), parsed) != parsed]  # fmt: skip
    if changed:
        raise InputError(
            f"{', '.join(changed)} changed while it was read; nothing was built",
            hint="build again once the file is saved",
        )
    return start


def require_unchanged(meeting: Meeting, start: Sources) -> None:
    """Refuse a build whose sources changed while it ran: its document shows neither version
    for certain, and its report would vouch for the wrong one."""
    now = sources(meeting)
    changed = [name for name in {**start.files, **now} if start.files.get(name) != now.get(name)]
    if changed:
        raise InputError(
            f"{', '.join(changed)} changed while the build ran; the document would not show the "
            "change, so nothing was replaced",
            hint="build again once the files are saved",
        )


def changed_sources(meeting: Meeting, out_dir: Path) -> list[str]:
    """The source files that changed since the main document was built (per its build
    report); empty when none did or nothing was built."""
    report = report_path(out_dir, stem(meeting))
    if not report.is_file():
        return []
    data = json.loads(report.read_text(encoding="utf-8"))
    recorded = data.get("source_digest")
    now, digest = _read_sources(meeting)
    if recorded is None or recorded == digest:
        return []
    before = data.get("sources") or {}
    names = [n for n in now if before.get(n) != now[n]]
    names += [n for n in before if n not in now]
    return names or ["the meeting's files"]


def is_stale(meeting: Meeting, out_dir: Path) -> bool:
    """Whether the sources changed since the main document was built (per its build report)."""
    return bool(changed_sources(meeting, out_dir))
