"""The XMP metadata packet, read once and strictly.

Readers do not agree on a packet that is ambiguous. A prefix bound to another namespace in one
rdf:Description ("dc" for a URI of the attacker's), the same property in two descriptions, or a
comment inside a value ("Referat<!-- -->, forfalsket") each make one reader show what another
does not: a check that reads the packet as a dictionary by prefix takes the last dc:title, a
viewer the first; a value's text before a comment is not what a text extractor reads. Such a
packet is refused here, with the reason, instead of being read one way; every property is named
by its namespace (the standard prefix where there is one), so a shadowed prefix cannot pass for
the standard one.
"""

from __future__ import annotations

from lxml import etree

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XML = "http://www.w3.org/XML/1998/namespace"
# The namespaces of the prefixes PDF/A and the tools here use; a packet binding one of these
# prefixes to another namespace is shadowing it.
STANDARD = {
    "x": "adobe:ns:meta/",
    "rdf": RDF,
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "xmpMM": "http://ns.adobe.com/xap/1.0/mm/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
    "pdfaExtension": "http://www.aiim.org/pdfa/ns/extension/",
    "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
    "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#",
    "pdfaType": "http://www.aiim.org/pdfa/ns/type#",
    "pdfaField": "http://www.aiim.org/pdfa/ns/field#",
}
_PREFIX = {uri: prefix for prefix, uri in STANDARD.items()}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                          load_dtd=False)  # fmt: skip


class XmpError(ValueError):
    """A packet that cannot be read one way only; the message says why."""


def properties(packet: bytes) -> dict[str, str]:
    """Every top-level property of the packet → its value as canonical text ('dc:title' for
    standard namespaces, '{uri}name' for others). Raises XmpError for a packet that is not
    XML, declares a DTD, holds comments or processing instructions inside its metadata, binds
    a prefix to two namespaces or a standard prefix to another, or gives a property twice."""
    try:
        root = etree.fromstring(packet, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise XmpError(f"not well-formed XML ({exc})") from None
    if root.getroottree().docinfo.doctype:
        raise XmpError("it declares a document type (DTD)")
    _bindings(root)
    for node in root.iter(etree.Comment, etree.ProcessingInstruction):
        what = "comment" if isinstance(node, etree._Comment) else "processing instruction"
        raise XmpError(f"it holds a {what} inside the metadata")
    props: dict[str, str] = {}
    for desc in root.iter(f"{{{RDF}}}Description"):
        parent = desc.getparent()
        if parent is None or parent.tag != f"{{{RDF}}}RDF":
            continue  # a nested resource: part of its property's value
        named = [(k, v) for k, v in desc.attrib.items() if not k.startswith(f"{{{RDF}}}")]
        named += [(c.tag, _canon(c)) for c in desc if isinstance(c.tag, str)]
        for tag, value in named:
            key = name(tag)
            if key in props:
                raise XmpError(f"it gives {key} twice")
            props[key] = value
    return props


def name(tag: str) -> str:
    """'dc:title' for a standard namespace, else the Clark name '{uri}local'."""
    namespace, _, local = tag[1:].partition("}")
    prefix = _PREFIX.get(namespace)
    return f"{prefix}:{local}" if prefix else tag


def _bindings(root: etree._Element) -> None:
    seen: dict[str, str] = {}
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for prefix, uri in element.nsmap.items():
            if prefix is None:
                continue
            if prefix in STANDARD and STANDARD[prefix] != uri:
                raise XmpError(f"the prefix {prefix} is bound to {uri}, not to its namespace "
                               f"{STANDARD[prefix]}")  # fmt: skip
            if seen.setdefault(prefix, uri) != uri:
                raise XmpError(f"the prefix {prefix} is bound to two namespaces")


def _canon(element: etree._Element) -> str:
    """A property value as text, the same for the same RDF however it is written: nested
    resources and containers included; a struct's fields (as elements, as attributes, in an
    rdf:Description or with rdf:parseType="Resource") and bags unordered; rdf:resource as the
    URI it names. Writers differ in exactly these (LibreOffice and pyHanko write the same
    extension schemas each its own way)."""
    lang = element.get(f"{{{XML}}}lang")
    attrs = [
        f"{name(k)}={v}" for k, v in element.attrib.items()
        if not k.startswith(f"{{{RDF}}}") and not k.startswith(f"{{{XML}}}")
    ]  # fmt: skip
    kids = [c for c in element if isinstance(c.tag, str)]
    if len(kids) == 1 and kids[0].tag == f"{{{RDF}}}Description" and not attrs:
        return _canon(kids[0])
    if not kids and not attrs:
        text = element.get(f"{{{RDF}}}resource") or (element.text or "").strip()
        return f"{lang}:{text}" if lang else text
    parts = [f"{name(c.tag)}={_canon(c)}" for c in kids] + attrs
    if element.tag not in (f"{{{RDF}}}Seq", f"{{{RDF}}}Alt"):
        parts.sort()
    return "{" + ";".join(parts) + "}"
