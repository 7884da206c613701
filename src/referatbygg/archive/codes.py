"""The codes of the Fiks Arkiv messages: V1's code lists (a value not in its list is a bug caught
here, not in the archive), the file formats by PRONOM, and the archive's access code for exempt
content, ranked by strictness."""

from __future__ import annotations

import functools
import json
import re
from importlib import resources
from pathlib import Path

from ..config import ArchiveProfile
from ..errors import PackageError

SCHEMA_DIR = "schemas/fiks-arkiv-v1"
# PRONOM identifiers: what archives use to name file formats.
FORMATS = {
    "PDF/A-1a": ("fmt/95", "application/pdf"),
    "PDF/A-1b": ("fmt/354", "application/pdf"),
    "PDF/A-2a": ("fmt/476", "application/pdf"),
    "PDF/A-2b": ("fmt/477", "application/pdf"),
    "PDF/A-2u": ("fmt/478", "application/pdf"),
    "DOCX": ("fmt/412", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
}


def schema_file(name: str) -> Path:
    return Path(str(resources.files("referatbygg") / SCHEMA_DIR / name))


@functools.cache
def code_list(name: str) -> dict[str, str]:
    path = (
        resources.files("referatbygg")
        / SCHEMA_DIR
        / "kodelister"
        / (f"no.ks.fiks.arkiv.v1.kodelister.{name}.json")
    )
    data = json.loads(path.read_text(encoding="utf-8"))
    return {c["kodeverdi"]: c["kodebeskrivelse"] for c in data["kodeliste"]}


def code(name: str, value: str) -> tuple[str, str]:
    codes = code_list(name)
    if value not in codes:
        raise PackageError(f"'{value}' is not in the Fiks Arkiv code list {name}")
    return value, codes[value]


def access_code(basis: str, profile: ArchiveProfile) -> str:
    """The archive's tilgangsrestriksjon for a legal basis, from its profile: the most specific
    key the basis names ('offl. § 13' before 'offl.'); PackageError when none does."""

    def named(key: str) -> bool:
        pattern = re.escape(key).replace(r"\ ", r"\s*")
        return re.search(pattern + r"(?![\d-])", basis, flags=re.IGNORECASE) is not None

    found = sorted((k for k in profile.access_codes if named(k)), key=len, reverse=True)
    if not profile.access_codes:
        raise PackageError(
            f"content exempt under '{basis}' needs the receiving archive's access code "
            "(tilgangsrestriksjon), and the archive profile gives none: nothing was archived",
            hint="add the codes the archive uses to referatbygg.toml, e.g. [archive.access_codes] "
            '"offl." = "UO" and "offl. § 13" = "13" (README, "Archive profiles")',
        )
    if not found:
        raise PackageError(
            f"no access code for the legal basis '{basis}' in the archive profile: nothing was "
            "archived",
            hint="add it to [archive.access_codes] in referatbygg.toml (the receiving archive "
            "says which code it uses)",
        )
    return profile.access_codes[found[0]]


# A reference to a section of offentleglova, with what narrows it ("tredje ledd", "nr. 2",
# "bokstav a") and what it points on to ("jf. fvl. § 13") — the basis for withholding.
_OFFL = re.compile(
    r"offl\.\s*§\s*(\d+)[a-z]?"
    r"(?:\s+(?:første|andre|tredje|fjerde|femte|sjette|fyrste)\s+ledd)?"
    r"(?:\s+(?:nr\.\s*\d+|bokstav\s+[a-zæøå]))?"
    r"(?:\s*,?\s*jf\.\s*(?!offl\.)[^;,]+?(?=\s*(?:[;,]|$)))?",
    re.IGNORECASE,
)
TAUSHETSPLIKT = 13  # offl. § 13: what a duty of confidentiality forbids to give out


def withholding(bases: list[str], profile: ArchiveProfile) -> tuple[str, str]:
    """(access code, skjermingshjemmel) for content exempt on ``bases``: each basis's
    reference to offentleglova (a basis that closes a meeting, "kml. § 11-5 …, jf. offl. § 25",
    is withheld under offl. § 25), ranked by strictness — a duty of confidentiality (§ 13)
    before the exemptions (§§ 14–26), those before the law in general — and the strictest
    alone given, with its code; PackageError when the profile has no code for it."""
    found: list[tuple[int, str]] = []
    for basis in bases:
        refs = [(m.group(0).strip(), int(m.group(1))) for m in _OFFL.finditer(basis)]
        if not refs:
            found.append((3, basis.strip()))  # no section of offentleglova named: as written
        for text, section in refs:
            found.append((0 if section == TAUSHETSPLIKT else 1, text))
    _rank, basis = min(found, key=lambda f: f[0])  # the first of the strictest, in order
    return access_code(basis, profile), basis
