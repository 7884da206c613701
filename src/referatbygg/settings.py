"""Settings from the environment, read each time they are asked for — never at import.

The background service forks each command from a process that started long before, with its
own environment; the command runs with the client's (service/child.py). A limit read once at
import would be the service's, and the same command would answer differently through the
service than in-process. A value that is not what the variable takes is an input error that
names the variable, not a traceback.
"""

from __future__ import annotations

import os

from .errors import InputError

MB = 1024 * 1024


def _whole(name: str, default: int, unit: str) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    text = raw.strip()
    if not text.isascii() or not text.isdigit():
        raise InputError(
            f"{name}={raw!r} is not a whole number of {unit}",
            hint=f"give a whole number ≥ 0 (default: {default}), or unset {name}",
        )
    return int(text)


def attachment_limit() -> int:
    """Bytes an attachment (and a template) may have: REFERATBYGG_MAX_ATTACHMENT_MB, 200."""
    return _whole("REFERATBYGG_MAX_ATTACHMENT_MB", 200, "megabytes") * MB


def pdf_limit() -> int:
    """Bytes of a built, signed PDF given on the command line: four attachments' worth."""
    return 4 * attachment_limit()


def image_pixels() -> int:
    """Pixels an image attachment may have: REFERATBYGG_MAX_IMAGE_MEGAPIXELS, 120 million."""
    return _whole("REFERATBYGG_MAX_IMAGE_MEGAPIXELS", 120, "megapixels") * 1_000_000


def trust_ttl() -> float:
    """Seconds a process keeps its validation context: REFERATBYGG_TRUST_TTL, 600."""
    return float(_whole("REFERATBYGG_TRUST_TTL", 600, "seconds"))


def check_all() -> None:
    """Every setting read once: a command refuses a bad value before it starts work."""
    attachment_limit()
    image_pixels()
    trust_ttl()
