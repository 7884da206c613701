"""``python -m referatbygg.service``: the service process itself (the client starts it)."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from ..cli import main as command
from . import wire
from .server import main

if __name__ == "__main__":
    idle = float(os.environ.get(wire.IDLE_ENV) or wire.DEFAULT_IDLE)
    pool = int(os.environ.get(wire.POOL_ENV) or max(2, os.cpu_count() or 2))
    ap = argparse.ArgumentParser(prog="referatbygg-service")
    ap.add_argument("--idle", type=float, default=idle)
    ap.add_argument("--pool", type=int, default=pool)
    args = ap.parse_args()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    sys.exit(main(args.idle, args.pool, command))
