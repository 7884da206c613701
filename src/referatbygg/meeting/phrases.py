"""The phrases a body's documents print, in bokmål (nb) and nynorsk (nn), and a body's own
wording of them.

Every fixed text of the minutes, notices and agreements is a phrase here, some with placeholders
(``{basis}``, ``{for_}``, ``{who}``). A body writes its own in ``organ.toml``::

    [phrases]
    unanimous = "Innstillinga vart samrøystes vedteken."
    present = "Tilstede på møtet"

— a key must be one of these phrases, and its text may use only the placeholders the default
uses (the document fills nothing else in). Kept with the model, not the document code, so that
loading a body file can refuse a misspelt key at its line.
"""

from __future__ import annotations

import string

from .vocab import Language

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
    "distribution": "Kopi til",
    "added": "Tilleggssak",
    "class_code": "Arkivkode",
    "object": "Objekt",
    "case_no": "Saksnr.",
    "case_title": "Sakstittel",
    "attendance_status": "Oppmøte",
    "status_present": "Møtt",
    "status_absent": "Forfall",
    "status_substitute_unstated": "Varamedlem",
    "organisation": "Organisasjon",
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
        "withheld": "Unntatt offentlighet",  # the archive's restriction, before its basis
        # The archive's notes on the signed minutes (archive/package.py): one per signature,
        # one for the verification.
        "note_signature": "Signert av {who} ({title}) {when}; sertifikat utstedt av {issuer}; "
        "{level}; PAdES {pades}; verifisert: {verdict}",
        "note_level": "sikkerhetsnivå {level}",
        "note_no_level": "sikkerhetsnivå ikke oppgitt i sertifikatet",
        "note_unknown": "ukjent",
        "note_valid": "gyldig",
        "note_invalid": "ikke gyldig",
        "note_timestamp": "Dokumenttidsstempel {when}",
        "note_verified": "Signaturene verifisert {when} av {tool}: {verdict}, PAdES {level}",
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
        "certified": "Rett utskrift bekreftes",
        "treated_after": "Behandlet etter {ref}.",
        "arrived_time": "møtte fra {time}",
        "left_time": "forlot møtet {time}",
        "conflict_self": "{who} erklærte seg inhabil, jf. {basis}",
        "conflict_self_unstated": "{who} erklærte seg inhabil",
        "decided_by": "Avgjøres av",
        "cases_treated": "Behandlede saker",
        "body": "Utvalg",
        "status_substitute": "Møtt for {for_}",
        "closed_short": "Lukket",
        "present_from": "Til stede fra {organisation}",
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
        "withheld": "Unnateke offentlegheit",
        "note_signature": "Signert av {who} ({title}) {when}; sertifikat utferda av {issuer}; "
        "{level}; PAdES {pades}; verifisert: {verdict}",
        "note_level": "tryggleiksnivå {level}",
        "note_no_level": "tryggleiksnivå ikkje oppgitt i sertifikatet",
        "note_unknown": "ukjend",
        "note_valid": "gyldig",
        "note_invalid": "ikkje gyldig",
        "note_timestamp": "Dokumenttidsstempel {when}",
        "note_verified": "Signaturane verifiserte {when} av {tool}: {verdict}, PAdES {level}",
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
        "certified": "Rett utskrift stadfesta",
        "treated_after": "Handsama etter {ref}.",
        "arrived_time": "møtte frå {time}",
        "left_time": "forlét møtet {time}",
        "conflict_self": "{who} erklærte seg ugild, jf. {basis}",
        "conflict_self_unstated": "{who} erklærte seg ugild",
        "decided_by": "Avgjerd av",
        "cases_treated": "Handsama saker",
        "body": "Utval",
        "status_substitute": "Møtte for {for_}",
        "closed_short": "Lukka",
        "present_from": "Til stades frå {organisation}",
    },
}


# Placeholders a body's wording may use that the default does not: "VALSTYRET {case} VEDTAK".
OPTIONAL = {"decision": {"case"}}


def placeholders(text: str) -> set[str]:
    """The ``{name}`` fields of ``text``; raises ValueError for a malformed one."""
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def check_overrides(overrides: dict[str, str]) -> dict[str, str]:
    """A body's phrases: known keys, and only the placeholders each default uses."""
    unknown = sorted(k for k in overrides if k not in LABELS["nb"])
    if unknown:
        raise ValueError(f"unknown phrase(s) {', '.join(unknown)}; a body may reword: "
                         f"{', '.join(sorted(LABELS['nb']))}")  # fmt: skip
    for key, text in overrides.items():
        try:
            used = placeholders(text)
        except ValueError as exc:
            raise ValueError(f"phrase {key}: {exc} (write {{{{ and }}}} for a brace)") from None
        allowed = placeholders(LABELS["nb"][key]) | OPTIONAL.get(key, set())
        extra = used - allowed
        if extra:
            named = ", ".join(f"{{{n}}}" for n in sorted(extra))
            known = ", ".join(f"{{{n}}}" for n in sorted(allowed)) or "none"
            raise ValueError(f"phrase {key} uses {named}, which it does not have (it has: "
                             f"{known})")  # fmt: skip
    return overrides
