"""A corpus of signatures made outside referatbygg, each with the outcome intake must give:
taken in as it is, taken in after a repair the modification policy allows (an update of our own
after the signature), or refused with its true reason in plain words — never the generic advice.

Made in the tests: with pyHanko's command line as a signatory would sign where they are (ECDSA
and RSA keys; a stamp in an embedded TrueType font, and pyHanko's default stamp in Courier, which
it does not embed), and with pyHanko's library in the ways other tools behave (a new field
instead of the prepared one, the whole file saved again, the XMP packet rewritten or an
annotation added in a revision after the signature). No foreign signed samples are among the
shared fixtures (only veraPDF's corpus), so none is used.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from pathlib import Path

import attacks
import pikepdf
import pytest
from pki import CertPki
from test_intake import (  # noqa: F401 - the fixtures
    built,
    config,
    finished,
    meeting,
    sign_elsewhere,
    sign_with_edit,
)

from referatbygg.config import Config
from referatbygg.pdf import pdfa
from referatbygg.signing import intake, repair
from referatbygg.signing.trust import trust

GENERIC = "sign with a tool that adds the signature as an incremental update and leaves the rest"
Make = Callable[[CertPki, Path, Path], Path]


def _cli(holder: str, *, embedded: bool) -> Make:
    return lambda pki, src, dst: sign_elsewhere(pki, src, dst, "byradsleder", holder,
                                                pdfa_stamp=embedded)  # fmt: skip


def _invisible(pki: CertPki, src: Path, dst: Path) -> Path:
    """pyHanko's command line with a field name the document does not have: it makes a new,
    invisible signature field — how a tool signs "without a stamp"."""
    return sign_elsewhere(pki, src, dst, "Usynlig", "byradsleder", pdfa_stamp=False)


def _new_field(pki: CertPki, src: Path, dst: Path) -> Path:
    return sign_with_edit(pki, src, dst, "Signatur1", attacks.own_nothing)


def _saved_again(pki: CertPki, src: Path, dst: Path) -> Path:
    signed = sign_with_edit(pki, src, dst.with_suffix(".signert.pdf"), "byradsleder",
                            attacks.own_nothing)  # fmt: skip
    with pikepdf.open(signed) as pdf:
        pdf.save(dst)
    return dst


def _after(change: Callable[[object], None]) -> Make:
    """Signed as referatbygg would take it in, then one more revision by the tool: ``change``
    applied with pyHanko's incremental writer."""

    def make(pki: CertPki, src: Path, dst: Path) -> Path:
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

        signed = sign_with_edit(pki, src, dst.with_suffix(".signert.pdf"), "byradsleder",
                                attacks.own_nothing)  # fmt: skip
        writer = IncrementalPdfFileWriter(io.BytesIO(signed.read_bytes()), strict=False)
        change(writer)
        out = io.BytesIO()
        writer.write(out)
        dst.write_bytes(out.getvalue())
        return dst

    return make


def _xmp_without_claim(writer: object) -> None:
    """The tool rewrote the XMP packet and dropped the PDF/A identification (pdfaid)."""
    import re

    from pyhanko.pdf_utils import generic

    root = writer.root  # type: ignore[attr-defined]
    xmp = root["/Metadata"].data
    stripped = re.sub(rb"<pdfaid:[^>]*>[^<]*</pdfaid:[^>]*>|pdfaid:\w+=\"[^\"]*\"", b"", xmp)
    assert stripped != xmp
    stream = generic.StreamObject(
        {generic.pdf_name("/Type"): generic.pdf_name("/Metadata"),
         generic.pdf_name("/Subtype"): generic.pdf_name("/XML")},
        stream_data=stripped,
    )  # fmt: skip
    root["/Metadata"] = writer.add_object(stream)  # type: ignore[attr-defined]
    writer.update_root()  # type: ignore[attr-defined]


def _annotation(writer: object) -> None:
    """A comment added after signing (a reader's "save" with a sticky note)."""
    from pyhanko.pdf_utils import generic

    page = writer.root["/Pages"]["/Kids"][0]  # type: ignore[attr-defined]
    note = generic.DictionaryObject({
        generic.pdf_name("/Type"): generic.pdf_name("/Annot"),
        generic.pdf_name("/Subtype"): generic.pdf_name("/Text"),
        generic.pdf_name("/Rect"): generic.ArrayObject([generic.NumberObject(x)
                                                        for x in (10, 10, 30, 30)]),
        generic.pdf_name("/Contents"): generic.TextStringObject("Godkjent"),
        generic.pdf_name("/F"): generic.NumberObject(4),
    })  # fmt: skip
    annots = page.get("/Annots", generic.ArrayObject())
    annots.append(writer.add_object(note))  # type: ignore[attr-defined]
    page["/Annots"] = annots
    writer.update_container(page)  # type: ignore[attr-defined]


# case → (how it is made, outcome, what the refusal or the intake must say)
CORPUS: dict[str, tuple[Make, str, tuple[str, ...]]] = {
    "cli-ecdsa-embedded-font": (_cli("byradsleder", embedded=True), "repaired",
                                ("catalog's /Version as the document had it",
                                 "PDF 2.0 extension (ISO 32002) removed")),
    "cli-rsa-embedded-font": (_cli("rsasigner", embedded=True), "taken", ()),
    "cli-ecdsa-default-stamp": (_cli("byradsleder", embedded=False), "refused",
                                ("the signature's appearance uses the font Courier without "
                                 "embedding it (page ", "cannot be put right after it")),
    "cli-rsa-default-stamp": (_cli("rsasigner", embedded=False), "refused",
                              ("the signature's appearance uses the font Courier without "
                               "embedding it (page ",)),
    "cli-ecdsa-invisible": (_invisible, "refused", ("the signature field 'Usynlig' was added "
                                                    "after the document was built",
                                                    "not in a new one")),
    "api-new-field": (_new_field, "refused", ("the signature field 'Signatur1' was added after "
                                              "the document was built", "not in a new one")),
    "api-saved-again": (_saved_again, "refused", ("the document was saved again, not appended "
                                                  "to",)),
    # verify refuses metadata changed after a signature (a title the signer never saw), so
    # intake does not get as far as repairing it.
    "api-xmp-rewritten-after": (_after(_xmp_without_claim), "refused",
                                ("the XMP metadata was changed after it",)),
    "api-annotation-after": (_after(_annotation), "refused", ("changed",)),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_each_external_signature_gets_its_outcome(
    case: str, meeting: tuple[Path, Path], pki: CertPki, config: Config, tmp_path: Path,  # noqa: F811
) -> None:  # fmt: skip
    make, outcome, said = CORPUS[case]
    working, _ = meeting
    before = working.read_bytes()
    returned = make(pki, working, tmp_path / f"{case}.pdf")
    if outcome == "refused":
        with pytest.raises(intake.IntakeRefused) as exc:
            intake.receive(returned, working, config)
        text = str(exc.value)
        for words in said:
            assert words in text, text
        assert GENERIC not in text, text  # the true reason, never the generic advice
        assert working.read_bytes() == before
        return
    taken = intake.receive(returned, working, config)
    repaired = [a for a in taken.added if "put right after the signature" in a]
    assert bool(repaired) == (outcome == "repaired"), taken.added
    for words in said:
        assert words in " ".join(repaired), repaired
    # What the signatory signed is still there, byte for byte, and the result is what it claims.
    assert working.read_bytes().startswith(returned.read_bytes())
    assert pdfa.validate(working).valid
    assert repair.prove(working.read_bytes(), trust(config).context) == []


def test_a_pyhanko_cli_ecdsa_signature_finishes_as_an_archived_meeting(
    meeting: tuple[Path, Path], pki: CertPki, config: Config, tmp_path: Path,  # noqa: F811
) -> None:  # fmt: skip
    """The issue's case: the byrådsleder signs with pyHanko's own command line (ECDSA, a stamp
    in an embedded TrueType font). Taken in after the repair; the politimester signs; the final
    timestamp and the package follow; check-package and veraPDF accept it; pyHanko's own
    validator finds every signature whole."""
    working, out = meeting
    returned = sign_elsewhere(pki, working, tmp_path / "retur.pdf", "byradsleder", "byradsleder")
    taken = intake.receive(returned, working, config)
    assert taken.role == "byradsleder" and "put right after the signature" in taken.added[0]
    first = finished(working, out, config)
    assert (first.field_name, first.holder) == ("byradsleder", "Raymond Johansen")
    # What the tool declared, and that intake put it back after the signature, are both said.
    assert "the catalog's declared PDF version changed in its own revision: none → 2.0" in (
        first.notes)  # fmt: skip
    assert "the catalog's declared PDF version changed after it: 2.0 → none" in first.notes
    assert pdfa.validate(working).valid
    assert repair.prove(working.read_bytes(), trust(config).context) == []
    kept = tmp_path / "arkivert.pdf"
    shutil.copyfile(working, kept)
    assert pdfa.validate(kept).valid


def test_nothing_is_repaired_inside_a_signed_revision(
    meeting: tuple[Path, Path], pki: CertPki, tmp_path: Path,  # noqa: F811
) -> None:  # fmt: skip
    """The repair is an update after the last revision: every byte before it is the returned
    file's; a signature's appearance (inside its revision) is never touched."""
    from referatbygg.verify import structure

    working, _ = meeting
    returned = sign_elsewhere(pki, working, tmp_path / "r.pdf", "byradsleder", "byradsleder",
                              pdfa_stamp=False)  # fmt: skip
    data = returned.read_bytes()
    base = len(structure.read(working.read_bytes()).revisions) - 1
    restored = repair.restore(data, base)
    assert restored.data.startswith(data) and len(restored.data) > len(data)
    fixed = tmp_path / "rettet.pdf"
    fixed.write_bytes(restored.data)
    left = pdfa.validate(fixed)
    assert not left.valid  # the stamp's unembedded font is the signer's: it stays
    # PDF/A's rule and PDF/UA's for the same unembedded font
    assert {f["clause"] for f in left.findings} == {"6.2.11.4.1", "7.21.4.1"}
