"""Every signature field of a document, however it is hidden.

pyHanko's enumeration skips what it cannot make sense of (a direct entry in /Fields, a signature
with a SubFilter it does not support); a viewer may still show it. Here every field reachable from
the form, and every signature widget on a page, is collected, with what is odd about it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pyhanko.pdf_utils import generic

MAX_DEPTH = 32  # form and page trees deeper than this are not ours


def get(node: Any, key: str, default: Any = None) -> Any:
    """``node[key]`` followed to its object: pyHanko's ``.get`` returns an indirect reference
    as it is, and other tools write /AcroForm, /Fields, /Kids and /Annots indirectly."""
    found = node.get(key, default) if isinstance(node, dict) else default
    return found.get_object() if isinstance(found, generic.IndirectObject) else found


@dataclass
class SigField:
    name: str  # fully qualified (parent.child)
    field: generic.DictionaryObject
    value: Any  # the raw /V: an IndirectObject for a proper signature, else what is there
    ref: generic.Reference | None  # the field's own object
    person: str = ""  # the name the signature block prints for this field (its /TM)

    @property
    def filled(self) -> bool:
        return self.value is not None and not isinstance(self.value, generic.NullObject)

    @property
    def value_ref(self) -> generic.Reference | None:
        return self.value.reference if isinstance(self.value, generic.IndirectObject) else None


@dataclass
class Form:
    fields: list[SigField] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def names(self) -> list[str]:
        return [f.name for f in self.fields]


def collect(handler: Any) -> Form:
    """The signature fields of ``handler`` (a reader, or a historical revision of one)."""
    form = Form()
    root = handler.root
    acroform = get(root, "/AcroForm")
    if isinstance(acroform, generic.DictionaryObject):
        fields = get(acroform, "/Fields")
        if fields is not None:
            _walk_fields(fields, "", (), form, set(), 0)
    reachable = {f.ref for f in form.fields if f.ref is not None}
    for page_number, widget, ref in _widgets(root.raw_get("/Pages") if "/Pages" in root else None):
        lineage = _lineage(widget, ref)
        if any(r in reachable for _, r in lineage if r is not None):
            continue
        nodes = tuple(n for n, _ in lineage)
        if not _is_sig(nodes[0], nodes[1:]):
            continue
        if any("/V" in n for n in nodes):
            name = next((str(n["/T"]) for n in nodes if "/T" in n), "(unnamed)")
            form.problems.append(
                f"a signature '{name}' on page {page_number} is not part of the document's form: "
                "a signature some viewers show but a form-based check would not list"
            )
    return form


def _is_sig(node: generic.DictionaryObject, parents: tuple[generic.DictionaryObject, ...]) -> bool:
    for item in (node, *parents):  # /FT is inheritable
        if "/FT" in item:
            return bool(item["/FT"] == "/Sig")
    return False


def _lineage(
    widget: generic.DictionaryObject, ref: generic.Reference | None
) -> list[tuple[generic.DictionaryObject, generic.Reference | None]]:
    """The widget and its parent fields, nearest first."""
    out = [(widget, ref)]
    node = widget
    while "/Parent" in node and len(out) <= MAX_DEPTH:
        raw = node.raw_get("/Parent")
        node = raw.get_object()
        if not isinstance(node, generic.DictionaryObject):
            break
        out.append((node, raw.reference if isinstance(raw, generic.IndirectObject) else None))
    return out


def _walk_fields(
    entries: Any,
    prefix: str,
    parents: tuple[generic.DictionaryObject, ...],
    form: Form,
    seen: set[generic.Reference],
    depth: int,
) -> None:
    if depth > MAX_DEPTH or not isinstance(entries, generic.ArrayObject):
        form.problems.append("the form's field list is malformed")
        return
    for entry in entries:
        ref = entry.reference if isinstance(entry, generic.IndirectObject) else None
        if ref is not None:
            if ref in seen:
                form.problems.append("the form's field tree loops")
                return
            seen.add(ref)
        node = entry.get_object()
        if not isinstance(node, generic.DictionaryObject):
            form.problems.append("the form's field list holds something that is not a field")
            continue
        name = str(node["/T"]) if "/T" in node else None
        full = f"{prefix}.{name}" if prefix and name else (name or prefix)
        if name is not None and _is_sig(node, parents):
            if ref is None:
                form.problems.append(
                    f"the signature field '{full}' is written into the field list instead of "
                    "being an object of its own"
                )
            value = node.raw_get("/V") if "/V" in node else None
            form.fields.append(SigField(full, node, value, ref, str(get(node, "/TM", ""))))
        if "/Kids" in node:
            _walk_fields(get(node, "/Kids"), full, (node, *parents), form, seen, depth + 1)


def _widgets(pages: Any) -> list[tuple[int, generic.DictionaryObject, generic.Reference | None]]:
    """(page number, annotation, its reference) for every widget annotation on every page."""
    out: list[tuple[int, generic.DictionaryObject, generic.Reference | None]] = []
    stack: list[tuple[Any, int]] = [(pages, 0)] if pages is not None else []
    seen: set[Any] = set()
    number = 0
    while stack:
        node_ref, depth = stack.pop()
        key = getattr(node_ref, "reference", None) or id(node_ref)
        if key in seen or depth > MAX_DEPTH:
            continue
        seen.add(key)
        node = node_ref.get_object() if hasattr(node_ref, "get_object") else node_ref
        if not isinstance(node, generic.DictionaryObject):
            continue
        if get(node, "/Type") == "/Pages" or "/Kids" in node:
            kids = get(node, "/Kids")
            if isinstance(kids, generic.ArrayObject):
                stack.extend((kid, depth + 1) for kid in reversed(list(kids)))
            continue
        number += 1
        annots = get(node, "/Annots")
        for annot in annots if isinstance(annots, generic.ArrayObject) else ():
            widget = annot.get_object()
            is_dict = isinstance(widget, generic.DictionaryObject)
            if is_dict and get(widget, "/Subtype") == "/Widget":
                ref = annot.reference if isinstance(annot, generic.IndirectObject) else None
                out.append((number, widget, ref))
    return out
