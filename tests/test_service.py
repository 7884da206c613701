"""The background service, tried as the secretariat's commands meet it: two commands at once,
a service killed mid-build, a stale socket, another user's socket, a hung service, an
interrupted command, idle shutdown. Each test has a runtime folder of its own and stops what it
started; the CLI runs as separate processes, as a user runs it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from referatbygg import cli
from referatbygg.build.report import require_validated
from referatbygg.errors import ExitCode
from referatbygg.service import wire
from referatbygg.tools import proc

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "meetings/politiradet/2023-01-13.toml"
RB = str(Path(sys.executable).parent / "referatbygg")


def _interruptible() -> None:
    """Ctrl-C as at a terminal: a test suite started in the background by a shell without job
    control (`cmd &` in a script) inherits SIGINT ignored, and so would the command — which
    then could not be interrupted, whatever the code does."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@dataclass
class Served:
    folder: Path
    env: dict[str, str]

    def cli(self, *args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run([RB, *map(str, args)], env=self.env, capture_output=True,
                              text=True, timeout=timeout)  # fmt: skip

    def spawn(self, *args: str | Path) -> subprocess.Popen[str]:
        return subprocess.Popen([RB, *map(str, args)], env=self.env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                preexec_fn=_interruptible)  # fmt: skip

    def status(self) -> dict[str, object]:
        res = self.cli("service", "status", "--json", timeout=60)
        assert res.returncode == 0, res.stderr
        data: dict[str, object] = json.loads(res.stdout)
        return data

    def wait_active(self, timeout: float = 120) -> dict[str, object]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = self.status()
            if status.get("active"):
                return status
            time.sleep(0.1)
        raise AssertionError("no command became active in the service")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    folder = tmp_path / "run"
    env = {**os.environ, "REFERATBYGG_SERVICE": "on", "REFERATBYGG_RUNTIME_DIR": str(folder)}
    s = Served(folder, env)
    yield s
    # Nothing is left running: the service, its LibreOffice, its engines.
    res = s.cli("service", "status", "--json", timeout=60)
    status = json.loads(res.stdout) if res.returncode == 0 else {}
    s.cli("service", "stop", timeout=120)
    for key in ("pid", "office"):
        if isinstance(pid := status.get(key), int):
            assert not wire.alive(pid), f"{key} {pid} still running"
    if isinstance(group := status.get("office"), int):
        assert not [p for p in proc.processes("soffice.bin") if p.pgrp == group and p.state != "Z"]


def _built_whole(out: Path) -> None:
    """A complete build: the PDF is the one its passing report vouches for."""
    folder = out / "politiradet-2023-01-13"
    assert require_validated(folder / "referat.pdf")
    assert not list(out.rglob("*.part"))


def test_two_commands_at_once_give_the_bytes_of_in_process(served: Served, tmp_path: Path) -> None:
    first = served.cli("service", "start", "--pool", "2")
    assert first.returncode == 0, first.stderr
    runs = [served.spawn("build", "-q", SEED, "--out", tmp_path / n) for n in ("a", "b")]
    results = [p.communicate(timeout=300) for p in runs]
    assert [p.returncode for p in runs] == [0, 0], results
    status = served.status()
    assert status["served"] == 2 and status["peak"] == 2  # in the service, side by side
    assert cli.main(["build", "-q", str(SEED), "--out", str(tmp_path / "c"), "--no-service"]) == 0
    docx = [(tmp_path / n / "politiradet-2023-01-13/referat.docx").read_bytes() for n in "abc"]
    assert docx[0] == docx[1] == docx[2]
    for n in "ab":
        _built_whole(tmp_path / n)


def slow_meeting(tmp_path: Path) -> Path:
    """The seed meeting with a 400-page PDF attachment: a build that takes seconds, so that a
    test can act while it runs however fast the machine (the seed alone builds in under a
    second through a warm service)."""
    import shutil

    import pikepdf

    folder = tmp_path / "slow" / "politiradet"
    shutil.copytree(SEED.parent, folder)
    brief = folder / "vedlegg/situasjonsbrief.pdf"
    with pikepdf.open(brief) as pdf:
        page = pdf.pages[0]
        for _ in range(400):
            pdf.pages.append(page)
        pdf.save(brief.with_name("lang.pdf"))
    brief.with_name("lang.pdf").replace(brief)
    return folder / SEED.name


def into_conversion(build: subprocess.Popen[str]) -> str:
    """Read the command's progress until an attachment is being converted; what was read."""
    assert build.stderr is not None
    seen = ""
    for line in build.stderr:
        seen += line
        if line.startswith("· convert attachment"):
            return seen
    raise AssertionError(f"the build ended before converting: {seen}")


def test_a_service_killed_mid_build_costs_a_retry_here(served: Served, tmp_path: Path) -> None:
    assert served.cli("service", "start").returncode == 0
    build = served.spawn("build", slow_meeting(tmp_path), "--out", tmp_path / "out")
    status = served.wait_active()
    seen = into_conversion(build)
    os.kill(int(status["pid"]), signal.SIGKILL)  # type: ignore[call-overload]
    _out, err = build.communicate(timeout=300)
    err = seen + err
    assert build.returncode == 0, err
    assert "stopped before the command ended; running it here" in err
    assert "internal error" not in err
    _built_whole(tmp_path / "out")
    # The next service clears what the killed one left: its LibreOffice.
    restarted = served.cli("service", "start")
    assert restarted.returncode == 0, restarted.stderr
    group = status["office"]
    deadline = time.monotonic() + 30
    while [p for p in proc.processes("soffice.bin") if p.pgrp == group and p.state != "Z"]:
        assert time.monotonic() < deadline, "the killed service's LibreOffice is still running"
        time.sleep(0.2)


def test_a_stale_socket_is_replaced_and_the_first_call_runs_here(
    served: Served, tmp_path: Path
) -> None:
    served.folder.mkdir(mode=0o700)
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(str(served.folder / "service.sock"))
    dead.close()  # the file stays, nobody listens: a service that died
    (served.folder / "service.sock").chmod(0o600)
    first = served.cli("build", SEED, "--out", tmp_path / "first")
    assert first.returncode == 0, first.stderr
    # Run here, at once; the service started in the background for the next command.
    assert "started the background service" in first.stderr
    deadline = time.monotonic() + 60
    while not served.status().get("running"):
        assert time.monotonic() < deadline, "the service did not come up"
        time.sleep(0.2)
    assert served.status()["served"] == 0
    second = served.cli("build", "-q", SEED, "--out", tmp_path / "second")
    assert second.returncode == 0, second.stderr
    assert served.status()["served"] == 1  # the new service took it


# Without root the socket cannot be given to another user; the client is then shown one that
# is (os.lstat reports another owner for it), which is all its check looks at.
FOREIGN = """
import os, sys
real = os.lstat
class Theirs:
    def __init__(self, st): self.st = st
    def __getattr__(self, name): return getattr(self.st, name)
    @property
    def st_uid(self): return self.st.st_uid + 1
os.lstat = lambda p, *a, **k: (Theirs(real(p, *a, **k)) if str(p).endswith("service.sock")
                               else real(p, *a, **k))
from referatbygg.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_another_users_socket_is_refused(served: Served, tmp_path: Path) -> None:
    served.folder.mkdir(mode=0o700)
    theirs = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    theirs.bind(str(served.folder / "service.sock"))
    theirs.listen(1)
    command = [RB]
    if os.getuid() == 0:
        os.chown(served.folder / "service.sock", 65534, 65534)
    else:
        command = [sys.executable, "-c", FOREIGN]
    try:
        args = [*command, "build", "-q", str(SEED), "--out", str(tmp_path / "out")]
        res = subprocess.run(args, env=served.env, capture_output=True, text=True, timeout=300)
    finally:
        theirs.close()
    assert res.returncode == 0, res.stderr  # in-process instead
    assert "not using the background service" in res.stderr
    assert "not this user's socket" in res.stderr
    (served.folder / "service.sock").unlink()
    # A runtime folder open to others is refused the same way.
    served.folder.chmod(0o777)
    res = served.cli("build", "-q", SEED, "--out", tmp_path / "out2")
    assert res.returncode == 0 and "open to other users" in res.stderr
    assert not (served.folder / "service.sock").exists()
    served.folder.chmod(0o700)


HUNG = """
import os, socket, sys, time
path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
os.umask(0o177)
s.bind(path)
s.listen(4)
print("ready", flush=True)
held = []
while True:
    conn, _ = s.accept()
    held.append(conn)  # accepts, reads nothing, answers nothing
"""


def test_a_hung_service_is_stopped_and_the_command_runs_here(
    served: Served, tmp_path: Path
) -> None:
    served.folder.mkdir(mode=0o700)
    hung = subprocess.Popen([sys.executable, "-c", HUNG, str(served.folder / "service.sock")],
                            stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert hung.stdout is not None and hung.stdout.readline().strip() == "ready"
    env = {**served.env, "REFERATBYGG_SERVICE_SILENCE": "2"}
    started = time.monotonic()
    res = subprocess.run([RB, "build", "-q", SEED, "--out", str(tmp_path / "out")], env=env,
                         capture_output=True, text=True, timeout=300)  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "stopped answering" in res.stderr
    assert hung.wait(timeout=10) == -signal.SIGKILL
    assert time.monotonic() - started < 120
    _built_whole(tmp_path / "out")


def test_an_interrupted_command_stops_and_leaves_nothing(
    served: Served, tmp_path: Path, busy_cores: int
) -> None:
    out = tmp_path / "out"
    assert served.cli("service", "start").returncode == 0
    build = served.spawn("build", slow_meeting(tmp_path), "--out", out)
    served.wait_active()
    into_conversion(build)
    build.send_signal(signal.SIGINT)
    _out, err = build.communicate(timeout=120)
    assert build.returncode == 130, err
    assert "interrupted" in err
    assert not (out / "politiradet-2023-01-13/referat.pdf").exists()
    assert served.status()["active"] == 0


def test_the_service_validates_the_same_files_200_times_at_once_alike(
    served: Served, built_seed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The seed's merged minutes and its converted attachments, validated 200 times by 16
    clients at once through the service's engines: every verdict the in-process engine's, no
    file ever "unreadable" (3 builds in 84 failed so once, "vedlegg-0N.pdf: veraPDF cannot read
    it")."""
    import concurrent.futures

    from referatbygg.service import client
    from referatbygg.tools import verapdf

    assert served.cli("service", "start", "--pool", "2").returncode == 0
    monkeypatch.setenv("REFERATBYGG_RUNTIME_DIR", str(served.folder))
    files = [built_seed, *sorted((built_seed.parent / "vedlegg").glob("*.pdf"))]
    assert len(files) == 4
    jobs = [(files[i % 4], ("2a", "ua1")[i // 4 % 2]) for i in range(200)]
    expected = {job: verapdf.validate(*job).compliant for job in set(jobs)}
    assert all(expected.values())

    def through_service(job: tuple[Path, str]) -> object:
        sock = client.connect(10)
        assert sock is not None
        with sock:
            wire.send(sock, {"op": "validate", "pdf": str(job[0]), "flavour": job[1]})
            answer = wire.Reader(sock).next(600)
        assert answer is not None
        return answer["result"]["compliant"] if "result" in answer else answer

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        got = list(pool.map(through_service, jobs))
    assert got == [expected[job] for job in jobs]
    assert served.status()["engines"] == 2  # both engines answered, side by side


def _worker_of(service: int) -> int:
    """The command's worker: the child of the service's zygote (multiprocessing's forkserver)."""
    kids = {p: proc_children(p) for p in proc_children(service)}
    zygote = [p for p, below in kids.items() if below and "forkserver" in _cmdline(p)]
    assert len(zygote) == 1 and len(kids[zygote[0]]) == 1, kids
    return kids[zygote[0]][0]


def proc_children(pid: int) -> list[int]:
    """Children of every thread of ``pid`` (/proc lists them by the thread that started them)."""
    return [int(p) for task in Path(f"/proc/{pid}/task").iterdir()
            for p in (task / "children").read_text().split()]  # fmt: skip


def _cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def test_an_interrupted_command_that_cannot_stop_in_time_is_stopped_and_says_130(
    served: Served, tmp_path: Path
) -> None:
    """A worker that gets no CPU after Ctrl-C (stopped here, as on a machine loaded far beyond
    its cores) is stopped outright after the grace period: the user interrupted it, and the
    exit code says so (it said 137, a kill, before)."""
    assert served.cli("service", "start").returncode == 0
    build = served.spawn("build", slow_meeting(tmp_path), "--out", tmp_path / "out")
    status = served.wait_active()
    into_conversion(build)
    worker = _worker_of(int(status["pid"]))  # type: ignore[call-overload]
    os.kill(worker, signal.SIGSTOP)
    started = time.monotonic()
    build.send_signal(signal.SIGINT)
    _out, err = build.communicate(timeout=120)
    assert build.returncode == 130, err
    assert "stopped outright" in err
    assert time.monotonic() - started >= 14
    assert not wire.alive(worker)
    assert not (tmp_path / "out/politiradet-2023-01-13/referat.pdf").exists()
    assert served.status()["active"] == 0


def test_the_service_stops_when_idle(served: Served) -> None:
    res = served.cli("service", "start", "--idle", "2")
    assert res.returncode == 0, res.stderr
    status = served.status()
    deadline = time.monotonic() + 60
    while (served.folder / "service.sock").exists() or wire.alive(int(status["pid"])):  # type: ignore[call-overload]
        assert time.monotonic() < deadline, "the service did not stop when idle"
        time.sleep(0.2)
    stopped = served.cli("service", "status")
    assert stopped.returncode == 0 and "not running" in stopped.stdout


def test_cheap_commands_never_start_the_service(served: Served) -> None:
    for args in (["check", SEED], ["status", SEED], ["schema"], ["--help"]):
        res = served.cli(*args)
        assert res.returncode in (0, 3), res.stderr
    assert not (served.folder / "service.sock").exists()


def _path_without(tmp_path: Path, hidden: set[str]) -> str:
    """A PATH with every program of the system's but ``hidden``."""
    folder = tmp_path / f"bin-without-{'-'.join(sorted(hidden))}"
    folder.mkdir()
    for base in ("/usr/local/bin", "/usr/bin", "/bin"):
        for program in sorted(Path(base).iterdir()):
            target = folder / program.name
            if program.name not in hidden and not target.exists():
                target.symlink_to(program)
    return str(folder)


def test_the_service_answers_as_the_command_does(served: Served, tmp_path: Path) -> None:
    """A running service, warm with LibreOffice and veraPDF, takes each command's environment:
    the limits, and PATH (a program the client cannot find is missing, whatever the service
    found when it started) — the same exit code as the same command run in-process."""
    import shutil

    folder = tmp_path / "politiradet"
    shutil.copytree(SEED.parent, folder)
    meeting = folder / SEED.name
    out = tmp_path / "out"
    warm = served.cli("build", meeting, "--out", out, "-q")
    assert warm.returncode == 0, warm.stderr
    no_office = _path_without(tmp_path, {"soffice", "libreoffice", "loffice", "lowriter"})
    no_java = _path_without(tmp_path, {"java", "javac"})
    cases = [
        ({"REFERATBYGG_MAX_ATTACHMENT_MB": "0"}, ExitCode.check_failed),
        ({"REFERATBYGG_MAX_ATTACHMENT_MB": "abc"}, ExitCode.input_error),
        ({"REFERATBYGG_MAX_ATTACHMENT_MB": "0.5"}, ExitCode.input_error),
        ({"REFERATBYGG_MAX_IMAGE_MEGAPIXELS": "-1"}, ExitCode.input_error),
        ({"PATH": no_office}, ExitCode.dependency),
        ({"PATH": no_java}, ExitCode.dependency),
    ]
    for change, expected in cases:
        env = {**served.env, **change}
        answers = []
        for how in ((), ("--no-service",)):
            res = subprocess.run([RB, "build", str(meeting), "--out", str(out), "-q", *how],
                                 env=env, capture_output=True, text=True, timeout=600)  # fmt: skip
            answers.append((res.returncode, res.stderr.strip().splitlines()[-2:]))
        assert answers[0][0] == answers[1][0] == expected, (change, answers)
    assert served.status().get("pid")  # the same service answered throughout
