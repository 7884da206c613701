"""The templates' data model (src/referatbygg/templates/DATAMODEL.md) against the built-in
templates and against what a build hands a template: a name a template uses is documented, and
a documented name is what the build gives."""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
import jinja2.meta
import pytest
from conftest import ROOT, SEED
from docxtpl import DocxTemplate
from jinja2 import nodes

from referatbygg.document import render
from referatbygg.meeting.load import load_meeting
from referatbygg.meeting.phrases import LABELS
from referatbygg.meeting.templates import xml_parts

DOC = ROOT / "src/referatbygg/templates/DATAMODEL.md"
KINDS = {"referat": "minutes", "innkalling": "notice", "avtale": "agreement"}
AGREEMENT = ROOT / "meetings/politiradet/avtaler/politiradsavtale-2023-2025.toml"


def documented() -> tuple[dict[str, set[str]], set[str]]:
    """(top-level name → the documents that have it, every field name of a shape)."""
    text = DOC.read_text(encoding="utf-8")
    top, shapes = text.split("## Shapes", 1)
    names: dict[str, set[str]] = {}
    for name, kinds in re.findall(r"^\| `(\w+)` \| [^|]+ \| ([^|]+) \|", top, re.M):
        names[name] = set(KINDS.values()) if kinds.strip() == "all" else {
            k.strip() for k in kinds.split(",")}  # fmt: skip
    fields = set(re.findall(r"^\| `\w+\.(\w+)` \|", shapes, re.M))
    return names, fields


def used(kind: str) -> tuple[set[str], set[str]]:
    """(top-level names, attribute names) the built-in template of ``kind`` uses, in every part
    (body, headers, footers)."""
    path = Path(render.default_template(kind))  # type: ignore[arg-type]
    tpl = DocxTemplate(str(path))
    tpl.init_docx()
    top: set[str] = set()
    attrs: set[str] = set()
    for xml in xml_parts(path).values():
        if "{{" not in xml and "{%" not in xml:
            continue
        ast = jinja2.Environment().parse(tpl.patch_xml(xml))
        top |= jinja2.meta.find_undeclared_variables(ast)
        attrs |= {n.attr for n in ast.find_all(nodes.Getattr)  # Jinja's own loop.length: not ours
                  if not (isinstance(n.node, nodes.Name) and n.node.name == "loop")}  # fmt: skip
    return top, attrs


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_template_uses_only_documented_names(kind: str) -> None:
    names, fields = documented()
    top, attrs = used(kind)
    assert top <= {n for n, where in names.items() if KINDS[kind] in where}, top
    assert attrs <= fields | set(LABELS["nb"]), attrs - fields - set(LABELS["nb"])


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_documented_names_are_what_a_build_gives(kind: str) -> None:
    names, _fields = documented()
    meeting = load_meeting(AGREEMENT if kind == "avtale" else SEED)
    given = set(render.context(meeting, kind=kind))  # type: ignore[arg-type]
    assert given == {n for n, where in names.items() if KINDS[kind] in where}
