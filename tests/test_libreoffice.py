"""The supervised LibreOffice server: crashes, hangs, restarts, fallback, no orphans."""

from __future__ import annotations

import itertools
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT
from pypdf import PdfReader

from referatbygg.errors import ConversionError, DependencyError
from referatbygg.tools import libreoffice, proc
from referatbygg.tools.libreoffice import ColdConverter, WarmConverter, open_converter

DOCX = ROOT / "meetings/politiradet/vedlegg/politiradsavtale-2023-2025.docx"


def live_soffice() -> set[int]:
    """soffice.bin processes that are alive (not zombies)."""
    return {p.pid for p in proc.processes("soffice.bin") if p.state != "Z"}


def soffice_of(conv: WarmConverter) -> list[int]:
    return [p.pid for p in proc.processes("soffice.bin") if p.pgrp == conv.pid]


@pytest.fixture
def no_orphans() -> Iterator[None]:
    before = live_soffice()
    yield
    deadline = time.monotonic() + 10
    while live_soffice() - before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert live_soffice() - before == set(), "a LibreOffice process outlived its supervisor"


def kill_all(pids: list[int]) -> None:
    for pid in pids:
        os.kill(pid, signal.SIGKILL)


def assert_pdf(path: Path, pages: int) -> None:
    assert len(PdfReader(path).pages) == pages


@pytest.mark.usefixtures("no_orphans")
def test_server_killed_mid_run_still_gives_correct_outputs(tmp_path: Path) -> None:
    with WarmConverter(timeout=60) as conv:
        outputs = []
        for i in range(5):
            if i == 2:
                victims = soffice_of(conv)
                assert victims
                # Kill LibreOffice while the third conversion is under way.
                threading.Timer(0.02, kill_all, args=(victims,)).start()
            out = tmp_path / f"out{i}.pdf"
            conv.convert(DOCX, out, "2b")
            outputs.append(out)
        assert conv.restarts >= 1
        assert conv.conversions == 5
    for out in outputs:
        assert_pdf(out, 2)


@pytest.mark.usefixtures("no_orphans")
def test_hung_conversion_times_out_and_is_reported(tmp_path: Path) -> None:
    with WarmConverter(timeout=3) as conv:
        conv.convert(DOCX, tmp_path / "warm.pdf", "2b")
        for pid in soffice_of(conv):
            os.kill(pid, signal.SIGSTOP)  # LibreOffice stops answering: a hang
        started = time.monotonic()
        with pytest.raises(ConversionError, match=r"did not finish within 3 s"):
            conv.convert(DOCX, tmp_path / "hung.pdf", "2b")
        assert time.monotonic() - started < 30
        # The next conversion starts a new server and works.
        conv.convert(DOCX, tmp_path / "after.pdf", "2b")
        assert_pdf(tmp_path / "after.pdf", 2)


@pytest.mark.usefixtures("no_orphans")
def test_restart_after_n_conversions(tmp_path: Path) -> None:
    with WarmConverter(max_conversions=2) as conv:
        first = conv.pid
        for i in range(3):
            conv.convert(DOCX, tmp_path / f"{i}.pdf", "1b")
        assert conv.restarts == 1 and conv.pid != first


@pytest.mark.usefixtures("no_orphans")
def test_threads_converting_at_once_take_turns(tmp_path: Path) -> None:
    """A build converts its attachments in threads while the minutes are rendered: one server
    takes their documents one at a time (a restart or a hang in one call must not pull
    LibreOffice away under another)."""
    spans: list[tuple[float, float]] = []
    with WarmConverter() as conv:
        real = conv._proxy

        def timed(timeout: float) -> object:
            proxy = real(timeout)

            class Timed:
                def convert(self, *args: object) -> object:
                    began = time.monotonic()
                    try:
                        return proxy.convert(*args)
                    finally:
                        spans.append((began, time.monotonic()))

            return Timed()

        conv._proxy = timed  # type: ignore[assignment,method-assign]
        outs = [tmp_path / f"{n}.pdf" for n in range(3)]
        threads = [threading.Thread(target=conv.convert, args=(DOCX, out, "2b")) for out in outs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert all(len(PdfReader(out).pages) > 0 for out in outs)
    spans.sort()
    assert len(spans) == 3
    assert all(end <= began for (_, end), (began, _) in itertools.pairwise(spans))


def test_unoserver_waits_for_libreoffice_to_listen_not_for_a_fixed_time() -> None:
    """tools/unostart.py: unoserver's sleeps end once LibreOffice's UNO port listens, as the
    kernel's socket table says; a port nobody listens on keeps them waiting."""
    import socket

    from referatbygg.tools.unostart import UntilListening

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        port = listener.getsockname()[1]
        assert not UntilListening(port)._listening()  # bound, not yet listening
        listener.listen()
        assert UntilListening(port)._listening()
    assert not UntilListening(port)._listening()  # closed
    assert UntilListening(port).monotonic is time.monotonic  # the rest of `time` unchanged


def test_server_that_cannot_start_is_a_dependency_error() -> None:
    conv = WarmConverter(python="/bin/false", start_timeout=10)
    with pytest.raises(DependencyError, match="did not start"):
        conv.start()
    conv.close()


@pytest.mark.usefixtures("no_orphans")
def test_fallback_to_cold_converter(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def broken(self: WarmConverter) -> None:
        raise DependencyError("no uno here")

    monkeypatch.setattr(WarmConverter, "start", broken)
    conv = open_converter(warm=True)
    try:
        assert isinstance(conv, ColdConverter)
        conv.convert(DOCX, tmp_path / "cold.pdf", "2b")
        assert_pdf(tmp_path / "cold.pdf", 2)
    finally:
        conv.close()


def test_cold_converter_times_out(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    conv = ColdConverter(timeout=0.5)
    try:
        with pytest.raises(ConversionError, match="timed out"):
            conv.convert(DOCX, tmp_path / "x.pdf", "2b")
    finally:
        conv.close()


def test_output_is_checked_not_the_exit_code(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.7 but cut short")
    with pytest.raises(ConversionError, match="not a complete PDF"):
        libreoffice.check_pdf(bad, "x.docx")
    with pytest.raises(ConversionError, match="wrote no output"):
        libreoffice.check_pdf(tmp_path / "none.pdf", "x.docx")
