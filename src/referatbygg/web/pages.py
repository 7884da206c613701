"""The workbench's pages and actions, behind the server's gate (server.py).

Pages: Møter (every meeting and where it stands), Møte (the form), Forhåndsvisning (the built
documents' pages, the build report; build, draft, notice), Signaturer (per signatory; download,
upload a file signed elsewhere, sign here), Arkiv (make, check and download the package). Every
action is the library's own function, run as a background job (jobs.py) whose progress the page
shows; nothing here writes an output file itself.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import tempfile
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, urlsplit

from ..config import Config
from ..errors import ReferatbyggError
from ..model import Language, Meeting, MeetingFile

if TYPE_CHECKING:
    from ..render import DocKind

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

    def __post_init__(self) -> None:
        self.cache = Path(tempfile.mkdtemp(prefix="referatbygg-web-"))

    def origins(self) -> set[str]:
        return {f"http://127.0.0.1:{self.port}", f"http://localhost:{self.port}"}

    def hosts(self) -> set[str]:
        return {f"127.0.0.1:{self.port}", f"localhost:{self.port}"}

    def config(self) -> Config:
        from ..config import load_config

        return load_config(self.config_file)


def _environment() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("referatbygg.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["q"] = lambda text: quote(str(text), safe="")
    return env


def document(meeting: Meeting, out_dir: Path, doc: str) -> Path:
    from ..pipeline import stem

    kind, draft, public, _label = DOCS[doc]
    name = stem(meeting, kind, draft)
    return out_dir / (f"{name}-offentlig.pdf" if public else f"{name}.pdf")


class Pages:
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
            self._send(HTTPStatus.NOT_FOUND, b"No such meeting file\n", TEXT)
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
        from ..load import load_meeting

        try:
            return load_meeting(path)
        except ReferatbyggError:
            return None

    def _out_dir(self, meeting: Meeting) -> Path:
        from ..pipeline import out_dir_for

        return out_dir_for(meeting, self.site.out_root)

    def _common(self, path: Path, page: str) -> dict[str, Any]:
        """What every page of one meeting shows: its tabs, its job, its body's language."""
        from . import jobs
        from .texts import translator

        job = jobs.get(path)
        meeting = self._loaded(path)
        language = meeting.language if meeting else "nb"
        _ = translator(language)
        return {"title": f"{_(page)} – {path.stem}", "page": page, "file": self._relative(path),
                "job": job, "running": bool(job and job.running), "language": language,
                "_": _}  # fmt: skip

    def _body(self, limit: int) -> bytes | None:
        """The request's body, or None (answered 413) when it is larger than ``limit``: refused
        before a byte of it is read."""
        size = int(self.headers.get("Content-Length") or 0)
        if size > limit:
            self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, b"Too large\n", TEXT)
            return None
        data: bytes = self.rfile.read(size)
        return data

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

    # -- Møter, Møte --------------------------------------------------------------------------

    def meetings_page(self, *, problem: str | None = None) -> None:
        from .meetings import rows

        found = rows(self.site.folder, self.site.out_root, self.site.config())
        status = HTTPStatus.BAD_REQUEST if problem else HTTPStatus.OK
        self._render("meetings.html", status, title="Møter", folder=self.site.folder, rows=found,
                     problem=problem)  # fmt: skip

    def meeting_page(
        self, *, saved: bool = False, conflict: bool = False, problem: str | None = None
    ) -> None:
        from .editing import EDITABLE, GROUPS, ITEM_FIELDS, digest, entries, items
        from .meetings import row

        path = self._meeting_file()
        if path is None:
            return
        found = row(path, self.site.out_root, self.site.config())
        forms = items(path, found.problems)
        placed = {id(p) for f in forms for p in f.problems}
        status = HTTPStatus.BAD_REQUEST if problem else HTTPStatus.OK
        self._render(
            "meeting.html", HTTPStatus.CONFLICT if conflict else status,
            **(common := self._common(path, "Møte")), state=_state(found.state, common["_"]),
            items=forms,
            general=[p for p in found.problems if id(p) not in placed], digest=digest(path),
            saved=saved, conflict=conflict, item_fields=ITEM_FIELDS, entries=entries(path),
            editable=EDITABLE,
            groups=[("attachments", "Vedlegg"), *GROUPS.items()], problem=problem,
            agreement=bool((m := self._loaded(path)) and m.kind == "avtale"),
        )  # fmt: skip

    def save_meeting(self) -> None:
        from .editing import Conflict, save

        path = self._meeting_file()
        form = self._form() if path is not None else None
        if path is None or form is None:
            return
        try:
            save(path, form.get("digest", ""), form)
        except Conflict:
            self.meeting_page(conflict=True)
            return
        self.meeting_page(saved=True)

    def check_form(self) -> None:
        """check's findings for the form as it stands in the page, unsaved (as you type)."""
        from .editing import live_check

        path = self._meeting_file()
        form = self._form() if path is not None else None
        if path is None or form is None:
            return
        self._json(live_check(path, form))

    def new_meeting(self) -> None:
        """The meeting after this one (``referatbygg new --from``): named for its date, the
        same members and signatories, the opening items; never over an existing file."""
        from .. import scaffold

        path = self._readable_meeting()
        if path is None:
            return
        meeting = self._loaded(path)
        if meeting is None or not isinstance(meeting.data, MeetingFile):
            self.meeting_page(problem="en avtale har ikke et neste møte")
            return
        day = scaffold.next_date(meeting.data)
        target = path.parent / f"{day:%Y-%m-%d}.toml"
        if target.exists():
            self.meeting_page(problem=f"{target.name} finnes allerede; ingenting ble skrevet")
            return
        scaffold.next_meeting(path, target)
        self._redirect(f"/meeting?file={quote(self._relative(target))}")

    def new_body(self) -> None:
        """A new body (``referatbygg new FOLDER``) in the meetings folder, with a first meeting
        dated today; never over an existing body."""
        import datetime as dt

        from .. import scaffold

        form = self._form()
        if form is None:
            return
        name, organisation = form.get("name", "").strip(), form.get("organisation", "").strip()
        language: Language = "nn" if form.get("language") == "nn" else "nb"
        folder = self.site.folder / scaffold.slug(name)
        if not name or not organisation:
            self.meetings_page(problem="fyll inn navnet på organet og organisasjonen")
            return
        if folder.exists():
            self.meetings_page(problem=f"mappen {folder.name} finnes allerede; ingenting ble "
                               "skrevet")  # fmt: skip
            return
        scaffold.new_body(folder, name=name, organisation=organisation, language=language)
        first = scaffold.blank_meeting(folder / f"{dt.date.today():%Y-%m-%d}.toml")
        self._redirect(f"/meeting?file={quote(self._relative(first))}")

    # -- Forhåndsvisning -----------------------------------------------------------------------

    def preview_page(self) -> None:
        from pypdf import PdfReader

        from .. import buildreport

        path = self._meeting_file()
        if path is None:
            return
        doc = self._query("doc") or "referat"
        if doc not in DOCS:
            self._send(HTTPStatus.NOT_FOUND, b"No such document\n", TEXT)
            return
        meeting = self._loaded(path)
        pages, report, available = 0, None, []
        if meeting is not None:
            out = self._out_dir(meeting)
            available = [d for d in DOCS if document(meeting, out, d).is_file()]
            pdf = document(meeting, out, doc)
            if pdf.is_file():
                pages = len(PdfReader(pdf).pages)
            kind, draft, _public, _label = DOCS[doc]
            from ..pipeline import stem

            report = buildreport.read(buildreport.report_path(out, stem(meeting, kind, draft)))
        self._render(
            "preview.html", **self._common(path, "Forhåndsvisning"), doc=doc, docs=DOCS,
            label=DOCS[doc][3], available=available, pages=pages, report=report,
            agreement=bool(meeting and meeting.kind == "avtale"),
        )  # fmt: skip

    def start_build(self) -> None:
        from ..pipeline import build
        from . import jobs

        path = self._meeting_file()
        if path is None:
            return
        doc = self._query("doc") or "referat"
        if doc not in ("referat", "utkast", "innkalling"):
            self._send(HTTPStatus.NOT_FOUND, b"No such document\n", TEXT)
            return
        kind, draft, _public, _label = DOCS[doc]
        out_root = self.site.out_root
        meeting = self._loaded(path)
        what = {"utkast": "utkastet", "innkalling": "innkallingen"}.get(
            doc, "avtalen" if meeting and meeting.kind == "avtale" else "referatet"
        )

        def work(say: jobs.Say) -> None:
            build(path, out_root, kind=kind, draft=draft, progress=say)

        jobs.start(path, f"bygging av {what}", work)
        self._redirect(f"/preview?file={quote(self._relative(path))}&doc={doc}")

    def job_state(self) -> None:
        from . import jobs

        path = self._meeting_file()
        if path is None:
            return
        job = jobs.get(path)
        self._json(job.as_dict() if job else {"running": False, "messages": [], "error": None})

    def page_image(self) -> None:
        """Page N of a built document as a PNG (pdftoppm), kept by the PDF's content."""
        from ..tools import proc
        from .editing import digest

        path = self._meeting_file()
        if path is None:
            return
        meeting = self._loaded(path)
        doc, number = self._query("doc") or "referat", self._query("n")
        pdf = document(meeting, self._out_dir(meeting), doc) if meeting and doc in DOCS else None
        if pdf is None or not pdf.is_file() or not number.isdigit():
            self._send(HTTPStatus.NOT_FOUND, b"No such page\n", TEXT)
            return
        cache = self.site.cache / f"{digest(pdf)[:16]}-{int(number)}"
        png = cache.with_suffix(".png")
        if not png.is_file():
            proc.run([proc.which("pdftoppm", package="poppler-utils"), "-f", number, "-l",
                      number, "-r", "60", "-png", "-singlefile", str(pdf), str(cache)],
                     timeout=60)  # fmt: skip
        if not png.is_file():
            self._send(HTTPStatus.NOT_FOUND, b"No such page\n", TEXT)
            return
        self._send(HTTPStatus.OK, png.read_bytes(), "image/png")

    # -- Signaturer ----------------------------------------------------------------------------

    def signatures_page(self, *, refused: str | None = None) -> None:
        from . import signatures

        path = self._readable_meeting()
        if path is None:
            return
        found = signatures.view(path, self.site.out_root, self.site.config())
        self._render(
            "signatures.html", HTTPStatus.BAD_REQUEST if refused else HTTPStatus.OK,
            **self._common(path, "Signaturer"), view=found, refused=refused,
            limit_mb=signatures.UPLOAD_LIMIT // 2**20,
        )  # fmt: skip

    def receive_upload(self) -> None:
        """A file signed elsewhere: size and kind checked before it is stored (in the server's
        scratch folder), then the library's intake, as ``referatbygg receive`` runs it."""
        from . import jobs, signatures

        path = self._meeting_file()
        if path is None:
            return
        meeting = self._loaded(path)
        working = document(meeting, self._out_dir(meeting), "referat") if meeting else None
        if working is None or not working.is_file():
            self.signatures_page(refused="dokumentet er ikke bygget ennå")
            return
        body = self._body(signatures.UPLOAD_LIMIT + 2**16)
        if body is None:
            return
        try:
            upload = signatures.store_upload(_uploaded(self.headers, body, "signert"),
                                             self.site.cache)  # fmt: skip
        except signatures.UploadRefused as exc:
            self.signatures_page(refused=str(exc))
            return
        config = self.site.config()
        jobs.start(path, "innsending",
                   lambda say: signatures.take_in(upload, working, config, say))  # fmt: skip
        self._redirect(f"/signatures?file={quote(self._relative(path))}")

    def sign_here(self) -> None:
        from .. import signing
        from . import jobs

        path = self._meeting_file()
        if path is None:
            return
        meeting, config = self._loaded(path), self.site.config()
        role = (self._form() or {}).get("role", "")
        if meeting is None or role not in {s.role for s in meeting.signatories}:
            self._send(HTTPStatus.NOT_FOUND, b"No such signatory\n", TEXT)
            return
        pdf = document(meeting, self._out_dir(meeting), "referat")

        def work(say: jobs.Say) -> None:
            say(f"signerer som {role}")
            signing.sign(pdf, role, config, ask=None)

        jobs.start(path, "signering", work)
        self._redirect(f"/signatures?file={quote(self._relative(path))}")

    def download(self) -> None:
        """A built document, or the package, as a file to save (the one sent for signing is
        the working file itself: the signatory's tool adds a signature to these bytes)."""
        path = self._meeting_file()
        if path is None:
            return
        meeting = self._loaded(path)
        what = self._query("what")
        target: Path | None = None
        if meeting is not None:
            out = self._out_dir(meeting)
            if what in DOCS:
                target = document(meeting, out, what)
            elif what in ("pakke", "fiks-arkiv"):
                suffix = ".zip" if what == "pakke" else ".fiks-arkiv.zip"
                target = out / "pakke" / f"{meeting.id}{suffix}"
        if target is None or not target.is_file():
            self._send(HTTPStatus.NOT_FOUND, b"Not there\n", TEXT)
            return
        name = target.name if target.suffix == ".zip" else f"{target.parent.name}-{target.name}"
        kind = "application/zip" if target.suffix == ".zip" else "application/pdf"
        self._send(HTTPStatus.OK, target.read_bytes(), kind,
                   {"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip

    # -- Arkiv ---------------------------------------------------------------------------------

    def archive_page(self) -> None:
        from . import packages

        path = self._readable_meeting()
        if path is None:
            return
        found = packages.view(path, self.site.out_root, self.site.config())
        self._render("archive.html", **self._common(path, "Arkiv"), view=found)

    def make_package(self) -> None:
        from . import jobs, packages

        path = self._meeting_file()
        if path is None:
            return
        config, out_root = self.site.config(), self.site.out_root
        jobs.start(path, "arkivering", lambda say: packages.make(path, out_root, config, say))
        self._redirect(f"/archive?file={quote(self._relative(path))}")


def _state(state: str, _: Any) -> str:
    """A state from meetings.py in the page's language ("venter på <rolle>" has a role in it)."""
    if state.startswith("venter på "):
        return str(_("venter på {who}")).format(who=state.removeprefix("venter på "))
    return str(_(state))


def _uploaded(headers: Any, body: bytes, name: str) -> bytes:
    """The file field ``name`` of a multipart/form-data body (empty when there is none)."""
    kind = headers.get("Content-Type") or ""
    if not kind.startswith("multipart/form-data"):
        return b""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {kind}\r\n\r\n".encode("latin-1") + body
    )
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") == name:
            data = part.get_payload(decode=True)
            return data if isinstance(data, bytes) else b""
    return b""
