"""The workbench's server, tried over HTTP as a browser and an attacker would: the token URL
opens the meetings page, which lists the seed meeting with its state and check's findings; a
request without the token, from another Origin or for another Host is refused. (The browser
tests of issue 18 — Chromium, axe-core — are still to come.)"""

from __future__ import annotations

import http.client
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import SEED

from referatbygg.web.server import Site, make_server, serve_in_thread


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    folder = tmp_path / "meetings"
    shutil.copytree(SEED.parent, folder / "politiradet")
    broken = folder / "politiradet" / "2023-04-21.toml"
    broken.write_text('date = 2023-04-21\nstart = "13.30"\n[[items]]\nnumbers = [1]\n'
                      'title = "Dagsorden"\nbody = "x"\n', encoding="utf-8")  # fmt: skip
    server, site = make_server(folder, tmp_path / "out")
    serve_in_thread(server)
    yield site
    server.shutdown()
    server.server_close()
    site.close()


def get(
    site: Site, path: str, headers: dict[str, str] | None = None, method: str = "GET"
) -> tuple[int, dict[str, str], str]:
    conn = http.client.HTTPConnection("127.0.0.1", site.port, timeout=60)
    head = {"Host": f"127.0.0.1:{site.port}", **(headers or {})}
    conn.request(method, path, headers=head)
    resp = conn.getresponse()
    body = resp.read().decode("utf-8", "replace")
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body


def test_the_token_url_lists_the_meetings_with_state_and_findings(site: Site) -> None:
    status, headers, body = get(site, f"/?token={site.token}")
    assert status == 200, body
    assert 'lang="nb"' in body and "<h1>Møter</h1>" in body
    assert "Politirådet i Oslo" in body and "2023-01-13.toml" in body
    assert "utkast" in body and "bygg" in body  # not built yet: build next
    assert "2023-04-21.toml" in body and "feil" in body  # a broken file is shown with its error
    assert "http" not in body.replace(f"127.0.0.1:{site.port}", "")  # no external resource
    cookie = headers["set-cookie"]
    assert cookie.startswith(f"referatbygg_token={site.token}") and "HttpOnly" in cookie
    # The cookie carries the token for the pages after the first.
    status, _h, body = get(site, "/", {"Cookie": f"referatbygg_token={site.token}"})
    assert status == 200 and "Politirådet i Oslo" in body
    status, headers, _css = get(site, "/static/app.css", {"Cookie": cookie.split(";")[0]})
    assert status == 200 and headers["content-type"].startswith("text/css")


@pytest.mark.parametrize(
    "case",
    [
        "no token",
        "wrong token",
        "wrong cookie",
        "other Host",
        "other Origin",
        "POST without Origin",
    ],
)
def test_refused(site: Site, case: str) -> None:
    path, headers, method = f"/?token={site.token}", {}, "GET"
    if case == "no token":
        path = "/"
    elif case == "wrong token":
        path = "/?token=" + "x" * len(site.token)
    elif case == "wrong cookie":
        path, headers = "/", {"Cookie": "referatbygg_token=guess"}
    elif case == "other Host":  # DNS rebinding: evil.example resolved to 127.0.0.1
        headers = {"Host": f"evil.example:{site.port}"}
    elif case == "other Origin":
        headers = {"Origin": "http://evil.example"}
    else:
        method = "POST"
    status, headers_out, body = get(site, path, headers, method)
    assert status == 403, (case, body)
    assert "set-cookie" not in headers_out and "Politirådet" not in body


def test_serve_prints_its_address_first(tmp_path: Path) -> None:
    shutil.copytree(SEED.parent, tmp_path / "meetings" / "politiradet")
    proc = subprocess.Popen(
        [sys.executable, "-m", "referatbygg", "serve", str(tmp_path / "meetings"), "--no-open",
         "--out", str(tmp_path / "out")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().strip()
        assert first.startswith("referatbygg: http://127.0.0.1:") and "/?token=" in first
        port = int(first.split(":")[3].split("/")[0])
        token = first.split("token=")[1]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", f"/?token={token}", headers={"Host": f"127.0.0.1:{port}"})
        assert conn.getresponse().status == 200
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_in_the_browser_the_meetings_page_is_listed_and_accessible(
    site: Site, tmp_path: Path
) -> None:
    from browser import axe_violations, chromium, shot

    driver = chromium()
    try:
        driver.set_script_timeout(60)
        driver.get(f"http://127.0.0.1:{site.port}/?token={site.token}")
        assert driver.title == "Møter – referatbygg"
        text = driver.find_element("tag name", "main").text
        assert "Politirådet i Oslo" in text and "utkast" in text
        # The cookie carries the token: a link back to the list works without it in the URL.
        driver.find_element("link text", "Møter").click()
        assert "Politirådet i Oslo" in driver.find_element("tag name", "main").text
        assert axe_violations(driver) == []
        shot(driver, "workbench-moter")
        # Keyboard: the first Tab reaches the skip link.
        from selenium.webdriver.common.keys import Keys

        driver.find_element("tag name", "body").send_keys(Keys.TAB)
        assert driver.switch_to.active_element.text == "Hopp til innholdet"
    finally:
        driver.quit()


def _form(site: Site, file: str) -> tuple[dict[str, str], str]:
    import re

    _s, _h, body = get(site, f"/meeting?file={file}&token={site.token}")
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', body)
    assert digest is not None, body
    return {"Cookie": f"referatbygg_token={site.token}"}, digest.group(1)


def post(site: Site, file: str, form: dict[str, str], headers: dict[str, str]) -> tuple[int, str]:
    from urllib.parse import urlencode

    conn = http.client.HTTPConnection("127.0.0.1", site.port, timeout=60)
    conn.request("POST", f"/meeting?file={file}", body=urlencode(form), headers={
        "Host": f"127.0.0.1:{site.port}", "Origin": f"http://127.0.0.1:{site.port}",
        "Content-Type": "application/x-www-form-urlencoded", **headers})  # fmt: skip
    resp = conn.getresponse()
    return resp.status, resp.read().decode("utf-8")


def test_a_file_changed_on_disk_is_not_overwritten(site: Site) -> None:
    file = "politiradet/2023-01-13.toml"
    headers, digest = _form(site, file)
    path = site.folder / file
    path.write_text(path.read_text(encoding="utf-8") + "\n# endret i et annet program\n",
                    encoding="utf-8")  # fmt: skip
    before = path.read_bytes()
    status, body = post(site, file, {"digest": digest, "items.0.title": "Ny tittel"}, headers)
    assert status == 409 and "endret på disken" in body
    assert path.read_bytes() == before


@pytest.mark.parametrize("file", ["../../etc/passwd", "politiradet/organ.toml/../../x.toml",
                                  "politiradet/vedlegg/situasjonsbrief.pdf"])  # fmt: skip
def test_only_meeting_files_in_the_folder_are_opened(site: Site, file: str) -> None:
    status, _h, _body = get(site, f"/meeting?file={file}&token={site.token}")
    assert status == 404


def test_in_the_browser_edit_an_item_and_see_check_at_the_field(site: Site) -> None:
    from browser import axe_violations, chromium, shot, unfold
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    path = site.folder / "politiradet/2023-01-13.toml"
    driver = chromium()
    try:
        driver.set_script_timeout(60)
        driver.get(f"http://127.0.0.1:{site.port}/?token={site.token}")
        driver.find_element("link text", "13. januar 2023").click()
        assert driver.title == "Møte – 2023-01-13 – referatbygg"
        assert axe_violations(driver) == []
        # As you type: check's finding appears at the field before anything is saved.
        before = path.read_bytes()
        text = unfold(driver, "items.2.text")
        text.send_keys("\n- Nytt punkt om ABCDQ.")
        WebDriverWait(driver, 30).until(lambda d: "ABCDQ" in d.find_element("id", "funn-2").text)
        assert "ikke lagret ennå" in driver.find_element("id", "live-check").text
        assert path.read_bytes() == before
        assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]  # trial gone
        text.clear()
        text.send_keys("- Politimesteren orienterte om XYZQW.\n")
        driver.find_element("css selector", "button[type=submit]").click()
        WebDriverWait(driver, 60, ignored_exceptions=(StaleElementReferenceException,)).until(
            lambda d: "Lagret." in d.find_element("tag name", "main").text
        )
        saved = path.read_text(encoding="utf-8")
        assert '\ntext = """\n- Politimesteren orienterte om XYZQW.\n"""\n' in saved
        assert saved.startswith("# Referat fra Politirådet i Oslo, 13. januar 2023.\n")  # kept
        # check's finding sits at the field it concerns, tied to it for screen readers.
        field = unfold(driver, "items.2.text")
        described = field.get_attribute("aria-describedby")
        assert described
        assert "XYZQW" in driver.find_element("id", described).text
        # …in the page's words, naming the field, not the TOML path.
        said = driver.find_element("id", described).text
        assert "Tekst: «XYZQW» ser ut som en forkortelse" in said, said
        assert "items" not in said and "abbreviation" not in said
        assert axe_violations(driver) == []
        shot(driver, "workbench-mote")
    finally:
        driver.quit()


def test_in_the_browser_build_and_see_the_pages(site: Site) -> None:
    from browser import axe_violations, chromium, shot
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    driver = chromium()
    try:
        driver.set_script_timeout(60)
        driver.get(f"http://127.0.0.1:{site.port}/meeting?file=politiradet/2023-01-13.toml"
                   f"&token={site.token}")  # fmt: skip
        driver.find_element("link text", "Forhåndsvisning").click()
        assert "Dokumentet er ikke bygget ennå." in driver.find_element("tag name", "main").text
        assert axe_violations(driver) == []
        driver.find_element("xpath", "//button[text()='Bygg referatet']").click()
        # Progress is said in a live region; when the build is done the page shows its pages.
        WebDriverWait(driver, 300, ignored_exceptions=(StaleElementReferenceException,)).until(
            lambda d: (
                d.find_elements("css selector", "ol.pages img")
                or "Feil:" in d.find_element("id", "job-text").text
            )
        )
        images = driver.find_elements("css selector", "ol.pages img")
        assert len(images) == 11, driver.find_element("tag name", "main").text
        # Each thumbnail is a link to its page large enough to read; its text says both.
        assert images[0].get_attribute("alt") == ("Dokumentet, side 1 av 11 – åpne i full "
                                                  "størrelse")  # fmt: skip
        loaded = "return arguments[0].complete && arguments[0].naturalWidth > 0"
        WebDriverWait(driver, 60).until(lambda d: d.execute_script(loaded, images[0]))
        # The build report beside the pages: veraPDF's verdict and the parts.
        report = driver.find_element("css selector", "dl.report").text
        assert "gyldig (veraPDF), nivå 2a" in report and "Vedlegg" in report
        assert axe_violations(driver) == []
        shot(driver, "workbench-forhandsvisning")
    finally:
        driver.quit()
    assert (site.out_root / "politiradet-2023-01-13/referat.pdf").is_file()


# --- Signaturer and Arkiv: a file signed by another tool, signing here, the package ----------


@pytest.fixture
def signing_site(tmp_path: Path, pki: Any, built_seed: Path) -> Iterator[Site]:
    """The seed built and waiting for byrådsleder, with the certomancer PKI's configuration:
    byrådsleder signs elsewhere (pyHanko's CLI), politimester's key is on this machine."""
    folder = tmp_path / "meetings"
    shutil.copytree(SEED.parent, folder / "politiradet")
    out = tmp_path / "out"
    shutil.copytree(built_seed.parent, out / built_seed.parent.name)
    server, site = make_server(folder, out, pki.config(tmp_path))
    serve_in_thread(server)
    yield site
    server.shutdown()
    server.server_close()
    site.close()


def upload(site: Site, data: bytes, headers: dict[str, str] | None = None) -> tuple[int, str]:
    boundary = "----referatbygg-test"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="signert"; '
        f'filename="retur.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
    ).encode()
    body += data + f"\r\n--{boundary}--\r\n".encode()  # fmt: skip
    conn = http.client.HTTPConnection("127.0.0.1", site.port, timeout=60)
    conn.request("POST", "/receive?file=politiradet/2023-01-13.toml", body=body, headers={
        "Host": f"127.0.0.1:{site.port}", "Origin": f"http://127.0.0.1:{site.port}",
        "Cookie": f"referatbygg_token={site.token}",
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        **(headers or {})})  # fmt: skip
    resp = conn.getresponse()
    return resp.status, resp.read().decode("utf-8", "replace")


def test_uploads_are_checked_before_anything_is_written(signing_site: Site) -> None:
    site = signing_site
    working = site.out_root / "politiradet-2023-01-13/referat.pdf"
    before = working.read_bytes()
    status, body = upload(site, b"GIF89a not a pdf")
    assert status == 400 and "ikke en PDF" in body and "Ingenting ble lagret" in body
    # Larger than the limit: refused on its Content-Length, before the body is read.
    conn = http.client.HTTPConnection("127.0.0.1", site.port, timeout=60)
    conn.putrequest("POST", "/receive?file=politiradet/2023-01-13.toml", skip_host=True)
    for key, value in {"Host": f"127.0.0.1:{site.port}", "Origin": f"http://127.0.0.1:{site.port}",
                       "Cookie": f"referatbygg_token={site.token}",
                       "Content-Type": "multipart/form-data; boundary=x",
                       "Content-Length": str(200 * 2**20)}.items():  # fmt: skip
        conn.putheader(key, value)
    conn.endheaders()
    assert conn.getresponse().status == 413
    # Without the token or from another origin: the gate, as for every request.
    assert upload(site, before, {"Cookie": "referatbygg_token=guess"})[0] == 403
    assert upload(site, before, {"Origin": "http://evil.example"})[0] == 403
    # While other work on the meeting runs, an upload is refused before it is stored (its
    # intake could not start, and the file would wait unseen).
    import threading

    from referatbygg.web import jobs

    release = threading.Event()
    jobs.start(site.folder / "politiradet/2023-01-13.toml", "signering",
               lambda say: release.wait(60))  # fmt: skip
    try:
        status, body = upload(site, before)
        assert status == 400 and "signering pågår for dette møtet" in body
    finally:
        release.set()
    assert working.read_bytes() == before
    assert not list(site.cache.rglob("*.pdf"))  # nothing stored, not even in the scratch folder


def test_a_signed_document_is_never_rebuilt_from_the_page(signing_site: Site, pki: Any,
                                                           tmp_path: Path) -> None:  # fmt: skip
    from test_intake import sign_elsewhere

    from referatbygg.config import load_config
    from referatbygg.signing import intake
    from referatbygg.web import jobs

    site = signing_site
    working = site.out_root / "politiradet-2023-01-13/referat.pdf"
    returned = sign_elsewhere(pki, working, tmp_path / "retur.pdf", "byradsleder", "rsasigner")
    intake.receive(returned, working, load_config(site.config_file))
    signed = working.read_bytes()
    conn = http.client.HTTPConnection("127.0.0.1", site.port, timeout=60)
    conn.request("POST", "/build?file=politiradet/2023-01-13.toml&doc=referat", headers={
        "Host": f"127.0.0.1:{site.port}", "Origin": f"http://127.0.0.1:{site.port}",
        "Cookie": f"referatbygg_token={site.token}", "Content-Length": "0"})  # fmt: skip
    assert conn.getresponse().status == 303
    job = jobs.get(site.folder / "politiradet/2023-01-13.toml")
    assert job is not None
    deadline = time.monotonic() + 120
    while job.running and time.monotonic() < deadline:
        time.sleep(0.1)
    assert job.error and "signed" in job.error, job.error
    assert working.read_bytes() == signed


def test_in_the_browser_take_in_sign_and_package(signing_site: Site, pki: Any,
                                                 tmp_path: Path) -> None:  # fmt: skip
    """The whole signing round from the pages: a file signed with the wrong person's
    certificate is refused with the reason; byrådsleder's file from another tool is taken in;
    politimester signs here; the package is made, checked as the archive would, downloaded."""
    from browser import axe_violations, chromium, press, shot
    from test_intake import sign_elsewhere

    site = signing_site
    working = site.out_root / "politiradet-2023-01-13/referat.pdf"
    wrong = sign_elsewhere(pki, working, tmp_path / "feil.pdf", "byradsleder", "politimester")
    right = sign_elsewhere(pki, working, tmp_path / "retur.pdf", "byradsleder", "rsasigner")
    cookie = {"Cookie": f"referatbygg_token={site.token}"}

    driver = chromium()
    try:
        driver.set_script_timeout(60)
        driver.get(f"http://127.0.0.1:{site.port}/signatures?file=politiradet/2023-01-13.toml"
                   f"&token={site.token}")  # fmt: skip
        assert driver.title == "Signaturer – 2023-01-13 – referatbygg"
        rows = driver.find_elements("css selector", "tbody tr")
        assert [r.text.split("\n")[0] for r in rows] == [
            "Byrådsleder Raymond Johansen venter – neste – –",
            "Politimester Beate Gangås venter – –",
        ]
        assert axe_violations(driver) == []
        # The document to sign is the working file itself, as a download.
        status, headers, _ = get(site, "/download?file=politiradet/2023-01-13.toml&what=referat",
                                 cookie)  # fmt: skip
        assert status == 200 and headers["content-type"] == "application/pdf"
        assert (
            headers["content-disposition"]
            == 'attachment; filename="politiradet-2023-01-13-referat.pdf"'
        )
        # The wrong person's signature: refused, with intake's reason, nothing changed.
        before = working.read_bytes()
        driver.find_element("id", "signert").send_keys(str(wrong))
        text = press(driver, "Ta imot signert fil")
        assert "Innsending stoppet: Signaturen kunne ikke lages eller tas imot." in text
        assert "the certificate is Beate Gangås's" in text  # intake's reason, marked English
        reason = driver.find_element("css selector", "#job p.reason")
        assert reason.get_attribute("lang") == "en" and "Beate" in reason.text
        assert working.read_bytes() == before
        assert axe_violations(driver) == []
        # Byrådsleder's file from another tool: taken in, shown signed, with its time.
        driver.find_element("id", "signert").send_keys(str(right))
        text = press(driver, "Ta imot signert fil")
        assert "Innsending: ferdig." in text, text
        first = driver.find_elements("css selector", "tbody tr")[0].text
        assert "signert" in first and "gyldig signatur av Raymond Johansen" in first, first
        assert " kl. " in first
        shot(driver, "workbench-signaturer")
        # Politimester's key is here: sign from the page.
        text = press(driver, "Signer her som politimester")
        assert "Alle har signert, og signaturene er gyldige." in text, text
        assert axe_violations(driver) == []
        # Arkiv: make the package; check-package's verdict; download it.
        driver.find_element("link text", "Arkiv").click()
        assert driver.title == "Arkiv – 2023-01-13 – referatbygg"
        text = press(driver, "Lag arkivpakke")
        assert "Kontroll av pakken: OK" in text, text
        assert axe_violations(driver) == []
        shot(driver, "workbench-arkiv")
    finally:
        driver.quit()
    status, headers, _ = get(site, "/download?file=politiradet/2023-01-13.toml&what=pakke", cookie)
    assert status == 200 and headers["content-type"] == "application/zip"
    conn = http.client.HTTPConnection("127.0.0.1", site.port, timeout=60)
    conn.request("GET", "/download?file=politiradet/2023-01-13.toml&what=pakke",
                 headers={"Host": f"127.0.0.1:{site.port}", **cookie})  # fmt: skip
    data = conn.getresponse().read()
    package = site.out_root / "politiradet-2023-01-13/pakke/politiradet-2023-01-13.zip"
    assert data == package.read_bytes() and data.startswith(b"PK")
    # The downloaded package passes the archive's check on its own.
    from referatbygg.archive.check import check_package
    from referatbygg.config import load_config
    from referatbygg.signing.trust import trust

    saved = tmp_path / "lastet-ned.zip"
    saved.write_bytes(data)
    assert check_package(saved, trust(load_config(site.config_file)).roots).ok


def test_the_form_writes_decisions_votes_exemptions_and_people_in_place(site: Site) -> None:
    """Fields beyond title and text: a new decision with votes (written as the files write them:
    a [items.decision] table, votes inline), a basis for exemption, an attachment's title, a
    participant's role; emptied fields removed, tables the form emptied removed, comments kept."""
    import tomllib

    file = "politiradet/2023-01-13.toml"
    path = site.folder / file
    headers, digest = _form(site, file)
    status, body = post(site, file, {
        "digest": digest,
        "items.5.decision.text": "Politirådet tar orienteringen til etterretning.",
        "items.5.decision.votes.for": "7", "items.5.decision.votes.against": "1",
        "items.4.exempt": "offl. § 24 tredje ledd",
        "attachments.0.title": "Situasjonsbrief (ugradert)",
        "items.2.presenter": "",  # emptied: removed
        "items.6.decision.text": "",  # the whole decision emptied: its table removed
    }, headers)  # fmt: skip
    assert status == 200 and "Lagret." in body, body
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Referat fra Politirådet i Oslo, 13. januar 2023.\n")
    assert "# the agreement, built from its own source" in text  # a comment further down
    assert "[items.decision]\ntext = " in text and "votes = {for = 7, against = 1}" in text
    data = tomllib.loads(text)
    items = data["items"]
    assert items[5]["decision"] == {"text": "Politirådet tar orienteringen til etterretning.",
                                    "votes": {"for": 7, "against": 1}}  # fmt: skip
    assert items[4]["exempt"] == "offl. § 24 tredje ledd"
    assert "presenter" not in items[2] and "decision" not in items[6]
    assert data["attachments"][0]["title"] == "Situasjonsbrief (ugradert)"
    # A count that is not a number is not silently changed: it stays text, and check names it.
    headers, digest = _form(site, file)
    status, body = post(site, file, {"digest": digest, "items.5.decision.votes.for": "sju"},
                        headers)  # fmt: skip
    assert status == 200 and 'for = "sju"' in path.read_text(encoding="utf-8")
    assert "Feil" in body


def post_to(
    site: Site, path: str, form: dict[str, str], headers: dict[str, str]
) -> tuple[int, str]:
    from urllib.parse import urlencode

    conn = http.client.HTTPConnection("127.0.0.1", site.port, timeout=60)
    conn.request("POST", path, body=urlencode(form), headers={
        "Host": f"127.0.0.1:{site.port}", "Origin": f"http://127.0.0.1:{site.port}",
        "Content-Type": "application/x-www-form-urlencoded", **headers})  # fmt: skip
    resp = conn.getresponse()
    return resp.status, resp.read().decode("utf-8")


def test_new_meeting_from_this_one_and_a_new_body(site: Site) -> None:
    """#12's scaffolding from the pages: the next meeting named for its date, never over a
    file; a new body with its first meeting, never over a folder."""
    import tomllib

    headers = {"Cookie": f"referatbygg_token={site.token}"}
    there = site.folder / "politiradet/2023-04-21.toml"  # the first of next_meetings
    before = there.read_bytes()
    status, body = post_to(site, "/new-meeting?file=politiradet/2023-01-13.toml", {}, headers)
    assert status == 400 and "2023-04-21.toml finnes allerede" in body
    assert there.read_bytes() == before
    there.unlink()
    status, body = post_to(site, "/new-meeting?file=politiradet/2023-01-13.toml", {}, headers)
    assert status == 303, body
    data = tomllib.loads(there.read_text(encoding="utf-8"))
    assert data["date"].isoformat() == "2023-04-21" and data["items"]
    form = {"name": "Eldrerådet", "organisation": "Oslo kommune", "language": "nn"}
    status, body = post_to(site, "/new-body", form, headers)
    assert status == 303, body
    organ = site.folder / "eldreradet/organ.toml"
    assert 'language = "nn"' in organ.read_text(encoding="utf-8")
    assert len(list((site.folder / "eldreradet").glob("20*.toml"))) == 1
    status, body = post_to(site, "/new-body", {"name": "Eldrerådet", "organisation": "X"},
                           headers)  # fmt: skip
    assert status == 400 and "finnes allerede" in body


def test_every_phrase_of_the_pages_has_its_nynorsk() -> None:
    """Every phrase the templates say through _(), every field label and group, every job's
    name and every state has an entry in texts.NN: nothing falls back to bokmål unseen."""
    import re

    from referatbygg.web import editing, findings, meetings, packages, pages, texts

    folder = Path(pages.__file__).parent / "templates"
    said = set()
    for template in folder.glob("*.html"):
        said |= set(re.findall(r"""_\(\s*["']([^"']+)["']\s*\)""", template.read_text("utf-8")))
    every = [f for fields in (*editing.EDITABLE.values(), *editing.SUBLISTS.values())
             for f in fields]  # fmt: skip
    said |= {f.label for f in every} | {f.section for f in every if f.section}
    said |= {n for f in every for n in f.names} | {f.default for f in every if f.default}
    said |= set(findings._KEYS.values())
    said |= {label for *_rest, label in pages.DOCS.values()}
    said |= {"Møte", "Forhåndsvisning", "Signaturer", "Arkiv", "Vedlegg", *editing.GROUPS.values()}
    said |= set(meetings.STATES.values()) | set(packages.STANDINGS)
    for module in ("pages.py", "signing_pages.py"):
        source = (Path(pages.__file__).parent / module).read_text("utf-8")
        said |= set(re.findall(r'jobs\.start\([^"]*"([^"{]+)"', source))
    said |= {f"bygging av {w}" for w in ("referatet", "avtalen", "utkastet", "innkallingen")}
    missing = sorted(p for p in said if p not in texts.NN)
    assert missing == []
    assert len(said) > 100


def test_the_archive_page_says_where_the_meeting_stands_with_the_archive(tmp_path: Path) -> None:
    """The archive's answer (archive/record.py) on the Arkiv page, in the body's language:
    written and waiting, refused with the archive's reason, archived with its numbers."""
    from conftest import ROOT

    from referatbygg.archive import record

    folder = tmp_path / "meetings"
    shutil.copytree(ROOT / "meetings/valstyret", folder / "valstyret")
    out = tmp_path / "out" / "valstyret-2025-06-12"
    out.mkdir(parents=True)
    sent = {"klientMeldingId": "m1", "meldingstype": "no.ks.fiks.arkiv.v1.arkivering."
            "arkivmelding.opprett", "written": "2025-06-20T10:00:00+02:00"}  # fmt: skip
    server, site = make_server(folder, tmp_path / "out")
    serve_in_thread(server)
    try:
        url = f"/archive?file=valstyret/2025-06-12.toml&token={site.token}"
        for answers, archive, said in [
            ([], {}, "Arkivet har ikkje svart på melding laga 2025-06-20T10:00:00+02:00"),
            ([{"klientMeldingId": "m1", "outcome": "error", "text": "Ukjent utval"}], {},
             "Arkivet avviste melding: Ukjent utval"),
            ([{"klientMeldingId": "m1", "outcome": "archived"}],
             {"mappe": {"saksnummer": "2025/40"}, "registrering": {
                 "systemID": "s-1", "journalnummer": "2025/612"}},
             "Arkivert: sak 2025/40, journalpost 2025/612, systemID s-1"),
        ]:  # fmt: skip
            record.write(out, record.Record([sent], answers, archive))
            status, _h, body = get(site, url)
            assert status == 200 and said in body, body[-3000:]
    finally:
        server.shutdown()
        server.server_close()
        site.close()


def test_a_nynorsk_body_gets_nynorsk_pages(tmp_path: Path) -> None:
    from conftest import ROOT

    folder = tmp_path / "meetings"
    shutil.copytree(ROOT / "meetings/valstyret", folder / "valstyret")
    server, site = make_server(folder, tmp_path / "out")
    serve_in_thread(server)
    try:
        file = next((folder / "valstyret").glob("20*.toml")).relative_to(folder).as_posix()
        for page, word in [("meeting", "Funn utanfor sakene"), ("preview", "Førehandsvising"),
                           ("signatures", "Signatarar, i den rekkjefølgja dei signerer"),
                           ("archive", "Pakken kan lagast når alle har signert")]:  # fmt: skip
            status, _h, body = get(site, f"/{page}?file={file}&token={site.token}")
            assert status == 200, body
            assert '<html lang="nn">' in body and word in body, (page, body[:2000])
        # The page listing every body stays bokmål.
        _s, _h, body = get(site, f"/?token={site.token}")
        assert '<html lang="nb">' in body
        from browser import axe_violations, chromium

        driver = chromium()
        try:
            driver.set_script_timeout(60)
            driver.get(f"http://127.0.0.1:{site.port}/meeting?file={file}&token={site.token}")
            assert driver.title.startswith("Møte – ")
            assert "Funn utanfor sakene" in driver.find_element("tag name", "main").text
            assert axe_violations(driver) == []
        finally:
            driver.quit()
    finally:
        server.shutdown()
        server.server_close()
        site.close()
