"""Tesseract (Debian's tesseract-ocr with Norwegian language data): the invisible text layer
of a scanned page, so that a screen reader, a search and an archive's index can read it.

Only the text layer is asked for (``textonly_pdf``): the page's own image stays as the sender
scanned it, and the layer goes over it.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ConversionError, DependencyError
from . import proc

LANGUAGE = "nor"  # Tesseract's Norwegian (bokmål and nynorsk alike)


def tesseract() -> str:
    return proc.which("tesseract", package="tesseract-ocr tesseract-ocr-nor")


def version() -> str:
    """Its version, once the Norwegian language data is there."""
    languages = proc.run([tesseract(), "--list-langs"], timeout=30).stdout.split()
    if LANGUAGE not in languages:
        raise DependencyError(
            "Tesseract has no Norwegian language data",
            hint="install it with: apt-get install tesseract-ocr-nor",
        )
    return proc.run([tesseract(), "--version"], timeout=30).stdout.splitlines()[0].strip()


def text_layer(image: Path, dst: Path) -> Path:
    """The invisible text Tesseract reads in ``image``, as a one-page PDF at ``dst`` (the
    page is the image's size at its resolution)."""
    base = dst.with_suffix("")
    res = proc.run([tesseract(), str(image), str(base), "-l", LANGUAGE, "-c", "textonly_pdf=1",
                    "pdf"], timeout=300)  # fmt: skip
    made = base.with_suffix(".pdf")
    if res.returncode != 0 or not made.is_file():
        raise ConversionError(f"Tesseract could not read the scanned page: "
                              f"{res.stderr.strip()[-300:]}")  # fmt: skip
    if made != dst:
        made.replace(dst)
    return dst
