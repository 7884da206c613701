"""What every page of the workbench shares: the site, the documents a meeting can have, the
templates, and the helpers of the request handler (pages.py and signing_pages.py build on
them; server.py holds the gate and the routes)."""

from __future__ import annotations

import functools
import json
import tempfile
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, urlsplit

from ..config import Config
from ..errors import ReferatbyggError
from ..meeting.model import Meeting

if TYPE_CHECKING:
    from ..document.render import DocKind

TEXT = "text/plain; charset=utf-8"
HTML = "text/html; charset=utf-8"

# The documents a meeting can have, by the name the pages use: (kind, draft, public, label).
DOCS: dict[str, tuple[DocKind, bool, bool, str]] = {
    "referat": ("referat", False, False, "Dokumentet"),
    "offentlig": ("referat", False, True, "Offentlig versjon"),
    "utkast": ("referat", True, False, "Utkast"),
    "innkalling": ("innkalling", False, False, "Innkalling"),
}


@dataclass
class Site:
    folder: Path
    out_root: Path
    config_file: Path | None
    token: str
    port: int = 0
    cache: Path = Path()  # page images by the PDF's content; uploads before intake
    # One-time codes for opening the browser without the token on its command line (which
    # every local user can read): code → when it stops being valid.
    once: dict[str, float] = field(default_factory=dict)
    converter: Any = None  # the warm LibreOffice builds share (warm())

    def __post_init__(self) -> None:
        self.cache = Path(tempfile.mkdtemp(prefix="referatbygg-web-"))

    def warm(self) -> None:
        """Keep one LibreOffice server warm for every build the workbench starts (one document
        at a time, whichever thread asks): a build after an edit then converts in a fraction of
        a second instead of starting LibreOffice. Started by the first build (or at serve),
        closed with the site; a server that cannot start leaves builds to their own."""
        from ..tools import libreoffice

        with _WARMING:
            if self.converter is None:
                self.converter = libreoffice.open_converter(warm=True)
                libreoffice.use(self.converter)

    def close(self) -> None:
        """Remove the scratch folder (page images, uploads not yet taken in); stop the warm
        LibreOffice."""
        import shutil

        with _WARMING:  # a LibreOffice still starting is waited for, then stopped: no orphan
            if self.converter is not None:
                from ..tools import libreoffice

                libreoffice.use(None)
                self.converter.close()
                self.converter = None
        shutil.rmtree(self.cache, ignore_errors=True)

    def one_time_url(self, valid_for: float = 120.0) -> str:
        """A URL that works once, within ``valid_for`` seconds: the server exchanges it for the
        token's cookie. The browser is opened on this, never on the token itself."""
        import secrets
        import time

        code = secrets.token_urlsafe(24)
        self.once[code] = time.monotonic() + valid_for
        return f"http://127.0.0.1:{self.port}/login?once={code}"

    def redeem(self, code: str) -> bool:
        """Whether ``code`` is a one-time code still valid; it is used up either way."""
        import time

        until = self.once.pop(code, None)
        return until is not None and time.monotonic() < until

    def origins(self) -> set[str]:
        return {f"http://127.0.0.1:{self.port}", f"http://localhost:{self.port}"}

    def hosts(self) -> set[str]:
        return {f"127.0.0.1:{self.port}", f"localhost:{self.port}"}

    def config(self) -> Config:
        from ..config import load_config

        return load_config(self.config_file)


_WARMING = threading.Lock()


@functools.cache
def _environment() -> Any:
    """One template environment per process: templates are parsed once, not per request."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("referatbygg.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["q"] = lambda text: quote(str(text), safe="")
    return env


def document(meeting: Meeting, out_dir: Path, doc: str) -> Path:
    from ..build.layout import stem

    kind, draft, public, _label = DOCS[doc]
    name = stem(meeting, kind, draft)
    return out_dir / (f"{name}-offentlig.pdf" if public else f"{name}.pdf")


class PageBase:
    """Mixed into the request handler: ``site``, ``path``, ``headers``, ``rfile`` and ``_send``
    are the handler's."""

    site: Site
    path: Any
    headers: Any
    rfile: Any

    def _send(self, status: HTTPStatus, body: bytes, kind: str,
              headers: dict[str, str] | None = None) -> None:  # fmt: skip
        raise NotImplementedError

    # -- helpers -----------------------------------------------------------------------------

    def _query(self, name: str) -> str:
        value: str = parse_qs(urlsplit(self.path).query).get(name, [""])[0]
        return value

    def _relative(self, path: Path) -> str:
        return path.relative_to(self.site.folder).as_posix()

    def _render(self, template: str, status: HTTPStatus = HTTPStatus.OK, **values: Any) -> None:
        """A page, in the body's written standard (``language``, default bokmål)."""
        from .texts import translator

        values.setdefault("language", "nb")
        values.setdefault("_", translator(values["language"]))
        html = _environment().get_template(template).render(**values)
        self._send(status, html.encode("utf-8"), HTML)

    def _redirect(self, where: str) -> None:
        self._send(HTTPStatus.SEE_OTHER, b"", TEXT, {"Location": where})

    def _meeting_file(self) -> Path | None:
        from .editing import inside

        path = inside(self.site.folder, self._query("file"))
        if path is None:
            self._send(
                HTTPStatus.NOT_FOUND, "Fant ingen slik møtefil i møtemappen.\n".encode(), TEXT
            )
        return path

    def _readable_meeting(self) -> Path | None:
        """The meeting file, when it can be read; else the Møte page, which says what is wrong
        with it (None either way: nothing more to answer)."""
        path = self._meeting_file()
        if path is not None and self._loaded(path) is None:
            self._redirect(f"/meeting?file={quote(self._relative(path))}")
            return None
        return path

    def _loaded(self, path: Path) -> Meeting | None:
        """The meeting, read once per request (None when it cannot be read)."""
        from ..meeting.load import load_meeting

        memo: dict[Path, Meeting | None] = self.__dict__.setdefault("_meetings", {})
        if path not in memo:
            try:
                memo[path] = load_meeting(path)
            except ReferatbyggError:
                memo[path] = None
        return memo[path]

    def _out_dir(self, meeting: Meeting) -> Path:
        from ..build.layout import out_dir_for

        return out_dir_for(meeting, self.site.out_root)

    def _common(self, path: Path, page: str) -> dict[str, Any]:
        """What every page of one meeting shows: its tabs, its job, its body's language.

        Called before the page reads the meeting's outputs: a job seen finished here has
        written them, so the page never says "ferdig" beside the state from before the job (a
        job that ends while the page is made shows as running, and the page reloads)."""
        from . import jobs
        from .texts import translator

        job = jobs.get(path)
        meeting = self._loaded(path)
        language = meeting.language if meeting else "nb"
        _ = translator(language)
        said: list[Any] = []
        if job is not None and job.problems:
            from .findings import item_numbers, say

            said = [say(p, language, _, item_numbers(meeting)) for p in job.problems]
        return {"title": f"{_(page)} – {path.stem}", "page": page, "file": self._relative(path),
                "job": job, "running": bool(job and job.running), "language": language,
                "_": _, "job_findings": said}  # fmt: skip

    def _length(self, limit: int) -> int | None:
        """The body's declared length, or None when it is answered already: 411 without a
        length (or chunked), 400 for one that is not a whole number of bytes, 413 over
        ``limit`` — each before a byte of the body is read."""
        given = self.headers.get("Content-Length")
        if given is None or self.headers.get("Transfer-Encoding"):
            self._send(HTTPStatus.LENGTH_REQUIRED, b"Lengden mangler.\n", TEXT)
            return None
        if not given.strip().isdigit():  # "-1", "abc", "1e9"
            self._send(HTTPStatus.BAD_REQUEST, b"Ugyldig lengde.\n", TEXT)
            return None
        size = int(given)
        if size > limit:
            self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, b"For stor.\n", TEXT)
            return None
        return size

    def _body(self, limit: int) -> bytes | None:
        """The request's body, or None when it was refused (see _length)."""
        size = self._length(limit)
        if size is None:
            return None
        data: bytes = self.rfile.read(size)
        return data

    def _body_to_file(self, limit: int) -> Path | None:
        """The request's body streamed to a file in the scratch folder, 1 MiB at a time (a
        100 MB upload is never held in memory); None when it was refused."""
        import secrets

        size = self._length(limit)
        if size is None:
            return None
        folder = self.site.cache / "opplasting"
        folder.mkdir(mode=0o700, exist_ok=True)
        path = folder / secrets.token_hex(8)
        with path.open("wb") as out:
            left = size
            while left:
                chunk = self.rfile.read(min(left, 1 << 20))
                if not chunk:  # the client stopped sending
                    break
                out.write(chunk)
                left -= len(chunk)
        return path

    def _form(self) -> dict[str, str] | None:
        """The posted form's fields (None, answered 413, when over editing.LIMIT)."""
        from .editing import LIMIT

        body = self._body(LIMIT)
        if body is None:
            return None
        return {k: v[0] for k, v in parse_qs(body.decode("utf-8"),
                                             keep_blank_values=True).items()}  # fmt: skip

    def _json(self, data: Any) -> None:
        self._send(HTTPStatus.OK, json.dumps(data, ensure_ascii=False).encode("utf-8"),
                   "application/json")  # fmt: skip
