"""A batch worker's memory over many meetings: it must stay flat.

``referatbygg batch --jobs 2`` over N generated meetings (the seed's size and shape, each built,
signed twice at PAdES B-LTA against the test PKI on 127.0.0.1, and archived), as a user runs it.
While it runs, every 2 s the resident memory of each worker is read with its LibreOffice and
veraPDF JVM (its whole process tree); each outcome says which worker ran it and that worker's
peak so far. Prints the curve (per worker: after its k-th meeting) and writes
bench/results/memory.json. Not part of the test run.

    .venv/bin/python bench/memory.py               # 1,000 meetings (~15 min on 2 cores)
    .venv/bin/python bench/memory.py --meetings 100
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "bench")]

import testpki  # noqa: E402

from meetings import generate  # noqa: E402

BIN = Path(sys.executable).parent
MARKS = (1, 10, 25, 50, 100, 200, 300, 400, 500)


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def children(pid: int) -> list[int]:
    """Children of every thread of ``pid`` (LibreOffice and the JVM start from pool threads;
    /proc lists a child under the thread that started it)."""
    found = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += (task / "children").read_text().split()
    except OSError:
        pass
    return [int(p) for p in found]


def tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children(p)
    return out


def sample(batch: subprocess.Popen[str], into: dict[int, list[tuple[float, float, float]]]) -> None:
    """Each worker's own memory and its tree's (LibreOffice, the JVM), every 2 s."""
    started = time.monotonic()
    while batch.poll() is None:
        for worker in children(batch.pid):
            whole = sum(rss_mb(p) for p in tree(worker))
            into[worker].append((round(time.monotonic() - started, 1), rss_mb(worker), whole))
        time.sleep(2)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--meetings", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="referatbygg-memory-"))
    samples: dict[int, list[tuple[float, float, float]]] = defaultdict(list)
    with testpki.serving(work) as signing:
        folder = generate(work / "meetings", args.meetings)[0].parent
        started = time.monotonic()
        batch = subprocess.Popen(
            [BIN / "referatbygg", "batch", folder, "--out", work / "out", "--config",
             signing.config, "--jobs", str(args.jobs), "--json", "--no-service", "-q"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        watcher = threading.Thread(target=sample, args=(batch, samples), daemon=True)
        watcher.start()
        out, err = batch.communicate()
        seconds = time.monotonic() - started
        watcher.join()
    data = json.loads(out)
    meetings = data["meetings"]
    failed = [m for m in meetings if not m["ok"]]
    per_worker: dict[int, list[float]] = defaultdict(list)
    for m in meetings:  # in input order; each worker's in the order it ran them, near enough
        per_worker[m["worker"]].append(m["rss_mb"])
    curves = {w: sorted(v) for w, v in per_worker.items()}  # a peak only grows: sorted = in time
    result = {
        "date": time.strftime("%Y-%m-%d %H:%M"), "meetings": len(meetings), "jobs": args.jobs,
        "failed": len(failed), "first_failures": [m["message"] for m in failed[:5]],
        "seconds": round(seconds), "peak_rss_by_meetings_done": {
            str(w): {str(k): round(c[k - 1]) for k in (*MARKS, len(c)) if k <= len(c)}
            for w, c in curves.items()
        },
        "tree_rss_samples": {str(w): s for w, s in samples.items()},
    }  # fmt: skip
    target = ROOT / "bench/results/memory.json"
    target.write_text(json.dumps(result, indent=1))
    print(f"{len(meetings)} meetings, --jobs {args.jobs}, {len(failed)} failed, {seconds:.0f} s")
    for w, c in curves.items():
        points = [f"{k}: {c[k - 1]:.0f}" for k in (*MARKS, len(c)) if k <= len(c)]
        tree_mb = [s[2] for s in samples.get(w, [])]
        span = f"; its tree {min(tree_mb):.0f}–{max(tree_mb):.0f} MB" if tree_mb else ""
        print(f"worker {w}: peak RSS (MB) after k meetings — {', '.join(points)}{span}")
    print(f"wrote {target}")
    if err.strip() and failed:
        print(err[-2000:], file=sys.stderr)
    return 0 if not failed else 1


if __name__ == "__main__":
    raise SystemExit(main())
