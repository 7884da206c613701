"""Ghostscript: any PDF → PDF/A (pdfwrite), for attachments.

Two traps (shared/KNOWN-PITFALLS.md): the stock PDFA_def.ps cannot read its ICC profile under
-dSAFER, and Ghostscript then prints "PDF/A processing aborted", exits 0 and writes a file that
claims PDF/A with no output intent; and under TZ=UTC it writes dates as ``Z00'00'``, which
PDF/A validators reject. So: our own PDFA_def.ps with an absolute profile path that is explicitly
permitted, a fixed non-UTC time zone, and the output checked for its output intent.

A third: Ghostscript 10.00 writes a ToUnicode destination of more than one UTF-16 unit (a
ligature glyph's "fl", "ffi") with each unit's two bytes swapped. The source's <0066006C>
comes out as <66006c00>, and every text extractor, an archive's full-text index and a screen
reader included, then reads "flere" as "昀氀ere". veraPDF does not notice (U+6600 is a valid
character). ``repair_tounicode`` swaps such destinations back.
"""

from __future__ import annotations

import functools
import logging
import os
import re
from pathlib import Path

from ..errors import ConversionError, DependencyError
from . import proc
from .libreoffice import PdfaLevel

log = logging.getLogger(__name__)

PDFA_DEF = """%!
% referatbygg: PDF/A definition (after Ghostscript's lib/PDFA_def.ps)
[ /Title {title} /DOCINFO pdfmark
/ICCProfile ({icc}) def
[/_objdef {{icc_PDFA}} /type /stream /OBJ pdfmark
[{{icc_PDFA}} << /N 3 >> /PUT pdfmark
[{{icc_PDFA}} ICCProfile (r) file /PUT pdfmark
[/_objdef {{OutputIntent_PDFA}} /type /dict /OBJ pdfmark
[{{OutputIntent_PDFA}} <<
  /Type /OutputIntent /S /GTS_PDFA1 /DestOutputProfile {{icc_PDFA}}
  /OutputConditionIdentifier (sRGB) /Info (sRGB IEC61966-2.1)
>> /PUT pdfmark
[{{Catalog}} << /OutputIntents [ {{OutputIntent_PDFA}} ] >> /PUT pdfmark
"""


def gs() -> str:
    return proc.which("gs", package="ghostscript")


@functools.cache
def version() -> str:
    return proc.run([gs(), "--version"], timeout=30).stdout.strip()


@functools.cache
def srgb_profile() -> Path:
    """Ghostscript's own sRGB profile, found where this Ghostscript keeps its files.

    ``REFERATBYGG_SRGB_ICC`` names another file. Otherwise the folders of ``gs -h``'s search
    path (…/<version>/lib, …/Resource/Init) are walked up to their Ghostscript folder, which
    holds iccprofiles/ (Debian: /usr/share/ghostscript/10.00.0/iccprofiles/srgb.icc).
    """
    given = os.environ.get("REFERATBYGG_SRGB_ICC")
    if given:
        if not Path(given).is_file():
            raise DependencyError(f"REFERATBYGG_SRGB_ICC names {given}, which is not a file")
        return Path(given)
    for base in _search_roots():
        for found in sorted(base.glob("**/iccprofiles/srgb.icc")):
            return found
    raise DependencyError(
        "Ghostscript's sRGB ICC profile (iccprofiles/srgb.icc) was not found",
        hint="reinstall Ghostscript (Debian/Ubuntu: apt-get install ghostscript), or set "
        "REFERATBYGG_SRGB_ICC to an sRGB IEC61966-2.1 profile",
    )


def _search_roots() -> list[Path]:
    text = proc.run([gs(), "-h"], timeout=30).stdout
    listed = text.partition("Search path:")[2]
    folders = [Path(p.strip()) for p in re.split(r"\s:\s|\n", listed) if p.strip().startswith("/")]
    roots: list[Path] = []
    for folder in folders:
        # …/ghostscript/<version>/lib → …/ghostscript/<version>
        for parent in (folder, *folder.parents):
            if (parent / "iccprofiles").is_dir():
                if parent not in roots:
                    roots.append(parent)
                break
    return roots


def ps_text(text: str) -> str:
    """A PostScript string for any Unicode text: UTF-16BE with BOM, as hex."""
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


def to_pdfa(src: Path, dst: Path, level: PdfaLevel, *, title: str, timeout: float = 300) -> None:
    """Rewrite ``src`` as PDF/A at ``level`` into ``dst``."""
    icc = srgb_profile()
    definition = dst.with_suffix(".pdfa_def.ps")
    definition.write_text(PDFA_DEF.format(title=ps_text(title), icc=icc), encoding="ascii")
    part = level[0]
    args = [
        gs(), "-q", "-dBATCH", "-dNOPAUSE", "-dSAFER", "-dNOOUTERSAVE",
        f"-dPDFA={part}", "-dPDFACompatibilityPolicy=1",
        "-sDEVICE=pdfwrite", "-sColorConversionStrategy=RGB",
        "-dEmbedAllFonts=true", "-dSubsetFonts=true",
        *(["-dCompatibilityLevel=1.4"] if part == "1" else ["-dCompatibilityLevel=1.7"]),
        f"--permit-file-read={icc}",
        f"-sOutputFile={dst}", str(definition), str(src),
    ]  # fmt: skip
    try:
        # Europe/Oslo, not UTC: Ghostscript 10.00 writes UTC offsets that validators reject.
        res = proc.run(args, timeout=timeout, env={"TZ": "Europe/Oslo"})
    except proc.ToolTimeout as exc:
        raise ConversionError(f"{src.name}: Ghostscript timed out ({exc})") from None
    finally:
        definition.unlink(missing_ok=True)
    output = (res.stdout + res.stderr).strip()
    if res.returncode != 0 or "aborted" in output or not dst.is_file():
        raise ConversionError(
            f"{src.name}: Ghostscript could not make PDF/A-{level} of it: "
            f"{_summary(output) or f'exit code {res.returncode}'}"
        )
    if output:
        log.debug("gs on %s: %s", src.name, _summary(output))
    head = dst.read_bytes()
    if b"/OutputIntents" not in head or b"GTS_PDFA1" not in head:
        raise ConversionError(f"{src.name}: Ghostscript's output has no PDF/A output intent")
    repaired = repair_tounicode(dst)
    if repaired:
        log.debug("gs on %s: %d swapped ToUnicode entries put right", src.name, repaired)


# A destination of two or more UTF-16 units, each of the form XX00: what Ghostscript makes of
# a ligature's letters (source codes are one or two bytes, so never this long).
_SWAPPED = re.compile(rb"<((?:[0-9A-Fa-f]{2}00){2,})>")


def unswapped(cmap: bytes) -> tuple[bytes, int]:
    """A ToUnicode CMap with Ghostscript's swapped destinations put right; how many were."""
    count = 0

    def repair(match: re.Match[bytes]) -> bytes:
        nonlocal count
        units = match.group(1)
        swapped = b"".join(b"00" + units[i : i + 2] for i in range(0, len(units), 4))
        text = bytes.fromhex(swapped.decode("ascii")).decode("utf-16-be")
        # Only visible ASCII, what a ligature stands for: a run of CJK characters that each
        # end in 00 (U+6600 U+6C00) as one glyph's text is not something a font maps to.
        if not (text.isascii() and text.isprintable()):
            return match.group(0)
        count += 1
        return b"<" + swapped + b">"

    return _SWAPPED.sub(repair, cmap), count


def repair_tounicode(path: Path) -> int:
    """In place: the ToUnicode destinations Ghostscript swapped, swapped back; how many."""
    import pikepdf

    count = 0
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        for obj in pdf.objects:
            cmap = obj.get("/ToUnicode") if isinstance(obj, pikepdf.Dictionary) else None
            if not isinstance(cmap, pikepdf.Stream):
                continue
            fixed, n = unswapped(cmap.read_bytes())
            if n:
                cmap.write(fixed)
                count += n
        if count:
            pdf.save(path)
    return count


def _summary(output: str) -> str:
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    return " | ".join(dict.fromkeys(lines))[:500]
