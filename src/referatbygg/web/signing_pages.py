"""The workbench's pages for signing and archiving: Signaturer (per signatory; the document to
sign as a download; a file signed elsewhere uploaded and taken in; signing here) and Arkiv (the
package made, checked as the archive would, downloaded). The work is the library's intake,
signing, archive and check-package, run as background jobs."""

from __future__ import annotations

from http import HTTPStatus
from pathlib import Path
from urllib.parse import quote

from .base import DOCS, TEXT, PageBase, document


class SigningPages(PageBase):
    """Signaturer, Arkiv and the downloads."""

    # -- Signaturer ----------------------------------------------------------------------------

    def signatures_page(self, *, refused: str | None = None) -> None:
        from . import signatures

        path = self._readable_meeting()
        if path is None:
            return
        meeting = self._loaded(path)
        assert meeting is not None  # readable, as _readable_meeting found
        common = self._common(path, "Signaturer")  # the job first: see _common
        found = signatures.view(meeting, self.site.out_root, self.site.config())
        self._render(
            "signatures.html", HTTPStatus.BAD_REQUEST if refused else HTTPStatus.OK,
            **common, view=found, refused=refused,
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
        running = jobs.get(path)
        if running is not None and running.running:  # its result would be lost: say so now
            self.signatures_page(refused=f"{running.kind} pågår for dette møtet; prøv igjen "
                                 "når den er ferdig")  # fmt: skip
            return
        if self._changed_since_build(path):
            return
        body = self._body_to_file(signatures.UPLOAD_LIMIT + 2**16)
        if body is None:
            return
        try:
            upload = signatures.store_upload(body, self.headers.get("Content-Type") or "",
                                             self.site.cache)  # fmt: skip
        except signatures.UploadRefused as exc:
            body.unlink(missing_ok=True)  # before the answer: nothing is left when it arrives
            self.signatures_page(refused=str(exc))
            return
        body.unlink(missing_ok=True)
        config = self.site.config()
        jobs.start(path, "innsending",
                   lambda say: signatures.take_in(upload, working, config, say))  # fmt: skip
        self._redirect(f"/signatures?file={quote(self._relative(path))}")

    def sign_here(self) -> None:
        from ..signing import pades
        from . import jobs

        path = self._meeting_file()
        if path is None:
            return
        meeting, config = self._loaded(path), self.site.config()
        role = (self._form() or {}).get("role", "")
        if meeting is None or role not in {s.role for s in meeting.signatories}:
            self._send(HTTPStatus.NOT_FOUND, b"Fant ingen slik signatar.\n", TEXT)
            return
        pdf = document(meeting, self._out_dir(meeting), "referat")
        if self._changed_since_build(path):
            return

        def work(say: jobs.Say) -> None:
            say(f"signerer som {role}")
            pades.sign(pdf, role, config, ask=None)

        jobs.start(path, "signering", work)
        self._redirect(f"/signatures?file={quote(self._relative(path))}")

    def _changed_since_build(self, path: Path) -> bool:
        """Refuse (with the page) to take in or make a signature while the meeting's files
        differ from what the document was built from: it would sign what the minutes no longer
        say. The page offers a new signing round instead."""
        from ..build.report import changed_sources

        meeting = self._loaded(path)
        changed = changed_sources(meeting, self._out_dir(meeting)) if meeting else []
        if changed:
            self.signatures_page(refused=f"{', '.join(changed)} er endret etter at dokumentet "
                                 "ble bygget; ingen signerer før en ny signeringsrunde er "
                                 "startet")  # fmt: skip
        return bool(changed)

    def new_round(self) -> None:
        """A new signing round (``referatbygg build --new-round``): the signed document and
        its outputs kept in tidligere/, the meeting built again."""
        from ..pipeline import build
        from . import jobs

        path = self._readable_meeting()
        if path is None:
            return
        out_root = self.site.out_root

        def work(say: jobs.Say) -> None:
            self.site.warm()
            build(path, out_root, new_round=True, progress=say)

        jobs.start(path, "bygging av referatet", work)
        self._redirect(f"/signatures?file={quote(self._relative(path))}")

    def download(self) -> None:
        """A built document, or the current package, as a file to save (the one sent for
        signing is the working file itself: the signatory's tool adds a signature to these
        bytes)."""
        from . import packages

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
                found = packages.view(path, self.site.out_root, self.site.config())
                target = found.zip if what == "pakke" else found.message_zip
        if target is None or not target.is_file():
            self._send(HTTPStatus.NOT_FOUND, b"Fant ikke filen.\n", TEXT)
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
        common = self._common(path, "Arkiv")  # the job first: see _common
        found = packages.view(path, self.site.out_root, self.site.config())
        self._render("archive.html", **common, view=found)

    def make_package(self) -> None:
        from . import jobs, packages

        path = self._meeting_file()
        if path is None:
            return
        config, out_root = self.site.config(), self.site.out_root
        jobs.start(path, "arkivering", lambda say: packages.make(path, out_root, config, say))
        self._redirect(f"/archive?file={quote(self._relative(path))}")
