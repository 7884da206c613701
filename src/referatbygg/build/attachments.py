"""A build's attachments, converted side by side from its first moment.

Each attachment is converted (and, for the final minutes, validated) in a thread of the build's
pool while the minutes are rendered: a warm LibreOffice is then free for the minutes about when
they are ready, and the attachments' own finishing and validation go on while it converts them.
A notice lists its attachments; it does not carry them.
"""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Callable
from pathlib import Path

from ..meeting.model import Meeting
from ..pdf import pdfa
from ..pdf.convert import Converted, convert_attachment
from ..tools import proc
from ..tools.libreoffice import Converter
from .result import Options


class Attachments:
    """The meeting's attachments, each converted in a thread of ``pool`` from the moment this
    is made."""

    def __init__(
        self, pool: concurrent.futures.Executor, meeting: Meeting, work: Path, conv: Converter,
        say: Callable[[str], None], options: Options, *, signed: bool,
        originals: frozenset[int],
    ) -> None:  # fmt: skip
        self.meeting, self.work, self.conv, self.say = meeting, work, conv, say
        self.level, self.signed, self.originals = options.level, signed, originals
        self.items = meeting.data.attachments if options.kind == "referat" else []
        self.cancelled = threading.Event()
        self.futures = [pool.submit(self._one, index) for index in range(len(self.items))]

    def _one(self, index: int) -> Converted:
        if self.cancelled.is_set():
            raise concurrent.futures.CancelledError
        self.say(f"convert attachment {index + 1}/{len(self.items)}: {self.items[index].title}")
        done = convert_attachment(self.meeting, index, self.work, self.level, self.conv,
                                  self.originals)  # fmt: skip
        if self.signed and not self.cancelled.is_set():  # validated later as archived too;
            pdfa.validate(done.pdf)  # the verdict is kept by content
        return done

    def cancel(self) -> None:
        """Ctrl-C: what has not started does not start, nothing more is validated, and the
        programs converting now are stopped — the build ends without waiting for them."""
        self.cancelled.set()
        for future in self.futures:
            future.cancel()
        proc.stop_all()

    def results(self) -> list[Converted]:
        """All of them, once every one has ended; else the first failure in attachment order."""
        concurrent.futures.wait(self.futures)
        return [future.result() for future in self.futures]
