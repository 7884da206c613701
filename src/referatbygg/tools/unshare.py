"""util-linux's unshare: a program run with no network at all.

A new network namespace has one interface, a loopback that is down: nothing inside can reach
any address, 127.0.0.1 included. An unprivileged user may enter one inside a user namespace
that maps them to root there (``--map-root-user``), where the kernel allows user namespaces
(Debian and most distributions do; some containers do not). Where it does not, :func:`prefix`
is empty and the program runs as it would — LibreOffice's own configuration still keeps it
from fetching (tools/libreoffice.py).
"""

from __future__ import annotations

import functools
import logging
import shutil
import subprocess

log = logging.getLogger(__name__)


@functools.cache
def prefix() -> tuple[str, ...]:
    """The arguments that put a command in a namespace of its own without network (the
    command itself is exec'd there: its process, its process group), or () where the platform
    does not allow it. Tried once per process."""
    tool = shutil.which("unshare")
    if tool is None:
        return ()
    argv = (tool, "--net", "--map-root-user")
    try:
        res = subprocess.run([*argv, "true"], capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ()
    if res.returncode != 0:
        log.info("no network namespace here: %s", res.stderr.decode(errors="replace").strip())
        return ()
    return argv
