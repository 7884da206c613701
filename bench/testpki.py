"""The benchmarks' signing set-up: the certomancer test PKI served on 127.0.0.1 behind a proxy
that counts the requests, a software token, and a config file that uses them."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests")]

from pki import P12_PASS, PIN, CertPki, Proxy, free_port, make_pki, make_token  # noqa: E402


@dataclass
class Signing:
    pki: CertPki
    proxy: Proxy
    config: Path  # a referatbygg.toml signing with the PKI's certificates


@contextlib.contextmanager
def serving(work: Path) -> Iterator[Signing]:
    """The PKI, proxy and token for a run in ``work`` (its demo PKI and runtime folder there
    too: revocation data shared between commands starts empty)."""
    os.environ["REFERATBYGG_DEMO_PKI"] = str(work / "demo-pki")
    (work / "run").mkdir(mode=0o700)
    os.environ["REFERATBYGG_RUNTIME_DIR"] = str(work / "run")
    proxy_port = free_port()
    pki = make_pki(work / "pki", port=proxy_port)  # certificate URLs point at the proxy
    pki.serve_port = free_port()
    os.environ.update({"RB_TEST_P12": P12_PASS, "RB_TEST_PIN": PIN})
    os.environ.update(make_token(pki, work / "pki"))
    pki.start()
    proxy = Proxy(proxy_port, pki.serve_port)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        yield Signing(pki, proxy, pki.config(work))
    finally:
        proxy.shutdown()
        pki.stop()
