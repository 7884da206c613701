"""A package's zip opened entry by entry, refusing what could make the archive see something
other than what was checked: a name outside the package's folder, an absolute or backslashed
path, a symbolic link, the same name twice (also in another case or Unicode form — the first
copy is what some tools extract, the last what others do), a name not in Unicode's NFC form,
an entry beside the one folder a bag must be, or an entry that inflates to more than it says.
"""

from __future__ import annotations

import os
import stat
import unicodedata
import zipfile
from pathlib import Path, PurePosixPath

from ..errors import PackageError
from ..meeting.load import display

CHUNK = 1 << 20


def names_problem(infos: list[zipfile.ZipInfo], *, one_folder: bool) -> str | None:
    """Why the entries cannot be taken as they are; None when they can."""
    seen: dict[str, str] = {}
    tops = set()
    for info in infos:
        name = info.filename
        if "\\" in name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
            return f"unsafe path in archive: {name}"
        parts = PurePosixPath(name).parts
        if ".." in parts or any(p in ("", ".") for p in name.rstrip("/").split("/")):
            return f"unsafe path in archive: {name}"
        if stat.S_ISLNK(info.external_attr >> 16):
            return f"{name} is a symbolic link"
        if unicodedata.normalize("NFC", name) != name:
            return f"{name} is not a normalised (NFC) name"
        folded = name.rstrip("/").casefold()
        if folded in seen:
            twice = "twice" if seen[folded] == name else f"twice ({seen[folded]} and {name})"
            return f"{name.rstrip('/')} is in the archive {twice}"
        seen[folded] = name
        if one_folder:
            if len(parts) == 1 and not info.is_dir():
                return f"{name} stands beside the bag's folder"
            tops.add(parts[0])
        elif "/" in name.strip("/") or name.startswith("."):
            return f"{name} is not a file name alone"
    if one_folder and len(tops) > 1:
        return f"expected one bag folder inside, found {len(tops)}"
    return None


def extract(path: Path, target: Path, *, one_folder: bool) -> None:
    """Every entry of the zip at ``path`` into ``target``, or PackageError naming why not."""
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        problem = names_problem(infos, one_folder=one_folder)
        if problem:
            raise PackageError(f"{display(path)}: {problem}")
        for info in infos:
            dest = target / info.filename
            if info.is_dir():
                dest.mkdir(parents=True, exist_ok=True)
                continue
            dest.parent.mkdir(parents=True, exist_ok=True)
            written = 0
            with zf.open(info) as src, dest.open("wb") as out:
                while chunk := src.read(CHUNK):
                    written += len(chunk)
                    if written > info.file_size:  # zipfile checks CRC, not a lying size
                        raise PackageError(
                            f"{display(path)}: {info.filename} inflates beyond its stated size"
                        )
                    out.write(chunk)


def links_in(folder: Path) -> list[str]:
    """Symbolic links anywhere below ``folder`` (a bag or message given as a folder)."""
    found = []
    for here, dirs, files in os.walk(folder):
        for name in [*dirs, *files]:
            if (Path(here) / name).is_symlink():
                found.append(str((Path(here) / name).relative_to(folder)))
    return sorted(found)
