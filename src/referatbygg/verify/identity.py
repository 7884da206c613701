"""Who signed: the certificate's holder against the person the signature block names.

A signature can be valid and trusted and still be the wrong person's: the politimester's
certificate in the byrådsleder's field, or another body's ordfører. Each signatory field carries
the name printed in the signature block (its /TM, written at build time and covered by the first
signature); the certificate must be that person's — given name and surname, Unicode-normalised and
case-folded, middle names allowed on either side. Where referatbygg.toml pins a role (a certificate
fingerprint, an organisation identifier, or a name to expect instead), the pin decides.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass

from asn1crypto import x509


@dataclass(frozen=True)
class Pin:
    """What a role's signer must be, from referatbygg.toml ``[signers.<role>.identity]``."""

    name: str | None = None
    organisation_id: str | None = None
    fingerprint: str | None = None  # SHA-256 of the certificate, hex (colons and case ignored)


@dataclass(frozen=True)
class Expected:
    role: str
    name: str  # as printed in the signature block ("" when it names no one)
    pin: Pin | None = None


def holder(cert: x509.Certificate) -> str:
    """The certificate holder's name as people read it (given name and surname, else CN)."""
    subject = cert.subject.native
    given, surname = subject.get("given_name"), subject.get("surname")
    if given and surname:
        return f"{_one(given)} {_one(surname)}"
    return _one(subject.get("common_name", "")) or cert.subject.human_friendly


def _one(value: object) -> str:
    return str(value[0] if isinstance(value, list) else value)


def _tokens(name: str) -> list[str]:
    return unicodedata.normalize("NFKC", name).casefold().split()


def same_person(expected: str, cert: x509.Certificate) -> bool:
    """The first given name and the last surname agree, and every name of the shorter form
    is in the longer (a middle name may be left out on either side)."""
    want = _tokens(expected)
    have = _tokens(holder(cert))
    if not want or not have:
        return False
    short, long = sorted((want, have), key=len)
    return want[0] == have[0] and want[-1] == have[-1] and all(t in long for t in short)


def fingerprint(cert: x509.Certificate) -> str:
    return hashlib.sha256(cert.dump()).hexdigest()


def _organisation_id(cert: x509.Certificate) -> str | None:
    for rdn in cert.subject.chosen:
        for attr in rdn:
            if attr["type"].dotted == "2.5.4.97":  # organizationIdentifier (eIDAS)
                return str(attr["value"].native)
    return None


def problem(expected: Expected, cert: x509.Certificate) -> str | None:
    """A sentence naming both people when the signer is not who the role expects; else None."""
    who = holder(cert)
    pin = expected.pin
    if pin is not None and pin.fingerprint:
        want = pin.fingerprint.replace(":", "").lower()
        if fingerprint(cert) != want:
            return (
                f"signed with {who}'s certificate, not the certificate referatbygg.toml pins for "
                f"{expected.role} (SHA-256 {want[:16]}…)"
            )
        return None
    if pin is not None and pin.organisation_id:
        found = _organisation_id(cert)
        if found != pin.organisation_id:
            return (
                f"signed by {who} ({found or 'no organisation identifier'}), not by the "
                f"organisation referatbygg.toml pins for {expected.role} ({pin.organisation_id})"
            )
        return None
    name = pin.name if pin is not None and pin.name else expected.name
    if not name:
        return None  # the block names no one and nothing is pinned: see Expected, reported apart
    if not same_person(name, cert):
        return (
            f"the signature block names {name} as {expected.role}, but the certificate is {who}'s"
        )
    return None
