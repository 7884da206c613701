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
from typing import Any

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
    """A commit of ``path`` — and of nothing else — when the meetings folder lies in a git
    repository: the commit's tree is HEAD's with this one file's new content, so what someone
    else has staged stays staged and out of the workbench's commit; the index entry of this
    file is brought up to date, so that git does not show the save as a change undone."""
    try:
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
            _commit_one(repo, path, what)
    except Exception as exc:  # the save stands; the failed commit is said in the log
        log.warning("git commit of %s failed: %s", path, exc)


def _commit_one(repo: Any, path: Path, what: str) -> None:
    import time

    from dulwich.index import index_entry_from_stat
    from dulwich.objects import Blob, Commit

    root = Path(repo.path).resolve()
    relative = path.resolve().relative_to(root)
    data = path.read_bytes()
    blob = Blob.from_string(data)
    repo.object_store.add_object(blob)
    try:
        head: Any = repo.head()
    except KeyError:  # a repository without a commit yet
        head = None
    base = repo[head].tree if head is not None else None
    tree = _tree_with(repo.object_store, base, [p.encode() for p in relative.parts], blob.id)
    if base == tree:
        return  # the file in HEAD is this content already
    person = f"{who_saves()} <{who_saves()}@referatbygg.local>".encode()
    commit = Commit()
    commit.tree, commit.parents = tree, [head] if head is not None else []
    commit.author = commit.committer = person
    commit.author_time = commit.commit_time = int(time.time())
    offset = -time.timezone if not time.localtime().tm_isdst else -time.altzone
    commit.author_timezone = commit.commit_timezone = offset
    commit.encoding = b"UTF-8"
    commit.message = f"{relative}: {what} (referatbygg)\n".encode()
    repo.object_store.add_object(commit)
    if not repo.refs.set_if_equals(b"HEAD", head, commit.id):
        raise RuntimeError("HEAD moved while committing")  # another commit won; ours is not made
    index = repo.open_index()
    index[relative.as_posix().encode()] = index_entry_from_stat(path.stat(), blob.id)
    index.write()


def _tree_with(store: Any, tree_id: Any, parts: list[bytes], blob_id: Any) -> Any:
    """The id of the tree ``tree_id`` with the file at ``parts`` set to ``blob_id``."""
    from dulwich.objects import Tree

    tree = store[tree_id].copy() if tree_id is not None else Tree()
    name = parts[0]
    if len(parts) == 1:
        tree.add(name, 0o100644, blob_id)
    else:
        sub = tree[name][1] if name in tree else None
        tree.add(name, 0o040000, _tree_with(store, sub, parts[1:], blob_id))
    store.add_object(tree)
    return tree.id
