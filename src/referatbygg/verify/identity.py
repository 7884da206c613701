"""Who signed: the certificate's holder against the person the signature block names.

A signature can be valid and trusted and still be the wrong person's: the politimester's
certificate in the byrådsleder's field, or another body's ordfører. Who should sign comes from
outside the signed file — the meeting's signatories as its body and meeting files name them (the
build report records them), or the receiving archive's profile — and the certificate must be that
person's: given name and surname, Unicode-normalised and case-folded, middle names allowed on
either side. Where referatbygg.toml pins a role (a certificate fingerprint, an organisation
identifier, or a name to expect instead), the pin decides.

Without an outside expectation the name the signature block printed when the document was built
(its /TM in the revision before the first signature) stands in: no signer can have written it —
the name in a field read from a signer's own revision is that signer's word (KNOWN-PITFALLS).
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
    """Who should sign for ``role``: ``name`` from outside the signed file when ``outside`` (the
    meeting's signatories, the receiving archive's profile), else the name the document printed
    when it was built."""

    role: str
    name: str  # "" when nobody is named
    pin: Pin | None = None
    outside: bool = False
    printed: str = ""  # the signature block's name, as built (shown, never trusted alone)


def holder(cert: x509.Certificate) -> str:
    """The certificate holder's name as people read it (given name and surname, else CN)."""
    subject = cert.subject.native
    given, surname = subject.get("given_name"), subject.get("surname")
    if given and surname:
        return f"{_one(given)} {_one(surname)}"
    return _one(subject.get("common_name", "")) or cert.subject.human_friendly


def issuer(cert: x509.Certificate) -> str:
    """The issuing authority as people read it: its common name, else its whole name."""
    name = cert.issuer.native
    return _one(name.get("common_name", "")) or cert.issuer.human_friendly


# ETSI EN 319 411-2 policies: a qualified certificate for a natural person on a qualified
# signature creation device (what Norway's "Person-Høy" smartcards and remote signing are),
# one without the device, and one for a legal person (enterprise certificate).
_POLICIES = {
    "0.4.0.194112.1.2": "PH",  # QCP-n-qscd
    "0.4.0.194112.1.0": "PS",  # QCP-n
    "0.4.0.194112.1.1": "V",  # QCP-l
    "0.4.0.194112.1.3": "V",  # QCP-l-qscd
}


def assurance(cert: x509.Certificate) -> str:
    """The assurance level the certificate's policies state ('PH', 'PS', 'V'), "" when none
    of them is one of ETSI's qualified policies: never guessed from names."""
    try:
        policies = cert.certificate_policies_value
    except ValueError:
        return ""
    found = [_POLICIES.get(p["policy_identifier"].dotted, "") for p in policies or []]
    return next((f for f in found if f), "")


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
        return None  # nobody is named and nothing is pinned: see Expected, reported apart
    if same_person(name, cert):
        return None
    if expected.outside:
        return f"{name} should sign as {expected.role}, but the certificate is {who}'s"
    return f"the signature block names {name} as {expected.role}, but the certificate is {who}'s"
