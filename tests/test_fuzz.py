"""Hypothesis: arbitrary and mutated meeting files give an InputError, never a traceback."""

from __future__ import annotations

from pathlib import Path

from conftest import BODY, MEETING
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from referatbygg.errors import InputError
from referatbygg.meeting.check import check
from referatbygg.meeting.load import load_meeting

SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _load(tmp_path: Path, text: str) -> None:
    (tmp_path / "organ.toml").write_text(BODY.format(language="nb"), encoding="utf-8")
    path = tmp_path / "m.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        check(load_meeting(path))
    except InputError as exc:
        assert str(exc)  # a message, not an empty error


@SETTINGS
@given(st.text(max_size=400))
def test_arbitrary_text(tmp_path: Path, text: str) -> None:
    _load(tmp_path, text.encode("utf-8", "surrogatepass").decode("utf-8", "replace"))


@SETTINGS
@given(st.data())
def test_mutated_meeting(tmp_path: Path, data: st.DataObject) -> None:
    lines = MEETING.splitlines()
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(lines) - 1))
        op = data.draw(st.sampled_from(["drop", "dup", "replace", "insert"]))
        if op == "drop":
            lines.pop(i)
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "replace":
            lines[i] = data.draw(st.sampled_from([
                "numbers = []", "numbers = [0]", 'date = "i går"', "date = 2024-13-01",
                "[[attachments]]", "item = 2", 'file = "/etc/passwd"', "[participants]",
                "present = [1, 2]", "votes = { for = -1, against = 0 }", "[items.decision]",
                'kind = "vedtak"', "no_business = true", 'body = "../../x.toml"', "[abbreviations]",
                'X = ""', "end = 25:00:00", "start = 1979-05-27T07:32:00Z",
            ]))  # fmt: skip
        else:
            lines.insert(i, data.draw(st.text(max_size=30)))
        if not lines:
            break
    _load(tmp_path, "\n".join(lines))


AGREEMENT = (Path(__file__).parents[1] / "meetings/politiradet/avtaler/"
             "politiradsavtale-2023-2025.toml").read_text(encoding="utf-8")  # fmt: skip


@SETTINGS
@given(st.data())
def test_mutated_agreement(tmp_path: Path, data: st.DataObject) -> None:
    lines = AGREEMENT.replace('body = "../organ.toml"', 'body = "organ.toml"').splitlines()
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(lines) - 1))
        lines[i] = data.draw(st.sampled_from([
            "", "[[parties]]", 'signatory = "Ukjent"', "[[articles]]", 'title = ""',
            "period = { from = 2025-01-01, to = 2023-01-01 }", 'kind = "vedtak"',
            'text = "- [unntatt] hemmelig"', "parties = []", "date = 1",
        ]))  # fmt: skip
    (tmp_path / "organ.toml").write_text(BODY.format(language="nb"), encoding="utf-8")
    path = tmp_path / "a.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    try:
        check(load_meeting(path))
    except InputError as exc:
        assert str(exc)
