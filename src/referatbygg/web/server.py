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
from dataclasses import dataclass
from http import HTTPStatus
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

log = logging.getLogger(__name__)

COOKIE = "referatbygg_token"
STATIC = {"app.css": "text/css; charset=utf-8", "app.js": "text/javascript; charset=utf-8"}


@dataclass
class Site:
    folder: Path
    out_root: Path
    config_file: Path | None
    token: str
    port: int = 0
    cache: Path = Path()  # page images, by the PDF's content

    def __post_init__(self) -> None:
        import tempfile

        self.cache = Path(tempfile.mkdtemp(prefix="referatbygg-web-"))

    def origins(self) -> set[str]:
        return {f"http://127.0.0.1:{self.port}", f"http://localhost:{self.port}"}

    def hosts(self) -> set[str]:
        return {f"127.0.0.1:{self.port}", f"localhost:{self.port}"}


def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("referatbygg.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


class Handler(http.server.BaseHTTPRequestHandler):
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

    def do_GET(self) -> None:
        why = self._refused()
        if why:
            log.info("refused %s %s: %s", self.command, self.path, why)
            self._send(HTTPStatus.FORBIDDEN, b"Forbidden\n", "text/plain; charset=utf-8")
            return
        path = urlsplit(self.path).path
        routes: dict[str, Callable[[], None]] = {
            "/": self._meetings, "/meeting": self._meeting, "/preview": self._preview,
            "/job": self._job, "/page": self._page,
        }  # fmt: skip
        if path.startswith("/static/") and path.removeprefix("/static/") in STATIC:
            name = path.removeprefix("/static/")
            data = (resources.files("referatbygg.web") / "static" / name).read_bytes()
            self._send(HTTPStatus.OK, data, STATIC[name])
        elif path in routes:
            routes[path]()
        else:
            self._send(HTTPStatus.NOT_FOUND, b"Not found\n", "text/plain; charset=utf-8")

    def do_POST(self) -> None:
        why = self._refused()
        if why:
            log.info("refused %s %s: %s", self.command, self.path, why)
            self._send(HTTPStatus.FORBIDDEN, b"Forbidden\n", "text/plain; charset=utf-8")
            return
        if urlsplit(self.path).path == "/build":
            path = self._meeting_file()
            if path is not None:
                from . import jobs

                jobs.start_build(path, self.site.out_root)
                self.send_response(HTTPStatus.SEE_OTHER)
                self.send_header("Location", f"/preview?file={_quote(self._relative(path))}")
                self.send_header("Content-Length", "0")
                self.end_headers()
            return
        if urlsplit(self.path).path != "/meeting":
            self._send(HTTPStatus.NOT_FOUND, b"Not found\n", "text/plain; charset=utf-8")
            return
        from .editing import LIMIT, Conflict, save

        size = int(self.headers.get("Content-Length") or 0)
        path = self._meeting_file()
        if path is None:
            return
        if size > LIMIT:
            self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, b"Too large\n",
                       "text/plain; charset=utf-8")  # fmt: skip
            return
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(size).decode("utf-8"),
                                             keep_blank_values=True).items()}  # fmt: skip
        try:
            save(path, form.get("digest", ""), form)
        except Conflict:
            self._meeting(conflict=True)
            return
        self._meeting(saved=True)

    # -- pages -------------------------------------------------------------------------------

    def _relative(self, path: Path) -> str:
        return path.relative_to(self.site.folder).as_posix()

    def _built_pdf(self, path: Path) -> Path | None:
        from ..errors import ReferatbyggError
        from ..load import load_meeting
        from ..pipeline import main_pdf, out_dir_for

        try:
            meeting = load_meeting(path)
        except ReferatbyggError:
            return None
        pdf = main_pdf(meeting, out_dir_for(meeting, self.site.out_root))
        return pdf if pdf.is_file() else None

    def _preview(self) -> None:
        from pypdf import PdfReader

        from . import jobs

        path = self._meeting_file()
        if path is None:
            return
        job = jobs.get(path)
        pdf = self._built_pdf(path)
        pages = len(PdfReader(pdf).pages) if pdf else 0
        html = _environment().get_template("preview.html").render(
            title=f"Forhåndsvisning – {path.stem}", file=self._relative(path), pages=pages,
            running=bool(job and job.running), error=job.error if job else None,
        )  # fmt: skip
        self._send(HTTPStatus.OK, html.encode("utf-8"), "text/html; charset=utf-8")

    def _job(self) -> None:
        import json

        from . import jobs

        path = self._meeting_file()
        if path is None:
            return
        job = jobs.get(path)
        data = job.as_dict() if job else {"running": False, "messages": [], "error": None}
        self._send(HTTPStatus.OK, json.dumps(data, ensure_ascii=False).encode("utf-8"),
                   "application/json")  # fmt: skip

    def _page(self) -> None:
        """Page N of the built PDF as a PNG (pdftoppm), kept by the PDF's content."""
        from ..tools import proc
        from .editing import digest

        path = self._meeting_file()
        if path is None:
            return
        pdf = self._built_pdf(path)
        number = parse_qs(urlsplit(self.path).query).get("n", [""])[0]
        if pdf is None or not number.isdigit():
            self._send(HTTPStatus.NOT_FOUND, b"No such page\n", "text/plain; charset=utf-8")
            return
        cache = self.site.cache / f"{digest(pdf)[:16]}-{int(number)}"
        png = cache.with_suffix(".png")
        if not png.is_file():
            proc.run([proc.which("pdftoppm", package="poppler-utils"), "-f", number, "-l",
                      number, "-r", "60", "-png", "-singlefile", str(pdf), str(cache)],
                     timeout=60)  # fmt: skip
        if not png.is_file():
            self._send(HTTPStatus.NOT_FOUND, b"No such page\n", "text/plain; charset=utf-8")
            return
        self._send(HTTPStatus.OK, png.read_bytes(), "image/png")

    def _meeting_file(self) -> Path | None:
        from .editing import inside

        relative = parse_qs(urlsplit(self.path).query).get("file", [""])[0]
        path = inside(self.site.folder, relative)
        if path is None:
            self._send(HTTPStatus.NOT_FOUND, b"No such meeting file\n",
                       "text/plain; charset=utf-8")  # fmt: skip
        return path

    def _meeting(self, *, saved: bool = False, conflict: bool = False) -> None:
        from ..config import load_config
        from .editing import digest, items
        from .meetings import row

        path = self._meeting_file()
        if path is None:
            return
        found = row(path, self.site.out_root, load_config(self.site.config_file))
        forms = items(path, found.problems)
        placed = {id(p) for f in forms for p in f.problems}
        html = _environment().get_template("meeting.html").render(
            title=f"Møte – {path.stem}", file=self._relative(path), state=found.state,
            items=forms, general=[p for p in found.problems if id(p) not in placed],
            digest=digest(path), saved=saved, conflict=conflict,
        )  # fmt: skip
        status = HTTPStatus.CONFLICT if conflict else HTTPStatus.OK
        self._send(status, html.encode("utf-8"), "text/html; charset=utf-8")

    def _meetings(self) -> None:
        from ..config import load_config
        from .meetings import rows

        config = load_config(self.site.config_file)
        html = _environment().get_template("meetings.html").render(
            title="Møter", folder=self.site.folder,
            rows=rows(self.site.folder, self.site.out_root, config),
        )  # fmt: skip
        self._send(HTTPStatus.OK, html.encode("utf-8"), "text/html; charset=utf-8")

    def _send(self, status: HTTPStatus, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
        given = parse_qs(urlsplit(self.path).query).get("token", [""])[0]
        if status == HTTPStatus.OK and hmac.compare_digest(given.encode(),
                                                           self.site.token.encode()):  # fmt: skip
            self.send_header("Set-Cookie", f"{COOKIE}={given}; HttpOnly; SameSite=Strict; Path=/")
        self.end_headers()
        self.wfile.write(body)


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="/")


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
