"""Realistic meetings for the benchmarks: the seed meeting's size and shape, varied content,
two attachments each (a PDF and a DOCX), written with tomlkit."""

from __future__ import annotations

import datetime as dt
import random
import shutil
import tomllib
from pathlib import Path

import tomlkit

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "meetings/politiradet/2023-01-13.toml"


def generate(folder: Path, count: int, seed: int = 2023) -> list[Path]:
    """``count`` meeting files in ``folder`` (with the body and two attachment files)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(SEED.parent / "organ.toml", folder / "organ.toml")
    (folder / "vedlegg").mkdir(exist_ok=True)
    for name in ("situasjonsbrief.pdf", "politiradsavtale-2023-2025.docx"):
        shutil.copy(SEED.parent / "vedlegg" / name, folder / "vedlegg" / name)
    base = tomllib.loads(SEED.read_text(encoding="utf-8"))
    files = []
    for i in range(count):
        day = dt.date(2024, 1, 5) + dt.timedelta(days=7 * i)
        doc = tomlkit.document()
        doc["date"] = day
        items = tomlkit.aot()
        for item in base["items"]:
            entry = dict(item)
            if "text" in entry and entry["text"].lstrip().startswith("-"):
                bullets = ["- " + b.strip() for b in entry["text"].split("\n- ") if b.strip()]
                rng.shuffle(bullets)
                keep = max(1, int(len(bullets) * rng.uniform(0.6, 1.0)))
                entry["text"] = "\n".join(b if b.startswith("- ") else "- " + b.lstrip("- ")
                                          for b in bullets[:keep]) + "\n"  # fmt: skip
            table = tomlkit.table()
            for key, value in entry.items():
                table[key] = tomlkit.string(value, multiline=True) if key == "text" else value
            items.append(table)
        doc["items"] = items
        doc["next_meetings"] = [{"date": day + dt.timedelta(days=7), "start": "13:30",
                                 "end": "15:30"}]  # fmt: skip
        doc["attachments"] = [
            {"item": 5, "title": "Situasjonsbrief fra politiet",
             "file": "vedlegg/situasjonsbrief.pdf"},
            {"item": 7, "title": "Politirådsavtale 2023–2025",
             "file": "vedlegg/politiradsavtale-2023-2025.docx"},
        ]  # fmt: skip
        path = folder / f"{day.isoformat()}.toml"
        path.write_text(tomlkit.dumps(doc), encoding="utf-8")
        files.append(path)
    return files
