"""rsvg-convert (librsvg): an SVG logo → PNG for the Word document.

Word documents carry raster images everywhere (SVG only as an extension beside a PNG), and
LibreOffice's own SVG import varies by version; a PNG at three times the printed size stays
sharp in the PDF.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ConversionError
from . import proc


def rsvg() -> str:
    return proc.which("rsvg-convert", package="librsvg2-bin")


def version() -> str:
    return proc.run([rsvg(), "--version"], timeout=30).stdout.strip()


def to_png(svg: Path, dst: Path, *, height_px: int) -> Path:
    res = proc.run([rsvg(), "--format=png", f"--height={height_px}", "--keep-aspect-ratio",
                    f"--output={dst}", str(svg)], timeout=60)  # fmt: skip
    if res.returncode != 0 or not dst.is_file() or dst.stat().st_size == 0:
        raise ConversionError(f"{svg.name}: rsvg-convert could not draw it: "
                              f"{res.stderr.strip()[-300:]}")  # fmt: skip
    return dst
