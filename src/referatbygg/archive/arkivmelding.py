"""The Fiks Arkiv V1 ``arkivmelding`` (opprett) for a meeting's minutes or an agreement.

Where the minutes go is the body's choice (its ``[archive]``):

* ``moetemappe`` — a møtemappe for the meeting (body, number, date, place, participants) and a
  møtedokument (MP, møteprotokoll): the archive's meeting model, as eInnsyn shows meetings;
* ``journalpost`` — a journal post in the case the body names by its saksnummer, or, without
  one, in the body's case of the year, which the archive finds by its external key or creates.

An agreement is a journal post in a case file of its own, its counterparties as
korrespondanseparter. Each document is a dokumentbeskrivelse with a dokumentobjekt per file
(format, SHA-256, size); the minutes refer to each item's own case (its ``archive_ref``) and to
the agreements they adopted. Every coded value is from its V1 code list.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from .. import __version__
from ..config import ArchiveProfile
from ..errors import PackageError
from ..meeting.filing import CASE, Filing, case_parts
from ..meeting.model import Meeting
from . import parts
from .codes import withholding
from .identities import SYSTEM, Ids, Keys
from .parts import MDK, XSI, DocFile, Document, sha256_file

NS = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/v1"
SCHEMA = "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.xsd"
# The Fiks Arkiv message that carries it (melding.json, and the Fiks IO message type).
MESSAGE_TYPE = "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett"
# Our virksomhetsspesifikkeMetadata: the body and the meeting's date in every filing mode (a
# journal post has no utvalg), so the receiving side can check who may sign and what the
# signed minutes must be titled.
RB = "urn:referatbygg:arkiv:v1"

__all__ = ["MDK", "MESSAGE_TYPE", "NS", "Context", "DocFile", "Document", "build",
           "schema_errors", "sha256_file"]  # fmt: skip


@dataclass(frozen=True)
class Note:
    """An archive note (merknad) of type ``kind`` (merknadstype, V1 list)."""

    text: str
    kind: str = "MA"  # arkivmerknad


@dataclass(frozen=True)
class Context:
    """What the message says beyond the documents: identities, where it is filed, the archive's
    codes, the signatures as verified."""

    ids: Ids
    keys: Keys
    profile: ArchiveProfile = field(default_factory=lambda: ArchiveProfile())
    filing: Filing = field(default_factory=Filing)
    notes: list[Note] = field(default_factory=list)  # on the signed document: the signatures
    authors: list[str] = field(default_factory=list)  # of the registration
    # Records this one refers to: (external key, systemID if known) — the minutes to the
    # agreements they adopted, each archived as its own journal post.
    refers_to: list[tuple[str, str | None]] = field(default_factory=list)
    archived_by: str = SYSTEM  # opprettetAv: who archived
    flat: bool = False  # file references by name alone (a Fiks Arkiv message), not by path

    def ref(self, f: DocFile) -> str:
        return Path(f.path).name if self.flat else f.path


def _sub(parent: etree._Element, tag: str, text: str | None = None, ns: str = NS) -> etree._Element:
    return parts.sub(parent, tag, text, ns)


def _key(parent: etree._Element, tag: str, value: str, ns: str = NS) -> None:
    parts.key(parent, tag, SYSTEM, value, ns)


def _code(parent: etree._Element, tag: str, list_name: str, value: str, ns: str = NS) -> None:
    parts.coded(parent, tag, list_name, value, ns)


def _skjerming(parent: etree._Element, basis: str, profile: ArchiveProfile, withheld: str) -> None:
    """Skjerming with the archive's access code and the legal basis, on the element that
    holds the exempt content (``basis``: the bases, "; " between them, the strictest given;
    ``withheld``: the body's words for it, "Unntatt offentlighet")."""
    kode, hjemmel = withholding(basis.split("; "), profile)
    el = _sub(parent, "skjerming")
    restriction = _sub(el, "tilgangsrestriksjon")
    _sub(restriction, "kode", kode, MDK)
    _sub(restriction, "beskrivelse", f"{withheld}, {hjemmel}", MDK)
    _sub(el, "skjermingshjemmel", hjemmel)


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
    """The meeting's own number (``number``): a møtemappe requires one, and it is never made
    up — not from the date, not from the meeting's place among the files in its folder."""
    if meeting.data.number:
        return str(meeting.data.number)
    raise PackageError(
        f"{meeting.source.name} has no number, and a møtemappe needs the meeting's number "
        "(møtenummer): nothing was archived",
        hint='add number = "1/2023" (as the body numbers its meetings) to the meeting file, or '
        'file the minutes as a journal post: [archive] filing = "journalpost" in the body file',
    )


def record_title(meeting: Meeting) -> str:
    """The title the minutes (or the agreement) are registered under: 'Referat – Politirådet i
    Oslo 2023-01-13', in the body's own word for its minutes; an agreement by its title."""
    if meeting.kind == "avtale":
        return str(meeting.data.title)
    return (f"{meeting.document_type or 'Referat'} – {meeting.body.name} "
            f"{meeting.data.date.isoformat()}")  # fmt: skip


def cases(meeting: Meeting) -> str:
    """The agenda as one line per item, for the registration's description: 'PS 21/25
    Godkjenning …'; a closed item by its public title."""
    from ..document.minutes import heading

    return "\n".join(heading(meeting, item, "public") for item in meeting.data.items)


_CASE_REF = re.compile(rf"^\s*({CASE})(?:-\d+)?\s*$")  # a case, or a journal post in it


def case_refs(meeting: Meeting) -> list[str]:
    """The cases the items belong to (their ``archive_ref``, '23/1234' or '23/1234-5'), each
    once, in agenda order: the minutes refer to each, so each case file shows its decision."""
    found: list[str] = []
    for item in meeting.data.items:
        ref = item.case.archive_ref if item.case else None
        match = _CASE_REF.match(ref or "")
        if match and match.group(1) not in found:
            found.append(match.group(1))
    return found


def build(meeting: Meeting, documents: list[Document], created: dt.datetime, ctx: Context) -> bytes:
    """The arkivmelding as UTF-8 XML bytes. Skjerming is on each document that holds exempt
    content, never on the registration as a whole: the public version and the attachments that
    are not exempt stay public."""
    stamp = created.isoformat(timespec="seconds")
    root = etree.Element(f"{{{NS}}}arkivmelding", nsmap={None: NS, "n5mdk": MDK, "xsi": XSI})
    _sub(root, "system", f"referatbygg {__version__}")
    _sub(root, "antallFiler", str(sum(len(d.files) for d in documents)))
    if meeting.kind == "avtale":
        _case_folder(root, documents[0].title, meeting.data.date, stamp, ctx, ctx.keys.folder,
                     ctx.ids.folder)  # fmt: skip
    elif ctx.filing.filing == "moetemappe":
        _meeting_folder(root, meeting, stamp, ctx)
    elif ctx.filing.case is None:  # the body's case of the year, found or made by its key
        year = meeting.data.date.year
        title = f"{meeting.body.name} – {meeting.document_type or 'Referat'} {year}"
        _case_folder(root, title, None, stamp, ctx,
                     ctx.keys.year_case(meeting.body.id, year), None)  # fmt: skip
    _registration(root, meeting, documents, stamp, ctx)
    return parts.to_bytes(root)


def _folder_start(folder: etree._Element, kind: str, system_id: str | None, title: str,
                  stamp: str, ctx: Context, key: str) -> None:  # fmt: skip
    folder.set(f"{{{XSI}}}type", kind)
    if system_id:
        _sub(folder, "systemID", system_id)
    _sub(folder, "tittel", title)
    _sub(folder, "opprettetDato", stamp)
    _sub(folder, "opprettetAv", ctx.archived_by)
    _key(folder, "referanseEksternNoekkel", key)


def _meeting_folder(root: etree._Element, meeting: Meeting, stamp: str, ctx: Context) -> None:
    m = meeting.data
    folder = _sub(root, "mappe")
    _folder_start(folder, "moetemappe", ctx.ids.folder,
                  f"{meeting.body.name} – møte {m.date.isoformat()}", stamp, ctx,
                  ctx.keys.folder)  # fmt: skip
    _sub(folder, "moetenummer", meeting_number(meeting))
    body = _sub(folder, "utvalg")
    _sub(body, "navn", meeting.body.name, MDK)
    _sub(body, "identifikator", ctx.profile.utvalg.get(meeting.body.id, meeting.body.id), MDK)
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


def _case_folder(root: etree._Element, title: str, day: dt.date | None, stamp: str,
                 ctx: Context, key: str, system_id: str | None) -> None:  # fmt: skip
    """A saksmappe: an agreement's own, or the body's case of the year (no systemID of ours:
    the archive's, found by the key, is kept)."""
    folder = _sub(root, "mappe")
    _folder_start(folder, "saksmappe", system_id, title, stamp, ctx, key)
    if day:
        _sub(folder, "saksdato", day.isoformat())
    _units(folder, ctx.filing)


def _who(parent: etree._Element, filing: Filing, officer: str) -> None:
    """The unit (administrativEnhet) and the officer (``officer``: saksansvarlig of a case,
    saksbehandler of a correspondent), each named."""
    for tag, name in (("administrativEnhet", filing.unit), (officer, filing.case_officer)):
        if name:
            _sub(_sub(parent, tag), "navn", name, MDK)


def _units(parent: etree._Element, filing: Filing) -> None:
    _who(parent, filing, "saksansvarlig")
    if filing.journal_unit:
        _sub(parent, "journalenhet", filing.journal_unit)


def _parent(reg: etree._Element, meeting: Meeting, ctx: Context) -> None:
    """referanseForelderMappe: the case by its number, else the folder this message makes (or
    finds) by its key."""
    parent = _sub(reg, "referanseForelderMappe")
    if meeting.kind == "avtale" or ctx.filing.filing == "moetemappe":
        _sub(parent, "systemID", ctx.ids.folder, MDK)
        _key(parent, "referanseEksternNoekkel", ctx.keys.folder, MDK)
    elif ctx.filing.case:
        year, seq = case_parts(ctx.filing.case)
        number = _sub(parent, "saksnummer", ns=MDK)
        _sub(number, "saksaar", str(year), MDK)
        _sub(number, "sakssekvensnummer", str(seq), MDK)
    else:
        year_key = ctx.keys.year_case(meeting.body.id, meeting.data.date.year)
        _key(parent, "referanseEksternNoekkel", year_key, MDK)


def _journal_post(meeting: Meeting, ctx: Context) -> bool:
    return meeting.kind == "avtale" or ctx.filing.filing == "journalpost"


def _registration(
    root: etree._Element, meeting: Meeting, documents: list[Document], stamp: str, ctx: Context
) -> None:
    """The registrering — a møtedokument (MP) in a møtemappe, else a journal post — in the
    element order the schema requires."""
    agreement = meeting.kind == "avtale"
    journal = _journal_post(meeting, ctx)
    reg = _sub(root, "registrering")
    reg.set(f"{{{XSI}}}type", "journalpost" if journal else "moetedokument")
    _sub(reg, "systemID", ctx.ids.registration)
    _sub(reg, "opprettetDato", stamp)
    _sub(reg, "opprettetAv", ctx.archived_by)
    _parent(reg, meeting, ctx)
    if agreement:
        data: Any = meeting.data
        for party in data.parties:
            part = _sub(reg, "part")
            _sub(part, "partNavn", party.name)
            if party.organisation_number:
                org = _sub(part, "organisasjonID")
                _sub(org, "identifikator", party.organisation_number)
    for number, doc in enumerate(documents, start=1):
        _document(reg, number, doc, meeting, stamp, ctx)
    _sub(reg, "tittel", documents[0].title)
    if not agreement and meeting.data.items:
        _sub(reg, "beskrivelse", cases(meeting))
    for author in ctx.authors:
        _sub(reg, "forfatter", author)
    _business(reg, meeting, ctx)
    _references(reg, meeting, ctx)
    if agreement:
        _counterparties(reg, meeting, ctx)
    elif journal and (ctx.filing.unit or ctx.filing.case_officer):
        _own_party(reg, meeting, ctx.filing)
    if journal and ctx.filing.class_id:
        klass = _sub(reg, "klassifikasjon")
        if ctx.filing.class_system:
            _sub(klass, "klassifikasjonssystemID", ctx.filing.class_system)
        _sub(klass, "klasseID", ctx.filing.class_id)
    _key(reg, "referanseEksternNoekkel", ctx.keys.registration)
    if journal:
        kind = ctx.profile.agreement_journalposttype if agreement else ctx.filing.journalposttype
        _code(reg, "journalposttype", "journalposttype", kind)
        _code(reg, "journalstatus", "journalstatus", "F")
        _sub(reg, "dokumentetsDato", meeting.data.date.isoformat())
        if ctx.filing.journal_unit and not agreement:
            _sub(reg, "journalenhet", ctx.filing.journal_unit)
    else:
        _code(reg, "moetedokumenttype", "moeteregistreringstype", "MP")


def _business(reg: etree._Element, meeting: Meeting, ctx: Context) -> None:
    """virksomhetsspesifikkeMetadata: the body (the archive's identifier and its name) and,
    for minutes, the meeting's date."""
    holder = _sub(reg, "virksomhetsspesifikkeMetadata")
    about = etree.SubElement(holder, f"{{{RB}}}moete", nsmap={"rb": RB})
    body = meeting.body
    etree.SubElement(about, f"{{{RB}}}utvalg").text = ctx.profile.utvalg.get(body.id, body.id)
    etree.SubElement(about, f"{{{RB}}}utvalgsnavn").text = body.name
    if meeting.kind != "avtale":
        etree.SubElement(about, f"{{{RB}}}moetedato").text = meeting.data.date.isoformat()


def _counterparties(reg: etree._Element, meeting: Meeting, ctx: Context) -> None:
    """The agreement's other parties as korrespondanseparter: recipients of an outgoing (U)
    agreement, senders of an incoming (I) one; an internal one (N, X) has none."""
    role = {"U": "EM", "I": "EA"}.get(ctx.profile.agreement_journalposttype)
    if role is None:
        return
    data: Any = meeting.data
    for party in data.parties:
        if party.name == meeting.body.organisation:
            continue  # the body's own organisation is the other side of the correspondence
        part = _sub(reg, "korrespondansepart")
        _code(part, "korrespondanseparttype", "korrespondanseparttype", role)
        _sub(part, "korrespondansepartNavn", party.name)
        if party.organisation_number:
            _sub(part, "organisasjonid", party.organisation_number)


def _own_party(reg: etree._Element, meeting: Meeting, filing: Filing) -> None:
    """The body's own unit and case officer as the internal sender of its minutes."""
    part = _sub(reg, "korrespondansepart")
    _code(part, "korrespondanseparttype", "korrespondanseparttype", "IA")
    _sub(part, "korrespondansepartNavn", filing.unit or meeting.body.name)
    _who(part, filing, "saksbehandler")


def _document(reg: etree._Element, number: int, doc: Document, meeting: Meeting, stamp: str,
              ctx: Context) -> None:  # fmt: skip
    """One dokumentbeskrivelse, with a dokumentobjekt per file (variant) of the document; the
    signatures as archive notes on the signed one."""
    desc = _sub(reg, "dokumentbeskrivelse")
    _sub(desc, "systemID", ctx.ids.documents[doc.key])
    _code(desc, "dokumenttype", "dokumenttype", doc.kind)
    _code(desc, "dokumentstatus", "dokumentstatus", "F")
    _sub(desc, "tittel", doc.title)
    for author in doc.authors:
        _sub(desc, "forfatter", author)
    _sub(desc, "opprettetAv", ctx.archived_by)
    _code(desc, "tilknyttetRegistreringSom", "tilknyttetregistreringsom", "H" if doc.main else "V")
    _sub(desc, "dokumentnummer", str(number))
    if doc.main:
        for note in ctx.notes:
            merknad = _sub(desc, "merknad")
            _sub(merknad, "merknadstekst", note.text)
            _code(merknad, "merknadstype", "merknadstype", note.kind)
            _sub(merknad, "merknadsdato", stamp)
            _sub(merknad, "merknadRegistrertAv", ctx.archived_by)
    if doc.exempt:
        _skjerming(desc, doc.exempt, ctx.profile, meeting.labels["withheld"])
    for f in doc.files:
        parts.dokumentobjekt(desc, f, ctx.ref(f), doc.details, ctx.profile.format_codes, NS)
    _key(desc, "referanseEksternNoekkel", ctx.keys.document(doc.key))


def _references(reg: etree._Element, meeting: Meeting, ctx: Context) -> None:
    """kryssreferanse to each item's own case file (by saksnummer), and to each adopted
    agreement's journal post (its key, and its systemID once packaged here)."""
    if meeting.kind != "avtale":
        for ref in case_refs(meeting):
            year, seq = case_parts(ref)
            target = _sub(_sub(reg, "kryssreferanse"), "referanseTilMappe")
            number = _sub(target, "saksnummer", ns=MDK)
            _sub(number, "saksaar", str(year), MDK)
            _sub(number, "sakssekvensnummer", str(seq), MDK)
    for agreement_key, system_id in ctx.refers_to:
        target = _sub(_sub(reg, "kryssreferanse"), "referanseTilRegistrering")
        if system_id:
            _sub(target, "systemID", system_id, MDK)
        _key(target, "referanseEksternNoekkel", agreement_key, MDK)


def schema_errors(xml: bytes) -> list[str]:
    """Problems against the Fiks Arkiv schema (empty when valid)."""
    return parts.schema_errors(xml, SCHEMA)


def body_identifier(xml: bytes) -> str | None:
    """The archive's identifier of the body whose minutes or agreement the message files (its
    møtemappe's utvalg, else the body our business metadata names)."""
    root = etree.fromstring(xml)
    found = root.find(f".//{{{NS}}}utvalg/{{{MDK}}}identifikator")
    if found is None:
        found = root.find(f".//{{{RB}}}utvalg")
    return found.text if found is not None else None


def folder_key(xml: bytes) -> str | None:
    """The external key of the mappe the message makes or finds (None: filed into a case
    by its number)."""
    found = etree.fromstring(xml).find(f"{{{NS}}}mappe/{{{NS}}}referanseEksternNoekkel")
    return found.findtext(f"{{{MDK}}}noekkel") if found is not None else None


def record_key(xml: bytes) -> str | None:
    """The external key of the registrering the message files: what names the meeting (or
    agreement) in the archive."""
    found = etree.fromstring(xml).find(f"{{{NS}}}registrering/{{{NS}}}referanseEksternNoekkel")
    return found.findtext(f"{{{MDK}}}noekkel") if found is not None else None


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
