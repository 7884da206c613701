"""LibreOffice: office documents → PDF/A, warm (supervised unoserver) or cold (soffice per file).

The warm path follows Gotenberg's LibreOffice module: the supervisor owns the process (private
profile folder, readiness check, a timeout per conversion, kill of the whole process group on
timeout, restart after a crash or after N conversions, one retry for a crash only). The cold path
is the fallback when no server can be started, with the same export options.
"""

from __future__ import annotations

import contextlib
import functools
import http.client
import importlib.util
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import xmlrpc.client
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Literal, Protocol

from ..errors import ConversionError, DependencyError, ReferatbyggError
from . import proc, unshare

log = logging.getLogger(__name__)

PdfaLevel = Literal["2b", "1b"]
# LibreOffice's SelectPdfVersion: 1 = PDF/A-1 (it claims 1a; pdfa.py corrects the claim to 1b),
# 2 = PDF/A-2b.
SELECT_PDF_VERSION: dict[PdfaLevel, int] = {"1b": 1, "2b": 2}


def export_options(level: PdfaLevel) -> dict[str, bool | int]:
    return {
        "SelectPdfVersion": SELECT_PDF_VERSION[level],
        "UseTaggedPDF": True,
        "ExportBookmarks": True,
        # Word bookmarks become named destinations: the signature anchors (sig_<role>).
        "ExportBookmarksToPDFDestination": True,
        "ExportNotes": False,
        # PDF/UA-1 identification, standard structure types in the role map (PDF/A-2 only: UA
        # is built on PDF 1.7). tagging.py finishes what LibreOffice 7.4 leaves undone.
        "PDFUACompliance": level.startswith("2"),
    }


# The profile every LibreOffice of ours starts with: nothing a document links to is fetched. A
# DOCX can link an image, an OLE object or a template by URL (http://, file:///): LibreOffice
# fetches it while converting — a request to wherever the document says (SSRF), or a local file
# drawn into the PDF. Two settings of its own, each enough alone (tests/test_offline.py): links
# from documents outside the trusted locations are blocked, and every HTTP(S) request goes to a
# proxy that answers nothing (127.0.0.1:9, discard). Macros and active content stay off, links
# are never updated.
_SETTINGS = (
    ("Common/Security/Scripting", "BlockUntrustedRefererLinks", "true"),
    ("Common/Security/Scripting", "DisableActiveContent", "true"),
    ("Common/Security/Scripting", "MacroSecurityLevel", "3"),
    ("Writer/Content/Update", "Link", "2"),
    ("Calc/Content/Update", "Link", "2"),
    ("Inet/Settings", "ooInetProxyType", "1"),
    ("Inet/Settings", "ooInetNoProxy", ""),
    *(("Inet/Settings", f"ooInet{scheme}Proxy{key}", value)
      for scheme in ("HTTP", "HTTPS", "FTP") for key, value in (("Name", "127.0.0.1"),
                                                               ("Port", "9"))),
)  # fmt: skip


def offline_profile(profile: Path) -> Path:
    """Write the settings above into the LibreOffice user profile ``profile`` (before its
    first start; LibreOffice keeps them, with its own, when it writes the file on exit)."""
    target = profile / "user" / "registrymodifications.xcu"
    if not target.exists():
        items = "".join(
            f'<item oor:path="/org.openoffice.{("Office." if not where.startswith("Inet") else "")}'
            f'{where}"><prop oor:name="{name}" oor:op="fuse"><value>{value}</value></prop>'
            "</item>\n"
            for where, name, value in _SETTINGS
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n<oor:items '
            'xmlns:oor="http://openoffice.org/2001/registry" '
            'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
            f"{items}</oor:items>\n",
            encoding="utf-8",
        )
    return profile


def soffice() -> str:
    return proc.which("soffice", package="libreoffice-writer-nogui")


def version() -> str:
    return proc.run([soffice(), "--version"], timeout=60).stdout.strip()


def check_pdf(path: Path, what: str) -> None:
    """Trust outputs, not exit codes: the file must exist and look like a whole PDF."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(5)
            fh.seek(max(0, size - 1024))
            tail = fh.read()
    except FileNotFoundError:
        raise ConversionError(f"{what}: LibreOffice wrote no output") from None
    if head != b"%PDF-" or b"%%EOF" not in tail:
        raise ConversionError(f"{what}: LibreOffice's output is not a complete PDF")


class Converter(Protocol):
    # convert() may be called from several threads at once: a converter with one LibreOffice
    # takes their documents one at a time (callers start every conversion as early as they
    # can, and their other work goes on meanwhile).

    def convert(self, src: Path, dst: Path, level: PdfaLevel) -> None: ...

    def close(self) -> None: ...


class ColdConverter:
    """`soffice --headless --convert-to` per document, with a private profile (one per thread:
    two soffice processes cannot share a profile, and each conversion is its own process, so
    documents convert side by side)."""

    def __init__(self, timeout: float = 180) -> None:
        self.timeout = timeout
        self._profile = Path(tempfile.mkdtemp(prefix="referatbygg-lo-"))

    def convert(self, src: Path, dst: Path, level: PdfaLevel) -> None:
        typed = {
            k: {"type": "boolean" if isinstance(v, bool) else "long", "value": str(v).lower()}
            for k, v in export_options(level).items()
        }
        outdir = Path(tempfile.mkdtemp(prefix="out-", dir=self._profile))
        try:
            args = [
                # No network at all where the platform allows it (a namespace of its own):
                # whatever a document links, nothing can be fetched.
                *unshare.prefix(),
                soffice(), "--headless", "--norestore", "--nolockcheck",
                "-env:UserInstallation="
                + offline_profile(self._profile / f"profile-{_thread()}").as_uri(),
                "--convert-to", f"pdf:writer_pdf_Export:{json.dumps(typed)}",
                "--outdir", str(outdir), str(src),
            ]  # fmt: skip
            try:
                res = proc.run(args, timeout=self.timeout)
            except proc.ToolTimeout as exc:
                raise ConversionError(f"{src.name}: conversion timed out ({exc})") from None
            produced = outdir / f"{src.stem}.pdf"
            if res.returncode != 0:
                log.warning("soffice exited %s: %s", res.returncode, res.stderr.strip())
            check_pdf(produced, src.name)
            shutil.move(produced, dst)
        finally:
            shutil.rmtree(outdir, ignore_errors=True)

    def close(self) -> None:
        shutil.rmtree(self._profile, ignore_errors=True)


def _thread() -> int:
    return threading.get_ident()


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: Path, timeout: float) -> None:
        super().__init__("unoserver", timeout=timeout)
        self._path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(str(self._path))
        except OSError:
            sock.close()
            raise
        self.sock = sock


class _UnixTransport(xmlrpc.client.Transport):
    """XML-RPC to the server's Unix socket (tools/unostart.py), with a timeout."""

    def __init__(self, path: Path, timeout: float) -> None:
        super().__init__()
        self._path, self._timeout = path, timeout

    def make_connection(self, host: object) -> http.client.HTTPConnection:
        return _UnixConnection(self._path, self._timeout)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# Errors that mean the server or LibreOffice died under us: restart and retry once.
_CRASH = (ConnectionError, http.client.HTTPException, xmlrpc.client.ProtocolError, EOFError)


UNO_HINT = (
    "install python3-uno (Debian/Ubuntu: apt-get install python3-uno); a Python that "
    "can `import uno` is found by itself"
)


@functools.cache
def uno_python() -> tuple[str, dict[str, str] | None]:
    """A Python that can ``import uno`` and run unoserver, and the environment it needs.

    Ours, when it can (a venv made with --system-site-packages). Otherwise the system's Python
    (python3-uno installs uno for it; some LibreOffice builds bring their own, in program/),
    given our unoserver — a pure-Python package — through PYTHONPATH. So a plain venv, or the
    wheel installed anywhere, still gets the warm converter.
    """
    if importlib.util.find_spec("uno") is not None:
        return sys.executable, None
    spec = importlib.util.find_spec("unoserver")
    if spec is None or not spec.submodule_search_locations:
        raise DependencyError(
            "the unoserver package is not installed", hint="pip install unoserver"
        )
    env = {"PYTHONPATH": str(Path(next(iter(spec.submodule_search_locations))).parent)}
    office = Path(os.path.realpath(soffice())).parent
    for candidate in (shutil.which("python3"), "/usr/bin/python3", str(office / "python")):
        if not candidate or not Path(candidate).is_file():
            continue
        try:
            probe = proc.run([candidate, "-c", "import uno, unoserver"], timeout=30, env=env)
        except (ReferatbyggError, OSError):
            continue
        if probe.returncode == 0:
            return candidate, env
    raise DependencyError("no Python here can `import uno` (LibreOffice's Python bridge)",
                          hint=UNO_HINT)  # fmt: skip


UNOSTART = Path(__file__).with_name("unostart.py")


class WarmConverter:
    """A supervised unoserver (XML-RPC) with LibreOffice behind it; one document at a time,
    whichever thread asks."""

    def __init__(
        self,
        *,
        timeout: float = 120,
        start_timeout: float = 60,
        max_conversions: int = 200,
        python: str | None = None,
    ) -> None:
        self.timeout = timeout
        self.start_timeout = start_timeout
        self.max_conversions = max_conversions
        self.python = python
        self.restarts = 0
        self.conversions = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._dir = Path(tempfile.mkdtemp(prefix="referatbygg-unoserver-"))
        self._socket = self._dir / "xmlrpc.sock"
        self._done_here = 0
        self._turn = threading.Lock()  # one caller at a time: a conversion, a restart, a start
        # Told the process group of each server started, before it is ready (the background
        # service records it, to stop a LibreOffice its killed predecessor left behind).
        self.on_spawn: Callable[[int], None] | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Start the server and wait until it answers; DependencyError if it cannot start.
        Waits for a conversion under way (a start is a caller's turn too)."""
        with self._turn:
            self._start()

    def _start(self) -> None:
        self.stop()
        soffice_path = soffice()
        python, env = (self.python, None) if self.python else uno_python()
        isolated = unshare.prefix()
        uno_port = _free_port()  # inside the namespace when isolated: any free one will do
        self._socket.unlink(missing_ok=True)
        self._proc = proc.spawn(
            [
                # No network at all where the platform allows it: the server and LibreOffice in
                # a namespace of their own, reached through a Unix socket's file.
                *isolated,
                python, str(UNOSTART),  # unoserver's server, without its fixed waits
                "--socket", str(self._socket), *(["--isolated"] if isolated else []),
                "--uno-interface", "127.0.0.1", "--uno-port", str(uno_port),
                # A plain path: unoserver makes the URI itself (a file:// URI crashed it).
                "--user-installation", str(offline_profile(self._dir / "profile")),
                "--conversion-timeout", str(int(self.timeout)),
                "--executable", soffice_path,
            ],
            log_file=self._dir / "server.log", env=env,
        )  # fmt: skip
        if self.on_spawn is not None:
            self.on_spawn(self._proc.pid)
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                break
            try:
                self._proxy(5).info()
                self._done_here = 0
                log.info("unoserver ready on %s (pid %s)", self._socket, self._proc.pid)
                return
            except (OSError, *_CRASH):
                time.sleep(0.25)
        tail = self._log_tail()
        self.stop()
        raise DependencyError(
            f"the LibreOffice server did not start within {self.start_timeout:g} s: {tail}",
            hint=UNO_HINT,
        )

    def stop(self, grace: float = 5) -> None:
        if self._proc is not None:
            if grace:
                self._end_office(grace)
            proc.kill_group(self._proc)
            self._proc = None

    def _end_office(self, grace: float) -> None:
        """SIGTERM to the group, then wait — up to ``grace`` — only until soffice.bin has
        ended. LibreOffice's launcher (oosplash) can go on waiting for it after that, and
        unoserver for the launcher, until the group is killed: 5 s at every close, seen."""
        assert self._proc is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self._proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and self._office_alive():
            time.sleep(0.05)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> WarmConverter:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def _alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def _office_alive(self) -> bool:
        """Whether a live soffice.bin runs in the server's process group (Linux /proc)."""
        if not self._alive():
            return False
        return any(p.state != "Z" and p.pgrp == self.pid for p in proc.processes("soffice.bin"))

    def _proxy(self, timeout: float) -> xmlrpc.client.ServerProxy:
        return xmlrpc.client.ServerProxy(
            "http://unoserver/",
            transport=_UnixTransport(self._socket, timeout),
            allow_none=True,
        )

    def _log_tail(self) -> str:
        try:
            lines = (self._dir / "server.log").read_text(errors="replace").strip().splitlines()
        except OSError:
            return "(no log)"
        return " | ".join(lines[-3:]) or "(empty log)"

    def _restart(self, why: str) -> None:
        log.warning("restarting LibreOffice server: %s", why)
        self.restarts += 1
        self._start()

    def _timed_out(self, src: Path) -> ConversionError:
        self.stop(grace=0)  # hung: kill the whole group at once; the next call starts anew
        return ConversionError(
            f"{src.name}: conversion did not finish within {self.timeout:g} s; "
            "LibreOffice was stopped"
        )

    # -- work --------------------------------------------------------------------------------

    def convert(self, src: Path, dst: Path, level: PdfaLevel) -> None:
        with self._turn:
            self._convert(src, dst, level)

    def _convert(self, src: Path, dst: Path, level: PdfaLevel) -> None:
        options = [f"{k}={str(v).lower()}" for k, v in export_options(level).items()]
        for attempt in (1, 2):
            if not self._alive() and (self._proc or attempt > 1):
                self._restart("not running")
            elif not self._alive():
                self._start()
            elif self._done_here >= self.max_conversions:
                self._restart(f"after {self._done_here} conversions")
            try:
                # Positional, as unoserver's own client sends them: inpath, indata, outpath,
                # convert_to, filtername, filter_options, update_index, infiltername, password.
                self._proxy(self.timeout + 5).convert(
                    str(src.resolve()), None, str(dst.resolve()), None,
                    "writer_pdf_Export", options, True, None, None,
                )  # fmt: skip
            except TimeoutError:
                raise self._timed_out(src) from None
            except _CRASH as exc:
                if attempt == 2:
                    raise ConversionError(f"{src.name}: LibreOffice failed twice: {exc}") from None
                self.stop()
                log.warning("conversion of %s hit a crash (%s); retrying once", src.name, exc)
                continue
            except xmlrpc.client.Fault as exc:
                if "TimeoutError" in exc.faultString:  # the server's own --conversion-timeout
                    raise self._timed_out(src) from None
                # The server answers for a LibreOffice that died under it: transient, retry once.
                # Any other fault is about the document, and retrying would not help.
                if attempt == 1 and not self._office_alive():
                    log.warning("LibreOffice died converting %s; retrying once", src.name)
                    self.stop()
                    continue
                raise ConversionError(
                    f"{src.name}: LibreOffice could not convert it: {exc.faultString.strip()}"
                ) from None
            self._done_here += 1
            self.conversions += 1
            check_pdf(dst, src.name)
            return


_announced = False
_ELSEWHERE: Converter | None = None


def use(converter: Converter | None) -> None:
    """Convert with ``converter`` whenever a warm one is wanted (a command run by the background
    service uses the service's LibreOffice); None: start this process's own again."""
    global _ELSEWHERE
    _ELSEWHERE = converter


def elsewhere() -> Converter | None:
    return _ELSEWHERE


def open_converter(
    *, warm: bool = True, timeout: float = 120, announce: Callable[[str], None] | None = None
) -> Converter:
    """A warm converter if its server starts, else the cold fallback — which ``announce`` is
    told of, once per process (the user should know why a batch is slow, without --verbose)."""
    global _announced
    if warm:
        conv = WarmConverter(timeout=timeout)
        try:
            conv.start()
            return conv
        except DependencyError as exc:
            conv.close()
            log.info("falling back to soffice per document: %s", exc)
            if announce is not None and not _announced:
                _announced = True
                announce(
                    f"the LibreOffice server could not start ({exc.message}); converting with "
                    "one soffice per document instead, which is slower"
                )
    return ColdConverter(timeout=timeout)


Choice = Literal["auto", "warm", "cold"]
# A warm server cost ~5 s to start and ~0.15 s per document; a cold soffice ~1.0 s per document
# (KNOWN-PITFALLS, confirmed here). Below this many conversions, cold was faster. A start now
# costs ~1 s (tools/unostart.py); the threshold is kept until it is measured again.
WARM_FROM = 5


@contextlib.contextmanager
def converter_for(
    choice: Choice, conversions: int, announce: Callable[[str], None] | None = None
) -> Iterator[Converter]:
    """The converter for a build of ``conversions`` documents: the background service's when
    there is one (already warm), else one of this process's own, closed at the end."""
    shared = elsewhere()
    if shared is not None and choice != "cold":  # the background service's, already warm
        yield shared
        return
    warm = choice == "warm" or (choice == "auto" and conversions >= WARM_FROM)
    conv = open_converter(warm=warm, announce=announce)
    try:
        yield conv
    finally:
        conv.close()
