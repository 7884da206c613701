"""The build report: what a build made, and whether the reference validator accepted it.

Written beside the outputs (``build-report.json`` for the minutes, ``<name>-build-report.json``
for other documents) only after every PDF of the build passed validation; it records the SHA-256
and size of the PDF as built. Signing trusts a PDF only through its report: the report must say
valid, and the PDF must begin with exactly the bytes it describes (signatures are incremental
updates, so the file as built stays a prefix of every signed version).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from ..errors import SigningError
from ..meeting.load import display


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
