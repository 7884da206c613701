"""The vocabulary of the product: body (organ), meeting, participants, signatories, agreement.

Pydantic v2 models that reject unknown keys. Keys in the TOML files are English; Norwegian domain
words stay Norwegian where they are the users' own words (``orientering``, ``vedtak`` as a kind).
Agenda items and what happens to them are in agenda.py, the text markup in markup.py, the value
types in vocab.py; this module joins them and re-exports what the rest of the package uses.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..errors import InputError
from ..settings import attachment_limit
from .agenda import (
    Attachment,
    CaseInfo,
    Closed,
    Conflict,
    Decision,
    Item,
    NextMeeting,
    Proposal,
    Series,
    Votes,
    case_label,
    check_case_format,
)
from .filing import Filing, OrgNumber
from .inputs import Found, find
from .markup import (
    EXEMPT_MARK,
    Block,
    Bullet,
    BulletList,
    DecisionMark,
    MarkupError,
    Paragraph,
    check_markup,
    parse_text,
)
from .phrases import LABELS, check_overrides
from .vocab import (
    TITLE_MAX,
    Date,
    Flag,
    Language,
    NonEmpty,
    Ref,
    RoleId,
    Strict,
    Text,
    Title,
    ref_key,
)

__all__ = [
    "EXEMPT_MARK", "TITLE_MAX", "AgreementFile", "Attachment", "Block", "Body", "Bullet",
    "BulletList", "CaseInfo", "Closed", "Conflict", "Decision", "DecisionMark", "Item",
    "Language", "MarkupError", "Meeting", "MeetingFile", "NextMeeting", "Paragraph",
    "Participants", "Person", "Proposal", "RoleId", "Signatory", "Strict", "Substitute", "Votes",
    "parse_text",
]  # fmt: skip

LOGO_LIMIT = 5 * 1024 * 1024

AttendanceGroup = Literal[
    "chair", "present", "absent", "substitutes", "administration", "others", "secretary"
]

# --- body (organ) --------------------------------------------------------------------------------


class Signatory(Strict):
    role: RoleId = Field(description="Stable id, e.g. 'byradsleder'; names the signature field.")
    title: NonEmpty = Field(description="Shown in the signature block, e.g. 'Byrådsleder'.")
    name: Text | None = None


def _unique_roles(signatories: tuple[Signatory, ...]) -> None:
    seen: set[str] = set()
    for s in signatories:
        if s.role in seen:
            raise ValueError(f"signatory role '{s.role}' is listed twice")
        seen.add(s.role)


class StandingText(Strict):
    title: NonEmpty
    text: NonEmpty

    @field_validator("text")
    @classmethod
    def _markup(cls, text: str) -> str:
        return check_markup(text)


Signatures = Literal["body", "meeting", "none"]


class Body(Strict):
    """What every meeting of one body shares (``organ.toml``)."""

    id: RoleId = Field(description="Short id used in file and package names, e.g. 'politiradet'.")
    name: Title
    organisation: Title = Field(description="Who owns the body, e.g. 'Oslo kommune'.")
    organisation_number: OrgNumber | None = Field(
        default=None, description="The organisation's number in Enhetsregisteret (9 digits): "
        "names it in every external key of the archive; archiving needs it (here or in the "
        "archive profile).",
    )  # fmt: skip
    archive: Filing = Field(
        default_factory=Filing, description="Where the receiving archive files the minutes."
    )
    language: Language = "nb"
    document_type: Title | None = Field(
        default=None,
        description="What the minutes are called: 'Møteprotokoll', 'Møtebok', 'Protokoll' "
        "(default: 'Referat').",
    )
    case_format: str = Field(
        default="{number}.",
        description="How agenda numbers are written: 'PS {number}/{yy}', '{number:03}/{yy}', "
        "'Sak {number}' (default '{number}.').",
    )
    numbering: Literal["meeting", "year"] = Field(
        default="meeting",
        description="Agenda numbers start at 1 every meeting, or run through the year.",
    )
    attendance: Literal["list", "table", "status", "roster"] = Field(
        default="list",
        description="Participants as lines under the heading ('list'), as a table per group "
        "('table'), as one table of everyone with a status column ('status': møtt, forfall, "
        "møtt for), or one person per line, title first, under each group's heading ('roster').",
    )
    attendance_groups: tuple[AttendanceGroup, ...] | None = Field(
        default=None, description="Which groups are shown, in which order (default: chair, "
        "present, absent, substitutes, administration, others, secretary).",
    )  # fmt: skip
    attendance_by: Literal["group", "organisation"] = Field(
        default="group", description="'organisation': those present are listed under their "
        "organisations ('Til stede fra Oslo politidistrikt'), as police councils do.",
    )  # fmt: skip
    front: Literal["heading", "form"] = Field(
        default="heading", description="The front matter as lines under the title ('heading') "
        "or as a form table (Utval, Møtestad, Møtedato, Møtetid, Saksnr.).",
    )  # fmt: skip
    agenda_table: Flag = Field(
        default=False, description="Print the saksliste as a table (number, title, archive "
        "case, closed) before the protocol.",
    )  # fmt: skip
    case_page: Flag = Field(default=False, description="Begin each agenda item on a new page.")
    series: tuple[Series, ...] = Field(
        default=(), description="Case series numbered on their own beside the main one "
        "(case_format): [[series]] id = 'RS', format = 'RS {number}/{yy}'.",
    )  # fmt: skip
    decision_label: Text | None = Field(
        default=None, description="The label before a decision (default 'Vedtak'; '' for none)."
    )
    abbreviations: dict[NonEmpty, Title] = Field(default_factory=dict)  # a 1 MB expansion hung LO
    known_terms: tuple[NonEmpty, ...] = Field(
        default=(), description="Capitalised words used without expansion (NATO, NRK)."
    )
    standing_text: StandingText | None = None
    signatures: Signatures = Field(
        default="body",
        description="Who signs: 'body' (the signatories below, every meeting), 'meeting' (each "
        "meeting file names them) or 'none' (approved at the next meeting).",
    )
    signatories: tuple[Signatory, ...] = ()
    attestation: Text | None = Field(
        default=None, description="The sentence above the signatures, e.g. 'Protokollen "
        "godkjennes av møteleder og to valgte medlemmer.'",
    )  # fmt: skip
    signing_place: Text | None = Field(
        default=None, description="The place in 'Oslo, 13. januar 2023' above the signatures "
        "(default: the organisation's name without ' kommune').",
    )  # fmt: skip
    logo: Path | None = Field(
        default=None, description="A PNG or SVG beside organ.toml, shown above the title."
    )
    attachment_pages: Literal["as-is", "A4"] = Field(
        default="A4", description="A4: attachment pages of other sizes are scaled to A4 (the "
        "default); as-is: each keeps its size. Either way the page is scaled to leave room for "
        "the band naming the attachment at its foot.",
    )  # fmt: skip
    recommendation: Literal["before", "after"] = Field(
        default="before",
        description="Where the recommendation (innstilling, tilråding) stands: before the case "
        "text, or after it, before the other proposals.",
    )
    phrases: dict[str, Text] = Field(
        default_factory=dict,
        description="The body's own wording of the documents' fixed phrases, by key "
        "(unanimous = 'Innstillinga vart samrøystes vedteken.'); see meeting/phrases.py.",
    )

    @field_validator("phrases")
    @classmethod
    def _phrases(cls, given: dict[str, str]) -> dict[str, str]:
        return check_overrides(given)

    @field_validator("case_format")
    @classmethod
    def _case_format(cls, fmt: str) -> str:
        return check_case_format(fmt)

    @model_validator(mode="after")
    def _signers(self) -> Body:
        _unique_roles(self.signatories)
        ids = [x.id for x in self.series]
        twice = sorted({x for x in ids if ids.count(x) > 1})
        if twice:
            raise ValueError(f"case series {', '.join(twice)} declared twice")
        if self.signatures == "body" and not self.signatories:
            raise ValueError(
                'the body signs with its own signatories (signatures = "body", the default) '
                'but lists none: add [[signatories]], or set signatures = "meeting" or "none"'
            )
        if self.signatures != "body" and self.signatories:
            raise ValueError(
                f'signatures = "{self.signatures}": the body lists no [[signatories]] of its own '
                "(each meeting names them, or nobody signs)"
            )
        return self

    def signatory(self, role: str) -> Signatory | None:
        return next((s for s in self.signatories if s.role == role), None)

    def case(self, number: int, year: int, series: str | None = None) -> str:
        fmt = next((x.format for x in self.series if x.id == series), self.case_format)
        return case_label(fmt, number, year)


# --- meeting -------------------------------------------------------------------------------------


class Person(Strict):
    name: NonEmpty | None = Field(
        default=None, description="Left out for someone the minutes name by function only "
        "(role = 'rådmannen').",
    )  # fmt: skip
    role: Text | None = Field(default=None, description="Title or function, e.g. 'Ordfører'.")
    organisation: Text | None = Field(default=None, description="E.g. 'Oslo politidistrikt'.")
    party: Text | None = Field(default=None, description="Party or list, e.g. 'Ap'.")
    arrived_at: Ref | None = Field(
        default=None, description="Took part from this agenda item on (in the order of "
        "treatment): 3, or 'RS 2'.",
    )  # fmt: skip
    left_after: Ref | None = Field(
        default=None, description="Left after this agenda item (in the order of treatment)."
    )
    arrived: dt.time | None = Field(default=None, description="Came at this time: 18:30.")
    left: dt.time | None = Field(default=None, description="Left at this time: 21:00.")
    items: tuple[Ref, ...] = Field(default=(), description="Took part only in these agenda items.")

    @model_validator(mode="after")
    def _known(self) -> Person:
        if not self.name and not self.role:
            raise ValueError("a participant needs a name, or a role for one named by function")
        return self

    @property
    def who(self) -> str:
        """The name, or the function for one the minutes do not name."""
        return self.name or self.role or ""


class Substitute(Strict):
    name: NonEmpty
    for_: NonEmpty | None = Field(
        default=None, alias="for",
        description="Whom the substitute met for (``check`` warns when it is not said).",
    )  # fmt: skip
    role: Text | None = None
    party: Text | None = None
    items: tuple[Ref, ...] = Field(
        default=(), description="Only for these agenda items (default: the whole meeting)."
    )

    @property
    def who(self) -> str:
        return self.name


class Participants(Strict):
    chair: Person | None = Field(default=None, description="Møteleder / møteleiar.")
    present: tuple[Person, ...] = Field(default=(), description="Members present.")
    absent: tuple[Person, ...] = Field(default=(), description="Forfall.")
    substitutes: tuple[Substitute, ...] = Field(default=(), description="Møtt for.")
    administration: tuple[Person, ...] = Field(default=(), description="Fra administrasjonen.")
    others: tuple[Person, ...] = Field(default=(), description="Others present.")
    secretary: tuple[Person, ...] = ()


class Certified(Strict):
    """'Rett utskrift bekreftes': who attests that a copy is true, and when."""

    by: NonEmpty = Field(description="Who attests, e.g. 'Marta Lid, sekretær'.")
    date: Date | None = Field(default=None, description="When (default: not printed).")


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
    abbreviations: dict[NonEmpty, Title] = Field(default_factory=dict)  # a 1 MB expansion hung LO
    signatory_names: dict[RoleId, NonEmpty] = Field(default_factory=dict)
    signatories: tuple[Signatory, ...] = Field(
        default=(), description='Who signs this meeting\'s minutes (signatures = "meeting").'
    )
    attestation: Text | None = Field(default=None, description="Overrides the body's.")
    signing_date: Date | None = Field(
        default=None, description="The date in the place-and-date line above the signatures, "
        "when the minutes are approved and signed on another day (default: the meeting's).",
    )  # fmt: skip
    participants: Participants = Participants()
    distribution: tuple[NonEmpty, ...] = Field(
        default=(), description="Who gets a copy ('Kopi til'), printed after the signatures."
    )
    certified: Certified | None = Field(
        default=None, description="'Rett utskrift bekreftes', with its signer and date, printed "
        "after the signatures.",
    )  # fmt: skip
    remarks: Text = Field(default="", description="Merknader: to the notice, leave, additions.")
    items: tuple[Item, ...] = Field(min_length=1)
    attachments: tuple[Attachment, ...] = ()
    next_meetings: tuple[NextMeeting, ...] = ()

    @model_validator(mode="after")
    def _times(self) -> MeetingFile:
        if self.start and self.end and self.end <= self.start:
            raise ValueError("end is not after start")
        _unique_roles(self.signatories)
        return self

    @field_validator("remarks")
    @classmethod
    def _markup(cls, text: str) -> str:
        return check_markup(text)


class Party(Strict):
    name: NonEmpty
    signatory: RoleId = Field(description="The body's signatory role who signs for this party.")
    organisation_number: OrgNumber | None = Field(
        default=None, description="The party's number in Enhetsregisteret, for the archive."
    )


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
    signatories: tuple[Signatory, ...] = ()
    attestation: None = None
    remarks: str = ""
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
    read: dict[Path, str] = {}  # SHA-256 of the meeting and body files as they were parsed

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
    def labels(self) -> dict[str, str]:
        """The phrases its documents print: the language's, with the body's own wording."""
        return {**LABELS[self.body.language], **self.body.phrases}

    @property
    def signatories(self) -> tuple[Signatory, ...]:
        """Who signs, in signing order: the body's list (or this meeting's, or nobody), or an
        agreement's parties' order."""
        if isinstance(self.data, AgreementFile):
            by_role = {s.role: s for s in self.body.signatories}
            return tuple(by_role[p.signatory] for p in self.data.parties if p.signatory in by_role)
        if self.body.signatures == "none":
            return ()
        if self.body.signatures == "meeting":
            return self.data.signatories
        names = self.data.signatory_names
        return tuple(
            s.model_copy(update={"name": names.get(s.role, s.name)}) for s in self.body.signatories
        )

    @property
    def attestation(self) -> str | None:
        return self.data.attestation or self.body.attestation

    @property
    def document_type(self) -> str | None:
        return self.body.document_type

    def case(self, number: int, series: str | None = None) -> str:
        """An agenda number as the body writes it: '5.', 'PS 61/23', '047/23', 'RS 3/23'."""
        return self.body.case(number, self.data.date.year, series)

    def key(self, ref: int | str) -> tuple[str, int]:
        """A reference as (series, number): 5 and "PS 5" (the main series' own prefix, as
        the body writes its numbers) are ("", 5); "RS 2" is ("RS", 2)."""
        series, number = ref_key(ref)
        main = self.body.case_format.split("{", 1)[0].strip()
        declared = {x.id for x in self.body.series}
        return ("" if series == main and series not in declared else series), number

    def item_for(self, ref: int | str) -> Item | None:
        """The agenda item a reference (5, 'PS 5', 'RS 2') names, if any."""
        key = self.key(ref)
        return next((i for i in self.data.items if key in i.keys), None)

    def treatment_order(self) -> list[int]:
        """The items' indexes in the order they were treated: as listed, with each item that
        was treated after another (``treated_after``) moved behind it."""
        items = self.data.items
        order = [i for i, item in enumerate(items) if item.treated_after is None]
        moved = [i for i, item in enumerate(items) if item.treated_after is not None]
        for _ in range(len(moved) + 1):  # chains: 72 after 70, 70 after 69
            left = []
            for i in moved:
                target = self.item_for(items[i].treated_after)  # type: ignore[arg-type]
                at = next((k for k, j in enumerate(order) if items[j] is target), None)
                if at is None:
                    left.append(i)
                    continue
                while at + 1 < len(order) and items[order[at + 1]].treated_after is not None \
                        and order[at + 1] in moved:  # fmt: skip
                    at += 1  # two items treated after the same one keep their listed order
                order.insert(at + 1, i)
            if len(left) == len(moved):
                break
            moved = left
        return order + [i for i in moved if i not in order]

    def withheld(self, attachment: Attachment) -> str | None:
        """The legal basis for keeping ``attachment`` out of the public version: its own, or
        that of its agenda item when the item is exempt or was treated behind closed doors."""
        if attachment.exempt:
            return attachment.exempt
        for item in self.data.items:
            if self.key(attachment.item) in item.keys:
                return item.exempt or (item.closed.basis if item.closed else None)
        return None

    def exempt_bases(self) -> list[str]:
        """The legal bases of every exempt (or closed) item, paragraph, bullet and attachment,
        in order: the public version leaves them out, the archive shields what holds them."""
        m = self.data
        bases: list[str | None] = [i.exempt for i in m.items]
        bases += [i.closed.basis for i in m.items if i.closed]
        for item in m.items:
            for b in item.blocks:
                if isinstance(b, Paragraph):
                    bases.append(b.exempt)
                elif isinstance(b, BulletList):
                    bases += [x.exempt for x in b.bullets]
        bases += [self.withheld(a) for a in m.attachments]
        return list(dict.fromkeys(b for b in bases if b))

    def logo_file(self) -> Found | None:
        """The body's logo inside the folder tree, or what is wrong with it; None without one."""
        if self.body.logo is None:
            return None
        return find(self.root, self.body_source.parent, self.body.logo, limit=LOGO_LIMIT)

    def attachment_file(self, attachment: Attachment) -> Found:
        """The attachment's file inside the meeting's folder tree, or what is wrong with it."""
        return find(self.root, self.source.parent, attachment.file, limit=attachment_limit())

    def attachment_path(self, attachment: Attachment) -> Path:
        found = self.attachment_file(attachment)
        if found.path is None:
            what = f"attachment '{attachment.title}' ({attachment.file})"
            raise InputError(f"{what}: {found.problem}")
        return found.path
