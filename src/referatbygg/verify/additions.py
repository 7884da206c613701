"""What an update added besides what it is for: a signature's own revision, and objects nothing
refers to.

pyHanko's difference analysis judges what follows a signature; what a signer wrote *in* the
revision that his signature closes is covered by that signature and so never compared with the
document as it was before him. A signing tool may rightly set the field's value, its appearance,
the form's /SigFlags and (certifying) /Perms, and touch the modification date. Everything else —
a retitled document in /Info or XMP, an edited outline or page labels, another field, a page —
is the signer changing the document he signs, and nobody after him is asked about it.

pyHanko also clears new objects that nothing refers to ("orphans", some writers leave them) as
harmless. In an archive they are a place to carry anything unseen — a ZIP file in a stream no
viewer shows — and an object numbered where an older object held a dangling reference changes
what that older object shows without touching it. Neither belongs in a document kept for decades.
"""

from __future__ import annotations

import logging
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel, SuspiciousModification

from . import changes
from .policies import SIGNING_POLICY
from .structure import MAX_SAME, plain

log = logging.getLogger(__name__)


def own_revision(reader: PdfFileReader, revision: int) -> changes.Changes:
    """What revision ``revision`` (0-based; the one a signature closes) changed besides filling
    signature fields: problems for anything else, notes for the volatile metadata."""
    out = changes.Changes()
    if revision < 1:
        return out
    try:
        result = SIGNING_POLICY.apply(
            old=reader.get_historical_resolver(revision - 1),
            new=reader.get_historical_resolver(revision),
        )
        level = result.modification_level
    except SuspiciousModification as exc:
        log.info("revision %d: %s", revision + 1, exc)
        level = ModificationLevel.OTHER
    except Exception as exc:  # damaged objects: a finding, never a pass
        log.info("reviewing revision %d failed", revision + 1, exc_info=True)
        out.problems.append(f"what its own revision changed cannot be read ({plain(exc)})")
        return out
    if level > ModificationLevel.FORM_FILLING:
        out.problems.append(
            "its own revision changes the document besides the signature (pages, content, "
            "outline, page labels, fields or annotations): the signer changed what was sent "
            "for signing"
        )
    named = changes.within(reader, revision)
    out.problems += named.problems
    out.notes += named.notes
    return out


def orphans(reader: PdfFileReader) -> list[str]:
    """Objects an update defines that nothing in the document refers to, per revision."""
    problems: list[str] = []
    for revision in range(1, reader.xrefs.total_revisions):
        try:
            found = _orphans_in(reader, revision)
        except Exception as exc:
            log.info("orphan search in revision %d failed", revision + 1, exc_info=True)
            problems.append(f"revision {revision + 1}: its objects cannot be followed "
                            f"({plain(exc)})")  # fmt: skip
            continue
        if found:
            named = ", ".join(f"{r.idnum} {r.generation} obj" for r in found[:MAX_SAME])
            more = f" and {len(found) - MAX_SAME} more" if len(found) > MAX_SAME else ""
            problems.append(
                f"revision {revision + 1} adds objects that nothing in the document refers to "
                f"({named}{more}): content no viewer shows, which an archive must not carry "
                "unseen"
            )
    return problems


def _orphans_in(reader: PdfFileReader, revision: int) -> list[generic.Reference]:
    new = reader.get_historical_resolver(revision)
    fresh = {
        ref for ref in new.explicit_refs_in_revision()
        if reader.xrefs.get_historical_ref(ref, revision - 1) is None
    }  # fmt: skip
    if not fresh:
        return []
    # New objects are reached from the trailer or from older objects this revision rewrote;
    # only branches through objects new since this revision need following.
    starts: list[Any] = [new.trailer_view]
    starts += [new(ref) for ref in new.explicit_refs_in_revision() if ref not in fresh]
    for start in starts:
        fresh -= new.collect_dependencies(start, since_revision=revision)
        if not fresh:
            return []
    return sorted((ref for ref in fresh if not _container(new(ref))),
                  key=lambda r: (r.idnum, r.generation))  # fmt: skip


def _container(obj: Any) -> bool:
    """Cross-reference and object streams: they hold the revision's objects, nobody refers to
    them."""
    return isinstance(obj, generic.StreamObject) and obj.get("/Type") in ("/XRef", "/ObjStm")
