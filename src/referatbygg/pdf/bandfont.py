"""A font for the few words this tool writes onto pages it did not lay out (the attachment
band): Noto Sans, subset to the characters used, embedded as a CID font with widths, a
ToUnicode map and a complete /CIDSet — what PDF/A-2 and PDF/UA-1 require of any font shown.

Noto Sans (unitsPerEm 1000, so widths need no scaling): the subset shipped for the signature
stamp (Latin-1 and Latin Extended-A) when it has every character, else the system's when
fonts-noto-core is there.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from fontTools import subset
from fontTools.ttLib import TTFont
from pikepdf import Array, Dictionary, Name

SYSTEM = Path("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf")
SHIPPED = Path(__file__).parents[1] / "fonts" / "NotoSans-stamp.ttf"


@functools.cache
def _covered(path: Path) -> frozenset[int]:
    return frozenset(TTFont(str(path), lazy=True).getBestCmap())


def _source(text: str) -> Path:
    """The shipped subset when it has every character (a tenth of the time: the whole Noto
    Sans takes ~0.3 s to subset), else the system's Noto Sans when there is one."""
    if {ord(c) for c in text} <= _covered(SHIPPED) or not SYSTEM.is_file():
        return SHIPPED
    return SYSTEM


@dataclass
class BandFont:
    """The subset for ``text``: encode a string as glyph IDs, measure it, and the font
    dictionary to put in a page's resources."""

    cmap: dict[int, int]  # code point → glyph ID in the subset
    widths: dict[int, int]  # glyph ID → advance in 1/1000 em
    font: pikepdf.Object

    def encode(self, text: str) -> bytes:
        return b"".join(self.cmap.get(ord(c), 0).to_bytes(2, "big") for c in text)

    def width(self, text: str, size: float) -> float:
        return sum(self.widths.get(self.cmap.get(ord(c), 0), 0) for c in text) * size / 1000


def embed(pdf: pikepdf.Pdf, text: str) -> BandFont:
    """Subset the font to ``text`` (characters it lacks fall back to a question mark) and
    embed it in ``pdf``."""
    source = TTFont(str(_source(text)), lazy=False)
    have = source.getBestCmap()
    chars = sorted({ord(c) for c in text if ord(c) in have} | {ord("?"), ord(" ")})
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.glyph_names = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=chars)
    subsetter.subset(source)
    data = io.BytesIO()
    source.save(data)
    font = TTFont(io.BytesIO(data.getvalue()))
    order = font.getGlyphOrder()
    gid = {name: i for i, name in enumerate(order)}
    cmap = {cp: gid[name] for cp, name in font.getBestCmap().items()}
    cmap.update({ord(c): cmap[ord("?")] for c in text if ord(c) not in cmap})
    upem = font["head"].unitsPerEm
    hmtx = font["hmtx"].metrics
    widths = {i: round(hmtx[name][0] * 1000 / upem) for i, name in enumerate(order)}
    head, hhea, post = font["head"], font["hhea"], font["post"]
    scale = 1000 / upem
    base = Name("/AAAAAA+NotoSans-Regular")
    glyphs = len(order)
    cidset = bytearray((glyphs + 7) // 8)
    for i in range(glyphs):
        cidset[i // 8] |= 0x80 >> (i % 8)
    descriptor = Dictionary(
        Type=Name.FontDescriptor, FontName=base, Flags=32,
        FontBBox=Array([round(v * scale) for v in
                        (head.xMin, head.yMin, head.xMax, head.yMax)]),
        ItalicAngle=int(post.italicAngle), Ascent=round(hhea.ascent * scale),
        Descent=round(hhea.descent * scale), CapHeight=714, StemV=80,
        FontFile2=pikepdf.Stream(pdf, data.getvalue()),
        CIDSet=pikepdf.Stream(pdf, bytes(cidset)),
    )  # fmt: skip
    cid_font = Dictionary(
        Type=Name.Font, Subtype=Name.CIDFontType2, BaseFont=base,
        CIDSystemInfo=Dictionary(Registry=pikepdf.String("Adobe"),
                                 Ordering=pikepdf.String("Identity"), Supplement=0),
        FontDescriptor=pdf.make_indirect(descriptor), CIDToGIDMap=Name.Identity,
        W=Array([0, Array([widths[i] for i in range(glyphs)])]), DW=1000,
    )  # fmt: skip
    to_unicode = _to_unicode(cmap, text)
    top = Dictionary(
        Type=Name.Font, Subtype=Name.Type0, BaseFont=base, Encoding=Name("/Identity-H"),
        DescendantFonts=Array([pdf.make_indirect(cid_font)]),
        ToUnicode=pikepdf.Stream(pdf, to_unicode),
    )  # fmt: skip
    return BandFont(cmap, widths, pdf.make_indirect(top))


def _to_unicode(cmap: dict[int, int], text: str) -> bytes:
    """Each glyph to the character it stands for (the first one, for a glyph that several
    characters share — '?' for those the font lacks)."""
    back: dict[int, int] = {}
    for cp in sorted(cmap):
        if chr(cp) in text or cp in (ord("?"), ord(" ")):
            back.setdefault(cmap[cp], cp)
    lines = [
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
        "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange",
    ]  # fmt: skip
    entries = sorted(back.items())
    for start in range(0, len(entries), 100):
        chunk = entries[start : start + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines += [f"<{g:04X}> <{chr(cp).encode('utf-16-be').hex().upper()}>" for g, cp in chunk]
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines).encode("ascii")
