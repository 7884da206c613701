"""Malformed and hostile meeting folders, generated from a small valid one.

Each case is a name and a function that spoils a fresh copy of the folder (``organ.toml``,
``m.toml``, ``vedlegg/brev.pdf``); tests/test_robust.py runs every case through ``check`` and,
when check accepts it, through ``build``: either check reports errors, or the build succeeds —
never "check OK, build fails", never an internal error.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

from pdfmaker import plain_pdf
from PIL import Image

BODY = """\
id = "testorgan"
name = "Testutvalget"
organisation = "Test kommune"
language = "nb"

[abbreviations]
OPD = "Oslo politidistrikt"

[standing_text]
title = "Om utvalget"
text = "Utvalget møtes fire ganger i året."

[[signatories]]
role = "leder"
title = "Leder"
name = "Kari Nordmann"
"""

MEETING = """\
date = 2024-03-01
start = "09:00"
end = "11:00"
place = "Rådhuset, møterom 1"
title = "Referat fra Testutvalget"

[[items]]
numbers = [1]
title = "Budsjett"
text = \"\"\"
Innledning om OPD.

- Første punkt.
\"\"\"
[items.decision]
text = "Budsjettet vedtas."
votes = { for = 5, against = 2 }

[[attachments]]
item = 1
title = "Brev"
file = "vedlegg/brev.pdf"
"""

Spoil = Callable[[Path], None]


def make(folder: Path) -> Path:
    """The valid folder; returns the meeting file."""
    (folder / "vedlegg").mkdir(parents=True)
    plain_pdf(folder / "vedlegg/brev.pdf")
    (folder / "organ.toml").write_text(BODY, encoding="utf-8")
    (folder / "m.toml").write_text(MEETING, encoding="utf-8")
    return folder / "m.toml"


def edit(file: str, old: str, new: str, count: int = 1) -> Spoil:
    def spoil(folder: Path) -> None:
        path = folder / file
        text = path.read_text(encoding="utf-8")
        assert old in text, (file, old)
        path.write_text(text.replace(old, new, count), encoding="utf-8")

    return spoil


def append(file: str, extra: str) -> Spoil:
    def spoil(folder: Path) -> None:
        with (folder / file).open("a", encoding="utf-8") as fh:
            fh.write(extra)

    return spoil


def toml_str(text: str) -> str:
    """A TOML basic string holding ``text`` (control characters escaped)."""
    out = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\u{ord(m.group()):04x}", out) + '"'


CHANGED = edit("m.toml", "Budsjettet vedtas.", "Budsjettet vedtas med endringer.")
SPECIAL = "Møte <A & B> \"sitat\" 'enkelt' & mer"
CONTROL = "Tittel\x07med bjelle"
FIELDS_M = {  # meeting-file values that end up in the documents
    "title": 'title = "Referat fra Testutvalget"',
    "place": 'place = "Rådhuset, møterom 1"',
    "item_title": 'title = "Budsjett"',
    "decision": 'text = "Budsjettet vedtas."',
    "attachment_title": 'title = "Brev"',
}
FIELDS_B = {
    "body_name": 'name = "Testutvalget"',
    "organisation": 'organisation = "Test kommune"',
    "abbreviation": 'OPD = "Oslo politidistrikt"',
    "standing_title": 'title = "Om utvalget"',
    "signatory_title": 'title = "Leder"',
    "signatory_name": 'name = "Kari Nordmann"',
}


def _value_cases(value: str, label: str) -> dict[str, Spoil]:
    cases: dict[str, Spoil] = {}
    for name, line in FIELDS_M.items():
        key = line.split(" = ")[0]
        cases[f"{label}-{name}"] = edit("m.toml", line, f"{key} = {toml_str(value)}")
    for name, line in FIELDS_B.items():
        key = line.split(" = ")[0]
        cases[f"{label}-{name}"] = edit("organ.toml", line, f"{key} = {toml_str(value)}")
    return cases


def symlink(link: str, target: str) -> Spoil:
    def spoil(folder: Path) -> None:
        (folder / link).parent.mkdir(parents=True, exist_ok=True)
        (folder / link).unlink(missing_ok=True)
        (folder / link).symlink_to(target)

    return spoil


def both(*spoils: Spoil) -> Spoil:
    def spoil(folder: Path) -> None:
        for one in spoils:
            one(folder)

    return spoil


def outside_file(folder: Path) -> None:
    plain_pdf(folder.parent / "utenfor.pdf")


def fifo(folder: Path) -> None:
    (folder / "vedlegg/brev.pdf").unlink()
    os.mkfifo(folder / "vedlegg/brev.pdf")


def outside_body(folder: Path) -> None:
    (folder.parent / "organ.toml").write_text(BODY, encoding="utf-8")


def body_fifo(folder: Path) -> None:
    os.mkfifo(folder / "organ2.toml")


AGREEMENT = """\
kind = "avtale"
body = "{body}"
title = "Samarbeidsavtale"
date = 2024-02-01

[[parties]]
name = "Test kommune"
signatory = "leder"

[[parties]]
name = "Politiet"
signatory = "leder"

[[articles]]
title = "Formål"
text = "Partene samarbeider."
"""


def agreement(body: str, where: str = "vedlegg/avtale.toml") -> Spoil:
    def spoil(folder: Path) -> None:
        (folder / where).parent.mkdir(parents=True, exist_ok=True)
        (folder / where).write_text(AGREEMENT.format(body=body), encoding="utf-8")
        edit("m.toml", 'file = "vedlegg/brev.pdf"', f'file = "{where}"')(folder)

    return spoil


def bomb(folder: Path) -> None:
    """A PNG whose header claims 30 000 × 30 000 pixels (a decompression bomb)."""
    Image.new("1", (30000, 30000)).save(folder / "vedlegg/bilde.png", optimize=True)


def big_image(folder: Path) -> None:
    Image.new("RGB", (12000, 9000), "white").save(folder / "vedlegg/bilde.png", optimize=True)


ATTACH_IMAGE = edit("m.toml", 'file = "vedlegg/brev.pdf"', 'file = "vedlegg/bilde.png"')


CASES: dict[str, Spoil] = {
    "valid": lambda folder: None,
    **_value_cases(SPECIAL, "xml"),
    **_value_cases(CONTROL, "control"),
    **_value_cases("x" * 300, "long"),
    "control-exempt": append(
        "m.toml",
        '\n[[attachments]]\nitem = 1\ntitle = "Hemmelig"\n'
        'file = "vedlegg/brev.pdf"\nexempt = "offl.\\u0001 § 13"\n',
    ),
    "control-abbreviation-key": edit("organ.toml", 'OPD = "Oslo', '"O\\u0002PD" = "Oslo'),
    "control-known-term": edit(
        "organ.toml", 'language = "nb"', 'language = "nb"\nknown_terms = ["NA\\u0003TO"]'
    ),
    "huge-text": edit("m.toml", "Innledning om OPD.", "Lang tekst. " * 90_000),
    "many-abbreviations": append(
        "organ.toml", "".join(f"\n[abbreviations.X{n}]" if False else "" for n in range(1))
    ),
    "date-1970": edit("m.toml", "date = 2024-03-01", "date = 1970-01-01"),
    "date-1850": edit("m.toml", "date = 2024-03-01", "date = 1850-06-01"),
    "date-2200": edit("m.toml", "date = 2024-03-01", "date = 2200-01-01"),
    "date-9999": edit("m.toml", "date = 2024-03-01", "date = 9999-12-31"),
    "date-as-string": edit("m.toml", "date = 2024-03-01", 'date = "2024-03-01"'),
    "item-as-string": edit("m.toml", "item = 1", 'item = "1"'),
    "unanimous-string": edit("m.toml", "votes = { for = 5, against = 2 }", 'unanimous = "yes"'),
    "no-business-int": edit("m.toml", 'title = "Budsjett"', 'title = "Budsjett"\nno_business = 1'),
    "bom": lambda folder: (folder / "m.toml").write_bytes(
        b"\xef\xbb\xbf" + (folder / "m.toml").read_bytes()
    ),
    "deep-nesting": append("m.toml", "\nx = " + "[" * 5000 + "]" * 5000 + "\n"),
    "deep-tables": append("m.toml", "\ny = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n"),
    "unntatt-in-standing-text": edit(
        "organ.toml", 'text = "Utvalget møtes', 'text = "[unntatt] Utvalget møtes'
    ),
    "nul-in-path": edit("m.toml", 'file = "vedlegg/brev.pdf"', 'file = "vedlegg/br\\u0000ev.pdf"'),
    "attachment-dotdot": both(
        outside_file, edit("m.toml", 'file = "vedlegg/brev.pdf"', 'file = "../utenfor.pdf"')
    ),
    "attachment-absolute": edit("m.toml", 'file = "vedlegg/brev.pdf"', 'file = "/etc/hostname"'),
    "attachment-symlink-out": both(
        outside_file,
        symlink("vedlegg/lenke.pdf", "../../utenfor.pdf"),
        edit("m.toml", "vedlegg/brev.pdf", "vedlegg/lenke.pdf"),
    ),
    "attachment-symlink-folder": both(
        outside_file, symlink("ut", ".."), edit("m.toml", "vedlegg/brev.pdf", "ut/utenfor.pdf")
    ),
    "attachment-symlink-loop": both(
        symlink("vedlegg/loop.pdf", "loop.pdf"),
        edit("m.toml", "vedlegg/brev.pdf", "vedlegg/loop.pdf"),
    ),
    "attachment-fifo": fifo,
    "attachment-folder": edit("m.toml", 'file = "vedlegg/brev.pdf"', 'file = "vedlegg"'),
    "attachment-devzero": edit("m.toml", 'file = "vedlegg/brev.pdf"', 'file = "/dev/zero"'),
    "body-etc-shadow": edit("m.toml", "date = 2024", 'body = "/etc/shadow"\ndate = 2024'),
    "body-dev-zero": edit("m.toml", "date = 2024", 'body = "/dev/zero"\ndate = 2024'),
    "body-dotdot": both(
        lambda f: (f.parent / "organ.toml").write_text(BODY, encoding="utf-8"),
        edit("m.toml", "date = 2024", 'body = "../organ.toml"\ndate = 2024'),
    ),
    "body-symlink-loop": both(
        symlink("organ2.toml", "organ2.toml"),
        edit("m.toml", "date = 2024", 'body = "organ2.toml"\ndate = 2024'),
    ),
    "body-fifo": both(
        body_fifo, edit("m.toml", "date = 2024", 'body = "organ2.toml"\ndate = 2024')
    ),
    "body-folder": edit("m.toml", "date = 2024", 'body = "vedlegg"\ndate = 2024'),
    "body-not-a-string": edit("m.toml", "date = 2024", "body = 5\ndate = 2024"),
    "meeting-empty": lambda folder: (folder / "m.toml").write_bytes(b""),
    "meeting-binary": lambda folder: (folder / "m.toml").write_bytes(bytes(range(256)) * 4),
    "meeting-latin1": lambda folder: (folder / "m.toml").write_bytes(
        MEETING.replace("Rådhuset", "R\u00e5dhuset").encode("latin-1")
    ),
    "body-empty": lambda folder: (folder / "organ.toml").write_bytes(b""),
    "date-0001": edit("m.toml", "date = 2024-03-01", "date = 0001-01-01"),
    "date-with-time": edit("m.toml", "date = 2024-03-01", "date = 2024-03-01T10:00:00"),
    "start-25": edit("m.toml", 'start = "09:00"', 'start = "25:00"'),
    "item-number-huge": edit("m.toml", "numbers = [1]", f"numbers = [{10**30}]"),
    "votes-negative": edit("m.toml", "against = 2", "against = -2"),
    "agreement-valid": agreement("../organ.toml"),
    "agreement-body-absolute": agreement("/etc/passwd"),
    "agreement-body-escape": both(outside_body, agreement("../../organ.toml")),
    "agreement-outside": both(
        lambda f: (f.parent / "ute").mkdir(), agreement("../m/organ.toml", "../ute/avtale.toml")
    ),
    "image-bomb": both(bomb, ATTACH_IMAGE),
    "image-huge": both(big_image, ATTACH_IMAGE),
}
CASES["many-abbreviations"] = edit(
    "organ.toml",
    'OPD = "Oslo politidistrikt"',
    "\n".join(f'A{n:05d} = "Forkortelse nummer {n}"' for n in range(10_000)),
)
