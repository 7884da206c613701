"""What referatbygg knows it wrote into a document being signed: a small record beside the PDF.

Each entry is the file's size and SHA-256 after a step (built, signed here, received from a
signatory, final timestamp). A signed PDF only grows (incremental updates), so the record tells
apart what referatbygg has checked from bytes added since — a signature made in another tool and
saved over the working file — which must go through intake before anything else happens.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

from ..build.report import read as read_report
from ..build.report import report_path
from ..fsutil import write_atomic


def path(pdf: Path) -> Path:
    return pdf.with_name(f"{pdf.stem}-signing.json")


def entries(pdf: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path(pdf).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return (
        [e for e in data.get("steps", []) if isinstance(e, dict)] if isinstance(data, dict) else []
    )


def record(pdf: Path, step: str, role: str | None = None) -> None:
    """Add what was just done to ``pdf`` (its bytes as they are now)."""
    data = pdf.read_bytes()
    steps = entries(pdf)
    steps.append({
        "step": step, "role": role, "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "size": len(data), "sha256": hashlib.sha256(data).hexdigest(),
    })  # fmt: skip
    write_atomic(path(pdf), json.dumps({"steps": steps}, indent=2).encode("utf-8"))


def known(pdf: Path) -> tuple[int, str] | None:
    """(size, SHA-256) of the last state referatbygg checked: the last step, else the build."""
    steps = entries(pdf)
    if steps:
        return int(steps[-1]["size"]), str(steps[-1]["sha256"])
    report = read_report(report_path(pdf.parent, pdf.stem)) or {}
    built = report.get("pdf_built") or {}
    if isinstance(built.get("size"), int) and isinstance(built.get("sha256"), str):
        return built["size"], built["sha256"]
    return None


def unchecked(pdf: Path) -> bytes | None:
    """The bytes referatbygg last checked, when ``pdf`` has grown beyond them since (a file
    signed elsewhere saved over it); None when the file is as checked or cannot be told apart."""
    state = known(pdf)
    if state is None or not pdf.is_file():
        return None
    data = pdf.read_bytes()
    size, digest = state
    if len(data) <= size or hashlib.sha256(data[:size]).hexdigest() != digest:
        return None
    return data[:size]
