"""heap.settle: the import-time heap frozen once, in the process that will do the work; and the
veraPDF engine's compilers chosen by how long its JVM lives (verapdf.program)."""

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
from referatbygg.tools import verapdf
cli.main(sys.argv[1:])
print(gc.get_freeze_count(), verapdf._JIT)
"""

    def frozen(*argv: str) -> tuple[int, str]:
        out = subprocess.run(
            [sys.executable, "-c", probe, *argv],
            capture_output=True,
            text=True,
            env={"REFERATBYGG_SERVICE": "off", "PATH": "/usr/bin"},
        )
        count, jit = out.stdout.strip().splitlines()[-1].split()
        return int(count), jit

    # A one-shot heavy command: heap frozen, its own JVM (if any) with the quick compiler.
    count, jit = frozen("verify", "/nonexistent.pdf")
    assert count > 0 and jit == "quick"
    assert frozen("schema") == (0, "full")


def test_the_quick_engine_has_only_the_first_compiler() -> None:
    from referatbygg.tools import verapdf

    assert "-XX:TieredStopAtLevel=1" in verapdf.program("quick").options
    assert not any("Tiered" in o for o in verapdf.program("full").options)
