"""The demo PKI: lets the seed meeting be signed out of the box, clearly as a TEST.

Created on first use outside the repository (``$REFERATBYGG_DEMO_PKI``, else
``$XDG_DATA_HOME/referatbygg/demo-pki``): a root CA, a timestamp authority and one certificate per
body, role and person, every common name marked TEST (given name and surname as the signature
block prints them), keys readable by the owner only (0600). Timestamps come
from an in-process TSA with the demo TSA key, and revocation data is a fresh CRL from the demo root,
so signing needs no network. Never use it for real minutes: verify reports it as a test root.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CRL_URL = "http://127.0.0.1:9/referatbygg-demo.crl"  # never fetched: the CRL is supplied inline
ORG = "referatbygg TEST"


def default_dir() -> Path:
    if os.environ.get("REFERATBYGG_DEMO_PKI"):
        return Path(os.environ["REFERATBYGG_DEMO_PKI"])
    data = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local/share")
    return data / "referatbygg" / "demo-pki"


def _name(cn: str, person: str | None = None) -> x509.Name:
    """The subject: TEST in the common name; a person's given name and surname beside it, as
    personal certificates carry them (verify compares those with the signature block)."""
    attrs = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "NO"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORG),
        x509.NameAttribute(NameOID.COMMON_NAME, cn),
    ]
    if person and len(person.split()) > 1:
        *given, surname = person.split()
        attrs += [
            x509.NameAttribute(NameOID.GIVEN_NAME, " ".join(given)),
            x509.NameAttribute(NameOID.SURNAME, surname),
        ]
    return x509.Name(attrs)


def _slug(text: str) -> str:
    import hashlib
    import re

    plain = re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")[:40]
    return f"{plain}-{hashlib.sha256(text.encode()).hexdigest()[:8]}"


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def _key_pem(key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


class DemoPki:
    """Files of the demo PKI in ``folder``; created when missing."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or default_dir()
        if not (self.folder / "root.crt").is_file():
            self._create()

    # -- creation --------------------------------------------------------------------------------

    def _create(self) -> None:
        self.folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".demo-pki-", dir=self.folder.parent))
        tmp.chmod(0o700)
        now = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
        root_key = ec.generate_private_key(ec.SECP256R1())
        root = (
            x509.CertificateBuilder()
            .subject_name(_name("referatbygg TEST Root CA"))
            .issuer_name(_name("referatbygg TEST Root CA"))
            .public_key(root_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(_usage(cert_sign=True), critical=True)
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False
            )
            .sign(root_key, hashes.SHA256())
        )
        (tmp / "root.crt").write_bytes(root.public_bytes(serialization.Encoding.PEM))
        _write_private(tmp / "root.key", _key_pem(root_key))
        self._issue(tmp, "tsa", "referatbygg TEST Tidsstempel", root, root_key, tsa=True)
        try:
            tmp.rename(self.folder)
        except OSError:  # another process made it first: use theirs
            for f in tmp.iterdir():
                f.unlink()
            tmp.rmdir()

    def _issue(
        self,
        folder: Path,
        stem: str,
        cn: str,
        issuer: x509.Certificate,
        issuer_key: ec.EllipticCurvePrivateKey,
        *,
        tsa: bool = False,
        person: str | None = None,
    ) -> None:
        # pyHanko's in-process timestamper signs with RSA only; everything else uses P-256.
        key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey = (
            rsa.generate_private_key(public_exponent=65537, key_size=2048)
            if tsa
            else ec.generate_private_key(ec.SECP256R1())
        )
        now = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(cn, person))
            .issuer_name(issuer.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=3 * 365))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_usage(non_repudiation=not tsa), critical=True)
            .add_extension(x509.CRLDistributionPoints([_crl_point()]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                critical=False,
            )
        )
        if tsa:
            builder = builder.add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
            )
        cert = builder.sign(issuer_key, hashes.SHA256())
        (folder / f"{stem}.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        _write_private(folder / f"{stem}.key", _key_pem(key))

    # -- use -------------------------------------------------------------------------------------

    @property
    def root_cert(self) -> Path:
        return self.folder / "root.crt"

    def _root(self) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
        cert = x509.load_pem_x509_certificate(self.root_cert.read_bytes())
        key = serialization.load_pem_private_key((self.folder / "root.key").read_bytes(), None)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        return cert, key

    def tsa(self) -> tuple[Path, Path]:
        return self.folder / "tsa.crt", self.folder / "tsa.key"

    def signer(
        self, role: str, name: str | None, title: str, body: str = "organ"
    ) -> tuple[Path, Path]:
        """(certificate, key) for one person in one role of one body, issued on first use: the
        ordfører of one body is not the ordfører of another."""
        stem = f"signer-{body}-{role}-{_slug(name or title)}"
        cert = self.folder / f"{stem}.crt"
        if not cert.is_file():
            root, root_key = self._root()
            who = f"TEST {name}" if name else f"TEST {title}"
            self._issue(self.folder, stem, who, root, root_key, person=name)
        return cert, self.folder / f"{stem}.key"

    def crl(self) -> bytes:
        """A fresh, empty CRL from the demo root (DER)."""
        root, root_key = self._root()
        now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
        crl = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(root.subject)
            .last_update(now)
            .next_update(now + dt.timedelta(days=30))
            .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
                critical=False,
            )
            .sign(root_key, hashes.SHA256())
        )
        return crl.public_bytes(serialization.Encoding.DER)


def _crl_point() -> x509.DistributionPoint:
    return x509.DistributionPoint([x509.UniformResourceIdentifier(CRL_URL)], None, None, None)


def _usage(*, cert_sign: bool = False, non_repudiation: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=non_repudiation,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )
