"""The Fiks Arkiv V1 ``arkivmelding`` (opprett) for a meeting's minutes.

A ``moetemappe`` for the meeting (body, number, date, place, participants) and a ``moetedokument``
registration for the minutes (type MP, møteprotokoll) with one ``dokumentbeskrivelse`` for the main
document and one per attachment; each ``dokumentobjekt`` names its file in the package, its format,
SHA-256 checksum and size. Coded values come from the Fiks Arkiv code lists, and a value not in its
list is a bug caught here, not in the archive.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from lxml import etree

from .. import __version__
from ..config import ArchiveProfile
from ..errors import PackageError
from ..meeting.model import Meeting
from .identities import Ids

NS = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/v1"
# Children of the metadata catalogue's complex types (kode, identifikatorer, eksternNoekkel,
# referanseTilMappe, moetedeltaker) are qualified in the catalogue's namespace.
MDK = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_DIR = "schemas/fiks-arkiv-v1"
SCHEMA = "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.xsd"
# The Fiks Arkiv message that carries it (melding.json, and the Fiks IO message type).
MESSAGE_TYPE = "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett"
# PRONOM identifiers: what archives use to name file formats.
FORMATS = {
    "PDF/A-1a": ("fmt/95", "application/pdf"),
    "PDF/A-1b": ("fmt/354", "application/pdf"),
    "PDF/A-2a": ("fmt/476", "application/pdf"),
    "PDF/A-2b": ("fmt/477", "application/pdf"),
    "PDF/A-2u": ("fmt/478", "application/pdf"),
    "DOCX": ("fmt/412", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
}


def schema_path() -> Path:
    return Path(str(resources.files("referatbygg") / SCHEMA_DIR / SCHEMA))


@functools.cache
def code_list(name: str) -> dict[str, str]:
    path = (
        resources.files("referatbygg")
        / SCHEMA_DIR
        / "kodelister"
        / (f"no.ks.fiks.arkiv.v1.kodelister.{name}.json")
    )
    data = json.loads(path.read_text(encoding="utf-8"))
    return {c["kodeverdi"]: c["kodebeskrivelse"] for c in data["kodeliste"]}


def code(name: str, value: str) -> tuple[str, str]:
    codes = code_list(name)
    if value not in codes:
        raise PackageError(f"'{value}' is not in the Fiks Arkiv code list {name}")
    return value, codes[value]


@dataclass(frozen=True)
class DocFile:
    """One file of a document in the package (path relative to the bag's data/ folder)."""

    path: str
    file: Path
    variant: str  # variantformat: S (signed), A (archive), P (production)
    fmt: str  # key of FORMATS

    @functools.cached_property
    def sha256(self) -> str:  # asked for the identities and for each of the two messages
        return sha256_file(self.file)


def sha256_file(path: Path) -> str:
    import hashlib

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


@dataclass(frozen=True)
class Context:
    """What the message says beyond the documents: identities, the archive's codes, the
    signatures as verified."""

    ids: Ids
    profile: ArchiveProfile = field(default_factory=lambda: ArchiveProfile())
    signed: list[str] = field(default_factory=list)  # one line per signer, for the merknad
    authors: list[str] = field(default_factory=list)
    # Records this one refers to: (external key, systemID if known) — the minutes to the
    # agreements they adopted, each archived as its own journal post.
    refers_to: list[tuple[str, str | None]] = field(default_factory=list)
    flat: bool = False  # file references by name alone (a Fiks Arkiv message), not by path

    @property
    def system(self) -> str:
        number = self.profile.organisation_number
        return f"referatbygg {number}" if number else "referatbygg"

    def ref(self, f: DocFile) -> str:
        return Path(f.path).name if self.flat else f.path


# Noark 5 journalposttype (M082); Fiks Arkiv V1 ships no list for it: the archive's profile
# chooses, these describe the usual ones.
JOURNALPOSTTYPER = {
    "I": "Inngående dokument", "U": "Utgående dokument",
    "N": "Organinternt dokument for oppfølging", "X": "Organinternt dokument uten oppfølging",
    "S": "Saksframlegg",
}  # fmt: skip


def access_code(basis: str, profile: ArchiveProfile) -> str:
    """The archive's tilgangsrestriksjon for a legal basis, from its profile: the most specific
    key the basis names ('offl. § 13' before 'offl.'); PackageError when none does."""

    def named(key: str) -> bool:
        pattern = re.escape(key).replace(r"\ ", r"\s*")
        return re.search(pattern + r"(?![\d-])", basis, flags=re.IGNORECASE) is not None

    found = sorted((k for k in profile.access_codes if named(k)), key=len, reverse=True)
    if not found:
        raise PackageError(
            f"no access code for the legal basis '{basis}' in the archive profile",
            hint="add it to [archive] access_codes in referatbygg.toml (the receiving archive "
            "says which code it uses)",
        )
    return profile.access_codes[found[0]]


# A reference to a section of offentleglova, with what narrows it ("tredje ledd", "nr. 2",
# "bokstav a") and what it points on to ("jf. fvl. § 13") — the basis for withholding.
_OFFL = re.compile(
    r"offl\.\s*§\s*(\d+)[a-z]?"
    r"(?:\s+(?:første|andre|tredje|fjerde|femte|sjette|fyrste)\s+ledd)?"
    r"(?:\s+(?:nr\.\s*\d+|bokstav\s+[a-zæøå]))?"
    r"(?:\s*,?\s*jf\.\s*(?!offl\.)[^;,]+?(?=\s*(?:[;,]|$)))?",
    re.IGNORECASE,
)
TAUSHETSPLIKT = 13  # offl. § 13: what a duty of confidentiality forbids to give out


def withholding(bases: list[str], profile: ArchiveProfile) -> tuple[str, str]:
    """(access code, skjermingshjemmel) for content exempt on ``bases``: each basis's
    reference to offentleglova (a basis that closes a meeting, "kml. § 11-5 …, jf. offl. § 25",
    is withheld under offl. § 25), ranked by strictness — a duty of confidentiality (§ 13)
    before the exemptions (§§ 14–26), those before the law in general — and the strictest
    alone given, with its code; PackageError when the profile has no code for it."""
    found: list[tuple[int, str]] = []
    for basis in bases:
        refs = [(m.group(0).strip(), int(m.group(1))) for m in _OFFL.finditer(basis)]
        if not refs:
            found.append((3, basis.strip()))  # no section of offentleglova named: as written
        for text, section in refs:
            found.append((0 if section == TAUSHETSPLIKT else 1, text))
    _rank, basis = min(found, key=lambda f: f[0])  # the first of the strictest, in order
    return access_code(basis, profile), basis


def _skjerming(parent: etree._Element, basis: str, profile: ArchiveProfile, withheld: str) -> None:
    """Skjerming with the archive's access code and the legal basis, on the element that
    holds the exempt content (``basis``: the bases, "; " between them, the strictest given;
    ``withheld``: the body's words for it, "Unntatt offentlighet")."""
    code, hjemmel = withholding(basis.split("; "), profile)
    el = _sub(parent, "skjerming")
    restriction = _sub(el, "tilgangsrestriksjon")
    _sub(restriction, "kode", code, MDK)
    _sub(restriction, "beskrivelse", f"{withheld}, {hjemmel}", MDK)
    _sub(el, "skjermingshjemmel", hjemmel)


def _key(parent: etree._Element, tag: str, system: str, key: str, ns: str = NS) -> None:
    el = _sub(parent, tag, ns=ns)
    _sub(el, "fagsystem", system, MDK)
    _sub(el, "noekkel", key, MDK)


def _sub(parent: etree._Element, tag: str, text: str | None = None, ns: str = NS) -> etree._Element:
    el = etree.SubElement(parent, f"{{{ns}}}{tag}")
    if text is not None:
        el.text = text
    return el


def _code(parent: etree._Element, tag: str, list_name: str, value: str, ns: str = NS) -> None:
    kode, beskrivelse = code(list_name, value)
    el = _sub(parent, tag, ns=ns)
    _sub(el, "kode", kode, MDK)
    _sub(el, "beskrivelse", beskrivelse, MDK)


def participants(meeting: Meeting) -> list[tuple[str, str, str | None]]:
    """(name, moetedeltakerfunksjon, party) of everyone who took part: the chair LEDER, a deputy
    chair NESTL (by the role the minutes give), members MEDL, substitutes VARA, the secretary
    SEKR."""
    p = meeting.data.participants

    def function(role: str | None) -> str:
        text = (role or "").lower()
        return "NESTL" if text.startswith(("nestleder", "nestleiar", "varaordfører")) else "MEDL"

    # Someone named by function only ("rådmannen") is no person the archive can register.
    people = [(p.chair.name, "LEDER", p.chair.party)] if p.chair and p.chair.name else []
    people += [(x.name, function(x.role), x.party) for x in p.present if x.name]
    people += [(x.name, "VARA", x.party) for x in p.substitutes]
    people += [(x.name, "SEKR", None) for x in p.secretary if x.name]
    return people


def meeting_number(meeting: Meeting) -> str:
    """The meeting's own number (``number``); without one, its place among this body's meetings
    of the year in its folder ('1/2023'): the archive requires a møtenummer, and a date is not
    one."""
    import tomllib

    m = meeting.data
    if m.number:
        return m.number
    dates = {m.date}
    for file in meeting.source.parent.glob("*.toml"):
        if file.name in ("organ.toml", "referatbygg.toml"):
            continue
        try:
            day = tomllib.loads(file.read_text(encoding="utf-8")).get("date")
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
        if isinstance(day, dt.date) and day.year == m.date.year:
            dates.add(day)
    return f"{sorted(dates).index(m.date) + 1}/{m.date.year}"


def cases(meeting: Meeting) -> str:
    """The agenda as one line per item, for the registration's description: 'PS 21/25
    Godkjenning …'; a closed item by its public title."""
    from ..document.minutes import heading

    return "\n".join(heading(meeting, item, "public") for item in meeting.data.items)


def build(meeting: Meeting, documents: list[Document], created: dt.datetime, ctx: Context) -> bytes:
    """The arkivmelding as UTF-8 XML bytes. Skjerming is on each document that holds exempt
    content, never on the registration as a whole: the public version and the attachments that
    are not exempt stay public."""
    m = meeting.data
    stamp = created.isoformat(timespec="seconds")
    root = etree.Element(f"{{{NS}}}arkivmelding", nsmap={None: NS, "n5mdk": MDK, "xsi": XSI})
    _sub(root, "system", f"referatbygg {__version__}")
    _sub(root, "antallFiler", str(sum(len(d.files) for d in documents)))

    agreement = meeting.kind == "avtale"
    folder = _sub(root, "mappe")
    # An agreement is a journal post in a case file; the minutes a møtedokument in a møtemappe.
    folder.set(f"{{{XSI}}}type", "saksmappe" if agreement else "moetemappe")
    _sub(folder, "systemID", ctx.ids.folder)
    main_title = documents[0].title
    _sub(
        folder,
        "tittel",
        main_title if agreement else f"{meeting.body.name} – møte {m.date.isoformat()}",
    )
    _sub(folder, "opprettetDato", stamp)
    _sub(folder, "opprettetAv", "referatbygg")
    _key(folder, "referanseEksternNoekkel", ctx.system, meeting.id)
    if agreement:
        _sub(folder, "saksdato", m.date.isoformat())
    else:
        _sub(folder, "moetenummer", meeting_number(meeting))
        body = _sub(folder, "utvalg")
        _sub(body, "navn", meeting.body.name, MDK)
        _sub(body, "identifikator", ctx.profile.utvalg.get(meeting.body.id, meeting.body.id),
             MDK)  # fmt: skip
        _sub(folder, "moetedato", m.date.isoformat())
        if m.place:
            _sub(folder, "moetested", m.place)
        for name, function, party in participants(meeting):
            member = _sub(folder, "moetedeltaker")
            ident = _sub(member, "identifikator", ns=MDK)
            _sub(ident, "navn", name, MDK)
            _code(member, "funksjon", "moetedeltakerfunksjon", function, MDK)
            if party:
                represents = _sub(member, "representerer", ns=MDK)
                _sub(represents, "navn", party, MDK)
    return _registration(root, meeting, documents, stamp, ctx)


def _registration(
    root: etree._Element,
    meeting: Meeting,
    documents: list[Document],
    stamp: str,
    ctx: Context,
) -> bytes:
    """The registrering: a møtedokument (MP) for minutes, a journalpost for an agreement, in
    the element order the schema requires."""
    agreement = meeting.kind == "avtale"
    reg = _sub(root, "registrering")
    reg.set(f"{{{XSI}}}type", "journalpost" if agreement else "moetedokument")
    _sub(reg, "systemID", ctx.ids.registration)
    _sub(reg, "opprettetDato", stamp)
    _sub(reg, "opprettetAv", "referatbygg")
    parent = _sub(reg, "referanseForelderMappe")
    _sub(parent, "systemID", ctx.ids.folder, MDK)
    _key(parent, "referanseEksternNoekkel", ctx.system, meeting.id, MDK)
    if agreement:
        data: Any = meeting.data
        for party in data.parties:
            part = _sub(reg, "part")
            _sub(part, "partNavn", party.name)
    for number, doc in enumerate(documents, start=1):
        _document(reg, number, doc, meeting, ctx)
    _sub(reg, "tittel", documents[0].title)
    if meeting.kind != "avtale" and meeting.data.items:
        _sub(reg, "beskrivelse", cases(meeting))
    for author in ctx.authors:
        _sub(reg, "forfatter", author)
    _references(reg, meeting, stamp, ctx)
    if agreement:
        kind = _sub(reg, "journalposttype")
        _sub(kind, "kode", ctx.profile.agreement_journalposttype, MDK)
        _sub(kind, "beskrivelse", JOURNALPOSTTYPER.get(ctx.profile.agreement_journalposttype,
                                                       "Journalposttype"), MDK)  # fmt: skip
        _code(reg, "journalstatus", "journalstatus", "F")
        _sub(reg, "dokumentetsDato", meeting.data.date.isoformat())
    else:
        _code(reg, "moetedokumenttype", "moeteregistreringstype", "MP")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _document(
    reg: etree._Element, number: int, doc: Document, meeting: Meeting, ctx: Context
) -> None:
    """One dokumentbeskrivelse, with a dokumentobjekt per file (variant) of the document."""
    desc = _sub(reg, "dokumentbeskrivelse")
    _sub(desc, "systemID", ctx.ids.documents[doc.key])
    _code(desc, "dokumenttype", "dokumenttype", doc.kind)
    _code(desc, "dokumentstatus", "dokumentstatus", "F")
    _sub(desc, "tittel", doc.title)
    for author in ctx.authors:
        _sub(desc, "forfatter", author)
    _code(desc, "tilknyttetRegistreringSom", "tilknyttetregistreringsom", "H" if doc.main else "V")
    _sub(desc, "dokumentnummer", str(number))
    if doc.exempt:
        _skjerming(desc, doc.exempt, ctx.profile, meeting.labels["withheld"])
    for f in doc.files:
        obj = _sub(desc, "dokumentobjekt")
        _sub(obj, "versjonsnummer", "1")
        _code(obj, "variantformat", "variantformat", f.variant)
        fmt = _sub(obj, "format")
        pronom, mime = FORMATS[f.fmt]
        _sub(fmt, "kode", ctx.profile.format_codes.get(f.fmt, pronom), MDK)
        _sub(fmt, "beskrivelse", f.fmt, MDK)
        if f.variant == "S" and doc.details:
            _sub(obj, "formatDetaljer", doc.details)
        _sub(obj, "mimeType", mime)
        _sub(obj, "filnavn", Path(f.path).name)
        _sub(obj, "referanseDokumentfil", ctx.ref(f))
        _sub(obj, "sjekksum", f.sha256)
        _sub(obj, "sjekksumAlgoritme", "SHA-256")
        _sub(obj, "filstoerrelse", str(f.file.stat().st_size))
    _key(desc, "referanseEksternNoekkel", ctx.system, f"{meeting.id}/{doc.key}")


def _references(reg: etree._Element, meeting: Meeting, stamp: str, ctx: Context) -> None:
    """The signing note, the cross-references to adopted agreements, and the external key."""
    if ctx.signed:
        note = _sub(reg, "merknad")
        _sub(note, "merknadstekst", "\n".join(ctx.signed))
        _sub(note, "merknadsdato", stamp)
        _sub(note, "merknadRegistrertAv", "referatbygg")
    for key, system_id in ctx.refers_to:
        ref = _sub(reg, "kryssreferanse")
        target = _sub(ref, "referanseTilRegistrering")
        if system_id:
            _sub(target, "systemID", system_id, MDK)
        _key(target, "referanseEksternNoekkel", ctx.system, key, MDK)
    _key(reg, "referanseEksternNoekkel", ctx.system, f"{meeting.id}/{meeting.kind}")


@functools.cache
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(schema_path())))


def schema_errors(xml: bytes) -> list[str]:
    """Problems against the Fiks Arkiv schema (empty when valid)."""
    try:
        doc = etree.fromstring(xml)
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed XML: {exc}"]
    schema = _schema()
    if schema.validate(doc):
        return []
    errors = [f"line {e.line}: {e.message}" for e in schema.error_log]
    return errors[:5] + ([f"… and {len(errors) - 5} more"] if len(errors) > 5 else [])


def body_identifier(xml: bytes) -> str | None:
    """The archive's identifier of the body whose meeting the message files (its møtemappe's
    utvalg); None for a case file (an agreement)."""
    found = etree.fromstring(xml).find(f".//{{{NS}}}utvalg/{{{MDK}}}identifikator")
    return found.text if found is not None else None


def listed_files(xml: bytes) -> list[tuple[str, str, int]]:
    """(referanseDokumentfil, sjekksum, filstoerrelse) of every dokumentobjekt."""
    doc = etree.fromstring(xml)
    out = []
    for obj in doc.iter(f"{{{NS}}}dokumentobjekt"):
        out.append(
            (
                obj.findtext(f"{{{NS}}}referanseDokumentfil") or "",
                obj.findtext(f"{{{NS}}}sjekksum") or "",
                int(obj.findtext(f"{{{NS}}}filstoerrelse") or -1),
            )
        )
    return out
