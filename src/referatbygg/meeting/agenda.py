"""Agenda items and what happens to them: proposals and votes, the decision, conflicts of
interest, closed treatment, case metadata; and the attachments and next meetings.

A municipal council's case is the fullest form: the administration's recommendation (innstilling),
proposals from members with name and party, a vote per proposal (counts, optionally who voted
how), the decision, members who were disqualified (inhabil) and left, and sometimes treatment
behind closed doors (kommuneloven § 11-5) with a public title. A police council's item is the
simplest: a heading and some bullets. Everything beyond that is optional.
"""

from __future__ import annotations

import datetime as dt
import string
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from .markup import Block, check_markup, parse_text
from .vocab import (
    Basis,
    Count,
    Date,
    Exempt,
    Filled,
    Flag,
    NonEmpty,
    Number,
    Ref,
    SeriesId,
    Strict,
    Text,
    Title,
)


class Votes(Strict):
    """A vote: counts, and optionally who voted how (navnestemmegivning)."""

    for_: Count = Field(alias="for")
    against: Count
    blank: Count = 0
    for_names: tuple[NonEmpty, ...] = ()
    against_names: tuple[NonEmpty, ...] = ()
    blank_names: tuple[NonEmpty, ...] = ()

    @model_validator(mode="after")
    def _names_match(self) -> Votes:
        for names, count, key in (
            (self.for_names, self.for_, "for"),
            (self.against_names, self.against, "against"),
            (self.blank_names, self.blank, "blank"),
        ):
            if names and len(names) != count:
                raise ValueError(
                    f"{key}_names lists {len(names)} name(s) but {key} = {count}; give every "
                    "name or none"
                )
        return self


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


ProposalKind = Literal["innstilling", "tilråding", "forslag", "endringsforslag", "tilleggsforslag"]


class Proposal(Strict):
    """A proposal put to the vote: the administration's or the chair's recommendation
    (innstilling, tilråding) or a member's proposal, with the proposer and the outcome."""

    kind: ProposalKind = "forslag"
    by: NonEmpty | None = Field(
        default=None,
        description="Who proposes: 'kommunedirektøren', 'Kari Nordmann' (left out when the "
        "minutes do not say).",
    )
    party: Text | None = None
    text: NonEmpty
    unanimous: Flag = False
    votes: Votes | None = None
    adopted: Flag | None = Field(
        default=None, description="Whether it was adopted; by default from the votes."
    )

    @model_validator(mode="after")
    def _outcome(self) -> Proposal:
        if self.unanimous and self.votes is not None:
            raise ValueError("a proposal is either 'unanimous' or has 'votes', not both")
        if self.unanimous and self.adopted is False:
            raise ValueError("a proposal adopted unanimously cannot have adopted = false")
        return self

    @property
    def outcome(self) -> bool | None:
        """Adopted (True), rejected (False), or not put to the vote / not said (None)."""
        if self.adopted is not None:
            return self.adopted
        if self.unanimous:
            return True
        if self.votes is not None:
            return self.votes.for_ > self.votes.against
        return None


class Conflict(Strict):
    """A member disqualified from the case (inhabil / ugild), with the legal basis — which
    minutes should cite, and ``check`` warns when they do not; not demanded, so that minutes
    that did not record it are not given an invented one."""

    name: NonEmpty
    party: Text | None = None
    basis: Basis | None = Field(default=None, description="E.g. 'fvl. § 6 første ledd bokstav a'.")
    declared: Literal["body", "self"] = Field(
        default="body", description="'body': the body found them disqualified (ble erklært "
        "inhabil); 'self': they declared it themselves (erklærte seg inhabil).",
    )  # fmt: skip
    stepped_out: Flag = Field(default=True, description="Left the meeting for this case.")
    replaced_by: Text | None = Field(default=None, description="The substitute who took over.")


class Closed(Strict):
    """Treated behind closed doors (kommuneloven § 11-5): not the same as exempting content from
    public access (offentleglova), though a closed case's documents usually are exempt too."""

    basis: Basis = Field(description="E.g. 'kml. § 11-5 andre ledd bokstav a'.")
    public_title: Title = Field(description="The title the public version and the agenda show.")
    decision: Text | None = Field(
        default=None, description="The decision to close the meeting, e.g. 'Enstemmig vedtatt.'"
    )


class CaseInfo(Strict):
    """Case metadata as the case handling system has it."""

    handler: Text | None = Field(default=None, description="Saksbehandler.")
    archive_ref: Text | None = Field(default=None, description="Arkivsak, e.g. '23/1234'.")
    route: tuple[NonEmpty, ...] = Field(default=(), description="Saksgang: bodies and dates.")
    class_code: Text | None = Field(default=None, description="Arkivkode (klasse), e.g. '033'.")
    decided_by: Text | None = Field(
        default=None, description="Who decides (avgjerd av), e.g. 'Kommunestyret'."
    )
    object: Text | None = Field(default=None, description="Objekt, e.g. a property 'gnr. 12/3'.")


class Item(Strict):
    """One agenda item; it may cover several numbers (``numbers = [7, 8]``)."""

    numbers: tuple[Number, ...] = Field(min_length=1)
    series: SeriesId | None = Field(
        default=None, description="The case series it is numbered in ('RS'), one the body "
        "declares under [[series]] (default: the main series, case_format).",
    )  # fmt: skip
    kind: Literal["sak", "orientering"] = "sak"
    added: Flag = Field(default=False, description="A tilleggssak: added at the meeting.")
    treated_after: Ref | None = Field(
        default=None, description="Treated after this item, not in its place: 69 or 'RS 2'."
    )
    title: Filled | None = None
    presenter: Text | None = Field(
        default=None, description="For an orientering: who briefs, e.g. 'politimesteren'."
    )
    case: CaseInfo | None = None
    text: Text = ""
    proposals: tuple[Proposal, ...] = ()
    decision: Decision | None = None
    conflicts: tuple[Conflict, ...] = ()
    closed: Closed | None = None
    no_business: Flag = Field(default=False, description="Render 'Ingen saker'.")
    exempt: Exempt = Field(default=None, description="Legal basis when the item is exempt.")
    next_meetings: Flag = Field(
        default=False, description="List the meeting's next_meetings under this item."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Item:
        if self.no_business and (self.text.strip() or self.decision or self.proposals):
            raise ValueError(
                "an item with no_business = true cannot also have text, proposals or a decision"
            )
        placed = any(b.kind == "decision" for b in self.blocks)
        if placed and self.decision is None:
            raise ValueError("the text places the decision with [vedtak], but the item has none")
        return self

    @field_validator("text")
    @classmethod
    def _markup(cls, text: str) -> str:
        return check_markup(text, decision=True)

    @property
    def blocks(self) -> tuple[Block, ...]:
        return parse_text(self.text, decision=True)

    @property
    def keys(self) -> tuple[tuple[str, int], ...]:
        """The (series, number) pairs references find it by: ("", 5), ("RS", 2)."""
        return tuple((self.series or "", n) for n in self.numbers)


class Attachment(Strict):
    item: Ref = Field(description="The agenda item it belongs to: 5, or 'RS 2' in a series.")
    title: NonEmpty
    file: Path = Field(description="Relative to the meeting file (an agreement's .toml too).")
    exempt: Exempt = Field(default=None, description="Legal basis when the attachment is exempt.")
    alt: Text | None = Field(
        default=None, description="What an image attachment (PNG, JPEG) shows, read aloud by "
        "screen readers; without it the image is not published as accessible.",
    )  # fmt: skip
    author: Text | None = Field(
        default=None, description="Who wrote it (the archive's forfatter): 'Oslo "
        "politidistrikt', 'Rådmannen'; default: the body.",
    )  # fmt: skip


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


class Series(Strict):
    """A case series numbered on its own, beside the main one (the body's case_format): RS
    referatsaker, DS delegerte saker, FO spørsmål, numbered orienteringer."""

    id: SeriesId = Field(description="What items and references call it: 'RS'.")
    format: str = Field(description="How its numbers are written: 'RS {number}/{yy}'.")
    name: Text | None = Field(default=None, description="E.g. 'Referatsaker'.")

    @field_validator("format")
    @classmethod
    def _format(cls, fmt: str) -> str:
        return check_case_format(fmt)


# --- case numbers --------------------------------------------------------------------------------

CASE_FIELDS = {"number", "year", "yy"}


def check_case_format(fmt: str) -> str:
    """A body's case_format: "{number}." (the default), "PS {number}/{yy}", "{number:03}/{yy}",
    "Sak {number}" — Python format fields number, year (2023) and yy ("23") only."""
    try:
        fields = {f for _, f, _, _ in string.Formatter().parse(fmt) if f is not None}
    except ValueError as exc:
        raise ValueError(f"{fmt!r} is not a valid format: {exc}") from None
    if "number" not in fields:
        raise ValueError(f"{fmt!r} must contain {{number}}")
    unknown = fields - CASE_FIELDS
    if unknown:
        raise ValueError(
            f"{fmt!r} uses {', '.join(sorted(unknown))}; known: {{number}}, {{year}}, {{yy}}"
        )
    try:
        case_label(fmt, 1, 2023)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{fmt!r} cannot be used: {exc}") from None
    return fmt


def case_label(fmt: str, number: int, year: int) -> str:
    return fmt.format(number=number, year=year, yy=f"{year % 100:02d}")
