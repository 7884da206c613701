"""referatbygg benchmarks, side by side with the naive route, in one run on one machine.

    .venv/bin/python bench/run.py            # full run (~10 min on 2 cores)
    .venv/bin/python bench/run.py --quick    # smaller batch and fewer repeats (~3 min)

Every scenario signs twice at PAdES B-LTA against a real TSA/OCSP/CRL service: the certomancer
test PKI served on 127.0.0.1 behind a counting proxy (so requests per meeting are measured).
Prints a table and writes bench/results/latest.json. Not part of the test run.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "bench"), str(ROOT / "tests")]

import testpki  # noqa: E402
from pki import P12_PASS, CertPki, Proxy  # noqa: E402

from meetings import generate  # noqa: E402
from referatbygg import heap, pipeline  # noqa: E402
from referatbygg.config import load_config  # noqa: E402
from referatbygg.tools import ghostscript, jvm, verapdf  # noqa: E402
from referatbygg.tools.libreoffice import WarmConverter, soffice  # noqa: E402

BIN = Path(sys.executable).parent


# --- helpers -------------------------------------------------------------------------------------


def sh(*args: str | Path, env: dict[str, str] | None = None, stdin: str | None = None) -> None:
    res = subprocess.run([str(a) for a in args], capture_output=True, text=True, input=stdin,
                         env={**os.environ, **(env or {})}, timeout=600)  # fmt: skip
    if res.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args))} failed: {res.stderr[-800:]}")


def hwm_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of a live process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


# --- scenarios -----------------------------------------------------------------------------------


# Warm-up meetings before the warm and service scenarios' measured ones: other meetings (their
# own seed), so that LibreOffice, the caches and the JVM's JIT have seen varied work. Three runs
# of one meeting left the JIT compiling during the measured runs (falling from 1.20 to 1.02 s).
WARMUPS = 6


def ours_warm(
    files: list[Path], warmups: list[Path], config: Any, work: Path, proxy: Proxy
) -> dict[str, Any]:
    """One process, LibreOffice and the veraPDF engine warm: pipeline.run per meeting."""
    heap.settle("referatbygg.pipeline")  # as the CLI does before any heavy command
    conv = WarmConverter()
    conv.start()
    times, stages, requests, gate = [], [], [], []
    engine = verapdf.validator()
    spent = [0.0]
    real_run = engine._run

    def timed_run(*args: Any) -> Any:  # the PDF/A gate: time inside veraPDF's engine
        t0 = time.monotonic()
        try:
            return real_run(*args)
        finally:
            spent[0] += time.monotonic() - t0

    engine._run = timed_run  # type: ignore[method-assign]
    try:
        for n, file in enumerate(warmups):  # LibreOffice, the JVM's JIT, caches
            pipeline.run(file, work / f"warmup{n}", config, converter=conv)
        for i, file in enumerate(files):
            marks: list[tuple[float, str]] = []
            before = sum(proxy.counts.values())
            spent[0] = 0.0
            started = time.monotonic()
            pipeline.run(file, work / f"warm{i}", config, converter=conv,
                         progress=_recorder(marks))  # fmt: skip
            ended = time.monotonic()
            times.append(ended - started)
            gate.append(spent[0])
            requests.append(sum(proxy.counts.values()) - before)
            stages.append(_stages(started, marks, ended))
        office = [p.pid for p in _office_processes(conv)]
        lo_mb = max((hwm_mb(pid) for pid in office), default=0.0)
        jvm_mb = hwm_mb(engine.server._proc.pid) if engine.server._proc else 0.0
    finally:
        conv.close()
    return {
        "median_s": median(times), "runs": times, "requests_per_meeting": median(requests),
        "pdfa_gate_s": median(gate),
        "stages_s": {k: median([s.get(k, 0.0) for s in stages]) for k in stages[0]},
        "rss_main_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_libreoffice_mb": lo_mb, "rss_verapdf_jvm_mb": jvm_mb,
    }  # fmt: skip


def _recorder(marks: list[tuple[float, str]]) -> Any:
    return lambda message: marks.append((time.monotonic(), message))


def _office_processes(conv: WarmConverter) -> list[Any]:
    from referatbygg.tools import proc

    return [p for p in proc.processes("soffice.bin") if p.pgrp == conv.pid and p.state != "Z"]


def _stages(started: float, marks: list[tuple[float, str]], ended: float) -> dict[str, float]:
    """Seconds per stage, from the progress messages' timestamps."""
    groups = {"build": "build", "sign": "sign", "final": "timestamp", "archive": "archive"}
    out: dict[str, float] = {}
    bounds = [*marks, (ended, "end")]
    for (t0, msg), (t1, _next) in itertools.pairwise(bounds):
        key = groups.get(msg.split(":")[0].split(" ")[0], "other")
        if msg.startswith("build: convert") or msg.startswith("build: merge"):
            key = "convert+merge"
        elif msg.startswith("build: validate"):
            key = "validate"
        out[key] = out.get(key, 0.0) + (t1 - t0)
    out["total"] = ended - started
    return out


def ours_cold(files: list[Path], cfg_file: Path, work: Path) -> dict[str, Any]:
    """A fresh `referatbygg run` process per meeting, no service, LibreOffice cold."""
    times = []
    for i, file in enumerate(files):
        started = time.monotonic()
        sh(BIN / "referatbygg", "run", file, "--out", work / f"cold{i}", "--config", cfg_file,
           "--converter", "cold", "-q", "--no-service")  # fmt: skip
        times.append(time.monotonic() - started)
    return {"median_s": median(times), "runs": times}


def ours_service(
    files: list[Path], warmups: list[Path], cfg_file: Path, work: Path
) -> dict[str, Any]:
    """A fresh `referatbygg run` process per meeting, handed to the background service:
    "with service" when it runs already (after the warm-up meetings), "first call" when it
    does not (the command starts it)."""
    env = {"REFERATBYGG_SERVICE": "on", "REFERATBYGG_RUNTIME_DIR": str(work / "service-run")}

    def run(file: Path, out: Path) -> float:
        started = time.monotonic()
        sh(BIN / "referatbygg", "run", file, "--out", out, "--config", cfg_file, "-q", env=env)
        return time.monotonic() - started

    first, served = [], []
    try:
        for i, file in enumerate(files):
            sh(BIN / "referatbygg", "service", "stop", env=env)
            first.append(run(file, work / f"first{i}"))
        for n, file in enumerate(warmups):  # as the in-process warm scenario gets
            run(file, work / f"service-warmup{n}")
        served = [run(file, work / f"service{i}") for i, file in enumerate(files)]
    finally:
        sh(BIN / "referatbygg", "service", "stop", env=env)
    return {"median_s": median(served), "runs": served,
            "first_call_median_s": median(first), "first_call_runs": first}  # fmt: skip


def verapdf_once(pdf: Path) -> None:
    """veraPDF as a command-line user runs it: a new JVM for one file (the engine's own CLI is
    not in the wheel; our driver with one request does the same work)."""
    program = verapdf.program()
    cp = ":".join([*(str(j) for j in program.classpath), str(jvm.compiled(program))])
    subprocess.run(
        ["java", *program.options, "-cp", cp, program.name], input=f"2b\t{pdf}\n",
        capture_output=True, text=True, check=True,
    )  # fmt: skip


def naive(files: list[Path], pki: CertPki, work: Path, proxy: Proxy) -> dict[str, Any]:
    """What a user would script: soffice per document, gs per PDF attachment, pdfunite, the
    pyhanko CLI per signature and for the timestamp, veraPDF (a JVM) per PDF, bagit.py, zip."""
    lo_profile = (work / "lo-profile").as_uri()
    export = 'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}'
    pyhanko_cfg = work / "pyhanko.yml"
    pyhanko_cfg.write_text(
        f"validation-contexts:\n  bench:\n    trust: {pki.cert('root')}\n"
        f"    other-certs: {pki.cert('interm')}\n"
    )
    passfile = work / "pass"
    passfile.write_text(P12_PASS)
    tsa = f"{pki.url}/testing-ca/tsa/tsa"
    icc = ghostscript.srgb_profile()
    pdfa_def = work / "pdfa_def.ps"
    pdfa_def.write_text(ghostscript.PDFA_DEF.format(title="(Vedlegg)", icc=icc))
    times, requests = [], []
    for i, file in enumerate(files):
        d = work / f"naive{i}"
        d.mkdir()
        # The docx is rendered by referatbygg, untimed: the naive route starts from a docx.
        result = pipeline.build(file, d / "docx", pdf=False)
        docx = result.docx
        before = sum(proxy.counts.values())
        started = time.monotonic()
        sh(soffice(), "--headless", f"-env:UserInstallation={lo_profile}", "--convert-to", export,
           "--outdir", d, docx)  # fmt: skip
        sh(soffice(), "--headless", f"-env:UserInstallation={lo_profile}", "--convert-to", export,
           "--outdir", d, file.parent / "vedlegg/politiradsavtale-2023-2025.docx")  # fmt: skip
        sh("gs", "-q", "-dBATCH", "-dNOPAUSE", "-dSAFER", "-dPDFA=2", "-dPDFACompatibilityPolicy=1",
           "-sDEVICE=pdfwrite", "-sColorConversionStrategy=RGB", f"--permit-file-read={icc}",
           f"-sOutputFile={d / 'brief.pdf'}", pdfa_def, file.parent / "vedlegg/situasjonsbrief.pdf",
           env={"TZ": "Europe/Oslo"})  # fmt: skip
        sh("pdfunite", d / "referat.pdf", d / "brief.pdf", d / "politiradsavtale-2023-2025.pdf",
           d / "merged.pdf")  # fmt: skip
        sh(BIN / "pyhanko", "sign", "addfields", "--resave",
           "--field", "1/70,60,296,120/byradsleder",
           "--field", "1/320,60,546,120/politimester", d / "merged.pdf",
           d / "fields.pdf")  # fmt: skip
        signed = d / "fields.pdf"
        for n, role in enumerate(("byradsleder", "politimester")):
            out = d / f"signed{n}.pdf"
            sh(BIN / "pyhanko", "--config", pyhanko_cfg, "sign", "addsig", "--field", role,
               "--timestamp-url", tsa, "--use-pades", "--with-validation-info",
               "--validation-context", "bench", "--no-strict-syntax",
               *(["--certify"] if n == 0 else []),
               "pkcs12", "--passfile", passfile, signed, out, pki.pfx(role))  # fmt: skip
            signed = out
        final = d / "final.pdf"
        sh(BIN / "pyhanko", "--config", pyhanko_cfg, "sign", "timestamp", "--timestamp-url", tsa,
           "--validation-context", "bench", signed, final)  # fmt: skip
        signed = final
        for pdf in (signed, d / "brief.pdf", d / "politiradsavtale-2023-2025.pdf"):
            verapdf_once(pdf)
        bag = d / "bag"
        bag.mkdir()
        for pdf in (signed, d / "brief.pdf", d / "politiradsavtale-2023-2025.pdf", docx):
            shutil.copy(pdf, bag)
        sh(BIN / "bagit.py", "--sha256", "--sha512", bag)
        sh("python3", "-m", "zipfile", "-c", d / "bag.zip", bag)
        times.append(time.monotonic() - started)
        requests.append(sum(proxy.counts.values()) - before)
    return {"median_s": median(times), "runs": times, "requests_per_meeting": median(requests)}


def batch(folder: Path, cfg_file: Path, work: Path, jobs: int, proxy: Proxy) -> dict[str, Any]:
    before = sum(proxy.counts.values())
    started = time.monotonic()
    res = subprocess.run(
        [BIN / "referatbygg", "batch", folder, "--out", work / f"batch{jobs}", "--config", cfg_file,
         "--jobs", str(jobs), "--json", "--no-service"],
        capture_output=True, text=True, timeout=3600,
    )  # fmt: skip
    seconds = time.monotonic() - started
    data = json.loads(res.stdout)
    n = len(data["meetings"])
    return {
        "meetings": n, "failed": sum(not m["ok"] for m in data["meetings"]), "seconds": seconds,
        "meetings_per_minute": n / seconds * 60,
        "peak_rss_worker_mb": max(m["rss_mb"] for m in data["meetings"]),
        "requests_per_meeting": (sum(proxy.counts.values()) - before) / n,
    }  # fmt: skip


# --- main ---------------------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="20-meeting batch, 3 repeats")
    ap.add_argument("--repeats", type=int, default=5, help="runs per single-meeting scenario")
    ap.add_argument("--batch", type=int, default=100, help="meetings in the batch scenario")
    args = ap.parse_args()
    repeats, batch_n = (3, 20) if args.quick else (args.repeats, args.batch)

    work = Path(tempfile.mkdtemp(prefix="referatbygg-bench-"))
    stack = contextlib.ExitStack()
    signing = stack.enter_context(testpki.serving(work))
    pki, proxy, cfg_file = signing.pki, signing.proxy, signing.config
    config = load_config(cfg_file)
    results: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(), "platform": platform.platform(),
            "python": platform.python_version(),
            "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        },
        "date": time.strftime("%Y-%m-%d %H:%M"), "repeats": repeats, "warmups": WARMUPS,
    }  # fmt: skip
    try:
        singles = generate(work / "singles", repeats)
        warmups = generate(work / "warmups", WARMUPS, seed=7)
        print(f"warm: {repeats} meetings, one process, LibreOffice and veraPDF warm …", flush=True)
        results["ours_warm"] = ours_warm(singles, warmups, config, work, proxy)
        print("cold: a fresh process per meeting …", flush=True)
        results["ours_cold"] = ours_cold(singles, cfg_file, work)
        print("service: a fresh process per meeting, the background service warm / starting …",
              flush=True)  # fmt: skip
        results["ours_service"] = ours_service(singles, warmups, cfg_file, work)
        print("naive: soffice, gs, pdfunite, pyhanko CLI, veraPDF, bagit per meeting …", flush=True)
        results["naive"] = naive(singles, pki, work, proxy)
        many = generate(work / "batch", batch_n)
        for jobs in (1, 2):
            print(f"batch: {batch_n} meetings, --jobs {jobs} …", flush=True)
            results[f"batch_jobs{jobs}"] = batch(many[0].parent, cfg_file, work, jobs, proxy)
    finally:
        stack.close()
        verapdf.stop()
    results["naive_meetings_per_minute"] = 60 / results["naive"]["median_s"]
    results["request_kinds"] = dict(proxy.counts)
    out = ROOT / "bench/results/latest.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print_table(results)
    print(f"\nwrote {out}  (work folder {work})")
    return 0


def print_table(r: dict[str, Any]) -> None:
    w, c, n, sv = r["ours_warm"], r["ours_cold"], r["naive"], r["ours_service"]
    b1, b2 = r["batch_jobs1"], r["batch_jobs2"]
    ns = n["median_s"]
    rows = [
        ("one meeting, in-process warm (s)", f"{w['median_s']:.2f}", f"{ns:.2f}",
         f"{ns / w['median_s']:.1f}×"),
        ("one meeting, CLI with service (s)", f"{sv['median_s']:.2f}", f"{ns:.2f}",
         f"{ns / sv['median_s']:.1f}×"),
        ("one meeting, CLI first call (s)", f"{sv['first_call_median_s']:.2f}", f"{ns:.2f}",
         f"{ns / sv['first_call_median_s']:.1f}×"),
        ("one meeting, CLI cold, no service (s)", f"{c['median_s']:.2f}", f"{ns:.2f}",
         f"{ns / c['median_s']:.1f}×"),
        ("TSA/OCSP/CRL requests per meeting", f"{w['requests_per_meeting']:.0f}",
         f"{n['requests_per_meeting']:.0f}", ""),
        (f"batch of {b1['meetings']}, meetings/min", f"{b1['meetings_per_minute']:.1f} (-j1) / "
         f"{b2['meetings_per_minute']:.1f} (-j2)", f"{r['naive_meetings_per_minute']:.1f}",
         f"{b2['meetings_per_minute'] / r['naive_meetings_per_minute']:.1f}× (-j2)"),
        ("peak RSS (MB)", f"main {w['rss_main_mb']:.0f}, worker {b2['peak_rss_worker_mb']:.0f}, "
         f"LibreOffice {w['rss_libreoffice_mb']:.0f}, "
         f"veraPDF JVM {w['rss_verapdf_jvm_mb']:.0f}",
         "", ""),
    ]  # fmt: skip
    print(f"\n{'':40} {'referatbygg':44} {'naive':8} ratio")
    for label, ours, naive_v, ratio in rows:
        print(f"{label:40} {ours:44} {naive_v:8} {ratio}")
    print(f"\nPDF/A gate (time in veraPDF's engine) per warm meeting: {w['pdfa_gate_s']:.3f} s")
    print("\nwarm run, seconds per stage (median):")
    for stage, secs in w["stages_s"].items():
        print(f"  {stage:16} {secs:.3f}")


if __name__ == "__main__":
    sys.exit(main())
