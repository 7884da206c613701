"""Text comparison against the reference minutes: normalised words, difflib ratio."""

from __future__ import annotations

import difflib
from pathlib import Path

from docx import Document

REFERENCE = Path(__file__).parent / "resources/referat-politiradet-2023-01-13.txt"

# Bullet marks and dashes that the PDF text and our output write differently.
_MARKS = str.maketrans({c: " " for c in "-–—•·«»“”\"'‘’:+"} | {"\u2060": None})


def words(text: str) -> list[str]:
    """Words with case kept; whitespace, bullet marks, dashes and quotes folded away."""
    return [w.strip(".,;") for w in text.translate(_MARKS).split() if w.strip(".,;")]


def similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, words(a), words(b), autojunk=False).ratio()


def plain(text: str) -> str:
    """Text as a reader reads it: no-break spaces as spaces, word joiners gone."""
    return text.replace("\u00a0", " ").replace("\u2060", "")


def docx_text(path: Path, *, raw: bool = False) -> str:
    """Body paragraphs and table cells in document order (``raw``: with the no-break spaces
    and word joiners lang.nobreak put in)."""
    doc = Document(str(path))
    out: list[str] = []
    for block in doc.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            out.append("".join(t.text or "" for t in block.iter() if t.tag.endswith("}t")))
        elif tag == "tbl":
            for para in block.iter():
                if para.tag.endswith("}p"):
                    out.append("".join(t.text or "" for t in para.iter() if t.tag.endswith("}t")))
    text = "\n".join(out)
    return text if raw else plain(text)
