"""How long `referatbygg check` takes, as the user feels it (a new process each time), side by
side with an earlier version of referatbygg (the route before: everything imported up front, and
problem locations found by a search per problem).

    .venv/bin/python bench/check.py                  # against the commit before lazy imports
    .venv/bin/python bench/check.py --baseline REV   # against any other commit

Files: the seed meeting, and generated meetings with 1 000 and 10 000 problems (every agenda
item numbered 1: one duplicate-number error each). Prints a table and writes
bench/results/check.json. Not part of the test run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "meetings/politiradet/2023-01-13.toml"
# The last commit before issue 13's work: eager imports, a line search per problem.
BASELINE = "2360c88"
BODY = """\
id = "benk"
name = "Benkutvalget"
organisation = "Test kommune"

[[signatories]]
role = "leder"
title = "Leder"
"""


def problems_file(folder: Path, count: int) -> Path:
    """A meeting whose ``count`` + 1 items all have number 1: ``count`` errors."""
    (folder / "organ.toml").write_text(BODY, encoding="utf-8")
    items = "".join(
        f'\n[[items]]\nnumbers = [1]\ntitle = "Sak {n}"\ntext = "Tekst til sak {n}."\n'
        for n in range(count + 1)
    )
    path = folder / f"feil-{count}.toml"
    path.write_text("date = 2024-03-01\n" + items, encoding="utf-8")
    return path


def timed(src: Path, meeting: Path, repeats: int, limit: float) -> dict[str, object]:
    """Median wall time of ``check`` in a fresh process, with ``src`` as the package."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    runs: list[float] = []
    code = None
    for _ in range(repeats):
        started = time.perf_counter()
        try:
            res = subprocess.run(
                [sys.executable, "-m", "referatbygg", "check", str(meeting)],
                env=env, capture_output=True, timeout=limit, cwd=meeting.parent,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            return {"seconds": None, "note": f"over {limit:.0f} s (stopped)"}
        runs.append(time.perf_counter() - started)
        code = res.returncode
        if runs[-1] > 20:  # one slow run says enough
            break
    return {"seconds": round(statistics.median(runs), 3), "runs": len(runs), "exit": code}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--baseline", default=BASELINE, help=f"commit to compare (default {BASELINE})")
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--limit", type=float, default=300, help="seconds before a run is stopped")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-check-") as tmp:
        work = Path(tmp)
        old = work / "baseline"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(old),
                        args.baseline], check=True)  # fmt: skip
        try:
            files = {"seed": SEED}
            for count in (1_000, 10_000):
                folder = work / f"p{count}"
                folder.mkdir()
                files[f"{count:,} problems"] = problems_file(folder, count)
            rows = {}
            for label, meeting in files.items():
                rows[label] = {
                    "ours": timed(ROOT / "src", meeting, args.repeats, args.limit),
                    "baseline": timed(old / "src", meeting, args.repeats, args.limit),
                }
                print(f"{label:16} ours {rows[label]['ours']}  baseline {rows[label]['baseline']}",
                      flush=True)  # fmt: skip
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)],
                           check=False)  # fmt: skip

    result = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "baseline": args.baseline,
        "check": rows,
    }  # fmt: skip
    out = ROOT / "bench/results/check.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"\n{'file':16} {'ours':>10} {'baseline':>12}")
    for label, row in rows.items():

        def cell(r: dict[str, object]) -> str:
            return f"{r['seconds']:.2f} s" if r.get("seconds") is not None else str(r.get("note"))

        print(f"{label:16} {cell(row['ours']):>10} {cell(row['baseline']):>12}")
    print(f"(wrote {out.relative_to(ROOT)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
