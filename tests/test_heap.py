"""heap.settle: the import-time heap frozen once, in the process that will do the work."""

import subprocess
import sys

CODE = """
import gc, sys
from referatbygg import heap
assert gc.get_freeze_count() == 0
heap.settle("referatbygg.pipeline")
assert "referatbygg.pipeline" in sys.modules
frozen = gc.get_freeze_count()
assert frozen > 100_000, frozen  # the stack's objects, not a handful
heap.settle("json")
assert gc.get_freeze_count() == frozen  # once per process
"""


def test_settle_freezes_the_imported_stack_once() -> None:
    subprocess.run([sys.executable, "-c", CODE], check=True)


def test_heavy_commands_settle_cheap_ones_do_not() -> None:
    probe = """
import gc, sys
from referatbygg import cli
cli.main(sys.argv[1:])
print(gc.get_freeze_count())
"""

    def frozen(*argv: str) -> int:
        out = subprocess.run(
            [sys.executable, "-c", probe, *argv],
            capture_output=True,
            text=True,
            env={"REFERATBYGG_SERVICE": "off", "PATH": "/usr/bin"},
        )
        return int(out.stdout.strip().splitlines()[-1])

    assert frozen("verify", "/nonexistent.pdf") > 0
    assert frozen("schema") == 0
