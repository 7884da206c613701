"""Putting right what a signing tool did to the document's PDF/A, where the modification policy
allows it: in an incremental update of our own after the signature, never inside it.

Signing tools change the catalog and the metadata as they sign: pyHanko raises the catalog's
/Version to 2.0 and registers the ISO 32002 extension for an ECDSA key; others rewrite the XMP
packet or set /Info apart from XMP. These lie where a later update may change the document
without touching what a signature covers: pyHanko's difference analysis allows a later revision
to change the catalog's /Version, /Extensions and /Metadata and the document information (its
CatalogModificationRule, MetadataUpdateRule, DocInfoRule), as it allows the validation data
added after every signature. It does not allow any other catalog entry to change: a signing tool
that dropped the output intent or /Lang cannot be repaired after its signature, and is refused.

:func:`restore` writes one update that gives the catalog and /Info back what the document sent
for signing had — /Version, the XMP packet, the document information — and keeps of /Extensions
only what PDF 1.7 knows (an empty dictionary rather than none: the policy lets /Extensions
change, not disappear). Whether that was enough is
proved, not assumed: the caller validates the result with veraPDF, and :func:`prove` asks
pyHanko's own validation (its default, strict difference policy) whether every signature still
covers its revision and everything after it is allowed. Nothing else is repaired: a signature's
appearance is part of what the signer signed.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from .pdfasafe import metadata_frozen


@dataclass(frozen=True)
class Restored:
    data: bytes  # the file with the update appended; the input when nothing was to be done
    changes: tuple[str, ...]  # what was put right, in words


def restore(data: bytes, base_revision: int) -> Restored:
    """``data`` with one update that gives back the catalog and document metadata of revision
    ``base_revision`` (the document as sent for signing, 0-based)."""
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    old_root = reader.get_historical_root(base_revision)
    old_trailer = reader.get_historical_resolver(base_revision).trailer_view
    changes: list[str] = []
    with metadata_frozen():  # pyHanko's writer would rewrite XMP and Info itself
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        root = writer.root
        version = old_root.get("/Version")
        if root.get("/Version") != version:
            if version is None:
                del root["/Version"]
            else:
                root[generic.pdf_name("/Version")] = version
            changes.append("the catalog's /Version as the document had it (PDF 1.7, not 2.0)")
        extensions = _pdf17_extensions(root.get("/Extensions"))
        if extensions is not None:
            root[generic.pdf_name("/Extensions")] = extensions
            changes.append("the registration of a PDF 2.0 extension (ISO 32002) removed")
        old_xmp = old_root.raw_get("/Metadata") if "/Metadata" in old_root else None
        now_xmp = root.raw_get("/Metadata") if "/Metadata" in root else None
        if old_xmp is not None and not _same(reader, now_xmp, old_xmp, base_revision):
            stream = generic.StreamObject(
                {generic.pdf_name("/Type"): generic.pdf_name("/Metadata"),
                 generic.pdf_name("/Subtype"): generic.pdf_name("/XML")},
                stream_data=old_xmp.get_object().data,
            )  # fmt: skip
            root[generic.pdf_name("/Metadata")] = writer.add_object(stream)
            changes.append("the XMP metadata as the document had it")
        old_info = old_trailer.raw_get("/Info") if "/Info" in old_trailer else None
        now_info = reader.trailer.raw_get("/Info") if "/Info" in reader.trailer else None
        if old_info is not None and not _same(reader, now_info, old_info, base_revision):
            writer.set_info(writer.add_object(writer.import_object(old_info.get_object())))
            changes.append("the document information (/Info) as the document had it")
        if not changes:
            return Restored(data, ())
        writer.update_root()
        out = io.BytesIO()
        writer.write(out)
    return Restored(out.getvalue(), tuple(changes))


def _same(reader: PdfFileReader, now: Any, before: Any, base_revision: int) -> bool:
    """Whether a reference (to the XMP packet, to /Info) is the one ``base_revision`` had, to
    objects no later revision rewrote."""
    if not isinstance(now, generic.IndirectObject) or not isinstance(
        before, generic.IndirectObject
    ):
        return False
    return now.reference == before.reference and _unchanged(reader, now, base_revision)


def _unchanged(reader: PdfFileReader, ref: generic.IndirectObject, base_revision: int) -> bool:
    """The object and what it refers to were last written in ``base_revision`` or before."""
    seen: set[Any] = set()
    todo: list[Any] = [ref]
    while todo:
        item = todo.pop()
        if isinstance(item, generic.IndirectObject):
            if item.reference in seen:
                continue
            seen.add(item.reference)
            try:
                if reader.xrefs.get_last_change(item.reference) > base_revision:
                    return False
            except KeyError:
                return False
            item = item.get_object()
        if isinstance(item, generic.DictionaryObject):  # streams too
            todo += [item.raw_get(k) for k in item]
        elif isinstance(item, generic.ArrayObject):
            todo += list(item)
    return True


def _pdf17_extensions(extensions: Any) -> Any:
    """The /Extensions dictionary without developer extensions based on PDF 2.0 (pyHanko
    registers ISO/TS 32002 for ECDSA keys), perhaps empty; None when nothing goes."""
    if not isinstance(extensions, generic.DictionaryObject):
        return None
    kept, dropped = generic.DictionaryObject(), False
    for key, value in extensions.items():
        many = isinstance(value, generic.ArrayObject)
        entries = list(value) if many else [value]
        ok = [e for e in entries if not _pdf20(e)]
        dropped = dropped or len(ok) < len(entries)
        if ok:
            kept[key] = generic.ArrayObject(ok) if many else ok[0]
    return kept if dropped else None


def _pdf20(entry: Any) -> bool:
    base = entry.get("/BaseVersion") if isinstance(entry, generic.DictionaryObject) else None
    return base is not None and not str(base).lstrip("/").startswith("1.")


def prove(data: bytes, context: Any = None) -> list[str]:
    """What pyHanko's own validation, with its default (strict) difference policy, finds wrong
    with any signature of ``data``: a signature that no longer covers its whole revision, or a
    later change the policy does not allow. Empty when every signature holds. ``context``: the
    validation context (trust roots) — trust is verify's question; this is about the bytes."""
    from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    problems: list[str] = []
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    for sig in reader.embedded_signatures:
        name = sig.field_name
        try:
            if sig.sig_object.get("/Type") == "/DocTimeStamp":
                status: Any = validate_pdf_timestamp(sig, validation_context=context,
                                                     diff_policy=DEFAULT_DIFF_POLICY)  # fmt: skip
            else:
                status = validate_pdf_signature(sig, signer_validation_context=context,
                                                diff_policy=DEFAULT_DIFF_POLICY)  # fmt: skip
        except (SignatureValidationError, ValueError) as exc:
            problems.append(f"{name}: pyHanko cannot validate it ({exc})")
            continue
        if not status.intact or not status.valid:
            problems.append(f"{name}: the signature no longer matches the bytes it covers")
        if status.coverage != SignatureCoverageLevel.ENTIRE_REVISION:
            problems.append(f"{name}: it no longer covers its whole revision")
        level = status.modification_level
        if level is None or level > ModificationLevel.FORM_FILLING:
            problems.append(f"{name}: a later change is not allowed after a signature ({level})")
    return problems
