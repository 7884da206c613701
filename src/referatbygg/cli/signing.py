"""Commands of the signatories: sign (here, or prepared for a signing service and completed
later), timestamp, verify, and receive (a signature made in another tool)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ExitCode
from .common import Parents, Subparsers, command, emit, pdf_file, progress

if TYPE_CHECKING:
    from .. import verify


def add_sign(sub: Subparsers, shared: Parents) -> None:
    s = command(sub, cmd_sign, shared.common, shared.cfg, shared.served)
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


def cmd_sign(args: argparse.Namespace) -> int:
    """sign the minutes as one signatory (PAdES, incremental update)

    Append ROLE's signature to the PDF, in ROLE's own field, as an incremental update: PAdES
    B-T, or B-LT/B-LTA with validation data embedded. Signatories sign in the body's order;
    signing twice, an unknown role, or a file changed since the last signature is refused, and
    the file is left unchanged. Credentials come from referatbygg.toml (PKCS#12 file or PKCS#11
    token); passphrases and PINs from the environment variable it names, or a prompt — never
    from the command line.
    """
    import datetime as dt
    import getpass

    from ..config import load_config
    from ..signing import deferred, pades

    pdf_file(args.pdf)
    config = load_config(args.config)
    if args.prepare:
        prepared = deferred.prepare(
            args.pdf, args.role, config, certificate=args.certificate,
            valid_for=dt.timedelta(days=args.valid_days),
        )  # fmt: skip
        emit(args, {"ok": True, **prepared.as_dict()}, [
            f"request for {args.role}: {prepared.request}",
            f"send it to the signing service; then: referatbygg sign {args.pdf} --role "
            f"{args.role} --complete ANSWER.json",
        ])  # fmt: skip
        return ExitCode.ok
    if args.complete:
        taken = deferred.complete(args.pdf, args.role, args.complete, config)
        data = {"ok": True, **taken.as_dict()}
        emit(args, data, [f"{args.pdf}: {args.role}'s signature completed and taken in",
                          *(f"  added: {a}" for a in taken.added)])  # fmt: skip
        return ExitCode.ok
    ask = None if args.no_prompt else getpass.getpass
    pades.sign(args.pdf, args.role, config, ask=ask)
    state = pades.signing_state(args.pdf)
    waiting = [f.role for f in state if not f.signed]
    next_step = (
        f"waiting for: {', '.join(waiting)}"
        if waiting
        else f"all have signed; next: referatbygg timestamp {args.pdf}"
    )
    data = {"ok": True, "pdf": str(args.pdf), "role": args.role, "waiting_for": waiting}
    demo = " (TEST signature from the demo PKI)" if config.demo else ""
    emit(args, data, [f"{args.pdf}: signed as {args.role}{demo}", next_step])
    return ExitCode.ok


def add_timestamp(sub: Subparsers, shared: Parents) -> None:
    t = command(sub, cmd_timestamp, shared.common, shared.cfg, shared.served)
    t.add_argument("pdf", type=Path)


def cmd_timestamp(args: argparse.Namespace) -> int:
    """add the final document timestamp once everyone has signed (PAdES B-LTA)

    Add one document timestamp after the last signature, making the file PAdES B-LTA. Refused
    while a signatory has not signed.
    """
    from ..config import load_config
    from ..signing import pades

    pdf_file(args.pdf)
    pades.timestamp(args.pdf, load_config(args.config))
    emit(args, {"ok": True, "pdf": str(args.pdf)}, [f"{args.pdf}: final document timestamp added"])
    return ExitCode.ok


def add_verify(sub: Subparsers, shared: Parents) -> None:
    w = command(sub, cmd_verify, shared.common, shared.cfg, shared.rooted, shared.served)
    w.add_argument("pdf", type=Path)
    w.add_argument(
        "--meeting", type=Path,
        help="the meeting (or agreement) file whose signatories should have signed: each "
        "certificate is checked against them (without it, against the names the PDF printed "
        "when it was built, and the verdict says so)",
    )  # fmt: skip
    w.add_argument(
        "--level",
        choices=["B-B", "B-T", "B-LT", "B-LTA"],
        help="the PAdES level every signature must reach (default: the configured level; "
        "B-LTA with the demo PKI)",
    )


def cmd_verify(args: argparse.Namespace) -> int:
    """verify every signature and timestamp in a PDF

    Read the file strictly (a damaged or repaired file is not valid) and check that a strict
    reader and a recovering one see the same pages; then, per signature and timestamp: signer,
    field, signing time and timestamp, trust (chain to the configured roots) and revocation
    (from the embedded data, no network), what changed after it, PAdES level. Every signature
    field and signature in the file is accounted for, and each signer is the person who should
    sign (--meeting), or else the person the document printed when it was built. Exits 0 only
    when every signatory has signed, every signature is valid, nothing unauthorised follows it
    and the level is reached; else 7 (also for a file that cannot be read).
    """
    from .. import verify
    from ..config import load_config
    from ..fsutil import clean_parts
    from ..meeting.load import load_meeting
    from ..signing.trust import trust

    # No pdf_file here: to verify, a missing or unreadable file is a verdict (NOT VALID, 7).
    config = load_config(args.config)
    level = args.level or config.signature_level
    signers = None
    if args.meeting:
        signers = {s.role: s.name for s in load_meeting(args.meeting, args.root).signatories}
    tr = trust(config)
    clean_parts(args.pdf.parent)  # a signing killed half-way left its part file: none remains
    report = verify.verify(args.pdf, tr.roots, level=level, pins=config.pins(), others=tr.others,
                           signers=signers)  # fmt: skip
    emit(args, report.as_dict(), _verify_lines(report))
    return ExitCode.ok if report.valid else ExitCode.validation


def add_receive(sub: Subparsers, shared: Parents) -> None:
    rc = command(
        sub, cmd_receive, shared.common, shared.cfg, shared.out, shared.rooted, shared.served
    )
    rc.add_argument("file", type=Path, help="the signed PDF the signatory sent back")
    rc.add_argument("--meeting", type=Path, help="the meeting (or agreement) file it belongs to "
                    "(default: found by the document's bytes under --out)")  # fmt: skip
    rc.add_argument("--role", help="whose signature it is (default: the next signatory)")


def cmd_receive(args: argparse.Namespace) -> int:
    """take in a document a signatory signed in another tool

    Check a document a signatory signed elsewhere (their own PDF tool, a signing service) before
    anything else happens: it is our document with its bytes unchanged, exactly the next
    signatory's field is signed and nothing else changed, the signature is valid and trusted and
    made by the person the signature block names (or the role's pin in referatbygg.toml), and
    the file is still PDF/A. Then the validation data is embedded, and a document timestamp
    added when the signature has none. Anything else is refused with the reason; the working
    file stays as it was. Exits 6 when refused.
    """
    from ..build.layout import main_pdf, out_dir_for
    from ..config import load_config
    from ..meeting.load import load_meeting
    from ..signing import intake, pades

    pdf_file(args.file)
    config = load_config(args.config)
    if args.meeting:
        meeting = load_meeting(args.meeting, args.root)
        working = main_pdf(meeting, out_dir_for(meeting, args.out))
    else:
        working = intake.find_working(args.file, args.out)
    result = intake.receive(args.file, working, config, role=args.role, progress=progress(args))
    waiting = [f.role for f in pades.signing_state(working) if not f.signed]
    lines = [f"{working}: took in {result.role}'s signature"]
    lines += [f"  added: {a}" for a in result.added]
    lines.append(f"waiting for: {', '.join(waiting)}" if waiting else "all have signed; next: "
                 "referatbygg run (final timestamp and archive)")  # fmt: skip
    emit(args, {"ok": True, **result.as_dict(), "waiting_for": waiting}, lines)
    return ExitCode.ok


def _verify_lines(report: verify.VerifyReport) -> list[str]:
    lines = [f"{report.file}: {'VALID' if report.valid else 'NOT VALID'}"]
    lines += [f"  problem: {p}" for p in report.problems]
    for s in report.signatures:
        lines.append(f"  {s.field_name} ({s.kind}): {'valid' if s.valid else 'NOT VALID'}")
        lines.append(f"    signer: {s.signer}")
        if s.holder:
            lines.append(f"    holder: {s.holder}")
        if s.named:
            lines.append(f"    signature block names: {s.named}")
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
