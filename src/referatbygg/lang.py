"""Fixed document texts and date/time formatting in bokmål (nb) and nynorsk (nn)."""

from __future__ import annotations

import datetime as dt

from .model import Decision, Language, NextMeeting

MONTHS = (
    "januar", "februar", "mars", "april", "mai", "juni",
    "juli", "august", "september", "oktober", "november", "desember",
)  # fmt: skip
WEEKDAYS = {
    "nb": ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"),
    "nn": ("måndag", "tysdag", "onsdag", "torsdag", "fredag", "laurdag", "sundag"),
}

LABELS: dict[Language, dict[str, str]] = {
    "nb": {
        "minutes": "Referat",
        "date": "Dato",
        "time": "Tid",
        "place": "Sted",
        "number": "Møtenummer",
        "present": "Til stede",
        "absent": "Forfall",
        "substitutes": "Møtt for",
        "substitute_for": "for",
        "others": "Andre til stede",
        "secretary": "Referent",
        "briefing_from": "Orientering fra",
        "no_business": "Ingen saker",
        "decision": "Vedtak",
        "unanimous": "Enstemmig vedtatt.",
        "votes": "Vedtatt med {for_} mot {against} stemmer",
        "blank": ", {blank} blanke",
        "attachments": "Vedlegg",
        "item_short": "Pkt.",
        "abbreviations": "Forkortelser",
        "abbreviation": "Forkortelse",
        "meaning": "Betydning",
        "next_meetings": "Neste møter",
        "signatures": "Underskrifter",
        "page": "Side",
        "of": "av",
        "and": "og",
        "time_prefix": "kl.",
        "exempt": "Unntatt offentlighet, jf.",
        "draft": "UTKAST",
        "built": "bygget",
        "notice": "Innkalling",
        "agenda": "Saksliste",
        "notice_attachments": "Vedlegg som legges fram",
        "public": "offentlig versjon",
        "parties": "Parter",
        "period": "Periode",
        "agreement": "Avtale",
    },
    "nn": {
        "minutes": "Referat",
        "date": "Dato",
        "time": "Tid",
        "place": "Stad",
        "number": "Møtenummer",
        "present": "Til stades",
        "absent": "Forfall",
        "substitutes": "Møtte for",
        "substitute_for": "for",
        "others": "Andre til stades",
        "secretary": "Referent",
        "briefing_from": "Orientering frå",
        "no_business": "Ingen saker",
        "decision": "Vedtak",
        "unanimous": "Samrøystes vedteke.",
        "votes": "Vedteke med {for_} mot {against} røyster",
        "blank": ", {blank} blanke",
        "attachments": "Vedlegg",
        "item_short": "Pkt.",
        "abbreviations": "Forkortingar",
        "abbreviation": "Forkorting",
        "meaning": "Tyding",
        "next_meetings": "Neste møte",
        "signatures": "Underskrifter",
        "page": "Side",
        "of": "av",
        "and": "og",
        "time_prefix": "kl.",
        "exempt": "Unnateke offentlegheit, jf.",
        "draft": "UTKAST",
        "built": "bygd",
        "notice": "Innkalling",
        "agenda": "Sakliste",
        "notice_attachments": "Vedlegg som blir lagde fram",
        "public": "offentleg versjon",
        "parties": "Partar",
        "period": "Periode",
        "agreement": "Avtale",
    },
}

BCP47: dict[Language, str] = {"nb": "nb-NO", "nn": "nn-NO"}


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


def time_range(start: dt.time | None, end: dt.time | None, lang: Language = "nb") -> str:
    """'kl. 13.30–15.30', 'kl. 13.30', or ''."""
    prefix = LABELS[lang]["time_prefix"]
    if start and end:
        return f"{prefix} {clock(start)}–{clock(end)}"
    if start:
        return f"{prefix} {clock(start)}"
    return ""


def next_meeting(m: NextMeeting, lang: Language = "nb") -> str:
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
    when = time_range(m.start, m.end, lang)
    if when:
        text += f" {when}"
    if m.note:
        text += f", {m.note}"
    return text


def numbers(nums: tuple[int, ...], lang: Language = "nb") -> str:
    """'7.' or '7. og 8.' or '3., 4. og 5.'."""
    parts = [f"{n}." for n in nums]
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + f" {LABELS[lang]['and']} " + parts[-1]


def decision_outcome(d: Decision, lang: Language = "nb") -> str:
    labels = LABELS[lang]
    if d.unanimous:
        return labels["unanimous"]
    if d.votes:
        text = labels["votes"].format(for_=d.votes.for_, against=d.votes.against)
        if d.votes.blank:
            text += labels["blank"].format(blank=d.votes.blank)
        return text + "."
    return ""
