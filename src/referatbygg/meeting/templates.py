"""Word templates: which one a meeting uses, and whether a restyled one still works.

A secretariat restyles a template in Word or LibreOffice and keeps it with its meetings:
``<body folder>/templates/referat.docx`` (or innkalling.docx, avtale.docx) is used instead of the
built-in one, which is never written to. ``referatbygg template check`` opens a template the way
a build does — its tags parsed, a sample meeting rendered through it, the signature anchor there,
its fonts installed — and names what is wrong.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from ..errors import InputError

if TYPE_CHECKING:
    from .model import Meeting

Kind = Literal["referat", "innkalling", "avtale"]
ANCHOR = "sig_anchor"
FOLDER = "templates"


def builtin(kind: Kind) -> Path:
    return Path(str(resources.files("referatbygg") / "templates" / f"{kind}.docx"))


def find(body_folder: Path, kind: Kind, given: Path | None = None) -> Path:
    """The template to use: the one given, else the body's own (``templates/<kind>.docx``
    beside organ.toml), else the built-in one."""
    if given is not None:
        return given
    own = body_folder / FOLDER / f"{kind}.docx"
    return own if own.is_file() else builtin(kind)


@dataclass(frozen=True)
class Finding:
    severity: Literal["error", "warning"]
    message: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.message}"


def kind_of(path: Path) -> Kind:
    for kind in ("innkalling", "avtale"):
        if kind in path.stem.lower():
            return kind
    return "referat"


def _xml_parts(path: Path) -> dict[str, str]:
    try:
        with zipfile.ZipFile(path) as zf:
            return {
                name: zf.read(name).decode("utf-8", "replace")
                for name in zf.namelist()
                if name.startswith("word/") and name.endswith(".xml")
            }
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"{path}: not a Word document (.docx): {exc}") from None


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


def fonts(path: Path) -> list[str]:
    """The font families the template's text is set in: the document defaults, the styles its
    paragraphs and runs use (with the styles they are based on), fonts set on runs directly,
    and the theme's fonts where a used style takes its font from the theme."""
    from xml.etree import ElementTree as etree  # the stdlib's: check stays light to import

    parts = _xml_parts(path)
    styles = etree.fromstring(parts.get("word/styles.xml", "<x/>").encode())
    by_id = {s.get(f"{W}styleId"): s for s in styles.iter(f"{W}style")}
    content = [
        etree.fromstring(xml.encode())
        for name, xml in parts.items()
        if name == "word/document.xml" or re.match(r"word/(header|footer)\d*\.xml", name)
    ]
    kinds = (f"{W}pStyle", f"{W}rStyle", f"{W}tblStyle")
    used = {el.get(f"{W}val") for doc in content for el in doc.iter() if el.tag in kinds}
    used |= {s.get(f"{W}styleId") for s in by_id.values() if s.get(f"{W}default") == "1"}
    nodes = list(styles.iter(f"{W}docDefaults"))
    seen: set[str | None] = set()
    while used - seen:
        sid = (used - seen).pop()
        seen.add(sid)
        style = by_id.get(sid)
        if style is not None:
            nodes.append(style)
            based = style.find(f"{W}basedOn")
            if based is not None:
                used.add(based.get(f"{W}val"))
    nodes += content
    found: list[str] = []
    theme = False
    for node in nodes:
        for rf in node.iter(f"{W}rFonts"):
            found += [rf.get(f"{W}{a}") or "" for a in ("ascii", "hAnsi")]
            theme = theme or any(rf.get(f"{W}{a}Theme") for a in ("ascii", "hAnsi"))
    if theme:
        for name, xml in parts.items():
            if "theme" in name:
                found += [el.get("typeface") or "" for el in
                          etree.fromstring(xml.encode()).iter(f"{A}latin")]  # fmt: skip
    return list(dict.fromkeys(f for f in found if f))


def installed_families() -> set[str]:
    if shutil.which("fc-list") is None:
        return set()
    res = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, timeout=60)
    families: set[str] = set()
    for line in res.stdout.splitlines():
        families |= {f.strip().lower() for f in line.split(",") if f.strip()}
    return families


def missing_fonts(path: Path) -> list[str]:
    """Fonts the template names that this machine does not have (LibreOffice would quietly
    use another one). Empty when fontconfig cannot be asked."""
    have = installed_families()
    if not have:
        return []
    return [f for f in fonts(path) if f.lower() not in have]


def body_font(path: Path) -> str | None:
    """The font of the template's body text: the Normal style's, else the document default."""
    styles = _xml_parts(path).get("word/styles.xml", "")
    normal = re.search(r'<w:style [^>]*w:styleId="Normal".*?</w:style>', styles, re.S)
    for chunk in (normal.group(0) if normal else "", styles):
        found = re.search(r'w:ascii="([^"]+)"', chunk)
        if found:
            return found.group(1)
    return None


def check(path: Path, kind: Kind | None = None) -> list[Finding]:
    """What is wrong with a template, as a build would find it."""
    import jinja2
    from docxtpl import DocxTemplate

    kind = kind or kind_of(path)
    findings: list[Finding] = []
    parts = _xml_parts(path)
    if "word/document.xml" not in parts:
        return [Finding("error", f"{path} has no word/document.xml: not a Word document")]
    tpl = DocxTemplate(str(path))
    tpl.init_docx()
    xml = tpl.patch_xml(tpl.get_xml())
    try:
        jinja2.Environment().parse(xml)
    except jinja2.TemplateSyntaxError as exc:
        near = re.sub(r"<[^>]+>", "", xml.splitlines()[exc.lineno - 1] if exc.lineno else "")
        findings.append(Finding("error", f"a tag does not parse: {exc.message} (near "
                                         f"'{near.strip()[:80]}')"))  # fmt: skip
        return findings
    if kind != "innkalling" and f'w:name="{ANCHOR}' not in parts["word/document.xml"]:
        findings.append(Finding(
            "error",
            f"the signature anchor is gone: a bookmark named '{ANCHOR}' must stay in the "
            "signatory's cell of the signature table (signature fields are placed there)",
        ))  # fmt: skip
    if not findings:
        try:
            from ..document.render import render_docx

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

    from .model import AgreementFile, Body, Meeting, MeetingFile

    body = Body.model_validate(tomllib.loads(SAMPLE_BODY))
    data: MeetingFile | AgreementFile = (
        AgreementFile.model_validate(tomllib.loads(SAMPLE_AGREEMENT)) if kind == "avtale"
        else MeetingFile.model_validate(tomllib.loads(SAMPLE_MEETING))
    )  # fmt: skip
    return Meeting(id="proeve-1", source=Path("proeve.toml"), body_source=Path("organ.toml"),
                   body=body, data=data, root=Path.cwd())  # fmt: skip
