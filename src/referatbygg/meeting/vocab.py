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


Text = Annotated[str, AfterValidator(_clean_text)]
NonEmpty = Annotated[str, Field(min_length=1), AfterValidator(_clean_text)]
# Titles and names that also become document properties: Word's core properties hold at most
# 255 characters, and a title longer than a few lines is a mistake in any case.
TITLE_MAX = 200
Title = Annotated[str, Field(min_length=1, max_length=TITLE_MAX), AfterValidator(_clean_text)]
ROLE_PATTERN = r"^[a-z][a-z0-9_]*$"
RoleId = Annotated[str, Field(pattern=ROLE_PATTERN, max_length=64)]
Date = Annotated[dt.date, StrictType()]
Count = Annotated[StrictInt, Field(ge=0)]
Number = Annotated[StrictInt, Field(ge=1, le=9999)]
Flag = StrictBool
Language = Literal["nb", "nn"]


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
