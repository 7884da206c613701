"""#27's whole job in Chromium, no TOML edited by hand: a new body with its two signatories, the
first meeting filled in from the page (place and time, a case with its decision, participants,
an attachment uploaded), built, signed by both (the demo PKI's keys are on this machine),
timestamped and packaged, the package downloaded and checked; then the next meeting from this
one. axe-core on every page state it passes through."""

from __future__ import annotations

import http.client
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

from referatbygg.meeting.check import check
from referatbygg.meeting.load import load_meeting
from referatbygg.web.server import Site, make_server, serve_in_thread


@pytest.fixture
def empty_site(tmp_path: Path) -> Iterator[Site]:
    folder = tmp_path / "moter"
    folder.mkdir()
    server, site = make_server(folder, tmp_path / "ut")
    serve_in_thread(server)
    yield site
    server.shutdown()
    server.server_close()
    site.close()


def test_the_whole_job_in_the_pages(empty_site: Site, tmp_path: Path) -> None:
    from browser import axe_violations, chromium, press, replaced, unfold
    from selenium.webdriver.support.ui import WebDriverWait

    site = empty_site
    base = f"http://127.0.0.1:{site.port}"

    def wait_page(driver: Any, old: Any) -> None:
        WebDriverWait(driver, 60).until(replaced(old))

    def click(driver: Any, css: str) -> None:
        old = driver.find_element("tag name", "main")
        driver.execute_script("window.onbeforeunload = null;")
        driver.find_element("css selector", css).click()
        wait_page(driver, old)

    def fill(driver: Any, field: str, value: str) -> None:
        element = driver.find_element("id", field)
        element.clear()
        element.send_keys(value)

    driver = chromium()
    try:
        driver.set_script_timeout(60)
        driver.get(f"{base}/?token={site.token}")
        assert axe_violations(driver) == []
        # A new body, with who signs.
        fill(driver, "body-name", "Eldrerådet")
        fill(driver, "body-organisation", "Nordby kommune")
        fill(driver, "body-organisation-number", "310900060")  # synthetic (Tenor); invented
        fill(driver, "sign1-title", "Leder")
        fill(driver, "sign1-name", "Kari Nordmann")
        fill(driver, "sign2-title", "Sekretær")
        fill(driver, "sign2-name", "Ola Nordmann")
        click(driver, "form[action='/new-body'] button[type=submit]")
        assert driver.title.startswith("Møte – ")
        assert axe_violations(driver) == []
        (meeting,) = (site.folder / "eldreradet").glob("20*.toml")
        # The meeting: place and time; a case with its decision; who was there.
        fill(driver, "meeting.0.place", "Rådhuset, møterom 2")
        fill(driver, "meeting.0.start", "10:00")
        fill(driver, "meeting.0.end", "12:00")
        driver.find_element("xpath", "//summary[contains(., 'ny sak')]").click()
        fill(driver, "new.items.title", "Budsjett for 2027")
        fill(driver, "new.items.text", "Rådet drøftet budsjettet.")
        click(driver, "button[value='add:items']")
        assert "Budsjett for 2027" in driver.page_source
        index = len(load_meeting(meeting).data.items) - 1
        unfold(driver, f"items.{index}.decision.text")
        fill(driver, f"items.{index}.decision.text", "Rådet tar budsjettet til orientering.")
        driver.find_element("id", f"items.{index}.decision.unanimous").send_keys("ja")
        click(driver, "#meeting-form > p > button[type=submit]")
        assert "Lagret." in driver.page_source
        # A proposal voted on, and a member disqualified, in the item's folded parts.
        unfold(driver, f"new.items.{index}.proposals.text")
        fill(driver, f"new.items.{index}.proposals.text", "Rådet ber om en ny vurdering.")
        fill(driver, f"new.items.{index}.proposals.by", "Per Hansen")
        click(driver, f"button[value='add:items.{index}.proposals']")
        unfold(driver, f"items.{index}.proposals.0.votes.for")
        fill(driver, f"items.{index}.proposals.0.votes.for", "1")
        fill(driver, f"items.{index}.proposals.0.votes.against", "2")
        unfold(driver, f"new.items.{index}.conflicts.name")
        fill(driver, f"new.items.{index}.conflicts.name", "Kari Nordmann")
        fill(driver, f"new.items.{index}.conflicts.basis", "fvl. § 6 første ledd bokstav a")
        click(driver, f"button[value='add:items.{index}.conflicts']")
        assert axe_violations(driver) == []
        case = load_meeting(meeting).data.items[index]
        assert case.proposals[0].votes is not None and case.proposals[0].outcome is False
        assert case.conflicts[0].name == "Kari Nordmann"
        # The case moved up one place: it takes the number before it, the other its own.
        numbers = [x.numbers for x in load_meeting(meeting).data.items]
        click(driver, f"button[value='up:items.{index}']")
        index -= 1
        moved = load_meeting(meeting).data.items
        assert moved[index].title == "Budsjett for 2027"
        assert [x.numbers for x in moved] == numbers
        for name in ("Kari Nordmann", "Per Hansen"):
            driver.find_element("xpath", "//summary[contains(., 'til stede')]").click()
            fill(driver, "new.participants.present.name", name)
            click(driver, "button[value='add:participants.present']")
        driver.find_element("xpath", "//summary[contains(., 'referent')]").click()
        fill(driver, "new.participants.secretary.name", "Ola Nordmann")
        click(driver, "button[value='add:participants.secretary']")
        assert axe_violations(driver) == []
        # An attachment to the new case.
        pdf = ROOT / "meetings/politiradet/vedlegg/situasjonsbrief.pdf"
        driver.find_element("id", "vedlegg-fil").send_keys(str(pdf))
        fill(driver, "vedlegg-tittel", "Budsjettforslag")
        fill(driver, "vedlegg-sak", str(load_meeting(meeting).data.items[index].numbers[0]))
        click(driver, "form[action^='/attach'] button[type=submit]")
        loaded = load_meeting(meeting)
        assert [str(p) for p in check(loaded) if p.severity == "error"] == []
        data = tomllib.loads(meeting.read_text(encoding="utf-8"))
        assert data["place"] == "Rådhuset, møterom 2" and data["attachments"][0]["title"] == (
            "Budsjettforslag")  # fmt: skip
        # Build, sign both, package.
        driver.find_element("link text", "Forhåndsvisning").click()
        text = press(driver, "Bygg referatet")
        assert "ferdig" in text.lower(), text
        assert axe_violations(driver) == []
        driver.find_element("link text", "Signaturer").click()
        press(driver, "Signer her som leder")
        text = press(driver, "Signer her som sekretær")
        assert "testsignatur" in text and "Alle har signert" in text, text
        assert axe_violations(driver) == []
        driver.find_element("link text", "Arkiv").click()
        text = press(driver, "Lag arkivpakke")
        assert "Kontroll av pakken: OK" in text, text
        assert axe_violations(driver) == []
        # The next meeting from this one.
        driver.find_element("link text", "Møte").click()
        click(driver, "form[action^='/new-meeting'] button[type=submit]")
        assert driver.title.startswith("Møte – ")
    finally:
        driver.quit()
    cookie = {"Cookie": f"referatbygg_token={site.token}"}
    conn = http.client.HTTPConnection("127.0.0.1", site.port, timeout=60)
    conn.request("GET", f"/download?file=eldreradet/{meeting.name}&what=pakke",
                 headers={"Host": f"127.0.0.1:{site.port}", **cookie})  # fmt: skip
    zipped = conn.getresponse().read()
    assert zipped.startswith(b"PK")
    from referatbygg.archive.check import check_package
    from referatbygg.config import load_config
    from referatbygg.signing.trust import trust

    saved = tmp_path / "pakke.zip"
    saved.write_bytes(zipped)
    assert check_package(saved, trust(load_config(None)).roots).ok
    following = sorted((site.folder / "eldreradet").glob("20*.toml"))
    assert len(following) == 2
    assert [str(p) for p in check(load_meeting(following[-1])) if p.severity == "error"] == []
