"""PAdES signatures with pyHanko, kept PDF/A: one signatory at a time, then the final timestamp.

Each ``sign`` call appends one incremental update into the signatory's own field: B-T (signature
timestamp), B-LT (plus the validation data in the DSS); B-LTA adds one document timestamp after the
last signatory (:func:`timestamp`) — once per document, not per signature. What keeps the file
PDF/A while pyHanko writes is in :mod:`.pdfasafe`; who signs with what, in :mod:`.credentials`;
what decides whether the file may be signed at all, in :mod:`.verify` (the same verdict as
`verify`).
"""

from __future__ import annotations

import getpass
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields as sigfields
from pyhanko.sign import signers
from pyhanko.sign.signers.pdf_signer import PdfTimeStamper

from ..build.report import expected_signers, expected_signers_of, require_validated
from ..config import Config
from ..document import lang
from ..errors import SigningError
from ..fsutil import atomic_path, clean_parts, locked, problem_writing
from ..meeting.load import display
from ..meeting.vocab import PLACEHOLDER_NAME
from ..pdf import hexstrings, xrefindex
from ..pdf.fields import TIMESTAMP_FIELD, SigField, signature_fields
from ..verify.identity import Expected, problem
from . import ledger
from .credentials import Credentials, credentials, demo_credentials
from .demopki import DemoPki
from .pdfasafe import ArchivalPdfSigner, metadata_frozen, stamp_style
from .trust import Trust, check_certificate, trust

log = logging.getLogger(__name__)
hexstrings.install()  # signatures' /Contents read a block at a time
xrefindex.install()  # revision histories looked up, not walked: linear in revisions

__all__ = ["Credentials", "credentials", "demo_credentials", "metadata_frozen", "sign", "timestamp"]


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
    expected = expected_signers(built)  # who should sign, as the body and meeting files said
    index, field = _next_field(pdf, role)
    tr = trust(config, pki)
    require_untouched(pdf, tr.roots, config.pins(), tr.others, signers=expected)
    require_taken_in(pdf)
    person = who_signs(role, expected, field.name)
    if tr.demo:
        body = str(built.get("body") or "organ")
        creds = demo_credentials(role, person or None, field.title, pki or DemoPki(), body)
    else:
        creds = credentials(role, config, ask=ask)
    try:
        check_certificate(creds, tr.context, role)
        right_person(role, person, creds, config, outside=expected is not None)
        signer = _signer(role, index, field, config, tr, creds, built)
        params = {
            "status": (
                (
                    "TESTSIGNATUR – ikkje gyldig"
                    if built.get("language") == "nn"
                    else "TESTSIGNATUR – ikke gyldig"
                )
                if tr.demo
                else "Signert digitalt"
            ),
            "signer": creds.cert.subject.native.get("common_name", ""),
            "title": field.title,
            "when": f"{lang.oslo_now()} (norsk tid)",
        }
        _append(pdf, lambda w, out: signer.sign_pdf(w, output=out, appearance_text_params=params))
    except SigningError:
        raise
    except Exception as exc:
        log.debug("signing failed", exc_info=True)
        full = problem_writing(exc, pdf.parent)  # the disk full or read-only: that, exit 10
        if full is not None:
            raise full from None
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


def who_signs(role: str, expected: dict[str, str | None] | None, printed: str | None) -> str:
    """Who should sign ``role``: as the build report recorded it from the body and meeting
    files, else the name the document printed. Never the placeholder `new` wrote for the
    secretariat to replace: a demo certificate would be made for it, and signed with."""
    person = (expected.get(role) if expected is not None else printed) or ""
    if person == PLACEHOLDER_NAME:
        raise SigningError(
            f"{role}: the signatory's name is still '{PLACEHOLDER_NAME}', as `new` wrote it; "
            "nothing was signed",
            hint=f"write who signs as {role} in the body or meeting file, build again, then sign",
        )
    return person


def right_person(
    role: str, person: str, creds: Credentials, config: Config, *, outside: bool
) -> None:
    """Nothing is signed with another person's certificate: the credentials must be those of
    whoever should sign for ``role`` (or what referatbygg.toml pins for it)."""
    expected = Expected(role, person, config.pins().get(role), outside=outside)
    wrong = problem(expected, creds.cert)
    if wrong:
        raise SigningError(
            f"{role}: {wrong}; nothing was signed",
            hint=f"sign with {person or role}'s own certificate, or correct who signs as {role} "
            "in the body or meeting file and build again",
        )


def _next_field(pdf: Path, role: str) -> tuple[int, SigField]:
    """``role``'s field and its place in the signing order — refused when the role has no field,
    has signed, comes after someone who has not, or the final timestamp closed the signing."""
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
    return index, field


def _signer(
    role: str, index: int, field: SigField, config: Config, tr: Trust, creds: Credentials,
    built: dict[str, Any],
) -> ArchivalPdfSigner:  # fmt: skip
    """pyHanko's signer for ``role``'s field: PAdES at the configured level (B-LT for the demo),
    the first signatory certifying when configured, the stamp in the minutes' own font."""
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
    return ArchivalPdfSigner(
        meta,
        signer=creds.signer,
        timestamper=tr.timestamper,
        stamp_style=stamp_style(str(built.get("body_font") or "") or None),
    )


def timestamp(pdf: Path, config: Config, *, pki: DemoPki | None = None) -> None:
    """Add the final document timestamp (PAdES B-LTA) once every signatory has signed."""
    from ..verify import require_untouched

    missing = [f.role for f in signing_state(pdf) if not f.signed]
    if missing:
        raise SigningError(f"waiting for {', '.join(missing)} to sign {display(pdf)}")
    if has_document_timestamp(pdf):
        raise SigningError(f"{display(pdf)} already has its final timestamp")
    tr = trust(config, pki)
    require_untouched(pdf, tr.roots, config.pins(), tr.others, signers=expected_signers_of(pdf))
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
        full = problem_writing(exc, pdf.parent)
        if full is not None:
            raise full from None
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
