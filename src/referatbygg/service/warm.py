"""Imported by the service's zygote after the stack: fills the caches every command would fill
on its own first use — the Fiks Arkiv schema and code lists, the external programs' versions
and Ghostscript's colour profile, the libraries imported inside functions — so that the forked
workers start with them. Anything that fails here is simply left to the command, which reports
it properly."""

from __future__ import annotations

import contextlib
import importlib

LIBRARIES = [
    "docxtpl", "docx.shared", "jinja2", "fontTools.subset", "fontTools.ttLib", "zoneinfo",
    "bagit", "pikepdf", "PIL.Image", "rich.console", "pyhanko.keys", "pyhanko.sign.timestamps",
    "pyhanko.sign.signers.pdf_signer", "pyhanko.sign.validation.pdf_embedded",
    "pyhanko.sign.diff_analysis", "pyhanko_certvalidator.fetchers.requests_fetchers",
    "referatbygg.archive.arkivmelding", "referatbygg.verify", "referatbygg.signing.intake",
]  # fmt: skip


def warm() -> None:
    for name in LIBRARIES:
        with contextlib.suppress(Exception):
            importlib.import_module(name)
    from ..archive import arkivmelding, codes, parts
    from ..tools import ghostscript, verapdf

    for fill in (ghostscript.version, ghostscript.srgb_profile, verapdf.version):
        with contextlib.suppress(Exception):
            fill()
    with contextlib.suppress(Exception):
        parts.schema(arkivmelding.SCHEMA)
    for name in ("dokumenttype", "dokumentstatus", "variantformat", "moetedeltakerfunksjon",
                 "moeteregistreringstype", "tilknyttetregistreringsom", "journalposttype",
                 "journalstatus", "korrespondanseparttype", "merknadstype"):  # fmt: skip
        with contextlib.suppress(Exception):
            codes.code_list(name)
    from .. import heap

    heap.settle()  # after the caches are filled: the workers fork from this heap


warm()
