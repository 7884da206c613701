"""Project configuration (``referatbygg.toml``): signers per role, TSA, trust roots, level.

With no configuration file, signing uses the demo PKI (:mod:`referatbygg.demopki`): test
certificates and an in-process timestamp authority, so the seed meeting signs out of the box —
visibly marked as a test signature. Secrets never live here: a passphrase or PIN is read from
the environment variable the config names, or asked for at a prompt.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from .meeting.filing import Journalposttype, OrgNumber
from .meeting.load import read_toml, validate
from .meeting.model import RoleId, Strict

if TYPE_CHECKING:  # the signing stack is not loaded to read a configuration (check reads it)
    from .verify.identity import Pin

Level = Literal["B-T", "B-LT", "B-LTA"]
DEFAULT_FILE = Path("referatbygg.toml")


class Pkcs12Signer(Strict):
    pkcs12: Path = Field(description="The PKCS#12 (.p12/.pfx) file.")
    passphrase_env: str | None = Field(
        default=None, description="Environment variable with the passphrase (else: prompt)."
    )


class Pkcs11Signer(Strict):
    module: Path = Field(description="PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so.")
    token_label: str
    key_label: str
    cert_label: str | None = None
    pin_env: str | None = Field(default=None, description="Environment variable with the PIN.")
    raw_mechanism: bool = Field(
        default=False,
        description="Hash in software, sign raw on the token (SoftHSM2 has no CKM_ECDSA_SHA256).",
    )


class CscSignerConfig(Strict):
    """A remote signing service over the CSC API v2: the signatory's credential there."""

    url: str = Field(description="The service's base URL (before /csc/v2/…).")
    credential_id: str = Field(description="The signatory's credential at the service.")
    token_env: str | None = Field(
        default=None, description="Environment variable with an OAuth2 access token."
    )
    client_id_env: str | None = Field(
        default=None, description="Environment variable with the OAuth2 client id."
    )
    client_secret_env: str | None = Field(
        default=None, description="Environment variable with the OAuth2 client secret."
    )
    pin_env: str | None = Field(
        default=None, description="Environment variable with the PIN that authorises a signature."
    )
    timeout: float = Field(default=30, gt=0, description="Seconds per request.")


class IdentityPin(Strict):
    """Who may sign for a role. Without a pin, the name the signature block prints must be the
    certificate holder's; with one, the pin decides."""

    name: str | None = Field(default=None, description="The holder's name to expect instead.")
    organisation_id: str | None = Field(
        default=None, description="organizationIdentifier in the certificate, e.g. NTRNO-…"
    )
    fingerprint: str | None = Field(
        default=None,
        pattern=r"^([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$",
        description="SHA-256 of the certificate, hex (colons allowed).",
    )

    @model_validator(mode="after")
    def _one(self) -> IdentityPin:
        given = [v for v in (self.name, self.organisation_id, self.fingerprint) if v]
        if len(given) != 1:
            raise ValueError("give exactly one of name, organisation_id or fingerprint")
        return self


class SignerConfig(Strict):
    """A role's signer. With no signing method here the role signs elsewhere: in another PDF
    tool (``receive``), or by deferred signing (``sign --prepare``/``--complete``)."""

    identity: IdentityPin | None = None
    pkcs12: Pkcs12Signer | None = None
    pkcs11: Pkcs11Signer | None = None
    csc: CscSignerConfig | None = None

    @model_validator(mode="after")
    def _one(self) -> SignerConfig:
        if sum(m is not None for m in (self.pkcs12, self.pkcs11, self.csc)) > 1:
            raise ValueError(
                "give at most one of [signers.<role>.pkcs12], [signers.<role>.pkcs11] or "
                "[signers.<role>.csc]"
            )
        return self

    @property
    def signs_here(self) -> bool:
        return any(m is not None for m in (self.pkcs12, self.pkcs11, self.csc))


class SigningConfig(Strict):
    level: Level = "B-LTA"
    tsa_url: str | None = Field(default=None, description="RFC 3161 timestamp authority.")
    trust_roots: tuple[Path, ...] = Field(default=(), description="PEM/DER root certificates.")
    other_certs: tuple[Path, ...] = Field(default=(), description="Intermediate certificates.")
    certify: bool = Field(
        default=True, description="First signature certifies (DocMDP: only signatures follow)."
    )
    allow_fetching: bool = Field(
        default=True, description="Fetch OCSP/CRL over the network while signing."
    )


class ArchiveProfile(Strict):
    """What the receiving archive expects: its identifiers and its code values. Where each
    body's minutes are filed is the body's (its ``[archive]``)."""

    organisation_number: OrgNumber | None = Field(
        default=None,
        description="The organisation's number in Enhetsregisteret (9 digits), for bodies "
        "whose file does not give it: names the organisation in every external key "
        "(referanseEksternNoekkel); archiving needs it.",
    )
    utvalg: dict[str, str] = Field(
        default_factory=dict,
        description="The archive's identifier of each body (utvalg), by body id; a body not "
        "listed is identified by its id.",
    )
    access_codes: dict[str, str] = Field(
        default_factory=dict,
        description="The archive's access code (tilgangsrestriksjon) per legal basis: keys are "
        "a law ('offl.') or a section ('offl. § 13'), the most specific that the basis names "
        "wins; of several bases the strictest (offl. § 13 before the other sections) is coded; "
        "exempt content whose basis none of them names is not archived. No default: the codes "
        "are the archive's.",
    )
    agreement_journalposttype: Journalposttype = Field(
        default="U",
        description="Journalposttype of an agreement's journal post (Noark: U, utgående — the "
        "signed agreement goes to the other parties, the korrespondanseparter; I, inngående; "
        "N or X, organinternt).",
    )
    public_version: Literal["variant", "document"] = Field(
        default="variant",
        description="The public version of exempt minutes: 'variant', a file of the minutes' "
        "own document (variantformat O, Noark's 'dokument hvor deler av innholdet er "
        "skjermet'); 'document', a document of its own in the registration.",
    )
    archived_by: str | None = Field(
        default=None, description="Who archives (opprettetAv): default the user running it."
    )
    fiks_io_account: str | None = Field(
        default=None, pattern=r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$",
        description="The receiving archive's Fiks IO account (a UUID), for the Fiks IO client.",
    )  # fmt: skip
    ttl_hours: int = Field(
        default=48, ge=1, le=24 * 14,
        description="How long Fiks IO keeps the message for the archive (hours).",
    )  # fmt: skip
    format_codes: dict[str, str] = Field(
        default_factory=dict,
        description="The archive's format code per format ('PDF/A-2b' = 'RA-PDF', 'DOCX' = "
        "'DOCX'); formats not listed are given by their PRONOM identifier.",
    )
    signers: dict[str, dict[RoleId, str]] = Field(
        default_factory=dict,
        description="Who may sign for each body, as the receiving archive knows it: by the "
        "body's identifier in arkivmelding (utvalg), each role's person. check-package compares "
        "every signature with it; a body not listed is checked against the names the document "
        "printed, and the verdict says so.",
    )


class Config(Strict):
    signing: SigningConfig = SigningConfig()
    archive: ArchiveProfile = ArchiveProfile()
    signers: dict[RoleId, SignerConfig] = Field(default_factory=dict)
    demo: bool = Field(default=False, description="Use the demo PKI (set when no file exists).")
    source: Path | None = None

    def pins(self) -> dict[str, Pin]:
        """The identity pins by role, for verify."""
        from .verify.identity import Pin

        return {
            role: Pin(s.identity.name, s.identity.organisation_id, s.identity.fingerprint)
            for role, s in self.signers.items()
            if s.identity is not None
        }

    def signs_here(self, role: str) -> bool:
        """Whether ``role`` can sign on this machine (the demo PKI signs every role)."""
        entry = self.signers.get(role)
        return self.demo or (entry is not None and entry.signs_here)

    @property
    def final_timestamp(self) -> bool:
        """Whether a document timestamp closes the signing (B-LTA; the demo always does)."""
        return self.demo or self.signing.level == "B-LTA"

    @property
    def signature_level(self) -> Level:
        """The PAdES level every signature must reach: B-LTA whenever a final timestamp closes
        the signing (the demo always does), else the configured level."""
        return "B-LTA" if self.final_timestamp else self.signing.level


def load_config(path: Path | None = None) -> Config:
    """Read ``path`` (or ./referatbygg.toml); without one, the demo configuration."""
    path = path or (DEFAULT_FILE if DEFAULT_FILE.is_file() else None)
    if path is None:
        return Config(demo=True)
    data, source = read_toml(path)
    config = validate(Config, data, path, source)
    base = path.resolve().parent

    def rel(p: Path) -> Path:
        return p if p.is_absolute() else base / p

    signers = {}
    for role, s in config.signers.items():
        if s.pkcs12:
            s = s.model_copy(
                update={"pkcs12": s.pkcs12.model_copy(update={"pkcs12": rel(s.pkcs12.pkcs12)})}
            )
        signers[role] = s
    signing = config.signing.model_copy(
        update={
            "trust_roots": tuple(rel(p) for p in config.signing.trust_roots),
            "other_certs": tuple(rel(p) for p in config.signing.other_certs),
        }
    )
    return config.model_copy(update={"signers": signers, "signing": signing, "source": path})
