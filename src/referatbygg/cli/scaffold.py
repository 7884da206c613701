"""Starting points: new (a body or a meeting file), template (check or copy the Word
templates), schema (the JSON Schemas editors use)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ..errors import ExitCode, InputError
from .common import Parents, Subparsers, command, emit, say


def add_new(sub: Subparsers, shared: Parents) -> None:
    n = command(sub, cmd_new, shared.common, shared.rooted)
    n.add_argument("path", type=Path, help="a folder (a new body) or a meeting file (.toml)")
    n.add_argument("--from", dest="previous", type=Path, metavar="PREVIOUS",
                   help="the last meeting file, to start the next one from")  # fmt: skip
    n.add_argument("--name", default="Utvalget", help="the body's name (default: Utvalget)")
    n.add_argument("--organisation", default="Kommunen", help="who owns the body")
    n.add_argument(
        "--organisation-number", metavar="NUMBER",
        help="its number in Enhetsregisteret (9 digits): the archive needs it",
    )  # fmt: skip
    n.add_argument("--language", choices=["nb", "nn"], default="nb")
    from ..meeting.styles import DEFAULT, STYLES

    n.add_argument("--style", choices=list(STYLES), default=DEFAULT,
                   help="the house style a new body starts from: "
                   + "; ".join(f"{k}: {v[0]}" for k, v in STYLES.items())
                   + f" (default: {DEFAULT})")  # fmt: skip


def cmd_new(args: argparse.Namespace) -> int:
    """start a body (organ.toml) or a meeting file, never overwriting

    With a folder: write FOLDER/organ.toml, commented, with the JSON Schemas beside it (editors
    that read '#:schema' lines then complete and check keys). With a meeting file name: write it
    from the body file beside it (today's date, the opening items), or with --from the next
    meeting after PREVIOUS: its date from PREVIOUS's next_meetings, the same place, members,
    signatories, agenda numbers continued when the body numbers through the year. What new
    writes passes check.
    """
    from ..meeting import scaffold

    target: Path = args.path
    if target.suffix == ".toml":
        made = (scaffold.next_meeting(args.previous, target, args.root) if args.previous
                else scaffold.blank_meeting(target))  # fmt: skip
        lines = [f"wrote {made}", f"next: edit it, then referatbygg check {made}"]
    else:
        if args.previous:
            raise InputError("--from starts a meeting file: give its name, e.g. 2025-04-24.toml")
        made = scaffold.new_body(target, name=args.name, organisation=args.organisation,
                                 language=args.language, style=args.style,
                                 organisation_number=args.organisation_number)  # fmt: skip
        lines = [f"wrote {made} (and the JSON Schemas beside it, for editors)",
                 f"next: referatbygg new {target / 'YYYY-MM-DD.toml'}"]  # fmt: skip
    emit(args, {"ok": True, "wrote": str(made)}, lines)
    return ExitCode.ok


def add_template(sub: Subparsers, shared: Parents) -> None:
    tp = command(sub, cmd_template, shared.common)
    tp.add_argument("action", choices=["check", "copy", "new"])
    tp.add_argument("path", type=Path, help="a template (check) or a body's folder (copy, new)")
    tp.add_argument("--kind", choices=["referat", "innkalling", "avtale"],
                    help="what the template is for (default: from its name)")  # fmt: skip


def cmd_template(args: argparse.Namespace) -> int:
    """check a restyled Word template, or start one of the body's own

    check FILE.docx: open the template as a build would — its {{ }} and {% %} tags parsed, a
    sample meeting rendered through it, the signature anchor (the bookmark 'sig_anchor') in
    place, the fonts it names installed — and name what is wrong; exits 3 on errors. copy
    BODY_FOLDER: write the built-in templates to BODY_FOLDER/templates/, where every build of
    that body's meetings picks them up (the built-in ones are never changed). new BODY_FOLDER
    [--kind referat]: write one template to start the body's own layout from, with
    DATAMODEL.md beside it — every name a template may use, with its type.
    """
    from ..document import templatecheck
    from ..meeting import templates

    if args.action == "new":
        return _new_template(args, templates)

    if args.action == "copy":
        target = args.path / templates.FOLDER
        written = []
        for kind in ("referat", "innkalling", "avtale"):
            dst = target / f"{kind}.docx"
            if dst.exists():
                raise InputError(f"{dst} exists; template copy never overwrites a file")
        target.mkdir(parents=True, exist_ok=True)
        for kind in ("referat", "innkalling", "avtale"):
            dst = target / f"{kind}.docx"
            dst.write_bytes(templates.builtin(kind).read_bytes())  # type: ignore[arg-type]
            written.append(str(dst))
        emit(
            args,
            {"ok": True, "wrote": written},
            [f"wrote {w}" for w in written]
            + [
                f"restyle them in Word or LibreOffice; meetings in {args.path} use them from "
                f"now on, and 'referatbygg template check {written[0]}' says whether one still "
                "works"
            ],
        )
        return ExitCode.ok
    if not args.path.is_file():
        raise InputError(f"{args.path}: file not found")
    findings = templatecheck.check(args.path, args.kind)
    errors = [f for f in findings if f.severity == "error"]
    lines = [f"{args.path}: {f}" for f in findings]
    lines.append(f"{args.path}: {len(errors)} error(s), {len(findings) - len(errors)} "
                 "warning(s)" + ("" if errors else " — a build can use it"))  # fmt: skip
    emit(args, {"ok": not errors, "findings": [{"severity": f.severity, "message": f.message}
                                                for f in findings]}, lines)  # fmt: skip
    return ExitCode.check_failed if errors else ExitCode.ok


def _new_template(args: argparse.Namespace, templates: Any) -> int:
    """One built-in template as the start of a body's own, and the data model beside it."""
    from importlib import resources

    kind = args.kind or "referat"
    target = args.path / templates.FOLDER
    dst, model = target / f"{kind}.docx", target / "DATAMODEL.md"
    if dst.exists():
        raise InputError(f"{dst} exists; template new never overwrites a file")
    target.mkdir(parents=True, exist_ok=True)
    dst.write_bytes(templates.builtin(kind).read_bytes())
    written = [str(dst)]
    if not model.exists():
        doc = resources.files("referatbygg") / "templates" / "DATAMODEL.md"
        model.write_bytes(doc.read_bytes())
        written.append(str(model))
    emit(args, {"ok": True, "wrote": written}, [f"wrote {w}" for w in written] + [
        f"design it in Word or LibreOffice: every name it may use is in {model}; builds of the "
        f"meetings in {args.path} use it from now on; 'referatbygg template check {dst}' says "
        "whether it still works"])  # fmt: skip
    return ExitCode.ok


def add_schema(sub: Subparsers, shared: Parents) -> None:
    sc = command(sub, cmd_schema, shared.common)
    sc.add_argument("kind", nargs="?", choices=["body", "meeting", "agreement"],
                    default="meeting")  # fmt: skip
    sc.add_argument("--write", type=Path, metavar="DIR", help="write all three schemas to DIR")


def cmd_schema(args: argparse.Namespace) -> int:
    """print the JSON Schema of a body, meeting or agreement file

    The JSON Schema (draft 2020-12) of each file kind, made from the same models check uses:
    editors with TOML schema support (Taplo, VS Code's Even Better TOML) complete keys and mark
    unknown ones. --write DIR writes all three.
    """
    from ..meeting import scaffold

    if args.write:
        written = scaffold.write_schemas(args.write)
        emit(args, {"ok": True, "wrote": [str(w) for w in written]},
             [f"wrote {w}" for w in written])  # fmt: skip
        return ExitCode.ok
    say(json.dumps(scaffold.json_schema(args.kind), ensure_ascii=False, indent=2))
    return ExitCode.ok
