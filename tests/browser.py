"""Debian's Chromium, headless, driven by Selenium through Debian's chromedriver; axe-core run in
the page. The flags keep Chromium off the network (this machine's is closed) and out of the
user's profile."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
AXE = ROOT / ".web-tools/node_modules/axe-core/axe.min.js"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1280,900"]  # fmt: skip


def chromium() -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tempfile.mkdtemp(prefix='referatbygg-chromium-')}")
    return webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))


def axe_violations(driver: Any, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations of the given impacts on the current page."""
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', "
        "'wcag21aa']}}).then(r => done(JSON.stringify(r.violations)));"
    )
    return [f"{v['id']} ({v['impact']}): {v['help']}" for v in json.loads(result)
            if v["impact"] in impacts]  # fmt: skip


def shot(driver: Any, name: str) -> None:
    """With REFERATBYGG_SCREENSHOTS=<folder>, keep the whole page (beyond the window's height)
    as <folder>/<name>.png: the README's screenshots are made by the browser tests themselves."""
    import base64
    import os

    folder = os.environ.get("REFERATBYGG_SCREENSHOTS")
    if not folder:
        return
    size = driver.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    )
    clip = {"x": 0, "y": 0, "width": size[0], "height": min(size[1], 3000), "scale": 1}
    data = driver.execute_cdp_cmd(
        "Page.captureScreenshot", {"captureBeyondViewport": True, "clip": clip}
    )
    (Path(folder) / f"{name}.png").write_bytes(base64.b64decode(data["data"]))


def replaced(old: Any) -> Any:
    """A wait condition: ``old`` no longer belongs to the page shown (the page was replaced).
    Chromium answers a question about an element of a page it just left with
    StaleElementReferenceException or, in the middle of the navigation, with "Node with given
    id does not belong to the document" — both mean the same; anything else is an error."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    def gone(_driver: Any) -> bool:
        try:
            old.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as exc:
            if "does not belong to the document" in str(exc):
                return True
            raise
        return False

    return gone


def press(driver: Any, label: str, timeout: float = 400) -> str:
    """Press the button labelled ``label``, wait for the page after it and for the meeting's
    job to end (the page reloads itself), then the page's main text."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    old = driver.find_element("id", "job")
    driver.find_element("xpath", f"//button[text()='{label}']").click()
    WebDriverWait(driver, 60).until(replaced(old))
    WebDriverWait(driver, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: d.find_element("id", "job").get_attribute("data-running") == "false"
    )
    return str(driver.find_element("tag name", "main").text)


def unfold(driver: Any, element_id: str) -> Any:
    """The element with ``element_id``, after opening each folded section around it (outermost
    first) by clicking its summary, as a user does; the form folds each item and its parts."""
    element = driver.find_element("id", element_id)
    closed = driver.execute_script(
        "const out = []; for (let e = arguments[0]; e; e = e.parentElement)"
        " if (e.tagName === 'DETAILS' && !e.open) out.unshift(e.querySelector(':scope > summary'));"
        " return out;",
        element,
    )
    for summary in closed:
        summary.click()
    return element
