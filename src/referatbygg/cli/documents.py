"""Commands that read a meeting and make its documents: check, build, validate."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import ExitCode
from .common import Parents, Subparsers, command, emit, pdf_file, progress


def add_check(sub: Subparsers, shared: Parents) -> None:
    c = command(sub, cmd_check, shared.common, shared.cfg, shared.rooted)
    c.add_argument("meeting", type=Path, help="the meeting's TOML file")


def cmd_check(args: argparse.Namespace) -> int:
    """check a meeting file and report errors and warnings

    Read a meeting file (and its body file) and report every problem found: invalid keys and
    values, duplicate or out-of-order agenda numbers, missing attachment files, unknown
    signatory roles, abbreviations missing from the table; and what the archive will need
    that neither the files nor the archive profile give. Exits 3 on errors.
    """
    from ..config import load_config
    from ..errors import MeetingFileError
    from ..meeting.check import check, file_problems, organisation_number_missing
    from ..meeting.load import load_meeting, printable

    try:
        meeting = load_meeting(args.meeting, args.root)
    except MeetingFileError as exc:
        # The files' own errors are check's findings too: listed the same way, exit 3.
        problems = file_problems(exc.message, str(args.meeting))
        name = printable(str(args.meeting))  # a name with a newline or an override, shown
    else:
        problems = check(meeting)
        name = meeting.id
        if not (meeting.body.organisation_number
                or load_config(args.config).archive.organisation_number):  # fmt: skip
            problems.append(organisation_number_missing(meeting))
    errors = sum(p.severity == "error" for p in problems)
    summary = f"{name}: {errors} error(s), {len(problems) - errors} warning(s)"
    emit(
        args,
        {"meeting": name, "ok": errors == 0, "problems": [p.as_dict() for p in problems]},
        [str(p) for p in problems] + [summary],
    )
    return ExitCode.check_failed if errors else ExitCode.ok


def add_build(sub: Subparsers, shared: Parents) -> None:
    b = command(sub, cmd_build, shared.common, shared.rooted, shared.served)
    b.add_argument("meeting", type=Path, help="the meeting's TOML file")
    b.add_argument("--out", type=Path, default=Path("out"), help="output root (default: ./out)")
    b.add_argument("--template", type=Path, help="a restyled Word template (default: built-in)")
    b.add_argument("--pdfa", choices=["2b", "1b"], default="2b", help="PDF/A level (default: 2b)")
    b.add_argument(
        "--converter",
        choices=["auto", "warm", "cold"],
        default="auto",
        help="LibreOffice as a supervised server (warm) or one process per document (cold); "
        "auto picks warm when there are many documents (default: auto)",
    )
    b.add_argument("--docx-only", action="store_true", help="stop after the Word document")
    b.add_argument(
        "--kind",
        choices=["referat", "innkalling"],
        default="referat",
        help="referat (minutes, default) or innkalling (the notice: time, place, agenda and "
        "attachments, no outcomes); an agreement file always builds the agreement",
    )
    b.add_argument(
        "--draft",
        action="store_true",
        help="mark every page UTKAST with the build time; never signed or archived "
        "(required while the meeting file says draft = true)",
    )
    b.add_argument(
        "--new-round",
        action="store_true",
        help="when the minutes are already signed and must change: keep the signed document "
        "and everything built with it in OUT/<meeting id>/tidligere/<time>/ and build again for "
        "a new signing round (nothing is deleted; a failed build puts them back)",
    )


def cmd_build(args: argparse.Namespace) -> int:
    """build the minutes: Word document and PDF/A with attachments

    Check the meeting, then write OUT/<meeting id>/: referat.docx, referat.pdf (PDF/A,
    attachments converted and merged in, bookmarks and page labels) and build-report.json (what
    was converted, pages per part, validation). When anything is exempt from public access, also
    referat-offentlig.pdf: the public version. An agreement file (kind = "avtale") gives
    avtale.docx/.pdf. Errors stop the build before anything is written; a signed file is never
    overwritten (--new-round keeps it aside and starts a new signing round).
    """
    from ..pipeline import build

    result = build(
        args.meeting,
        args.out,
        level=args.pdfa,
        pdf=not args.docx_only,
        template=args.template,
        kind=args.kind,
        draft=args.draft,
        converter_choice=args.converter,
        progress=progress(args),
        root=args.root,
        new_round=args.new_round,
    )
    lines = [str(w) for w in result.warnings] + [f"wrote {result.docx}"]
    if result.pdf and result.validation:
        lines.append(f"wrote {result.pdf} ({sum(p.pages for p in result.parts)} pages)")
        lines += [f"  {p.title}: {p.pages} page(s)" for p in result.parts]
        lines.append(f"  {result.validation.summary}")
        if result.public_pdf:
            lines.append(f"wrote {result.public_pdf} (public version: exempt parts left out)")
        lines.append(f"wrote {result.report}")
    emit(args, result.as_dict(), lines)
    return ExitCode.ok


def add_validate(sub: Subparsers, shared: Parents) -> None:
    v = command(sub, cmd_validate, shared.common, shared.served)
    v.add_argument("pdf", type=Path, nargs="+", help="PDF files")
    v.add_argument(
        "--flavour",
        choices=["1b", "2b", "2u", "2a", "ua1"],
        help="validate against this part instead of the claimed one",
    )


def cmd_validate(args: argparse.Namespace) -> int:
    """check PDF/A (and PDF/UA) conformance with veraPDF's validation engine

    Validate each PDF with veraPDF's validation engine against what it claims: its PDF/A part
    and level (and PDF/UA-1 when it claims that too), or the --flavour given. Each failed rule
    is named with its specification, clause and test, how often it failed and where first. The
    engine proves itself on two corpus files each time it starts. Exits 7 when a file is not
    valid.
    """
    from ..pdf import pdfa

    for path in args.pdf:
        pdf_file(path)
    reports = [pdfa.validate(path, args.flavour) for path in args.pdf]
    lines = []
    for r in reports:
        lines.append(f"{r.file}: {'OK' if r.valid else 'NOT VALID'} — {r.summary}")
        for f in r.findings:
            lines.append(f"  {f['rule']} ({f['count']}×): {f['description']}")
            if f["context"]:
                lines.append(f"    first at: {f['context']}")
    if reports:
        lines.append(f"(validated with the {reports[0].validator})")
    emit(
        args, {"ok": all(r.valid for r in reports), "files": [r.as_dict() for r in reports]}, lines
    )
    return ExitCode.ok if all(r.valid for r in reports) else ExitCode.validation
