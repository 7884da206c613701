"""A real test PKI for the signing tests: certomancer's TSA/OCSP/CRL on 127.0.0.1, and SoftHSM2."""

from __future__ import annotations

import http.client
import http.server
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

CONFIG = Path(__file__).parent / "resources/pki/certomancer.yml"
LABELS = [
    "root", "interm", "tsa", "ocsp", "byradsleder", "politimester",
    "expired", "notyet", "revoked", "rogue-root", "rogue", "rsasigner",
]  # fmt: skip
P12_PASS = "hemmelig-passord-æøå"
PIN = "914273"
SO_PIN = "5588446"
SOFTHSM = Path("/usr/lib/softhsm/libsofthsm2.so")
CERTOMANCER = Path(sys.executable).parent / "certomancer"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class CertPki:
    folder: Path
    port: int  # the port in the certificates' and services' URLs
    process: subprocess.Popen[bytes] | None = None
    serve_port: int | None = None  # where certomancer listens, if not ``port`` (behind a proxy)
    architecture: Path = CONFIG  # certomancer's configuration (a variant for one test)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cert(self, label: str) -> Path:
        return self.folder / "certs" / label_dir(label) / f"{label}.cert.pem"

    def pfx(self, label: str) -> Path:
        return self.folder / "certs" / label_dir(label) / f"{label}.pfx"

    def _certomancer(self, *args: str) -> list[str]:
        return [
            str(CERTOMANCER), "--config", str(self.architecture),
            "--key-root", str(self.folder / "keys"), "--service-url-prefix", self.url, *args,
        ]  # fmt: skip

    def start(self) -> None:
        listen = str(self.serve_port or self.port)
        self.process = subprocess.Popen(
            self._certomancer("animate", "--port", listen, "--no-web-ui"),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60  # generous: a loaded 2-core machine starts it slowly
        direct = f"http://127.0.0.1:{self.serve_port or self.port}"
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{direct}/testing-ca/crls/interm/latest.crl", timeout=2)
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("certomancer did not start")

    def stop(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, 9)
            self.process.wait()
            self.process = None

    def running(self) -> bool:
        try:
            urllib.request.urlopen(f"{self.url}/testing-ca/crls/interm/latest.crl", timeout=2)
            return True
        except OSError:
            return False

    def config(self, folder: Path, *, byradsleder: str = "byradsleder", extra: str = "") -> Path:
        """A referatbygg.toml: byradsleder with PKCS#12, politimester on the SoftHSM token."""
        path = folder / "referatbygg.toml"
        path.write_text(
            f"""
[signing]
level = "B-LTA"
tsa_url = "{self.url}/testing-ca/tsa/tsa"
trust_roots = ["{self.cert("root")}"]
other_certs = ["{self.cert("interm")}"]

[signers.byradsleder.pkcs12]
pkcs12 = "{self.pfx(byradsleder)}"
passphrase_env = "RB_TEST_P12"

[signers.politimester.pkcs11]
module = "{SOFTHSM}"
token_label = "referatbygg"
key_label = "politimester"
pin_env = "RB_TEST_PIN"
raw_mechanism = true
{extra}""",
            encoding="utf-8",
        )
        return path


def label_dir(label: str) -> str:
    """mass-summon groups certificates by issuer."""
    issuers = {"root": "root", "interm": "root", "tsa": "root", "rogue-root": "rogue-root",
               "rogue": "rogue-root"}  # fmt: skip
    return issuers.get(label, "interm")


def make_pki(folder: Path, port: int | None = None, architecture: Path = CONFIG) -> CertPki:
    keys = folder / "keys"
    keys.mkdir(parents=True)
    for label in LABELS:
        key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey = (
            rsa.generate_private_key(public_exponent=65537, key_size=2048)
            if label in ("tsa", "root", "interm", "rsasigner")
            else ec.generate_private_key(ec.SECP256R1())
        )
        (keys / f"{label}.key.pem").write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    pki = CertPki(folder, port or free_port(), architecture=architecture)
    summon = ["mass-summon", "--pfx-pass", P12_PASS, "testing-ca", str(folder / "certs")]
    subprocess.run(pki._certomancer(*summon), check=True, capture_output=True)
    return pki


def make_token(pki: CertPki, folder: Path) -> dict[str, str]:
    """A SoftHSM2 token 'referatbygg' holding politimester's key and certificate."""
    tokens = folder / "tokens"
    tokens.mkdir()
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\n")
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    subprocess.run(
        ["softhsm2-util", "--init-token", "--free", "--label", "referatbygg",
         "--pin", PIN, "--so-pin", SO_PIN],
        check=True, capture_output=True, env=env,
    )  # fmt: skip
    subprocess.run(
        pki._certomancer("alch", "--module", str(SOFTHSM), "--token-label", "referatbygg",
                         "--pin", PIN, "--cert", "politimester", "testing-ca"),
        check=True, capture_output=True, env=env,
    )  # fmt: skip
    return {"SOFTHSM2_CONF": str(conf)}


class Proxy(http.server.ThreadingHTTPServer):
    """In front of certomancer: counts the requests by kind (the path's second part: tsa, ocsp,
    crls) on their way, so that a test or a benchmark sees what was asked of the PKI."""

    def __init__(self, port: int, target: int) -> None:
        self.target = target
        self.counts: Counter[str] = Counter()
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", port), ProxyHandler)


class ProxyHandler(http.server.BaseHTTPRequestHandler):
    server: Proxy

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        kind = self.path.split("/")[2] if self.path.count("/") >= 2 else "other"
        with self.server.lock:
            self.server.counts[kind] += 1
        conn = http.client.HTTPConnection("127.0.0.1", self.server.target, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() in ("content-type",)}
        conn.request(self.command, self.path, body=body or None, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        self.send_response(resp.status)
        self.send_header(
            "Content-Type", resp.getheader("Content-Type") or "application/octet-stream"
        )
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _forward

    def log_message(self, *args: object) -> None:
        pass
