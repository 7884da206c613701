"""Whether a restyled Word template still works: ``referatbygg template check`` opens it the way
a build does — its tags parsed, a sample meeting rendered through it, the signature anchor
there, its fonts installed — and names what is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..errors import InputError
from ..meeting.model import AgreementFile, Body, Meeting, MeetingFile
from ..meeting.templates import ANCHOR, Kind, kind_of, missing_fonts, xml_parts
from .render import render_docx


@dataclass(frozen=True)
class Finding:
    severity: Literal["error", "warning"]
    message: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.message}"


def check(path: Path, kind: Kind | None = None) -> list[Finding]:
    """What is wrong with a template, as a build would find it."""
    import jinja2
    from docxtpl import DocxTemplate

    kind = kind or kind_of(path)
    findings: list[Finding] = []
    parts = xml_parts(path)
    if "word/document.xml" not in parts:
        return [Finding("error", f"{path} has no word/document.xml: not a Word document")]
    tpl = DocxTemplate(str(path))
    tpl.init_docx()
    xml = tpl.patch_xml(tpl.get_xml())
    try:
        parsed = jinja2.Environment().parse(xml)
    except jinja2.TemplateSyntaxError as exc:
        near = re.sub(r"<[^>]+>", "", xml.splitlines()[exc.lineno - 1] if exc.lineno else "")
        findings.append(Finding("error", f"a tag does not parse: {exc.message} (near "
                                         f"'{near.strip()[:80]}')"))  # fmt: skip
        return findings
    from jinja2 import meta

    unknown = sorted(meta.find_undeclared_variables(parsed) - documented_names())
    if unknown:
        findings.append(Finding(
            "warning",
            f"it uses {', '.join(unknown)}, which a build does not give (they print nothing); "
            "the names it may use are in DATAMODEL.md (referatbygg template new writes it)",
        ))  # fmt: skip
    if kind != "innkalling" and f'w:name="{ANCHOR}' not in parts["word/document.xml"]:
        findings.append(Finding(
            "error",
            f"the signature anchor is gone: a bookmark named '{ANCHOR}' must stay in the "
            "signatory's cell of the signature table (signature fields are placed there)",
        ))  # fmt: skip
    if not findings:
        try:
            render_docx(sample(kind), path, kind=kind)
        except InputError as exc:
            findings.append(Finding("error", exc.message))
    for font in missing_fonts(path):
        findings.append(Finding(
            "warning",
            f"the font '{font}' is not installed here; LibreOffice will use another one, and "
            "the PDF will look different from Word",
        ))  # fmt: skip
    return findings


def documented_names() -> set[str]:
    """The top-level names of the data model (DATAMODEL.md, the first table's first column),
    and what docxtpl itself adds."""
    from importlib import resources

    doc = (resources.files("referatbygg") / "templates" / "DATAMODEL.md").read_text("utf-8")
    top = doc.split("## Top-level names", 1)[1].split("## ", 1)[0]
    return set(re.findall(r"^\| `(\w+)` \|", top, flags=re.M))


SAMPLE_BODY = r"""
id = "proeve"
name = "Prøveutvalget"
organisation = "Prøve kommune"
standing_text = { title = "Om utvalget", text = "- Utvalget møtes." }
abbreviations = { PU = "Prøveutvalget" }
signatories = [
  { role = "leder", title = "Leder", name = "Kari Nordmann" },
  { role = "nestleder", title = "Nestleder", name = "Ola Nordmann" },
]
"""
SAMPLE_MEETING = r"""
date = 2024-01-02
place = "Rådhuset"
remarks = "Ingen merknader."
participants = { present = [{ name = "Kari Nordmann", role = "leder" }] }
next_meetings = [{ date = 2024-02-02 }]

[[items]]
numbers = [1]
title = "Sak"
text = "Tekst.\n\n- Punkt."
proposals = [{ by = "Ola", text = "Forslag.", votes = { for = 1, against = 2 } }]
decision = { text = "Vedtatt.", unanimous = true }

[[items]]
numbers = [2]
title = "Eventuelt"
no_business = true
next_meetings = true
"""
SAMPLE_AGREEMENT = r"""
kind = "avtale"
title = "Prøveavtale"
date = 2024-01-02
parties = [{ name = "A", signatory = "leder" }, { name = "B", signatory = "nestleder" }]
articles = [{ title = "Formål", text = "Tekst." }]
"""


def sample(kind: Kind) -> Meeting:
    """A small meeting (or agreement) that uses the parts a template shows."""
    import tomllib

    body = Body.model_validate(tomllib.loads(SAMPLE_BODY))
    data: MeetingFile | AgreementFile = (
        AgreementFile.model_validate(tomllib.loads(SAMPLE_AGREEMENT)) if kind == "avtale"
        else MeetingFile.model_validate(tomllib.loads(SAMPLE_MEETING))
    )  # fmt: skip
    return Meeting(id="proeve-1", source=Path("proeve.toml"), body_source=Path("organ.toml"),
                   body=body, data=data, root=Path.cwd())  # fmt: skip
