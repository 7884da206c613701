"""A remote signing service on 127.0.0.1 that speaks the CSC API v2 (2.0.0.2), for the tests.

The credentials are the certomancer PKI's keys and certificates. OAuth2 client credentials give an
access token; every signature needs an explicit authorisation with the credential's PIN, which
yields Signature Activation Data (SAD) bound to the hashes it authorises (SCAL2); ``signHash``
signs only those hashes. Errors are CSC's: HTTP 400/401 with ``error`` and ``error_description``.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, utils
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

CLIENT_ID, CLIENT_SECRET = "referatbygg", "klient-hemmelighet"


@dataclass
class Credential:
    key: Any
    chain: list[bytes]  # DER, the signer's certificate first
    pin: str


@dataclass
class Service:
    credentials: dict[str, Credential]
    tokens: set[str] = field(default_factory=set)
    sads: dict[str, tuple[str, set[str]]] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)

    def __call__(self, environ: Any, start_response: Any) -> Any:
        request = Request(environ)
        self.calls.append(request.path)
        try:
            body = self.route(request)
            response = Response(json.dumps(body), content_type="application/json")
        except Refused as exc:
            response = Response(
                json.dumps({"error": exc.error, "error_description": exc.description}),
                status=exc.status, content_type="application/json",
            )  # fmt: skip
        return response(environ, start_response)

    def route(self, request: Request) -> dict[str, Any]:
        if request.path == "/oauth2/token":
            form = request.form
            if (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
                raise Refused(400, "invalid_client", "unknown client or wrong client secret")
            token = secrets.token_hex(16)
            self.tokens.add(token)
            return {"access_token": token, "token_type": "Bearer", "expires_in": 3600}
        if request.headers.get("Authorization", "").removeprefix("Bearer ") not in self.tokens:
            raise Refused(401, "invalid_token", "the access token is missing or not valid")
        data = json.loads(request.data or b"{}")
        handlers = {
            "/csc/v2/credentials/info": self.info,
            "/csc/v2/credentials/authorize": self.authorize,
            "/csc/v2/signatures/signHash": self.sign_hash,
        }
        if request.path not in handlers:
            raise Refused(404, "invalid_request", f"no endpoint {request.path}")
        return handlers[request.path](data)

    def credential(self, data: dict[str, Any]) -> Credential:
        found = self.credentials.get(data.get("credentialID", ""))
        if found is None:
            raise Refused(400, "invalid_request", "Invalid parameter credentialID")
        return found

    def info(self, data: dict[str, Any]) -> dict[str, Any]:
        cred = self.credential(data)
        algo = "1.2.840.10045.2.1" if isinstance(cred.key, ec.EllipticCurvePrivateKey) else (
            "1.2.840.113549.1.1.1")  # fmt: skip
        return {
            "key": {"status": "enabled", "algo": [algo], "len": cred.key.key_size},
            "cert": {"status": "valid",
                     "certificates": [base64.b64encode(c).decode() for c in cred.chain]},
            "authMode": "explicit", "SCAL": "2", "multisign": 1,
        }  # fmt: skip

    def authorize(self, data: dict[str, Any]) -> dict[str, Any]:
        cred = self.credential(data)
        pin = next((a.get("value") for a in data.get("authData", []) if a.get("id") == "PIN"), "")
        if pin != cred.pin:
            raise Refused(400, "invalid_request", "the PIN is wrong: authorisation refused")
        sad = secrets.token_hex(16)
        self.sads[sad] = (data["credentialID"], set(data.get("hashes", [])))
        return {"SAD": sad, "expiresIn": 300}

    def sign_hash(self, data: dict[str, Any]) -> dict[str, Any]:
        cred = self.credential(data)
        authorised = self.sads.pop(data.get("SAD", ""), None)
        if authorised is None or authorised[0] != data["credentialID"]:
            raise Refused(400, "invalid_request", "Invalid SAD")
        if not set(data.get("hashes", [])) <= authorised[1]:
            raise Refused(400, "invalid_request", "the hashes were not authorised")
        out = []
        for value in data["hashes"]:
            digest = base64.b64decode(value)
            if isinstance(cred.key, ec.EllipticCurvePrivateKey):
                sig = cred.key.sign(digest, ec.ECDSA(utils.Prehashed(hashes.SHA256())))
            else:
                sig = cred.key.sign(digest, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))
            out.append(base64.b64encode(sig).decode())
        return {"signatures": out}


class Refused(Exception):
    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status, self.error, self.description = status, error, description


def credential(keys: Path, cert: Path, chain: list[Path], pin: str) -> Credential:
    key = serialization.load_pem_private_key(keys.read_bytes(), None)
    ders = [serialization.Encoding.DER]
    from cryptography import x509

    certs = [x509.load_pem_x509_certificate(p.read_bytes()).public_bytes(ders[0])
             for p in (cert, *chain)]  # fmt: skip
    return Credential(key, certs, pin)


class Running:
    """The service served in a thread; ``url`` is its base URL."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.server = make_server("127.0.0.1", 0, service, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
