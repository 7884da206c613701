"""Make the attachments of the invented kommunestyre example (meetings/kommunestyret/vedlegg/).

Like the seed's stand-ins: ordinary PDFs (not PDF/A) made by LibreOffice from a short Word
document, marked as invented. Run: .venv/bin/python scripts/make_example_attachments.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.shared import Pt

sys.path.insert(0, str(Path(__file__).parent))
from make_seed_attachments import to_pdf

OUT = Path(__file__).resolve().parents[1] / "meetings/kommunestyret/vedlegg"
NOTE = "EKSEMPELDOKUMENT – oppdiktet innhold til eksempelmøtet i referatbygg."
FILLER = (
    "Teksten i dette avsnittet er fyll. Den viser hvordan et vedlegg blir slått sammen med "
    "protokollen, får bokmerke og sidetall, og blir arkivert som PDF/A."
)


def document(title: str, sections: list[str]) -> Document:
    doc = Document()
    doc.styles["Normal"].font.name = "Noto Sans"
    doc.styles["Normal"].font.size = Pt(11)
    doc.add_heading(title, level=0)
    doc.add_paragraph(NOTE).runs[0].italic = True
    for heading in sections:
        doc.add_heading(heading, level=1)
        doc.add_paragraph(FILLER)
    return doc


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    to_pdf(
        {
            "tilstandsrapport-nordby-skole": document(
                "Tilstandsrapport Nordby skole",
                ["Tak og bæresystem", "Ventilasjon", "Universell utforming"],
            ),
            "innstilling-tilsettingsutvalget": document(
                "Innstilling fra tilsettingsutvalget", ["Søkere", "Vurdering", "Innstilling"]
            ),
        },
        OUT,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
