"""The workbench's pages for writing and building: Møter (every meeting and where it stands, a
new body), Møte (the form, check as you type, the next meeting), Forhåndsvisning (the built
documents' pages, the build report; build, draft, notice). Every action is the library's own
function, run as a background job (jobs.py) whose progress the page shows; nothing here writes
an output file itself."""

from __future__ import annotations

import re
from http import HTTPStatus
from pathlib import Path
from urllib.parse import quote

from ..meeting.model import Language, MeetingFile
from .base import DOCS, TEXT, PageBase, document
from .conflict import Merged

# The shipped house styles (meeting/styles.py) as the form names them.
STYLE_NAMES = {
    "referat": "Referat (som Politirådet i Oslo)",
    "kommunestyre": "Møteprotokoll for kommunestyre",
    "skjema": "Møtebok på skjema, hver sak på egen side",
    "formannskap": "Formannskap med PS-, RS- og DS-saker",
}


def _opened(action: str, count: int) -> set[int]:
    """The agenda items the form shows unfolded after ``action``: the item it changed, where
    that item is now ("up:items.3" → 2), or a new one (the last)."""
    verb, _, target = action.partition(":")
    if target == "items":
        return {count - 1}
    found = re.match(r"items\.(\d+)", target)
    if not found:
        return set()
    index = int(found.group(1))
    if target == f"items.{index}":
        index += {"up": -1, "down": 1}.get(verb, 0)
    return {index} if 0 <= index < count else set()


class Pages(PageBase):
    """Møter, Møte and Forhåndsvisning."""

    # -- Møter, Møte --------------------------------------------------------------------------

    def meetings_page(
        self, *, problem: str | None = None, values: dict[str, str] | None = None
    ) -> None:
        """The meetings, and the form for a new body — refilled with what was typed when it
        was refused."""
        from .meetings import rows

        found = rows(self.site.folder, self.site.out_root, self.site.config())
        status = HTTPStatus.BAD_REQUEST if problem else HTTPStatus.OK
        self._render("meetings.html", status, title="Møter", folder=self.site.folder, rows=found,
                     problem=problem, values=values or {}, styles=STYLE_NAMES)  # fmt: skip

    def meeting_page(
        self, *, saved: bool = False, conflict: Merged | None = None, problem: str | None = None,
        typed: dict[str, str] | None = None, action: str = "",
    ) -> None:  # fmt: skip
        """The form. After a conflict it shows the file as it is now with what the secretary
        typed on top, and names each of their changes beside the value now on disk."""
        from ..document.minutes import heading
        from .conflict import remember
        from .editing import EDITABLE, ITEM_FIELDS, REQUIRED, SUBLISTS, digest, entries, items
        from .findings import grouped
        from .meetings import row
        from .structure import MOVABLE

        path = self._meeting_file()
        if path is None:
            return
        if self._unreadable(path):
            return
        common = self._common(path, "Møte")  # the job first: see _common
        found = row(path, self.site.out_root, self.site.config(), own_language=True)
        forms = items(path)
        by_item, general = grouped(found.problems, common["language"], common["_"],
                                   {f.index: f.numbers for f in forms})  # fmt: skip
        meeting = self._loaded(path)
        for f in forms:
            f.problems = by_item.get(f.index, [])
            if meeting is not None and f.index < len(meeting.data.items):
                f.heading = heading(meeting, meeting.data.items[f.index], "internal")
        fields = entries(path)
        # What they typed, over the file as it is now: after a conflict, or a refused action
        # (nothing was written; nothing typed is lost).
        overlay = conflict.values if conflict is not None else typed or {}
        opened = _opened(action or overlay.get("action", ""), len(forms))
        for f in forms:
            f.values = {k: overlay.get(f"items.{f.index}.{k}", v) for k, v in f.values.items()}
            fields[f"items.{f.index}"] = [e for sub in f.lists.values() for e in sub]
        for group in fields.values():
            for e in group:
                e.values = {k: overlay.get(f"{e.prefix}.{k}", v) for k, v in e.values.items()}
        version = digest(path)
        remember(self.site.cache, path.read_text(encoding="utf-8"), version)
        status = HTTPStatus.BAD_REQUEST if problem else HTTPStatus.OK
        self._render(
            "meeting.html", HTTPStatus.CONFLICT if conflict else status,
            **common, state=found.state, items=forms,
            general=general, digest=version,
            saved=saved, conflict=conflict, item_fields=ITEM_FIELDS, entries=fields,
            editable=EDITABLE, required=REQUIRED, movable=MOVABLE, typed=overlay,
            sublists=SUBLISTS, opened=opened,
            signed=self._signed(path),
            groups=self._groups(path), problem=problem,
            agreement=bool(meeting and meeting.kind == "avtale"),
        )  # fmt: skip

    def _signed(self, path: Path) -> bool:
        """Whether the meeting's minutes carry a signature: then an edit is a new version."""
        from ..build.layout import main_pdf
        from ..pdf.fields import is_signed

        meeting = self._loaded(path)
        if meeting is None:
            return False
        pdf = main_pdf(meeting, self._out_dir(meeting))
        return pdf.is_file() and is_signed(pdf)

    def _groups(self, path: Path) -> list[tuple[str, str]]:
        """The entry groups the form shows, in order: attachments, every participant group,
        the next meetings, and the meeting's own signatories where the body has them chosen
        per meeting."""
        from .editing import GROUPS

        meeting = self._loaded(path)
        own = meeting is not None and meeting.kind == "referat" \
            and meeting.body.signatures == "meeting"  # fmt: skip
        return [("attachments", "Vedlegg"), *GROUPS.items(), ("next_meetings", "Neste møter"),
                *([("signatories", "Signatarer for dette møtet")] if own else [])]  # fmt: skip

    def save_meeting(self) -> None:
        from .editing import Conflict, save
        from .structure import Refused, apply, describe

        path = self._meeting_file()
        form = self._form() if path is not None else None
        if path is None or form is None:
            return
        if self._signed(path) and form.get("new_version") != "1":
            self.meeting_page(problem="møtet er signert; kryss av for «ny versjon» for å endre "
                              "det (en ny signeringsrunde må da startes); ingenting ble lagret",
                              typed=form)  # fmt: skip
            return
        try:
            action = form.get("action", "")
            save(path, form.get("digest", ""), form, history=self.site.folder,
                 change=(lambda doc: apply(doc, action, form)) if action else None,
                 what=describe(action))  # fmt: skip
        except Refused as exc:
            self.meeting_page(problem=str(exc), typed=form)
            return
        except Conflict:
            from .conflict import merge, recall

            base = recall(self.site.cache, form.get("digest", ""))
            now = path.read_text(encoding="utf-8")
            self.meeting_page(conflict=merge(base, now, form))
            return
        self.meeting_page(saved=True, action=action)

    def _unreadable(self, path: Path, text: str | None = None, conflict: bool = False) -> bool:
        """A file that is not TOML: the page shows its text with the error's line, to be
        fixed in place (``text``: what was typed, kept when it still does not parse, or when
        the file changed meanwhile — ``conflict``)."""
        import tomllib

        from .editing import digest

        shown = path.read_text(encoding="utf-8", errors="replace") if text is None else text
        try:
            tomllib.loads(shown)
            error = None
        except tomllib.TOMLDecodeError as exc:
            error = exc
        if error is None and not conflict:
            return False
        found = re.search(r"\(at line (\d+), column (\d+)\)", str(error or ""))
        line, column = (int(found.group(1)), int(found.group(2))) if found else (0, 0)
        lines = shown.splitlines() or [""]
        status = (HTTPStatus.CONFLICT if conflict else HTTPStatus.BAD_REQUEST if text is not None
                  else HTTPStatus.OK)  # fmt: skip
        self._render(
            "text.html", status, **self._common(path, "Møte"), text=shown, line=line,
            column=column, reason=str(error or "").split(" (at line")[0],
            bad_line=lines[max(min(line, len(lines)), 1) - 1], digest=digest(path),
            conflict=conflict,
        )  # fmt: skip
        return True

    def save_text(self) -> None:
        """The text of a file that was not TOML, fixed in place: written only when it parses
        (else shown again as typed) and when the file is still the one the page showed."""
        from ..fsutil import locked, write_atomic
        from .editing import digest
        from .history import record

        path = self._meeting_file()
        form = self._form() if path is not None else None
        if path is None or form is None:
            return
        text = form.get("text", "").replace("\r\n", "\n")
        with locked(path):
            if digest(path) != form.get("digest"):
                self._unreadable(path, text, conflict=True)  # what was typed, shown again
                return
            if self._unreadable(path, text):
                return
            before = path.read_text(encoding="utf-8", errors="replace")
            write_atomic(path, text.encode("utf-8"))
            record(self.site.folder, path, before, text, "rettet teksten")
        self._redirect(f"/meeting?file={quote(self._relative(path))}")

    def check_form(self) -> None:
        """check's findings for the form as it stands in the page, unsaved (as you type)."""
        import tomlkit

        from .editing import items, live_check
        from .findings import grouped
        from .texts import translator

        path = self._meeting_file()
        form = self._form() if path is not None else None
        if path is None or form is None:
            return
        meeting = self._loaded(path)
        language = meeting.language if meeting else "nb"
        try:  # from the file as saved: it may hold errors that keep it from loading
            numbers = {f.index: f.numbers for f in items(path)}
        except (tomlkit.exceptions.ParseError, OSError):  # then no item names
            numbers = {}
        by_item, general = grouped(live_check(path, form), language, translator(language), numbers)
        self._json({"items": {str(i): [s.as_dict() for s in found] for i, found in by_item.items()},
                    "general": [s.as_dict() for s in general]})  # fmt: skip

    def new_meeting(self) -> None:
        """The meeting after this one (``referatbygg new --from``): named for its date, the
        same members and signatories, the opening items; never over an existing file."""
        from ..meeting import scaffold

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

        from ..meeting import scaffold
        from ..meeting.filing import is_org_number

        form = self._form()
        if form is None:
            return
        name, organisation = form.get("name", "").strip(), form.get("organisation", "").strip()
        language: Language = "nn" if form.get("language") == "nn" else "nb"
        style = form.get("style", "referat")
        typed = {**form, "name": name, "organisation": organisation, "language": language,
                 "style": style}  # fmt: skip
        folder = self.site.folder / scaffold.slug(name)
        if not name or not organisation:
            self.meetings_page(problem="fyll inn navnet på organet og organisasjonen",
                               values=typed)  # fmt: skip
            return
        one_line = all(v.isprintable() for v in (name, organisation))
        if not one_line or style not in STYLE_NAMES:
            self.meetings_page(problem="navnet og organisasjonen må være én linje tekst, og "
                               "stilen en av dem som er listet; ingenting ble skrevet",
                               values=typed)  # fmt: skip
            return
        if folder.exists():
            self.meetings_page(problem=f"mappen {folder.name} finnes allerede; ingenting ble "
                               "skrevet", values=typed)  # fmt: skip
            return
        signers = [(form.get(f"sign{n}_title", "").strip(), form.get(f"sign{n}_name", "").strip())
                   for n in (1, 2)]  # fmt: skip
        signers = [(t, n) for t, n in signers if n]  # a title alone names nobody
        if not all(t for t, _n in signers):
            self.meetings_page(problem="gi hver som signerer en tittel; ingenting ble skrevet",
                               values={**typed, **form})  # fmt: skip
            return
        number = form.get("organisation_number", "").replace(" ", "") or None
        if number is not None and not is_org_number(number):
            self.meetings_page(problem=f"«{number}» er ikke et organisasjonsnummer (ni sifre, "
                               "med riktig kontrollsiffer); ingenting ble skrevet",
                               values=typed)  # fmt: skip
            return
        scaffold.new_body(folder, name=name, organisation=organisation, language=language,
                          style=style, signatories=signers,
                          organisation_number=number)  # fmt: skip
        first = scaffold.blank_meeting(folder / f"{dt.date.today():%Y-%m-%d}.toml")
        self._redirect(f"/meeting?file={quote(self._relative(first))}")

    # -- Forhåndsvisning -----------------------------------------------------------------------

    def preview_page(self) -> None:
        from pypdf import PdfReader

        from ..build.report import read, report_path

        path = self._meeting_file()
        if path is None:
            return
        doc = self._query("doc") or "referat"
        if doc not in DOCS:
            self._send(HTTPStatus.NOT_FOUND, b"Fant ikke dokumentet.\n", TEXT)
            return
        meeting = self._loaded(path)
        common = self._common(path, "Forhåndsvisning")  # the job first: see _common
        pages, report, available = 0, None, []
        if meeting is not None:
            out = self._out_dir(meeting)
            available = [d for d in DOCS if document(meeting, out, d).is_file()]
            pdf = document(meeting, out, doc)
            if pdf.is_file():
                pages = len(PdfReader(pdf).pages)
            kind, draft, _public, _label = DOCS[doc]
            from ..build.layout import stem

            report = read(report_path(out, stem(meeting, kind, draft)))
        warnings = []
        if report is not None and isinstance(report.get("warnings"), list):
            from ..meeting.check import Problem
            from .findings import item_numbers, say

            numbers = item_numbers(meeting)
            warnings = [say(Problem.from_dict(w), common["language"], common["_"], numbers)
                        for w in report["warnings"] if isinstance(w, dict)]  # fmt: skip
        hidden = []  # what could go on the website but is not accessible, and why
        if report is not None and isinstance(report.get("not_published"), list):
            from .findings import not_accessible

            for entry in report["not_published"]:
                if isinstance(entry, dict):
                    why, english = not_accessible(str(entry.get("reason")), common["language"])
                    hidden.append((str(entry.get("file", "")).rsplit("/", 1)[-1], why, english))
        self._render(
            "preview.html", **common, doc=doc, docs=DOCS, warnings=warnings, hidden=hidden,
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
            self._send(HTTPStatus.NOT_FOUND, b"Fant ikke dokumentet.\n", TEXT)
            return
        kind, draft, _public, _label = DOCS[doc]
        out_root = self.site.out_root
        meeting = self._loaded(path)
        what = {"utkast": "utkastet", "innkalling": "innkallingen"}.get(
            doc, "avtalen" if meeting and meeting.kind == "avtale" else "referatet"
        )

        def work(say: jobs.Say) -> None:
            self.site.warm()
            build(path, out_root, kind=kind, draft=draft, progress=say)

        jobs.start(path, f"bygging av {what}", work)
        self._redirect(f"/preview?file={quote(self._relative(path))}&doc={doc}")

    def job_state(self) -> None:
        from . import jobs

        path = self._meeting_file()
        if path is None:
            return
        job = jobs.get(path)
        if job is None:
            self._json({"running": False, "messages": [], "error": None})
            return
        from .progress import norwegian

        meeting = self._loaded(path)
        language = meeting.language if meeting else "nb"
        titles = {s.role: s.title for s in meeting.signatories} if meeting else {}
        data = job.as_dict()
        data["messages"] = [norwegian(m, language, titles) for m in job.messages[-8:]]
        self._json(data)

    def page_image(self) -> None:
        """Page N of a built document as a PNG (pdftoppm), kept per version of the PDF (its
        path, size and modification time: not a read of the whole file for every page)."""
        import hashlib

        from ..tools import proc

        path = self._meeting_file()
        if path is None:
            return
        meeting = self._loaded(path)
        doc, number = self._query("doc") or "referat", self._query("n")
        pdf = document(meeting, self._out_dir(meeting), doc) if meeting and doc in DOCS else None
        if pdf is None or not pdf.is_file() or not number.isdigit():
            self._send(HTTPStatus.NOT_FOUND, b"Fant ikke siden.\n", TEXT)
            return
        # A thumbnail, or the page large enough to read (size=stor: 120 dpi, ~990 px wide).
        dpi = "120" if self._query("size") == "stor" else "60"
        st = pdf.stat()
        version = hashlib.sha256(f"{pdf}:{st.st_size}:{st.st_mtime_ns}".encode()).hexdigest()
        cache = self.site.cache / f"{version[:16]}-{int(number)}-{dpi}"
        png = cache.with_suffix(".png")
        if not png.is_file():
            proc.run([proc.which("pdftoppm", package="poppler-utils"), "-f", number, "-l",
                      number, "-r", dpi, "-png", "-singlefile", str(pdf), str(cache)],
                     timeout=60)  # fmt: skip
        if not png.is_file():
            self._send(HTTPStatus.NOT_FOUND, b"Fant ikke siden.\n", TEXT)
            return
        self._send(HTTPStatus.OK, png.read_bytes(), "image/png")
