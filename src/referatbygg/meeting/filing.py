"""Where a body's records go in the receiving archive (the body file's ``[archive]``) and the
identifiers the archive knows them by: the organisation number and the case number.

The organisation number names whose records they are in every external key, so two
municipalities' "kommunestyret 2025-03-27" never meet in one archive; it is checked with its
MOD11 digit, as Enhetsregisteret issues them. A case number is the archive's own ("23/1234"),
never made up here.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from .vocab import Strict, Title

_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)
# Noark 5 journalposttype (M082), as Fiks Arkiv V1's code list gives it (archive/codes.py).
Journalposttype = Literal["I", "U", "N", "X", "S"]


def _org_number(value: str) -> str:
    digits = value.replace(" ", "")
    if not re.fullmatch(r"\d{9}", digits):
        raise ValueError(f"'{value}' is not an organisation number (9 digits)")
    rest = 11 - sum(int(d) * w for d, w in zip(digits, _WEIGHTS, strict=False)) % 11
    check = 0 if rest == 11 else rest
    if check == 10 or check != int(digits[8]):
        raise ValueError(
            f"'{value}' is not an organisation number: its check digit is wrong (a typing "
            "error? Enhetsregisteret shows the number)"
        )
    return digits


OrgNumber = Annotated[str, AfterValidator(_org_number)]


def is_org_number(value: str) -> bool:
    """Whether ``value`` is an organisation number with a right check digit."""
    try:
        _org_number(value)
    except ValueError:
        return False
    return True


# A case number as archives write it: the year (two or four digits) and the sequence number.
CASE = r"(?:\d{2}|\d{4})/\d{1,7}"


def _case_number(value: str) -> str:
    if not re.fullmatch(CASE, value.strip()):
        raise ValueError(
            f"'{value}' is not a case number (saksnummer) like '23/1234' or '2023/1234'"
        )
    return value.strip()


CaseNumber = Annotated[str, AfterValidator(_case_number)]


def case_parts(number: str) -> tuple[int, int]:
    """(saksaar, sakssekvensnummer) of '23/1234' (year 2023) or '2023/1234'."""
    year, seq = number.split("/")
    return (2000 + int(year) if len(year) == 2 else int(year)), int(seq)


class Filing(Strict):
    """Where the body's minutes are filed: a journal post in a case file (the default: where
    the archive's own meeting module keeps the møtemappe, a second one would be a duplicate),
    or a møtemappe of their own (the archive's meeting model)."""

    filing: Literal["moetemappe", "journalpost"] = Field(
        default="journalpost",
        description="'journalpost' (default): the minutes as a journal post in the case given "
        "by 'case', else in the body's case of the year (found or made by the archive by its "
        "external key); 'moetemappe': a møtemappe per meeting with the minutes as møtedokument "
        "(needs each meeting's number).",
    )
    case: CaseNumber | None = Field(
        default=None, description="The case the minutes are filed in (saksnummer, '23/1234')."
    )
    journalposttype: Journalposttype = Field(
        default="X", description="Journalposttype of the minutes' journal post (Noark: X, "
        "organinternt dokument uten oppfølging; N, for oppfølging).",
    )  # fmt: skip
    class_id: str | None = Field(
        default=None, description="The class (klasseID) the journal post is classified under."
    )
    class_system: str | None = Field(
        default=None, description="The classification system of class_id (e.g. 'ORD')."
    )
    journal_unit: Title | None = Field(
        default=None, description="The journal unit (journalenhet) that registers it."
    )
    unit: Title | None = Field(
        default=None, description="The administrative unit responsible (administrativEnhet)."
    )
    case_officer: Title | None = Field(
        default=None, description="The case officer (saksbehandler) responsible."
    )
