"""One signature or document timestamp, judged on its own.

Four questions, answered separately so that one failing never hides the others:

* **Form** — is the signature dictionary what a signature must be (its own object, a supported
  SubFilter, a CMS value that is not a placeholder), and does its /ByteRange leave out exactly its
  own /Contents and end where its revision ends? (The byte-range checks are what signature
  wrapping and universal-forgery attacks aim at.)
* **Integrity** — does the digest match, is the signature value valid for the certificate, and
  what changed after it (pyHanko's difference analysis, with form filling limited to signature
  fields, plus the changes :mod:`.changes` names)?
* **Trust** — does the certificate chain to a configured root, at the time the timestamp proves?
* **Revocation** — does the revocation data embedded in the document show the chain was not
  revoked at that time (long-term validation, no network)?
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import asdict, dataclass, field
from typing import Any

from asn1crypto import cms, x509
from pyhanko.pdf_utils import generic
from pyhanko.sign.diff_analysis import (
    ModificationLevel,
)
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator import errors as cv

from . import additions, changes, identity
from .formfields import SigField, get
from .policies import DIFF_POLICY
from .structure import Structure, plain

log = logging.getLogger(__name__)

SIGNATURE_SUBFILTERS = ("/adbe.pkcs7.detached", "/ETSI.CAdES.detached")
TIMESTAMP_SUBFILTERS = ("/ETSI.RFC3161",)
LTA = ModificationLevel.LTA_UPDATES


PERMITS = {1: "no changes", 2: "only form filling and signatures", 3: "only form filling, "
           "signatures and annotations"}  # fmt: skip
CHANGES = {
    ModificationLevel.NONE: "nothing",
    ModificationLevel.LTA_UPDATES: "only validation data and timestamps",
    ModificationLevel.FORM_FILLING: "further signatures",
    ModificationLevel.ANNOTATIONS: "annotations added or changed",
    ModificationLevel.OTHER: "other changes (content, pages or structure)",
}


@dataclass
class SignatureReport:
    field_name: str
    kind: str  # "signature" or "document timestamp"
    revision: int | None = None  # 1-based: the revision this signature closes
    signer: str = "?"
    holder: str = ""  # the certificate holder's name, as compared with who should sign
    named: str = ""  # the name the signature block printed when the document was built
    issuer: str = ""  # who issued the signer's certificate (its issuer's common name)
    # Norwegian assurance level by the certificate's policy (Fiks Arkiv's
    # elektroniskSignaturSikkerhetsnivaa): PH person høy, PS person standard, V enterprise
    # certificate; "" when the certificate does not say.
    assurance: str = ""
    signing_time: str | None = None  # claimed by the signer
    timestamp: str | None = None  # proved by a timestamp authority
    intact: bool = False
    cryptographically_valid: bool = False
    trusted: bool = False
    trust: str = "not checked"
    revoked: bool = False
    revocation: str = "not checked"
    coverage: str = "not checked"
    changed_after: str = "not checked"
    changes: list[str] = field(default_factory=list)
    docmdp_ok: bool | None = None
    pades_level: str = "none"
    long_term: bool | None = None
    valid: bool = False
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Evidence:
    """What every signature of one document is judged with."""

    structure: Structure
    roots: list[x509.Certificate]
    dss_certs: list[x509.Certificate]
    crls: list[Any]
    ocsps: list[Any]
    timestamps: dict[int, dt.datetime] = field(default_factory=dict)  # revision → valid doc TS
    expected: dict[str, identity.Expected] = field(default_factory=dict)  # by field name


def allowed_after(signatures_follow: bool) -> ModificationLevel:
    """What may follow a signature or timestamp: the further signatures while some follow it
    (filling signature fields); after the last signatory's, validation data and timestamps."""
    return ModificationLevel.FORM_FILLING if signatures_follow else LTA


def check(sig: SigField, ev: Evidence, *, signatures_follow: bool) -> SignatureReport:
    """Judge one filled signature field. Never raises: what cannot be checked is a problem."""
    report = SignatureReport(sig.name, "signature")
    sig_obj = _form(sig, ev, report)
    if sig_obj is None:
        return _finish(report)
    embedded = _embedded(sig, ev, report)
    if embedded is None:
        return _finish(report)
    if report.kind == "document timestamp":
        _timestamp(embedded, ev, report, signatures_follow)
    else:
        _signature(embedded, ev, report, signatures_follow)
    return _finish(report)


def _finish(report: SignatureReport) -> SignatureReport:
    report.valid = not report.problems
    return report


# --- form: what the signature dictionary and its byte range look like -------------------------


def _form(sig: SigField, ev: Evidence, report: SignatureReport) -> generic.DictionaryObject | None:
    ref = sig.value_ref
    if ref is None:
        report.problems.append(
            "its signature value is written into the field instead of being an object of its "
            "own, so where it sits in the file cannot be checked"
        )
        return None
    obj = sig.value.get_object()
    if not isinstance(obj, generic.DictionaryObject):
        report.problems.append("its value is not a signature dictionary")
        return None
    kind = get(obj, "/Type", "/Sig")
    if kind not in ("/Sig", "/DocTimeStamp"):
        report.problems.append(f"its value has /Type {kind}, which is not a signature")
        return None
    report.kind = "document timestamp" if kind == "/DocTimeStamp" else "signature"
    revisions = [rev for rev, r in ev.structure.signature_objects if r == ref]
    if len(revisions) != 1:
        report.problems.append(
            "its signature dictionary is redefined in a later revision"
            if revisions
            else "its signature dictionary is not one the file's revisions define"
        )
        return None
    report.revision = revisions[0] + 1
    subfilter = get(obj, "/SubFilter")
    allowed = TIMESTAMP_SUBFILTERS if kind == "/DocTimeStamp" else SIGNATURE_SUBFILTERS
    if subfilter not in allowed:
        report.problems.append(
            f"its /SubFilter is {subfilter or 'missing'}; only {', '.join(allowed)} can be "
            f"validated for a {report.kind}, so it cannot be checked"
        )
        return None
    if not _contents_ok(obj, report) or not _byte_range_ok(obj, ref, revisions[0], ev, report):
        return None
    return obj


def _contents_ok(obj: generic.DictionaryObject, report: SignatureReport) -> bool:
    raw = obj.raw_get("/Contents") if "/Contents" in obj else None
    if not isinstance(raw, generic.ByteStringObject | generic.TextStringObject):
        report.problems.append("its signature value (/Contents) is missing or not a string")
        return False
    value = raw.original_bytes
    if not value.strip(b"\x00"):
        report.problems.append(
            "its signature value (/Contents) is empty or all zeros: a placeholder never signed"
        )
        return False
    try:
        content = cms.ContentInfo.load(value)
        signed = content["content"]
        if content["content_type"].native != "signed_data" or not len(signed["signer_infos"]):
            raise ValueError("not CMS signed data")
    except Exception as exc:
        log.info("%s: CMS does not parse: %s", report.field_name, exc)
        report.problems.append("its signature value (/Contents) is not a CMS signature")
        return False
    return True


def _byte_range_ok(
    obj: generic.DictionaryObject, ref: generic.Reference, revision: int, ev: Evidence,
    report: SignatureReport,
) -> bool:  # fmt: skip
    data = ev.structure.data
    raw = obj.raw_get("/ByteRange") if "/ByteRange" in obj else None
    numbers = list(raw) if isinstance(raw, generic.ArrayObject) else []
    if len(numbers) != 4 or not all(
        isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in numbers
    ):
        report.problems.append("its /ByteRange is missing or malformed")
        return False
    start, length1, start2, length2 = (int(n) for n in numbers)
    gap = data[length1:start2]
    inside = ev.structure.extents.get(ref)
    rev = ev.structure.revisions[revision]
    eof = data.rfind(b"%%EOF", rev.start, rev.end) + 5
    wrapped = (
        start != 0
        or length1 <= 0
        or start2 <= length1
        or not (gap.startswith(b"<") and gap.endswith(b">"))
        or gap[1:-1].strip(b"0123456789abcdefABCDEF")
        or inside is None
        or not inside[0] < length1 < start2 < inside[1]
        or bytes.fromhex(gap[1:-1].decode()) != obj.raw_get("/Contents").original_bytes
    )
    if wrapped:
        report.problems.append(
            "its /ByteRange does not leave out exactly its own signature value: bytes outside "
            "the signature are unsigned (signature wrapping)"
        )
        return False
    if not eof <= start2 + length2 <= rev.end:
        report.problems.append(
            f"its /ByteRange ends at byte {start2 + length2}, not where its revision "
            f"{rev.number} ends (byte {rev.end}): it does not cover a whole revision"
        )
        return False
    return True


# --- integrity, with pyHanko -------------------------------------------------------------------


def _embedded(sig: SigField, ev: Evidence, report: SignatureReport) -> EmbeddedPdfSignature | None:
    reader = ev.structure.reader
    assert reader is not None
    try:
        return EmbeddedPdfSignature(reader, sig.field, sig.name)
    except Exception as exc:
        log.info("%s: pyHanko cannot read the signature", sig.name, exc_info=True)
        report.problems.append(f"the signature cannot be read ({plain(exc)})")
        return None


def _context(ev: Evidence, *, revocation: bool, moment: dt.datetime | None = None) -> Any:
    """Validation from the embedded data only: no fetching. Without ``revocation``, chain and
    validity period only; with it, the DSS's revocation data must cover the chain."""
    kwargs: dict[str, Any] = {
        "trust_roots": ev.roots,
        "other_certs": ev.dss_certs,
        "allow_fetching": False,
        "crls": ev.crls if revocation else [],
        "ocsps": ev.ocsps if revocation else [],
        "revocation_mode": "hard-fail" if revocation else "soft-fail",
    }
    if moment is not None:
        kwargs.update(moment=moment, retroactive_revinfo=True)
    return ValidationContext(**kwargs)


def _integrity(
    status: Any, report: SignatureReport, allowed: ModificationLevel, certifying: Any
) -> None:
    report.intact, report.cryptographically_valid = bool(status.intact), bool(status.valid)
    if not status.intact:
        report.problems.append("the signed content was changed (digest mismatch)")
    elif not status.valid:
        report.problems.append("the signature value does not match the signed data")
    coverage = status.coverage
    report.coverage = {
        SignatureCoverageLevel.ENTIRE_FILE: "the whole document",
        SignatureCoverageLevel.ENTIRE_REVISION: "its revision (later updates follow)",
    }.get(coverage, "not a whole revision")
    if coverage not in (SignatureCoverageLevel.ENTIRE_FILE, SignatureCoverageLevel.ENTIRE_REVISION):
        report.problems.append("it does not cover a whole revision of the document")
    level = status.modification_level
    if status.diff_result is not None and not hasattr(status.diff_result, "modification_level"):
        log.info("%s: pyHanko's difference analysis: %s", report.field_name, status.diff_result)
    report.changed_after = CHANGES.get(level, "unknown") if level is not None else "unknown"
    if level is None or level > allowed:
        report.problems.append(f"changed after signing: {report.changed_after}")
    report.docmdp_ok = status.docmdp_ok
    if status.docmdp_ok is False and certifying is not None:
        report.problems.append(
            f"the changes after it break its certification (DocMDP {certifying.name}: "
            f"{PERMITS.get(certifying.value, 'no changes')} allowed)"
        )


def _named_changes(ev: Evidence, report: SignatureReport) -> None:
    """What its own revision changed besides the signature, then what changed after it."""
    assert ev.structure.reader is not None and report.revision is not None
    own = additions.own_revision(ev.structure.reader, report.revision - 1)
    named = changes.since(ev.structure.reader, report.revision - 1)
    report.changes = own.problems + named.problems + own.notes + named.notes
    report.problems += own.problems + named.problems
    report.notes += own.notes + named.notes


def _signature(
    embedded: EmbeddedPdfSignature, ev: Evidence, report: SignatureReport, follow: bool
) -> None:
    ctx = _context(ev, revocation=False)
    status = _validated(report, lambda: validate_pdf_signature(embedded, ctx, ctx, DIFF_POLICY))
    if status is None:
        return
    report.signer = status.signing_cert.subject.human_friendly
    report.holder = identity.holder(status.signing_cert)
    report.issuer = identity.issuer(status.signing_cert)
    report.assurance = identity.assurance(status.signing_cert)
    report.signing_time = _iso(status.signer_reported_dt)
    _identity(status.signing_cert, ev, report)
    _integrity(status, report, allowed_after(follow), embedded.docmdp_level)
    _named_changes(ev, report)
    ts = status.timestamp_validity
    moment = None
    if ts is not None and ts.intact and ts.valid and ts.trusted:
        moment = ts.timestamp
        report.timestamp = _iso(moment)
    elif ts is not None:
        report.problems.append(
            "its signature timestamp does not match the signature (digest mismatch)"
            if not ts.intact
            else "its signature timestamp's own signature is not valid"
            if not ts.valid
            else "its signature timestamp comes from an authority (TSA) that is not trusted"
        )
    else:
        later = [t for rev, t in sorted(ev.timestamps.items()) if rev + 1 > (report.revision or 0)]
        if later:  # PAdES B-T by a document timestamp over it (ETSI EN 319 142-1, 5.4)
            moment = later[0]
            report.notes.append("timestamped by the document timestamp that follows it")
    constraint = _constraint(status)
    if constraint:
        report.problems.append(constraint)
    _trust_and_revocation(embedded, ev, report, moment)
    report.pades_level = _level(report, moment, ev)


WEAK_DIGESTS = {"md5": "MD5", "sha1": "SHA-1"}


def _constraint(status: Any) -> str | None:
    """The constraint a signature breaks, named for what it is: a weak algorithm or key is not
    a key-usage problem, and the signatory's helpdesk needs to know which one it is."""
    indication = str(status.trust_problem_indic or "")
    if "CRYPTO_CONSTRAINTS" in indication:
        weak = []
        digest = str(getattr(status, "md_algorithm", "") or "").lower()
        if digest in WEAK_DIGESTS:
            weak.append(f"the digest algorithm {WEAK_DIGESTS[digest]}")
        key = status.signing_cert.public_key
        if key.algorithm == "rsa" and key.bit_size < 2048:
            weak.append(f"an RSA key of {key.bit_size} bits")
        what = " and ".join(weak) or "an algorithm or key size in its certificate chain"
        return (f"it uses {what}, too weak to be trusted; sign again with SHA-256 and a "
                "current certificate")  # fmt: skip
    if "CHAIN_CONSTRAINTS" in indication:
        return (
            "the certificate may not be used for signing (key usage or a constraint of its chain)"
        )
    if "CONSTRAINTS" in indication:
        return f"the signature breaks the validation policy's constraints ({indication})"
    return None


def _validated(report: SignatureReport, validate: Any) -> Any:
    """pyHanko's validation, or None with the reason recorded (detail under --verbose)."""
    try:
        return validate()
    except Exception as exc:
        log.info("%s: validation failed", report.field_name, exc_info=True)
        report.problems.append(f"the {report.kind} cannot be validated ({plain(exc)})")
        return None


def _identity(cert: Any, ev: Evidence, report: SignatureReport) -> None:
    """The signer is who should sign (or the role's pin)."""
    expected = ev.expected.get(report.field_name)
    if expected is None:
        return
    report.named = expected.printed
    wrong = identity.problem(expected, cert)
    if wrong:
        report.problems.append(wrong)
    elif not expected.name and expected.pin is None:
        nobody = (
            "nobody is named as who should sign"
            if expected.outside
            else ("the signature block names no one for this role")
        )
        report.notes.append(f"{nobody} and nothing is pinned: who signed is not checked")


def _timestamp(
    embedded: EmbeddedPdfSignature, ev: Evidence, report: SignatureReport, follow: bool
) -> None:
    ctx = _context(ev, revocation=False)
    status = _validated(report, lambda: validate_pdf_timestamp(embedded, ctx, DIFF_POLICY))
    if status is None:
        return
    report.signer = status.signing_cert.subject.human_friendly
    report.timestamp = _iso(status.timestamp)
    _integrity(status, report, allowed_after(follow), None)
    _named_changes(ev, report)
    _trust_and_revocation(embedded, ev, report, status.timestamp)
    report.pades_level = "document timestamp"


def _trust_and_revocation(
    embedded: EmbeddedPdfSignature, ev: Evidence, report: SignatureReport, moment: Any
) -> None:
    """Trust (chain and validity at ``moment``) and revocation (from the embedded data at
    ``moment``), each with its own reason."""
    cert = embedded.signer_cert
    chain = list(embedded.other_embedded_certs)
    when = f" at {moment:%Y-%m-%d %H:%M} UTC" if moment else " now"
    try:
        _validate(cert, chain, _context(ev, revocation=False, moment=moment))
    except Exception as exc:
        report.trust = _trust_reason(exc, when)
        report.problems.append(report.trust)
        report.revocation = "not checked (the certificate is not trusted)"
        report.long_term = False
        return
    report.trusted = True
    report.trust = f"chains to a trusted root{when}"
    if not (ev.crls or ev.ocsps):
        report.revocation = (
            "no revocation data is embedded: whether the certificate was revoked cannot be "
            "checked from the document alone (PAdES B-LT embeds it)"
        )
        report.long_term = False
        return
    try:
        _validate(cert, chain, _context(ev, revocation=True, moment=moment))
    except cv.RevokedError as exc:
        report.revoked, report.long_term = True, False
        report.revocation = f"the certificate was revoked ({plain(exc)})"
        report.problems.append(report.revocation)
        return
    except Exception as exc:
        log.info("%s: revocation check failed", report.field_name, exc_info=True)
        report.long_term = False
        report.revocation = (
            "the embedded revocation data does not show that the certificate was not revoked"
            f"{when}: it is missing for this certificate, damaged or out of date ({plain(exc)})"
        )
        return
    report.long_term = True
    report.revocation = f"not revoked{when} (from the revocation data embedded in the document)"


def _validate(cert: x509.Certificate, chain: list[x509.Certificate], ctx: Any) -> None:
    validator = CertificateValidator(cert, intermediate_certs=chain, validation_context=ctx)
    asyncio.run(validator.async_validate_path())


def _trust_reason(exc: Exception, when: str) -> str:
    if isinstance(exc, cv.PathBuildingError):
        return "the certificate does not chain to a trusted root"
    if isinstance(exc, cv.ExpiredError):
        return f"the certificate had expired{when}"
    if isinstance(exc, cv.NotYetValidError):
        return f"the certificate was not yet valid{when}"
    if isinstance(exc, cv.RevokedError):
        return "the certificate was revoked"
    if "could not be verified" in str(exc):
        # Path building matched a trusted root by name, but the signature on the chain does not
        # verify with its key: a look-alike root, not the configured one.
        return (
            "the certificate does not chain to a trusted root: it names a trusted issuer, but "
            "that issuer's key did not sign it"
        )
    return f"the certificate chain is not valid ({plain(exc)})"


def _level(report: SignatureReport, moment: Any, ev: Evidence) -> str:
    if report.problems:
        return "none"
    if moment is None:
        return "B-B"
    if not report.long_term:
        return "B-T"
    archived = any(rev + 1 > (report.revision or 0) for rev in ev.timestamps)
    return "B-LTA" if archived and "/DSS" in ev.structure.reader.root else "B-LT"  # type: ignore[union-attr]


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None
