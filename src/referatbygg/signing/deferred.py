"""Deferred signing: the document prepared here, the signature made by a signing service or an HSM
that only sees a request file, and the answer embedded later.

``prepare`` writes the next revision with an empty signature placeholder (the stamp, fields and
PDF/A care as in ``sign``) and a request: the digest of the document's byte range, the algorithm,
and — when the signer's certificate is given — the CMS signed attributes to sign (and their hash,
for services that sign hashes). ``complete`` takes the answer: a CMS signature over the document
digest, or a raw signature value over the signed attributes; checks it belongs to this request
(same request id, not expired, the same document digest); fills the placeholder; and hands the
result to intake — the same checks as for a file signed in any other tool.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import io
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asn1crypto import cms, x509
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields as sigfields
from pyhanko.sign import signers
from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest
from pyhanko_certvalidator.registry import SimpleCertificateStore

from ..build.report import expected_signers_of, require_validated
from ..config import Config
from ..document import lang
from ..errors import InputError, SigningError
from ..fsutil import write_atomic
from ..meeting.load import display
from . import intake, pades
from .credentials import Credentials
from .pdfasafe import ArchivalPdfSigner, metadata_frozen, stamp_style
from .trust import check_certificate, trust

FORMAT = "referatbygg-signing-request/1"
RESERVED = 32768  # hex digits for the CMS (16 KiB): chains and a timestamp token fit
DIGEST = "sha256"


@dataclass(frozen=True)
class Prepared:
    request: Path
    prepared: Path

    def as_dict(self) -> dict[str, str]:
        return {"request": str(self.request), "prepared": str(self.prepared)}


def folder(pdf: Path) -> Path:
    return pdf.parent / "signering"


def paths(pdf: Path, role: str) -> tuple[Path, Path]:
    """(request, prepared PDF) for ``role``'s deferred signature of ``pdf``."""
    base = folder(pdf) / f"{pdf.stem}-{role}"
    return base.with_suffix(".request.json"), base.with_suffix(".prepared.pdf")


def prepare(
    pdf: Path, role: str, config: Config, *, certificate: Path | None = None,
    valid_for: dt.timedelta = dt.timedelta(days=7),
) -> Prepared:  # fmt: skip
    """Write ``role``'s request and the prepared document beside ``pdf`` (which is not changed)."""
    field = _next_field(pdf, role, config)
    cert = _certificate(certificate) if certificate else None
    expected = expected_signers_of(pdf)
    person = pades.who_signs(role, expected, field.name)
    if cert is not None:
        creds = Credentials(signers.ExternalSigner(cert, SimpleCertificateStore()), cert, [])
        check_certificate(creds, trust(config).context, role)
        pades.right_person(role, person, creds, config, outside=expected is not None)
    placeholder = signers.ExternalSigner(
        cert, SimpleCertificateStore.from_certs([cert] if cert else []), signature_value=256
    )
    meta = signers.PdfSignatureMetadata(
        field_name=role, md_algorithm=DIGEST, subfilter=sigfields.SigSeedSubFilter.PADES,
        certify=field.index == 0 and config.signing.certify,
        docmdp_permissions=sigfields.MDPPerm.FILL_FORMS,
        reason=f"Godkjent av {field.title.lower()}",
    )  # fmt: skip
    params = {
        "status": "Signert digitalt", "title": field.title,
        "signer": cert.subject.native.get("common_name", "") if cert else field.name,
        "when": f"{lang.oslo_now()} (norsk tid)",
    }  # fmt: skip
    pdf_signer = ArchivalPdfSigner(meta, signer=placeholder, stamp_style=stamp_style())
    with metadata_frozen():
        digest, _tbs, output = asyncio.run(
            pdf_signer.async_digest_doc_for_signing(
                IncrementalPdfFileWriter(io.BytesIO(pdf.read_bytes()), strict=False),
                bytes_reserved=RESERVED, appearance_text_params=params,
            )
        )  # fmt: skip
    output.seek(0)
    prepared_bytes = output.read()
    request_path, prepared_path = paths(pdf, role)
    request = _request(pdf, role, digest, prepared_bytes, valid_for)
    if cert is not None:
        attrs = asyncio.run(
            placeholder.signed_attrs(digest.document_digest, DIGEST, use_pades=True)
        )
        der = attrs.dump()
        request.update(
            certificate=base64.b64encode(cert.dump()).decode(),
            signed_attributes=base64.b64encode(der).decode(),
            signed_attributes_digest=hashlib.sha256(der).hexdigest(),
            signature_algorithm=placeholder.get_signature_mechanism_for_digest(DIGEST)[
                "algorithm"].native,
        )  # fmt: skip
    write_atomic(prepared_path, prepared_bytes)
    write_atomic(request_path, json.dumps(request, indent=2).encode("utf-8"))
    return Prepared(request_path, prepared_path)


def _request(
    pdf: Path, role: str, digest: PreparedByteRangeDigest, prepared: bytes,
    valid_for: dt.timedelta,
) -> dict[str, Any]:  # fmt: skip
    """What the signing service gets: the document digest over the prepared byte range, what
    it was prepared from, and until when it may be answered."""
    now = dt.datetime.now(dt.UTC)
    return {
        "format": FORMAT, "id": str(uuid.uuid4()), "role": role, "document": pdf.name,
        "created": now.isoformat(timespec="seconds"),
        "expires": (now + valid_for).isoformat(timespec="seconds"),
        "digest_algorithm": DIGEST, "document_digest": digest.document_digest.hex(),
        "reserved": [digest.reserved_region_start, digest.reserved_region_end],
        "prepared_sha256": hashlib.sha256(prepared).hexdigest(),
        "based_on_sha256": hashlib.sha256(pdf.read_bytes()).hexdigest(),
        "certificate": None, "signed_attributes": None, "signed_attributes_digest": None,
        "answer": "a CMS signature over document_digest (\"cms\"), or a raw signature value "
        "over signed_attributes (\"signature\"), base64, with this request's id",
    }  # fmt: skip


@dataclass(frozen=True)
class _Field:
    index: int
    title: str
    name: str


def _next_field(pdf: Path, role: str, config: Config) -> _Field:
    """The checks ``sign`` makes before it adds a signature."""
    from ..verify import require_untouched

    if pades.is_draft(pdf):
        raise SigningError(f"{display(pdf)} is a draft (UTKAST); drafts are never signed")
    require_validated(pdf)
    fields = pades.signing_state(pdf)
    roles = [f.role for f in fields]
    if role not in roles:
        raise SigningError(f"{display(pdf)} has no signature field for '{role}'")
    index = roles.index(role)
    if fields[index].signed:
        raise SigningError(f"'{role}' has already signed {display(pdf)}")
    waiting = [f.role for f in fields[:index] if not f.signed]
    if waiting:
        raise SigningError(f"signing order: {', '.join(waiting)} must sign before '{role}'")
    tr = trust(config)
    require_untouched(pdf, tr.roots, config.pins(), tr.others, signers=expected_signers_of(pdf))
    pades.require_taken_in(pdf)
    return _Field(index, fields[index].title, fields[index].name)


def _certificate(path: Path) -> Any:
    try:
        return load_cert_from_pemder(str(path))
    except Exception:
        raise InputError(f"{display(path)}: not a certificate (PEM or DER)") from None


def complete(
    pdf: Path, role: str, response: Path, config: Config, *, now: dt.datetime | None = None
) -> intake.Intake:
    """Embed the answer to ``role``'s request and take the result in (or refuse it)."""
    request_path, prepared_path = paths(pdf, role)
    try:
        request = json.loads(request_path.read_text(encoding="utf-8"))
        answer = json.loads(response.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SigningError(
            f"no request for {role} to complete ({display(Path(exc.filename))} is missing)",
            hint=f"prepare one with 'referatbygg sign {display(pdf)} --role {role} --prepare'",
        ) from None
    except (OSError, ValueError) as exc:
        raise SigningError(f"the request or the answer cannot be read ({exc})") from None
    if not isinstance(answer, dict) or answer.get("id") != request.get("id"):
        raise SigningError(
            f"{role}: the answer is not for this request (request id {request.get('id')})"
        )
    expires = dt.datetime.fromisoformat(request["expires"])
    if (now or dt.datetime.now(dt.UTC)) > expires:
        raise SigningError(
            f"{role}: the request expired at {expires:%Y-%m-%d %H:%M} UTC; nothing was signed",
            hint="prepare a new request",
        )
    prepared = prepared_path.read_bytes()
    if hashlib.sha256(prepared).hexdigest() != request["prepared_sha256"]:
        raise SigningError(f"{display(prepared_path)} is not the document the request prepared")
    if hashlib.sha256(pdf.read_bytes()).hexdigest() != request["based_on_sha256"]:
        raise SigningError(
            f"{display(pdf)} changed after {role}'s request was prepared; the answer signs an "
            "earlier state",
            hint="prepare a new request",
        )
    signature = _cms(answer, request, role, trust(config).others)
    start, end = request["reserved"]
    filled = io.BytesIO(prepared)
    size = len(signature.dump())
    if 2 * size > end - start - 2:  # hex digits between < and >
        raise SigningError(
            f"{role}: the answer's signature is {size:,} bytes, more than the "
            f"{(end - start - 2) // 2:,} the request reserved; nothing was signed",
            hint="a signature with fewer certificates or less validation data inside fits; "
            "validation data is added after intake",
        )
    PreparedByteRangeDigest(bytes.fromhex(request["document_digest"]), start, end).fill_with_cms(
        filled, signature
    )
    returned = prepared_path.with_suffix(".signed.pdf")
    returned.write_bytes(filled.getvalue())
    try:
        result = intake.receive(returned, pdf, config, role=role)
    finally:
        returned.unlink(missing_ok=True)
    for used in (request_path, prepared_path):
        used.unlink(missing_ok=True)
    return result


def _same_signer(content: cms.ContentInfo, request: dict[str, Any], role: str) -> None:
    """A request prepared for a certificate is answered with that certificate: the answer's
    signer (issuer and serial number in its SignerInfo) must be the one the request named."""
    if not request.get("certificate"):
        return
    named = x509.Certificate.load(base64.b64decode(request["certificate"]))
    sid = content["content"]["signer_infos"][0]["sid"]
    chosen = sid.chosen
    if sid.name == "issuer_and_serial_number":
        same = (chosen["issuer"] == named.issuer
                and chosen["serial_number"].native == named.serial_number)  # fmt: skip
    else:
        same = chosen.native == named.key_identifier
    if not same:
        raise SigningError(
            f"{role}: the answer is signed with another certificate than the request named "
            f"({named.subject.human_friendly}); nothing was signed",
            hint="answer with the certificate the request was prepared for, or prepare again",
        )


def _cms(
    answer: dict[str, Any], request: dict[str, Any], role: str, chain: list[Any]
) -> cms.ContentInfo:
    """The CMS signature of the answer; a raw value is wrapped with the request's signed
    attributes and the certificate chain (the configured intermediates)."""
    digest = bytes.fromhex(request["document_digest"])
    try:
        if answer.get("cms"):
            content = cms.ContentInfo.load(base64.b64decode(answer["cms"]))
            attrs = content["content"]["signer_infos"][0]["signed_attrs"]
            signed = next(a["values"][0].native for a in attrs
                          if a["type"].native == "message_digest")  # fmt: skip
            if signed != digest:
                raise SigningError(
                    f"{role}: the answer signs another document (its digest is not this request's)"
                )
            _same_signer(content, request, role)
            return content
        if answer.get("signature"):
            if not request.get("signed_attributes"):
                raise SigningError(
                    f"{role}: a raw signature value needs the signed attributes, and this "
                    "request was prepared without a certificate",
                    hint="prepare with --certificate, or answer with a CMS signature",
                )
            cert = x509.Certificate.load(base64.b64decode(request["certificate"]))
            attrs = cms.CMSAttributes.load(base64.b64decode(request["signed_attributes"]))
            signer = signers.ExternalSigner(
                cert, SimpleCertificateStore.from_certs([cert, *chain]),
                signature_value=base64.b64decode(answer["signature"]),
            )  # fmt: skip
            result: cms.ContentInfo = asyncio.run(
                signer.async_sign_prescribed_attributes(DIGEST, signed_attrs=attrs)
            )
            return result
    except SigningError:
        raise
    except Exception as exc:
        raise SigningError(f"{role}: the answer is not a usable signature ({exc})") from None
    raise SigningError(f'{role}: the answer holds neither "cms" nor "signature"')
