"""PAdES signatures with pyHanko, kept PDF/A: one signatory at a time, then the final timestamp.

Each ``sign`` call appends one incremental update into the signatory's own field: B-T (signature
timestamp), B-LT (plus the validation data in the DSS); B-LTA adds one document timestamp after the
last signatory (:func:`timestamp`) — once per document, not per signature. What keeps the file
PDF/A while pyHanko writes is in :mod:`.pdfasafe`; who signs with what, in :mod:`.credentials`;
what decides whether the file may be signed at all, in :mod:`.verify` (the same verdict as
`verify`).
"""

from __future__ import annotations

import asyncio
import getpass
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asn1crypto import x509 as asn1_x509
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields as sigfields
from pyhanko.sign import signers, timestamps
from pyhanko.sign.signers.pdf_signer import PdfTimeStamper
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator import errors as cv_errors
from pyhanko_certvalidator.registry import SimpleCertificateStore

from ..build.report import require_validated
from ..config import Config
from ..document import lang
from ..errors import InputError, SigningError
from ..fsutil import atomic_path, clean_parts, locked
from ..meeting.load import display
from ..pdf import hexstrings
from ..pdf.fields import TIMESTAMP_FIELD, SigField, signature_fields
from . import ledger, sharedtrust
from .credentials import Credentials, certs, credentials, demo_credentials
from .demopki import DemoPki, default_dir
from .pdfasafe import ArchivalPdfSigner, metadata_frozen, stamp_style

log = logging.getLogger(__name__)
hexstrings.install()  # signatures' /Contents read a block at a time

__all__ = ["Credentials", "credentials", "demo_credentials", "metadata_frozen", "sign", "timestamp"]


# --- trust, timestamps ---------------------------------------------------------------------------


@dataclass
class Trust:
    """What signing and verifying trust: roots, the validation context, the timestamper."""

    roots: list[asn1_x509.Certificate]
    context: ValidationContext
    timestamper: timestamps.TimeStamper
    demo: bool
    others: list[asn1_x509.Certificate] = field(default_factory=list)  # intermediates


# Revocation data and certificates fetched for one signature serve the next ones in this process
# (a batch signs many meetings by the same people), and pyHanko's timestamper keeps the dummy
# response it sizes signatures with. Kept for a limited time, so that revocation data stays fresh.
TRUST_TTL = float(os.environ.get("REFERATBYGG_TRUST_TTL", "600"))
_TRUST_CACHE: dict[str, tuple[float, Trust]] = {}


def trust(config: Config, pki: DemoPki | None = None) -> Trust:
    """Trust for ``config``: the same object for up to TRUST_TTL seconds in one process."""
    import time

    key = config.model_dump_json() + str(pki.folder if pki else default_dir())
    now = time.monotonic()
    cached = _TRUST_CACHE.get(key)
    if cached and now - cached[0] < TRUST_TTL:
        return cached[1]
    fresh = _make_trust(config, pki)
    _TRUST_CACHE[key] = (now, fresh)
    return fresh


def _make_trust(config: Config, pki: DemoPki | None = None) -> Trust:
    if config.demo:
        pki = pki or DemoPki()
        root = load_cert_from_pemder(str(pki.root_cert))
        tsa_cert, tsa_key = pki.tsa()
        from pyhanko.keys import load_private_key_from_pemder

        stamper = DummyTimeStamper(
            tsa_cert=load_cert_from_pemder(str(tsa_cert)),
            tsa_key=load_private_key_from_pemder(str(tsa_key), None),
            certs_to_embed=SimpleCertificateStore.from_certs([root]),
        )
        from asn1crypto import crl as asn1_crl

        ctx = ValidationContext(
            trust_roots=[root],
            crls=[asn1_crl.CertificateList.load(pki.crl())],
            allow_fetching=False,
            revocation_mode="hard-fail",
        )
        return Trust([root], ctx, stamper, demo=True)
    roots = [c for p in config.signing.trust_roots for c in certs(p)]
    if not roots:
        raise InputError("no trust roots configured ([signing] trust_roots)")
    if not config.signing.tsa_url:
        raise InputError("no timestamp authority configured ([signing] tsa_url)")
    others = [c for p in config.signing.other_certs for c in certs(p)]
    shared = sharedtrust.store(TRUST_TTL)  # what the user's last commands fetched, if recent
    ctx = ValidationContext(
        trust_roots=roots,
        other_certs=others,
        allow_fetching=config.signing.allow_fetching,
        revocation_mode="hard-fail",
        fetcher_backend=sharedtrust.fetcher_backend(shared),
    )
    tsa = sharedtrust.TimeStamper(config.signing.tsa_url)
    return Trust(roots, ctx, tsa, demo=False, others=others)


async def _validate_and_release(validator: CertificateValidator, ctx: ValidationContext) -> None:
    """Validate, then close the HTTP session the context opened, in the loop that opened it."""
    try:
        await validator.async_validate_usage({"digital_signature"})
    finally:
        await ctx.aclose()


def check_certificate(creds: Credentials, ctx: ValidationContext, role: str) -> None:
    """Refuse before signing: expired, not yet valid, revoked or untrusted certificates."""
    subject = creds.cert.subject.human_friendly
    validator = CertificateValidator(
        creds.cert, intermediate_certs=creds.chain, validation_context=ctx
    )
    try:
        asyncio.run(_validate_and_release(validator, ctx))
    except cv_errors.ExpiredError:
        raise SigningError(
            f"the certificate for '{role}' ({subject}) expired on "
            f"{creds.cert.not_valid_after:%Y-%m-%d}"
        ) from None
    except cv_errors.NotYetValidError:
        raise SigningError(
            f"the certificate for '{role}' ({subject}) is not valid until "
            f"{creds.cert.not_valid_before:%Y-%m-%d}"
        ) from None
    except cv_errors.RevokedError:
        raise SigningError(f"the certificate for '{role}' ({subject}) has been revoked") from None
    except cv_errors.PathBuildingError:
        raise SigningError(
            f"the certificate for '{role}' ({subject}) is not issued by a trusted root",
            hint="add its root to [signing] trust_roots, or use the right certificate",
        ) from None
    except (cv_errors.PathValidationError, cv_errors.InvalidCertificateError) as exc:
        raise SigningError(
            f"the certificate for '{role}' ({subject}) is not usable: {exc}"
        ) from None


# --- signing -----------------------------------------------------------------------------------


def signing_state(pdf: Path) -> list[SigField]:
    from pypdf import PdfReader

    return signature_fields(PdfReader(pdf))


def is_draft(pdf: Path) -> bool:
    """Drafts carry 'UTKAST' first in their title (and on every page)."""
    from pypdf import PdfReader

    meta = PdfReader(pdf).metadata
    return bool(meta and meta.title and str(meta.title).startswith("UTKAST"))


def has_document_timestamp(pdf: Path) -> bool:
    with pdf.open("rb") as fh:
        reader = PdfFileReader(fh, strict=False)
        return any(s.field_name == TIMESTAMP_FIELD for s in reader.embedded_signatures)


def require_taken_in(pdf: Path) -> None:
    """Nothing is added to a file that grew since referatbygg last checked it (a signature made
    elsewhere, saved over it) before intake has checked what was added."""
    if ledger.unchecked(pdf) is not None:
        raise SigningError(
            f"{display(pdf)} holds updates that referatbygg has not checked (a signature made "
            "elsewhere, saved over it?): they must be taken in first",
            hint="'referatbygg run' takes it in (or 'referatbygg receive' with the returned file)",
        )


def sign(
    pdf: Path,
    role: str,
    config: Config,
    *,
    ask: Callable[[str], str] | None = getpass.getpass,
    pki: DemoPki | None = None,
) -> None:
    """Append ``role``'s signature to ``pdf`` (in place, atomically; nothing changes on error)."""
    from ..verify import require_untouched

    if is_draft(pdf):
        raise SigningError(f"{display(pdf)} is a draft (UTKAST); drafts are never signed")
    built = require_validated(pdf)
    fields = signing_state(pdf)
    roles = [f.role for f in fields]
    if role not in roles:
        raise SigningError(
            f"{display(pdf)} has no signature field for '{role}'; "
            f"its signatories are: {', '.join(roles) or 'none'}"
        )
    index = roles.index(role)
    field = fields[index]
    if field.signed:
        raise SigningError(f"'{role}' has already signed {display(pdf)}")
    waiting = [f.role for f in fields[:index] if not f.signed]
    if waiting:
        raise SigningError(
            f"signing order: {', '.join(waiting)} must sign before '{role}'",
            hint="the body's signatory list sets the order",
        )
    if has_document_timestamp(pdf):
        raise SigningError(f"{display(pdf)} already has its final timestamp; no more signatures")
    tr = trust(config, pki)
    require_untouched(pdf, tr.roots, config.pins(), tr.others)
    require_taken_in(pdf)
    if tr.demo:
        body = str(built.get("body") or "organ")
        creds = demo_credentials(role, field.name or None, field.title, pki or DemoPki(), body)
    else:
        creds = credentials(role, config, ask=ask)
    try:
        check_certificate(creds, tr.context, role)
        level = "B-LT" if tr.demo else config.signing.level
        meta = signers.PdfSignatureMetadata(
            field_name=role,
            md_algorithm="sha256",
            subfilter=sigfields.SigSeedSubFilter.PADES,
            certify=index == 0 and config.signing.certify,
            docmdp_permissions=sigfields.MDPPerm.FILL_FORMS,
            embed_validation_info=level in ("B-LT", "B-LTA"),
            validation_context=tr.context,
            reason=f"Godkjent av {field.title.lower()}",
            location=str(built.get("signing_place") or "") or None,
        )
        status = "TESTSIGNATUR – ikke gyldig" if tr.demo else "Signert digitalt"
        params = {
            "status": status,
            "signer": creds.cert.subject.native.get("common_name", ""),
            "title": field.title,
            "when": f"{lang.oslo_now()} (norsk tid)",
        }
        pdf_signer = ArchivalPdfSigner(
            meta,
            signer=creds.signer,
            timestamper=tr.timestamper,
            stamp_style=stamp_style(str(built.get("body_font") or "") or None),
        )
        _append(
            pdf, lambda w, out: pdf_signer.sign_pdf(w, output=out, appearance_text_params=params)
        )
    except SigningError:
        raise
    except Exception as exc:
        log.debug("signing failed", exc_info=True)
        hint = None
        if type(exc).__name__ == "MechanismInvalid":
            hint = "the token cannot hash and sign in one step; set raw_mechanism = true"
        raise SigningError(
            f"signing {display(pdf)} as '{role}' failed: {type(exc).__name__} {exc}".rstrip(),
            hint=hint,
        ) from None
    finally:
        creds.close()
    ledger.record(pdf, "signed", role)
    log.info("signed %s as %s", pdf, role)


def timestamp(pdf: Path, config: Config, *, pki: DemoPki | None = None) -> None:
    """Add the final document timestamp (PAdES B-LTA) once every signatory has signed."""
    from ..verify import require_untouched

    missing = [f.role for f in signing_state(pdf) if not f.signed]
    if missing:
        raise SigningError(f"waiting for {', '.join(missing)} to sign {display(pdf)}")
    if has_document_timestamp(pdf):
        raise SigningError(f"{display(pdf)} already has its final timestamp")
    tr = trust(config, pki)
    require_untouched(pdf, tr.roots, config.pins(), tr.others)
    require_taken_in(pdf)
    stamper = PdfTimeStamper(tr.timestamper, field_name=TIMESTAMP_FIELD)
    try:
        _append(
            pdf,
            lambda w, out: stamper.timestamp_pdf(
                w, "sha256", validation_context=tr.context, output=out
            ),
        )
    except Exception as exc:
        raise SigningError(f"timestamping {display(pdf)} failed: {exc}") from None
    ledger.record(pdf, "final timestamp")


def _append(pdf: Path, write: Callable[[IncrementalPdfFileWriter, Any], Any]) -> None:
    """Run a pyHanko incremental write on ``pdf`` into a temporary file and rename it over ``pdf``
    — only if the old bytes are untouched at its start and ``pdf`` itself did not change in the
    meantime (two signatories at once: the second waits for the lock, then signs the new file)."""
    with locked(pdf.with_name(f".{pdf.name}.lock")):
        clean_parts(pdf.parent)  # left by a signing that was killed
        original = pdf.read_bytes()
        with atomic_path(pdf) as tmp:
            with pdf.open("rb") as src, tmp.open("wb") as out, metadata_frozen():
                write(IncrementalPdfFileWriter(src, strict=False), out)
            new = tmp.read_bytes()
            if not new.startswith(original) or len(new) <= len(original):
                raise SigningError(
                    "the signed file does not extend the original; nothing was changed"
                )
            if pdf.read_bytes() != original:
                raise SigningError(
                    f"{display(pdf)} was changed by someone else while signing; nothing was "
                    "written, sign again"
                )
        from ..verify import extended

        extended(pdf, original, new)
