"""Adding an attachment from the Møte page: the file uploaded (streamed to disk under the
attachment limit), stored beside the meeting in ``vedlegg/`` under a safe name that never
replaces a file, and listed in the meeting file with its title and agenda item — or, when
``check`` refuses the file (its kind, its content, its size), nothing kept at all.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from urllib.parse import quote

import tomlkit

from .pages import Pages

ALLOWED = (".pdf", ".docx", ".odt", ".png", ".jpg", ".jpeg")


def safe_name(filename: str) -> str | None:
    """'Årsrapport 2024 (endelig).PDF' → 'arsrapport-2024-endelig.pdf'; None for a kind the
    build does not take."""
    base = Path(filename.replace("\\", "/")).name
    stem, suffix = Path(base).stem, Path(base).suffix.lower()
    if suffix not in ALLOWED:
        return None
    plain = stem.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    plain = unicodedata.normalize("NFKD", plain).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:60] or "vedlegg"
    return f"{slug}{suffix}"


def free(folder: Path, name: str) -> Path:
    """``folder/name``, or with -2, -3 … before the suffix when that exists."""
    path, n = folder / name, 2
    while path.exists():
        path = folder / f"{Path(name).stem}-{n}{Path(name).suffix}"
        n += 1
    return path


class AttachPages(Pages):
    def attach(self) -> None:
        from ..settings import attachment_limit

        path = self._meeting_file()
        if path is None:
            return
        body = self._body_to_file(attachment_limit() + 2**16)
        if body is None:
            return
        try:
            problem = _store(path, body, self.headers.get("Content-Type") or "", self.site.folder)
        finally:
            body.unlink(missing_ok=True)  # before the answer: nothing is left when it arrives
        if problem:
            self.meeting_page(problem=f"{problem}; ingenting ble lagret")
            return
        self._redirect(f"/meeting?file={quote(self._relative(path))}")


def _store(path: Path, body: Path, content_type: str, history: Path) -> str | None:
    """Keep the uploaded attachment and list it; the reason, in the page's words, when not."""
    from ..fsutil import locked, write_atomic
    from ..meeting.check import check
    from ..meeting.load import load_meeting
    from .editing import digest
    from .multipart import copy_part, read

    fields, files = read(body, content_type)
    part = files.get("vedlegg")
    title, item = fields.get("title", "").strip(), fields.get("item", "").strip()
    name = safe_name(part.filename or "") if part else None
    if part is None or part.end <= part.start:
        return "velg en fil"
    if name is None:
        return "filtypen tas ikke imot (bruk PDF, DOCX, ODT, PNG eller JPEG)"
    if not title or not item:
        return "fyll inn tittel og saksnummer"
    with locked(path):
        if digest(path) != fields.get("digest"):
            return "filen ble endret på disken mens du lastet opp"
        folder = path.parent / "vedlegg"
        folder.mkdir(exist_ok=True)
        stored = free(folder, name)
        copy_part(body, part, stored)
        before = path.read_text(encoding="utf-8")
        doc = tomlkit.parse(before)
        entry = tomlkit.table()
        entry["item"] = int(item) if item.isdigit() else item
        entry["title"] = title
        entry["file"] = f"vedlegg/{stored.name}"
        if fields.get("exempt", "").strip():
            entry["exempt"] = fields["exempt"].strip()
        if "attachments" not in doc:
            doc["attachments"] = tomlkit.aot()
        doc["attachments"].append(entry)
        try:
            write_atomic(path, tomlkit.dumps(doc).encode("utf-8"))
            # check names an attachment by its title in every finding about it
            found = [p for p in check(load_meeting(path)) if p.severity == "error"
                     and f"'{title}'" in p.message]  # fmt: skip
        except Exception:
            write_atomic(path, before.encode("utf-8"))
            stored.unlink(missing_ok=True)
            raise
        if found:  # what check refuses is not kept: the file as it was, no upload
            write_atomic(path, before.encode("utf-8"))
            stored.unlink(missing_ok=True)
            return f"vedlegget ble ikke lagt til: {found[0].message}"
        from .history import record

        record(history, path, before, tomlkit.dumps(doc), f"la til vedlegg: {stored.name}")
    return None
