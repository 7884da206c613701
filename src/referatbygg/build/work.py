"""The work folder a build owns: everything is made in ``work/ut/`` and validated there; only a
build whose every PDF passes is moved into the output folder, by atomic renames, the report
last. A failed build leaves the previous outputs as they were, and nothing of its own but the
report of a failed validation.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import ValidationError
from ..fsutil import problem_writing
from .result import BuildResult


@contextmanager
def cleaned_on_failure(out: Path) -> Iterator[None]:
    """A build that fails leaves no scratch behind — only the report of a failed validation,
    in work/ — and no output folder that it created itself."""
    existed = out.exists()
    try:
        yield
    except BaseException as exc:
        work = out / "work"
        if isinstance(exc, ValidationError) and work.is_dir():
            shutil.rmtree(work / "ut", ignore_errors=True)
            for item in work.iterdir():
                if not item.name.endswith("build-report.json"):
                    shutil.rmtree(item) if item.is_dir() else item.unlink()
        else:
            shutil.rmtree(work, ignore_errors=True)
            if not existed and out.is_dir() and not any(out.iterdir()):
                out.rmdir()
        machine = problem_writing(exc, out)
        if machine is not None:
            raise machine from None
        raise


def fresh(out: Path) -> tuple[Path, Path]:
    """An empty work folder and its staging folder ``ut/`` (what an earlier build left goes)."""
    work = out / "work"
    shutil.rmtree(work, ignore_errors=True)
    stage = work / "ut"
    stage.mkdir(parents=True)
    return work, stage


def final_paths(result: BuildResult, stage: Path, out: Path) -> None:
    """Point the result at where its files will be once committed."""

    def moved(path: Path) -> Path:
        return out / path.relative_to(stage) if path.is_relative_to(stage) else path

    assert result.pdf is not None
    result.pdf = moved(result.pdf)
    result.public_pdf = moved(result.public_pdf) if result.public_pdf else None
    for done in result.attachments:
        done.pdf = moved(done.pdf)
    for report in result.validations:
        report.file = str(moved(Path(report.file)))


def commit(
    stage: Path, out: Path, files: list[str], stale: list[str], *, folder: str | None = None
) -> None:
    """Move the staged outputs into ``out``: the attachment folder first, the report last, each
    file by an atomic rename; outputs of an earlier build that this one does not make go."""
    if folder and (stage / folder).is_dir():
        old = out / f".{folder}.old"
        shutil.rmtree(old, ignore_errors=True)
        if (out / folder).exists():
            (out / folder).rename(old)
        (stage / folder).rename(out / folder)
        shutil.rmtree(old, ignore_errors=True)
    for name in stale:
        (out / name).unlink(missing_ok=True)
    for name in files:
        (stage / name).replace(out / name)
