"""Make the stand-in attachments of the seed meeting (meetings/politiradet/vedlegg/).

The real attachments were not published with the minutes' text. These are clearly marked
stand-ins with the right titles: one .docx (converted by LibreOffice in the pipeline) and two
ordinary, non-PDF/A PDFs (normalised by Ghostscript in the pipeline), like what a secretariat gets.

Run: .venv/bin/python scripts/make_seed_attachments.py   (needs soffice for the PDFs)
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from docx import Document
from docx.shared import Pt

OUT = Path(__file__).resolve().parents[1] / "meetings/politiradet/vedlegg"
NOTE = (
    "ERSTATNINGSDOKUMENT – dette er ikke det originale vedlegget. Det står i stedet for vedlegget "
    "med samme tittel i referatet fra Politirådet i Oslo 13.01.2023, slik at referatbygg kan "
    "bygge og signere et komplett referat."
)


def document(title: str, sections: list[tuple[str, str]]) -> Document:
    doc = Document()
    doc.styles["Normal"].font.name = "Noto Sans"
    doc.styles["Normal"].font.size = Pt(11)
    doc.add_heading(title, level=0)
    doc.add_paragraph(NOTE).runs[0].italic = True
    for heading, text in sections:
        doc.add_heading(heading, level=1)
        for _ in range(3):
            doc.add_paragraph(text)
    return doc


def to_pdf(documents: dict[str, Document], out: Path) -> None:
    """Each document as an ordinary (not PDF/A) PDF in ``out``, by LibreOffice."""
    with tempfile.TemporaryDirectory() as tmp:
        for name, doc in documents.items():
            src = Path(tmp) / f"{name}.docx"
            doc.save(str(src))
            subprocess.run(
                ["soffice", "--headless", f"-env:UserInstallation=file://{tmp}/profile",
                 "--convert-to", "pdf", "--outdir", str(out), str(src)],
                check=True, capture_output=True, timeout=120,
            )  # fmt: skip
            made = out / f"{name}.pdf"
            print(f"{made.name}: {made.stat().st_size} bytes")


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    filler = (
        "Teksten i dette avsnittet er fyll. Den viser hvordan et vedlegg på flere sider blir "
        "slått sammen med referatet, får bokmerke og sidetall, og blir arkivert som PDF/A."
    )
    avtale = document(
        "Politirådsavtale 2023–2025",
        [
            ("1. Parter", "Avtalen er inngått mellom Oslo kommune og Oslo politidistrikt."),
            ("2. Formål", filler),
            ("3. Innsatsområder", filler),
            ("4. Varighet", "Avtalen gjelder fra 1. januar 2023 til 31. desember 2025."),
        ],
    )
    avtale.save(str(OUT / "politiradsavtale-2023-2025.docx"))
    to_pdf(
        {
            "situasjonsbrief": document(
                "Situasjonsbrief fra politiet", [("Ugradert presentasjon", filler)]
            ),
            "salto-handlingsprogram-2023-2025": document(
                "SaLTo handlingsprogram 2023–2025",
                [(f"{i}. Hovedutfordring", filler * 4) for i in range(1, 6)],
            ),
        },
        OUT,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
