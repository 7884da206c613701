"""What every Fiks Arkiv message of a meeting is made of: the documents and their files, the
XML elements shared by the create and the update messages (keys, codes, a dokumentobjekt),
and schema validation."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from .codes import FORMATS, code, schema_file

# Children of the metadata catalogue's complex types (kode, identifikatorer, eksternNoekkel,
# referanseTilMappe, moetedeltaker) are qualified in the catalogue's namespace.
MDK = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"


@dataclass(frozen=True)
class DocFile:
    """One file of a document in the package (path relative to the bag's data/ folder)."""

    path: str
    file: Path
    variant: str  # variantformat: S (signed), A (archive), P (production), O (public)
    fmt: str  # key of FORMATS
    name: str = ""  # filnavn: the name the archive offers it under (unique to the meeting)

    @functools.cached_property
    def sha256(self) -> str:  # asked for the identities and for each of the two messages
        return sha256_file(self.file)

    @property
    def filename(self) -> str:
        return self.name or Path(self.path).name


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class Document:
    title: str
    main: bool
    kind: str  # dokumenttype code
    files: list[DocFile] = field(default_factory=list)
    # The legal basis when this document holds exempt content (skjerming on it, and only on it).
    exempt: str | None = None
    key: str = ""  # stable within the meeting: names its systemID and external key
    details: str | None = None  # formatDetaljer of its signed file (PAdES level, PDF/A level)
    authors: tuple[str, ...] = ()  # forfatter: who wrote it


def sub(parent: etree._Element, tag: str, text: str | None, ns: str) -> etree._Element:
    el = etree.SubElement(parent, f"{{{ns}}}{tag}")
    if text is not None:
        el.text = text
    return el


def key(parent: etree._Element, tag: str, system: str, value: str, ns: str) -> None:
    """A referanseEksternNoekkel (or a reference's): fagsystem and key."""
    el = sub(parent, tag, None, ns)
    sub(el, "fagsystem", system, MDK)
    sub(el, "noekkel", value, MDK)


def coded(parent: etree._Element, tag: str, list_name: str, value: str, ns: str) -> None:
    """A coded value from its V1 list, with the list's description."""
    kode, beskrivelse = code(list_name, value)
    el = sub(parent, tag, None, ns)
    sub(el, "kode", kode, MDK)
    sub(el, "beskrivelse", beskrivelse, MDK)


def dokumentobjekt(
    parent: etree._Element, f: DocFile, ref: str, details: str | None, format_codes: dict[str, str],
    ns: str, version: int = 1, own_ns: str | None = None,
) -> None:  # fmt: skip
    """One file of a document: variant, format (the archive's code, else PRONOM), its name,
    where it is in the message, SHA-256 and size. ``own_ns``: the element's own namespace
    when it is not its children's (a dokumentobjekt.opprett message declares the element and
    takes its type, with its children, from the create message)."""
    obj = sub(parent, "dokumentobjekt", None, own_ns or ns)
    sub(obj, "versjonsnummer", str(version), ns)
    coded(obj, "variantformat", "variantformat", f.variant, ns)
    fmt = sub(obj, "format", None, ns)
    pronom, mime = FORMATS[f.fmt]
    sub(fmt, "kode", format_codes.get(f.fmt, pronom), MDK)
    sub(fmt, "beskrivelse", f.fmt, MDK)
    if f.variant == "S" and details:
        sub(obj, "formatDetaljer", details, ns)
    sub(obj, "mimeType", mime, ns)
    sub(obj, "filnavn", f.filename, ns)
    sub(obj, "referanseDokumentfil", ref, ns)
    sub(obj, "sjekksum", f.sha256, ns)
    sub(obj, "sjekksumAlgoritme", "SHA-256", ns)
    sub(obj, "filstoerrelse", str(f.file.stat().st_size), ns)


@functools.cache
def schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(schema_file(name))))


def schema_errors(xml: bytes, name: str) -> list[str]:
    """Problems of ``xml`` against the V1 schema ``name`` (empty when valid)."""
    try:
        doc = etree.fromstring(xml)
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed XML: {exc}"]
    checker = schema(name)
    if checker.validate(doc):
        return []
    errors = [f"line {e.line}: {e.message}" for e in checker.error_log]
    return errors[:5] + ([f"… and {len(errors) - 5} more"] if len(errors) > 5 else [])


def to_bytes(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
