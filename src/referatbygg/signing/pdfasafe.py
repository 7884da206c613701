"""pyHanko pieces that keep a PDF/A file PDF/A while it is signed.

pyHanko as shipped breaks PDF/A in four ways (shared/KNOWN-PITFALLS.md); each is fixed here, at
the point where pyHanko writes, because nothing can be changed after a signature is computed:

* its writers rewrite the XMP packet (xmpbox rejects the result) and set Info/Producer apart from
  XMP — :func:`metadata_frozen` leaves document metadata exactly as the PDF/A file had it;
* its stamp font subset has no /CIDSet, which PDF/A-1 requires — :class:`CidSetGlyphAccumulator`
  writes a complete one in the same revision (every glyph slot of the subset, as veraPDF counts);
* with an ECDSA key on a curve ISO/TS 32002 names (P-256) it registers that PDF 2.0 extension and
  raises the catalog /Version to 2.0, in a file whose PDF/A part is built on PDF 1.7 —
  :class:`ArchivalPdfSigner` registers only the ESIC extension (PAdES, PDF 1.7);
* glyph widths of fonts whose unitsPerEm is not 1000 come out wrong — the stamp uses Noto Sans
  (unitsPerEm 1000), and the same font size on stamp and text box (pyHanko #733).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.signers.pdf_signer import _ensure_esic_ext
from pyhanko.stamp import TextStampStyle

from ..fsutil import atomic_path
from ..pdf.pdfa import cidset_bytes, present_cids

FONT = Path(__file__).parents[1] / "fonts" / "NotoSans-stamp.ttf"  # unitsPerEm 1000, æøå
FONT_SIZE = 8
LEADING = 9  # five lines: 45 pt, in a 52 pt field less 3 pt above and below


@contextlib.contextmanager
def metadata_frozen() -> Iterator[None]:
    """Keep pyHanko from touching Info and XMP while it writes.

    Every pyHanko writer calls ``_update_meta``, which rewrites the XMP packet in a form xmpbox
    (PDFBox Preflight) rejects ("7.3 Schema is not set … dc") and makes Info/Producer disagree with
    XMP. Besides the writer we pass in, pyHanko opens its own for the post-signing DSS update and
    the document timestamp, so the method is disabled on the class for the duration of our call.
    PDF/A does not require a new modification date; the metadata stays as the conversion wrote it.
    (Worth an upstream option: pyHanko has no switch to leave metadata untouched.)
    """
    original = BasePdfFileWriter._update_meta
    BasePdfFileWriter._update_meta = lambda self: None  # type: ignore[method-assign]
    try:
        yield
    finally:
        BasePdfFileWriter._update_meta = original  # type: ignore[method-assign]


class CidSetGlyphAccumulator(GlyphAccumulator):
    """pyHanko's font subset, plus a complete /CIDSet (PDF/A-1 requires one; PDF/A-2 requires
    any that is present to list every CID of the font program)."""

    def prepare_write(self) -> None:
        already = self._write_prepared
        super().prepare_write()
        if already:
            return
        # pyHanko subsets with retain_gids and CIDToGIDMap /Identity: every slot up to the
        # highest glyph used is in the program, and its CID is its glyph ID.
        cids = present_cids(self.tt["maxp"].numGlyphs, None)
        stream = generic.StreamObject(stream_data=cidset_bytes(cids))
        descriptor = self.cidfont_obj._font_descriptor
        descriptor[generic.pdf_name("/CIDSet")] = self.writer.add_object(stream)


class CidSetFontFactory(GlyphAccumulatorFactory):
    def create_font_engine(self, writer: Any, obj_stream: Any = None) -> GlyphAccumulator:
        engine = super().create_font_engine(writer, obj_stream)
        engine.__class__ = CidSetGlyphAccumulator  # same state, our prepare_write
        return engine


# What a Norwegian stamp can need: Latin-1, Latin Extended-A, general punctuation, the euro sign.
STAMP_CHARS = [*range(0x20, 0x7F), *range(0xA0, 0x180), *range(0x2010, 0x203B), 0x20AC]


def stamp_font(family: str | None = None) -> Path:
    """The stamp's font: the document's body font when it can be embedded (a TrueType font on
    this machine whose licence allows embedding and which has every character of a Norwegian
    stamp), cut to those characters and scaled to 1000 units per em — pyHanko's glyph widths
    assume 1000 (pyHanko #733); else Noto Sans (OFL), shipped in the package (fonts/OFL.txt)."""
    if family and family.lower() != "noto sans":
        prepared = _prepared(family)
        if prepared is not None:
            return prepared
    return FONT


@functools.cache
def _prepared(family: str) -> Path | None:
    import hashlib
    import os
    import subprocess

    from fontTools import subset
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    try:
        res = subprocess.run(["fc-match", "-f", "%{family}\n%{file}", f"{family}:style=Regular"],
                             capture_output=True, text=True, timeout=30)  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return None
    names, _, file = res.stdout.partition("\n")
    if family.lower() not in [n.strip().lower() for n in names.split(",")] or not file:
        return None  # fontconfig offered a substitute: not the document's font
    source = Path(file)
    try:
        font = TTFont(str(source), fontNumber=0)
    except Exception:
        return None
    restricted = "OS/2" in font and int(font["OS/2"].fsType) & 0x0002
    cmap = font.getBestCmap() or {}
    if "glyf" not in font or restricted or any(c not in cmap for c in STAMP_CHARS):
        return None
    key = hashlib.sha256(source.read_bytes() + repr(STAMP_CHARS).encode()).hexdigest()[:16]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "referatbygg"
    target = cache / f"stamp-{key}.ttf"
    if not target.is_file():
        options = subset.Options()
        options.name_IDs = ["*"]
        options.notdef_outline = True
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=STAMP_CHARS)
        subsetter.subset(font)
        if font["head"].unitsPerEm != 1000:
            scale_upem(font, 1000)
        cache.mkdir(parents=True, exist_ok=True)
        with atomic_path(target) as tmp:
            font.save(str(tmp))
    return target


def stamp_style(family: str | None = None) -> TextStampStyle:
    """The stamp: the status ("Signert digitalt", or the test notice) set off from who, as
    what and when by an empty line; drawn at FONT_SIZE, not shrunk to fit. pyHanko puts 10 pt
    of margin round a text box by default and then scales the box into the field: in a 52 pt
    field that drew 8 pt text at 5.25 pt. The box has no margin of its own here; the stamp's
    margins are the only ones, and five lines at LEADING fit the field's height."""
    font = CidSetFontFactory(str(stamp_font(family)), font_size=FONT_SIZE)
    return TextStampStyle(
        stamp_text="%(status)s\n\n%(signer)s\n%(title)s\n%(when)s",
        text_box_style=TextBoxStyle(
            font=font,
            font_size=FONT_SIZE,
            leading=LEADING,
            box_layout_rule=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MIN,
                y_align=layout.AxisAlignment.ALIGN_MID,
                margins=layout.Margins(0, 0, 0, 0),
            ),
        ),
        # The text at the left, centred in height.
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins(left=6, right=6, top=3, bottom=3),
        ),
        border_width=1,
    )


class ArchivalPdfSigner(signers.PdfSigner):
    """A PdfSigner that declares no PDF 2.0 extension: PAdES (the ESIC extension, PDF 1.7) only.

    pyHanko registers ISO/TS 32002 (and raises /Version to 2.0) for ECDSA keys on the curves that
    standard names, and ISO/TS 32001 for SHA-3; PDF/A-1, -2 and -3 are built on PDF 1.4/1.7, so
    the declaration would make the file claim what its PDF/A part excludes. The signature itself
    is the same; PDF 1.7 readers validate ECDSA signatures (CAdES) without the declaration.
    """

    def register_extensions(self, pdf_out: BasePdfFileWriter, *, md_algorithm: str) -> None:
        if self.signature_meta.subfilter == SigSeedSubFilter.PADES:
            _ensure_esic_ext(pdf_out)
