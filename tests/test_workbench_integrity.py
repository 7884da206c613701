"""#27: what the workbench (and `new`, which it calls) writes is what the secretary typed, in a
file that loads — never text pasted into TOML, never a file that fails `check` from the start,
never a change lost between two saves."""

from __future__ import annotations

import datetime as dt
import html
import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomlkit
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_web import post_to, signing_site, site  # noqa: F401 - the fixtures

from referatbygg.meeting import scaffold
from referatbygg.meeting.check import check
from referatbygg.meeting.load import load_meeting
from referatbygg.web.server import Site

HOSTILE = ['Rå"det', "A]b # c", "Back\\slash", 'Tre """ sitat', "'enkle' og [[tabell]]"]


@pytest.mark.parametrize("name", HOSTILE)
def test_a_new_body_keeps_the_name_as_typed(site: Site, name: str) -> None:  # noqa: F811
    """Quotes, brackets, # and backslashes are the name's own: written as a TOML string and
    read back the same; the body and its first meeting load."""
    headers = {"Cookie": f"referatbygg_token={site.token}"}
    form = {"name": name, "organisation": f'{name} "kommune"', "language": "nb"}
    status, body = post_to(site, "/new-body", form, headers)
    assert status == 303, body
    folder = site.folder / scaffold.slug(name)
    data = tomllib.loads((folder / "organ.toml").read_text(encoding="utf-8"))
    assert data["name"] == name and data["organisation"] == f'{name} "kommune"'
    assert set(data) >= {"id", "name", "organisation", "language", "signatories"}
    (first,) = folder.glob("20*.toml")
    assert [p for p in check(load_meeting(first)) if p.severity == "error"] == []


@pytest.mark.parametrize("name", ["Ny\nlinje", 'x"\n[evil]\nid = "hack', "Tab\u0001kontroll"])
def test_a_name_that_would_add_keys_is_refused_and_the_form_kept(
    site: Site,  # noqa: F811
    name: str,
) -> None:
    """A line break (TOML injection) or a control character: refused in Norwegian, nothing
    written, and the form shows what was typed."""
    headers = {"Cookie": f"referatbygg_token={site.token}"}
    before = sorted(p.name for p in site.folder.iterdir())
    form = {"name": name, "organisation": "Oslo kommune", "language": "nn", "style": "skjema"}
    status, body = post_to(site, "/new-body", form, headers)
    assert status == 400, body
    assert "må være én linje tekst" in body and "ingenting ble skrevet" in body
    assert sorted(p.name for p in site.folder.iterdir()) == before
    assert 'value="Oslo kommune"' in body
    assert f'value="{html.escape(name, quote=True)}"' in body or "&#34;" in body
    assert '<option value="nn" selected>' in body and '<option value="skjema" selected>' in body


def test_new_refuses_a_multi_line_name_on_the_command_line(tmp_path: Path) -> None:
    from referatbygg import cli

    assert cli.main(["new", str(tmp_path / "b"), "--name", "A\nB"]) != 0
    assert not (tmp_path / "b").exists()


def test_a_problem_after_the_items_is_not_put_under_the_last_item(site: Site) -> None:  # noqa: F811
    """A finding in [[next_meetings]] (after the items) stands under "Funn utenfor sakene",
    not under the last item."""
    from referatbygg.web.editing import items
    from referatbygg.web.findings import grouped
    from referatbygg.web.meetings import row

    path = site.folder / "politiradet/2023-01-13.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + '\n[[next_meetings]]\ndate = "2024-01-01"\n', encoding="utf-8")
    found = row(path, site.out_root, site.config(), own_language=True)
    assert found.problems, "the string date is an error"
    forms = items(path)
    by_item, general = grouped(found.problems, "nb", str, {f.index: f.numbers for f in forms})
    assert not by_item, by_item
    assert [(s.where, s.text) for s in general] == [
        ("Neste møte 5 · Dato", "skal være en dato som 2023-01-13, ikke '2024-01-01'")
    ]


EXAMPLES = ["politiradet/2023-01-13.toml", "kommunestyret/2025-03-27.toml",
            "valstyret/2025-06-12.toml", "formannskapet/2026-03-05.toml",
            "oppvekstutvalet/2026-02-10.toml"]  # fmt: skip

next_meeting = st.fixed_dictionaries(
    {"days": st.integers(1, 400)},
    optional={
        "length": st.integers(0, 3),
        "start": st.times().map(lambda t: t.replace(second=0, microsecond=0)),
        "hours": st.integers(1, 8),
        "note": st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30),
    },
)


def _row(meeting_date: dt.date, spec: dict[str, object]) -> str:
    day = meeting_date + dt.timedelta(days=int(spec["days"]))  # type: ignore[call-overload]
    out = f"\n[[next_meetings]]\ndate = {day.isoformat()}\n"
    if spec.get("length"):
        out += f"end_date = {(day + dt.timedelta(days=int(spec['length']))).isoformat()}\n"  # type: ignore[call-overload]
    start = spec.get("start")
    if isinstance(start, dt.time) and start.hour < 16:
        end = dt.time(start.hour + int(spec.get("hours", 1)), start.minute)  # type: ignore[call-overload]
        out += f'start = "{start:%H:%M}"\nend = "{end:%H:%M}"\n'
    if spec.get("note"):
        import json

        out += f"note = {json.dumps(spec['note'], ensure_ascii=False)}\n"
    return out


@pytest.mark.parametrize("example", EXAMPLES)
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(next_meeting, min_size=0, max_size=4))
def test_what_new_from_writes_passes_check(
    tmp_path: Path, example: str, rows: list[dict[str, object]]
) -> None:
    """Over the examples and random next-meeting lists: the next meeting loads and has no
    error, dated as the first next meeting says; the later ones are carried as dates and times,
    not strings."""
    place = tmp_path / f"p{abs(hash(str(rows))) % 10**8}"
    folder = (ROOT / "meetings" / example).parent
    shutil.copytree(folder, place / folder.name, dirs_exist_ok=True)
    source = place / example
    doc = tomlkit.parse(source.read_text(encoding="utf-8"))
    doc.pop("next_meetings", None)  # start from a file with only the generated ones
    text = tomlkit.dumps(doc)
    date = load_meeting(source).data.date
    text = text.rstrip() + "\n" + "".join(_row(date, r) for r in rows)
    source.write_text(text, encoding="utf-8")
    target = source.with_name("neste.toml")
    scaffold.next_meeting(source, target)
    made = load_meeting(target)
    assert [str(p) for p in check(made) if p.severity == "error"] == []
    if rows:
        assert made.data.date == date + dt.timedelta(days=int(rows[0]["days"]))  # type: ignore[call-overload]
        assert len(made.data.next_meetings) == len(rows) - 1


def test_two_saves_at_once_one_wins_the_other_gets_the_conflict(tmp_path: Path) -> None:
    """Two saves of the same loaded file at the same moment, ten times: exactly one is written,
    the other is told of the conflict, and the file holds the winner's change whole."""
    import threading

    from referatbygg.web.editing import Conflict, digest, save

    shutil.copytree(ROOT / "meetings/politiradet", tmp_path / "p")
    path = tmp_path / "p/2023-01-13.toml"
    for trial in range(10):
        loaded = digest(path)
        start = threading.Barrier(2)
        outcome: dict[str, str] = {}

        def one(who: str, title: str, start: threading.Barrier = start, loaded: str = loaded,
                outcome: dict[str, str] = outcome) -> None:  # fmt: skip
            start.wait()
            try:
                save(path, loaded, {"items.0.title": title})
                outcome[who] = "saved"
            except Conflict:
                outcome[who] = "conflict"

        threads = [threading.Thread(target=one, args=(w, f"{w} {trial}")) for w in "AB"]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcome.values()) == ["conflict", "saved"], outcome
        winner = next(w for w, o in outcome.items() if o == "saved")
        assert load_meeting(path).data.items[0].title == f"{winner} {trial}"


def _loaded(site: Site, file: str) -> tuple[dict[str, str], str, str]:  # noqa: F811
    import re

    from test_web import get

    _s, _h, body = get(site, f"/meeting?file={file}&token={site.token}")
    found = re.search(r'name="digest" value="([0-9a-f]+)"', body)
    assert found is not None, body
    return {"Cookie": f"referatbygg_token={site.token}"}, found.group(1), body


def test_a_conflict_keeps_what_was_typed_and_what_the_other_saved(site: Site) -> None:  # noqa: F811
    """Two tabs on one meeting: the first saves a title; the second, made from the same
    version, changes another. The second is told, nothing is lost: its form comes back with
    the first tab's change and its own, the table names its change; saving again writes both."""
    import re

    from test_web import post

    file = "politiradet/2023-01-13.toml"
    headers, loaded, page = _loaded(site, file)
    first = re.search(r'id="items\.0\.title" name="items\.0\.title" value="([^"]*)"', page)
    assert first is not None
    status, _body = post(site, file, {"digest": loaded, "items.0.title": "Fra fane A"}, headers)
    assert status == 200
    form_b = {"digest": loaded, "items.0.title": html.unescape(first.group(1)),
              "items.1.title": "Fra fane B"}  # fmt: skip
    status, body = post(site, file, form_b, headers)
    assert status == 409 and "endret på disken" in body
    assert 'value="Fra fane A"' in body and 'value="Fra fane B"' in body
    assert re.search(r"Sak 2: Tittel</th><td>[^<]*</td><td>Fra fane B</td>", body), body
    assert "endret av begge" not in body
    assert 'data-dirty="1"' in body
    path = site.folder / file
    assert load_meeting(path).data.items[1].title != "Fra fane B"  # nothing saved yet
    again = re.search(r'name="digest" value="([0-9a-f]+)"', body)
    assert again is not None
    status, _body = post(site, file, {"digest": again.group(1), "items.0.title": "Fra fane A",
                                      "items.1.title": "Fra fane B"}, headers)  # fmt: skip
    assert status == 200
    titles = [i.title for i in load_meeting(path).data.items[:2]]
    assert titles == ["Fra fane A", "Fra fane B"]


def test_a_field_both_changed_is_marked(site: Site) -> None:  # noqa: F811
    from test_web import post

    file = "politiradet/2023-01-13.toml"
    headers, loaded, _page = _loaded(site, file)
    assert post(site, file, {"digest": loaded, "items.0.title": "A"}, headers)[0] == 200
    status, body = post(site, file, {"digest": loaded, "items.0.title": "B"}, headers)
    assert status == 409 and "endret av begge" in body
    assert 'value="B"' in body  # theirs in the field, the other's in the table
    assert "<td>A</td><td>B</td>" in body


def test_leaving_with_unsaved_changes_asks_first(site: Site) -> None:  # noqa: F811
    """In Chromium: typing makes the page ask before it is left; saving does not."""
    from browser import chromium, unfold

    driver = chromium()
    try:
        driver.get(f"http://127.0.0.1:{site.port}/meeting?file=politiradet/2023-01-13.toml"
                   f"&token={site.token}")  # fmt: skip
        ask = ("const e = new Event('beforeunload', {cancelable: true});"
               "window.dispatchEvent(e); return e.defaultPrevented;")  # fmt: skip
        assert driver.execute_script(ask) is False
        unfold(driver, "items.0.title").send_keys(" endret")
        assert driver.execute_script(ask) is True
    finally:
        driver.quit()


def _raw(site: Site, path: str, headers: dict[str, str], body: bytes = b"") -> int:  # noqa: F811
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", site.port, timeout=20)
    conn.putrequest("POST", path, skip_host=True)
    base = {"Host": f"127.0.0.1:{site.port}", "Origin": f"http://127.0.0.1:{site.port}",
            "Cookie": f"referatbygg_token={site.token}",
            "Content-Type": "application/x-www-form-urlencoded"}  # fmt: skip
    for key, value in {**base, **headers}.items():
        conn.putheader(key, value)
    conn.endheaders()
    if body:
        conn.send(body)
    status = conn.getresponse().status
    conn.close()
    return status


@pytest.mark.parametrize(("headers", "status"), [
    ({"Content-Length": "-1"}, 400),
    ({"Content-Length": "abc"}, 400),
    ({"Content-Length": "1e9"}, 400),
    ({}, 411),
    ({"Transfer-Encoding": "chunked"}, 411),
    ({"Content-Length": str(2**40)}, 413),
])  # fmt: skip
def test_a_request_body_is_bounded_before_it_is_read(
    site: Site,  # noqa: F811
    headers: dict[str, str],
    status: int,
) -> None:
    """A negative, non-numeric or missing length, a chunked body, one over the limit: answered
    at once, nothing read (the server does not wait for a body that never comes)."""
    file = "/meeting?file=politiradet/2023-01-13.toml"
    before = (site.folder / "politiradet/2023-01-13.toml").read_bytes()
    assert _raw(site, file, headers) == status
    assert _raw(site, "/check?file=politiradet/2023-01-13.toml", headers) == status
    assert (site.folder / "politiradet/2023-01-13.toml").read_bytes() == before


@pytest.mark.parametrize("name", ["a%00b.toml", "politiradet%2F2023-01-13.toml%00",
                                  "x" * 5000 + ".toml"])  # fmt: skip
def test_a_hostile_file_parameter_is_not_found_not_a_crash(site: Site, name: str) -> None:  # noqa: F811
    from test_web import get

    for page in ("meeting", "preview", "signatures", "archive"):
        status, _h, _body = get(site, f"/{page}?file={name}&token={site.token}")
        assert status == 404, (page, status)


def test_a_large_upload_is_streamed_to_disk(tmp_path: Path, signing_site: Site) -> None:  # noqa: F811
    """A 99 MB upload (not a PDF): read 1 MiB at a time to the scratch folder, its field copied
    out the same way, refused — with the request's Python allocations (client and server
    threads) peaking far below its size, and nothing left behind."""
    import http.client
    import tracemalloc

    server = signing_site
    boundary = "----referatbygg-stor"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="signert"; '
            'filename="stor.pdf"\r\nContent-Type: application/pdf\r\n\r\n').encode()  # fmt: skip
    tail = f"\r\n--{boundary}--\r\n".encode()
    big = tmp_path / "stor.bin"
    with big.open("wb") as out:
        out.write(head + b"GIF89a")
        for _ in range(99):
            out.write(b"\0" * 2**20)
        out.write(tail)
    tracemalloc.start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
        with big.open("rb") as body:
            conn.request("POST", "/receive?file=politiradet/2023-01-13.toml", body=body, headers={
                "Host": f"127.0.0.1:{server.port}", "Origin": f"http://127.0.0.1:{server.port}",
                "Cookie": f"referatbygg_token={server.token}",
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Content-Length": str(big.stat().st_size)})  # fmt: skip
            resp = conn.getresponse()
            text = resp.read().decode()
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert resp.status == 400 and "ikke en PDF" in text
    assert peak < 24 * 2**20, f"{peak / 2**20:.0f} MiB"
    assert not [p for p in server.cache.rglob("*") if p.is_file() and p.parent.name in
                ("opplasting", "innsendt")]  # fmt: skip


def test_a_file_that_is_not_toml_is_fixed_in_the_page(site: Site) -> None:  # noqa: F811
    """A syntax error: the page shows the text and the error's line, not a 500; text that
    still does not parse is shown again as typed; fixed text is saved and the form returns."""
    import re

    from test_web import get

    path = site.folder / "politiradet/2023-01-13.toml"
    good = path.read_text(encoding="utf-8")
    broken = good.replace('title = "Dagsorden godkjent"', 'title = "Dagsorden godkjent', 1)
    path.write_text(broken, encoding="utf-8")
    file = "politiradet/2023-01-13.toml"
    headers = {"Cookie": f"referatbygg_token={site.token}"}
    for page in ("preview", "signatures", "archive"):  # no 500 anywhere
        assert get(site, f"/{page}?file={file}&token={site.token}")[0] in (200, 303), page
    status, _h, body = get(site, f"/meeting?file={file}&token={site.token}")
    assert status == 200 and "Filen kan ikke leses som TOML" in body
    assert "linje 8" in body and "Dagsorden godkjent" in body
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', body)
    assert digest is not None
    still = broken.replace("Dagsorden godkjent", "Dagsorden godkjent!!")
    status, body = post_to(site, f"/meeting-text?file={file}",
                           {"digest": digest.group(1), "text": still}, headers)  # fmt: skip
    assert status == 400 and "Dagsorden godkjent!!" in body
    assert path.read_text(encoding="utf-8") == broken
    status, _body = post_to(site, f"/meeting-text?file={file}",
                            {"digest": digest.group(1), "text": good}, headers)  # fmt: skip
    assert status == 303 and path.read_text(encoding="utf-8") == good
    status, _h, body = get(site, f"/meeting?file={file}&token={site.token}")
    assert status == 200 and 'id="meeting-form"' in body


def test_fixing_the_text_of_a_file_changed_meanwhile_keeps_the_text(site: Site) -> None:  # noqa: F811
    import re

    from test_web import get

    path = site.folder / "politiradet/2023-01-13.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n[[broken\n", encoding="utf-8")
    file = "politiradet/2023-01-13.toml"
    _s, _h, body = get(site, f"/meeting?file={file}&token={site.token}")
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', body)
    assert digest is not None
    path.write_text(path.read_text(encoding="utf-8") + "# someone else\n", encoding="utf-8")
    before = path.read_bytes()
    status, body = post_to(site, f"/meeting-text?file={file}", {
        "digest": digest.group(1), "text": "date = 2023-01-13\n# mitt\n"},
        {"Cookie": f"referatbygg_token={site.token}"})  # fmt: skip
    assert status == 409 and "# mitt" in body and path.read_bytes() == before


def test_the_pages_of_this_round_are_accessible(site: Site) -> None:  # noqa: F811
    """axe-core in Chromium on the new states: the text page of a file that is not TOML, a
    conflict with its table, a refused new body with its fields kept."""
    from browser import axe_violations, chromium, unfold
    from selenium.webdriver.support.ui import WebDriverWait

    path = site.folder / "politiradet/2023-01-13.toml"
    good = path.read_text(encoding="utf-8")
    driver = chromium()
    try:
        base = f"http://127.0.0.1:{site.port}"
        driver.get(f"{base}/?token={site.token}")
        driver.find_element("id", "body-name").send_keys("Politiradet")  # the folder exists
        driver.find_element("id", "body-organisation").send_keys("Oslo kommune")
        driver.find_element("css selector", "form[action='/new-body'] button").click()
        WebDriverWait(driver, 30).until(lambda d: "finnes allerede" in d.page_source)
        kept = driver.find_element("id", "body-organisation").get_attribute("value")
        assert kept == "Oslo kommune"
        assert axe_violations(driver) == []
        driver.get(f"{base}/meeting?file=politiradet/2023-01-13.toml")
        path.write_text(good.replace("Dagsorden godkjent", "Endret i en annen fane"), "utf-8")
        title = unfold(driver, "items.1.title")
        title.send_keys(" (mitt)")
        driver.execute_script("window.onbeforeunload = null;")
        driver.find_element("css selector", "#meeting-form button[type=submit]").click()
        WebDriverWait(driver, 30).until(
            lambda d: "Filen ble endret på disken mens du skrev" in d.page_source
        )
        assert axe_violations(driver) == []
        path.write_text(good + "\n[[broken\n", encoding="utf-8")
        driver.get(f"{base}/meeting?file=politiradet/2023-01-13.toml")
        WebDriverWait(driver, 30).until(lambda d: "Filen kan ikke leses som TOML" in d.page_source)
        assert axe_violations(driver) == []
    finally:
        driver.quit()
        path.write_text(good, encoding="utf-8")


def _save(site: Site, file: str, form: dict[str, str]) -> tuple[int, str]:  # noqa: F811
    from test_web import post

    headers, loaded, _page = _loaded(site, file)
    return post(site, file, {"digest": loaded, **form}, headers)


def test_every_part_of_the_meeting_is_edited_in_the_page(site: Site) -> None:  # noqa: F811
    """The meeting's date, time, place; an item added and removed; a participant added (a quote
    in the name), moved and removed; a next meeting and a chair added — each written as TOML
    values, each file loading with no new error; an addition without what it needs refused with
    what was typed kept."""
    file = "politiradet/2023-01-13.toml"
    path = site.folder / file
    errors = lambda: [str(p) for p in check(load_meeting(path)) if p.severity == "error"]  # noqa: E731
    assert errors() == []
    count = len(load_meeting(path).data.items)
    status, _b = _save(site, file, {"meeting.0.date": "2023-01-20", "meeting.0.start": "09:00",
                                    "meeting.0.place": 'Rådhuset, "Store sal"'})  # fmt: skip
    assert status == 200
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["date"] == dt.date(2023, 1, 20) and data["start"] == "09:00"
    assert data["place"] == 'Rådhuset, "Store sal"'
    # An item without its title: refused, nothing written, the typed values kept in the page.
    before = path.read_bytes()
    status, body = _save(site, file, {"action": "add:items", "new.items.text": "Tekst jeg skrev",
                                      "meeting.0.place": "Et nytt sted"})  # fmt: skip
    assert status == 400 and "Fyll inn tittel" in body and path.read_bytes() == before
    assert 'data-dirty="1"' in body  # unsaved: leaving asks first
    assert "Tekst jeg skrev" in body and 'value="Et nytt sted"' in body
    status, _b = _save(site, file, {"action": "add:items", "new.items.title": "Eventuelt #2 ]",
                                    "new.items.text": "- Ingen saker."})  # fmt: skip
    assert status == 200
    items = load_meeting(path).data.items
    assert len(items) == count + 1 and items[-1].title == "Eventuelt #2 ]"
    assert items[-1].numbers == (max(n for i in items[:-1] for n in i.numbers) + 1,)
    status, _b = _save(site, file, {"action": f"remove:items.{count}"})
    assert status == 200 and len(load_meeting(path).data.items) == count
    # Participants: added, moved up, removed.
    for name in ('Kari "K" Nordmann', "Ola Nordmann"):
        status, _b = _save(site, file, {"action": "add:participants.present",
                                        "new.participants.present.name": name,
                                        "new.participants.present.party": "Ap"})  # fmt: skip
        assert status == 200
    present = load_meeting(path).data.participants.present
    names = [x.name for x in present]
    assert names[-2:] == ['Kari "K" Nordmann', "Ola Nordmann"]
    status, _b = _save(site, file, {"action": f"up:participants.present.{len(names) - 1}"})
    assert [x.name for x in load_meeting(path).data.participants.present][-2:] == [
        "Ola Nordmann", 'Kari "K" Nordmann']  # fmt: skip
    status, _b = _save(site, file, {"action": f"remove:participants.present.{len(names) - 1}"})
    assert 'Kari "K" Nordmann' not in [x.name for x in load_meeting(path).data.participants.present]
    status, _b = _save(site, file, {"action": "add:participants.chair",
                                    "new.participants.chair.name": "Raymond Johansen",
                                    "new.participants.chair.role": "byrådsleder"})  # fmt: skip
    assert load_meeting(path).data.participants.chair.name == "Raymond Johansen"  # type: ignore[union-attr]
    status, _b = _save(site, file, {"action": "add:next_meetings",
                                    "new.next_meetings.date": "2023-12-14",
                                    "new.next_meetings.start": "13:30"})  # fmt: skip
    nxt = load_meeting(path).data.next_meetings[-1]
    assert nxt.date == dt.date(2023, 12, 14) and nxt.start == dt.time(13, 30)
    assert errors() == []


def test_the_last_item_is_not_removed_and_unknown_actions_are_refused(site: Site) -> None:  # noqa: F811
    path = site.folder / "politiradet/2023-01-13.toml"
    for action in (
        "remove:items.99",
        "explode:items.0",
        "up:items.99",
        "remove:meeting.0",
        "add:items.99.proposals",
        "remove:items.0.proposals.5",
        "up:items.0.votes.1",
    ):
        before = path.read_bytes()
        status, body = _save(site, "politiradet/2023-01-13.toml", {"action": action})
        assert status == 400, (action, status)
        assert path.read_bytes() == before
    single = 'date = 2023-01-13\n[[items]]\nnumbers = [1]\ntitle = "Eneste"\n'
    (site.folder / "politiradet/2023-02-01.toml").write_text(single, encoding="utf-8")
    status, body = _save(site, "politiradet/2023-02-01.toml", {"action": "remove:items.0"})
    assert status == 400 and "minst én sak" in body


def test_an_item_moves_with_its_number_and_what_refers_to_it(site: Site) -> None:  # noqa: F811
    """Moving "7 og 8" above 6: it becomes 6 og 7, the other 8, and the attachments that
    named 7 and 8 name 6 and 7 — they still belong to the same case; check finds nothing new.
    Items of different series do not trade places."""
    file = "politiradet/2023-01-13.toml"
    path = site.folder / file
    before = load_meeting(path).data
    assert [x.numbers for x in before.items[5:7]] == [(6,), (7, 8)]
    status, _b = _save(site, file, {"action": "up:items.6"})
    assert status == 200
    after = load_meeting(path).data
    assert [(x.numbers, x.title) for x in after.items[5:7]] == [
        ((6, 7), before.items[6].title), ((8,), before.items[5].title)]  # fmt: skip
    assert [(a.item, a.title) for a in after.attachments] == [
        (5, "Situasjonsbrief fra politiet"), (6, "Politirådsavtale 2023–2025"),
        (7, "SaLTo handlingsprogram 2023–2025")]  # fmt: skip
    assert [str(p) for p in check(load_meeting(path)) if p.severity == "error"] == []
    status, _b = _save(site, file, {"action": "down:items.5"})  # and back
    assert load_meeting(path).data.items == before.items
    assert load_meeting(path).data.attachments == before.attachments

    from conftest import ROOT

    shutil.copytree(ROOT / "meetings/formannskapet", site.folder / "formannskapet")
    file = "formannskapet/2026-03-05.toml"
    path = site.folder / file
    data = load_meeting(path).data
    pairs = list(zip(data.items, data.items[1:], strict=False))
    mixed = next(i for i, (a, b) in enumerate(pairs) if a.series != b.series)
    unmoved = path.read_bytes()
    status, body = _save(site, file, {"action": f"down:items.{mixed}"})
    assert status == 400 and "ulike serier" in body and path.read_bytes() == unmoved


def _upload(
    site: Site,  # noqa: F811
    file: str,
    fields: dict[str, str],
    name: str,
    data: bytes,
) -> tuple[int, str]:
    import http.client

    _h, loaded, _page = _loaded(site, file)
    boundary = "----referatbygg-vedlegg"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
             for k, v in {"digest": loaded, **fields}.items()]  # fmt: skip
    body = "".join(parts).encode() + (
        f'--{boundary}\r\nContent-Disposition: form-data; name="vedlegg"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n").encode() + data + \
        f"\r\n--{boundary}--\r\n".encode()  # fmt: skip
    conn = http.client.HTTPConnection("127.0.0.1", site.port, timeout=60)
    conn.request("POST", f"/attach?file={file}", body=body, headers={
        "Host": f"127.0.0.1:{site.port}", "Origin": f"http://127.0.0.1:{site.port}",
        "Cookie": f"referatbygg_token={site.token}",
        "Content-Type": f"multipart/form-data; boundary={boundary}"})  # fmt: skip
    resp = conn.getresponse()
    return resp.status, resp.read().decode()


def test_an_attachment_is_uploaded_from_the_page(site: Site) -> None:  # noqa: F811
    """A PDF uploaded to item 5: stored under a safe name in vedlegg/ (never over a file),
    listed with its title; a file check refuses (an empty PDF, a .exe, no title) leaves
    nothing behind."""
    file = "politiradet/2023-01-13.toml"
    path = site.folder / file
    pdf = (ROOT / "meetings/politiradet/vedlegg/situasjonsbrief.pdf").read_bytes()
    status, _body = _upload(site, file, {"title": "Brief \"nr. 2\"", "item": "5"},
                            "Situasjonsbrief (ny).PDF", pdf)  # fmt: skip
    assert status == 303, _body
    meeting = load_meeting(path)
    added = meeting.data.attachments[-1]
    assert added.title == 'Brief "nr. 2"' and added.item == 5
    assert str(added.file) == "vedlegg/situasjonsbrief-ny.pdf"
    assert (path.parent / added.file).read_bytes() == pdf
    assert [p for p in check(meeting) if p.severity == "error"] == []
    status, _body = _upload(site, file, {"title": "Igjen", "item": "5"}, "situasjonsbrief-ny.pdf",
                            pdf)  # fmt: skip
    assert status == 303
    assert str(load_meeting(path).data.attachments[-1].file) == "vedlegg/situasjonsbrief-ny-2.pdf"
    before = path.read_bytes()
    files = sorted(p.name for p in (path.parent / "vedlegg").iterdir())
    for fields, name, data, said in (
        ({"title": "Tom", "item": "5"}, "tom.pdf", b"%PDF-1.7\n", "vedlegget ble ikke lagt til"),
        ({"title": "Program", "item": "5"}, "x.exe", b"MZ", "filtypen tas ikke imot"),
        ({"title": "", "item": "5"}, "a.pdf", pdf, "fyll inn tittel"),
        ({"title": "Feil sak", "item": "99"}, "a.pdf", pdf, "vedlegget ble ikke lagt til"),
    ):
        status, body = _upload(site, file, fields, name, data)
        assert status == 400 and said in body.lower(), (name, status, body[-600:])
        assert path.read_bytes() == before
        assert sorted(p.name for p in (path.parent / "vedlegg").iterdir()) == files
    assert not list(site.cache.rglob("opplasting/*"))


def test_the_pages_reflow_at_360_pixels(signing_site: Site) -> None:  # noqa: F811
    """WCAG 1.4.10: at 360 CSS pixels every page reads without scrolling sideways."""
    from browser import chromium

    server = signing_site
    driver = chromium()
    try:
        driver.set_window_size(360, 800)
        wide = "return document.documentElement.scrollWidth - document.documentElement.clientWidth;"
        driver.get(f"http://127.0.0.1:{server.port}/?token={server.token}")
        for page in ("", "meeting", "preview", "signatures", "archive"):
            url = f"/{page}?file=politiradet/2023-01-13.toml" if page else "/"
            driver.get(f"http://127.0.0.1:{server.port}{url}")
            over = driver.execute_script(wide)
            culprits = driver.execute_script(
                "return [...document.querySelectorAll('body *')].filter(e => "
                "e.getBoundingClientRect().right > 361).slice(0, 5).map(e => e.tagName + '.' + "
                "e.className + ' ' + (e.id || '') + ' ' + Math.round(e.getBoundingClientRect()"
                ".right));"
            )  # fmt: skip
            assert over <= 0, (page, over, culprits)
    finally:
        driver.quit()


def test_focus_moves_to_what_an_action_said(site: Site) -> None:  # noqa: F811
    """After a save, focus is on "Lagret."; after a refused action, on the refusal."""
    from browser import chromium
    from selenium.webdriver.support.ui import WebDriverWait

    def focused(driver: Any) -> str:
        return str(driver.execute_script("return document.activeElement.textContent"))

    driver = chromium()
    try:
        driver.get(f"http://127.0.0.1:{site.port}/meeting?file=politiradet/2023-01-13.toml"
                   f"&token={site.token}")  # fmt: skip
        assert driver.execute_script("return document.activeElement.tagName") == "BODY"
        driver.find_element("css selector", "#meeting-form > p > button").click()
        WebDriverWait(driver, 30).until(lambda d: focused(d) == "Lagret.")
        driver.execute_script("window.onbeforeunload = null;")
        driver.find_element("xpath", "//summary[contains(., 'ny sak')]").click()
        driver.find_element("css selector", "button[value='add:items']").click()
        WebDriverWait(driver, 30).until(lambda d: focused(d).startswith("Fyll inn tittel"))
    finally:
        driver.quit()


def test_the_browser_opens_on_a_one_time_url(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    """The browser's command line (readable by every local user) never carries the token: it
    gets a one-time URL, which the server exchanges for the cookie once, and then refuses."""
    import http.client
    import webbrowser
    from urllib.parse import urlsplit

    from referatbygg.cli.workbench import open_browser

    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", opened.append)
    open_browser(site)
    (address,) = opened
    assert site.token not in address and "/login?once=" in address
    target = urlsplit(address)
    conn = http.client.HTTPConnection("127.0.0.1", site.port, timeout=20)
    conn.request("GET", f"{target.path}?{target.query}", headers={"Host": target.netloc})
    resp = conn.getresponse()
    resp.read()
    assert resp.status == 303 and resp.getheader("Location") == "/"
    assert f"referatbygg_token={site.token}" in (resp.getheader("Set-Cookie") or "")
    conn.request("GET", f"{target.path}?{target.query}", headers={"Host": target.netloc})
    again = conn.getresponse()
    again.read()
    assert again.status == 403 and again.getheader("Set-Cookie") is None
    for bad in ("", "once=guess", f"once={target.query.split('=')[1]}x"):
        conn.request("GET", f"/login?{bad}", headers={"Host": target.netloc})
        answer = conn.getresponse()
        answer.read()
        assert answer.status == 403


def test_a_stopped_server_leaves_no_scratch_folder(tmp_path: Path) -> None:
    """SIGTERM (a service manager's stop), like Ctrl-C: the scratch folder is removed."""
    import signal
    import subprocess
    import sys
    import tempfile

    shutil.copytree(ROOT / "meetings/politiradet", tmp_path / "m/politiradet")
    before = set(Path(tempfile.gettempdir()).glob("referatbygg-web-*"))
    proc = subprocess.Popen([sys.executable, "-m", "referatbygg", "serve", str(tmp_path / "m"),
                             "--no-open", "--out", str(tmp_path / "out")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith("referatbygg: http://127.0.0.1:")
        made = set(Path(tempfile.gettempdir()).glob("referatbygg-web-*")) - before
        assert len(made) == 1
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        assert not any(p.exists() for p in made)
    finally:
        if proc.poll() is None:
            proc.kill()


def test_every_save_is_kept_and_can_be_restored(site: Site) -> None:  # noqa: F811
    """Two saves: the history page lists the file as it was and both saves, with who, when,
    what and the change; restoring the first version is itself a save, recorded."""
    import getpass

    from test_web import get, post

    from referatbygg.web.history import versions_of

    file = "politiradet/2023-01-13.toml"
    path = site.folder / file
    original = path.read_text(encoding="utf-8")
    assert _save(site, file, {"items.0.title": "Første endring"})[0] == 200
    assert _save(site, file, {"action": "add:participants.present",
                              "new.participants.present.name": "Per Hansen"})[0] == 200  # fmt: skip
    kept = versions_of(site.folder, path)
    assert [v.number for v in kept] == [0, 1, 2]
    assert kept[0].text == original and kept[-1].text == path.read_text(encoding="utf-8")
    assert [v.what for v in kept[1:]] == ["lagret i skjemaet", "la til: til stede"]
    assert all(v.who == getpass.getuser() for v in kept)
    status, _h, page = get(site, f"/history?file={file}&token={site.token}")
    assert status == 200 and "Versjon 2 (slik filen er nå)" in page
    assert "+title = &#34;Første endring&#34;" in page or '+title = "Første endring"' in page
    headers, loaded, _p = _loaded(site, file)
    status, _body = post_to(site, f"/restore?file={file}", {"version": "0", "digest": loaded},
                            headers)  # fmt: skip
    assert status == 303 and path.read_text(encoding="utf-8") == original
    assert versions_of(site.folder, path)[-1].what == "gjenopprettet versjon 0"
    # An old page's restore (the file changed since): refused, nothing changed.
    status, body = post_to(site, f"/restore?file={file}", {"version": "1", "digest": loaded},
                           headers)  # fmt: skip
    assert status == 400 and "ble endret mens du så på historikken" in body
    assert path.read_text(encoding="utf-8") == original
    # The history is hidden from the meetings list: no meeting there.
    status, _h, listing = get(site, f"/?token={site.token}")
    assert ".referatbygg" not in listing
    assert post(site, file, {"digest": "x"}, headers)[0] == 409


def test_a_save_in_a_git_repository_is_a_commit(site: Site) -> None:  # noqa: F811
    """The meetings folder in a git repository: each save is a commit by the person saving,
    made with dulwich, naming the file and what was done."""
    from dulwich import porcelain
    from dulwich.repo import Repo

    repo = Repo.init(str(site.folder))
    other = site.folder / "politiradet/organ.toml"
    porcelain.add(repo, paths=[str(site.folder / "politiradet/2023-01-13.toml"), str(other)])
    porcelain.commit(repo, message=b"start", author=b"a <a@b>", committer=b"a <a@b>")
    # Someone has staged a change of their own: it is theirs to commit, not the workbench's.
    other.write_text(other.read_text(encoding="utf-8") + "# mitt utkast\n", encoding="utf-8")
    porcelain.add(repo, paths=[str(other)])
    assert _save(site, "politiradet/2023-01-13.toml", {"items.0.title": "Endret"})[0] == 200
    head = repo[repo.head()]
    assert head.message.startswith(b"politiradet/2023-01-13.toml: lagret i skjemaet")
    assert b"referatbygg.local" in head.author
    status = porcelain.status(repo)
    assert b"politiradet/2023-01-13.toml" not in list(status.unstaged)
    assert status.staged["modify"] == [b"politiradet/organ.toml"]  # still staged, not committed
    tree = repo[head.tree]
    folder = repo[tree[b"politiradet"][1]]
    assert b"mitt utkast" not in repo[folder[b"organ.toml"][1]].data
    assert b'"Endret"' in repo[folder[b"2023-01-13.toml"][1]].data


def test_a_signed_meeting_is_changed_only_as_a_new_version(signing_site: Site) -> None:  # noqa: F811
    """Once someone signed, a save without "ny versjon" is refused with what was typed kept;
    with it the change is saved and Signaturer offers the new round."""
    from referatbygg.signing import pades

    server = signing_site
    file = "politiradet/2023-01-13.toml"
    working = server.out_root / "politiradet-2023-01-13/referat.pdf"
    from referatbygg.config import load_config

    pades.sign(working, "byradsleder", load_config(server.config_file))
    path = server.folder / file
    before = path.read_bytes()
    status, body = _save(server, file, {"items.0.title": "Endret etter signering"})
    assert status == 400 and "møtet er signert" in body.lower()
    assert "Endret etter signering" in body and path.read_bytes() == before
    status, _body = _save(server, file, {"items.0.title": "Endret etter signering",
                                         "new_version": "1"})  # fmt: skip
    assert status == 200 and b"Endret etter signering" in path.read_bytes()
    from test_web import get

    _s, _h, page = get(server, f"/signatures?file={file}&token={server.token}")
    assert "Start ny signeringsrunde" in page


@pytest.mark.parametrize(("line", "language", "said"), [
    ("build: convert referat to PDF/A", "nb", "gjør referat om til PDF/A"),
    ("convert attachment 2/3: Situasjonsbrief", "nn",
     "gjer vedlegg 2 av 3 om til PDF/A: Situasjonsbrief"),
    ("sign: medlem_1", "nb", "signerer som valgt medlem"),
    ("archive: bag (SHA-256, SHA-512)", "nb", "pakker og lager sjekksummer"),
    ("validate PDF/A (veraPDF)", "nn", "kontrollerer PDF/A med veraPDF"),
    ("something new", "nb", "something new"),
])  # fmt: skip
def test_progress_is_said_in_the_pages_language(line: str, language: str, said: str) -> None:
    from referatbygg.web.progress import norwegian

    assert norwegian(line, language, {"medlem_1": "Valgt medlem"}) == said  # type: ignore[arg-type]


def test_every_progress_line_of_a_build_is_norwegian(tmp_path: Path) -> None:
    """Each line a build and a run say is in the table: no English reaches the page."""
    from referatbygg.config import load_config
    from referatbygg.pipeline import run
    from referatbygg.web.progress import norwegian

    shutil.copytree(ROOT / "meetings/politiradet", tmp_path / "p")
    lines: list[str] = []
    run(tmp_path / "p/2023-01-13.toml", tmp_path / "out", load_config(None),
        progress=lines.append)  # fmt: skip
    titles = {"byradsleder": "Byrådsleder", "politimester": "Politimester"}
    untranslated = [x for x in lines if norwegian(x, "nb", titles) in (x, x.split(": ", 1)[-1])]
    assert lines and untranslated == []


def test_a_page_of_the_preview_opens_large_enough_to_read(signing_site: Site) -> None:  # noqa: F811
    """Each thumbnail links to its page at 120 dpi (about 990 pixels wide for A4)."""
    import re
    import struct

    from test_web import get

    server = signing_site
    file = "politiradet/2023-01-13.toml"
    _s, _h, page = get(server, f"/preview?file={file}&token={server.token}")
    link = re.search(r'<a href="(/page\?[^"]*size=stor)"><img [^>]*alt="[^"]*full størrelse"',
                     page)  # fmt: skip
    assert link is not None, page[-2000:]
    cookie = {"Cookie": f"referatbygg_token={server.token}"}
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    widths = []
    for query in (link.group(1).replace("&amp;", "&"),
                  link.group(1).replace("&amp;", "&").replace("&size=stor", "")):  # fmt: skip
        conn.request("GET", query, headers={"Host": f"127.0.0.1:{server.port}", **cookie})
        png = conn.getresponse().read()
        widths.append(struct.unpack(">I", png[16:20])[0])
    assert widths[0] >= 900 and widths[1] < 600, widths


def test_an_item_s_own_numbers_are_edited_in_the_form(site: Site) -> None:  # noqa: F811
    """ "7, 8" in the field is written as numbers = [7, 8]; a number that is not one stays text
    for check, which names the field in the page's words."""
    file = "politiradet/2023-01-13.toml"
    path = site.folder / file
    status, _b = _save(site, file, {"items.10.numbers": "13, 14"})
    assert status == 200
    assert tomllib.loads(path.read_text("utf-8"))["items"][10]["numbers"] == [13, 14]
    status, body = _save(site, file, {"items.10.numbers": "tretten"})
    assert status == 200
    assert tomllib.loads(path.read_text("utf-8"))["items"][10]["numbers"] == "tretten"
    assert "Saksnummer: <span>skal være en liste</span>" in body, body


def test_each_folded_item_is_named_as_the_minutes_print_it(site: Site) -> None:  # noqa: F811
    """A folded item's one line is its heading in the minutes — an orientering without a title
    is "3. Orientering fra politimesteren", not "(uten tittel)"."""
    _headers, _digest, page = _loaded(site, "politiradet/2023-01-13.toml")
    assert "<summary>3. Orientering fra politimesteren</summary>" in page, page[:3000]
    assert "(uten tittel)" not in page
