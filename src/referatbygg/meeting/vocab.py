"""The value types every model of a meeting file is made of.

Strict where TOML is exact: TOML has real dates, numbers and booleans, so "2023-01-13", "5" and
"yes" in quotes are mistakes (often a sign that the line means something else) and are not
coerced. Text may hold anything a document can carry, which excludes the control characters
XML 1.0 (and so docx) cannot hold.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
)
from pydantic import (
    Strict as StrictType,
)

# Characters that XML 1.0 (and so docx) cannot carry. Tab and newline are fine.
_BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean_text(value: str) -> str:
    bad = _BAD_CHARS.search(value)
    if bad:
        raise ValueError(
            f"contains the control character U+{ord(bad.group()):04X}, which a document cannot hold"
        )
    return value


def _something(value: str) -> str:
    """A title or name that is only spaces, tabs or newlines would print a blank heading ("5.")
    and a bookmark and a signature field named by nothing."""
    if not value.strip():
        raise ValueError("is only white space: give the text, or leave the key out")
    return value


Text = Annotated[str, AfterValidator(_clean_text)]
# Text that may be left out, but not given as white space alone (an item's title).
Filled = Annotated[str, AfterValidator(_clean_text), AfterValidator(_something)]
NonEmpty = Annotated[str, Field(min_length=1), AfterValidator(_clean_text),
                     AfterValidator(_something)]  # fmt: skip
# Titles and names that also become document properties: Word's core properties hold at most
# 255 characters, and a title longer than a few lines is a mistake in any case.
TITLE_MAX = 200
Title = Annotated[str, Field(min_length=1, max_length=TITLE_MAX), AfterValidator(_clean_text),
                  AfterValidator(_something)]  # fmt: skip
ROLE_PATTERN = r"^[a-z][a-z0-9_]*$"
RoleId = Annotated[str, Field(pattern=ROLE_PATTERN, max_length=64)]
Date = Annotated[dt.date, StrictType()]
Count = Annotated[StrictInt, Field(ge=0)]
Number = Annotated[StrictInt, Field(ge=1, le=9999)]
Flag = StrictBool
Language = Literal["nb", "nn"]
# A case series' id as the minutes print it: "PS", "RS", "DS", "FO", "O".
SERIES_PATTERN = r"^[A-ZÆØÅ][A-ZÆØÅa-zæøå]{0,7}$"
SeriesId = Annotated[str, Field(pattern=SERIES_PATTERN)]
_REF = re.compile(r"^([A-ZÆØÅ][A-ZÆØÅa-zæøå]{0,7}) ([1-9][0-9]{0,3})$")


def _ref(value: object) -> object:
    """An agenda item referred to: a number (the main series) or "RS 2" (series and number)."""
    if isinstance(value, str) and not _REF.match(value):
        raise ValueError(f"{value!r} is not an agenda reference: write a number (5) or a series "
                         'and a number ("RS 2")')  # fmt: skip
    return value


# An int refers to the main series (the body's case_format); "RS 2" to a series of its own.
Ref = Annotated[Annotated[StrictInt, Field(ge=1, le=9999)] | str, AfterValidator(_ref)]


def ref_key(ref: int | str) -> tuple[str, int]:
    """("", 5) for 5, ("RS", 2) for "RS 2": the key items are found by."""
    if isinstance(ref, int):
        return "", ref
    match = _REF.match(ref)
    assert match, ref  # validated
    return match.group(1), int(match.group(2))


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


def _basis(value: object) -> object:
    """``exempt = "offl. § 13"``: the legal basis; ``exempt = true`` alone is not enough."""
    if value is None or value is False:
        return None
    if value is True or (isinstance(value, str) and not value.strip()):
        raise ValueError('an exempt part needs its legal basis, e.g. exempt = "offl. § 13"')
    return value.strip() if isinstance(value, str) else value


def _clean_basis(value: str | None) -> str | None:
    return None if value is None else _clean_text(value)


Exempt = Annotated[str | None, BeforeValidator(_basis), AfterValidator(_clean_basis)]
Basis = Annotated[str, BeforeValidator(_basis), AfterValidator(_clean_text)]


# What `referatbygg new` writes where only the secretariat knows the name: check warns about it,
# and nothing is signed while a signatory is still called this.
PLACEHOLDER_NAME = "Fyll inn navn"
