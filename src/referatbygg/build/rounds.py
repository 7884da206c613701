"""A new signing round: the signed document and everything built with it kept aside.

A signed file is never overwritten. When the minutes must change after someone signed — the
meeting file was corrected — the signed document, its signing record, its build report, the
public version and any package move to ``<out>/tidligere/<UTC time>/`` and the meeting is built
again; if that build fails, they move back, so the outputs are as they were.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

ROUNDS = "tidligere"
# Not part of a round: earlier rounds, the build's scratch folder, and the meeting's identities
# in the archive (archive/identities.py, archive/record.py) — the archive's records of the
# meeting stay the same records when its minutes are signed anew, and are updated, not
# made again.
KEEP = {ROUNDS, "work", "arkiv-id.json", "arkiv-svar.json"}


def set_aside(out: Path) -> Path:
    """Move the current round's outputs into a new folder under ``out/tidligere/``."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    dest = out / ROUNDS / stamp
    dest.mkdir(parents=True)
    for path in sorted(out.iterdir()):
        if path.name not in KEEP and not path.name.startswith("."):
            path.rename(dest / path.name)
    return dest


def restore(out: Path, dest: Path) -> None:
    """Put a round set aside back (the new build failed): whatever the failed build left in
    its place is not an output (it only commits when every file passed)."""
    for path in sorted(dest.iterdir()):
        target = out / path.name
        if not target.exists():
            path.rename(target)
    if not any(dest.iterdir()):
        dest.rmdir()
