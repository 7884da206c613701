"""Fixed document texts and date/time formatting in bokmål (nb) and nynorsk (nn)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from ..meeting.model import Decision, Language, Meeting, NextMeeting, Proposal, Votes
from ..meeting.phrases import LABELS

MONTHS = (
    "januar", "februar", "mars", "april", "mai", "juni",
    "juli", "august", "september", "oktober", "november", "desember",
)  # fmt: skip
WEEKDAYS = {
    "nb": ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"),
    "nn": ("måndag", "tysdag", "onsdag", "torsdag", "fredag", "laurdag", "sundag"),
}

BCP47: dict[Language, str] = {"nb": "nb-NO", "nn": "nn-NO"}
# A language's phrases, or a meeting's (the body's own wording over them: Meeting.labels).
Phrases = Mapping[str, str]


def book(lang: Language | Phrases) -> Phrases:
    return LABELS[lang] if isinstance(lang, str) else lang


def long_date(day: dt.date, *, weekday: bool = False, lang: Language = "nb") -> str:
    """'13. januar 2023' (or 'fredag 13. januar 2023')."""
    text = f"{day.day}. {MONTHS[day.month - 1]} {day.year}"
    return f"{WEEKDAYS[lang][day.weekday()]} {text}" if weekday else text


def oslo_now() -> str:
    """Now, as Norwegians read it: '28.11.2026 kl. 02.15' (Europe/Oslo)."""
    from zoneinfo import ZoneInfo

    now = dt.datetime.now(ZoneInfo("Europe/Oslo"))
    return f"{now:%d.%m.%Y} kl. {now:%H.%M}"


def clock(t: dt.time) -> str:
    """Norwegian clock time: '13.30'."""
    return f"{t.hour:02d}.{t.minute:02d}"


def time_range(start: dt.time | None, end: dt.time | None, lang: Language | Phrases = "nb") -> str:
    """'kl. 13.30–15.30', 'kl. 13.30', or ''."""
    prefix = book(lang)["time_prefix"]
    if start and end:
        return f"{prefix} {clock(start)}–{clock(end)}"
    if start:
        return f"{prefix} {clock(start)}"
    return ""


def next_meeting(m: NextMeeting, lang: Language = "nb", labels: Phrases | None = None) -> str:
    """'21. april 2023 kl. 13.30–15.30', '30. november–1. desember 2023, lunsj til lunsj'."""
    if m.end_date and m.end_date != m.date:
        if m.end_date.year == m.date.year:
            first = f"{m.date.day}. {MONTHS[m.date.month - 1]}"
            if m.end_date.month == m.date.month:
                first = f"{m.date.day}."
            text = f"{first}–{long_date(m.end_date, lang=lang)}"
        else:
            text = f"{long_date(m.date, lang=lang)}–{long_date(m.end_date, lang=lang)}"
    else:
        text = long_date(m.date, lang=lang)
    when = time_range(m.start, m.end, labels or lang)
    if when:
        text += f" {when}"
    if m.note:
        text += f", {m.note}"
    return text


def join(parts: list[str], lang: Language | Phrases = "nb") -> str:
    """'a', 'a og b', 'a, b og c'."""
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + f" {book(lang)['and']} " + parts[-1]


def numbers(nums: tuple[int, ...], lang: Language | Phrases = "nb") -> str:
    """'7.' or '7. og 8.' or '3., 4. og 5.'."""
    return join([f"{n}." for n in nums], lang)


def case_numbers(meeting: Meeting, nums: tuple[int, ...], series: str | None = None) -> str:
    """An item's numbers as its heading shows them: '7. og 8.', 'PS 61/23', 'Sak 3'."""
    return join([meeting.case(n, series) for n in nums], meeting.labels)


def item_ref(meeting: Meeting, ref: int | str, *, in_sentence: bool = False) -> str:
    """An agenda item referred to in text: 'Pkt. 5' (the default numbering) or the case
    number as the body writes it ('PS 61/23', 'RS 2/23'); in a sentence 'pkt. 5', 'sak 3'."""
    labels = meeting.labels
    series, number = meeting.key(ref)
    if meeting.body.case_format == "{number}." and not series:
        ref = f"{labels['item_short']} {number}"
    else:
        ref = meeting.case(number, series or None)
    first = ref.split(" ", 1)[0]
    if in_sentence and first[:1].isupper() and not first.isupper():
        ref = ref[:1].lower() + ref[1:]
    return ref


def vote_text(v: Votes, lang: Language | Phrases = "nb") -> str:
    """'med 20 mot 11 stemmer, 2 blanke' ('mot 1 stemme', '1 blank')."""
    labels = book(lang)
    word = labels["vote_word"] if v.against == 1 else labels["votes_word"]
    text = labels["votes_for_against"].format(for_=v.for_, against=v.against, word=word)
    if v.blank:
        text += labels["blank_one" if v.blank == 1 else "blank"].format(blank=v.blank)
    return text


def named_votes(v: Votes | None, lang: Language | Phrases = "nb") -> str:
    """'For: A, B. Mot: C.' when the vote was by name, else ''."""
    if v is None:
        return ""
    labels = book(lang)
    parts = [
        f"{labels[key]}: {', '.join(names)}."
        for key, names in (
            ("voted_for", v.for_names), ("voted_against", v.against_names),
            ("voted_blank", v.blank_names),
        )
        if names
    ]  # fmt: skip
    return " ".join(parts)


def decision_outcome(d: Decision, lang: Language | Phrases = "nb") -> str:
    labels = book(lang)
    if d.unanimous:
        return labels["unanimous"]
    if d.votes:
        return f"{labels['adopted']} {vote_text(d.votes, lang)}."
    return ""


def proposal_outcome(p: Proposal, lang: Language | Phrases = "nb") -> str:
    """'Enstemmig vedtatt.', 'Vedtatt med 20 mot 11 stemmer.', 'Falt med 11 mot 20 stemmer.'"""
    labels = book(lang)
    if p.unanimous:
        return labels["unanimous"]
    outcome = p.outcome
    if outcome is None:
        return ""
    verb = labels["adopted" if outcome else "rejected"]
    return f"{verb} {vote_text(p.votes, lang)}." if p.votes else f"{verb}."


def proposal_label(p: Proposal, lang: Language | Phrases = "nb") -> str:
    """'Innstilling fra kommunedirektøren:', 'Forslag fra Kari Nordmann (H):'."""
    labels = book(lang)
    who = " ".join(x for x in (p.by, f"({p.party})" if p.party else None) if x)
    return f"{labels[p.kind]} {labels['from']} {who}:" if who else f"{labels[p.kind]}:"


# --- lines that do not break where a reader would stumble -----------------------------------------

NBSP, JOINER = "\u00a0", "\u2060"  # no-break space; word joiner (no break, no width)
_DATE = re.compile(r"\b(\d{1,2}\.) (" + "|".join(MONTHS) + r")\b(?: (\d{4})\b)?")
_BEFORE_NUMBER = re.compile(r"(?<!\w)(Pkt\.|pkt\.|kl\.|nr\.|Sak|sak|PS|§§?) (?=\d)")
_UNIT = re.compile(
    r"(\d) (mill\.|mrd\.|kr\.?|kroner|prosent|%|km|m²|m|år|timer|dager|stk\.)(?=[\s.,;:)]|$)"
)
_RANGE = re.compile(r"(\d)([–-])(?=\d)")


def nobreak(text: str) -> str:
    """Keep together what belongs together: '13. januar 2023', 'Pkt. 5', 'kl. 13.30', '§ 13',
    '4,2 mill. kroner', and ranges like '2023–2025' (no break after the dash)."""

    def date(m: re.Match[str]) -> str:
        return NBSP.join(part for part in m.groups() if part)

    text = _DATE.sub(date, text)
    text = _BEFORE_NUMBER.sub(lambda m: m.group(1) + NBSP, text)
    text = _UNIT.sub(lambda m: m.group(1) + NBSP + m.group(2), text)
    return _RANGE.sub(lambda m: m.group(1) + m.group(2) + JOINER, text)
