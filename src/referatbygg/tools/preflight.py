"""Apache PDFBox Preflight: the independent PDF/A-1b validator available on Debian.

Debian's libpdfbox2-java ships preflight.jar, but not all the jars it needs at run time: without
javax.activation and jaxb-api it dies with NoClassDefFoundError.

A JVM per file costs ~0.5 s, most of a meeting's build time. So each process keeps one warm JVM
running ``java/PreflightServer.java`` (compiled with javac on first use, cached by source hash),
with a timeout per file and a restart after a crash; the per-file ``Validator_A1b`` command is the
fallback where no compiler is installed. Both report the same findings.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import hashlib
import logging
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ..errors import DependencyError, ValidationError
from . import proc

JARS = (
    "preflight.jar", "pdfbox2.jar", "fontbox2.jar", "xmpbox.jar", "commons-logging.jar",
    "javax.activation.jar", "jaxb-api.jar",
)  # fmt: skip
JAR_DIR = Path("/usr/share/java")
PACKAGES = "default-jre-headless libpdfbox2-java libactivation-java libjaxb-api-java"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Finding:
    code: str
    details: str


@dataclass(frozen=True)
class PreflightReport:
    valid: bool
    findings: tuple[Finding, ...]


@functools.cache
def classpath() -> str:
    missing = [j for j in JARS if not (JAR_DIR / j).is_file()]
    if missing:
        raise DependencyError(
            f"PDFBox Preflight is incomplete: missing {', '.join(missing)} in {JAR_DIR}",
            hint=f"apt-get install {PACKAGES}",
        )
    return ":".join(str(JAR_DIR / j) for j in JARS)


def run(pdf: Path, timeout: float = 300) -> PreflightReport:
    """Validate ``pdf`` as PDF/A-1b: with the warm server when it can run, else one JVM."""
    server = _server()
    if server is not None:
        return server.validate(pdf, timeout)
    return run_once(pdf, timeout)


def run_once(pdf: Path, timeout: float = 300) -> PreflightReport:
    """Validate ``pdf`` in a JVM of its own (Validator_A1b's XML report, parsed)."""
    java = proc.which("java", package="default-jre-headless")
    args = [
        java, "-Djava.awt.headless=true", "-cp", classpath(),
        "org.apache.pdfbox.preflight.Validator_A1b", "xml", str(pdf),
    ]  # fmt: skip
    try:
        res = proc.run(args, timeout=timeout)
    except proc.ToolTimeout as exc:
        raise ValidationError(f"{pdf.name}: Preflight timed out ({exc})") from None
    start = res.stdout.find("<?xml")
    if start < 0:
        raise ValidationError(
            f"{pdf.name}: Preflight gave no report (exit {res.returncode}): "
            f"{res.stderr.strip()[-300:]}"
        )
    root = etree.fromstring(res.stdout[start:].encode())
    valid = (root.findtext("isValid") or "").strip() == "true"
    findings = tuple(
        Finding((e.findtext("code") or "").strip(), (e.findtext("details") or "").strip())
        for e in root.iter("error")
    )
    return PreflightReport(valid, findings)


# --- the warm server ------------------------------------------------------------------------------

SOURCE = Path(__file__).parent / "java" / "PreflightServer.java"
JVM_OPTIONS = (
    "-Xmx256m",
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    "-Djava.awt.headless=true",
)


def _cache_dir() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    digest = hashlib.sha256(SOURCE.read_bytes()).hexdigest()[:16]
    return base / "referatbygg" / "preflight" / digest


def compiled() -> Path | None:
    """The folder with PreflightServer.class, compiled now if needed; None without javac."""
    target = _cache_dir()
    if (target / "PreflightServer.class").is_file():
        return target
    javac = shutil.which("javac")
    if javac is None:
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".compile-", dir=target.parent))
    try:
        res = proc.run([javac, "-cp", classpath(), "-d", str(tmp), str(SOURCE)], timeout=120)
        if res.returncode != 0 or not (tmp / "PreflightServer.class").is_file():
            log.warning("could not compile the Preflight server: %s", res.stderr.strip()[-500:])
            return None
        with contextlib.suppress(OSError):  # another process may have compiled it first
            tmp.rename(target)
        return target
    except proc.ToolTimeout:
        return None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class PreflightServer:
    """One warm JVM validating files one at a time over stdin/stdout."""

    def __init__(self, classes: Path) -> None:
        self.classes = classes
        self._proc: subprocess.Popen[str] | None = None
        self._lines: queue.Queue[str | None] = queue.Queue()
        self.lock = threading.Lock()

    def _start(self) -> subprocess.Popen[str]:
        java = proc.which("java", package="default-jre-headless")
        cp = f"{classpath()}:{self.classes}"
        self._lines = queue.Queue()
        child = subprocess.Popen(
            [java, *JVM_OPTIONS, "-cp", cp, "PreflightServer"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True, encoding="utf-8", start_new_session=True,
        )  # fmt: skip
        lines = self._lines

        def pump() -> None:
            assert child.stdout is not None
            for line in child.stdout:
                lines.put(line.rstrip("\n"))
            lines.put(None)

        threading.Thread(target=pump, daemon=True).start()
        log.info("Preflight server started (pid %s)", child.pid)
        return child

    def stop(self) -> None:
        if self._proc is not None:
            if self._proc.stdin:
                with contextlib.suppress(OSError):
                    self._proc.stdin.close()
            proc.kill_group(self._proc, grace=2)
            self._proc = None

    def validate(self, pdf: Path, timeout: float = 300) -> PreflightReport:
        with self.lock:
            for attempt in (1, 2):
                if self._proc is None or self._proc.poll() is not None:
                    self._proc = self._start()
                try:
                    return self._ask(pdf, timeout)
                except _Crashed:
                    self.stop()
                    if attempt == 2:
                        raise ValidationError(f"{pdf.name}: Preflight crashed twice") from None
            raise AssertionError("unreachable")

    def _ask(self, pdf: Path, timeout: float) -> PreflightReport:
        assert self._proc is not None and self._proc.stdin is not None
        try:
            self._proc.stdin.write(f"{pdf.resolve()}\n")
            self._proc.stdin.flush()
        except OSError:
            raise _Crashed() from None
        deadline = time.monotonic() + timeout
        valid, findings, failure = False, [], None
        while True:
            try:
                line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                self.stop()
                raise ValidationError(
                    f"{pdf.name}: Preflight timed out after {timeout:g} s"
                ) from None
            if line is None:
                raise _Crashed()
            if line == "END":
                break
            if line.startswith("VALID "):
                valid = line == "VALID true"
            elif line.startswith("ERROR "):
                code, _, details = line[6:].partition("\t")
                findings.append(Finding(code, details))
            elif line.startswith("FAIL "):
                failure = line[5:]
        if failure is not None:
            raise ValidationError(f"{pdf.name}: Preflight could not read it: {failure}")
        # The same finding per occurrence: report each once, as Validator_A1b's XML does.
        return PreflightReport(valid, tuple(dict.fromkeys(findings)))


class _Crashed(Exception):
    pass


_SERVER: PreflightServer | None = None
_TRIED = False


def _server() -> PreflightServer | None:
    """This process's server (started on first use), or None when it cannot be had."""
    global _SERVER, _TRIED
    if os.environ.get("REFERATBYGG_PREFLIGHT") == "once":
        return None
    if _SERVER is None and not _TRIED:
        _TRIED = True
        classes = compiled()
        if classes is not None:
            _SERVER = PreflightServer(classes)
            atexit.register(_SERVER.stop)
    return _SERVER


def stop_server() -> None:
    """Stop this process's server (batch workers call this; atexit does it otherwise)."""
    if _SERVER is not None:
        _SERVER.stop()
