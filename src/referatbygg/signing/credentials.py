"""Signing credentials: the demo PKI, a PKCS#12 file or a PKCS#11 token — opened per role.

Secrets come from the environment variable the configuration names, or a prompt; they never
reach a log, an error message or an exception's text.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asn1crypto import x509 as asn1_x509
from pyhanko.keys import load_cert_from_pemder, load_certs_from_pemder
from pyhanko.sign import signers

from ..config import Config, SignerConfig
from ..errors import SigningError
from ..meeting.load import display
from .demopki import DemoPki


def certs(path: Path) -> list[asn1_x509.Certificate]:
    return list(load_certs_from_pemder([str(path)]))


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
    """Open the signer for ``role``: a PKCS#12 file, a PKCS#11 token or a CSC signing service."""
    if config.demo:
        raise SigningError("demo credentials come from demo_credentials()")
    entry: SignerConfig | None = config.signers.get(role)
    if entry is None or not entry.signs_here:
        where = display(config.source) if config.source else "the configuration"
        raise SigningError(
            f"no credentials for '{role}' in {where} ([signers.{role}])",
            hint=f"{role} can sign in another tool and send the file back ('referatbygg "
            "receive'), or use deferred signing ('sign --prepare')",
        )
    extra = [c for p in config.signing.other_certs for c in certs(p)]
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
    if entry.csc:
        from .csc import open_signer

        remote = open_signer(entry.csc, role)
        assert remote.signing_cert is not None
        return Credentials(remote, remote.signing_cert, [*extra, *remote.cert_registry])
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


def demo_credentials(
    role: str, name: str | None, title: str, pki: DemoPki, body: str = "organ"
) -> Credentials:
    cert_file, key_file = pki.signer(role, name, title, body)
    signer = signers.SimpleSigner.load(
        str(key_file), str(cert_file), ca_chain_files=(str(pki.root_cert),)
    )
    assert signer is not None and signer.signing_cert is not None
    return Credentials(signer, signer.signing_cert, [load_cert_from_pemder(str(pki.root_cert))])
