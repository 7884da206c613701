"""How long a secretary waits, in the workbench, from saving an edit of the seed to seeing the
first page of the rebuilt minutes — side by side with the naive route (a new `referatbygg build
--no-service` process and pdftoppm for the page, as a script around the CLI would do it).

    .venv/bin/python bench/preview.py            # 5 edits each
    .venv/bin/python bench/preview.py 10

The workbench runs in this process (as `referatbygg serve` does): the edit is a POST of the
form, the build a job started by the page's button, the page image the preview's thumbnail; the
first build warms its LibreOffice, the timed ones follow. Prints a table, writes
bench/results/preview.json. Not part of the test run.
"""

from __future__ import annotations

import http.client
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from referatbygg.web.server import make_server, serve_in_thread  # noqa: E402

FILE = "politiradet/2023-01-13.toml"


class Bench:
    def __init__(self, folder: Path, out: Path) -> None:
        self.server, self.site = make_server(folder, out)
        serve_in_thread(self.server)
        self.head = {"Host": f"127.0.0.1:{self.site.port}",
                     "Origin": f"http://127.0.0.1:{self.site.port}",
                     "Cookie": f"referatbygg_token={self.site.token}"}  # fmt: skip

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.site.port, timeout=300)
        body = urlencode(form).encode() if form is not None else None
        headers = {**self.head, **({"Content-Type": "application/x-www-form-urlencoded"}
                                   if body is not None else {})}  # fmt: skip
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.read()

    def edit_and_preview(self, title: str) -> float:
        """Save a new title, build, wait for the job, fetch page 1: seconds."""
        _s, page = self.request("GET", f"/meeting?file={FILE}")
        digest = re.search(rb'name="digest" value="([0-9a-f]+)"', page)
        assert digest is not None
        started = time.perf_counter()
        status, _b = self.request(
            "POST",
            f"/meeting?file={FILE}",
            {"digest": digest.group(1).decode(), "items.0.title": title},
        )
        assert status == 200, status
        status, _b = self.request("POST", f"/build?file={FILE}&doc=referat", {})
        assert status == 303, status
        while True:
            _s, data = self.request("GET", f"/job?file={FILE}")
            job = json.loads(data)
            if not job["running"]:
                break
            time.sleep(0.05)
        assert job["error"] is None, job
        status, png = self.request("GET", f"/page?file={FILE}&doc=referat&n=1")
        assert status == 200 and png.startswith(b"\x89PNG")
        return time.perf_counter() - started

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.site.close()


def naive(folder: Path, out: Path, title: str) -> float:
    """The same edit by a script: rewrite the file, a new build process, pdftoppm."""
    path = folder / FILE
    started = time.perf_counter()
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r'title = "[^"]*"', f'title = "{title}"', text, count=1),
                    encoding="utf-8")  # fmt: skip
    subprocess.run([str(ROOT / ".venv/bin/referatbygg"), "build", "--no-service", str(path),
                    "--out", str(out)], check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    pdf = out / "politiradet-2023-01-13/referat.pdf"
    subprocess.run(["pdftoppm", "-f", "1", "-l", "1", "-r", "60", "-png", "-singlefile",
                    str(pdf), str(out / "side1")], check=True)  # fmt: skip
    return time.perf_counter() - started


def main() -> int:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    place = Path(tempfile.mkdtemp(prefix="referatbygg-bench-preview-"))
    try:
        shutil.copytree(ROOT / "meetings/politiradet", place / "m/politiradet")
        shutil.copytree(ROOT / "meetings/politiradet", place / "n/politiradet")
        bench = Bench(place / "m", place / "out")
        try:
            first = bench.edit_and_preview("Dagsorden godkjent (oppvarming)")
            page = [bench.edit_and_preview(f"Dagsorden godkjent {i}") for i in range(rounds)]
        finally:
            bench.close()
        cli = [naive(place / "n", place / "ut", f"Dagsorden godkjent {i}") for i in range(rounds)]
    finally:
        shutil.rmtree(place, ignore_errors=True)
    result = {
        "rounds": rounds,
        "workbench_first_s": round(first, 2),
        "workbench_median_s": round(statistics.median(page), 2),
        "workbench_max_s": round(max(page), 2),
        "naive_median_s": round(statistics.median(cli), 2),
        "naive_max_s": round(max(cli), 2),
    }
    print(f"{'route':<34}{'median':>9}{'max':>9}")
    print(
        f"{'workbench (warm), edit → page 1':<34}{result['workbench_median_s']:>8.2f}s"
        f"{result['workbench_max_s']:>8.2f}s   (first, warming: {first:.2f}s)"
    )
    print(
        f"{'naive: build process + pdftoppm':<34}{result['naive_median_s']:>8.2f}s"
        f"{result['naive_max_s']:>8.2f}s"
    )
    out = ROOT / "bench/results/preview.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
