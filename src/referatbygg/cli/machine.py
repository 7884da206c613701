"""This machine: the background service, and doctor (what external programs are here)."""

from __future__ import annotations

import argparse

from ..errors import DependencyError, ExitCode, InputError
from .common import SERVICE_SWITCH, SOCKET_HINT, Parents, Subparsers, command, emit


def add_service(sub: Subparsers, shared: Parents) -> None:
    sv = command(
        sub,
        cmd_service,
        shared.common,
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


def cmd_service(args: argparse.Namespace) -> int:
    """the background service that keeps LibreOffice and the validator warm"""
    from ..runtime import Unsafe
    from ..service import client, wire

    try:
        if args.action == "start":
            client.start(idle=args.idle, pool=args.pool)
        elif args.action == "stop":
            pid = client.stop()
            emit(args, {"stopped": pid}, [f"stopped the service (pid {pid})" if pid
                                          else "no service was running"])  # fmt: skip
            return ExitCode.ok
        status = client.ask({"op": "ping"})
    except Unsafe as exc:
        raise InputError(f"the background service's socket is not safe to use: {exc}") from None
    except RuntimeError as exc:
        raise DependencyError(str(exc)) from None
    if status is None:
        emit(args, {"running": False, "socket": str(wire.socket_path())},
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
    emit(args, status, lines)
    return ExitCode.ok


def _archive_profile(args: argparse.Namespace) -> dict[str, str]:
    """What the archive profile gives, each lack with how to set it (archiving refuses, and
    says so, rather than make a value up)."""
    from ..config import load_config

    archive = load_config(args.config).archive
    return {
        "organisation number": archive.organisation_number
        or 'not set here: each body file (organ.toml) must give organisation_number = "…" '
        "(Enhetsregisteret), or set [archive] organisation_number in referatbygg.toml",
        "access codes": ", ".join(f"{k} = {v}" for k, v in archive.access_codes.items())
        or "none: exempt content is not archived until [archive.access_codes] in "
        "referatbygg.toml gives the receiving archive's codes",
        "Fiks IO account": archive.fiks_io_account
        or "not set: melding.json leaves mottakerKontoId empty for the Fiks IO client to fill "
        "([archive] fiks_io_account)",
        "public version": archive.public_version,
        "agreements": f"journalposttype {archive.agreement_journalposttype}",
    }


def add_doctor(sub: Subparsers, shared: Parents) -> None:
    command(sub, cmd_doctor, shared.common, shared.cfg)


def cmd_doctor(args: argparse.Namespace) -> int:
    """list the external programs and resources referatbygg uses, and what is missing

    Check each external program and resource (LibreOffice, Ghostscript and its sRGB profile,
    Java and the veraPDF engine, the JAXB runtime, python3-uno for the warm converter, SoftHSM2
    for PKCS#11): found where, which version, what it is needed for, and for what is missing the
    command that installs it on Debian/Ubuntu. Exits 4 when something required is missing.
    Then what the archive profile (referatbygg.toml's [archive]) gives the archive and how to
    set what it lacks.
    """
    from ..tools import doctor

    found = doctor.examine()
    lines = [str(f) for f in found]
    missing = [f for f in found if f.required and not f.ok]
    lines.append(
        f"missing: {', '.join(f.name for f in missing)}"
        if missing
        else "everything required is here"
    )
    profile = _archive_profile(args)
    lines += ["archive profile:", *(f"  {k}: {v}" for k, v in profile.items())]
    emit(args, {"ok": not missing, "tools": [f.as_dict() for f in found],
                "archive": profile}, lines)  # fmt: skip
    return ExitCode.dependency if missing else ExitCode.ok
