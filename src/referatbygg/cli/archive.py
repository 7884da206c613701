"""The archive package: archive (make it), check-package (check it as the archive would)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..errors import ExitCode
from .common import Parents, Subparsers, command, emit, progress


def add_archive(sub: Subparsers, shared: Parents) -> None:
    a = command(
        sub, cmd_archive, shared.common, shared.cfg, shared.out, shared.rooted, shared.served
    )
    a.add_argument("meeting", type=Path)
    a.add_argument(
        "--receipt", type=Path, metavar="FILE",
        help="read the archive's answer to the message sent (its kvittering or feilmelding "
        "XML, or the Fiks IO client's JSON for 'mottatt') into the meeting's record",
    )  # fmt: skip


def cmd_archive(args: argparse.Namespace) -> int:
    """make the archive package of a signed meeting (BagIt + Fiks Arkiv message)

    Once every signatory has signed and the final timestamp is in place: a BagIt 1.0 bag
    (SHA-256 and SHA-512) in OUT/<id>/pakke/<id>/ and the same as a .zip, holding the signed
    PDF/A, each attachment as PDF/A, the docx and TOML sources, arkivmelding.xml (Fiks Arkiv
    V1) and the validation evidence; beside it the Fiks Arkiv message for the municipality's
    Fiks IO client. Once the archive has answered (--receipt), the next archive run writes an
    update of the records it made instead. Refuses, naming who is missing, before that.
    """
    from .. import pipeline
    from ..config import load_config
    from ..meeting.load import load_meeting

    meeting = load_meeting(args.meeting, args.root)
    if args.receipt is not None:
        return _receipt(args, meeting)
    config = load_config(args.config)
    result = pipeline.make_archive(meeting, args.out, config, progress=progress(args))
    lines = [f"bag: {result.bag}", f"zip: {result.zip}", f"{result.files} document file(s)"]
    for folder, kind in zip(result.messages, result.kinds, strict=True):
        lines.append(f"Fiks Arkiv message ({kind.removeprefix('no.ks.fiks.arkiv.v1.')}): "
                     f"{folder} (and .zip), for the Fiks IO client to send")  # fmt: skip
    emit(args, {"ok": True, **result.as_dict()}, lines)
    return ExitCode.ok


def _receipt(args: argparse.Namespace, meeting: Any) -> int:
    from ..archive import record
    from ..build.layout import out_dir_for

    found = record.read_answer(out_dir_for(meeting, args.out), args.receipt)
    answer = found.answers[-1]
    lines = [f"{args.receipt.name}: {answer['meldingstype']}", f"  {found.summary()}"]
    emit(args, {"ok": True, "answer": answer, "archive": found.archive}, lines)
    return ExitCode.ok


def add_check_package(sub: Subparsers, shared: Parents) -> None:
    cp = command(sub, cmd_check_package, shared.common, shared.cfg, shared.served)
    cp.add_argument("path", type=Path, help="a bag folder or its .zip")


def cmd_check_package(args: argparse.Namespace) -> int:
    """check an archive package as the receiving archive would

    Validate the bag (completeness, checksums), arkivmelding.xml against the Fiks Arkiv V1
    schema, that every document it lists is in the bag with the same checksum and size, the
    signatures of the minutes, and PDF/A of every PDF. Exits 8 on any problem, each one named.
    """
    from ..archive.check import check_package
    from ..config import load_config
    from ..signing.trust import trust

    config = load_config(args.config)
    tr = trust(config)
    report = check_package(
        args.path, tr.roots, signature_level=config.signature_level,
        pins=config.pins(), others=tr.others, signers=config.archive.signers,
    )  # fmt: skip
    lines = [f"{report.path}: {'OK' if report.ok else 'NOT OK'}"]
    lines += [f"  ok: {c}" for c in report.checked]
    lines += [f"  PROBLEM: {p}" for p in report.problems]
    emit(args, report.as_dict(), lines)
    return ExitCode.ok if report.ok else ExitCode.package
