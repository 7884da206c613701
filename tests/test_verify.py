"""`verify` against attacked copies of the signed seed minutes (tests/attacks.py): every attack is
NOT VALID with a reason a person can act on, every harmless control stays VALID, and no input
makes it crash. Signed with the demo PKI (in-process TSA and CRL), so nothing here needs a
network."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import attacks as A
import pikepdf
import pytest
from conftest import SEED, vouch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields as sigfields
from pyhanko.sign import signers
from pyhanko.sign.signers.pdf_signer import PdfTimeStamper
from pyhanko.sign.validation import add_validation_info
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)

from referatbygg.config import Config
from referatbygg.errors import SigningError
from referatbygg.pipeline import build
from referatbygg.signing import pades
from referatbygg.signing.credentials import demo_credentials
from referatbygg.signing.demopki import DemoPki
from referatbygg.signing.trust import trust
from referatbygg.verify import VerifyReport, readings, require_untouched, verify

DEMO = Config(demo=True)
PEOPLE = {"byradsleder": "Raymond Johansen", "politimester": "Beate Gangås"}  # the seed's


@pytest.fixture(scope="module")
def roots() -> list[object]:
    return list(trust(DEMO).roots)


def sign_all(unsigned: bytes, folder: Path) -> A.Stages:
    """Both signatories and the final timestamp, as the pipeline does it. The build report that
    vouches for the file is written here: some tests sign a copy they prepared themselves."""
    pdf = folder / "referat.pdf"
    pdf.write_bytes(unsigned)
    vouch(pdf)
    pades.sign(pdf, "byradsleder", DEMO, ask=None)
    first = pdf.read_bytes()
    pades.sign(pdf, "politimester", DEMO, ask=None)
    both = pdf.read_bytes()
    pades.timestamp(pdf, DEMO)
    return A.Stages(unsigned, first, both, pdf.read_bytes())


@pytest.fixture(scope="module")
def stages(tmp_path_factory: pytest.TempPathFactory) -> A.Stages:
    result = build(SEED, tmp_path_factory.mktemp("build"))
    assert result.pdf is not None
    return sign_all(result.pdf.read_bytes(), tmp_path_factory.mktemp("signed"))


def judge(data: bytes, roots: list[object], tmp_path: Path, **kwargs: object) -> VerifyReport:
    path = tmp_path / "attacked.pdf"
    path.write_bytes(data)
    return verify(path, roots, **kwargs)  # type: ignore[arg-type]


# --- attacks on the bytes ------------------------------------------------------------------------

ATTACKS: list[tuple[Callable[[bytes], bytes], str]] = [
    # incremental saving (Mladenov et al.)
    (A.isa_content, "byradsleder: changed after signing: other changes"),
    (A.isa_startxref_off, "structure is damaged or was repaired: a cross-reference pointer"),
    (A.isa_no_xref, "follow the last end-of-file marker"),
    (A.isa_own_eof, "the last revision has no startxref pointer"),
    (A.isa_old_startxref, "belong to no revision"),
    (A.hidden_object, "that its cross-reference section does not name: hidden content"),
    (A.xref_revert, "outside that revision"),
    # a damaged or doctored revision chain
    (A.prev_loop, "the chain of cross-reference sections loops"),
    (A.prev_garbage, "does not point at a cross-reference section"),
    (A.trailing_garbage, "follow the last end-of-file marker"),
    (A.truncated, "structure is damaged or was repaired"),
    (A.stream_ends_early, "cannot be read (Stream ended prematurely)"),
    # signature wrapping
    (A.swa_shift, "Dokumenttidsstempel: its /ByteRange does not leave out exactly its own"),
    (A.swa_relocate, "structure is damaged or was repaired"),
    # universal signature forgery
    (A.usf_no_contents, "byradsleder: its signature value (/Contents) is missing"),
    (A.usf_empty_contents, "byradsleder: its signature value (/Contents) is empty or all zeros"),
    (A.usf_zeroed_contents, "Dokumenttidsstempel: its signature value (/Contents) is empty"),
    (A.usf_no_byterange, "Dokumenttidsstempel: its /ByteRange is missing or malformed"),
    (A.usf_zero_byterange, "byradsleder: its /ByteRange does not leave out exactly its own"),
    (A.usf_direct_value, "byradsleder: its signature value is written into the field"),
    # every signature accounted for
    (A.subfilter_tampered, "Dokumenttidsstempel: its /SubFilter is /ETSI.RFC3162"),
    (A.extra_unsupported_field, "the signature field 'ekstra' was added after the document"),
    (A.value_swapped, "is no longer attached to any signature field: it was removed or"),
    # stripping and truncation
    (A.signature_removed, "politimester: not signed"),
    (A.timestamp_removed, "B-LTA is required, the signatures reach B-LT: the final document"),
    (A.truncated_before_timestamp, "the final document timestamp is missing"),
    (A.truncated_after_first, "politimester: not signed"),
    # named changes after signing
    (A.info_title, "byradsleder: the document information (/Info) was changed after it: /Title"),
    (A.xmp_changed, "the XMP metadata was changed after it: dc:description, dc:title, pdfaid"),
    (
        A.xmp_shadowed_title,
        "the XMP metadata was changed after it and cannot be read one way "
        "only: the prefix dc is bound to http://purl.org/dc/elements/1.1/#",
    ),
    (A.xmp_shadowed_pdfaid, "cannot be read one way only: the prefix pdfaid is bound to"),
    (A.xmp_duplicate_description, "cannot be read one way only: it gives dc:title twice"),
    (A.xmp_comment_suffix, "cannot be read one way only: it holds a comment inside the metadata"),
    (A.xmp_schema_dropped, "the XMP metadata was changed after it: pdfaExtension:schemas"),
    (A.output_intent_changed, "the output intent (the colour profile PDF/A requires) was changed"),
    (A.dss_removed, "byradsleder: the validation data (DSS) was removed after it"),
]


@pytest.mark.parametrize(("attack", "reason"), ATTACKS, ids=[a.__name__ for a, _ in ATTACKS])
def test_attack_is_not_valid(
    attack: Callable[[bytes], bytes], reason: str, stages: A.Stages, roots: list[object],
    tmp_path: Path,
) -> None:  # fmt: skip
    report = judge(attack(stages.final), roots, tmp_path)
    assert not report.valid
    assert report.summary.startswith("NOT VALID: ")
    assert reason in report.summary, report.summary


def test_startxref_attack_is_real(stages: A.Stages, tmp_path: Path) -> None:
    """The file the startxref attack makes does show the forged text in a viewer (poppler
    repairs the pointer): the verdict matters."""
    path = tmp_path / "off.pdf"
    path.write_bytes(A.isa_startxref_off(stages.final))
    text = subprocess.run(["pdftotext", "-l", "1", str(path), "-"], capture_output=True, text=True)
    assert A.FORGED_TEXT in text.stdout


def test_readings_differ_on_hidden_object(stages: A.Stages) -> None:
    """The strict/recovering comparison on its own: a body for page 1 hidden in an update is
    seen by a reader that rebuilds the cross-reference table, not by a strict one."""
    forged = A.hidden_object(stages.final)
    assert readings.compare(stages.final) == []
    found = readings.compare(forged)
    assert any("page(s) 1 differ" in p for p in found), found
    strict = pikepdf.open(io.BytesIO(forged))
    rebuilt = pikepdf.open(io.BytesIO(readings._force_rebuild(forged)))
    assert A.FORGED_TEXT.encode() not in strict.pages[0].Contents.read_bytes()
    assert A.FORGED_TEXT.encode() in rebuilt.pages[0].Contents.read_bytes()


def test_damaged_revocation_data_is_named(
    stages: A.Stages, roots: list[object], tmp_path: Path
) -> None:
    """A CRL damaged in the DSS: trust and revocation are reported apart, each with its reason."""
    report = judge(A.dss_crl_damaged(stages.both), roots, tmp_path, level="B-LT")
    assert not report.valid
    first = report.signatures[0]
    assert first.trusted and first.trust.startswith("chains to a trusted root")
    assert "revocation data does not show" in first.revocation
    assert "CRL signature could not be verified" in first.revocation
    assert not first.long_term


# --- attacks that need a signer: shadow attacks, DocMDP, an extra signature ----------------------


def _add_annotation(data: bytes, annot: DictionaryObject, folder: Path) -> bytes:
    """An incremental update (pypdf) adding ``annot`` to page 1."""
    writer = PdfWriter(io.BytesIO(data), incremental=True)
    writer.add_annotation(0, annot)
    out = io.BytesIO()
    writer.write(out)  # pypdf writes the original bytes, then the update
    assert out.getvalue().startswith(data)
    return out.getvalue()


def _box(subtype: str, **extra: object) -> DictionaryObject:
    box = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"),
        NameObject("/Subtype"): NameObject(subtype),
        NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (60, 600, 540, 760)]),
        NameObject("/F"): NumberObject(4),
    })  # fmt: skip
    box.update({NameObject(k): v for k, v in extra.items()})  # type: ignore[misc]
    return box


def _prepared(stages: A.Stages, folder: Path, change: Callable[[PdfWriter], None]) -> bytes:
    """The built minutes rewritten with ``change`` before anyone signs (the attacker's copy)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(stages.unsigned)))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_shadow_hide(stages: A.Stages, roots: list[object], tmp_path: Path) -> None:
    """Signed with a white box over part of page 1; afterwards the box is made hidden."""
    white = _box("/Square", **{"/IC": ArrayObject([FloatObject(1)] * 3), "/NM": TextStringObject(
        "skygge")})  # fmt: skip
    prepared = _prepared(stages, tmp_path, lambda w: w.add_annotation(0, white))
    final = sign_all(prepared, tmp_path).final
    r = PdfFileReader(io.BytesIO(final))
    annot = next(a for a in r.root["/Pages"]["/Kids"][0]["/Annots"] if "/NM" in a.get_object())
    number, body = annot.reference.idnum, A.serialize(annot.get_object())
    hidden = A.update(final, {number: body.replace(b"/F 4", b"/F 2")})
    report = judge(hidden, roots, tmp_path)
    # pyHanko classes a changed annotation flag as "other changes"; either way it is named.
    assert "byradsleder: changed after signing: other changes" in report.summary


def test_shadow_replace(stages: A.Stages, roots: list[object], tmp_path: Path) -> None:
    """After signing, a text annotation with forged wording is laid over page 1."""
    note = _box("/FreeText", **{"/Contents": TextStringObject(A.FORGED_TEXT),
                                "/DA": TextStringObject("/Helv 24 Tf 0 g")})  # fmt: skip
    report = judge(_add_annotation(stages.final, note, tmp_path), roots, tmp_path)
    assert not report.valid
    assert "Dokumenttidsstempel: changed after signing" in report.summary


def test_shadow_hide_and_replace(stages: A.Stages, roots: list[object], tmp_path: Path) -> None:
    """Signed with an unused content stream in the file; afterwards page 1 points at it."""
    shadow = StreamObject()
    shadow.set_data(b"BT /F1 24 Tf 72 760 Td (" + A.FORGED_TEXT.encode() + b") Tj ET")

    def hide(writer: PdfWriter) -> None:
        writer.root_object[NameObject("/Skygge")] = writer._add_object(shadow)

    final = sign_all(_prepared(stages, tmp_path, hide), tmp_path).final
    r = PdfFileReader(io.BytesIO(final))
    shadow_ref = r.root.raw_get("/Skygge")
    page, body = A.forged_page(final, shadow_ref.idnum)
    report = judge(A.update(final, {page: body}), roots, tmp_path)
    assert "byradsleder: changed after signing: other changes" in report.summary


def _pyhanko_sign(data: bytes, role: str, folder: Path, **meta: object) -> bytes:
    """A signature made straight with pyHanko, as another tool would (no checks of ours)."""
    creds = demo_credentials(role, PEOPLE.get(role), role.capitalize(), DemoPki(),
                                     "politiradet")  # fmt: skip
    tr = trust(DEMO)
    spec = signers.PdfSignatureMetadata(
        field_name=role, md_algorithm="sha256", subfilter=sigfields.SigSeedSubFilter.PADES,
        **meta,  # type: ignore[arg-type]
    )  # fmt: skip
    out = io.BytesIO()
    with pades.metadata_frozen():
        signers.PdfSigner(spec, signer=creds.signer, timestamper=tr.timestamper).sign_pdf(
            IncrementalPdfFileWriter(io.BytesIO(data)), output=out
        )
    return out.getvalue()


def _pyhanko_timestamp(data: bytes, field: str = "Dokumenttidsstempel") -> bytes:
    tr = trust(DEMO)
    out = io.BytesIO()
    with pades.metadata_frozen():
        PdfTimeStamper(tr.timestamper, field_name=field).timestamp_pdf(
            IncrementalPdfFileWriter(io.BytesIO(data)), "sha256",
            validation_context=tr.context, output=out,
        )  # fmt: skip
    return out.getvalue()


def test_docmdp_violation(stages: A.Stages, roots: list[object], tmp_path: Path) -> None:
    """A comment added after the certifying signature (DocMDP: form filling only), then the
    next signature and the timestamp made with pyHanko regardless."""
    commented = _add_annotation(
        stages.first, _box("/Text", **{"/Contents": TextStringObject("ny kommentar")}), tmp_path
    )
    signed = _pyhanko_sign(commented, "politimester", tmp_path)
    report = judge(_pyhanko_timestamp(signed), roots, tmp_path)
    # pypdf rewrites the page to add the comment, so pyHanko classes it as more than annotations.
    assert "byradsleder: changed after signing" in report.summary
    assert "byradsleder: the changes after it break its certification (DocMDP FILL_FORMS" in (
        report.summary
    )
    assert "politimester: the changes after it break" not in report.summary


def test_extra_valid_signature(stages: A.Stages, roots: list[object], tmp_path: Path) -> None:
    """A fourth, cryptographically valid signature in a field of its own."""
    extra = _pyhanko_sign(stages.final, "ekstra", tmp_path)
    report = judge(extra, roots, tmp_path)
    assert "the signature field 'ekstra' was added after the document was built" in (report.summary)


def test_signature_without_revocation_data(
    stages: A.Stages, roots: list[object], tmp_path: Path
) -> None:
    """Signatures made elsewhere without validation data: integrity and trust are still checked
    and reported; B-T is reached, B-LT is refused with the reason."""
    data = _pyhanko_sign(stages.unsigned, "byradsleder", tmp_path)
    data = _pyhanko_sign(data, "politimester", tmp_path)
    at_bt = judge(data, roots, tmp_path, level="B-T")
    assert at_bt.valid, at_bt.summary
    first = at_bt.signatures[0]
    assert first.intact and first.trusted and first.changed_after == "further signatures"
    assert first.revocation.startswith("no revocation data is embedded")
    at_lt = judge(data, roots, tmp_path, level="B-LT")
    assert not at_lt.valid
    assert "cannot be validated from the embedded data alone: no revocation data" in (at_lt.summary)


# --- controls: harmless changes stay valid -------------------------------------------------------


def test_untouched_is_valid(stages: A.Stages, roots: list[object], tmp_path: Path) -> None:
    report = judge(stages.final, roots, tmp_path)
    assert report.valid, report.summary
    assert report.level == "B-LTA"
    assert [s.pades_level for s in report.signatures] == ["B-LTA", "B-LTA", "document timestamp"]
    assert all(s.long_term for s in report.signatures)


def test_what_verify_keeps_between_files_holds_no_file(
    stages: A.Stages, roots: list[object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long-lived process (a batch worker, the service) verifies thousands of files: what it
    keeps of each revision's scan must not hold the file's reader — and with it the whole file.
    Kept with the reader, a batch worker grew by 11 MB a meeting (bench/memory.py)."""
    import gc

    from pyhanko.pdf_utils.reader import PdfFileReader

    from referatbygg.verify import structure

    for n in range(3):
        data = stages.final + b"\n" * (n + 1)  # other bytes: scanned anew each time
        assert judge(data, roots, tmp_path).valid
    assert structure._SCANS
    for scan in structure._SCANS.values():
        refs = [*scan.extents, *scan.signatures]
        assert refs and all(ref.pdf is None for ref in refs)
        held = gc.get_referents(*scan.extents, *scan.signatures, scan.extents)
        assert not any(isinstance(obj, PdfFileReader) for obj in held)
    # And they are few: the oldest go (a limit of 4 here, to see it work). The final file has
    # more revisions than that; the first signature's are its oldest, and are read anew.
    monkeypatch.setattr(structure, "_SCANS", {})
    monkeypatch.setattr(structure, "_KEEP_SCANS", 4)
    assert judge(stages.final, roots, tmp_path).valid
    assert len(structure._SCANS) == 4
    last = set(structure._SCANS)
    judge(stages.first, roots, tmp_path)
    assert len(structure._SCANS) == 4 and set(structure._SCANS) != last


def test_trailing_whitespace_is_valid(
    stages: A.Stages, roots: list[object], tmp_path: Path
) -> None:
    report = judge(A.trailing_whitespace(stages.final), roots, tmp_path)
    assert report.valid, report.summary


def test_xmp_reserialised_is_valid(stages: A.Stages, roots: list[object], tmp_path: Path) -> None:
    report = judge(A.xmp_reserialised(stages.final), roots, tmp_path)
    assert report.valid, report.summary


def test_pyhanko_rewriting_the_xmp_is_named(
    stages: A.Stages, roots: list[object], tmp_path: Path
) -> None:
    """pyHanko's writers, unchecked, write the XMP packet again in their own form: the PDF/A
    extension schema as attributes, its namespace URI as rdf:resource (XMP allows both). The
    same RDF is not a change (a signatory's pyHanko or Acrobat does this while signing); what
    it did update is named. Dropping the schema is a change (xmp_schema_dropped above)."""
    r = PdfFileReader(io.BytesIO(stages.final))
    out = io.BytesIO()
    add_validation_info(r.embedded_signatures[1], trust(DEMO).context, output=out)
    assert b'pdfaSchema:namespaceURI rdf:resource="' in out.getvalue()  # its own form
    report = judge(out.getvalue(), roots, tmp_path)
    assert report.valid, report.summary
    assert any("XMP metadata updated: pdf:Producer, xmp:ModifyDate" in n
               for s in report.signatures for n in s.notes)  # fmt: skip


def test_timestamp_renewal_is_valid(stages: A.Stages, roots: list[object], tmp_path: Path) -> None:
    """An archive renews the final timestamp years later: a further document timestamp."""
    renewed = _pyhanko_timestamp(stages.final, "Fornyet tidsstempel")
    report = judge(renewed, roots, tmp_path)
    assert report.valid, report.summary
    assert len(report.signatures) == 4


def test_more_validation_data_is_valid(
    stages: A.Stages, roots: list[object], tmp_path: Path
) -> None:
    """Validation data added again for the last signature (a DSS update)."""
    r = PdfFileReader(io.BytesIO(stages.final))
    out = io.BytesIO()
    with pades.metadata_frozen():  # as referatbygg writes: pyHanko alone rewrites the XMP
        add_validation_info(r.embedded_signatures[1], trust(DEMO).context, output=out)
    report = judge(out.getvalue(), roots, tmp_path)
    assert report.valid, report.summary


# --- intake of the next signature uses the same verdicts ----------------------------------------


def test_signing_refuses_an_attacked_file(stages: A.Stages, tmp_path: Path) -> None:
    pdf = tmp_path / "referat.pdf"
    pdf.write_bytes(stages.unsigned)
    vouch(pdf)  # the build report of the file as built: a prefix of every later version
    pdf.write_bytes(A.isa_content(stages.first))
    before = pdf.read_bytes()
    with pytest.raises(SigningError, match="byradsleder: changed after signing: other changes"):
        pades.sign(pdf, "politimester", DEMO, ask=None)
    assert pdf.read_bytes() == before
    with pytest.raises(SigningError, match="structure is damaged"):
        require_untouched(_write(tmp_path, A.prev_loop(stages.first)), trust(DEMO).roots)


def _write(folder: Path, data: bytes) -> Path:
    path = folder / "x.pdf"
    path.write_bytes(data)
    return path


# --- never a crash -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "not a readable PDF: it is not a PDF file"),
        (b"hello, not a PDF", "not a readable PDF"),
        (b"%PDF-1.7\n", "has no end-of-file marker"),
        (b"%PDF-1.7\n%%EOF\n", "structure is damaged or was repaired"),
        (None, "not a readable file"),
    ],
)
def test_cli_unreadable_is_a_verdict(content: bytes | None, reason: str, tmp_path: Path) -> None:
    path = tmp_path / "input.pdf"
    if content is not None:
        path.write_bytes(content)
    res = subprocess.run(
        [sys.executable, "-m", "referatbygg", "verify", str(path)],
        capture_output=True, text=True, env={**os.environ},
    )  # fmt: skip
    assert res.returncode == 7, res.stderr
    assert reason in res.stdout
    assert "Traceback" not in res.stdout + res.stderr
    assert "internal error" not in res.stderr


def test_cli_attacks_exit_7_without_traceback(stages: A.Stages, tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for attack, _ in ATTACKS[:12]:  # the structural ones: the likeliest to trip a parser
        (folder / f"{attack.__name__}.pdf").write_bytes(attack(stages.final))
    for path in sorted(folder.iterdir()):
        res = subprocess.run(
            [sys.executable, "-m", "referatbygg", "verify", "--json", str(path)],
            capture_output=True, text=True,
        )  # fmt: skip
        assert res.returncode == 7, (path.name, res.stderr)
        assert '"valid": false' in res.stdout
        assert "Traceback" not in res.stderr and "Error in diff" not in res.stderr, path.name


def signed_ranges(data: bytes) -> list[tuple[int, int]]:
    ranges = []
    for m in re.finditer(rb"/ByteRange \[(\d+) (\d+) (\d+) (\d+)\]", data):
        a, b, c, d = (int(x) for x in m.groups())
        ranges += [(a, a + b), (c, c + d)]
    return ranges


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_any_change_to_signed_bytes_is_not_valid(
    data: st.DataObject, stages: A.Stages, roots: list[object], tmp_path: Path
) -> None:
    """Flip any byte any signature covers: never VALID, never an exception."""
    signed = stages.final
    start, end = data.draw(st.sampled_from(signed_ranges(signed)))
    at = data.draw(st.integers(start, end - 1))
    flip = data.draw(st.integers(1, 255))
    mutated = bytearray(signed)
    mutated[at] ^= flip
    report = judge(bytes(mutated), roots, tmp_path)
    assert not report.valid, (at, flip)


def test_unsigned_file_is_not_valid_but_signable(stages: A.Stages, roots: list[object],
                                                 tmp_path: Path) -> None:  # fmt: skip
    report = judge(stages.unsigned, roots, tmp_path)
    assert not report.valid and "the document has no signatures" in report.summary
    assert report.unsigned == ["byradsleder", "politimester"]
    intake = judge(stages.unsigned, roots, tmp_path, complete=False)
    assert intake.valid, intake.summary


def test_encrypted_file_is_not_verifiable(roots: list[object], tmp_path: Path) -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(out, encryption=pikepdf.Encryption(owner="eier", user="", R=6))
    report = judge(out.getvalue(), roots, tmp_path)
    assert report.summary == (
        "NOT VALID: not verifiable: it is encrypted: its signatures cannot be checked here, and "
        "an archive copy must not be encrypted; ask for an unprotected copy"
    )


def test_a_direct_encryption_entry_is_a_verdict_not_a_crash(
    stages: A.Stages, roots: list[object], tmp_path: Path
) -> None:
    """As in EU DSS's pdf-spoofing-attack.pdf: an update whose trailer carries /Encrypt as a
    direct dictionary. pyHanko refuses to read it (PdfReadError) when asked whether the file is
    encrypted; that is a verdict with its reason, never an internal error."""
    spare = A.free_number(stages.final)
    attacked = A.update(stages.final, {spare: b"<< >>"}, trailer={
        "/Encrypt": b"<< /Filter /Standard /V 1 /R 2 /O <00> /U <00> /P -4 >>"})  # fmt: skip
    report = judge(attacked, roots, tmp_path)
    assert not report.valid
    assert "its encryption entry (/Encrypt) is malformed" in report.summary
    pdf = tmp_path / "spoof.pdf"
    pdf.write_bytes(attacked)
    res = subprocess.run([sys.executable, "-m", "referatbygg", "verify", str(pdf), "--no-service"],
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert res.returncode == 7, res.stderr
    assert "internal error" not in res.stderr


@pytest.mark.parametrize(("digest", "named"), [("sha1", "SHA-1")])  # MD5 has no ECDSA pairing
def test_a_weak_digest_is_named_as_such(
    stages: A.Stages, roots: list[object], tmp_path: Path, digest: str, named: str
) -> None:
    """Not "(key usage)": the reason a signatory's helpdesk can act on."""
    creds = demo_credentials("byradsleder", PEOPLE.get("byradsleder"), "Byradsleder", DemoPki(),
                             "politiradet")  # fmt: skip
    spec = signers.PdfSignatureMetadata(field_name="byradsleder", md_algorithm=digest,
                                        subfilter=sigfields.SigSeedSubFilter.PADES)  # fmt: skip
    out = io.BytesIO()
    with pades.metadata_frozen():
        signers.PdfSigner(spec, signer=creds.signer).sign_pdf(
            IncrementalPdfFileWriter(io.BytesIO(stages.unsigned)), output=out
        )
    report = judge(out.getvalue(), roots, tmp_path, level=None, complete=False)
    assert not report.valid
    assert f"it uses the digest algorithm {named}, too weak to be trusted" in report.summary
    assert "key usage" not in report.summary


def rsa_signer(bits: int) -> signers.SimpleSigner:
    """A signer whose RSA key of ``bits`` the demo root certified (SHA-256 on the certificate):
    only the key is weak."""
    import datetime as dt

    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    pki = DemoPki()
    root, root_key = pki._root()
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    now = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "TEST Raymond Johansen")])
    usage = x509.KeyUsage(True, True, False, False, False, False, False, False, False)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(root.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(usage, critical=True)
        .sign(root_key, hashes.SHA256())
    )
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())  # fmt: skip
    chain = [asn1_x509.Certificate.load(root.public_bytes(serialization.Encoding.DER))]
    return signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        signing_key=asn1_keys.PrivateKeyInfo.load(der),
        cert_registry=SimpleCertificateStore.from_certs(chain),
    )


@pytest.mark.parametrize(("bits", "digest", "named"), [
    (1024, "sha256", "an RSA key of 1024 bits"),
    (2048, "md5", "the digest algorithm MD5"),
])  # fmt: skip
def test_a_weak_key_or_md5_is_named_as_such(
    stages: A.Stages, roots: list[object], tmp_path: Path, bits: int, digest: str, named: str
) -> None:
    """RSA-1024 and MD5, refused for what they are, not as "(key usage)"."""
    spec = signers.PdfSignatureMetadata(field_name="byradsleder", md_algorithm=digest,
                                        subfilter=sigfields.SigSeedSubFilter.PADES)  # fmt: skip
    out = io.BytesIO()
    with pades.metadata_frozen():
        signers.PdfSigner(spec, signer=rsa_signer(bits)).sign_pdf(
            IncrementalPdfFileWriter(io.BytesIO(stages.unsigned)), output=out
        )
    report = judge(out.getvalue(), roots, tmp_path, level=None, complete=False)
    assert not report.valid
    assert f"it uses {named}, too weak to be trusted" in report.summary, report.summary
    assert "key usage" not in report.summary
