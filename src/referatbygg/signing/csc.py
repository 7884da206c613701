"""Remote signing over the Cloud Signature Consortium API v2 (CSC API 2.0.0.2).

European remote signing services expose this API: a credential (key and certificate) held by the
service, an OAuth2 access token for the client, an explicit authorisation of each signature
(``credentials/authorize``, with the signatory's PIN or one-time code) that yields Signature
Activation Data bound to the hashes to sign, and ``signatures/signHash``. pyHanko's own
``CSCSigner`` speaks version 1 of the API, so this module implements the few v2 calls a PAdES
signature needs, as a pyHanko ``Signer``: pyHanko builds the CMS, the service signs its hash.

Secrets — the access token, the client secret, the PIN — come from the environment variables the
configuration names; none of them reaches a log or an error message.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from asn1crypto import x509
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from ..config import CscSignerConfig
from ..errors import SigningError

log = logging.getLogger(__name__)

SHA256 = "2.16.840.1.101.3.4.2.1"
SIGN_ALGOS = {"ec": "1.2.840.10045.4.3.2", "rsa": "1.2.840.113549.1.1.11"}  # with SHA-256


class Client:
    """A CSC v2 service: its base URL and an access token (given, or by client credentials)."""

    def __init__(self, entry: CscSignerConfig, role: str) -> None:
        self.base = entry.url.rstrip("/")
        self.role = role
        self.timeout = entry.timeout
        self.token = self._token(entry)

    def _token(self, entry: CscSignerConfig) -> str:
        if entry.token_env:
            token = os.environ.get(entry.token_env)
            if not token:
                raise SigningError(f"{self.role}: set {entry.token_env} to the access token")
            return token
        if not (entry.client_id_env and entry.client_secret_env):
            raise SigningError(
                f"{self.role}: the signing service needs token_env, or client_id_env and "
                "client_secret_env ([signers.<role>.csc])"
            )
        form = {
            "grant_type": "client_credentials",
            "client_id": os.environ.get(entry.client_id_env, ""),
            "client_secret": os.environ.get(entry.client_secret_env, ""),
        }
        answer = self._post(
            f"{self.base}/oauth2/token", urllib.parse.urlencode(form).encode(),
            "application/x-www-form-urlencoded", "the service did not accept the client "
            "credentials",
        )  # fmt: skip
        token = answer.get("access_token")
        if not isinstance(token, str):
            raise SigningError(f"{self.role}: the signing service gave no access token")
        return token

    def call(self, endpoint: str, body: dict[str, Any], refused: str) -> dict[str, Any]:
        return self._post(
            f"{self.base}/csc/v2/{endpoint}", json.dumps(body).encode(), "application/json",
            refused, {"Authorization": f"Bearer {self.token}"},
        )  # fmt: skip

    def _post(
        self, url: str, data: bytes, kind: str, refused: str, headers: dict[str, str] | None = None
    ) -> dict[str, Any]:
        request = urllib.request.Request(
            url, data=data, method="POST", headers={"Content-Type": kind, **(headers or {})}
        )
        log.info("CSC: POST %s", url)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            raise SigningError(f"{self.role}: {refused}: {_reason(exc)}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise SigningError(
                f"{self.role}: the signing service at {self.base} cannot be reached "
                f"({getattr(exc, 'reason', exc)})"
            ) from None
        if not isinstance(answer, dict):
            raise SigningError(f"{self.role}: the signing service answered something unusable")
        return answer


def _reason(exc: urllib.error.HTTPError) -> str:
    """The service's own words (CSC errors are JSON: error, error_description)."""
    try:
        body = json.loads(exc.read() or b"{}")
        return str(body.get("error_description") or body.get("error") or f"HTTP {exc.code}")
    except ValueError:
        return f"HTTP {exc.code}"


class CscSigner(signers.Signer):
    """pyHanko builds the CMS; the service signs the hash of its signed attributes, each
    signature authorised explicitly (SCAL2: the authorisation names the hash)."""

    def __init__(self, client: Client, entry: CscSignerConfig) -> None:
        self.client = client
        self.credential = entry.credential_id
        self.pin_env = entry.pin_env
        info = client.call(
            "credentials/info",
            {"credentialID": self.credential, "certificates": "chain", "certInfo": True},
            f"the signing service does not offer the credential '{self.credential}'",
        )
        chain = [x509.Certificate.load(base64.b64decode(c))
                 for c in info.get("cert", {}).get("certificates", [])]  # fmt: skip
        if not chain:
            raise SigningError(
                f"{client.role}: the credential '{self.credential}' has no certificate"
            )
        self.key_kind = "ec" if chain[0].public_key.algorithm == "ec" else "rsa"
        super().__init__(
            signing_cert=chain[0], cert_registry=SimpleCertificateStore.from_certs(chain)
        )

    async def async_sign_raw(
        self, data: bytes, digest_algorithm: str, dry_run: bool = False
    ) -> bytes:
        if dry_run:  # pyHanko sizes the signature first: the largest value either key gives
            return bytes(512)
        digest = base64.b64encode(hashlib.new(digest_algorithm, data).digest()).decode()
        auth: dict[str, Any] = {
            "credentialID": self.credential, "numSignatures": 1, "hashes": [digest],
            "hashAlgorithmOID": SHA256,
        }  # fmt: skip
        if self.pin_env:
            auth["authData"] = [{"id": "PIN", "value": os.environ.get(self.pin_env, "")}]
        sad = self.client.call(
            "credentials/authorize", auth, "the signing service refused to authorise the signature"
        ).get("SAD")
        signed = self.client.call(
            "signatures/signHash",
            {"credentialID": self.credential, "SAD": sad, "hashes": [digest],
             "hashAlgorithmOID": SHA256, "signAlgo": SIGN_ALGOS[self.key_kind],
             "operationMode": "S"},
            "the signing service refused to sign",
        )  # fmt: skip
        values = signed.get("signatures") or []
        if len(values) != 1:
            raise SigningError(f"{self.client.role}: the signing service returned no signature")
        return base64.b64decode(values[0])


def open_signer(entry: CscSignerConfig, role: str) -> CscSigner:
    return CscSigner(Client(entry, role), entry)
