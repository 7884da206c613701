"""Signature verification report: per signature and document timestamp, with pyHanko.

For each signature: signer, field (role), claimed signing time and timestamp, chain status against
the configured trust roots, what changed after it (pyHanko's difference analysis), PAdES level,
and whether it validates from the embedded data alone (long-term: no network, revocation data from
the DSS, the chain checked at the time the signature timestamp proves). The document is valid only
when every signatory field is signed, every signature and timestamp is valid, and nothing but
further signatures, validation data and timestamps follows a signature.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.status import SignatureCoverageLevel

from .errors import SigningError, ValidationError
from .load import display

log = logging.getLogger(__name__)

CHANGES = {
    ModificationLevel.NONE: "nothing",
    ModificationLevel.LTA_UPDATES: "only validation data and timestamps",
    ModificationLevel.FORM_FILLING: "further signatures or form filling",
    ModificationLevel.ANNOTATIONS: "annotations added or changed",
    ModificationLevel.OTHER: "other changes (content, pages or structure)",
}


@dataclass
class SignatureReport:
    field_name: str
    kind: str  # "signature" or "document timestamp"
    signer: str
    signing_time: str | None
    timestamp: str | None
    intact: bool
    cryptographically_valid: bool
    trusted: bool
    revoked: bool
    coverage: str
    changed_after: str
    docmdp_ok: bool | None
    pades_level: str
    long_term: bool | None
    valid: bool
    problems: list[str] = field(default_factory=list)


@dataclass
class VerifyReport:
    file: str
    valid: bool
    signatures: list[SignatureReport]
    unsigned: list[str]
    summary: str
    test_signatures: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def allowed_after(last: bool) -> ModificationLevel:
    """What may follow a signature: after the last one only validation data and timestamps;
    after an earlier one also the further signatures (form filling of signature fields)."""
    return ModificationLevel.LTA_UPDATES if last else ModificationLevel.FORM_FILLING


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _coverage(level: SignatureCoverageLevel | None) -> str:
    return {
        SignatureCoverageLevel.ENTIRE_FILE: "the whole document",
        SignatureCoverageLevel.ENTIRE_REVISION: "its revision (later updates follow)",
    }.get(level, "unclear: the signed byte range does not cover a whole revision")  # type: ignore[arg-type]


def _contexts(reader: PdfFileReader, roots: list[Any], *, moment: dt.datetime | None = None) -> Any:
    """A validation context from the embedded DSS only: no fetching."""
    kwargs: dict[str, Any] = {
        "trust_roots": roots,
        "allow_fetching": False,
        "revocation_mode": "hard-fail",
    }
    if moment is not None:
        kwargs["moment"] = moment
        kwargs["retroactive_revinfo"] = True
    try:
        return DocumentSecurityStore.read_dss(reader).as_validation_context(kwargs)
    except Exception:  # no DSS
        from pyhanko_certvalidator import ValidationContext

        return ValidationContext(**kwargs)


def verify(pdf: Path, roots: list[Any], *, online_context: Any = None) -> VerifyReport:
    """Verify every signature in ``pdf`` against ``roots``; never raises for a bad signature."""
    from pypdf import PdfReader

    from .fields import signature_fields

    try:
        unsigned = [f.role for f in signature_fields(PdfReader(pdf)) if not f.signed]
        fh = pdf.open("rb")
    except Exception as exc:
        raise ValidationError(f"{display(pdf)}: not a readable PDF ({exc})") from None
    reports: list[SignatureReport] = []
    with fh:
        reader = PdfFileReader(fh, strict=False)
        embedded = reader.embedded_signatures
        has_doc_ts = any(s.sig_object_type == "/DocTimeStamp" for s in embedded)
        for index, sig in enumerate(embedded):
            last = index == len(embedded) - 1
            try:
                reports.append(_one(reader, sig, roots, online_context, last, has_doc_ts))
            except Exception as exc:  # a damaged signature is a finding, not a crash
                reports.append(
                    SignatureReport(
                        field_name=str(sig.field_name), kind="signature", signer="?",
                        signing_time=None, timestamp=None, intact=False,
                        cryptographically_valid=False, trusted=False, revoked=False,
                        coverage="?", changed_after="?", docmdp_ok=None, pades_level="?",
                        long_term=None, valid=False,
                        problems=[f"cannot be validated: {type(exc).__name__}: {exc}"],
                    )
                )  # fmt: skip
    problems = [f"{r.field_name}: {p}" for r in reports for p in r.problems]
    problems += [f"{role}: not signed" for role in unsigned]
    if not reports:
        problems.append("the document has no signatures")
    valid = not problems
    test = any("TEST" in r.signer for r in reports)
    summary = (
        f"{len(reports)} signature(s) and timestamp(s), all valid"
        if valid
        else f"NOT VALID: {'; '.join(problems)}"
    )
    if test:
        summary += " (test certificates: not valid as real signatures)"
    return VerifyReport(str(pdf), valid, reports, unsigned, summary, test)


def _one(
    reader: PdfFileReader, sig: Any, roots: list[Any], online: Any, last: bool, has_doc_ts: bool
) -> SignatureReport:
    ctx = online or _contexts(reader, roots)
    problems: list[str] = []
    status: Any
    signing_time: dt.datetime | None = None
    ts_time: dt.datetime | None = None
    long_term: bool | None = None
    if sig.sig_object_type == "/DocTimeStamp":
        status = validate_pdf_timestamp(sig, validation_context=ctx)
        kind, signer = "document timestamp", status.signing_cert.subject.human_friendly
        ts_time = status.timestamp
        pades = "document timestamp (PAdES B-LTA)"
    else:
        status = validate_pdf_signature(sig, ctx, ctx)
        kind, signer = "signature", status.signing_cert.subject.human_friendly
        signing_time = status.signer_reported_dt
        ts = status.timestamp_validity
        ts_time = ts.timestamp if ts else None
        if ts is None:
            problems.append("no signature timestamp (PAdES B-T requires one)")
        elif not (ts.intact and ts.valid and ts.trusted):
            problems.append("the signature timestamp is not valid or not trusted")
        dss = "/DSS" in reader.root
        pades = "B-LTA" if has_doc_ts and dss else "B-LT" if dss else "B-T" if ts else "B-B"
        if ts_time is not None:
            lt_status = validate_pdf_signature(
                sig, _contexts(reader, roots, moment=ts_time), _contexts(reader, roots)
            )
            long_term = bool(lt_status.intact and lt_status.valid and lt_status.trusted)
            if not long_term:
                problems.append("does not validate from the embedded data alone (long-term)")
    if not status.intact:
        problems.append("the signed content was changed (digest mismatch)")
    elif not status.valid:
        problems.append("the signature value is not valid")
    if status.revoked:
        problems.append("the certificate has been revoked")
    elif not status.trusted:
        problems.append("the certificate does not chain to a trusted root")
    level = status.modification_level
    changed = CHANGES.get(level, "unknown") if level is not None else "unknown"
    if level is None or level > allowed_after(last):
        problems.append(f"changed after signing: {changed}")
    if getattr(status, "docmdp_ok", True) is False:
        problems.append("the changes after it break the certification (DocMDP) rules")
    return SignatureReport(
        field_name=str(sig.field_name),
        kind=kind,
        signer=signer,
        signing_time=_iso(signing_time),
        timestamp=_iso(ts_time),
        intact=bool(status.intact),
        cryptographically_valid=bool(status.valid),
        trusted=bool(status.trusted),
        revoked=bool(status.revoked),
        coverage=_coverage(status.coverage),
        changed_after=changed,
        docmdp_ok=status.docmdp_ok,
        pades_level=pades,
        long_term=long_term,
        valid=not problems,
        problems=problems,
    )


def require_untouched(pdf: Path, trust: Any) -> None:
    """Before signing: every existing signature intact, and nothing but allowed updates after it."""
    with pdf.open("rb") as fh:
        reader = PdfFileReader(fh, strict=False)
        for index, sig in enumerate(reader.embedded_signatures):
            status = validate_pdf_signature(sig, trust.context, trust.context)
            last = index == len(reader.embedded_signatures) - 1
            level = status.modification_level
            if not status.intact or not status.valid:
                raise SigningError(
                    f"{display(pdf)}: the signature in '{sig.field_name}' is broken; "
                    "the file was changed after it was signed"
                )
            if level is None or level > allowed_after(last) or status.docmdp_ok is False:
                raise SigningError(
                    f"{display(pdf)} was modified after '{sig.field_name}' signed it "
                    f"({CHANGES.get(level, 'unknown') if level is not None else 'unknown'}); "
                    "refusing to sign a modified file"
                )


__all__ = ["VerifyReport", "require_untouched", "verify"]
