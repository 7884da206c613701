"""The house styles a new body can start from (``referatbygg new FOLDER --style …``).

Each is a few keys of ``organ.toml``, written into the new file with a comment per key, so the
secretary sees what makes the style and can change any of it. The worked examples in
``meetings/`` show each in use.
"""

from __future__ import annotations

from .vocab import Language

# name → (what it is, the keys; {protocol} is "Møteprotokoll" or "Møtebok" by language)
STYLES: dict[str, tuple[str, str]] = {
    "referat": (
        "a council's referat: items 1., 2., …, participants as lines under the heading (the "
        "Oslo police council's minutes; meetings/politiradet)",
        """\
# document_type = "Møteprotokoll"  # what the minutes are called (default "Referat")
# case_format = "PS {number}/{yy}"  # how agenda numbers are written (default "{number}.")
# numbering = "year"               # numbers run through the year instead of from 1
# attendance = "table"             # participants as tables with party and role
# decision_label = ""              # no "Vedtak:" before decisions
""",
    ),
    "kommunestyre": (
        "a municipal council's protocol: PS n/yy through the year, proposals and votes, a "
        "table per group of participants (meetings/kommunestyret)",
        """\
document_type = "{protocol}"
case_format = "PS {number}/{yy}"  # politiske saker: PS 21/25
numbering = "year"                 # numbers run through the year
attendance = "table"               # a table per group: name, party, role, remark
""",
    ),
    "skjema": (
        "the form-style møtebok: the front matter as a form, the saksliste as a table, each "
        "case on its own page with its case header, the recommendation after the case text, "
        "every member in one table with their status (meetings/oppvekstutvalet)",
        """\
document_type = "{protocol}"
case_format = "{number:03}/{yy}"  # 005/26
numbering = "year"
front = "form"                     # Utval, Dato, Tid, Stad, Saksnr. as a form
agenda_table = true                # the saksliste as a table before the cases
case_page = true                   # each case on a page of its own
recommendation = "after"           # the case text first, then the recommendation
attendance = "status"              # one table: møtt, forfall, møtt for
""",
    ),
    "formannskap": (
        "a formannskap protocol: PS, RS and DS numbered each in its own series and summed up "
        "under the heading, one person per line with the title first (meetings/formannskapet)",
        """\
document_type = "{protocol}"
case_format = "PS {number}/{yy}"  # the main series: politiske saker
numbering = "year"
attendance = "roster"              # "Ordfører Kari Nordmann (Ap)", one per line

# Series numbered on their own beside PS; an item says series = "RS".
[[series]]
id = "RS"
format = "RS {number}/{yy}"
name = "Referatsaker"

[[series]]
id = "DS"
format = "DS {number}/{yy}"
name = "Delegerte saker"
""",
    ),
}

DEFAULT = "referat"


def keys(style: str, language: Language) -> str:
    """The style's lines for organ.toml."""
    protocol = "Møteprotokoll" if language == "nb" else "Møtebok"
    return STYLES[style][1].replace("{protocol}", protocol)
