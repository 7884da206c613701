"""A PDF's revision structure, read strictly: what every signature is judged against.

A signed PDF is a chain of revisions: the document as built, then one incremental update per
signature, validation data or timestamp. Each revision ends with ``startxref <offset> %%EOF``, and
its cross-reference section lists the objects it defines. The published attacks on PDF signatures
(Mladenov et al., "1 Trillion Dollar Refund", CCS 2019; Mainka et al., "Shadow Attacks", NDSS
2021) live in the gaps a lenient reader papers over: a startxref that points a few bytes off and is
silently "corrected", object bodies appended after the last %%EOF or hidden between objects (which
viewers that rebuild the cross-reference table by scanning do show), /Prev chains that loop or
point nowhere. Nothing here repairs anything: every anomaly is a finding, and a file with a finding
is not valid, whatever its signatures say.

pyHanko's strict reader parses the cross-reference chain (and refuses what it cannot read
exactly); this module adds what it leaves open: the bytes around and between revisions, and that
every object body in a revision is one its cross-reference section names.
"""

from __future__ import annotations

import bisect
import hashlib
import io
import logging
import re
import zlib
from dataclasses import dataclass, field

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.xref import ObjStreamRef

log = logging.getLogger(__name__)

WHITESPACE = b" \t\r\n\f\x00"  # PDF's white-space characters (ISO 32000-1, 7.2.2)
# "startxref <offset> %%EOF" and one end-of-line: how every revision ends.
_EOF = re.compile(rb"startxref[ \t\r\n\f\x00]*(\d+)[ \t\r\n\f\x00]*%%EOF(?:\r\n|\r|\n)?")
# An object header "12 0 obj" at the start of a token (after white space).
_OBJ = re.compile(rb"(?<=[ \t\r\n\f\x00])(\d{1,10})[ \t\r\n\f\x00]+(\d{1,5})[ \t\r\n\f\x00]+obj\b")
SIGNATURE_TYPES = ("/Sig", "/DocTimeStamp")
MAX_SAME = 5  # findings of one kind named one by one; more are counted
# What one stream written by an update may inflate to. Signature appearances, validation data
# and timestamps are kilobytes to a few megabytes (a large CA's CRL); a stream that inflates
# past this is a decompression bomb that every later reader — the diff analysis, veraPDF, a
# viewer — would expand in memory.
MAX_INFLATED = 256 * 1024 * 1024


@dataclass(frozen=True)
class Revision:
    index: int  # 0: the document as first written
    start: int  # its first byte
    xref: int  # where its cross-reference section starts
    end: int  # just after its %%EOF marker and end-of-line

    @property
    def number(self) -> int:
        """1-based, as people count: revision 1 is the document as first written."""
        return self.index + 1


@dataclass
class Structure:
    """What a strict reading found: the revisions, the problems, and the signature
    dictionaries defined in any revision (revision index, reference)."""

    data: bytes
    reader: PdfFileReader | None = None
    revisions: list[Revision] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    extents: dict[generic.Reference, tuple[int, int]] = field(default_factory=dict)
    signature_objects: list[tuple[int, generic.Reference]] = field(default_factory=list)
    encrypted: bool = False

    @property
    def sound(self) -> bool:
        return not self.problems and self.reader is not None

    @property
    def verdict(self) -> str:
        """What the problems amount to, as the start of a sentence."""
        if self.reader is None and not self.data.startswith(b"%PDF-"):
            return "not a readable PDF"
        if self.encrypted:
            return "not verifiable"
        return "the file's structure is damaged or was repaired"

    def revision_ending_at(self, offset: int) -> Revision | None:
        return next((r for r in self.revisions if r.end == offset), None)


def read(data: bytes) -> Structure:
    """Read ``data`` strictly; never raises for a bad file (problems are returned)."""
    found = Structure(data)
    if not data.startswith(b"%PDF-"):
        if b"%PDF-" not in data[:1024]:
            found.problems.append("it is not a PDF file (no %PDF header)")
            return found
        found.problems.append("the PDF header is not at the start of the file")
    _check_tail(data, found)
    try:
        found.reader = PdfFileReader(io.BytesIO(data), strict=True)
        encrypted = found.reader.encrypted  # reads /Encrypt, which may itself be malformed
    except Exception as exc:  # pyHanko raises several kinds on damaged files
        log.info("strict reading failed", exc_info=True)
        found.reader = None
        found.problems.append(describe_read_error(exc))
        return found
    if encrypted:
        found.encrypted = True
        found.problems.append(
            "it is encrypted: its signatures cannot be checked here, and an archive copy must "
            "not be encrypted; ask for an unprotected copy"
        )
        return found
    try:
        _revisions(found)
        _objects(found)
    except Exception as exc:  # a damaged file must give a finding, never a crash
        log.info("structure check failed", exc_info=True)
        found.problems.append(f"the file's objects cannot be read strictly ({plain(exc)})")
    return found


def _check_tail(data: bytes, found: Structure) -> None:
    stripped = data.rstrip(WHITESPACE)
    if stripped.endswith(b"%%EOF"):
        return
    last = data.rfind(b"%%EOF")
    if last < 0:
        found.problems.append(
            "the file has no end-of-file marker (%%EOF): it is truncated or incomplete"
        )
    else:
        extra = len(stripped) - (last + 5)
        found.problems.append(
            f"{extra} byte(s) follow the last end-of-file marker (%%EOF at byte {last}): "
            "data was appended without a revision of its own"
        )


def _revisions(found: Structure) -> None:
    data, reader = found.data, found.reader
    assert reader is not None
    xrefs = reader.xrefs
    start = 0
    total = xrefs.total_revisions
    for index in range(total):
        meta = xrefs.get_xref_container_info(index)
        declared = meta.declared_startxref
        number = index + 1
        if not _section_at(data, declared, meta.stream_ref is not None):
            found.problems.append(
                f"revision {number}: its cross-reference pointer (byte {declared}) does not point "
                "exactly at its cross-reference section"
            )
        limit = (
            xrefs.get_xref_container_info(index + 1).declared_startxref
            if index + 1 < total
            else len(data)
        )
        end = _EOF.search(data, meta.end_location, max(limit, meta.end_location))
        if end is None or int(end.group(1)) != declared:
            found.problems.append(
                f"revision {number} does not end with 'startxref {declared} %%EOF'"
            )
            return
        if declared < start:
            found.problems.append(
                f"revision {number}: its cross-reference section (byte {declared}) lies inside "
                "an earlier revision"
            )
        found.revisions.append(Revision(index, start, declared, end.end()))
        start = end.end()
    tail = data[start:]
    if tail.strip(WHITESPACE):
        found.problems.append(
            f"{len(tail.rstrip(WHITESPACE))} byte(s) after the last revision (from byte {start}) "
            "belong to no revision: content appended without a cross-reference section"
        )


def _section_at(data: bytes, offset: int, stream: bool) -> bool:
    if stream:
        return re.match(rb"\d+[ \t\r\n\f\x00]+\d+[ \t\r\n\f\x00]+obj", data[offset:]) is not None
    return data.startswith(b"xref", offset)


@dataclass
class _Scan:
    """What one revision's objects showed; a revision is fully described by the bytes up to its
    end, so a scan is kept for the next reading of the same file or a longer one (each
    signature before the next, then the archive, read the earlier revisions again)."""

    problems: list[str] = field(default_factory=list)
    extents: dict[generic.Reference, tuple[int, int]] = field(default_factory=dict)
    signatures: list[generic.Reference] = field(default_factory=list)


_SCANS: dict[str, _Scan] = {}
# A meeting's outputs are read again within the meeting (seven scans for the seed, signed and
# archived); never by the next meeting. 20 KB a scan: a batch worker stays flat.
_KEEP_SCANS = 64


def _objects(found: Structure) -> None:
    """Every object of every revision: readable, inside its revision, and no object body in a
    revision that its cross-reference section does not name. Linear in the number of
    revisions: each revision's scan is keyed by a running digest of the file up to it."""
    digest = hashlib.sha256()
    done = 0
    for rev in found.revisions:
        digest.update(found.data[done : rev.end])
        done = rev.end
        key = digest.copy().hexdigest()
        scan = _SCANS.get(key)
        if scan is None:
            scan = _scan(found, rev)
            while len(_SCANS) >= _KEEP_SCANS:  # the oldest go first (insertion order)
                del _SCANS[next(iter(_SCANS))]
            _SCANS[key] = scan
        found.problems += scan.problems
        found.extents.update(scan.extents)
        found.signature_objects += [(rev.index, ref) for ref in scan.signatures]


def _scan(found: Structure, rev: Revision) -> _Scan:
    reader = _reader_for(found, rev)
    scan = _Scan()
    meta = reader.xrefs.get_xref_container_info(rev.index)
    refs = reader.xrefs.explicit_refs_in_revision(rev.index)
    offsets: set[int] = set()
    for ref in sorted(refs, key=lambda r: (r.idnum, r.generation)):
        where = f"object {ref.idnum} {ref.generation} of revision {rev.number}"
        marker = reader.xrefs.get_historical_ref(ref, rev.index)
        if isinstance(marker, ObjStreamRef):
            obj = _read_object(reader, scan, ref, rev, where)
            if _is_signature(obj):
                scan.problems.append(f"{where} is a signature stored in an object stream")
            continue
        if not isinstance(marker, int):
            continue
        offsets.add(marker)
        if ref != meta.stream_ref and not rev.start <= marker < rev.xref:
            scan.problems.append(
                f"{where} is stored at byte {marker}, outside that revision (bytes "
                f"{rev.start}–{rev.end}): an update that re-points to other bytes"
            )
        obj = _read_object(reader, scan, ref, rev, where)
        if obj is not None:
            # Kept without its reader (a Reference compares by number alone): a scan is kept
            # for later readings, and a reader holds the whole file — 11 MB more per meeting
            # a batch worker had done, until _SCANS was cleared (bench/memory.py).
            kept = generic.Reference(ref.idnum, ref.generation)
            scan.extents[kept] = (marker, reader.stream.tell())
            if _is_signature(obj):
                scan.signatures.append(kept)
            if rev.index > 0 and _inflates_too_far(obj):
                scan.problems.append(
                    f"{where} is a stream that inflates to more than "
                    f"{MAX_INFLATED >> 20} MiB: a decompression bomb, not a signature's data"
                )
    if meta.stream_ref is not None:
        offsets.add(rev.xref)
    scan.problems += _hidden(found.data, rev, offsets, scan.extents)
    return scan


_INDIRECT_LENGTH = re.compile(rb"/Length\s+(\d+)\s+(\d+)\s+R")


def _reader_for(found: Structure, rev: Revision) -> PdfFileReader:
    """The reader to read ``rev``'s objects with: the whole file's, whose objects resolve as
    of its last revision — the same as of ``rev`` wherever nothing ``rev`` depends on was
    redefined later. Otherwise (a stream's indirect /Length redefined by a later update, an
    object stream, a cross-reference stream, an object stored outside its revision) a reader of
    the file as it ended with ``rev``, as a viewer of that revision would read it. One reader
    per revision made verification quadratic in the number of revisions."""
    whole = found.reader
    assert whole is not None
    xrefs = whole.xrefs
    if xrefs.get_xref_container_info(rev.index).stream_ref is not None:
        return _prefix_reader(found, rev)
    for ref in xrefs.explicit_refs_in_revision(rev.index):
        marker = xrefs.get_historical_ref(ref, rev.index)
        if not isinstance(marker, int) or not rev.start <= marker < rev.xref:
            return _prefix_reader(found, rev)
        head = found.data[marker : marker + 4096]
        head = head[: head.find(b"stream")] if b"stream" in head else head
        for number, generation in _INDIRECT_LENGTH.findall(head):
            length = generic.Reference(int(number), int(generation))
            try:
                later = xrefs.get_last_change(length) > rev.index
            except KeyError:
                later = True
            if later:
                return _prefix_reader(found, rev)
    return whole


def _prefix_reader(found: Structure, rev: Revision) -> PdfFileReader:
    # A reader of the file as it ended with this revision: an indirect /Length (or any object a
    # stream's reading needs) resolves as of the revision, not as a later update redefined it.
    return PdfFileReader(io.BytesIO(found.data[: rev.end]), strict=True)


def _read_object(
    reader: PdfFileReader, scan: _Scan, ref: generic.Reference, rev: Revision, where: str
) -> generic.PdfObject | None:
    try:
        obj: generic.PdfObject = reader.get_object(ref, revision=rev.index)
        return obj
    except Exception as exc:
        log.info("%s cannot be read", where, exc_info=True)
        unreadable = sum("cannot be read" in p for p in scan.problems)
        if unreadable < MAX_SAME:
            scan.problems.append(f"{where} cannot be read ({plain(exc)})")
        elif unreadable == MAX_SAME:
            scan.problems.append("more objects cannot be read")
        return None


def _inflates_too_far(obj: generic.PdfObject) -> bool:
    """Whether a Flate-compressed stream inflates past :data:`MAX_INFLATED`, found without
    holding more than a chunk of it (the document as built is vouched for by its build report;
    this guards what updates add). Object streams are read by the reader already, and other
    filters do not multiply sizes by thousands."""
    if not isinstance(obj, generic.StreamObject):
        return False
    filters = obj.get("/Filter")
    first = filters[0] if isinstance(filters, generic.ArrayObject) and filters else filters
    if first != "/FlateDecode":
        return False
    inflate, data, total = zlib.decompressobj(), obj.encoded_data, 0
    chunk = 1 << 20
    while data and total <= MAX_INFLATED:
        try:
            total += len(inflate.decompress(data, chunk))
        except zlib.error:
            return False  # damaged data: readers that decode it say so
        data = inflate.unconsumed_tail
    return total > MAX_INFLATED


def _is_signature(obj: generic.PdfObject | None) -> bool:
    if not isinstance(obj, generic.DictionaryObject):
        return False
    kind = obj.get("/Type")
    return kind in SIGNATURE_TYPES or ("/ByteRange" in obj and "/Contents" in obj)


def _hidden(
    data: bytes, rev: Revision, offsets: set[int], extents: dict[generic.Reference, tuple[int, int]]
) -> list[str]:
    """Object bodies in the revision's bytes that its cross-reference section does not name."""
    problems = []
    spans = sorted(extents.values())
    starts = [s for s, _ in spans]
    for match in _OBJ.finditer(data, rev.start, rev.end):
        at = match.start(1)
        if at in offsets:
            continue
        # Inside an object named by the section (a stream's data may look like a header)?
        i = bisect.bisect_left(starts, at) - 1
        if i >= 0 and spans[i][0] < at < spans[i][1]:
            continue
        problems.append(
            f"revision {rev.number} holds an object body ({match.group(1).decode()} "
            f"{match.group(2).decode()} obj at byte {at}) that its cross-reference section does "
            "not name: hidden content, which viewers that rebuild the cross-reference table "
            "may show"
        )
    return problems


def describe_read_error(exc: Exception) -> str:
    """A strict-reading failure in words a person can act on."""
    text = str(exc)
    known = (
        ("startxref loop", "the chain of cross-reference sections loops (/Prev points back)"),
        ("Failed to locate xref", "a cross-reference pointer (startxref or /Prev) does not "
         "point at a cross-reference section"),
        ("Could not find xref", "a cross-reference pointer (startxref or /Prev) does not point "
         "at a cross-reference section"),
        ("xref table read error", "a cross-reference section is damaged"),
        ("EOF marker not found", "there is no end-of-file marker (%%EOF) at the end"),
        ("startxref not found", "the last revision has no startxref pointer"),
        ("/Prev", "a /Prev pointer is not a number"),
        ("Illegal PDF header", "the PDF header is damaged"),
        ("Encryption settings must be an indirect reference", "its encryption entry (/Encrypt) "
         "is malformed: written into the trailer where it must be a reference"),
    )  # fmt: skip
    for needle, meaning in known:
        if needle in text:
            return meaning
    return f"it cannot be read strictly ({plain(exc)})"


def plain(exc: BaseException) -> str:
    """An exception as a short phrase: its message, else its type."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return text[:200] or type(exc).__name__
