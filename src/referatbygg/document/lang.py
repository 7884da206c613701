"""Fixed document texts and date/time formatting in bokmål (nb) and nynorsk (nn)."""

from __future__ import annotations

import datetime as dt
import re

from ..meeting.model import Decision, Language, Meeting, NextMeeting, Proposal, Votes

MONTHS = (
    "januar", "februar", "mars", "april", "mai", "juni",
    "juli", "august", "september", "oktober", "november", "desember",
)  # fmt: skip
WEEKDAYS = {
    "nb": ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"),
    "nn": ("måndag", "tysdag", "onsdag", "torsdag", "fredag", "laurdag", "sundag"),
}

# The words bokmål and nynorsk write alike; each language adds its own below.
_SHARED: dict[str, str] = {
    "minutes": "Referat",
    "date": "Dato",
    "time": "Tid",
    "number": "Møtenummer",
    "absent": "Forfall",
    "substitute_for": "for",
    "secretary": "Referent",
    "no_business": "Ingen saker",
    "decision": "Vedtak",
    "blank": ", {blank} blanke",
    "attachments": "Vedlegg",
    "item_short": "Pkt.",
    "next_meeting": "Neste møte",
    "signatures": "Underskrifter",
    "page": "Side",
    "of": "av",
    "and": "og",
    "time_prefix": "kl.",
    "draft": "UTKAST",
    "notice": "Innkalling",
    "period": "Periode",
    "agreement": "Avtale",
    "party": "Parti",
    "role": "Rolle",
    "remark": "Merknad",
    "remarks": "Merknader",
    "only_in": "i {refs}",
    "archive_ref": "Arkivsak",
    "route": "Saksgang",
    "innstilling": "Innstilling",
    "tilråding": "Tilråding",
    "forslag": "Forslag",
    "endringsforslag": "Endringsforslag",
    "tilleggsforslag": "Tilleggsforslag",
    "votes_for_against": "med {for_} mot {against} {word}",
    "blank_one": ", {blank} blank",
    "voted_for": "For",
    "voted_against": "Mot",
    "voted_blank": "Blankt",
    "closing_decision": "Vedtak om å lukke møtet:",
    "untitled": "Sak",
    "signed_note": "Originalen er signert elektronisk av {names}.",
    "copy_note": "Kopi – signert original arkivert separat",
}

LABELS: dict[Language, dict[str, str]] = {
    "nb": {
        **_SHARED,
        "place": "Sted",
        "present": "Til stede",
        "substitutes": "Møtt for",
        "others": "Andre til stede",
        "briefing_from": "Orientering fra",
        "unanimous": "Enstemmig vedtatt.",
        "votes": "Vedtatt med {for_} mot {against} stemmer",
        "abbreviations": "Forkortelser",
        "abbreviation": "Forkortelse",
        "meaning": "Betydning",
        "next_meetings": "Neste møter",
        "exempt": "Unntatt offentlighet, jf.",
        "built": "bygget",
        "agenda": "Saksliste",
        "notice_attachments": "Vedlegg som legges fram",
        "public": "offentlig versjon",
        "parties": "Parter",
        "chair": "Møteleder",
        "administration": "Fra administrasjonen",
        "attendance": "Møtedeltakere",
        "name": "Navn",
        "arrived": "møtte fra {ref}",
        "left": "gikk etter {ref}",
        "handler": "Saksbehandler",
        "from": "fra",
        "adopted": "Vedtatt",
        "rejected": "Falt",
        "vote_word": "stemme",
        "votes_word": "stemmer",
        "conflict": "{who} ble erklært inhabil, jf. {basis}",
        "conflict_unstated": "{who} ble erklært inhabil",
        "stepped_out": ", og fratrådte under behandlingen av saken",
        "replaced_by": "{who} tiltrådte.",
        "closed": "Lukket møte, jf. {basis}.",
        "closed_public": "Saken ble behandlet i lukket møte, jf. {basis}.",
        "signed_note_pending": "Originalen signeres elektronisk av {names}.",
        "copy_note_pending": "Kopi – originalen signeres og arkiveres separat",
        "original_archived": "signert original arkivert som eget dokument",
    },
    "nn": {
        **_SHARED,
        "place": "Stad",
        "present": "Til stades",
        "substitutes": "Møtte for",
        "others": "Andre til stades",
        "briefing_from": "Orientering frå",
        "unanimous": "Samrøystes vedteke.",
        "votes": "Vedteke med {for_} mot {against} røyster",
        "abbreviations": "Forkortingar",
        "abbreviation": "Forkorting",
        "meaning": "Tyding",
        "next_meetings": "Neste møte",
        "exempt": "Unnateke offentlegheit, jf.",
        "built": "bygd",
        "agenda": "Sakliste",
        "notice_attachments": "Vedlegg som blir lagde fram",
        "public": "offentleg versjon",
        "parties": "Partar",
        "chair": "Møteleiar",
        "administration": "Frå administrasjonen",
        "attendance": "Møtedeltakarar",
        "name": "Namn",
        "arrived": "møtte frå {ref}",
        "left": "gjekk etter {ref}",
        "handler": "Saksbehandlar",
        "from": "frå",
        "adopted": "Vedteke",
        "rejected": "Fall",
        "vote_word": "røyst",
        "votes_word": "røyster",
        "conflict": "{who} vart erklært ugild, jf. {basis}",
        "conflict_unstated": "{who} vart erklært ugild",
        "stepped_out": ", og fråtredde under handsaminga av saka",
        "replaced_by": "{who} tiltredde.",
        "closed": "Lukka møte, jf. {basis}.",
        "closed_public": "Saka vart handsama i lukka møte, jf. {basis}.",
        "signed_note_pending": "Originalen vert signert elektronisk av {names}.",
        "copy_note_pending": "Kopi – originalen vert signert og arkivert separat",
        "original_archived": "signert original arkivert som eige dokument",
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


def join(parts: list[str], lang: Language = "nb") -> str:
    """'a', 'a og b', 'a, b og c'."""
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + f" {LABELS[lang]['and']} " + parts[-1]


def numbers(nums: tuple[int, ...], lang: Language = "nb") -> str:
    """'7.' or '7. og 8.' or '3., 4. og 5.'."""
    return join([f"{n}." for n in nums], lang)


def case_numbers(meeting: Meeting, nums: tuple[int, ...]) -> str:
    """An item's numbers as its heading shows them: '7. og 8.', 'PS 61/23', 'Sak 3'."""
    return join([meeting.case(n) for n in nums], meeting.language)


def item_ref(meeting: Meeting, number: int, *, in_sentence: bool = False) -> str:
    """An agenda number referred to in text: 'Pkt. 5' (the default numbering) or the case
    number as the body writes it ('PS 61/23'); in a sentence 'pkt. 5', 'sak 3'."""
    labels = LABELS[meeting.language]
    if meeting.body.case_format == "{number}.":
        ref = f"{labels['item_short']} {number}"
    else:
        ref = meeting.case(number)
    first = ref.split(" ", 1)[0]
    if in_sentence and first[:1].isupper() and not first.isupper():
        ref = ref[:1].lower() + ref[1:]
    return ref


def vote_text(v: Votes, lang: Language = "nb") -> str:
    """'med 20 mot 11 stemmer, 2 blanke' ('mot 1 stemme', '1 blank')."""
    labels = LABELS[lang]
    word = labels["vote_word"] if v.against == 1 else labels["votes_word"]
    text = labels["votes_for_against"].format(for_=v.for_, against=v.against, word=word)
    if v.blank:
        text += labels["blank_one" if v.blank == 1 else "blank"].format(blank=v.blank)
    return text


def named_votes(v: Votes | None, lang: Language = "nb") -> str:
    """'For: A, B. Mot: C.' when the vote was by name, else ''."""
    if v is None:
        return ""
    labels = LABELS[lang]
    parts = [
        f"{labels[key]}: {', '.join(names)}."
        for key, names in (
            ("voted_for", v.for_names), ("voted_against", v.against_names),
            ("voted_blank", v.blank_names),
        )
        if names
    ]  # fmt: skip
    return " ".join(parts)


def decision_outcome(d: Decision, lang: Language = "nb") -> str:
    labels = LABELS[lang]
    if d.unanimous:
        return labels["unanimous"]
    if d.votes:
        return f"{labels['adopted']} {vote_text(d.votes, lang)}."
    return ""


def proposal_outcome(p: Proposal, lang: Language = "nb") -> str:
    """'Enstemmig vedtatt.', 'Vedtatt med 20 mot 11 stemmer.', 'Falt med 11 mot 20 stemmer.'"""
    labels = LABELS[lang]
    if p.unanimous:
        return labels["unanimous"]
    outcome = p.outcome
    if outcome is None:
        return ""
    verb = labels["adopted" if outcome else "rejected"]
    return f"{verb} {vote_text(p.votes, lang)}." if p.votes else f"{verb}."


def proposal_label(p: Proposal, lang: Language = "nb") -> str:
    """'Innstilling fra kommunedirektøren:', 'Forslag fra Kari Nordmann (H):'."""
    labels = LABELS[lang]
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
