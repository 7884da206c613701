"""The library's progress lines (English, as the command line prints them) in the page's
language, with signatories by their titles, not their role ids ("sign: medlem_1" → "signerer
som valgt medlem"). A line the table does not know is shown as it is: better English than
nothing."""

from __future__ import annotations

import re

from ..meeting.model import Language
from .texts import Phrases, by_pattern

# (pattern, bokmål, nynorsk); groups are put in as {0}, {1}
_LINES: Phrases = [
    (r"load", "leser møtefilen", "les møtefila"),
    (r"check", "kontrollerer møtet", "kontrollerer møtet"),
    (r"render docx", "lager Word-dokumentet", "lagar Word-dokumentet"),
    (r"convert (\S+) to PDF/A", "gjør {0} om til PDF/A", "gjer {0} om til PDF/A"),
    (
        r"convert attachment (\d+)/(\d+): (.*)",
        "gjør vedlegg {0} av {1} om til PDF/A: {2}",
        "gjer vedlegg {0} av {1} om til PDF/A: {2}",
    ),
    (
        r"mark attachment pages UTKAST",
        "merker vedleggssidene UTKAST",
        "merkjer vedleggssidene UTKAST",
    ),
    (r"merge", "setter sammen dokumentet med vedleggene", "set saman dokumentet med vedlegga"),
    (r"public version", "lager den offentlige versjonen", "lagar den offentlege versjonen"),
    (
        r"validate PDF/A \(veraPDF\)",
        "kontrollerer PDF/A med veraPDF",
        "kontrollerer PDF/A med veraPDF",
    ),
    (
        r"new signing round: .*",
        "ny signeringsrunde: det signerte er lagt til side i tidligere/",
        "ny signeringsrunde: det signerte er lagt til sides i tidligere/",
    ),
    (r"signerer som (\S+)", "signerer som {role0}", "signerer som {role0}"),
    (r"sign: (\S+)", "signerer som {role0}", "signerer som {role0}"),
    (
        r"check (\S+)'s signature",
        "kontrollerer signaturen til {role0}",
        "kontrollerer signaturen til {role0}",
    ),
    (
        r"validation data and timestamp",
        "henter valideringsdata og tidsstempel",
        "hentar valideringsdata og tidsstempel",
    ),
    (r"final timestamp", "setter endelig tidsstempel", "set endeleg tidsstempel"),
    (r"archive", "lager arkivpakken", "lagar arkivpakken"),
    (r"collect documents", "samler dokumentene", "samlar dokumenta"),
    (
        r"evidence: signatures and PDF/A",
        "lager bevis for signaturene og PDF/A",
        "lagar prov for signaturane og PDF/A",
    ),
    (r"arkivmelding\.xml", "lager arkivmelding.xml", "lagar arkivmelding.xml"),
    (r"bag \(SHA-256, SHA-512\)", "pakker og lager sjekksummer", "pakkar og lagar sjekksummar"),
    (r"zip", "lager zip-filen", "lagar zip-fila"),
    (r"Fiks Arkiv message", "lager meldingen til Fiks Arkiv", "lagar meldinga til Fiks Arkiv"),
    (r"ferdig", "ferdig", "ferdig"),
]


def norwegian(line: str, language: Language, titles: dict[str, str]) -> str:
    """``line`` in the page's language; ``titles``: role id → title ("medlem_1" → "Valgt
    medlem"). Prefixes the library adds ("build: ", "archive: ", "intake: ") are dropped."""
    text = re.sub(r"^(build|archive|intake): ", "", line)
    found = by_pattern(_LINES, text, language)
    if found is None:
        return text
    phrase, groups = found
    role0 = titles.get(groups[0], groups[0]).lower() if groups else ""
    return phrase.format(*groups, role0=role0)
