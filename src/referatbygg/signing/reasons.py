"""Why a signed file breaks the document's PDF/A, in words a signatory's helpdesk understands:
the rule as what the signing tool did ("the signature's appearance uses the font Courier without
embedding it"), where (the page, the font), and what to do instead. veraPDF's findings name ISO
clauses and object paths; a refusal that repeats them sends people looking for the wrong fault.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

# What the signatory can do, by the kind of fault.
APPEARANCE = (
    "sign again with a signature appearance whose font is embedded (a TrueType or OpenType font "
    "file, not one of the standard 14 PDF fonts such as Helvetica or Courier), or with an "
    "invisible signature, or sign in referatbygg itself"
)
TOOL = (
    "sign again with a tool (or a setting) that adds the signature as an incremental update and "
    "leaves the rest of the document alone, or sign in referatbygg itself"
)


def explain(findings: Iterable[Mapping[str, object]], part: str) -> tuple[list[str], str]:
    """Each failed rule said plainly, once, and the advice for the first that has one."""
    said: list[str] = []
    advice = ""
    for finding in findings:
        text, hint = _one(finding, part)
        if text not in said:
            said.append(text)
        advice = advice or hint
    return said, advice or TOOL


def _one(finding: Mapping[str, object], part: str) -> tuple[str, str]:
    rule, clause = str(finding.get("rule", "")), str(finding.get("clause", ""))
    context, description = str(finding.get("context", "")), str(finding.get("description", ""))
    where = _where(context)
    if "based on PDF 1.x" in rule:
        return (f"the signing tool declared PDF 2.0 (the catalog's /Version), which {part} "
                "excludes", TOOL)  # fmt: skip
    font = re.search(r"font\[\d+\]\(([^)]+)\)", context)
    if clause.startswith("6.2.11") and font:
        name = font.group(1)
        if clause.startswith("6.2.11.4"):
            return (f"the signature's appearance uses the font {name} without embedding it"
                    f"{where}", APPEARANCE)  # fmt: skip
        return f"the font {name} in the signature's appearance breaks {rule}{where}", APPEARANCE
    if clause.startswith(("6.2.3", "6.2.4")):
        return (f"the signature's appearance uses colour that the document's colour profile "
                f"does not cover{where}", APPEARANCE)  # fmt: skip
    if clause.startswith("6.3"):
        return f"the signature's annotation breaks {rule} ({description}){where}", APPEARANCE
    if clause.startswith("6.6"):
        return (f"the signing tool rewrote the document's metadata (XMP) so that it breaks "
                f"{rule} ({description})", TOOL)  # fmt: skip
    return f"{rule}: {description}{where}", ""


def _where(context: str) -> str:
    page = re.search(r"pages\[(\d+)\]", context)
    return f" (page {int(page.group(1)) + 1})" if page else ""
