"""The statutes minutes cite, and a check that a legal basis cites them.

Minutes cite a handful of laws: offentleglova (what is exempt from public access), forvaltningsloven
(confidentiality, conflicts of interest), kommuneloven (closed meetings, conflicts of interest in
municipal bodies; the 2018 act numbers its sections chapter-section, the 1992 act did not). A legal
basis that cites none of them, or a section the law does not have, is most likely a mistake —
"[unntatt: fordi vi vil]" — but a body may have reasons we do not know (sikkerhetsloven, a special
act), so ``check`` warns and does not refuse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Statute:
    short: str  # as minutes abbreviate it: "offl."
    name: str
    sections: str  # what the section numbers look like, for messages

    def has(self, section: str) -> bool:
        number = re.fullmatch(r"(\d+)(?:-(\d+))?\s*([a-h])?", section)
        if number is None:
            return False
        first, second = int(number.group(1)), number.group(2)
        if self.short == "kml.":  # kommuneloven 2018: chapter 1–31, section within it
            return second is not None and 1 <= first <= 31 and 1 <= int(second) <= 30
        if second is not None:
            return False
        limit = {"offl.": 32, "fvl.": 43, "koml.": 85}[self.short]
        return 1 <= first <= limit


STATUTES = {
    "offl": Statute("offl.", "offentleglova (LOV-2006-05-19-16)", "§ 1 to § 32"),
    "fvl": Statute("fvl.", "forvaltningsloven (LOV-1967-02-10)", "§ 1 to § 43"),
    "kml": Statute("kml.", "kommuneloven (LOV-2018-06-22-83)", "chapter-section, e.g. § 11-5"),
    "koml": Statute("koml.", "kommuneloven 1992 (LOV-1992-09-25-107)", "§ 1 to § 85"),
}
# How minutes write them: the abbreviation — with or without its dots, "off.l." as "offl." — or
# the name, in bokmål or nynorsk.
_NAMES = {
    "offl": "offl", "offentleglova": "offl", "offentlighetsloven": "offl",
    "offentlegheitslova": "offl", "offentleglov": "offl",
    "fvl": "fvl", "forvl": "fvl", "forvaltningsloven": "fvl", "forvaltningslova": "fvl",
    "kml": "kml", "kl": "kml", "kommuneloven": "kml", "kommunelova": "kml",
    "koml": "koml",
}  # fmt: skip
_REFERENCE = re.compile(
    r"(?P<law>\b[a-zæøå]+(?:\.[a-zæøå]+)*)\.?\s*§{1,2}\s*"
    r"(?P<section>\d+(?:\s*-\s*\d+)?[a-h]?\b)",
    re.IGNORECASE,
)
# What says which ground of a provision applies: "andre ledd bokstav a", "(2) a", "nr. 1".
_PARAGRAPH = re.compile(r"\bledd\b|\bbokstav\b|\bnr\.|§\s*[\d-]+\s*\(\d", re.IGNORECASE)


@dataclass(frozen=True)
class Reference:
    statute: str  # key of STATUTES
    section: str  # "13", "11-5", "13a"


def references(basis: str) -> tuple[list[Reference], list[str]]:
    """The references ``basis`` makes to known statutes, and what in it is not one."""
    found: list[Reference] = []
    unknown: list[str] = []
    for match in _REFERENCE.finditer(basis):
        law = _NAMES.get(re.sub(r"[.\s]", "", match.group("law").lower()))
        section = re.sub(r"\s+", "", match.group("section"))
        if law is None:
            unknown.append(f"'{match.group('law')} § {section}' (an act this tool does not know)")
        elif not STATUTES[law].has(section):
            statute = STATUTES[law]
            unknown.append(f"{statute.short} § {section} ({statute.name} has {statute.sections})")
        else:
            found.append(Reference(law, section))
    return found, unknown


def basis_problem(
    basis: str, expect: tuple[str, ...] = ()
) -> tuple[str, str, dict[str, str]] | None:
    """Why ``basis`` does not look like a legal basis — (kind, English text, values), for the
    command line and for a translation — or None. ``expect``: statute sections one of which it
    should cite, e.g. ("kml:11-5", "koml:31") for a closed meeting."""
    found, unknown = references(basis)
    known = ", ".join(s.short for s in STATUTES.values())
    if not found and not unknown:
        return ("basis_none", f"'{basis}' cites no statute section; minutes cite e.g. 'offl. § 13 "
                f"jf. fvl. § 13 første ledd nr. 1' (known: {known})", {"known": known})  # fmt: skip
    if unknown:
        return ("basis_unknown", f"'{basis}' cites {', '.join(unknown)}",
                {"unknown": "; ".join(unknown)})  # fmt: skip
    if expect and not any(f"{r.statute}:{r.section}" in expect for r in found):
        wanted = " or ".join(f"{STATUTES[e.split(':')[0]].short} § {e.split(':')[1]}"
                             for e in expect)  # fmt: skip
        return "basis_not_cited", f"'{basis}' does not cite {wanted}", {"wanted": wanted}
    if expect == CLOSED and not _PARAGRAPH.search(basis):
        # The Sivilombudet's standing criticism of closed meetings: the minutes must show
        # which ground of the provision closed it.
        return ("basis_no_ledd", f"'{basis}' does not say which ledd and bokstav of the "
                "provision closed the meeting, e.g. 'kml. § 11-5 andre ledd bokstav a'",
                {})  # fmt: skip
    return None


# What each kind of basis should cite.
CLOSED = ("kml:11-5", "koml:31")  # møte for lukkede dører
CONFLICT = ("fvl:6", "kml:11-10", "koml:40")  # inhabilitet / ugildskap
