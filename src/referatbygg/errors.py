"""Error hierarchy and exit codes.

The library raises these; only the CLI turns them into messages and exit codes. Messages say what
was wrong, where (file, line, agenda item, attachment) and what to do. They never contain secrets.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum


class ExitCode(IntEnum):
    ok = 0
    input_error = 2  # the meeting/config files are wrong (also argparse's usage code)
    check_failed = 3  # `check` found errors in an otherwise readable meeting
    dependency = 4  # an external program is missing
    conversion = 5  # LibreOffice/Ghostscript failed
    signing = 6
    validation = 7  # PDF/A or signature validation says "not valid"
    package = 8
    batch_failed = 9  # some meetings of a batch failed; the others are done
    output = 10  # the outputs cannot be written: disk full, read-only, no permission
    interrupted = 130
    internal = 70  # a bug: anything we did not expect


class ReferatbyggError(Exception):
    """Base class: every error the library raises on purpose."""

    exit_code: ExitCode = ExitCode.internal

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"


class InputError(ReferatbyggError):
    """A meeting, body or config file cannot be used as it is."""

    exit_code = ExitCode.input_error


class MeetingFileError(InputError):
    """A meeting, body or agreement file has errors in what it says (invalid TOML, unknown keys,
    wrong values): `check`'s verdict, exit 3, every problem listed with file:line. Plain
    InputError (exit 2) is for files that cannot be read at all."""

    exit_code = ExitCode.check_failed


class CheckFailed(ReferatbyggError):
    """`check` found problems; `problems` lists them (check's Problem objects), for those who
    show them otherwise than as the message's lines (the workbench, in Norwegian)."""

    exit_code = ExitCode.check_failed

    def __init__(
        self, message: str, *, hint: str | None = None, problems: Sequence[object] = ()
    ) -> None:
        super().__init__(message, hint=hint)
        self.problems = list(problems)


class DependencyError(ReferatbyggError):
    """A program or resource referatbygg needs is missing or does not work
    (``referatbygg doctor`` says which, and how to install it)."""

    exit_code = ExitCode.dependency


class ConversionError(ReferatbyggError):
    """LibreOffice or Ghostscript could not turn a document into PDF/A."""

    exit_code = ExitCode.conversion


class SigningError(ReferatbyggError):
    """A signature, timestamp or intake was refused or failed; the file is as it was."""

    exit_code = ExitCode.signing


class ValidationError(ReferatbyggError):
    """A PDF is not valid for the PDF/A part it claims, or a validator could not read it."""

    exit_code = ExitCode.validation


class Unreadable(ValidationError):
    """veraPDF's engine cannot read the file at all (no verdict on its conformance)."""


class PackageError(ReferatbyggError):
    """An archive package cannot be made (the meeting is not ready, or its files changed since
    its document was built) or does not check out."""

    exit_code = ExitCode.package


class OutputError(ReferatbyggError):
    """The outputs cannot be written (disk full, read-only file system, no permission); the
    previous outputs are as they were."""

    exit_code = ExitCode.output
