"""The workbench's HTTP server: bound to 127.0.0.1, reachable only with its token.

As notebook servers do, a random token is made at start and given in the first URL; the first
request that carries it gets a cookie (HttpOnly, SameSite=Strict) so that the pages can link to
each other. Every request must carry one or the other (compared in constant time), name this
server in its Host header (a page elsewhere that points its own name at 127.0.0.1 — DNS
rebinding — is refused), and, when it has an Origin, come from this server's origin.
"""

from __future__ import annotations

import hmac
import http.server
import logging
import secrets
import threading
from collections.abc import Callable
from http import HTTPStatus
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ..errors import ReferatbyggError
from .attaching import AttachPages
from .base import TEXT, Site
from .history_pages import HistoryPages
from .signing_pages import SigningPages

log = logging.getLogger(__name__)

COOKIE = "referatbygg_token"
NO_ACCESS = "Ingen tilgang: åpne arbeidsbenken med adressen den skrev ut da den startet.\n".encode()
STATIC = {
    "app.css": "text/css; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "check.js": "text/javascript; charset=utf-8",
    "focus.js": "text/javascript; charset=utf-8",
}


class Handler(AttachPages, HistoryPages, SigningPages, http.server.BaseHTTPRequestHandler):
    site: Site  # set on the class made per server
    server_version = "referatbygg"

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s - %s", self.address_string(), format % args)

    # -- the gate ----------------------------------------------------------------------------

    def _refused(self) -> str | None:
        """Why this request is refused, or None."""
        if (self.headers.get("Host") or "") not in self.site.hosts():
            return "wrong Host"
        origin = self.headers.get("Origin")
        if origin is not None and origin not in self.site.origins():
            return "wrong Origin"
        if self.command != "GET" and origin is None:
            return "no Origin"
        given = parse_qs(urlsplit(self.path).query).get("token", [""])[0]
        cookie = _cookie(self.headers.get("Cookie") or "", COOKIE)
        if not any(hmac.compare_digest(t.encode(), self.site.token.encode())
                   for t in (given, cookie) if t):  # fmt: skip
            return "no token"
        return None

    def _gate(self) -> bool:
        why = self._refused()
        if why:
            log.info("refused %s %s: %s", self.command, self.path, why)
            self._send(
                HTTPStatus.FORBIDDEN,
                NO_ACCESS,
                "text/plain; charset=utf-8",
            )
        return not why

    def _login(self) -> None:
        """/login?once=CODE: a valid one-time code (right Host) is exchanged for the token's
        cookie and a redirect to the meetings; anything else is refused like any request."""
        code = parse_qs(urlsplit(self.path).query).get("once", [""])[0]
        if (self.headers.get("Host") or "") not in self.site.hosts() \
                or not self.site.redeem(code):  # fmt: skip
            log.info("refused GET /login: no valid one-time code")
            self._send(
                HTTPStatus.FORBIDDEN,
                NO_ACCESS,
                "text/plain; charset=utf-8",
            )
            return
        self.send_response(HTTPStatus.SEE_OTHER)
        self.send_header("Location", "/")
        self.send_header("Set-Cookie", f"{COOKIE}={self.site.token}; HttpOnly; "
                         "SameSite=Strict; Path=/")  # fmt: skip
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == "/login":  # the one-time URL the browser was opened on
            self._login()
            return
        if not self._gate():
            return
        routes: dict[str, Callable[[], None]] = {
            "/": self.meetings_page, "/meeting": self.meeting_page, "/preview": self.preview_page,
            "/signatures": self.signatures_page, "/archive": self.archive_page,
            "/job": self.job_state, "/page": self.page_image, "/download": self.download,
            "/history": self.history_page,
        }  # fmt: skip
        if path.startswith("/static/") and path.removeprefix("/static/") in STATIC:
            name = path.removeprefix("/static/")
            data = (resources.files("referatbygg.web") / "static" / name).read_bytes()
            self._send(HTTPStatus.OK, data, STATIC[name])
        elif path in routes:
            self._answer(routes[path])
        else:
            self._send(HTTPStatus.NOT_FOUND, b"Fant ikke siden.\n", "text/plain; charset=utf-8")

    def do_POST(self) -> None:
        if not self._gate():
            return
        routes: dict[str, Callable[[], None]] = {
            "/meeting": self.save_meeting, "/build": self.start_build,
            "/receive": self.receive_upload, "/sign": self.sign_here,
            "/package": self.make_package, "/check": self.check_form,
            "/new-meeting": self.new_meeting, "/new-body": self.new_body,
            "/new-round": self.new_round, "/meeting-text": self.save_text,
            "/attach": self.attach, "/restore": self.restore,
        }  # fmt: skip
        action = routes.get(urlsplit(self.path).path)
        if action is None:
            self._send(HTTPStatus.NOT_FOUND, b"Fant ikke siden.\n", "text/plain; charset=utf-8")
            return
        self._answer(action)

    def _answer(self, page: Callable[[], None]) -> None:
        """A page or action; a meeting file that cannot be read is the library's error, said on
        a plain page, and a bug is an internal error (logged), never a dropped connection."""
        try:
            page()
        except ReferatbyggError as exc:
            self._send(HTTPStatus.UNPROCESSABLE_ENTITY, f"{exc}\n".encode(), TEXT)
        except Exception:
            log.exception("internal error on %s %s", self.command, self.path)
            self._send(HTTPStatus.INTERNAL_SERVER_ERROR,
                       b"Intern feil i referatbygg (se serverens logg).\n", TEXT)  # fmt: skip

    def _send(self, status: HTTPStatus, body: bytes, kind: str,
              headers: dict[str, str] | None = None) -> None:  # fmt: skip
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        given = parse_qs(urlsplit(self.path).query).get("token", [""])[0]
        if status == HTTPStatus.OK and hmac.compare_digest(given.encode(),
                                                           self.site.token.encode()):  # fmt: skip
            self.send_header("Set-Cookie", f"{COOKIE}={given}; HttpOnly; SameSite=Strict; Path=/")
        self.end_headers()
        self.wfile.write(body)


def _cookie(header: str, name: str) -> str:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return ""


def make_server(
    folder: Path, out_root: Path, config_file: Path | None = None, port: int = 0
) -> tuple[http.server.ThreadingHTTPServer, Site]:
    """A server on 127.0.0.1 (``port`` 0: a free one), not yet serving."""
    site = Site(folder.resolve(), out_root, config_file, secrets.token_urlsafe(32))
    handler = type("SiteHandler", (Handler,), {"site": site})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    site.port = server.server_address[1]
    return server, site


def url(site: Site) -> str:
    return f"http://127.0.0.1:{site.port}/?token={site.token}"


def serve_in_thread(server: http.server.ThreadingHTTPServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, name="workbench", daemon=True)
    thread.start()
    return thread
