"""PDF/A: keep the claim true after merging, and validate it with the reference validator.

Validation is veraPDF's own engine (:mod:`.tools.verapdf`) against every part the file claims —
its PDF/A part and level, and PDF/UA when it claims that too — plus the one requirement veraPDF
does not check (:func:`_own_checks`). A report names each failed rule with its clause and test.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from fontTools.ttLib import TTFont
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, StreamObject

from ..errors import Unreadable, ValidationError
from ..tools import verapdf
from ..tools.libreoffice import PdfaLevel

log = logging.getLogger(__name__)


# --- keeping the claim true ----------------------------------------------------------------------


def claimed(reader: PdfReader) -> tuple[str, str] | None:
    """(part, conformance) from the XMP packet, e.g. ('2', 'B'); None without a claim."""
    xmp = _xmp_bytes(reader.root_object)
    if xmp is None:
        return None
    text = xmp.decode("utf-8", "replace")
    # Element or attribute form, either quote: LibreOffice and Ghostscript write it differently.
    part = re.search(r"pdfaid:part(?:>|=[\"'])\s*(\d)", text)
    conf = re.search(r"pdfaid:conformance(?:>|=[\"'])\s*([ABUabu])", text)
    if not part:
        return None
    return part.group(1), (conf.group(1).upper() if conf else "")


def _xmp_bytes(root: DictionaryObject) -> bytes | None:
    meta = root.get("/Metadata")
    if meta is None:
        return None
    data: bytes = meta.get_object().get_data()
    return data


def set_claim(writer: PdfWriter, level: PdfaLevel) -> None:
    """Claim exactly ``level`` in the XMP packet (LibreOffice claims 1a for PDF/A-1; merged
    untagged attachment pages make level A untrue)."""
    meta = writer.root_object.get("/Metadata")
    if meta is None:
        raise ValidationError("the PDF has no XMP metadata; it cannot claim PDF/A")
    stream = meta.get_object()
    text = stream.get_data().decode("utf-8")
    part, conf = level[0], level[1].upper()
    new = re.sub(r"(<pdfaid:part>)\s*\d\s*(</pdfaid:part>)", rf"\g<1>{part}\g<2>", text)
    new = re.sub(r"(pdfaid:part=[\"'])\d([\"'])", rf"\g<1>{part}\g<2>", new)
    new = re.sub(
        r"(<pdfaid:conformance>)\s*[ABUabu]\s*(</pdfaid:conformance>)", rf"\g<1>{conf}\g<2>", new
    )
    new = re.sub(r"(pdfaid:conformance=[\"'])[ABUabu]([\"'])", rf"\g<1>{conf}\g<2>", new)
    if new != text:
        stream.set_data(new.encode("utf-8"))


def add_cidsets(writer: PdfWriter) -> int:
    """Give every subset CIDFontType2 font a complete /CIDSet; returns how many were written.

    PDF/A-1 requires a /CIDSet for CID font subsets (ISO 19005-1, 6.3.5); PDF/A-2 allows it to be
    absent, but where there is one it must list every CID present in the font program (ISO
    19005-2, 6.2.11.4.2), and veraPDF counts every glyph slot of the program as present — glyphs
    without outlines and glyphs used only inside composite glyphs included. Ghostscript's and
    pyHanko's subsets have none, or an incomplete one; each is (re)written here.
    """
    written = 0
    done: set[int] = set()
    for page in writer.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values() if hasattr(fonts, "values") else ():
            font = ref.get_object()
            for desc_ref in font.get("/DescendantFonts", []):
                desc = desc_ref.get_object()
                fd = desc.get("/FontDescriptor")
                if desc.get("/Subtype") != "/CIDFontType2" or fd is None:
                    continue
                fd = fd.get_object()
                if id(fd) in done or "/FontFile2" not in fd:
                    continue
                done.add(id(fd))
                cidset = StreamObject()
                cidset.set_data(_cidset_bits(fd["/FontFile2"].get_object().get_data(), desc))
                fd[NameObject("/CIDSet")] = writer._add_object(cidset)
                written += 1
    return written


def present_cids(glyphs: int, cid_to_gid: bytes | None) -> list[int]:
    """The CIDs present in a TrueType font program of ``glyphs`` glyph slots: every CID whose
    glyph ID is one of them (Identity: CID = glyph ID). This is what veraPDF checks a /CIDSet
    against (tested against it in tests/test_pdfa.py)."""
    if cid_to_gid is None:
        return list(range(glyphs))
    return [
        cid
        for cid in range(len(cid_to_gid) // 2)
        if int.from_bytes(cid_to_gid[2 * cid : 2 * cid + 2], "big") < glyphs
    ]


def _cidset_bits(font_program: bytes, desc: DictionaryObject) -> bytes:
    # Subset fonts often have a zero 'modified' date, which fontTools warns about on every read.
    logging.getLogger("fontTools.ttLib.tables._h_e_a_d").setLevel(logging.ERROR)
    glyphs = TTFont(io.BytesIO(font_program), lazy=True)["maxp"].numGlyphs
    mapping = desc.get("/CIDToGIDMap", "/Identity")
    if isinstance(mapping, NameObject) or mapping == "/Identity":
        return cidset_bytes(present_cids(glyphs, None))
    return cidset_bytes(present_cids(glyphs, mapping.get_object().get_data()))


def cidset_bytes(cids: list[int]) -> bytes:
    """A /CIDSet stream's data: one bit per CID, high bit first."""
    bits = bytearray((max(cids) // 8) + 1 if cids else 1)
    for cid in cids:
        bits[cid // 8] |= 0x80 >> (cid % 8)
    return bytes(bits)


def normalise(path: Path, level: PdfaLevel) -> None:
    """In place: claim exactly ``level`` (LibreOffice claims 1a for PDF/A-1, which nothing here
    can verify), and add the /CIDSet entries PDF/A-1 requires (Ghostscript's PDF/A-2 omits them)."""
    writer = PdfWriter(clone_from=path, keep_initial_header=True)
    before = claimed(PdfReader(path))
    set_claim(writer, level)
    if add_cidsets(writer) or before != (level[0], level[1].upper()):
        producer = PdfReader(path).metadata
        if producer and producer.producer:
            writer.add_metadata({"/Producer": producer.producer})
        tmp = path.with_suffix(".cidset.pdf")
        with tmp.open("wb") as fh:
            writer.write(fh)
        tmp.replace(path)


# --- validation ---------------------------------------------------------------------------------


@dataclass
class PdfaReport:
    file: str
    claimed: str  # e.g. "PDF/A-2b" (and "+ PDF/UA-1"), or "none"
    checked: list[str]  # the flavours validated, e.g. ["2b", "ua1"]
    valid: bool
    summary: str
    findings: list[dict[str, object]] = field(default_factory=list)
    validator: str = ""

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def claimed_ua(reader: PdfReader) -> str | None:
    """The PDF/UA part the XMP packet claims ('1'), or None."""
    xmp = _xmp_bytes(reader.root_object)
    found = re.search(rb"pdfuaid:part(?:>|=[\"'])\s*(\d)", xmp or b"")
    return found.group(1).decode() if found else None


def flavours_claimed(pdf: Path) -> tuple[str, list[str]]:
    """(label, veraPDF flavours) for what ``pdf`` claims: PDF/A part and level, PDF/UA."""
    try:
        reader = PdfReader(pdf)
        claim, ua = claimed(reader), claimed_ua(reader)
    except Exception as exc:  # pypdf raises many kinds on a broken file
        raise ValidationError(f"{pdf}: not a readable PDF ({exc})") from None
    flavours = [f"{claim[0]}{claim[1].lower()}"] if claim else []
    labels = [f"PDF/A-{flavours[0]}"] if flavours else []
    if ua:
        flavours.append(f"ua{ua}")
        labels.append(f"PDF/UA-{ua}")
    return (" + ".join(labels) or "none"), flavours


def validate(pdf: Path, flavour: str | None = None) -> PdfaReport:
    """Validate ``pdf`` with veraPDF's engine against what it claims (or ``flavour``)."""
    label, flavours = flavours_claimed(pdf)
    if flavour:
        flavours = [flavour]
    report = PdfaReport(str(pdf), label, flavours, False, "", validator=verapdf_label())
    if not flavours:
        report.summary = "the file does not claim PDF/A conformance (no pdfaid in XMP)"
        return report
    digest = hashlib.sha256(pdf.read_bytes()).hexdigest()
    for checked in flavours:
        report.findings += _findings(pdf, digest, checked)
    report.valid = not report.findings
    names = ", ".join(_flavour_name(f) for f in flavours)
    if report.valid:
        report.summary = f"{names}: veraPDF found no errors"
    else:
        rules = "; ".join(f"{f['rule']} ({f['count']}×)" for f in report.findings[:6])
        more = f" and {len(report.findings) - 6} more" if len(report.findings) > 6 else ""
        report.summary = f"{names}: {len(report.findings)} rule(s) failed: {rules}{more}"
    return report


# Verdicts by (file content, flavour): a build validates a file when it settles its claim and
# again when it checks every output; the same bytes get the same verdict.
_VERDICTS: dict[tuple[str, str], list[dict[str, object]]] = {}


def _findings(pdf: Path, digest: str, flavour: str) -> list[dict[str, object]]:
    key = (digest, flavour)
    if key not in _VERDICTS:
        try:
            result = verapdf.validate(pdf, flavour)
        except Unreadable:
            if hashlib.sha256(pdf.read_bytes()).hexdigest() != digest:
                raise ValidationError(
                    f"{pdf.name} changed while it was being validated: another process wrote "
                    "it meanwhile; run the command again when that one has ended"
                ) from None
            raise
        found: list[dict[str, object]] = [
            {"flavour": flavour, **asdict(rule), "rule": rule.label} for rule in result.rules
        ]
        if flavour[0] in "123":
            found += [{"flavour": flavour, **f} for f in _own_checks(pdf, flavour)]
        if len(_VERDICTS) > 500:
            _VERDICTS.clear()
        _VERDICTS[key] = found
    return [dict(f) for f in _VERDICTS[key]]


def _flavour_name(flavour: str) -> str:
    return f"PDF/UA-{flavour[2:]}" if flavour.startswith("ua") else f"PDF/A-{flavour}"


def _own_checks(pdf: Path, flavour: str) -> list[dict[str, object]]:
    """What veraPDF does not check but the part requires: PDF/A-1, -2 and -3 are built on PDF
    1.4/1.7 (ISO 19005-2:2011, clause 1), so the catalog may not declare PDF 2.0 (pyHanko does,
    for ECDSA signatures on P-256)."""
    version = PdfReader(pdf).root_object.get("/Version")
    if version is None or str(version).lstrip("/").startswith("1."):
        return []
    return [{
        "specification": f"ISO 19005-{flavour[0]}", "clause": "1", "test": 1, "count": 1,
        "rule": f"ISO 19005-{flavour[0]} 1 (based on PDF 1.x)",
        "description": f"PDF/A-{flavour[0]} is built on PDF 1.x; the catalog declares "
        f"/Version {str(version).lstrip('/')}",
        "context": "root/document[0]/Version",
    }]  # fmt: skip


def verapdf_label() -> str:
    return f"veraPDF validation engine ({verapdf.version()})"


# Failed rules that have a cause the user can act on, by specification and clause prefix.
_ADVICE = (
    ("ISO 19005-1", "6.4", "PDF/A-1 does not allow transparency, and the document has a "
     "transparent image or soft mask (a logo in a restyled template?): build with --pdfa 2b, or "
     "use an image without transparency"),
)  # fmt: skip


def advice(failed: list[PdfaReport], level: str) -> str | None:
    """A hint for the first failed rule that has a known cause the user can fix."""
    for report in failed:
        for finding in report.findings:
            for spec, clause, text in _ADVICE:
                if str(finding["specification"]).startswith(spec) and str(
                    finding["clause"]
                ).startswith(clause):
                    return text
    return None
