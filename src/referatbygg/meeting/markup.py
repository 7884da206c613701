"""The small text markup of meeting files.

A blank line starts a new paragraph; a line starting with ``- `` (or ``• ``/``* ``) starts a
bullet; other lines continue the paragraph or bullet above them (so long lines may be wrapped).
``[unntatt: <hjemmel>]`` at the start of a paragraph or bullet marks it exempt from public access
(offentleglova) with its legal basis. In an agenda item's text, a line ``[vedtak]`` marks where the
decision stands — some bodies write the decision first and the discussion after it.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict


class _Block(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Paragraph(_Block):
    kind: Literal["paragraph"] = "paragraph"
    text: str
    exempt: str | None = None  # legal basis, when unntatt offentlighet


class Bullet(_Block):
    text: str
    exempt: str | None = None


class BulletList(_Block):
    kind: Literal["bullets"] = "bullets"
    bullets: tuple[Bullet, ...]


class DecisionMark(_Block):
    """Where the item's decision is placed (``[vedtak]`` on a line of its own)."""

    kind: Literal["decision"] = "decision"


Block = Paragraph | BulletList | DecisionMark
_BULLET = re.compile(r"^\s*[-•*]\s+")
# "[unntatt: offl. § 13 jf. fvl. § 13]" at the start of a paragraph or bullet.
EXEMPT_MARK = re.compile(r"^\[unntatt(?::\s*(?P<basis>[^\]]*))?\]\s*", re.IGNORECASE)
DECISION_MARK = re.compile(r"^\s*\[vedtak\]\s*$", re.IGNORECASE)


class MarkupError(ValueError):
    """A markup problem at ``line`` (0-based, within the text)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def _exempt(text: str, line: int) -> tuple[str, str | None]:
    mark = EXEMPT_MARK.match(text)
    if not mark:
        return text, None
    basis = (mark.group("basis") or "").strip()
    if not basis:
        raise MarkupError(line, "an exempt part needs its legal basis: [unntatt: offl. § 13]")
    return text[mark.end() :], basis


def parse_text(text: str, *, decision: bool = False) -> tuple[Block, ...]:
    """Split light markup into paragraphs and bullet lists (see the module's description).
    ``decision``: the text may place the decision with ``[vedtak]`` (once). Raises MarkupError
    for an exempt mark without a basis, and for a misplaced or repeated ``[vedtak]``."""
    blocks: list[Block] = []
    para: list[str] = []
    para_line = 0
    bullets: list[tuple[int, list[str]]] = []
    marked = False

    def flush_para() -> None:
        if para:
            body, basis = _exempt(" ".join(para), para_line)
            blocks.append(Paragraph(text=body, exempt=basis))
            para.clear()

    def flush_bullets() -> None:
        if bullets:
            items = []
            for line, parts in bullets:
                body, basis = _exempt(" ".join(parts), line)
                items.append(Bullet(text=body, exempt=basis))
            blocks.append(BulletList(bullets=tuple(items)))
            bullets.clear()

    for number, raw in enumerate(text.splitlines()):
        line = raw.strip()
        if DECISION_MARK.match(raw):
            if not decision:
                raise MarkupError(number, "[vedtak] places an agenda item's decision; it has no "
                                  "place here")  # fmt: skip
            if marked:
                raise MarkupError(number, "[vedtak] may stand only once in an item's text")
            marked = True
            flush_para()
            flush_bullets()
            blocks.append(DecisionMark())
        elif not line:
            flush_para()
            flush_bullets()
        elif _BULLET.match(raw):
            flush_para()
            bullets.append((number, [_BULLET.sub("", raw).strip()]))
        elif bullets:
            bullets[-1][1].append(line)
        else:
            if not para:
                para_line = number
            para.append(line)
    flush_para()
    flush_bullets()
    return tuple(blocks)


def check_markup(text: str, *, decision: bool = False) -> str:
    """A field validator's half of :func:`parse_text`: the text, or a ValueError naming the line."""
    try:
        parse_text(text, decision=decision)
    except MarkupError as exc:
        raise ValueError(f"line {exc.line + 1} of the text: {exc}") from None
    return text
