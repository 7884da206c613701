"""PDF/A: keep the claim true after merging, and validate it with an independent tool.

Preflight (the validator available here) knows PDF/A-1b only. A PDF/A-1b file must pass it with
no finding at all. For a PDF/A-2b file the report says plainly that only the PDF/A-1b rules were
checked: it passes when the only finding is Preflight's "part must be 1"; it is not called fully
validated. Where a ``verapdf`` command is on PATH it validates the claimed part as well.
"""

from __future__ import annotations

import io
import logging
import re
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

from fontTools.ttLib import TTFont
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, StreamObject

from .errors import ValidationError
from .tools import preflight, proc
from .tools.libreoffice import PdfaLevel

log = logging.getLogger(__name__)

PART_NUMBER = "7.11.2"  # Preflight: "part must be 1" — expected for PDF/A-2 files


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
    """Give every subset CIDFontType2 font a /CIDSet (PDF/A-1 requires it; Ghostscript's PDF/A-2
    output and pyHanko's stamp font leave it out). Returns how many were added.

    A CID is listed when the font program holds a glyph for it (non-empty in ``loca``, or GID 0).
    """
    added = 0
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
                key = id(fd)
                if key in done or "/CIDSet" in fd or "/FontFile2" not in fd:
                    continue
                done.add(key)
                cidset = StreamObject()
                cidset.set_data(_cidset_bits(fd["/FontFile2"].get_object().get_data(), desc))
                fd[NameObject("/CIDSet")] = writer._add_object(cidset)
                added += 1
    return added


def _cidset_bits(font_program: bytes, desc: DictionaryObject) -> bytes:
    # Subset fonts often have a zero 'modified' date, which fontTools warns about on every read.
    logging.getLogger("fontTools.ttLib.tables._h_e_a_d").setLevel(logging.ERROR)
    font = TTFont(io.BytesIO(font_program), lazy=True)
    glyphs = font["maxp"].numGlyphs
    loca = font.get("loca")

    def present(gid: int) -> bool:
        if gid >= glyphs:
            return False
        if gid == 0 or loca is None:
            return True
        return bool(loca[gid + 1] - loca[gid] > 0)

    mapping = desc.get("/CIDToGIDMap", "/Identity")
    if isinstance(mapping, NameObject) or mapping == "/Identity":
        cids = [gid for gid in range(glyphs) if present(gid)]
    else:
        raw = mapping.get_object().get_data()
        cids = [
            cid
            for cid in range(len(raw) // 2)
            if (gid := int.from_bytes(raw[2 * cid : 2 * cid + 2], "big")) and present(gid)
        ] + [0]
    return cidset_bytes(cids)


def cidset_bytes(cids: list[int]) -> bytes:
    """A /CIDSet stream's data: one bit per CID, high bit first."""
    bits = bytearray((max(cids) // 8) + 1 if cids else 1)
    for cid in cids:
        bits[cid // 8] |= 0x80 >> (cid % 8)
    return bytes(bits)


def normalise(path: Path, level: PdfaLevel) -> None:
    """In place: claim exactly ``level`` (LibreOffice claims 1a for PDF/A-1, which nothing here
    can verify), and add the /CIDSet entries PDF/A-1 requires (Ghostscript's PDF/A-2 omits them)."""
    writer = PdfWriter(clone_from=path)
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


# --- validation ----------------------------------------------------------------------------------


@dataclass
class PdfaReport:
    file: str
    claimed: str  # e.g. "PDF/A-2b", or "none"
    valid: bool
    summary: str
    preflight_findings: list[dict[str, str]] = field(default_factory=list)
    verapdf: str | None = None  # verapdf's verdict when it is installed

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def validate(pdf: Path) -> PdfaReport:
    """Validate ``pdf`` against the PDF/A level it claims."""
    try:
        reader = PdfReader(pdf)
        claim = claimed(reader)
    except Exception as exc:  # pypdf raises many kinds on a broken file
        raise ValidationError(f"{pdf}: not a readable PDF ({exc})") from None
    label = f"PDF/A-{claim[0]}{claim[1].lower()}" if claim else "none"
    report = preflight.run(pdf)
    findings = [{"code": f.code, "details": f.details} for f in report.findings]
    other = [f for f in report.findings if f.code != PART_NUMBER]
    if claim is None:
        valid, summary = False, "the file does not claim PDF/A conformance (no pdfaid in XMP)"
    elif claim[0] == "1":
        valid = report.valid
        summary = (
            f"{label}: Preflight found no errors"
            if valid
            else f"{label}: Preflight found {len(report.findings)} error(s)"
        )
    else:
        valid = not other and (report.valid or any(f.code == PART_NUMBER for f in report.findings))
        summary = (
            f"{label} claimed. Preflight checks PDF/A-1b rules only: no finding other than the "
            "part number; this is not a full PDF/A-2 validation"
            if valid
            else f"{label} claimed: Preflight found {len(other)} error(s) besides the part number"
        )
    result = PdfaReport(str(pdf), label, valid, summary, findings)
    if claim and shutil.which("verapdf"):
        result.verapdf = _verapdf(pdf, claim)
        if result.verapdf != "compliant":
            result.valid = False
            result.summary += f"; veraPDF: {result.verapdf}"
    return result


def _verapdf(pdf: Path, claim: tuple[str, str]) -> str:
    flavour = f"{claim[0]}{claim[1].lower()}"
    res = proc.run(["verapdf", "--flavour", flavour, "--format", "text", str(pdf)], timeout=600)
    return "compliant" if res.stdout.lstrip().startswith("PASS") else res.stdout.strip()[:300]
