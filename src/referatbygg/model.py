"""The vocabulary of the product: body (organ), meeting, agenda items, attachments, signatories.

Pydantic v2 models that reject unknown keys. Keys in the TOML files are English; Norwegian domain
words stay Norwegian where they are the users' own words (``orientering``, ``vedtak`` as a kind).
Free text uses a small markup (see :func:`parse_text`): blank line = new paragraph, ``- `` = bullet.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    field_validator,
    model_validator,
)
from pydantic import (
    Strict as StrictType,
)

from .errors import InputError
from .inputs import ATTACHMENT_LIMIT, Found, find

# Characters that XML 1.0 (and so docx) cannot carry. Tab and newline are fine.
_BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean_text(value: str) -> str:
    bad = _BAD_CHARS.search(value)
    if bad:
        raise ValueError(
            f"contains the control character U+{ord(bad.group()):04X}, which a document cannot hold"
        )
    return value


Text = Annotated[str, AfterValidator(_clean_text)]
NonEmpty = Annotated[str, Field(min_length=1), AfterValidator(_clean_text)]
# Titles and names that also become document properties: Word's core properties hold at most
# 255 characters, and a title longer than a few lines is a mistake in any case.
TITLE_MAX = 200
Title = Annotated[str, Field(min_length=1, max_length=TITLE_MAX), AfterValidator(_clean_text)]
RoleId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
# TOML has real dates, numbers and booleans: "2023-01-13", "5" and "yes" in quotes are mistakes
# (often a sign that the line means something else), so they are not coerced.
Date = Annotated[dt.date, StrictType()]
Count = Annotated[StrictInt, Field(ge=0)]
Number = Annotated[StrictInt, Field(ge=1, le=9999)]
Flag = StrictBool
Language = Literal["nb", "nn"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


# --- text markup ---------------------------------------------------------------------------------


class Paragraph(Strict):
    kind: Literal["paragraph"] = "paragraph"
    text: str
    exempt: str | None = None  # legal basis, when unntatt offentlighet


class Bullet(Strict):
    text: str
    exempt: str | None = None


class BulletList(Strict):
    kind: Literal["bullets"] = "bullets"
    bullets: tuple[Bullet, ...]


Block = Paragraph | BulletList
_BULLET = re.compile(r"^\s*[-•*]\s+")
# "[unntatt: offl. § 13 jf. fvl. § 13]" at the start of a paragraph or bullet.
EXEMPT_MARK = re.compile(r"^\[unntatt(?::\s*(?P<basis>[^\]]*))?\]\s*", re.IGNORECASE)


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


def _check_markup(text: str) -> str:
    """A field validator's half of :func:`parse_text`: the text, or a ValueError naming the line."""
    try:
        parse_text(text)
    except MarkupError as exc:
        raise ValueError(f"line {exc.line + 1} of the text: {exc}") from None
    return text


def parse_text(text: str) -> tuple[Block, ...]:
    """Split light markup into paragraphs and bullet lists.

    A line starting with ``- `` (or ``• ``/``* ``) starts a bullet; a blank line ends a paragraph;
    other lines continue the paragraph or bullet above them (so long lines may be wrapped).
    ``[unntatt: <hjemmel>]`` at the start of a paragraph or bullet marks it exempt from public
    access (offentleglova) with its legal basis. Raises MarkupError for a mark without a basis.
    """
    blocks: list[Block] = []
    para: list[str] = []
    para_line = 0
    bullets: list[tuple[int, list[str]]] = []

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
        if not line:
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


def _basis(value: object) -> object:
    """``exempt = "offl. § 13"``: the legal basis; ``exempt = true`` alone is not enough."""
    if value is None or value is False:
        return None
    if value is True or (isinstance(value, str) and not value.strip()):
        raise ValueError('an exempt part needs its legal basis, e.g. exempt = "offl. § 13"')
    return value.strip() if isinstance(value, str) else value


def _clean_basis(value: str | None) -> str | None:
    return None if value is None else _clean_text(value)


Exempt = Annotated[str | None, BeforeValidator(_basis), AfterValidator(_clean_basis)]


# --- body (organ) --------------------------------------------------------------------------------


class Signatory(Strict):
    role: RoleId = Field(description="Stable id, e.g. 'byradsleder'; names the signature field.")
    title: NonEmpty = Field(description="Shown in the signature block, e.g. 'Byrådsleder'.")
    name: Text | None = None


class StandingText(Strict):
    title: NonEmpty
    text: NonEmpty

    @field_validator("text")
    @classmethod
    def _markup(cls, text: str) -> str:
        return _check_markup(text)


class Body(Strict):
    """What every meeting of one body shares (``organ.toml``)."""

    id: RoleId = Field(description="Short id used in file and package names, e.g. 'politiradet'.")
    name: Title
    organisation: Title = Field(description="Who owns the body, e.g. 'Oslo kommune'.")
    language: Language = "nb"
    abbreviations: dict[NonEmpty, NonEmpty] = Field(default_factory=dict)
    known_terms: tuple[NonEmpty, ...] = Field(
        default=(), description="Capitalised words used without expansion (NATO, NRK)."
    )
    standing_text: StandingText | None = None
    signatories: tuple[Signatory, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_roles(self) -> Body:
        seen: set[str] = set()
        for s in self.signatories:
            if s.role in seen:
                raise ValueError(f"signatory role '{s.role}' is listed twice")
            seen.add(s.role)
        return self

    def signatory(self, role: str) -> Signatory | None:
        return next((s for s in self.signatories if s.role == role), None)


# --- meeting -------------------------------------------------------------------------------------


class Votes(Strict):
    for_: Count = Field(alias="for")
    against: Count
    blank: Count = 0


class Decision(Strict):
    """A vedtak: the text and how it was reached."""

    text: NonEmpty
    unanimous: Flag = False
    votes: Votes | None = None
    note: Text | None = Field(default=None, description="E.g. dissents or protocol remarks.")

    @model_validator(mode="after")
    def _one_way(self) -> Decision:
        if self.unanimous and self.votes is not None:
            raise ValueError("a decision is either 'unanimous' or has 'votes', not both")
        return self


class Item(Strict):
    """One agenda item; it may cover several numbers (``numbers = [7, 8]``)."""

    numbers: tuple[Number, ...] = Field(min_length=1)
    kind: Literal["sak", "orientering"] = "sak"
    title: Text | None = None
    presenter: Text | None = Field(
        default=None, description="For an orientering: who briefs, e.g. 'politimesteren'."
    )
    text: Text = ""
    decision: Decision | None = None
    no_business: Flag = Field(default=False, description="Render 'Ingen saker'.")
    exempt: Exempt = Field(default=None, description="Legal basis when the item is exempt.")
    next_meetings: Flag = Field(
        default=False, description="List the meeting's next_meetings under this item."
    )

    @model_validator(mode="after")
    def _has_title(self) -> Item:
        if not self.title and not (self.kind == "orientering" and self.presenter):
            raise ValueError(
                "an item needs a 'title' (or kind = \"orientering\" with a 'presenter')"
            )
        if self.no_business and (self.text.strip() or self.decision):
            raise ValueError("an item with no_business = true cannot also have text or a decision")
        return self

    @field_validator("text")
    @classmethod
    def _markup(cls, text: str) -> str:
        return _check_markup(text)

    @property
    def blocks(self) -> tuple[Block, ...]:
        return parse_text(self.text)


class Attachment(Strict):
    item: Number = Field(description="The agenda number it belongs to.")
    title: NonEmpty
    file: Path = Field(description="Relative to the meeting file (an agreement's .toml too).")
    exempt: Exempt = Field(default=None, description="Legal basis when the attachment is exempt.")


class NextMeeting(Strict):
    date: Date
    end_date: Date | None = None
    start: dt.time | None = None
    end: dt.time | None = None
    note: Text | None = Field(default=None, description="E.g. 'lunsj til lunsj'.")

    @model_validator(mode="after")
    def _order(self) -> NextMeeting:
        if self.end_date and self.end_date < self.date:
            raise ValueError("end_date is before date")
        if self.start and self.end and self.end <= self.start and not self.end_date:
            raise ValueError("end is not after start")
        return self


class Person(Strict):
    name: NonEmpty
    role: Text | None = Field(default=None, description="Title or organisation, e.g. 'OPD'.")


class Substitute(Strict):
    name: NonEmpty
    for_: NonEmpty = Field(alias="for", description="Whom the substitute met for.")
    role: Text | None = None


class Participants(Strict):
    present: tuple[Person, ...] = ()
    absent: tuple[Person, ...] = Field(default=(), description="Forfall.")
    substitutes: tuple[Substitute, ...] = Field(default=(), description="Møtt for.")
    others: tuple[Person, ...] = Field(default=(), description="Others present.")
    secretary: tuple[Person, ...] = ()


class MeetingFile(Strict):
    """What a meeting file holds, before the body is joined in."""

    body: Path = Field(default=Path("organ.toml"), description="The body file, relative.")
    date: Date
    start: dt.time | None = None
    end: dt.time | None = None
    place: Text | None = None
    number: Text | None = Field(default=None, description="Meeting number, e.g. '1/2023'.")
    title: Title | None = Field(default=None, description="Overrides 'Referat <body> <date>'.")
    draft: Flag = Field(default=False, description="Still a draft: only --draft builds.")
    abbreviations: dict[NonEmpty, NonEmpty] = Field(default_factory=dict)
    signatory_names: dict[RoleId, NonEmpty] = Field(default_factory=dict)
    participants: Participants = Participants()
    items: tuple[Item, ...] = Field(min_length=1)
    attachments: tuple[Attachment, ...] = ()
    next_meetings: tuple[NextMeeting, ...] = ()

    @model_validator(mode="after")
    def _times(self) -> MeetingFile:
        if self.start and self.end and self.end <= self.start:
            raise ValueError("end is not after start")
        return self


class Party(Strict):
    name: NonEmpty
    signatory: RoleId = Field(description="The body's signatory role who signs for this party.")


class Period(Strict):
    start: Date = Field(alias="from")
    end: Date = Field(alias="to")

    @model_validator(mode="after")
    def _order(self) -> Period:
        if self.end < self.start:
            raise ValueError("the period ends before it starts")
        return self


class Article(Strict):
    title: NonEmpty
    text: Text = ""

    @property
    def blocks(self) -> tuple[Block, ...]:
        return parse_text(self.text)


class AgreementFile(Strict):
    """An agreement (avtale) the body adopts and its signatories sign: ``kind = "avtale"``."""

    kind: Literal["avtale"]
    body: Path = Field(default=Path("../organ.toml"), description="The body file, relative.")
    title: Title
    date: Date = Field(description="The date of the agreement.")
    period: Period | None = None
    parties: tuple[Party, ...] = Field(min_length=2)
    preamble: Text = ""
    articles: tuple[Article, ...] = Field(min_length=1)
    draft: Flag = False

    # A meeting's parts that an agreement does not have: the pipeline can treat both alike.
    items: tuple[Item, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    participants: Participants = Participants()
    next_meetings: tuple[NextMeeting, ...] = ()
    abbreviations: dict[str, str] = Field(default_factory=dict)
    signatory_names: dict[str, str] = Field(default_factory=dict)
    place: None = None
    number: None = None
    start: None = None
    end: None = None

    @model_validator(mode="after")
    def _markup(self) -> AgreementFile:
        for n, article in enumerate(self.articles, start=1):
            try:
                article.blocks  # noqa: B018 - parse to find markup errors now
            except MarkupError as exc:
                raise ValueError(f"article {n}: {exc}") from None
        return self


class Meeting(BaseModel):
    """A meeting (or an agreement) joined with its body: what the pipeline works on."""

    model_config = ConfigDict(frozen=True)

    id: str
    source: Path
    body_source: Path
    body: Body
    data: MeetingFile | AgreementFile
    root: Path  # the folder tree its files must lie in

    @property
    def kind(self) -> Literal["referat", "avtale"]:
        return "avtale" if isinstance(self.data, AgreementFile) else "referat"

    @property
    def language(self) -> Language:
        return self.body.language

    @property
    def abbreviations(self) -> dict[str, str]:
        return {**self.body.abbreviations, **self.data.abbreviations}

    @property
    def signatories(self) -> tuple[Signatory, ...]:
        """Who signs, in signing order: the body's list, or an agreement's parties' order."""
        if isinstance(self.data, AgreementFile):
            by_role = {s.role: s for s in self.body.signatories}
            return tuple(by_role[p.signatory] for p in self.data.parties if p.signatory in by_role)
        names = self.data.signatory_names
        return tuple(
            s.model_copy(update={"name": names.get(s.role, s.name)}) for s in self.body.signatories
        )

    def attachment_file(self, attachment: Attachment) -> Found:
        """The attachment's file inside the meeting's folder tree, or what is wrong with it."""
        return find(self.root, self.source.parent, attachment.file, limit=ATTACHMENT_LIMIT)

    def attachment_path(self, attachment: Attachment) -> Path:
        found = self.attachment_file(attachment)
        if found.path is None:
            what = f"attachment '{attachment.title}' ({attachment.file})"
            raise InputError(f"{what}: {found.problem}")
        return found.path
