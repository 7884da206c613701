"""Apache PDFBox Preflight: the independent PDF/A-1b validator available on Debian.

Debian's libpdfbox2-java ships preflight.jar, but not all the jars it needs at run time: without
javax.activation and jaxb-api it dies with NoClassDefFoundError. One JVM per file (~0.6 s).
"""

from __future__ import annotations

import functools
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
    """Validate ``pdf`` as PDF/A-1b; the XML report parsed."""
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
