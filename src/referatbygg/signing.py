"""PAdES signatures with pyHanko, kept PDF/A: one signatory at a time, then the final timestamp.

Each ``sign`` call appends one incremental update into the signatory's own field: B-T (signature
timestamp), B-LT (plus the validation data in the DSS); B-LTA adds one document timestamp after the
last signatory (:func:`timestamp`) — once per document, not per signature.

pyHanko as shipped breaks PDF/A in three ways (shared/KNOWN-PITFALLS.md); each is fixed here, at
the point where pyHanko writes, because nothing can be changed after a signature is computed:

* its writers rewrite the XMP packet (xmpbox rejects the result) and set Info/Producer apart from
  XMP — :func:`metadata_frozen` leaves document metadata exactly as the PDF/A file had it;
* its stamp font subset has no /CIDSet, which PDF/A-1 requires — :class:`CidSetGlyphAccumulator`
  writes one in the same revision;
* glyph widths of fonts whose unitsPerEm is not 1000 come out wrong — the stamp uses Noto Sans
  (unitsPerEm 1000), and the same font size on stamp and text box (pyHanko #733).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import getpass
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asn1crypto import x509 as asn1_x509
from pyhanko.keys import load_cert_from_pemder, load_certs_from_pemder
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.sign import fields as sigfields
from pyhanko.sign import signers, timestamps
from pyhanko.sign.signers.pdf_signer import PdfTimeStamper
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator import errors as cv_errors
from pyhanko_certvalidator.registry import SimpleCertificateStore

from . import lang
from .config import Config, SignerConfig
from .demopki import DemoPki, default_dir
from .errors import InputError, SigningError
from .fields import TIMESTAMP_FIELD, SigField, signature_fields
from .fsutil import atomic_path, locked
from .load import display
from .pdfa import cidset_bytes

log = logging.getLogger(__name__)

FONT = Path("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf")  # unitsPerEm 1000, æøå
FONT_SIZE = 8


# --- PDF/A-safe pyHanko pieces ---------------------------------------------------------------


@contextlib.contextmanager
def metadata_frozen() -> Iterator[None]:
    """Keep pyHanko from touching Info and XMP while it writes.

    Every pyHanko writer calls ``_update_meta``, which rewrites the XMP packet in a form xmpbox
    (PDFBox Preflight) rejects ("7.3 Schema is not set … dc") and makes Info/Producer disagree with
    XMP. Besides the writer we pass in, pyHanko opens its own for the post-signing DSS update and
    the document timestamp, so the method is disabled on the class for the duration of our call.
    PDF/A does not require a new modification date; the metadata stays as the conversion wrote it.
    (Worth an upstream option: pyHanko has no switch to leave metadata untouched.)
    """
    original = BasePdfFileWriter._update_meta
    BasePdfFileWriter._update_meta = lambda self: None  # type: ignore[method-assign]
    try:
        yield
    finally:
        BasePdfFileWriter._update_meta = original  # type: ignore[method-assign]


class CidSetGlyphAccumulator(GlyphAccumulator):
    """pyHanko's font subset, plus the /CIDSet that PDF/A-1 requires for CID font subsets."""

    def prepare_write(self) -> None:
        already = self._write_prepared
        super().prepare_write()
        if already:
            return
        cids = sorted({cid for cid, _ in self._glyphs.values()} | {0})
        stream = generic.StreamObject(stream_data=cidset_bytes(cids))
        descriptor = self.cidfont_obj._font_descriptor
        descriptor[generic.pdf_name("/CIDSet")] = self.writer.add_object(stream)


class CidSetFontFactory(GlyphAccumulatorFactory):
    def create_font_engine(self, writer: Any, obj_stream: Any = None) -> GlyphAccumulator:
        engine = super().create_font_engine(writer, obj_stream)
        engine.__class__ = CidSetGlyphAccumulator  # same state, our prepare_write
        return engine


# What a Norwegian stamp can need: Latin-1, Latin Extended-A, general punctuation, the euro sign.
STAMP_CHARS = [*range(0x20, 0x7F), *range(0xA0, 0x180), *range(0x2010, 0x203B), 0x20AC]


@functools.cache
def stamp_font() -> Path:
    """Noto Sans cut down to STAMP_CHARS, made once and cached.

    pyHanko subsets the stamp font on every signature; from the full Noto Sans that took
    ~0.19 s of each ~0.35 s signature here. Units per em (1000) and metrics are unchanged.
    """
    if not FONT.is_file():
        raise SigningError(
            f"the stamp font {FONT} is missing", hint="apt-get install fonts-noto-core"
        )
    import hashlib

    from fontTools import subset

    key = hashlib.sha256(FONT.read_bytes() + repr(STAMP_CHARS).encode()).hexdigest()[:16]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "referatbygg"
    target = cache / f"NotoSans-stamp-{key}.ttf"
    if not target.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        options = subset.Options()
        options.name_IDs = ["*"]
        options.notdef_outline = True
        font = subset.load_font(str(FONT), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=STAMP_CHARS)
        subsetter.subset(font)
        with atomic_path(target) as tmp:
            subset.save_font(font, str(tmp), options)
    return target


def stamp_style() -> TextStampStyle:
    font = CidSetFontFactory(str(stamp_font()), font_size=FONT_SIZE)
    return TextStampStyle(
        stamp_text="%(status)s\n%(signer)s\n%(title)s\n%(when)s",
        text_box_style=TextBoxStyle(font=font, font_size=FONT_SIZE, leading=FONT_SIZE + 3),
        border_width=1,
    )


def _certs(path: Path) -> list[asn1_x509.Certificate]:
    return list(load_certs_from_pemder([str(path)]))


# --- credentials ---------------------------------------------------------------------------------


@dataclass
class Credentials:
    signer: signers.Signer
    cert: asn1_x509.Certificate
    chain: list[asn1_x509.Certificate]
    close: Callable[[], None] = lambda: None


def _secret(env: str | None, prompt: str, ask: Callable[[str], str] | None) -> str:
    if env and env in os.environ:
        return os.environ[env]
    if ask is None:
        raise SigningError(
            f"no secret available: set the environment variable {env}"
            if env
            else "no secret available and no prompt possible here"
        )
    return ask(prompt)


def credentials(
    role: str, config: Config, *, ask: Callable[[str], str] | None = getpass.getpass
) -> Credentials:
    """Open the signer for ``role``: demo PKI, PKCS#12 file or PKCS#11 token."""
    if config.demo:
        raise SigningError("demo credentials come from demo_credentials()")
    entry: SignerConfig | None = config.signers.get(role)
    if entry is None:
        where = display(config.source) if config.source else "the configuration"
        raise SigningError(f"no credentials for '{role}' in {where} ([signers.{role}])")
    extra = [c for p in config.signing.other_certs for c in _certs(p)]
    if entry.pkcs12:
        p12 = entry.pkcs12
        if not p12.pkcs12.is_file():
            raise SigningError(f"PKCS#12 file not found: {p12.pkcs12}")
        secret = _secret(p12.passphrase_env, f"Passphrase for {p12.pkcs12.name}: ", ask)
        try:
            signer = signers.SimpleSigner.load_pkcs12(
                str(p12.pkcs12), passphrase=secret.encode("utf-8"), other_certs=extra
            )
        except Exception:
            signer = None
        if signer is None or signer.signing_cert is None:
            # pyHanko logs and returns None on a wrong passphrase; the message must not echo it.
            raise SigningError(f"cannot open {p12.pkcs12.name}: wrong passphrase or damaged file")
        return Credentials(signer, signer.signing_cert, list(signer.cert_registry))
    assert entry.pkcs11 is not None
    return _pkcs11(entry, extra, ask)


def _pkcs11(entry: SignerConfig, extra: list[Any], ask: Callable[[str], str] | None) -> Credentials:
    from pkcs11 import exceptions as p11_errors
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

    p11 = entry.pkcs11
    assert p11 is not None
    pin = _secret(p11.pin_env, f"PIN for token '{p11.token_label}': ", ask)
    try:
        session = open_pkcs11_session(
            str(p11.module), token_criteria=TokenCriteria(label=p11.token_label), user_pin=pin
        )
    except (p11_errors.PinIncorrect, p11_errors.PinLenRange, p11_errors.PinInvalid):
        raise SigningError(f"wrong PIN for token '{p11.token_label}'") from None
    except p11_errors.PinLocked:
        raise SigningError(f"the PIN of token '{p11.token_label}' is locked") from None
    except Exception as exc:
        raise SigningError(f"cannot open token '{p11.token_label}': {type(exc).__name__}") from None
    try:
        signer = PKCS11Signer(
            session,
            key_label=p11.key_label,
            cert_label=p11.cert_label or p11.key_label,
            other_certs_to_pull=None,
            ca_chain=extra,
            use_raw_mechanism=p11.raw_mechanism,
        )
        cert = signer.signing_cert
    except Exception as exc:
        session.close()
        raise SigningError(
            f"token '{p11.token_label}' has no usable key/certificate '{p11.key_label}': {exc}"
        ) from None
    return Credentials(signer, cert, [*extra, *signer.cert_registry], session.close)


def demo_credentials(role: str, name: str | None, title: str, pki: DemoPki) -> Credentials:
    cert_file, key_file = pki.signer(role, name, title)
    signer = signers.SimpleSigner.load(
        str(key_file), str(cert_file), ca_chain_files=(str(pki.root_cert),)
    )
    assert signer is not None and signer.signing_cert is not None
    return Credentials(signer, signer.signing_cert, [load_cert_from_pemder(str(pki.root_cert))])


# --- trust, timestamps ---------------------------------------------------------------------------


@dataclass
class Trust:
    """What signing and verifying trust: roots, the validation context, the timestamper."""

    roots: list[asn1_x509.Certificate]
    context: ValidationContext
    timestamper: timestamps.TimeStamper
    demo: bool


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
    roots = [c for p in config.signing.trust_roots for c in _certs(p)]
    if not roots:
        raise InputError("no trust roots configured ([signing] trust_roots)")
    if not config.signing.tsa_url:
        raise InputError("no timestamp authority configured ([signing] tsa_url)")
    others = [c for p in config.signing.other_certs for c in _certs(p)]
    ctx = ValidationContext(
        trust_roots=roots,
        other_certs=others,
        allow_fetching=config.signing.allow_fetching,
        revocation_mode="hard-fail",
    )
    return Trust(roots, ctx, timestamps.HTTPTimeStamper(config.signing.tsa_url), demo=False)


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


def sign(
    pdf: Path,
    role: str,
    config: Config,
    *,
    ask: Callable[[str], str] | None = getpass.getpass,
    pki: DemoPki | None = None,
) -> None:
    """Append ``role``'s signature to ``pdf`` (in place, atomically; nothing changes on error)."""
    from .verify import require_untouched

    if is_draft(pdf):
        raise SigningError(f"{display(pdf)} is a draft (UTKAST); drafts are never signed")
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
    require_untouched(pdf, tr.roots)
    if tr.demo:
        creds = demo_credentials(role, field.name or None, field.title, pki or DemoPki())
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
            location="Oslo",
        )
        status = "TESTSIGNATUR – ikke gyldig" if tr.demo else "Signert digitalt"
        params = {
            "status": status,
            "signer": creds.cert.subject.native.get("common_name", ""),
            "title": field.title,
            "when": f"{lang.oslo_now()} (norsk tid)",
        }
        pdf_signer = signers.PdfSigner(
            meta, signer=creds.signer, timestamper=tr.timestamper, stamp_style=stamp_style()
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
    log.info("signed %s as %s", pdf, role)


def timestamp(pdf: Path, config: Config, *, pki: DemoPki | None = None) -> None:
    """Add the final document timestamp (PAdES B-LTA) once every signatory has signed."""
    from .verify import require_untouched

    missing = [f.role for f in signing_state(pdf) if not f.signed]
    if missing:
        raise SigningError(f"waiting for {', '.join(missing)} to sign {display(pdf)}")
    if has_document_timestamp(pdf):
        raise SigningError(f"{display(pdf)} already has its final timestamp")
    tr = trust(config, pki)
    require_untouched(pdf, tr.roots)
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


def _append(pdf: Path, write: Callable[[IncrementalPdfFileWriter, Any], Any]) -> None:
    """Run a pyHanko incremental write on ``pdf`` into a temporary file and rename it over ``pdf``
    — only if the old bytes are untouched at its start and ``pdf`` itself did not change in the
    meantime (two signatories at once: the second waits for the lock, then signs the new file)."""
    with locked(pdf.with_name(f".{pdf.name}.lock")):
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
