"""What signing and verifying trust: the roots, the validation context with its revocation data,
and the timestamp authority — the demo PKI's, or those referatbygg.toml configures — and the
check of a signer's certificate before it signs anything.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from asn1crypto import x509 as asn1_x509
from pyhanko.keys import load_cert_from_pemder
from pyhanko.sign import timestamps
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator import errors as cv_errors
from pyhanko_certvalidator.registry import SimpleCertificateStore

from .. import settings
from ..config import Config
from ..errors import InputError, SigningError
from . import sharedtrust
from .credentials import Credentials, certs
from .demopki import DemoPki, default_dir


@dataclass
class Trust:
    """What signing and verifying trust: roots, the validation context, the timestamper."""

    roots: list[asn1_x509.Certificate]
    context: ValidationContext
    timestamper: timestamps.TimeStamper
    demo: bool
    others: list[asn1_x509.Certificate] = field(default_factory=list)  # intermediates
    life: sharedtrust.Lifetime | None = None  # when the revocation data it holds runs out


# Revocation data and certificates fetched for one signature serve the next ones in this process
# (a batch signs many meetings by the same people), and pyHanko's timestamper keeps the dummy
# response it sizes signatures with. Kept for a limited time, and never once an answer it holds
# is near its end (the context would not fetch a new one; sharedtrust.py says why it matters).
_TRUST_CACHE: dict[str, tuple[float, Trust]] = {}


def trust(config: Config, pki: DemoPki | None = None) -> Trust:
    """Trust for ``config``: the same object for up to REFERATBYGG_TRUST_TTL seconds (600) in
    one process."""
    import time

    key = config.model_dump_json() + str(pki.folder if pki else default_dir())
    now = time.monotonic()
    cached = _TRUST_CACHE.get(key)
    if cached and now - cached[0] < settings.trust_ttl():
        life = cached[1].life
        if life is None or not life.over():
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
    # What the user's last commands fetched, if recent.
    fetchers = sharedtrust.SharedFetchers(sharedtrust.store(settings.trust_ttl()))
    ctx = ValidationContext(
        trust_roots=roots,
        other_certs=others,
        allow_fetching=config.signing.allow_fetching,
        revocation_mode="hard-fail",
        fetcher_backend=sharedtrust.fetcher_backend(fetchers),
    )
    tsa = sharedtrust.TimeStamper(config.signing.tsa_url)
    return Trust(roots, ctx, tsa, demo=False, others=others, life=fetchers.life)


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
