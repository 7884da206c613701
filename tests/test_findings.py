"""check's findings in the workbench's words: every kind check can give has its bokmål and
nynorsk sentence, schema errors name the field as the form labels it, and what has no
translation is shown in English, marked as English — never dropped."""

from __future__ import annotations

import ast
import shutil
import string
from pathlib import Path

from conftest import ROOT
from test_web import site  # noqa: F401 - the fixture

from referatbygg.meeting.check import Problem, check, file_problems
from referatbygg.meeting.load import load_meeting
from referatbygg.web.findings import CODES, grouped, say
from referatbygg.web.server import Site

SOURCES = ["meeting/check.py", "meeting/legal.py", "pipeline.py"]


def _codes_in_source() -> set[str]:
    """The codes the library gives, read from its source: the fourth argument of every
    ``add(…)`` and ``Problem(…)``, and the first of every tuple legal.py returns (with the
    strings a code is put together from: ``"attendance_" + key``)."""
    found: set[str] = set()
    src = ROOT / "src/referatbygg"
    for name in SOURCES:
        tree = ast.parse((src / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            code: ast.AST | None = None
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id in ("add", "Problem") and len(node.args) > 3:  # fmt: skip
                code = node.args[3]
            elif isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple) \
                    and name.endswith("legal.py"):  # fmt: skip
                code = node.value.elts[0]
            if isinstance(code, ast.IfExp):  # "a" if mode == "body" else "b": not the test
                code = ast.Tuple([code.body, code.orelse])
            if code is None:
                continue
            parts = [c.value for c in ast.walk(code)
                     if isinstance(c, ast.Constant) and isinstance(c.value, str)]  # fmt: skip
            if isinstance(code, ast.BinOp) and parts == ["attendance_"]:
                found |= {"attendance_arrived_at", "attendance_left_after"}
            elif isinstance(code, ast.BinOp):
                found |= {parts[0], parts[0] + parts[1]}  # "number_jump" + ("_first" if …)
            else:
                found |= set(parts)
    return found


def test_every_code_check_gives_is_said_in_both_written_standards() -> None:
    codes = _codes_in_source()
    assert len(codes) > 35, sorted(codes)
    assert sorted(codes - set(CODES)) == []
    assert sorted(set(CODES) - codes) == [], "a translation for a code nothing gives"
    for code, (nb, nn) in CODES.items():
        names = {n for _t, n, _f, _c in string.Formatter().parse(nb) if n}
        assert names == {n for _t, n, _f, _c in string.Formatter().parse(nn) if n}, code


def test_every_finding_of_the_examples_and_of_broken_ones_is_norwegian(tmp_path: Path) -> None:
    """check over the examples and over copies broken in many ways: every finding with a code
    comes out in Norwegian (no KeyError for a value the sentence names), none untranslated."""
    shutil.copytree(ROOT / "meetings/politiradet", tmp_path / "p")
    seed = tmp_path / "p/2023-01-13.toml"
    text = seed.read_text(encoding="utf-8")
    broken = [
        text.replace("numbers = [3]", "numbers = [2]"),  # used twice
        text.replace("numbers = [12]", "numbers = [14]"),  # a jump
        text.replace("item = 5\n", "item = 99\n"),  # an attachment to no item
        text.replace('title = "Dagsorden godkjent"', 'title = "Dagsorden ABCQZ godkjent"'),
        text.replace("date = 2023-01-13", "date = 1823-01-13"),
        text + '\n[[items]]\nnumbers = [13]\ntitle = "Lukket"\nclosed = { basis = "fordi", '
        'public_title = "Personalsak" }\ntreated_after = 77\n',
    ]
    problems: list[Problem] = []
    for i, variant in enumerate(broken):
        path = tmp_path / f"p/2023-02-{i + 1:02d}.toml"
        path.write_text(variant, encoding="utf-8")
        problems += check(load_meeting(path))
    for example in ("kommunestyret", "formannskapet", "oppvekstutvalet", "valstyret"):
        for path in sorted((ROOT / "meetings" / example).glob("20*.toml")):
            problems += check(load_meeting(path))
    codes = {p.code for p in problems}
    assert {"number_twice", "number_jump", "attachment_no_item", "abbreviation", "date_far",
            "treated_after_missing", "basis_none", "closed_no_decision"} <= codes  # fmt: skip
    for problem in problems:
        assert problem.code, problem
        for language in ("nb", "nn"):
            said = say(problem, language, str)
            assert not said.english and said.text, (problem, said)


def test_a_schema_error_names_the_field_as_the_form_does() -> None:
    message = (
        "m.toml:40: items[5].decision.votes.for: expected a whole number, got 'sju' (agenda item 6)"
    )
    (problem,) = file_problems(message, "m.toml")
    said = say(problem, "nb", str, {5: "6"})
    assert (said.where, said.text, said.english) == (
        "Sak 6 · Stemmer for", "skal være et helt tall, ikke 'sju'", False)  # fmt: skip
    by_item, general = grouped([problem], "nb", str, {5: "6"})
    assert general == [] and by_item[5][0].where == "Stemmer for"
    nn = say(problem, "nn", lambda t: {"Sak": "Sak", "Stemmer for": "Røyster for"}.get(t, t))
    assert nn.text == "skal vere eit heilt tal, ikkje 'sju'" and nn.where.endswith("Røyster for")
    (person,) = file_problems("m.toml:9: participants.present[1].arrived: expected a time like "
                              '"13:30", got 1830', "m.toml")  # fmt: skip
    assert say(person, "nb", str).where == "Til stede 2 · Kom klokken"
    (proposal,) = file_problems("m.toml:9: items[0].proposals[1].votes.against: expected a "
                                "whole number, got 'x'", "m.toml")  # fmt: skip
    assert say(proposal, "nb", str, {0: "1"}).where == "Sak 1 · Forslag 2 · Stemmer mot"


def test_what_has_no_translation_is_shown_in_english_and_marked_so() -> None:
    (odd,) = file_problems("m.toml:3: a proposal is either 'unanimous' or has 'votes'", "m.toml")
    said = say(odd, "nb", str)
    assert said.english and said.text == "a proposal is either 'unanimous' or has 'votes'"


def test_a_build_stopped_by_check_says_why_in_the_page_s_words(site: Site) -> None:  # noqa: F811
    """The build of a meeting with an agenda number used twice stops at check; the page says
    so in Norwegian, naming the case and the field, and shows no English."""
    import time

    from test_web import get, post_to

    from referatbygg.web import jobs

    file = "politiradet/2023-01-13.toml"
    path = site.folder / file
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("numbers = [3]", "numbers = [2]"), encoding="utf-8")
    cookie = {"Cookie": f"referatbygg_token={site.token}"}
    status, _body = post_to(site, f"/build?file={file}&doc=referat", {}, cookie)
    assert status in (200, 303), status
    deadline = time.monotonic() + 120
    while (job := jobs.get(path.resolve()) or jobs.get(path)) is None or job.running:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert job.failure == "CheckFailed" and job.problems
    _s, _h, page = get(site, f"/preview?file={file}&token={site.token}")
    assert "Møtefilen har feil. Rett dem under Møte og bygg igjen." in page
    assert "Sak 2 · Saksnummer: <span>saksnummer 2 er brukt to ganger</span>" in page, page
    assert "agenda number" not in page and "items[" not in page


def test_the_meetings_page_lists_findings_in_norwegian(site: Site) -> None:  # noqa: F811
    from test_web import get

    _s, _h, page = get(site, f"/?token={site.token}")
    assert "Fra klokken: <span>skal være et klokkeslett som 13:30, ikke &#39;13.30&#39;" in page
    assert "Sak 1: <span>ukjent nøkkel «body»" in page, page
    assert "expected a time" not in page and "unknown key" not in page
