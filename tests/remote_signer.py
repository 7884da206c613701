"""A signing service in a separate process: it sees only the request file and its own key.

    python tests/remote_signer.py REQUEST.json KEY.pem CERT.pem raw|cms ANSWER.json

``raw`` signs the request's signed attributes (an HSM or a service that signs hashes); ``cms``
makes a whole CMS signature over the document digest (a service that returns CAdES).
"""

from __future__ import annotations

import asyncio
import base64
import json
import sys
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa


def main(request_file: str, key_file: str, cert_file: str, mode: str, answer_file: str) -> int:
    request = json.loads(Path(request_file).read_text(encoding="utf-8"))
    if mode == "raw":
        key = serialization.load_pem_private_key(Path(key_file).read_bytes(), None)
        data = base64.b64decode(request["signed_attributes"])
        if isinstance(key, ec.EllipticCurvePrivateKey):
            value = key.sign(data, ec.ECDSA(hashes.SHA256()))
        else:
            assert isinstance(key, rsa.RSAPrivateKey)
            value = key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        answer = {"id": request["id"], "signature": base64.b64encode(value).decode()}
    else:
        from pyhanko.sign import signers

        signer = signers.SimpleSigner.load(key_file, cert_file)
        assert signer is not None
        content = asyncio.run(signer.async_sign(
            bytes.fromhex(request["document_digest"]), "sha256", use_pades=True
        ))  # fmt: skip
        answer = {"id": request["id"], "cms": base64.b64encode(content.dump()).decode()}
    Path(answer_file).write_text(json.dumps(answer), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
