"""Historikk: a meeting file's kept versions (history.py) — who saved, when, what changed — and
restoring one, which is itself a save (the file's digest checked under the lock, recorded)."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus
from urllib.parse import quote
from zoneinfo import ZoneInfo

from .pages import Pages


class HistoryPages(Pages):
    def history_page(self, *, problem: str | None = None) -> None:
        from .editing import digest
        from .history import diff, versions_of

        path = self._meeting_file()
        if path is None:
            return
        kept = versions_of(self.site.folder, path)
        rows = []
        for i, v in enumerate(kept):
            when = dt.datetime.fromisoformat(v.when).astimezone(ZoneInfo("Europe/Oslo"))
            rows.append({"number": v.number, "when": f"{when:%d.%m.%Y} kl. {when:%H.%M}",
                         "who": v.who, "what": v.what,
                         "diff": diff(kept[i - 1].text, v.text, path.name) if i else "",
                         "current": v.digest == digest(path)})  # fmt: skip
        self._render("history.html", HTTPStatus.BAD_REQUEST if problem else HTTPStatus.OK,
                     **self._common(path, "Historikk"), versions=list(reversed(rows)),
                     digest=digest(path), signed=self._signed(path), problem=problem)  # fmt: skip

    def restore(self) -> None:
        from ..fsutil import locked, write_atomic
        from .editing import digest
        from .history import record, versions_of

        path = self._meeting_file()
        form = self._form() if path is not None else None
        if path is None or form is None:
            return
        chosen = next((v for v in versions_of(self.site.folder, path)
                       if str(v.number) == form.get("version")), None)  # fmt: skip
        if chosen is None:
            self.history_page(problem="den versjonen finnes ikke; ingenting ble endret")
            return
        if self._signed(path) and form.get("new_version") != "1":
            self.history_page(problem="møtet er signert; kryss av for «ny versjon» for å "
                              "gjenopprette; ingenting ble endret")  # fmt: skip
            return
        with locked(path):
            if digest(path) != form.get("digest"):
                self.history_page(problem="filen ble endret mens du så på historikken; se "
                                  "over og prøv igjen; ingenting ble endret")  # fmt: skip
                return
            before = path.read_text(encoding="utf-8", errors="replace")
            write_atomic(path, chosen.text.encode("utf-8"))
            record(self.site.folder, path, before, chosen.text,
                   f"gjenopprettet versjon {chosen.number}")  # fmt: skip
        self._redirect(f"/meeting?file={quote(self._relative(path))}")
