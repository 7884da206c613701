"""#27: no signature on minutes whose meeting file changed after they were built; the way out is
a new signing round that keeps what was signed (build --new-round, or the button on the
Signaturer page), and puts it back if the new build fails."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import SEED

from referatbygg.config import load_config
from referatbygg.errors import InputError
from referatbygg.pdf.fields import is_signed
from referatbygg.pipeline import build, run, status
from referatbygg.signing import pades

CONFIG = load_config(None)  # the demo PKI: both signatories' keys on this machine


def _signed_once(tmp_path: Path) -> tuple[Path, Path, bytes]:
    """The seed built and signed by byrådsleder only; the meeting file then corrected."""
    folder = tmp_path / "m"
    shutil.copytree(SEED.parent, folder)
    meeting = folder / SEED.name
    pdf = build(meeting, tmp_path / "out").pdf
    assert pdf is not None
    pades.sign(pdf, "byradsleder", CONFIG)
    signed = pdf.read_bytes()
    text = meeting.read_text(encoding="utf-8")
    meeting.write_text(text.replace("Dagsorden godkjent", "Dagsorden godkjent med en endring"),
                       encoding="utf-8")  # fmt: skip
    assert "med en endring" in meeting.read_text(encoding="utf-8")
    return meeting, pdf, signed


def test_no_signature_after_the_meeting_changed_then_a_new_round(tmp_path: Path) -> None:
    meeting, pdf, signed = _signed_once(tmp_path)
    assert status(meeting, tmp_path / "out", CONFIG).stale
    with pytest.raises(InputError, match="politimester does not sign a document that does not "
                       "show the change") as exc:  # fmt: skip
        run(meeting, tmp_path / "out", CONFIG)
    assert "build --new-round" in (exc.value.hint or "")
    assert pdf.read_bytes() == signed  # nothing added
    # A plain build refuses to overwrite; the new round keeps the signed round aside.
    with pytest.raises(InputError, match="already signed"):
        build(meeting, tmp_path / "out")
    result = build(meeting, tmp_path / "out", new_round=True)
    assert result.pdf == pdf and not is_signed(pdf)
    (kept,) = (pdf.parent / "tidligere").iterdir()
    assert (kept / "referat.pdf").read_bytes() == signed
    assert (kept / "build-report.json").is_file() and (kept / "referat-signing.json").is_file()
    assert not status(meeting, tmp_path / "out", CONFIG).stale
    done = run(meeting, tmp_path / "out", CONFIG)
    assert done.package is not None and not done.status.stale


def test_a_failed_new_round_puts_the_signed_round_back(tmp_path: Path) -> None:
    meeting, pdf, signed = _signed_once(tmp_path)
    report = (pdf.parent / "build-report.json").read_bytes()

    def edit_while_building(message: str) -> None:
        if message == "merge":  # the file saved again while the build runs: refused
            meeting.write_text(meeting.read_text(encoding="utf-8") + "\n# igjen\n",
                               encoding="utf-8")  # fmt: skip

    with pytest.raises(InputError, match="changed while the build ran"):
        build(meeting, tmp_path / "out", new_round=True, progress=edit_while_building)
    assert pdf.read_bytes() == signed
    assert (pdf.parent / "build-report.json").read_bytes() == report
    assert not list((pdf.parent / "tidligere").iterdir())


def test_the_page_refuses_to_sign_and_offers_the_new_round(tmp_path: Path) -> None:
    """Signaturer: the change named, no signing offered, "sign here" and an upload refused;
    the button starts the new round, after which the next signature is offered again. A demo
    signature is shown as a test signature."""
    import time

    from test_web import get, post_to

    from referatbygg.web import jobs
    from referatbygg.web.server import make_server, serve_in_thread

    meeting, pdf, _signed = _signed_once(tmp_path)
    server, site = make_server(meeting.parent.parent, tmp_path / "out")
    serve_in_thread(server)
    try:
        file = f"{meeting.parent.name}/{meeting.name}"
        headers = {"Cookie": f"referatbygg_token={site.token}"}
        _s, _h, page = get(site, f"/signatures?file={file}&token={site.token}")
        assert "Start ny signeringsrunde" in page and "Neste signatur" not in page
        # The demo PKI's signature is a test signature, never "gyldig".
        assert "testsignatur av" in page and "gyldig signatur" not in page
        assert "Testsignaturer laget med demo-nøkler" in page
        status_code, body = post_to(site, f"/sign?file={file}", {"role": "politimester"}, headers)
        assert status_code == 400 and "ingen signerer før en ny signeringsrunde" in body
        assert not is_signed(pdf) or pades.signing_state(pdf)[1].signed is False
        status_code, _body = post_to(site, f"/new-round?file={file}", {}, headers)
        assert status_code == 303
        for _ in range(240):
            job = jobs.get(meeting)
            if job is not None and not job.running:
                break
            time.sleep(0.5)
        assert job is not None and job.error is None, job.as_dict() if job else None
        _s, _h, page = get(site, f"/signatures?file={file}&token={site.token}")
        assert "Start ny signeringsrunde" not in page and "Neste signatur" in page
        assert (pdf.parent / "tidligere").is_dir()
    finally:
        server.shutdown()
        server.server_close()
        site.close()
