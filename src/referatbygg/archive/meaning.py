"""Whether a package is about one meeting: what its metadata says against what its signed file
shows. A bag whose every checksum matches can still hold another meeting's validly signed
minutes, an unsigned copy called the signed original, or a bag-info and evidence that name
another meeting or other signers — the checksums were simply made again. Here:

* the signed original is the file arkivmelding.xml gives as variant S, and it is signed (or,
  for a body that signs nothing, sealed by a document timestamp);
* bag-info's External-Identifier is the meeting arkivmelding.xml files (its external key);
* a meeting's signed minutes are titled with the body and the date arkivmelding.xml gives;
* the signers arkivmelding.xml's note and the evidence (bevis/verify-*.json) name are the ones
  whose signatures the signed file carries;
* every document in dokumenter/ is one arkivmelding.xml describes;
* the signed original begins with the document its build record (bevis/bygg-*.json) says was
  built, and the packed sources (produksjon/kilde/) are the files it was built from.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

from lxml import etree
from pypdf import PdfReader

from .. import verify
from ..document.lang import long_date
from .arkivmelding import MDK, NS, RB, listed_files, record_key


def signed_original(root: Path, xml: bytes, problems: list[str], label: str = "") -> Path | None:
    """The file arkivmelding.xml declares the signed original (variantformat S), in ``root``;
    None, with the problem named, when there is not exactly one that is there."""
    where = f"{label}: " if label else ""
    doc = etree.fromstring(xml)
    refs = [
        obj.findtext(f"{{{NS}}}referanseDokumentfil") or ""
        for obj in doc.iter(f"{{{NS}}}dokumentobjekt")
        if obj.findtext(f"{{{NS}}}variantformat/{{{MDK}}}kode") == "S"
    ]
    if len(refs) != 1:
        problems.append(f"{where}arkivmelding.xml gives {len(refs)} signed originals "
                        "(variantformat S); a meeting's package has one")  # fmt: skip
        return None
    file = (root / refs[0]).resolve()
    if not file.is_relative_to(root.resolve()) or not file.is_file():
        problems.append(f"{where}the signed original {refs[0]} is missing")
        return None
    return file


def agrees(
    bag: Path, xml: bytes, signed: Path, verdict: verify.VerifyReport, problems: list[str],
    checked: list[str],
) -> None:  # fmt: skip
    """The bag's metadata and evidence against the signed file (see the module's list)."""
    before = len(problems)
    ref = signed.relative_to(bag / "data")
    problems += shows(xml, signed, verdict, str(ref))
    key = record_key(xml)
    stated = _bag_info(bag).get("External-Identifier")
    if stated != key:
        problems.append(f"bag-info.txt names the record {stated}, arkivmelding.xml files {key}")
    problems += _evidence(bag / "data", ref, _signers(verdict))
    problems += _built_from(bag / "data", ref, signed)
    listed = {ref for ref, _sha, _size in listed_files(xml)}
    problems += [
        f"{p.relative_to(bag / 'data')} is not a document arkivmelding.xml describes"
        for p in sorted((bag / "data" / "dokumenter").rglob("*"))
        if p.is_file() and str(p.relative_to(bag / "data")) not in listed
    ]
    if len(problems) == before:
        checked.append(
            "one meeting: the signed original is signed, and bag-info, arkivmelding.xml and the "
            "evidence name the meeting, body, date and signers it shows; it was built from the "
            "packed sources"
        )


def shows(xml: bytes, signed: Path, verdict: verify.VerifyReport, ref: str) -> list[str]:
    """What arkivmelding.xml says against what the signed original shows: that it is signed,
    its title (body and date) and its signers."""
    problems = []
    if not verdict.signatures:  # a body that signs nothing still seals with a timestamp
        problems.append(f"the signed original {ref} carries no signature or timestamp")
    problems += _title(xml, signed, ref)
    problems += _noted_signers(xml, _signers(verdict))
    return problems


def _signers(verdict: verify.VerifyReport) -> list[tuple[str, str]]:
    return sorted((s.field_name, s.holder) for s in verdict.signatures if s.kind == "signature")


def _bag_info(bag: Path) -> dict[str, str]:
    try:
        text = (bag / "bag-info.txt").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    return dict(line.split(": ", 1) for line in text.splitlines() if ": " in line)


def _title(xml: bytes, signed: Path, ref: str) -> list[str]:
    """A meeting's minutes are titled with the body's name and the meeting's date: in a
    møtemappe as its utvalg and møtedato give them, in a journal post as its title ("Referat –
    Politirådet i Oslo 2023-01-13") and the document's date."""
    doc = etree.fromstring(xml)
    body = doc.findtext(f".//{{{NS}}}utvalg/{{{MDK}}}navn")
    date = doc.findtext(f".//{{{NS}}}moetedato")
    if not body:  # minutes filed as a journal post: the body and date our metadata give
        body = doc.findtext(f".//{{{RB}}}utvalgsnavn")
        date = doc.findtext(f".//{{{RB}}}moetedato")
        main = doc.find(f"{{{NS}}}registrering/{{{NS}}}dokumentbeskrivelse")
        kind = main.findtext(f"{{{NS}}}dokumenttype/{{{MDK}}}kode") if main is not None else None
        if kind == "PROTOKOLL" and (not body or not date):
            return [f"arkivmelding.xml does not say whose minutes of which day {ref} is"]
    if not body or not date:
        return []  # an agreement: a case file, no meeting
    try:
        meta = PdfReader(signed).metadata
        title = str(meta.title or "") if meta is not None else ""
        day = dt.date.fromisoformat(date)
    except Exception as exc:  # a damaged file: verify has said so; this says what it is not
        return [f"{ref}: its title cannot be read ({type(exc).__name__})"]
    plain = " ".join(title.replace("\u00a0", " ").split())
    if body not in plain or long_date(day) not in plain:
        return [
            f"{ref} is titled '{plain}', not the minutes of {body} {long_date(day)} that "
            "arkivmelding.xml files"
        ]
    return []


def _noted_signers(xml: bytes, signers: list[tuple[str, str]]) -> list[str]:
    """The archive note's 'Signert av <name> (<title>)' lines against the signatures."""
    doc = etree.fromstring(xml)
    text = "\n".join(t.text or "" for t in doc.iter(f"{{{NS}}}merknadstekst"))
    noted = sorted(
        line.removeprefix("Signert av ").split(" (", 1)[0]
        for line in text.splitlines()
        if line.startswith("Signert av ")
    )
    shown = sorted(holder for _field, holder in signers)
    if text and noted != shown:
        return [f"arkivmelding.xml notes the signers {', '.join(noted) or 'nobody'}; the signed "
                f"original is signed by {', '.join(shown) or 'nobody'}"]  # fmt: skip
    return []


def _evidence(data: Path, ref: Path, signers: list[tuple[str, str]]) -> list[str]:
    """The packed verification report is about the signed original and its signers."""
    path = data / "bevis" / f"verify-{ref.stem}.json"
    try:
        evidence = json.loads(path.read_text(encoding="utf-8"))
        said = sorted(
            (s["field_name"], s["holder"]) for s in evidence["signatures"]
            if s["kind"] == "signature"
        )  # fmt: skip
        about = evidence["file"]
    except (OSError, ValueError, KeyError, TypeError):
        return [f"bevis/{path.name}, the signature evidence of {ref}, is missing or unreadable"]
    problems = []
    if about != str(ref):
        problems.append(f"bevis/{path.name} is the evidence of {about}, not of {ref}")
    if said != signers:
        problems.append(f"bevis/{path.name} names other signatures ({said}) than {ref} carries")
    if not evidence.get("valid"):
        problems.append(f"bevis/{path.name} does not say the signatures were valid when packed")
    return problems


def _built_from(data: Path, ref: Path, signed: Path) -> list[str]:
    """The signed original was built from the packed sources: it begins with the bytes its
    build record describes (signatures only append), and each packed source file is one the
    record names, with the same SHA-256. A meeting file edited after the build and packed
    beside the old minutes says something the signed document does not."""
    path = data / "bevis" / f"bygg-{ref.stem}.json"
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        size, digest = int(record["pdf_built"]["size"]), str(record["pdf_built"]["sha256"])
        sources = {str(k): str(v) for k, v in record["sources"].items()}
        expected = [str(n) for n in record["packed"]]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return [f"bevis/{path.name}, the build record of {ref}, is missing or unreadable"]
    problems = []
    with signed.open("rb") as fh:
        head = fh.read(size)
    if len(head) != size or hashlib.sha256(head).hexdigest() != digest:
        problems.append(f"{ref} does not begin with the document bevis/{path.name} records as "
                        "built: it is not the document built from the packed sources")  # fmt: skip
    kilde = data / "produksjon" / "kilde"
    packed = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
              for p in sorted(kilde.glob("*")) if p.is_file()}  # fmt: skip
    for name, sha in packed.items():
        if sources.get(name) != sha:
            problems.append(f"produksjon/kilde/{name} is not the file {ref} was built from "
                            f"(bevis/{path.name} records another SHA-256, or none)")  # fmt: skip
    problems += [f"produksjon/kilde/ lacks {name}, which {ref} was built from"
                 for name in expected if name not in packed]  # fmt: skip
    return problems
