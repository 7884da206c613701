"""Revocation data shared between one user's commands for a while; one TLS context per process.

A process keeps its validation context for REFERATBYGG_TRUST_TTL seconds (trust.py), so a batch
fetches OCSP responses and CRLs for the same signers once. A new command — each `referatbygg
sign` of a signatory, each command served by the background service in a freshly forked
worker — would fetch them again. Here what was fetched is kept in the user's private runtime
folder (0700, the service's) for the same time, and read back by the next command.

Why this does not weaken the checks: OCSP responses and CRLs are signed by their issuers, and
pyhanko-certvalidator checks them as it checks fetched ones — signature, issuer, freshness at
the validation time; they usually come over plain HTTP, so a copy in a folder only this user
can write is no easier to forge than the network. What the cache changes is how recent the
data is: up to ``ttl`` seconds older than a fresh fetch (10 minutes by default), as inside one
process already — well within the hours a CRL or a pre-produced OCSP response is published for.
Only successful OCSP responses and CRLs that stay good for MARGIN more are read back. Entries
are keyed by the whole certificate (its SHA-256) and, for OCSP, the responder's name and key:
another CA with the same names and serial numbers (a test PKI made again) never gets this one's.

How long a response stays good is its own business, not the file's age: a verifier judges the
signature it serves at the signature's timestamp, which comes after the response was handed
out (seconds later; minutes on a loaded machine), and takes it only up to its nextUpdate (or 30
minutes after its thisUpdate without one — pyhanko-certvalidator's default). Many responders
answer for ten minutes. So a response is handed out again only while MARGIN of that is left,
and a process's validation context — which never fetches again for a certificate it has an
answer for — is dropped when the first answer it holds comes within MARGIN of its end
(`SharedFetchers.life`, read by trust.py). Found by a 1,000-meeting batch on a busy machine:
a context kept for ten minutes, holding an answer read from the store near the end of its own
ten, signed meetings whose answers had lapsed by their timestamps; 203 were not B-LTA.

Not shared: the token pyHanko asks the TSA for to size a signature. It also tells pyHanko which
TSA certificates to embed validation data for, and a TSA that renewed its certificate would
then get the old one's.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import json
import logging
import ssl
import time
from collections.abc import AsyncIterator, Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import certifi
from asn1crypto import crl, ocsp
from pyhanko.sign import timestamps
from pyhanko_certvalidator.authority import Authority
from pyhanko_certvalidator.fetchers import (
    CRLFetcher,
    FetcherBackend,
    Fetchers,
    OCSPFetcher,
    OwnedFetcherBackend,
)
from pyhanko_certvalidator.fetchers.aiohttp_fetchers.util import LazySession
from pyhanko_certvalidator.policy_decl import FRESHNESS_FALLBACK_VALIDITY_DEFAULT

from ..fsutil import write_atomic
from ..runtime import Unsafe, private_dir

log = logging.getLogger(__name__)


class Store:
    """DER objects by key, one file each, read back while younger than ``ttl`` seconds."""

    def __init__(self, folder: Path, ttl: float) -> None:
        self.folder = folder
        self.ttl = ttl

    def _path(self, kind: str, key: object) -> Path:
        return self.folder / f"{kind}-{hashlib.sha256(repr(key).encode()).hexdigest()[:40]}.json"

    def get(self, kind: str, key: object) -> list[bytes] | None:
        path = self._path(kind, key)
        try:
            if time.time() - path.stat().st_mtime >= self.ttl:
                return None
            return [base64.b64decode(d) for d in json.loads(path.read_bytes())["der"]]
        except (OSError, ValueError, KeyError, TypeError):
            return None  # missing, old, or half-readable: fetch as if it were not there

    def put(self, kind: str, key: object, ders: Iterable[bytes]) -> None:
        body = json.dumps({"der": [base64.b64encode(d).decode() for d in ders]}).encode()
        with contextlib.suppress(OSError):  # a full disk costs a fetch next time, nothing else
            write_atomic(self._path(kind, key), body)  # readers see a whole file or none


def store(ttl: float) -> Store | None:
    """The user's store, or None where there is no private folder for it (or ``ttl`` is 0)."""
    if ttl <= 0:
        return None
    try:
        folder = private_dir() / "trust"
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=0o700)
    except (Unsafe, OSError) as exc:
        log.debug("no shared trust data: %s", exc)
        return None
    return Store(folder, ttl)


# What a response handed out again must have left (see above): the signature it serves is
# timestamped after it, and verified at that timestamp.
MARGIN = timedelta(minutes=5)


def _last_use(window: tuple[datetime | None, datetime | None]) -> datetime:
    """The last moment revocation data with this (thisUpdate, nextUpdate) is handed out or kept:
    MARGIN before a verifier stops taking it — at its nextUpdate, or pyhanko-certvalidator's 30
    minutes after its thisUpdate without one. Data that says neither is never kept."""
    this_update, next_update = window
    if next_update is None and this_update is not None:
        next_update = this_update + FRESHNESS_FALLBACK_VALIDITY_DEFAULT
    return datetime.min.replace(tzinfo=UTC) if next_update is None else next_update - MARGIN


def _usable(der: bytes, load: Callable[[bytes], Any], window: Callable[[Any], Any]) -> Any:
    """``der`` parsed, or None when it does not parse or has less than MARGIN left (then it is
    fetched again). asn1crypto parses lazily and fails with several kinds of error."""
    try:
        obj = load(der)
        return obj if _last_use(window(obj)) > datetime.now(UTC) else None
    except Exception:
        return None


class Lifetime:
    """The first moment one of the answers a context holds comes within MARGIN of its end."""

    def __init__(self) -> None:
        self.until: datetime | None = None

    def holds(self, window: tuple[datetime | None, datetime | None]) -> None:
        last = _last_use(window)
        if self.until is None or last < self.until:
            self.until = last

    def over(self) -> bool:
        return self.until is not None and datetime.now(UTC) >= self.until


def _whole(load: Callable[[bytes], Any]) -> Callable[[bytes], Any]:
    """A loader that parses everything now (small objects), so that a bad copy is found here."""

    def parse(der: bytes) -> Any:
        obj = load(der)
        obj.native  # noqa: B018 — the parse itself is the point
        return obj

    return parse


def _ocsp_window(response: ocsp.OCSPResponse) -> tuple[Any, Any]:
    """thisUpdate and nextUpdate of the (first) answer; (None, None) for an error response."""
    try:
        single = response["response_bytes"]["response"].parsed["tbs_response_data"]["responses"][0]
        return single["this_update"].native, single["next_update"].native
    except Exception:
        return None, None


def _cert_key(cert: Any) -> str:
    return hashlib.sha256(cert.dump()).hexdigest()


class _SharedOcsp(OCSPFetcher):
    def __init__(self, inner: OCSPFetcher, store: Store | None, life: Lifetime) -> None:
        self.inner, self.store, self.life = inner, store, life
        self.read: dict[str, set[ocsp.OCSPResponse]] = {}

    async def fetch(self, cert: Any, authority: Authority) -> ocsp.OCSPResponse:
        key = (_cert_key(cert), repr(authority.hashable))
        for der in (self.store.get("ocsp", key) if self.store else None) or ():
            if kept := _usable(der, _whole(ocsp.OCSPResponse.load), _ocsp_window):
                self.read.setdefault(key[0], set()).add(kept)
                self.life.holds(_ocsp_window(kept))
                return kept
        response = await self.inner.fetch(cert, authority)
        if response["response_status"].native == "successful":
            self.life.holds(_ocsp_window(response))
            if self.store:
                self.store.put("ocsp", key, [response.dump()])
        return response

    def fetched_responses(self) -> Iterable[ocsp.OCSPResponse]:
        return {*self.inner.fetched_responses(), *(r for rs in self.read.values() for r in rs)}

    def fetched_responses_for_cert(self, cert: Any) -> Iterable[ocsp.OCSPResponse]:
        return {*self.inner.fetched_responses_for_cert(cert), *self.read.get(_cert_key(cert), ())}


def _crl_window(crl_: crl.CertificateList) -> tuple[Any, Any]:
    tbs = crl_["tbs_cert_list"]
    return tbs["this_update"].native, tbs["next_update"].native


class _SharedCrl(CRLFetcher):
    def __init__(self, inner: CRLFetcher, store: Store | None, life: Lifetime) -> None:
        self.inner, self.store, self.life = inner, store, life
        self.read: dict[str, list[crl.CertificateList]] = {}

    async def fetch(self, cert: Any, *, use_deltas: Any = None) -> Iterable[crl.CertificateList]:
        key = (_cert_key(cert), use_deltas)
        if key[0] in self.read:
            return self.read[key[0]]
        ders = (self.store.get("crl", key) if self.store else None) or []
        kept = [_usable(d, crl.CertificateList.load, _crl_window) for d in ders]
        if kept and all(kept):
            self.read[key[0]] = kept
            for c in kept:
                self.life.holds(_crl_window(c))
            return kept
        lists = list(await self.inner.fetch(cert, use_deltas=use_deltas))
        for c in lists:
            self.life.holds(_crl_window(c))
        if lists and self.store:
            self.store.put("crl", key, [c.dump() for c in lists])
        return lists

    def fetched_crls(self) -> Iterable[crl.CertificateList]:
        return [*self.inner.fetched_crls(), *(c for cs in self.read.values() for c in cs)]

    def fetched_crls_for_cert(self, cert: Any) -> Iterable[crl.CertificateList]:
        if _cert_key(cert) in self.read:
            return self.read[_cert_key(cert)]
        return self.inner.fetched_crls_for_cert(cert)  # KeyError when never fetched, as asked


# --- HTTP sessions -------------------------------------------------------------------------------


@functools.cache
def _tls() -> ssl.SSLContext:
    """The CA bundle pyHanko's HTTP clients load, loaded once per process: they build a new
    context for every session — every timestamp request — at 15–20 ms of CPU each."""
    return ssl.create_default_context(cafile=certifi.where())


class _Sessions(LazySession):
    """pyHanko's lazy aiohttp session (created in the event loop that uses it, dropped when
    closed), with the process's TLS context."""

    def get_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=_tls()))
        return self._session


# --- fetchers and timestamper -------------------------------------------------------------------


class SharedFetchers(FetcherBackend):
    """pyhanko-certvalidator's own fetchers, with OCSP responses and CRLs read from and written
    to ``store`` if there is one (certificates fetched by AIA are not kept: the chains are
    configured), and ``life``: when the answers they gave stop being good to sign with."""

    def __init__(self, store: Store | None) -> None:
        from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend

        self.store = store
        self.life = Lifetime()
        # A lazy session is the backend's to close (its close() closes only those).
        self.inner = AIOHttpFetcherBackend(session=_Sessions())  # type: ignore[arg-type]

    def get_fetchers(self) -> Fetchers:
        own = self.inner.get_fetchers()
        return Fetchers(
            ocsp_fetcher=_SharedOcsp(own.ocsp_fetcher, self.store, self.life),
            crl_fetcher=_SharedCrl(own.crl_fetcher, self.store, self.life),
            cert_fetcher=own.cert_fetcher,
        )

    async def close(self) -> None:
        await self.inner.close()


def fetcher_backend(fetchers: SharedFetchers) -> OwnedFetcherBackend:
    """For ``ValidationContext(fetcher_backend=…)``: the context closes it."""
    return OwnedFetcherBackend(fetchers)


class TimeStamper(timestamps.HTTPTimeStamper):
    """pyHanko's HTTP TSA client, with the process's TLS context."""

    @contextlib.asynccontextmanager
    async def _acquire_session(self) -> AsyncIterator[aiohttp.ClientSession]:
        # pyHanko 0.38's own, but with _Sessions: one session per request, in the request's
        # event loop (a timestamper outlives the asyncio.run of each signature).
        own = _Sessions()
        try:
            yield own.get_session()
        finally:
            await own.close()


__all__ = [
    "MARGIN",
    "Lifetime",
    "SharedFetchers",
    "Store",
    "TimeStamper",
    "fetcher_backend",
    "store",
]
