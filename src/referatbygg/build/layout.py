"""Where a meeting's outputs go and what they are called: ``out/<meeting id>/`` with
``referat.*`` (or ``innkalling``, ``avtale``; ``-utkast`` for drafts), attachments in
``vedlegg/`` named by order, agenda item and title, and a lock per meeting beside the folder.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError
from ..meeting.load import display
from ..meeting.model import Meeting
from ..pdf.fields import is_signed

if TYPE_CHECKING:  # signing reads build reports: it must not load the document stack
    from ..document.render import DocKind
    from ..pdf.convert import Converted


def out_dir_for(meeting: Meeting, out_root: Path) -> Path:
    return out_root / meeting.id


def lock_for(meeting: Meeting, out_root: Path) -> Path:
    return out_root / f".{meeting.id}.lock"


def stem(meeting: Meeting, kind: DocKind = "referat", draft: bool = False) -> str:
    """The output name: referat, innkalling or avtale; '-utkast' for drafts."""
    name = "avtale" if meeting.kind == "avtale" else kind
    return f"{name}-utkast" if draft else name


def main_pdf(meeting: Meeting, out_dir: Path) -> Path:
    """The document that is signed and archived: referat.pdf or avtale.pdf."""
    return out_dir / f"{stem(meeting)}.pdf"


def attachment_name(conv: Converted) -> str:
    """'01-pkt5-situasjonsbrief-fra-politiet.pdf': ordered, readable, safe in any file system."""
    plain = conv.attachment.title.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    plain = unicodedata.normalize("NFKD", plain).encode("ascii", "replace").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")
    item = str(conv.attachment.item).lower().replace(" ", "")  # 5 → pkt5, "RS 2" → pktrs2
    return f"{conv.index + 1:02d}-pkt{item}-{slug[:60] or 'vedlegg'}.pdf"


def refuse_if_signed(pdf: Path) -> None:
    if pdf.exists() and is_signed(pdf):
        raise InputError(
            f"{display(pdf)} is already signed; a rebuild would destroy the signatures",
            hint="to change signed minutes, start a new signing round: build --new-round "
            "keeps the signed file and its outputs in tidligere/ and builds again",
        )
