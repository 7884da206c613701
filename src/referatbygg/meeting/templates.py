"""A body's Word templates: which one a meeting uses, and the fonts it names.

A secretariat restyles a template in Word or LibreOffice and keeps it with its meetings, like the
body's logo: ``<body folder>/templates/referat.docx`` (or innkalling.docx, avtale.docx) is used
instead of the built-in one, which is never written to. Whether a restyled template still works
is document/templatecheck.py's question.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from ..errors import InputError

if TYPE_CHECKING:
    pass

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


def kind_of(path: Path) -> Kind:
    for kind in ("innkalling", "avtale"):
        if kind in path.stem.lower():
            return kind
    return "referat"


def xml_parts(path: Path) -> dict[str, str]:
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

    parts = xml_parts(path)
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
    styles = xml_parts(path).get("word/styles.xml", "")
    normal = re.search(r'<w:style [^>]*w:styleId="Normal".*?</w:style>', styles, re.S)
    for chunk in (normal.group(0) if normal else "", styles):
        found = re.search(r'w:ascii="([^"]+)"', chunk)
        if found:
            return found.group(1)
    return None
