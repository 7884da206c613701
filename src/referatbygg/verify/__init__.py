"""Verification: the trust boundary. What decides "valid" for `verify`, `check-package`, and
before each further signature.

The verdict is built up from independent checks, each of which can only take validity away:

1. **Structure** (:mod:`.structure`): the file is read strictly — every revision ends where its
   cross-reference chain says, nothing follows the last one, no object body hides outside the
   cross-reference sections. A damaged or repaired file is not valid, whatever its signatures say.
2. **Readings** (:mod:`.readings`): a strict reader and a reader that rebuilds the
   cross-reference table by scanning (as viewers do) see the same pages.
3. **Every signature accounted for** (:mod:`.formfields`): every filled signature field, whatever
   its SubFilter, and every signature dictionary in any revision. Fields are expected to be the
   ones the document had as built, before its first signature — its signatories and the final
   timestamp; a field added later, even in a signature's own revision, is a problem (except
   document timestamps that renew the final one). No update adds objects nothing refers to
   (:mod:`.additions`).
4. **Each signature** (:mod:`.signature`): form and byte range, integrity, what its own revision
   changed besides the signature and what changed after it, trust and revocation — each with
   its own reason.
5. **The level promised** (B-LTA by default): reached by every signature.

Nothing here raises for a bad file: every finding is a sentence in the report.

May import: the foundations, meeting/ (to name files) and pdf/ (its signature fields and
hex-string reader) — never the code that produces signatures (signing/), so that what decides
"valid" stays small and separate.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509
from pyhanko.pdf_utils import generic

from ..errors import SigningError
from ..meeting.load import display
from ..pdf import hexstrings, xrefindex
from ..pdf.fields import TIMESTAMP_FIELD
from . import additions, formfields, identity, readings, structure, timeorder
from .formfields import SigField
from .signature import Evidence, SignatureReport, check
from .structure import plain

log = logging.getLogger(__name__)
hexstrings.install()  # signatures' /Contents read a block at a time
xrefindex.install()  # revision histories looked up, not walked: linear in revisions

Level = Literal["B-B", "B-T", "B-LT", "B-LTA"]
LEVELS = ("none", "B-B", "B-T", "B-LT", "B-LTA")


@dataclass
class VerifyReport:
    file: str
    valid: bool
    signatures: list[SignatureReport]
    unsigned: list[str]
    summary: str
    problems: list[str] = field(default_factory=list)  # about the document as a whole
    notes: list[str] = field(default_factory=list)
    level_required: str | None = None
    level: str = "none"  # the lowest level its signatures reach
    test_signatures: bool = False
    # Whom the signers were checked against: "who should sign" (given from outside the file)
    # or "the names the document printed" (when nobody said who should sign).
    signers_checked_against: str = "the names the document printed"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def verify(
    pdf: Path, roots: list[x509.Certificate], *, level: Level | None = "B-LTA",
    complete: bool = True, pins: dict[str, identity.Pin] | None = None,
    others: list[x509.Certificate] | None = None, signers: Mapping[str, str | None] | None = None,
) -> VerifyReport:  # fmt: skip
    """Verify ``pdf`` against ``roots``. ``complete``: every signatory must have signed and the
    signatures must reach ``level``; without it (before a further signature is added), only
    what is there is judged. ``signers``: who should sign each role, from outside the file (the
    meeting's signatories, the receiving archive's profile); without it, each signer is checked
    against the name the document printed when it was built, and the summary says so. ``pins``:
    who may sign for a role, from referatbygg.toml (they decide over a name). ``others``:
    intermediate certificates to build chains with, besides those the document carries. Never
    raises for a bad file."""
    report = VerifyReport(str(pdf), False, [], [], "", level_required=level if complete else None)
    if signers is not None:
        report.signers_checked_against = "who should sign"
    try:
        data = pdf.read_bytes()
    except OSError as exc:
        return _done(report, [f"not a readable file ({exc.strerror})"])
    found = structure.read(data)
    if not found.sound:
        return _done(report, [f"{found.verdict}: {p}" for p in found.problems])
    problems = [f"it shows different content to different readers: {p}"
                for p in readings.compare(data)]  # fmt: skip
    try:
        problems += _signatures(found, roots, report, complete, pins or {}, others or [], signers)
        out_of_order, claimed = timeorder.check(report.signatures)
        problems += out_of_order
        report.notes += claimed
    except Exception as exc:  # a bug or an unforeseen kind of damage: never a pass
        log.info("verification failed", exc_info=True)
        problems.append(f"the signatures cannot be checked ({plain(exc)})")
    shortfall = _level(report, level) if complete and level is not None else []
    return _done(report, problems, shortfall)


def _done(
    report: VerifyReport, problems: list[str], shortfall: list[str] | None = None
) -> VerifyReport:
    """The verdict: the document's problems, each signature's, then a level not reached (only
    when nothing else explains it)."""
    sig_problems = [f"{s.field_name}: {p}" for s in report.signatures for p in s.problems]
    if shortfall and not sig_problems:
        problems = problems + shortfall
    report.problems = problems
    report.valid = not problems and not sig_problems
    report.test_signatures = any("TEST" in s.signer for s in report.signatures)
    if report.valid:
        level = f"; PAdES {report.level}" if report.level != "none" else ""
        report.summary = (
            f"{len(report.signatures)} signature(s) and timestamp(s), all valid{level}"
            if report.signatures
            else "no signatures yet; the file's structure is sound"
        )
    else:
        report.summary = "NOT VALID: " + "; ".join(problems + sig_problems)
    if report.valid and report.signers_checked_against != "who should sign":
        signed = [f"{s.field_name} by {s.holder or s.signer}" for s in report.signatures
                  if s.kind == "signature"]  # fmt: skip
        if signed:
            report.summary += (
                f"; signed: {', '.join(signed)} — checked against the names the document printed "
                "when it was built, not against who should sign (not given)"
            )
    if report.test_signatures:
        report.summary += " (test certificates: not valid as real signatures)"
    return report


def _signatures(
    found: structure.Structure, roots: list[x509.Certificate], report: VerifyReport,
    complete: bool, pins: dict[str, identity.Pin], others: list[x509.Certificate],
    signers: Mapping[str, str | None] | None,
) -> list[str]:  # fmt: skip
    reader = found.reader
    assert reader is not None
    problems: list[str] = []
    form = formfields.collect(reader)
    problems += form.problems
    problems += additions.orphans(reader)
    certs, crls, ocsps, notes = _dss(reader)
    report.notes += notes
    ev = Evidence(found, roots, [*certs, *others], crls, ocsps)
    built = _as_built(found, form)
    ev.expected = {
        f.name: identity.Expected(
            f.name, (signers.get(f.name) if signers is not None else f.person) or "",
            pins.get(f.name), outside=signers is not None, printed=f.person,
        )
        for f in built.fields
        if f.name != TIMESTAMP_FIELD
    }  # fmt: skip
    revision_of = {ref: rev for rev, ref in found.signature_objects}
    filled = sorted(
        (f for f in form.fields if f.filled),
        key=lambda f: revision_of.get(f.value_ref, 1 << 30),  # type: ignore[arg-type]
    )
    kinds = {f.name: _kind(f) for f in filled}
    signatures = [f for f in filled if kinds[f.name] == "/Sig"]
    last = revision_of.get(signatures[-1].value_ref, -1) if signatures else -1  # type: ignore[arg-type]
    # Document timestamps first: a signature without its own timestamp may rest on one.
    for f in sorted(filled, key=lambda f: kinds[f.name] != "/DocTimeStamp"):
        mine = revision_of.get(f.value_ref, 1 << 30)  # type: ignore[arg-type]
        result = check(f, ev, signatures_follow=mine < last)
        report.signatures.append(result)
        if result.kind == "document timestamp" and result.valid and result.timestamp:
            ev.timestamps[(result.revision or 1) - 1] = _parse(result.timestamp)
    order = {f.name: i for i, f in enumerate(filled)}
    report.signatures.sort(key=lambda r: order[r.field_name])
    attached = {f.value_ref for f in filled}
    for rev, ref in found.signature_objects:
        if ref not in attached:
            problems.append(
                f"a signature made in revision {rev + 1} (object {ref.idnum}) is no longer "
                "attached to any signature field: it was removed or replaced"
            )
    problems += _accounting(built, form, filled, kinds, report, complete)
    return problems


def _kind(f: SigField) -> str:
    try:
        value = f.value.get_object()
        if not isinstance(value, generic.DictionaryObject):
            return ""
        return str(formfields.get(value, "/Type", "/Sig"))
    except Exception:
        return ""


def _accounting(
    built: formfields.Form, form: formfields.Form, filled: list[SigField],
    kinds: dict[str, str], report: VerifyReport, complete: bool,
) -> list[str]:  # fmt: skip
    """The fields the document had as ``built`` are its signatories and its final timestamp;
    nothing else may appear, nothing may go."""
    problems: list[str] = []
    original = built.names()
    roles = [n for n in original if n != TIMESTAMP_FIELD]
    by_name = {f.name: f for f in form.fields}
    for name in form.names():
        if name in original:
            continue
        # A document timestamp added later — after a signature made elsewhere without one, or
        # renewing the final timestamp — changes nothing one can see: allowed when invisible.
        timestamp = kinds.get(name) == "/DocTimeStamp" and _invisible(by_name[name].field)
        if not timestamp:
            problems.append(
                f"the signature field '{name}' was added after the document was built; "
                f"it is not one of its signatories ({', '.join(roles) or 'none'}) or an "
                "(invisible) document timestamp"
            )
    for name in original:
        if name not in form.names():
            problems.append(f"the signature field '{name}' was removed")
    for f in filled:
        if f.name in roles and kinds[f.name] != "/Sig":
            problems.append(f"the field '{f.name}' holds a document timestamp, not a signature")
        if f.name == TIMESTAMP_FIELD and kinds[f.name] != "/DocTimeStamp":
            problems.append(f"the field '{f.name}' holds a signature, not a document timestamp")
    signed = {f.name for f in filled}
    report.unsigned = [role for role in roles if role not in signed]
    if complete:
        problems += [f"{role}: not signed" for role in report.unsigned]
        if not filled:
            problems.append("the document has no signatures")
    return problems


def _invisible(field: Any) -> bool:
    """A widget with no area (pyHanko's document timestamp fields)."""
    try:
        x1, y1, x2, y2 = (float(v) for v in formfields.get(field, "/Rect", [0, 0, 0, 0]))
    except (TypeError, ValueError):
        return False
    return abs(x2 - x1) < 0.01 or abs(y2 - y1) < 0.01


def _as_built(found: structure.Structure, form: formfields.Form) -> formfields.Form:
    """The signature fields as the document was built: the revision before its first signature.
    Nothing a signer wrote is in it — not even the first signer's own revision, which could add
    a field or rename a signatory as well as sign."""
    reader = found.reader
    assert reader is not None
    if not found.signature_objects:
        return form
    first = min(rev for rev, _ in found.signature_objects)
    return formfields.collect(reader.get_historical_resolver(max(first - 1, 0)))


def _level(report: VerifyReport, required: Level) -> list[str]:
    """Every signatory's signature must reach ``required``; say what is missing."""
    signatures = [s for s in report.signatures if s.kind == "signature"]
    if not signatures:
        return []
    reached = min((s.pades_level for s in signatures), key=LEVELS.index)
    report.level = reached
    if LEVELS.index(reached) >= LEVELS.index(required):
        return []
    weakest = next(s for s in signatures if s.pades_level == reached)
    why = {
        "B-B": f"{weakest.field_name}'s signature has no timestamp",
        "B-T": f"{weakest.field_name}'s signature cannot be validated from the embedded data "
        f"alone: {weakest.revocation}",
        "B-LT": "the final document timestamp is missing",
    }.get(reached, f"{weakest.field_name}'s signature is not valid")
    return [f"PAdES {required} is required, the signatures reach {reached}: {why}"]


def _dss(reader: Any) -> tuple[list[Any], list[Any], list[Any], list[str]]:
    """Certificates, CRLs and OCSP responses from the DSS; damaged entries are left out and
    named."""
    certs: list[Any] = []
    crls: list[Any] = []
    ocsps: list[Any] = []
    notes: list[str] = []
    dss = reader.root.get("/DSS")
    dss = dss.get_object() if dss is not None else None
    if not isinstance(dss, generic.DictionaryObject):
        return certs, crls, ocsps, notes
    loaders: tuple[tuple[str, Any, list[Any], str], ...] = (
        ("/Certs", x509.Certificate.load, certs, "certificate"),
        ("/CRLs", asn1_crl.CertificateList.load, crls, "CRL"),
        ("/OCSPs", asn1_ocsp.OCSPResponse.load, ocsps, "OCSP response"),
    )
    for key, load, into, what in loaders:
        entries = dss.get(key)
        for entry in entries if isinstance(entries, generic.ArrayObject) else ():
            try:
                item = load(entry.get_object().data)
                item.native  # noqa: B018 - parse it all now, not deep inside validation
                into.append(item)
            except Exception as exc:
                notes.append(f"the validation data (DSS) holds a damaged {what} ({plain(exc)})")
    return certs, crls, ocsps, notes


def _parse(iso: str) -> Any:
    import datetime as dt

    return dt.datetime.fromisoformat(iso)


def require_untouched(
    pdf: Path, roots: list[x509.Certificate], pins: dict[str, identity.Pin] | None = None,
    others: list[x509.Certificate] | None = None, signers: Mapping[str, str | None] | None = None,
) -> None:  # fmt: skip
    """Before adding a signature: the file is sound and every signature in it is valid, with
    nothing after it but further signatures, validation data and timestamps.

    Skipped only for bytes this very process wrote by appending to bytes it had checked
    here (``run`` signing twice and timestamping: the second check would re-read what the first
    approved plus what pyHanko just appended for us). Anything else — a file from disk, from a
    signatory, from an earlier command — is checked in full; and ``archive`` always verifies
    everything, whatever happened before."""
    before = _digest(pdf)
    if (str(pdf.resolve()), before) in _VOUCHED:
        return
    report = verify(pdf, roots, level=None, complete=False, pins=pins, others=others,
                    signers=signers)  # fmt: skip
    if not report.valid:
        raise SigningError(
            f"{display(pdf)} was modified or damaged after it was signed; refusing to sign it: "
            + report.summary.removeprefix("NOT VALID: "),
            hint="get the file back as the last signatory sent it, or rebuild and sign again",
        )
    if _digest(pdf) == before:  # the bytes checked are the bytes hashed
        _vouch(str(pdf.resolve()), before)


_VOUCHED: set[tuple[str, str]] = set()  # (file, SHA-256) checked or made from checked bytes here


def _vouch(key: str, digest: str) -> None:
    # Bounded for a long-lived process (a batch worker, the service's workers): a file that is
    # no longer vouched for is verified again before it is signed — slower, never less safe.
    if len(_VOUCHED) >= 1000:
        _VOUCHED.clear()
    _VOUCHED.add((key, digest))


def _digest(pdf: Path) -> str:
    import hashlib

    return hashlib.sha256(pdf.read_bytes()).hexdigest()


def extended(pdf: Path, original: bytes, new: bytes) -> None:
    """Record that this process wrote ``new`` to ``pdf`` by appending to ``original``: vouched
    for if ``original`` was."""
    import hashlib

    key = str(pdf.resolve())
    if (key, hashlib.sha256(original).hexdigest()) in _VOUCHED:
        _vouch(key, hashlib.sha256(new).hexdigest())


__all__ = ["SignatureReport", "VerifyReport", "extended", "require_untouched", "verify"]
