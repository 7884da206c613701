"""Every save from the workbench, kept: who, when, what, and the file as it was after it.

The versions lie in the meetings folder under ``.referatbygg/historikk/`` (hidden: no meeting to
the rest of the tool), one folder per meeting file with each version's text and a log line per
save (``log.jsonl``). The first save also keeps the file as it was before it, so every version
the workbench ever replaced can be seen and restored. When the meetings folder is a git
repository, each save is a commit as well (dulwich, a pure-Python git library — not git's
command line parsed), by the person who saved.
"""

from __future__ import annotations

import datetime as dt
import difflib
import getpass
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from ..fsutil import write_atomic

log = logging.getLogger(__name__)
FOLDER = Path(".referatbygg") / "historikk"


@dataclass(frozen=True)
class Version:
    number: int
    when: str  # ISO 8601, UTC
    who: str
    what: str
    digest: str
    text: str


def who_saves() -> str:
    """The person saving: the operating system's user name (the workbench runs as them)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid
        return "ukjent"


def _folder(meetings: Path, path: Path) -> Path:
    relative = path.resolve().relative_to(meetings.resolve()).with_suffix("")
    return meetings / FOLDER / "__".join(relative.parts)


def record(meetings: Path, path: Path, before: str, after: str, what: str) -> None:
    """Keep ``after`` as the newest version of ``path`` (and ``before`` first, when nothing
    is kept yet), then commit it where the folder is a git repository. A failure to keep
    history is logged, never the reason a save is lost."""
    try:
        folder = _folder(meetings, path)
        folder.mkdir(parents=True, exist_ok=True)
        logfile = folder / "log.jsonl"
        # The next number from the log alone: a save never reads the versions before it.
        kept = len(logfile.read_text(encoding="utf-8").splitlines()) if logfile.is_file() else 0
        if not kept:
            _keep(folder, 0, before, "slik filen var før første lagring i arbeidsbenken")
        _keep(folder, kept or 1, after, what)
    except OSError as exc:
        log.warning("history of %s not kept: %s", path, exc)
        return
    _commit(meetings, path, what)


def _keep(folder: Path, number: int, text: str, what: str) -> None:
    data = text.encode("utf-8")
    write_atomic(folder / f"{number:05d}.toml", data)
    when = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    entry = {"number": number, "when": when, "who": who_saves(), "what": what,
             "digest": hashlib.sha256(data).hexdigest()}  # fmt: skip
    with (folder / "log.jsonl").open("a", encoding="utf-8") as out:
        out.write(json.dumps(entry, ensure_ascii=False) + "\n")


def versions_of(meetings: Path, path: Path) -> list[Version]:
    """The kept versions of ``path``, oldest first."""
    folder = _folder(meetings, path)
    logfile = folder / "log.jsonl"
    if not logfile.is_file():
        return []
    out = []
    for line in logfile.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
            text = (folder / f"{int(entry['number']):05d}.toml").read_text(encoding="utf-8")
        except (ValueError, KeyError, OSError):
            continue  # a line cut short by a crash: the others stand
        out.append(Version(int(entry["number"]), str(entry["when"]), str(entry["who"]),
                           str(entry["what"]), str(entry["digest"]), text))  # fmt: skip
    return out


def diff(old: str, new: str, name: str) -> str:
    """The change from ``old`` to ``new`` as a unified diff."""
    return "".join(difflib.unified_diff(old.splitlines(keepends=True),
                                        new.splitlines(keepends=True), f"{name} (før)",
                                        f"{name} (etter)", n=2))  # fmt: skip


def _commit(meetings: Path, path: Path, what: str) -> None:
    """A commit of ``path`` when the meetings folder lies in a git repository."""
    try:
        from dulwich import porcelain
        from dulwich.errors import NotGitRepository
        from dulwich.repo import Repo
    except ImportError:  # pragma: no cover - a dependency; only without it
        return
    try:
        repo = Repo.discover(str(meetings))
    except NotGitRepository:
        return
    try:
        with repo:
            root = Path(repo.path).resolve()
            relative = path.resolve().relative_to(root)
            porcelain.add(repo, paths=[str(root / relative)])
            person = f"{who_saves()} <{who_saves()}@referatbygg.local>".encode()
            porcelain.commit(repo, message=f"{relative}: {what} (referatbygg)".encode(),
                             author=person, committer=person)  # fmt: skip
    except Exception as exc:  # the save stands; the failed commit is said in the log
        log.warning("git commit of %s failed: %s", path, exc)
