"""Command line: parse arguments, call the library, print results. No logic of its own.

Each command imports what it needs when it runs: `check` and `--help` must not wait for the
signing and archive stack to load (bench/ measures it).
"""

from __future__ import annotations

import argparse
import errno
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from . import __version__
from .errors import DependencyError, ExitCode, InputError, ReferatbyggError

if TYPE_CHECKING:
    from . import pipeline, verify

log = logging.getLogger("referatbygg")


SERVICE_SWITCH = "REFERATBYGG_SERVICE"
SOCKET_HINT = "$XDG_RUNTIME_DIR/referatbygg/service.sock, else /tmp/referatbygg-<uid>/"


def say(text: str, stream: TextIO | None = None) -> None:
    """Print a line; a reader that went away (``| head -1``) is not a failure of the work:
    the rest of the output is dropped and the work goes on."""
    stream = stream or sys.stdout
    try:
        print(text, file=stream, flush=stream is sys.stderr)
    except BrokenPipeError:
        # Point the descriptor at /dev/null so the final flush at exit does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, stream.fileno())
        except (OSError, ValueError):
            pass
        finally:
            os.close(devnull)


def _emit(args: argparse.Namespace, data: dict[str, Any], lines: Sequence[str]) -> None:
    if args.json:
        say(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        for line in lines:
            say(line)


def cmd_check(args: argparse.Namespace) -> int:
    from .errors import MeetingFileError
    from .meeting.check import check, file_problems
    from .meeting.load import load_meeting

    try:
        meeting = load_meeting(args.meeting, args.root)
    except MeetingFileError as exc:
        # The files' own errors are check's findings too: listed the same way, exit 3.
        problems = file_problems(exc.message, str(args.meeting))
        name = str(args.meeting)
    else:
        problems = check(meeting)
        name = meeting.id
    errors = sum(p.severity == "error" for p in problems)
    summary = f"{name}: {errors} error(s), {len(problems) - errors} warning(s)"
    _emit(
        args,
        {"meeting": name, "ok": errors == 0, "problems": [p.as_dict() for p in problems]},
        [str(p) for p in problems] + [summary],
    )
    return ExitCode.check_failed if errors else ExitCode.ok


def _progress(args: argparse.Namespace) -> Callable[[str], None] | None:
    if args.json or args.quiet:
        return None
    return lambda msg: say(f"· {msg}", sys.stderr)


def cmd_build(args: argparse.Namespace) -> int:
    from .pipeline import build

    result = build(
        args.meeting,
        args.out,
        level=args.pdfa,
        pdf=not args.docx_only,
        template=args.template,
        kind=args.kind,
        draft=args.draft,
        converter_choice=args.converter,
        progress=_progress(args),
        root=args.root,
    )
    lines = [str(w) for w in result.warnings] + [f"wrote {result.docx}"]
    if result.pdf and result.validation:
        lines.append(f"wrote {result.pdf} ({sum(p.pages for p in result.parts)} pages)")
        lines += [f"  {p.title}: {p.pages} page(s)" for p in result.parts]
        lines.append(f"  {result.validation.summary}")
        if result.public_pdf:
            lines.append(f"wrote {result.public_pdf} (public version: exempt parts left out)")
        lines.append(f"wrote {result.report}")
    _emit(args, result.as_dict(), lines)
    return ExitCode.ok


def _pdf_file(path: Path) -> Path:
    from .meeting.inputs import PDF_LIMIT, check_file

    check_file(path, limit=PDF_LIMIT)
    return path


def cmd_validate(args: argparse.Namespace) -> int:
    from .pdf import pdfa

    for path in args.pdf:
        _pdf_file(path)
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
    _emit(
        args, {"ok": all(r.valid for r in reports), "files": [r.as_dict() for r in reports]}, lines
    )
    return ExitCode.ok if all(r.valid for r in reports) else ExitCode.validation


def cmd_sign(args: argparse.Namespace) -> int:
    import datetime as dt
    import getpass

    from .config import load_config
    from .signing import deferred
    from .signing import pades as signing

    _pdf_file(args.pdf)
    config = load_config(args.config)
    if args.prepare:
        prepared = deferred.prepare(
            args.pdf, args.role, config, certificate=args.certificate,
            valid_for=dt.timedelta(days=args.valid_days),
        )  # fmt: skip
        _emit(args, {"ok": True, **prepared.as_dict()}, [
            f"request for {args.role}: {prepared.request}",
            f"send it to the signing service; then: referatbygg sign {args.pdf} --role "
            f"{args.role} --complete ANSWER.json",
        ])  # fmt: skip
        return ExitCode.ok
    if args.complete:
        taken = deferred.complete(args.pdf, args.role, args.complete, config)
        data = {"ok": True, **taken.as_dict()}
        _emit(args, data, [f"{args.pdf}: {args.role}'s signature completed and taken in",
                           *(f"  added: {a}" for a in taken.added)])  # fmt: skip
        return ExitCode.ok
    ask = None if args.no_prompt else getpass.getpass
    signing.sign(args.pdf, args.role, config, ask=ask)
    state = signing.signing_state(args.pdf)
    waiting = [f.role for f in state if not f.signed]
    next_step = (
        f"waiting for: {', '.join(waiting)}"
        if waiting
        else f"all have signed; next: referatbygg timestamp {args.pdf}"
    )
    data = {"ok": True, "pdf": str(args.pdf), "role": args.role, "waiting_for": waiting}
    demo = " (TEST signature from the demo PKI)" if config.demo else ""
    _emit(args, data, [f"{args.pdf}: signed as {args.role}{demo}", next_step])
    return ExitCode.ok


def cmd_timestamp(args: argparse.Namespace) -> int:
    from .config import load_config
    from .signing import pades as signing

    _pdf_file(args.pdf)
    signing.timestamp(args.pdf, load_config(args.config))
    _emit(args, {"ok": True, "pdf": str(args.pdf)}, [f"{args.pdf}: final document timestamp added"])
    return ExitCode.ok


def cmd_verify(args: argparse.Namespace) -> int:
    from . import verify
    from .config import load_config
    from .signing import pades as signing

    # No _pdf_file here: to verify, a missing or unreadable file is a verdict (NOT VALID, 7).
    config = load_config(args.config)
    level = args.level or config.signature_level
    tr = signing.trust(config)
    report = verify.verify(args.pdf, tr.roots, level=level, pins=config.pins(), others=tr.others)
    _emit(args, report.as_dict(), _verify_lines(report))
    return ExitCode.ok if report.valid else ExitCode.validation


def _verify_lines(report: verify.VerifyReport) -> list[str]:
    lines = [f"{report.file}: {'VALID' if report.valid else 'NOT VALID'}"]
    lines += [f"  problem: {p}" for p in report.problems]
    for s in report.signatures:
        lines.append(f"  {s.field_name} ({s.kind}): {'valid' if s.valid else 'NOT VALID'}")
        lines.append(f"    signer: {s.signer}")
        if s.holder:
            lines.append(f"    holder: {s.holder}")
        if s.signing_time:
            lines.append(f"    signing time (claimed): {s.signing_time}")
        if s.timestamp:
            lines.append(f"    timestamp: {s.timestamp}")
        lines.append(f"    trust: {s.trust}")
        lines.append(f"    revocation: {s.revocation}")
        lines.append(f"    covers: {s.coverage}; changed after it: {s.changed_after}")
        lines.append(f"    level: {s.pades_level}")
        lines += [f"    problem: {p}" for p in s.problems]
        lines += [f"    note: {n}" for n in s.notes]
    lines += [f"  note: {n}" for n in report.notes]
    lines.append(report.summary)
    return lines


def _status_lines(st: pipeline.Status) -> list[str]:
    lines = [f"{st.meeting} ({st.out_dir})"]
    lines.append(f"  built:       {'yes' if st.built else 'no'}")
    lines.append(f"  signed:      {', '.join(st.signed) or '—'}")
    lines.append(f"  waiting for: {', '.join(st.waiting) or '—'}")
    lines.append(f"  timestamp:   {'yes' if st.timestamped else 'no'}")
    lines.append(f"  package:     {st.package or '—'}")
    lines.append(f"  next:        {st.next_step}")
    if st.unchecked:
        lines.append(
            "  NOTE: a file signed elsewhere was saved over the working file; 'run' takes it in"
        )
    if st.stale:
        lines.append(
            "  WARNING: the meeting file or its attachments changed after the signed document "
            "was built; it does not show those changes"
        )
    return lines


def cmd_status(args: argparse.Namespace) -> int:
    from . import pipeline
    from .config import load_config

    st = pipeline.status(args.meeting, args.out, load_config(args.config), args.root)
    _emit(args, st.as_dict(), _status_lines(st))
    return ExitCode.ok


def cmd_run(args: argparse.Namespace) -> int:
    import getpass

    from . import pipeline
    from .config import load_config

    config = load_config(args.config)
    ask = None if args.no_prompt else getpass.getpass
    result = pipeline.run(
        args.meeting, args.out, config, level=args.pdfa, converter_choice=args.converter,
        ask=ask, progress=_progress(args), root=args.root,
    )  # fmt: skip
    lines = [f"done: {', '.join(result.did) or 'nothing (all stages were finished)'}"]
    lines += _status_lines(result.status)
    if result.package:
        lines.append(f"package: {result.package.zip}")
        if result.package.message:
            lines.append(f"Fiks Arkiv message: {result.package.message} (and .zip)")
        lines.append(f"check it: referatbygg check-package {result.package.zip}")
    if config.demo:
        lines.append("(TEST signatures from the demo PKI: not valid as real signatures)")
    _emit(args, result.as_dict(), lines)
    return ExitCode.ok


def cmd_receive(args: argparse.Namespace) -> int:
    from .build.layout import main_pdf, out_dir_for
    from .config import load_config
    from .meeting.load import load_meeting
    from .signing import intake
    from .signing import pades as signing

    _pdf_file(args.file)
    config = load_config(args.config)
    if args.meeting:
        meeting = load_meeting(args.meeting, args.root)
        working = main_pdf(meeting, out_dir_for(meeting, args.out))
    else:
        working = intake.find_working(args.file, args.out)
    result = intake.receive(args.file, working, config, role=args.role, progress=_progress(args))
    waiting = [f.role for f in signing.signing_state(working) if not f.signed]
    lines = [f"{working}: took in {result.role}'s signature"]
    lines += [f"  added: {a}" for a in result.added]
    lines.append(f"waiting for: {', '.join(waiting)}" if waiting else "all have signed; next: "
                 "referatbygg run (final timestamp and archive)")  # fmt: skip
    _emit(args, {"ok": True, **result.as_dict(), "waiting_for": waiting}, lines)
    return ExitCode.ok


def cmd_archive(args: argparse.Namespace) -> int:
    from . import pipeline
    from .config import load_config
    from .meeting.load import load_meeting

    meeting = load_meeting(args.meeting, args.root)
    config = load_config(args.config)
    result = pipeline.make_archive(meeting, args.out, config, progress=_progress(args))
    lines = [f"bag: {result.bag}", f"zip: {result.zip}", f"{result.files} document file(s)"]
    if result.message:
        lines.append(f"Fiks Arkiv message: {result.message} (and .zip): arkivmelding.xml and "
                     "the files it names, for a Fiks IO client to send")  # fmt: skip
    _emit(args, {"ok": True, **result.as_dict()}, lines)
    return ExitCode.ok


def cmd_check_package(args: argparse.Namespace) -> int:
    from .archive import package as archive
    from .config import load_config
    from .signing import pades as signing

    config = load_config(args.config)
    tr = signing.trust(config)
    report = archive.check_package(
        args.path, tr.roots, signature_level=config.signature_level,
        pins=config.pins(), others=tr.others,
    )  # fmt: skip
    lines = [f"{report.path}: {'OK' if report.ok else 'NOT OK'}"]
    lines += [f"  ok: {c}" for c in report.checked]
    lines += [f"  PROBLEM: {p}" for p in report.problems]
    _emit(args, report.as_dict(), lines)
    return ExitCode.ok if report.ok else ExitCode.package


def cmd_batch(args: argparse.Namespace) -> int:
    import time

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from . import batch

    files = batch.find_meetings(args.paths)
    if not files:
        raise InputError(f"no meeting files in {', '.join(map(str, args.paths))}")
    settings = batch.Settings(args.out, args.config, args.pdfa, args.build_only, warm=True)
    console = Console(stderr=True)
    show = not (args.json or args.quiet)
    started = time.monotonic()
    with Progress(
        "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=console, disable=not show,
    ) as bar:  # fmt: skip
        task = bar.add_task(f"{len(files)} meetings, {args.jobs} job(s)", total=len(files))

        def done(o: batch.Outcome) -> None:
            bar.advance(task)
            if show:
                mark = "[green]ok[/green]  " if o.ok else "[red]FAIL[/red]"
                console.print(f"{mark} {o.file} ({o.seconds:.1f} s): {o.message}", highlight=False)
                if o.note:
                    console.print(f"note: {o.note}", highlight=False)

        outcomes = batch.run_batch(files, settings, args.jobs, done)
    failed = [o for o in outcomes if not o.ok]
    seconds = time.monotonic() - started
    summary = (
        f"{len(outcomes) - len(failed)} ok, {len(failed)} failed, {seconds:.1f} s "
        f"({len(outcomes) / seconds * 60:.1f} meetings/min)"
    )
    lines = [summary] + [f"failed: {o.file}: {o.message}" for o in failed]
    data = {"ok": not failed, "summary": summary, "meetings": [o.as_dict() for o in outcomes]}
    _emit(args, data, lines)
    return ExitCode.batch_failed if failed else ExitCode.ok


def cmd_serve(args: argparse.Namespace) -> int:
    from .web.server import make_server, url

    if not args.folder.is_dir():
        raise InputError(f"{args.folder}: not a folder of meetings")
    server, site = make_server(args.folder, args.out, args.config, args.port)
    say(f"referatbygg: {url(site)}")
    sys.stdout.flush()
    if not args.no_open:
        import webbrowser

        webbrowser.open(url(site))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        say("stopped", sys.stderr)
    finally:
        server.server_close()
        site.close()
    return ExitCode.ok


def cmd_service(args: argparse.Namespace) -> int:
    from .runtime import Unsafe
    from .service import client, wire

    try:
        if args.action == "start":
            client.start(idle=args.idle, pool=args.pool)
        elif args.action == "stop":
            pid = client.stop()
            _emit(args, {"stopped": pid}, [f"stopped the service (pid {pid})" if pid
                                           else "no service was running"])  # fmt: skip
            return ExitCode.ok
        status = client.ask({"op": "ping"})
    except Unsafe as exc:
        raise InputError(f"the background service's socket is not safe to use: {exc}") from None
    except RuntimeError as exc:
        raise DependencyError(str(exc)) from None
    if status is None:
        _emit(args, {"running": False, "socket": str(wire.socket_path())},
              [f"not running (socket {wire.socket_path()})"])  # fmt: skip
        return ExitCode.ok
    status = {"running": True, "socket": str(wire.socket_path()), **status}
    lines = [
        f"running, pid {status['pid']}, socket {status['socket']}",
        f"  commands: {status['active']} running, {status['served']} served, pool "
        f"{status['pool']}; stops after {status['idle']:g} s without work",
        f"  LibreOffice: {'warm' if status['office'] else 'not started'}; veraPDF engines: "
        f"{status['engines']}",
    ]
    _emit(args, status, lines)
    return ExitCode.ok


def cmd_doctor(args: argparse.Namespace) -> int:
    from .tools import doctor

    found = doctor.examine()
    lines = [str(f) for f in found]
    missing = [f for f in found if f.required and not f.ok]
    lines.append(
        f"missing: {', '.join(f.name for f in missing)}"
        if missing
        else "everything required is here"
    )
    _emit(args, {"ok": not missing, "tools": [f.as_dict() for f in found]}, lines)
    return ExitCode.dependency if missing else ExitCode.ok


def cmd_new(args: argparse.Namespace) -> int:
    from .meeting import scaffold

    target: Path = args.path
    if target.suffix == ".toml":
        made = (scaffold.next_meeting(args.previous, target) if args.previous
                else scaffold.blank_meeting(target))  # fmt: skip
        lines = [f"wrote {made}", f"next: edit it, then referatbygg check {made}"]
    else:
        if args.previous:
            raise InputError("--from starts a meeting file: give its name, e.g. 2025-04-24.toml")
        made = scaffold.new_body(target, name=args.name, organisation=args.organisation,
                                 language=args.language)  # fmt: skip
        lines = [f"wrote {made} (and the JSON Schemas beside it, for editors)",
                 f"next: referatbygg new {target / 'YYYY-MM-DD.toml'}"]  # fmt: skip
    _emit(args, {"ok": True, "wrote": str(made)}, lines)
    return ExitCode.ok


def cmd_template(args: argparse.Namespace) -> int:
    from .document import templatecheck
    from .meeting import templates

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
        _emit(
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
    _emit(args, {"ok": not errors, "findings": [{"severity": f.severity, "message": f.message}
                                                 for f in findings]}, lines)  # fmt: skip
    return ExitCode.check_failed if errors else ExitCode.ok


def cmd_schema(args: argparse.Namespace) -> int:
    from .meeting import scaffold

    if args.write:
        written = scaffold.write_schemas(args.write)
        _emit(args, {"ok": True, "wrote": [str(w) for w in written]},
              [f"wrote {w}" for w in written])  # fmt: skip
        return ExitCode.ok
    say(json.dumps(scaffold.json_schema(args.kind), ensure_ascii=False, indent=2))
    return ExitCode.ok


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print the result as JSON on stdout")
    common.add_argument("-v", "--verbose", action="store_true", help="log what is done to stderr")
    common.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    rooted = argparse.ArgumentParser(add_help=False)
    rooted.add_argument(
        "--root", type=Path,
        help="the folder tree the meeting may read files from (default: the folder of its body "
        "file organ.toml — the meeting's folder, or the one above it for an agreement in "
        "avtaler/); attachments and the body file outside it, reached by '..', an absolute path "
        "or a symbolic link, are refused",
    )  # fmt: skip

    served = argparse.ArgumentParser(add_help=False)
    served.add_argument(
        "--no-service", action="store_true",
        help="run in this process, not in the background service that keeps LibreOffice and "
        f"the validator warm (also: {SERVICE_SWITCH}=off)",
    )  # fmt: skip
    served.set_defaults(served=True)

    p = argparse.ArgumentParser(
        prog="referatbygg",
        description="Turn a meeting described in TOML into official minutes: a Word document, "
        "a PDF/A with the attachments merged in, signed by each signatory, packaged for the "
        "archive.",
        epilog="Exit codes: 0 ok, 2 bad input, 3 check found errors, 4 missing program "
        "('referatbygg doctor' lists them), 5 conversion failed, 6 signing failed, 7 validation "
        "failed, 8 package problem, 9 some meetings of a batch failed, 10 the outputs cannot be "
        "written (disk full, read-only, no permission), 70 a bug in referatbygg, 130 "
        "interrupted. A failed command leaves earlier outputs as they were.",
    )
    p.add_argument("--version", action="version", version=f"referatbygg {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    c = sub.add_parser(
        "check",
        parents=[common, rooted],
        help="check a meeting file and report errors and warnings",
        description="Read a meeting file (and its body file) and report every problem found: "
        "invalid keys and values, duplicate or out-of-order agenda numbers, missing attachment "
        "files, unknown signatory roles, abbreviations missing from the table. Exits 3 on errors.",
    )
    c.add_argument("meeting", type=Path, help="the meeting's TOML file")
    c.set_defaults(func=cmd_check)

    b = sub.add_parser(
        "build",
        parents=[common, rooted, served],
        help="build the minutes: Word document and PDF/A with attachments",
        description="Check the meeting, then write OUT/<meeting id>/: referat.docx, referat.pdf "
        "(PDF/A, attachments converted and merged in, bookmarks and page labels) and "
        "build-report.json (what was converted, pages per part, validation). When anything is "
        "exempt from public access, also referat-offentlig.pdf: the public version. An agreement "
        'file (kind = "avtale") gives avtale.docx/.pdf. Errors stop the build before anything '
        "is written; a signed file is never overwritten.",
    )
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
    b.set_defaults(func=cmd_build)

    v = sub.add_parser(
        "validate",
        parents=[common, served],
        help="check PDF/A (and PDF/UA) conformance with veraPDF's validation engine",
        description="Validate each PDF with veraPDF's validation engine against what it claims: "
        "its PDF/A part and level (and PDF/UA-1 when it claims that too), or the --flavour "
        "given. Each failed rule is named with its specification, clause and test, how often "
        "it failed and where first. The engine proves itself on two corpus files each time it "
        "starts. Exits 7 when a file is not valid.",
    )
    v.add_argument("pdf", type=Path, nargs="+", help="PDF files")
    v.add_argument(
        "--flavour",
        choices=["1b", "2b", "2u", "2a", "ua1"],
        help="validate against this part instead of the claimed one",
    )
    v.set_defaults(func=cmd_validate)

    cfg = argparse.ArgumentParser(add_help=False)
    cfg.add_argument(
        "--config",
        type=Path,
        help="project configuration (default: ./referatbygg.toml; without one, the demo PKI "
        "signs with TEST certificates)",
    )
    s = sub.add_parser(
        "sign",
        parents=[common, cfg, served],
        help="sign the minutes as one signatory (PAdES, incremental update)",
        description="Append ROLE's signature to the PDF, in ROLE's own field, as an incremental "
        "update: PAdES B-T, or B-LT/B-LTA with validation data embedded. Signatories sign in the "
        "body's order; signing twice, an unknown role, or a file changed since the last signature "
        "is refused, and the file is left unchanged. Credentials come from referatbygg.toml "
        "(PKCS#12 file or PKCS#11 token); passphrases and PINs from the environment variable it "
        "names, or a prompt — never from the command line.",
    )
    s.add_argument("pdf", type=Path, help="the minutes (referat.pdf from build)")
    s.add_argument("--role", required=True, help="the signatory role, e.g. byradsleder")
    s.add_argument("--no-prompt", action="store_true", help="fail instead of asking for a secret")
    later = s.add_argument_group("deferred signing (a signing service or an HSM elsewhere)")
    how = later.add_mutually_exclusive_group()
    how.add_argument(
        "--prepare", action="store_true",
        help="write the request (document digest; with --certificate also the signed "
        "attributes to sign) to signering/ and leave the PDF unchanged",
    )  # fmt: skip
    how.add_argument("--complete", type=Path, metavar="ANSWER",
                     help="embed the answer (JSON: the request id and a CMS signature or a raw "
                     "signature value) and take it in, with the checks of 'receive'")  # fmt: skip
    later.add_argument("--certificate", type=Path, help="the signer's certificate (PEM/DER)")
    later.add_argument("--valid-days", type=float, default=7,
                       help="how long the request may be answered (default 7 days)")  # fmt: skip
    s.set_defaults(func=cmd_sign)

    t = sub.add_parser(
        "timestamp",
        parents=[common, cfg, served],
        help="add the final document timestamp once everyone has signed (PAdES B-LTA)",
        description="Add one document timestamp after the last signature, making the file "
        "PAdES B-LTA. Refused while a signatory has not signed.",
    )
    t.add_argument("pdf", type=Path)
    t.set_defaults(func=cmd_timestamp)

    w = sub.add_parser(
        "verify",
        parents=[common, cfg, served],
        help="verify every signature and timestamp in a PDF",
        description="Read the file strictly (a damaged or repaired file is not valid) and "
        "check that a strict reader and a recovering one see the same pages; then, per signature "
        "and timestamp: signer, field, signing time and timestamp, trust (chain to the "
        "configured roots) and revocation (from the embedded data, no network), what changed "
        "after it, PAdES level. Every signature field and signature in the file is accounted "
        "for. Exits 0 only when every signatory has signed, every signature is valid, nothing "
        "unauthorised follows it and the level is reached; else 7 (also for a file that cannot "
        "be read).",
    )
    w.add_argument("pdf", type=Path)
    w.add_argument(
        "--level",
        choices=["B-B", "B-T", "B-LT", "B-LTA"],
        help="the PAdES level every signature must reach (default: the configured level; "
        "B-LTA with the demo PKI)",
    )
    w.set_defaults(func=cmd_verify)

    out = argparse.ArgumentParser(add_help=False)
    out.add_argument("--out", type=Path, default=Path("out"), help="output root (default: ./out)")

    r = sub.add_parser(
        "run",
        parents=[common, cfg, out, rooted, served],
        help="the whole pipeline: check, build, sign, timestamp, archive",
        description="Check and build the meeting, sign for every signatory with credentials "
        "here (in the body's order), add the final timestamp and make the archive package. "
        "Finished stages are kept: a signed file is never rebuilt, so an interrupted run can "
        "simply be run again. Stops at the first signatory without credentials here "
        "('waiting for politimester's signature').",
    )
    r.add_argument("meeting", type=Path, help="the meeting's TOML file")
    r.add_argument("--pdfa", choices=["2b", "1b"], default="2b", help="PDF/A level (default 2b)")
    r.add_argument("--converter", choices=["auto", "warm", "cold"], default="auto")
    r.add_argument("--no-prompt", action="store_true", help="fail instead of asking for a secret")
    r.set_defaults(func=cmd_run)

    st = sub.add_parser(
        "status",
        parents=[common, cfg, out, rooted],
        help="show where a meeting stands (built, signed, timestamped, archived)",
        description="Show the meeting's state without changing anything.",
    )
    st.add_argument("meeting", type=Path)
    st.set_defaults(func=cmd_status)

    rc = sub.add_parser(
        "receive",
        parents=[common, cfg, out, rooted, served],
        help="take in a document a signatory signed in another tool",
        description="Check a document a signatory signed elsewhere (their own PDF tool, a "
        "signing service) before anything else happens: it is our document with its bytes "
        "unchanged, exactly the next signatory's field is signed and nothing else changed, the "
        "signature is valid and trusted and made by the person the signature block names (or the "
        "role's pin in referatbygg.toml), and the file is still PDF/A. Then the validation data "
        "is embedded, and a document timestamp added when the signature has none. Anything else "
        "is refused with the reason; the working file stays as it was. Exits 6 when refused.",
    )
    rc.add_argument("file", type=Path, help="the signed PDF the signatory sent back")
    rc.add_argument("--meeting", type=Path, help="the meeting (or agreement) file it belongs to "
                    "(default: found by the document's bytes under --out)")  # fmt: skip
    rc.add_argument("--role", help="whose signature it is (default: the next signatory)")
    rc.set_defaults(func=cmd_receive)

    a = sub.add_parser(
        "archive",
        parents=[common, cfg, out, rooted, served],
        help="make the archive package of a signed meeting (BagIt + Fiks Arkiv metadata)",
        description="Once every signatory has signed and the final timestamp is in place: a "
        "BagIt bag (SHA-256 and SHA-512) in OUT/<id>/pakke/<id>/ and the same as a .zip, holding "
        "the signed PDF/A, each attachment as PDF/A, the docx and TOML sources, "
        "arkivmelding.xml (Fiks Arkiv V1) and the validation evidence. Refuses, naming who is "
        "missing, before that.",
    )
    a.add_argument("meeting", type=Path)
    a.set_defaults(func=cmd_archive)

    cp = sub.add_parser(
        "check-package",
        parents=[common, cfg, served],
        help="check an archive package as the receiving archive would",
        description="Validate the bag (completeness, checksums), arkivmelding.xml against the "
        "Fiks Arkiv V1 schema, that every document it lists is in the bag with the same "
        "checksum and size, the signatures of the minutes, and PDF/A of every PDF. Exits 8 on "
        "any problem, each one named.",
    )
    cp.add_argument("path", type=Path, help="a bag folder or its .zip")
    cp.set_defaults(func=cmd_check_package)

    bt = sub.add_parser(
        "batch",
        parents=[common, cfg, out, served],
        help="run many meetings at once (N workers, warm LibreOffice each)",
        description="Run every meeting file in the given folders or files, like `run` (or only "
        "`build` with --build-only), in N worker processes that each keep a LibreOffice warm. "
        "One bad meeting never stops the others: each gets a result line, the summary lists "
        "the failed ones, and the exit code is 9 if any failed. Body files (organ.toml) and "
        "referatbygg.toml are skipped.",
    )
    bt.add_argument("paths", type=Path, nargs="+", help="folders or meeting files")
    bt.add_argument(
        "--jobs", "-j", type=int, default=os.cpu_count() or 1,
        help=f"worker processes (default: CPU count, here {os.cpu_count() or 1})",
    )  # fmt: skip
    bt.add_argument("--build-only", action="store_true", help="build, do not sign or archive")
    bt.add_argument("--pdfa", choices=["2b", "1b"], default="2b", help="PDF/A level (default 2b)")
    bt.set_defaults(func=cmd_batch)

    n = sub.add_parser(
        "new",
        parents=[common],
        help="start a body (organ.toml) or a meeting file, never overwriting",
        description="With a folder: write FOLDER/organ.toml, commented, with the JSON Schemas "
        "beside it (editors that read '#:schema' lines then complete and check keys). With a "
        "meeting file name: write it from the body file beside it (today's date, the opening "
        "items), or with --from the next meeting after PREVIOUS: its date from PREVIOUS's "
        "next_meetings, the same place, members, signatories, agenda numbers continued when "
        "the body numbers through the year. What new writes passes check.",
    )
    n.add_argument("path", type=Path, help="a folder (a new body) or a meeting file (.toml)")
    n.add_argument("--from", dest="previous", type=Path, metavar="PREVIOUS",
                   help="the last meeting file, to start the next one from")  # fmt: skip
    n.add_argument("--name", default="Utvalget", help="the body's name (default: Utvalget)")
    n.add_argument("--organisation", default="Kommunen", help="who owns the body")
    n.add_argument("--language", choices=["nb", "nn"], default="nb")
    n.set_defaults(func=cmd_new)

    tp = sub.add_parser(
        "template",
        parents=[common],
        help="check a restyled Word template, or copy the built-in ones to restyle",
        description="check FILE.docx: open the template as a build would — its {{ }} and "
        "{% %} tags parsed, a sample meeting rendered through it, the signature anchor (the "
        "bookmark 'sig_anchor') in place, the fonts it names installed — and name what is "
        "wrong; exits 3 on errors. copy BODY_FOLDER: write the built-in templates to "
        "BODY_FOLDER/templates/, where every build of that body's meetings picks them up (the "
        "built-in ones are never changed).",
    )
    tp.add_argument("action", choices=["check", "copy"])
    tp.add_argument("path", type=Path, help="a template (check) or a body's folder (copy)")
    tp.add_argument("--kind", choices=["referat", "innkalling", "avtale"],
                    help="what the template is for (default: from its name)")  # fmt: skip
    tp.set_defaults(func=cmd_template)

    sc = sub.add_parser(
        "schema",
        parents=[common],
        help="print the JSON Schema of a body, meeting or agreement file",
        description="The JSON Schema (draft 2020-12) of each file kind, made from the same "
        "models check uses: editors with TOML schema support (Taplo, VS Code's Even Better "
        "TOML) complete keys and mark unknown ones. --write DIR writes all three.",
    )
    sc.add_argument("kind", nargs="?", choices=["body", "meeting", "agreement"],
                    default="meeting")  # fmt: skip
    sc.add_argument("--write", type=Path, metavar="DIR", help="write all three schemas to DIR")
    sc.set_defaults(func=cmd_schema)

    wb = sub.add_parser(
        "serve",
        parents=[common],
        help="the workbench in the browser: meetings, their state and check's findings",
        description="A local web application over a meetings folder, bound to 127.0.0.1. The "
        "first line on stdout is its address with a random token "
        "(referatbygg: http://127.0.0.1:N/?token=…); only requests with that token (or the "
        "cookie the first page sets), this server's Host and Origin are answered. Stop it with "
        "Ctrl-C.",
    )
    wb.add_argument("folder", nargs="?", type=Path, default=Path("meetings"),
                    help="the meetings folder (default: meetings/)")  # fmt: skip
    wb.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    wb.add_argument("--no-open", action="store_true", help="do not open a browser")
    wb.add_argument("--out", type=Path, default=Path("out"), help="output root (default: ./out)")
    wb.add_argument("--config", type=Path, help="referatbygg.toml (default: ./referatbygg.toml)")
    wb.set_defaults(func=cmd_serve)

    sv = sub.add_parser(
        "service",
        parents=[common],
        help="the background service that keeps LibreOffice and the validator warm",
        description="Heavy commands (build, run, sign, verify, validate, archive, check-package, "
        "batch, timestamp, receive) are handed to a per-user background service, started on "
        "first use: it has the signing and validation stack imported and LibreOffice and "
        "veraPDF's engine running, so each command starts at once. It serves several commands "
        "at once (--pool), stops itself after --idle seconds without work (default 900), and "
        f"listens on a socket only this user can use ({SOCKET_HINT}). Every command runs "
        f"without it with --no-service or {SERVICE_SWITCH}=off, and whenever it cannot be "
        "reached.",
    )
    sv.add_argument("action", choices=["status", "start", "stop"])
    sv.add_argument("--idle", type=float, help="seconds without work before it stops (start)")
    sv.add_argument("--pool", type=int, help="commands served at once (start; default: cores)")
    sv.set_defaults(func=cmd_service)

    d = sub.add_parser(
        "doctor",
        parents=[common],
        help="list the external programs and resources referatbygg uses, and what is missing",
        description="Check each external program and resource (LibreOffice, Ghostscript and its "
        "sRGB profile, Java and the veraPDF engine, the JAXB runtime, python3-uno for the warm "
        "converter, SoftHSM2 for PKCS#11): found where, which version, what it is needed for, "
        "and for what is missing the command that installs it on Debian/Ubuntu. Exits 4 when "
        "something required is missing.",
    )
    d.set_defaults(func=cmd_doctor)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser().parse_args(argv)
    if getattr(args, "served", False) and not args.no_service:
        from .service import client

        def notice(message: str, always: bool) -> None:
            if always or not (args.quiet or args.json):
                say(f"{'warning: ' if always else '· '}{message}", sys.stderr)

        code = client.run([str(a) for a in argv], notice)
        if code is not None:
            return code
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:
        # Third-party log lines (pyHanko's difference analysis logs every suspicious change with
        # a traceback) belong under --verbose; our own messages say what was found.
        for name in ("pyhanko", "pyhanko_certvalidator", "fontTools", "pikepdf"):
            logging.getLogger(name).setLevel(logging.CRITICAL + 1)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        if getattr(args, "served", False):
            from . import heap
            from .tools import verapdf

            heap.settle("referatbygg.pipeline")  # every heavy command imports it; see heap.py
            verapdf.prefer("quick")  # a JVM started here lives for this one command
        return int(func(args))
    except ReferatbyggError as exc:
        _report(args, exc)
        return int(exc.exit_code)
    except KeyboardInterrupt:
        say("interrupted", sys.stderr)
        return int(ExitCode.interrupted)
    except OSError as exc:
        from .fsutil import problem_writing

        where = Path(exc.filename).parent if exc.filename else Path.cwd()
        machine = problem_writing(exc, where)
        if machine is None and exc.errno == errno.EPIPE:
            return int(ExitCode.ok)  # a reader that went away; the work was done
        if machine is None:
            return _internal(args, exc)
        _report(args, machine)
        return int(machine.exit_code)
    except Exception as exc:  # a bug: say so plainly, details only when asked for
        return _internal(args, exc)


def _report(args: argparse.Namespace, exc: ReferatbyggError) -> None:
    if args.json:
        say(json.dumps({"ok": False, "error": exc.message, "hint": exc.hint}, ensure_ascii=False))
    say(f"error: {exc}", sys.stderr)


def _internal(args: argparse.Namespace, exc: Exception) -> int:
    log.debug("internal error", exc_info=True)
    say(f"internal error: {type(exc).__name__}: {exc}\n"
        "  this is a bug in referatbygg; run with --verbose and report it", sys.stderr)  # fmt: skip
    if args.verbose:
        raise exc
    return int(ExitCode.internal)
