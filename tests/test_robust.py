"""Careless and hostile input, and a hostile machine: what `check` accepts, `build` builds; what it
refuses, the build refuses too, leaving earlier outputs byte-identical; nothing ends in an internal
error (exit 70); a full disk, a kill, a closed pipe are reported for what they are."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import malformed
import pytest

from referatbygg import cli
from referatbygg.errors import ConversionError, ExitCode

MEETING_ID = "testorgan-m"


def main(*args: str | Path) -> tuple[int, str, str]:
    """The command line, in this process (the corpus is large): exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


def snapshot(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` (the scratch folder work/ aside) by its SHA-256."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "work" not in p.relative_to(folder).parts
    }


@pytest.fixture(scope="module")
def previous(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folder of a successful build of the valid meeting: the 'previous outputs'."""
    base = tmp_path_factory.mktemp("previous")
    meeting = malformed.make(base / "m")
    code, _, err = main("build", "-q", meeting, "--out", base / "out")
    assert code == 0, err
    return base / "out"


@pytest.mark.parametrize("case", sorted(malformed.CASES))
def test_check_accepts_only_what_build_builds(case: str, previous: Path, tmp_path: Path) -> None:
    meeting = malformed.make(tmp_path / "m")
    malformed.CASES[case](tmp_path / "m")
    out = tmp_path / "out"
    shutil.copytree(previous, out)
    before = snapshot(out)

    checked, stdout, stderr = main("check", meeting)
    assert checked in (ExitCode.ok, ExitCode.input_error, ExitCode.check_failed), stderr
    assert "Traceback" not in stdout + stderr and "internal error" not in stderr

    built, _, build_err = main("build", "-q", meeting, "--out", out)
    assert "Traceback" not in build_err and "internal error" not in build_err
    if checked == ExitCode.ok:
        assert built == ExitCode.ok, f"check OK, build fails: {build_err}"
        assert (out / MEETING_ID / "referat.pdf").is_file()
    else:
        # Every error names where it is: the file and, for values, the line.
        message = stderr if checked == ExitCode.input_error else stdout
        assert ".toml" in message
        assert built == checked, build_err
        assert snapshot(out) == before, "a refused build changed the previous outputs"
        assert not (out / MEETING_ID / "work").exists()


def test_the_service_builds_the_corpus_as_in_process(previous: Path, tmp_path: Path) -> None:
    """Every case of the corpus built as a user's command through the background service
    (two at a time): the same outcome as `check` in this process says — which is what the
    in-process build gives (the test above) — and a refused build leaves the previous outputs
    as they were. The service stands for the command: its answer may not differ."""
    import concurrent.futures

    runtime = tmp_path / "run"
    env = {**os.environ, "REFERATBYGG_SERVICE": "on", "REFERATBYGG_RUNTIME_DIR": str(runtime)}
    rb = str(Path(sys.executable).parent / "referatbygg")
    started = subprocess.run([rb, "service", "start", "--pool", "2"], env=env,
                             capture_output=True, text=True, timeout=300)  # fmt: skip
    assert started.returncode == 0, started.stderr

    cases = {}
    for case in sorted(malformed.CASES):  # here, one at a time (main() redirects sys.stdout)
        meeting = malformed.make(tmp_path / case / "m")
        malformed.CASES[case](tmp_path / case / "m")
        shutil.copytree(previous, tmp_path / case / "out")
        cases[case] = (meeting, main("check", meeting)[0], snapshot(tmp_path / case / "out"))

    def one(case: str) -> str | None:
        meeting, checked, before = cases[case]
        out = tmp_path / case / "out"
        res = subprocess.run([rb, "build", "-q", str(meeting), "--out", str(out)], env=env,
                             capture_output=True, text=True, timeout=600)  # fmt: skip
        if "Traceback" in res.stderr or "internal error" in res.stderr:
            return f"{case}: {res.stderr[-400:]}"
        if "running it here" in res.stderr or "running here" in res.stderr:
            return f"{case}: not built by the service: {res.stderr[-300:]}"
        if res.returncode != checked:
            return f"{case}: check {checked}, build through the service {res.returncode}"
        if checked != ExitCode.ok and snapshot(out) != before:
            return f"{case}: a refused build changed the previous outputs"
        return None

    try:
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            differ = [d for d in pool.map(one, cases) if d]
        status = subprocess.run([rb, "service", "status", "--json"], env=env,
                                capture_output=True, text=True, timeout=60)  # fmt: skip
        served = json.loads(status.stdout)["served"]
    finally:
        subprocess.run([rb, "service", "stop"], env=env, capture_output=True, timeout=300)
    assert not differ, "\n".join(differ)
    assert served >= len(malformed.CASES)


def test_corpus_covers_the_reported_cases() -> None:
    names = set(malformed.CASES)
    for prefix in ("xml-", "control-", "long-", "date-", "deep-", "attachment-", "body-"):
        assert any(n.startswith(prefix) for n in names), prefix
    for name in ("bom", "attachment-symlink-out", "attachment-fifo", "body-etc-shadow",
                 "body-dev-zero", "image-bomb", "unntatt-in-standing-text", "nul-in-path",
                 "huge-text", "many-abbreviations", "control-exempt"):  # fmt: skip
        assert name in names


def test_root_widens_the_tree(tmp_path: Path) -> None:
    """An attachment one folder up is refused by default and accepted under --root."""
    meeting = malformed.make(tmp_path / "m")
    malformed.CASES["attachment-dotdot"](tmp_path / "m")
    assert main("check", meeting)[0] == ExitCode.check_failed
    code, out, _ = main("check", meeting, "--root", tmp_path)
    assert code == ExitCode.ok, out
    # batch and new --from take the same tree (a meeting run --root accepts, they accept).
    code, out, _ = main("batch", meeting, "--build-only", "--root", tmp_path, "--out",
                        tmp_path / "out", "--jobs", "1", "--no-service")  # fmt: skip
    assert code == ExitCode.ok, out
    code, out, _ = main("new", meeting.with_name("2099-01-01.toml"), "--from", meeting,
                        "--root", tmp_path)  # fmt: skip
    assert code == ExitCode.ok, out


def test_a_clock_outside_zip_s_years_stamps_the_nearest_end(tmp_path: Path) -> None:
    """A zip holds the years 1980..2107: files dated 1970 or 2200 (a machine with a wrong
    clock) are zipped with the nearest year, not refused with a traceback."""
    import os
    import zipfile

    from referatbygg.fsutil import write_zip

    folder = tmp_path / "bag"
    folder.mkdir()
    for name, when in (("old.txt", 0), ("new.txt", 7258118400)):  # 1970, 2200
        (folder / name).write_text(name)
        os.utime(folder / name, (when, when))
    target = write_zip(folder, tmp_path / "bag.zip", Path("bag"))
    with zipfile.ZipFile(target) as zf:
        years = sorted(i.date_time[0] for i in zf.infolist())
        assert years == [1980, 2107] and zf.testzip() is None


# --- a failed build leaves the previous outputs as they were -----------------------------------


def _fresh(previous: Path, tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    meeting = malformed.make(tmp_path / "m")
    # A changed meeting: the rebuild would replace every output.
    malformed.CHANGED(meeting.parent)
    out = tmp_path / "out"
    shutil.copytree(previous, out)
    return meeting, out, snapshot(out)


def test_failed_conversion_leaves_previous_outputs(
    previous: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from referatbygg.tools import ghostscript

    def broken(*_args: object, **_kw: object) -> None:
        raise ConversionError("Ghostscript failed (simulated)")

    monkeypatch.setattr(ghostscript, "to_pdfa", broken)
    meeting, out, before = _fresh(previous, tmp_path)
    code, _, err = main("build", "-q", meeting, "--out", out)
    # The attachment that could not be converted is named (and is what the user can change).
    assert code == ExitCode.input_error, err
    assert "attachment 'Brev'" in err and "simulated" in err
    assert snapshot(out) == before
    assert not (out / MEETING_ID / "work").exists()


def test_failed_validation_leaves_previous_outputs(
    previous: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from referatbygg.pdf import pdfa

    real = pdfa.validate

    def strict(pdf: Path, *args: object, **kw: object) -> pdfa.PdfaReport:
        report = real(pdf, *args, **kw)  # type: ignore[arg-type]
        if Path(pdf).name == "referat.pdf":
            report.valid = False
            report.summary = "simulated failure"
        return report

    monkeypatch.setattr(pdfa, "validate", strict)
    meeting, out, before = _fresh(previous, tmp_path)
    code, _, err = main("build", "-q", meeting, "--out", out)
    assert code == ExitCode.validation, err
    assert "Nothing was replaced" in err
    assert snapshot(out) == before


def test_killed_build_leaves_previous_outputs(previous: Path, tmp_path: Path) -> None:
    meeting, out, before = _fresh(previous, tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "referatbygg", "build", str(meeting), "--out", str(out)],
        stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    assert proc.stderr is not None
    for line in proc.stderr:
        if "convert attachment" in line:  # the build is under way, in its work folder
            break
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert snapshot(out) == before
    # The next build starts from a clean work folder and replaces everything.
    code, _, err = main("build", "-q", meeting, "--out", out)
    assert code == 0, err
    assert snapshot(out) != before
    assert not (out / MEETING_ID / "work").exists()


DISK_FULL = textwrap.dedent("""
    import contextlib, io, json, os, subprocess, sys
    from pathlib import Path
    sys.path.insert(0, sys.argv[1])
    import malformed
    from referatbygg import cli

    disk = Path(sys.argv[2])
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(disk)], check=True)
    meeting = malformed.make(disk / "m")
    out = disk / "out"

    def build():
        err = io.StringIO()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            code = cli.main(["build", "-q", str(meeting), "--out", str(out)])
        return code, err.getvalue()

    def files():
        return {str(p.relative_to(out)): p.read_bytes().hex() for p in sorted(out.rglob("*"))
                if p.is_file() and "work" not in p.parts}

    first = build()
    before = files()
    malformed.CHANGED(meeting.parent)
    with open(disk / "fyll", "wb") as fh:  # leave ~20 kB: less than one new output
        free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
        fh.write(b"x" * max(0, free - 20_000))
    second = build()
    print(json.dumps({"first": first, "second": second, "same": files() == before,
                      "work": (out / "testorgan-m" / "work").exists()}))
""")


def test_disk_full_is_reported_as_disk_full(tmp_path: Path) -> None:
    """The build runs on a 3 MB tmpfs of its own (a private mount namespace): the first build
    fits; with the disk then filled, the rebuild says so, exit 10, and the outputs stay."""
    disk = tmp_path / "disk"
    disk.mkdir()
    unshare = ["unshare", "-m"] if os.geteuid() == 0 else ["unshare", "-rm"]
    res = subprocess.run(
        [*unshare, sys.executable, "-c", DISK_FULL, str(Path(__file__).parent), str(disk)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    found = json.loads(res.stdout.strip().splitlines()[-1])
    assert found["first"][0] == 0, found["first"][1]
    code, message = found["second"]
    assert code == ExitCode.output, message
    assert "disk is full" in message and str(disk / "out") in message
    assert "Traceback" not in message
    assert found["same"], "the failed build changed the previous outputs"
    assert not found["work"]


SIGN_FULL = textwrap.dedent("""
    import contextlib, io, json, os, shutil, subprocess, sys
    from pathlib import Path
    from referatbygg import cli
    from referatbygg.build.report import report_path

    built, disk = Path(sys.argv[1]), Path(sys.argv[2])
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(disk)], check=True)
    pdf = disk / "referat.pdf"
    shutil.copy(built, pdf)
    shutil.copy(report_path(built.parent, built.stem), report_path(disk, pdf.stem))
    before = pdf.read_bytes()
    with open(disk / "fyll", "wb") as fh:  # leave ~20 kB: less than the signed file
        free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
        fh.write(b"x" * max(0, free - 20_000))
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = cli.main(["sign", "-q", str(pdf), "--role", "byradsleder", "--no-service"])
    print(json.dumps({"code": code, "message": err.getvalue(),
                      "same": pdf.read_bytes() == before,
                      "parts": [p.name for p in disk.iterdir() if p.name.endswith(".part")]}))
""")


def test_signing_on_a_full_disk_says_so(built_seed: Path, tmp_path: Path) -> None:
    """Signing on a full disk (a tmpfs of its own): 'the disk is full', exit 10 — not a signing
    failure (exit 6) —, the file as it was, no part file left."""
    disk = tmp_path / "disk"
    disk.mkdir()
    unshare = ["unshare", "-m"] if os.geteuid() == 0 else ["unshare", "-rm"]
    res = subprocess.run([*unshare, sys.executable, "-c", SIGN_FULL, str(built_seed), str(disk)],
                         capture_output=True, text=True, timeout=300)  # fmt: skip
    assert res.returncode == 0, res.stderr
    found = json.loads(res.stdout.strip().splitlines()[-1])
    assert found["code"] == ExitCode.output, found["message"]
    assert "disk is full" in found["message"] and "Traceback" not in found["message"]
    assert found["same"] and found["parts"] == []


# --- the file system ---------------------------------------------------------------------------


def test_outputs_follow_the_umask(previous: Path) -> None:
    mask = os.umask(0)
    os.umask(mask)
    for name in ("referat.pdf", "referat.docx", "build-report.json", "vedlegg/01-pkt1-brev.pdf"):
        mode = (previous / MEETING_ID / name).stat().st_mode & 0o777
        assert mode == 0o666 & ~mask, (name, oct(mode))


def test_part_files_of_dead_processes_are_cleaned(tmp_path: Path) -> None:
    from referatbygg.fsutil import atomic_path, clean_parts

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    stale = tmp_path / f".referat.pdf.{dead.stdout.strip()}.k3j2h.part"
    stale.write_bytes(b"half a signature")
    mine = tmp_path / f".referat.pdf.{os.getpid()}.a8d7f.part"
    mine.write_bytes(b"being written")
    assert clean_parts(tmp_path) == [stale]
    assert mine.exists() and not stale.exists()
    with atomic_path(tmp_path / "referat.pdf") as tmp:
        assert f".{os.getpid()}." in tmp.name and tmp.name.endswith(".part")
        tmp.write_bytes(b"x")


def test_closed_stdout_is_not_a_failure(tmp_path: Path) -> None:
    """`referatbygg check … | head -1`: the reader leaves early; the command ends quietly."""
    meeting = malformed.make(tmp_path / "m")
    items = "".join(f"\n[[items]]\nnumbers = [1]\ntitle = 'Sak {n}'\n" for n in range(3000))
    malformed.append("m.toml", items)(tmp_path / "m")
    proc = subprocess.Popen(
        [sys.executable, "-m", "referatbygg", "check", str(meeting)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == ExitCode.check_failed
    assert "Traceback" not in err and "BrokenPipe" not in err


def test_missing_files_named_on_the_command_line(tmp_path: Path) -> None:
    """(`verify` says NOT VALID, exit 7, for a file it cannot read: test_verify.py.)"""
    meeting = malformed.make(tmp_path / "m")
    missing = tmp_path / "finnes-ikke.pdf"
    for args in (
        ("sign", missing, "--role", "leder"),
        ("timestamp", missing),
        ("validate", missing),
        ("receive", missing),
        ("build", meeting, "--template", tmp_path / "mal.docx", "--out", tmp_path / "out"),
        ("check", tmp_path / "m"),  # a folder
    ):
        code, _, err = main(*args)
        assert code == ExitCode.input_error, (args, err)
        assert "Traceback" not in err
        assert "not found" in err or "not a regular file" in err, err
    assert not (tmp_path / "out").exists()


# --- installable anywhere ------------------------------------------------------------------------


def test_package_imports_without_unix_only_modules() -> None:
    """The package imports where `resource` and `fcntl` do not exist (Windows)."""
    code = textwrap.dedent("""
        import sys
        sys.modules["resource"] = None
        sys.modules["fcntl"] = None
        import importlib, pkgutil, referatbygg
        for m in pkgutil.walk_packages(referatbygg.__path__, "referatbygg."):
            if not m.name.endswith("__main__"):
                importlib.import_module(m.name)
        from referatbygg import cli
        cli.parser()
        print("ok")
    """)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0 and res.stdout.strip() == "ok", res.stderr


def test_doctor_lists_tools_and_says_what_is_missing(tmp_path: Path) -> None:
    code, out, _ = main("doctor", "--json")
    assert code == 0
    tools = {t["name"]: t for t in json.loads(out)["tools"]}
    assert tools["LibreOffice"]["ok"] and "LibreOffice" in tools["LibreOffice"]["detail"]
    assert tools["veraPDF engine"]["ok"] and "2.5.16" in tools["veraPDF engine"]["detail"]
    assert tools["sRGB profile"]["detail"].endswith("srgb.icc")
    # This machine lets LibreOffice run in a network namespace (test_offline proves it fetches
    # nothing there); doctor says so, and says so when it cannot (below: no unshare on PATH).
    assert tools["network isolation"]["ok"], tools["network isolation"]
    assert "unshare --net" in tools["network isolation"]["detail"]
    # Without Ghostscript on PATH: named as missing, with the command that installs it.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for program in ("soffice", "java", "javac", "python3"):
        found = shutil.which(program)
        if found:
            (bin_dir / program).symlink_to(found)
    res = subprocess.run(
        [sys.executable, "-m", "referatbygg", "doctor"], capture_output=True, text=True,
        env={**os.environ, "PATH": str(bin_dir)}, timeout=120,
    )  # fmt: skip
    assert res.returncode == ExitCode.dependency, res.stdout
    assert "MISSING Ghostscript" in res.stdout
    assert "apt-get install ghostscript" in res.stdout
    assert "absent  network isolation: 'unshare' was not found on PATH" in res.stdout
    assert "install: apt-get install util-linux" in res.stdout
    # Without LibreOffice: that is what to install, not python3-uno (which needs it).
    (bin_dir / "soffice").unlink()
    # And an unshare the kernel refuses (as in containers that forbid user namespaces).
    (bin_dir / "unshare").write_text(
        "#!/bin/sh\necho 'unshare: Operation not permitted' >&2\nexit 1\n"
    )
    (bin_dir / "unshare").chmod(0o755)
    res = subprocess.run(
        [sys.executable, "-m", "referatbygg", "doctor", "--json"], capture_output=True,
        text=True, env={**os.environ, "PATH": str(bin_dir)}, timeout=120,
    )  # fmt: skip
    tools = {t["name"]: t for t in json.loads(res.stdout)["tools"]}
    assert tools["LibreOffice"]["install"] == "apt-get install libreoffice-writer-nogui"
    assert tools["python3-uno"]["install"] is None
    assert "needs LibreOffice" in tools["python3-uno"]["detail"]
    isolation = tools["network isolation"]
    assert not isolation["ok"] and not isolation["required"] and isolation["install"] is None
    assert "does not allow user namespaces" in isolation["detail"]


def test_warm_fallback_is_announced_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from referatbygg.errors import DependencyError
    from referatbygg.tools import libreoffice

    def no_server(self: libreoffice.WarmConverter) -> None:
        raise DependencyError("no uno here (simulated)")

    monkeypatch.setattr(libreoffice.WarmConverter, "start", no_server)
    monkeypatch.setattr(libreoffice, "_announced", False)
    heard: list[str] = []
    for _ in range(2):
        conv = libreoffice.open_converter(warm=True, announce=heard.append)
        assert isinstance(conv, libreoffice.ColdConverter)
        conv.close()
    assert len(heard) == 1 and "simulated" in heard[0] and "slower" in heard[0]


def test_check_does_not_import_the_signing_stack(tmp_path: Path) -> None:
    meeting = malformed.make(tmp_path / "m")
    code = textwrap.dedent(f"""
        import sys
        from referatbygg import cli
        assert cli.main(["check", {str(meeting)!r}]) == 0
        heavy = [m for m in ("pyhanko", "referatbygg.signing", "referatbygg.archive",
                             "referatbygg.verify", "bagit", "lxml.etree") if m in sys.modules]
        print(heavy)
    """)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip().splitlines()[-1] == "[]"  # its time is measured in bench/


def test_stop_all_ends_the_conversions_other_threads_wait_for() -> None:
    """What an interrupted build does before it waits for its attachment threads: every child
    run() is waiting for, in any thread, is killed — a conversion that would take a minute ends
    at once, and the thread waiting for it returns."""
    import threading
    import time

    from referatbygg.tools import proc

    ended: dict[str, float] = {}

    def slow() -> None:
        started = time.monotonic()
        result = proc.run(["sleep", "60"], timeout=120)
        ended["seconds"], ended["code"] = time.monotonic() - started, result.returncode

    thread = threading.Thread(target=slow)
    thread.start()
    deadline = time.monotonic() + 10
    while not proc._RUNNING and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.stop_all() == 1
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert ended["code"] == -9 and ended["seconds"] < 10
    assert proc.stop_all() == 0


def test_status_and_verify_clear_what_a_killed_signing_left(
    built_seed: Path, tmp_path: Path
) -> None:
    """kill -9 during signing leaves '.referat.pdf.<pid>.….part'; the next status or verify
    removes it (its process is gone), never a file of a process still running."""
    import os

    from conftest import SEED, copy_built

    out = tmp_path / "out" / "politiradet-2023-01-13"
    pdf = copy_built(built_seed, out / "referat.pdf")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    for command in (("status", SEED, "--out", tmp_path / "out"), ("verify", pdf)):
        left = out / f".referat.pdf.{dead}.x1y2.part"
        left.write_bytes(b"")
        running = out / f".referat.pdf.{os.getpid()}.a1b2.part"  # this process: alive
        running.write_bytes(b"")
        main(*command)
        assert not left.exists(), command
        assert running.exists(), command
        running.unlink()
