"""What changed after a signature, or in its own revision, named: metadata, output intent,
validation data.

pyHanko's difference analysis classes every update after a signature (validation data and
timestamps, form filling, annotations, other). It whitelists document metadata — /Info and the XMP
packet — as "validation data and timestamps", and it lets the whole DSS be dropped. For an archive
those are changes with names: a new title, a different PDF/A claim, a changed output intent, the
validation data gone. Signing tools legitimately touch a few metadata entries (modification dates,
producer); those are reported as notes, everything else as a problem.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

from ..pdf import xmp
from .policies import changes_nothing
from .structure import plain

log = logging.getLogger(__name__)

# Entries a signing tool may update with each revision.
VOLATILE_INFO = {"/ModDate", "/Producer"}
VOLATILE_XMP = {
    "xmp:ModifyDate", "xmp:MetadataDate", "pdf:Producer", "xmpMM:InstanceID",
    "xmpMM:VersionID", "xmpMM:History",
}  # fmt: skip
DSS_KEYS = ("/Certs", "/OCSPs", "/CRLs")


@dataclass
class Changes:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def since(reader: PdfFileReader, revision: int) -> Changes:
    """Named changes between ``revision`` (0-based) and the file as it is now."""
    out = Changes()
    last = reader.xrefs.total_revisions - 1
    if revision >= last:
        return out
    then, now = reader.get_historical_resolver(revision), reader
    try:
        _compare(then, now, out, "after it")
        _dss(reader, revision, out)
    except Exception as exc:  # a damaged later revision: a finding, not a crash
        log.info("comparing revisions failed", exc_info=True)
        out.problems.append(f"what changed after it cannot be read ({plain(exc)})")
    return out


def within(reader: PdfFileReader, revision: int) -> Changes:
    """Named changes that revision ``revision`` (0-based) made to the one before it: what a
    signature's own revision changed besides the signature. pyHanko's rules let a signing
    revision rewrite /Info and the XMP packet like any later update; a signer who retitles the
    document while signing it has changed the document, not only signed it."""
    out = Changes()
    if revision < 1:
        return out
    try:
        then = reader.get_historical_resolver(revision - 1)
        _compare(then, reader.get_historical_resolver(revision), out, "in its own revision")
    except Exception as exc:
        log.info("comparing revisions failed", exc_info=True)
        out.problems.append(f"what its own revision changed cannot be read ({plain(exc)})")
    return out


def _compare(then: Any, now: Any, out: Changes, when: str) -> None:
    _info(then, now, out, when)
    _xmp(then, now, out, when)
    _output_intents(then, now, out, when)
    _declared(then, now, out, when)


def _declared(then: Any, now: Any, out: Changes, when: str) -> None:
    """The PDF version and extensions the catalog declares: a signing tool may change them
    (pyHanko declares PDF 2.0 for ECDSA keys) and intake may put them back after it
    (signing/repair.py); either is said, so that the archive sees it."""
    for key, what in (("/Version", "declared PDF version"), ("/Extensions", "extensions")):
        old, new = then.root.get(key), now.root.get(key)
        if _digest(old) != _digest(new):
            shown = [_shown(x) for x in (old, new)]
            out.notes.append(f"the catalog's {what} changed {when}: {shown[0]} → {shown[1]}")


def _shown(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, generic.DictionaryObject):
        return ", ".join(sorted(str(k).lstrip("/") for k in value)) or "none"
    return str(value).lstrip("/")


def _info(then: Any, now: Any, out: Changes, when: str) -> None:
    old, new = _info_dict(then), _info_dict(now)
    changed = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
    significant = [k for k in changed if k not in VOLATILE_INFO]
    if significant:
        out.problems.append(
            f"the document information (/Info) was changed {when}: {', '.join(significant)}"
        )
    elif changed:
        out.notes.append(f"document information updated: {', '.join(changed)}")


def _info_dict(handler: Any) -> dict[str, str]:
    # Resolved through the handler: the trailer's references would resolve in the newest revision.
    info = handler.trailer_view.raw_get("/Info") if "/Info" in handler.trailer_view else None
    if isinstance(info, generic.IndirectObject):
        info = handler.get_object(info.reference)
    if not isinstance(info, generic.DictionaryObject):
        return {}
    return {str(k): str(v.get_object()) for k, v in info.items()}


def _xmp(then: Any, now: Any, out: Changes, when: str) -> None:
    old_packet, new_packet = _xmp_packet(then), _xmp_packet(now)
    if old_packet == new_packet:
        return
    if not old_packet or not new_packet:
        out.problems.append(f"the XMP metadata was removed, added or damaged {when}")
        return
    try:
        new = xmp.properties(new_packet)
        old = xmp.properties(old_packet)
    except xmp.XmpError as exc:  # readers would not agree on what it says: never "unchanged"
        out.problems.append(f"the XMP metadata was changed {when} and cannot be read one way "
                            f"only: {exc}")  # fmt: skip
        return
    changed = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
    significant = [k for k in changed if k not in VOLATILE_XMP]
    if significant:
        out.problems.append(f"the XMP metadata was changed {when}: {', '.join(significant)}")
    elif changed:
        out.notes.append(f"XMP metadata updated: {', '.join(changed)}")


def _xmp_packet(handler: Any) -> bytes | None:
    """The packet's bytes (empty without one); None when /Metadata is not a stream."""
    meta = handler.root.get("/Metadata")
    if meta is None:
        return b""
    stream = meta.get_object()
    if not isinstance(stream, generic.StreamObject):
        return None
    return bytes(stream.data)


def _output_intents(then: Any, now: Any, out: Changes, when: str) -> None:
    if _digest(then.root.get("/OutputIntents")) != _digest(now.root.get("/OutputIntents")):
        out.problems.append(
            f"the output intent (the colour profile PDF/A requires) was changed {when}"
        )


def _digest(obj: Any, depth: int = 0) -> str:
    """A digest of an object and what it refers to (shallow graphs only: output intents)."""
    if depth > 8:
        return "deep"
    obj = obj.get_object() if isinstance(obj, generic.IndirectObject) else obj
    h = hashlib.sha256()
    if isinstance(obj, generic.StreamObject):
        h.update(obj.encoded_data)
    if isinstance(obj, generic.DictionaryObject):
        for key in sorted(obj.keys()):
            h.update(str(key).encode() + _digest(obj.raw_get(key), depth + 1).encode())
    elif isinstance(obj, generic.ArrayObject):
        for item in obj:
            h.update(_digest(item, depth + 1).encode())
    elif not isinstance(obj, generic.StreamObject):
        h.update(repr(obj).encode())
    return h.hexdigest()


def _dss(reader: PdfFileReader, revision: int, out: Changes) -> None:
    """The DSS removed after ``revision`` is a problem; single entries dropped, a note (PAdES
    allows pruning what is no longer needed)."""
    last = reader.xrefs.total_revisions - 1
    had, items = False, set()
    for rev in range(revision, last + 1):
        if revision < rev < last and changes_nothing(reader, rev):
            continue  # the document as the revision before it: the same DSS
        handler = reader if rev == last else reader.get_historical_resolver(rev)
        dss = handler.root.get("/DSS")
        if dss is None:
            continue
        had = True
        items |= _dss_items(dss.get_object()) if rev < last else set()
    final = reader.root.get("/DSS")
    if had and final is None:
        out.problems.append("the validation data (DSS) was removed after it")
        return
    if final is not None:
        dropped = items - _dss_items(final.get_object())
        if dropped:
            out.notes.append(f"{len(dropped)} item(s) of validation data were removed from the DSS")


def _dss_items(dss: Any) -> set[str]:
    found: set[str] = set()
    if not isinstance(dss, generic.DictionaryObject):
        return found
    for key in DSS_KEYS:
        entries = dss.get(key)
        for entry in entries if isinstance(entries, generic.ArrayObject) else ():
            stream = entry.get_object()
            if isinstance(stream, generic.StreamObject):
                found.add(hashlib.sha256(stream.encoded_data).hexdigest())
    return found
