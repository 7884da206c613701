"""Minutes of other bodies: case numbers, proposals and votes, attendance with party and role,
conflicts of interest, closed items, case metadata, remarks, decisions placed in the text, who
signs — in bokmål and nynorsk; what check says about them; the JSON Schema; `new`."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import ROOT, SEED, WriteMeeting
from textcompare import docx_text

from referatbygg import cli
from referatbygg.document.render import render_docx
from referatbygg.errors import MeetingFileError
from referatbygg.meeting import scaffold
from referatbygg.meeting.check import check
from referatbygg.meeting.load import load_meeting

BODY = """\
id = "bystyret"
name = "Bystyret"
organisation = "Nordby kommune"
language = "{language}"
document_type = "{doc_type}"
case_format = "PS {{number}}/{{yy}}"
numbering = "year"
attendance = "table"
signatures = "meeting"
attestation = "{attestation}"
"""

MEETING = """\
date = 2015-06-18
remarks = "{remark}"

[[signatories]]
role = "ordforer"
title = "Ordfører"
name = "Anne Berg"

[[signatories]]
role = "medlem_1"
title = "Valgt medlem"
name = "Per Dahl"

[participants]
chair = {{ name = "Anne Berg", party = "Ap", role = "ordfører" }}
present = [
  {{ name = "Per Dahl", party = "H" }},
  {{ name = "Kari Nordmann", party = "H", arrived_at = 62 }},
  {{ name = "Ola Lie", party = "Sp", left_after = 62 }},
]
absent = [{{ name = "Eva Sand", party = "SV" }}]
substitutes = [
  {{ name = "Jon Vik", party = "SV", role = "1. vara", for = "Eva Sand", items = [61, 62] }},
]
administration = [{{ name = "Trond Aas", role = "{director}" }}]

[[items]]
numbers = [61]
title = "Skolebruksplan"
text = "Debatten ble ført i to runder."
[items.case]
handler = "Siv Moe"
archive_ref = "15/321"
route = ["Formannskapet 4. juni 2015"]
[[items.proposals]]
kind = "innstilling"
by = "rådmannen"
text = "Skolebruksplanen vedtas."
votes = {{ for = 20, against = 11 }}
[[items.proposals]]
by = "Kari Nordmann"
party = "H"
text = "Saken utsettes."
[items.proposals.votes]
for = 2
against = 29
for_names = ["Kari Nordmann", "Per Dahl"]
[items.decision]
text = "Skolebruksplanen vedtas."
votes = {{ for = 20, against = 11 }}

[[items]]
numbers = [62]
title = "Reguleringsplan for Torget"
text = \"\"\"
[vedtak]

Etter vedtaket ble det orientert om framdriften.
\"\"\"
[[items.conflicts]]
name = "Ola Lie"
party = "Sp"
basis = "fvl. § 6 første ledd bokstav a"
replaced_by = "Jon Vik (SV)"
[items.decision]
text = "Planen vedtas."
unanimous = true

[[items]]
numbers = [63]
title = "Tilsetting av rådmann"
text = "Søkerlisten ble gjennomgått i detalj."
[items.closed]
basis = "kml. § 11-5 andre ledd bokstav a"
public_title = "Tilsettingssak"
decision = "Enstemmig vedtatt å lukke møtet."
[items.decision]
text = "Trine Hauge tilsettes."
unanimous = true

[[items]]
numbers = [64]
"""

WORDS = {
    "nb": {"doc_type": "Møteprotokoll", "attestation": "Protokollen godkjennes av ordføreren og "
           "ett valgt medlem.", "remark": "Ingen merknader til innkallingen.",
           "director": "rådmann"},
    "nn": {"doc_type": "Møtebok", "attestation": "Møteboka vert godkjend av ordføraren og eitt "
           "valt medlem.", "remark": "Ingen merknader til innkallinga.", "director": "rådmann"},
}  # fmt: skip

EXPECTED = {
    "nb": [
        "Nordby kommune",
        "Møteprotokoll – Bystyret 18. juni 2015",
        "Møteleder: Anne Berg (ordfører, Ap)",
        "Møtedeltakere",
        "Til stede",
        "Kari Nordmann",
        "møtte fra PS 62/15",
        "gikk etter PS 62/15",
        "Møtt for",
        "for Eva Sand i PS 61/15 og PS 62/15",
        "1. vara",
        "Forfall",
        "Fra administrasjonen",
        "Merknader",
        "Ingen merknader til innkallingen.",
        "PS 61/15 Skolebruksplan",
        "Saksbehandler: Siv Moe · Arkivsak: 15/321 · Saksgang: Formannskapet 4. juni 2015",
        "Innstilling fra rådmannen: Skolebruksplanen vedtas.",
        "Vedtatt med 20 mot 11 stemmer.",
        "Forslag fra Kari Nordmann (H): Saken utsettes.",
        "Falt med 2 mot 29 stemmer. For: Kari Nordmann, Per Dahl.",
        "Vedtak: Skolebruksplanen vedtas.",
        "Ola Lie (Sp) ble erklært inhabil, jf. fvl. § 6 første ledd bokstav a, og fratrådte under "
        "behandlingen av saken. Jon Vik (SV) tiltrådte.",
        "PS 63/15 Tilsetting av rådmann",
        "Lukket møte, jf. kml. § 11-5 andre ledd bokstav a.",
        "Vedtak om å lukke møtet: Enstemmig vedtatt å lukke møtet.",
        "Underskrifter",
        "Protokollen godkjennes av ordføreren og ett valgt medlem.",
        "Anne Berg",
        "Per Dahl",
    ],
    "nn": [
        "Møtebok – Bystyret 18. juni 2015",
        "Møteleiar: Anne Berg (ordfører, Ap)",
        "Møtedeltakarar",
        "Til stades",
        "møtte frå PS 62/15",
        "gjekk etter PS 62/15",
        "Møtte for",
        "Frå administrasjonen",
        "Saksbehandlar: Siv Moe",
        "Innstilling frå rådmannen: Skolebruksplanen vedtas.",
        "Vedteke med 20 mot 11 røyster.",
        "Forslag frå Kari Nordmann (H): Saken utsettes.",
        "Fall med 2 mot 29 røyster. For: Kari Nordmann, Per Dahl.",
        "Ola Lie (Sp) vart erklært ugild, jf. fvl. § 6 første ledd bokstav a, og fråtredde under "
        "handsaminga av saka. Jon Vik (SV) tiltredde.",
        "Lukka møte, jf. kml. § 11-5 andre ledd bokstav a.",
        "Møteboka vert godkjend av ordføraren og eitt valt medlem.",
    ],
}


def write(write_meeting: WriteMeeting, language: str, meeting: str = MEETING) -> Path:
    fill = WORDS[language]
    return write_meeting(meeting.format(**fill), body=BODY.format(language=language, **fill))


def text_of(path: Path, variant: str = "internal") -> str:
    docx = path.parent / f"{variant}.docx"
    docx.write_bytes(render_docx(load_meeting(path), variant=variant))  # type: ignore[arg-type]
    return docx_text(docx)


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_every_new_part_is_rendered(write_meeting: WriteMeeting, language: str) -> None:
    path = write(write_meeting, language)
    assert [str(p) for p in check(load_meeting(path)) if p.severity == "error"] == []
    text = text_of(path)
    for expected in EXPECTED[language]:
        assert expected in text, expected
    # The untitled item is its case number alone.
    assert "\nPS 64/15\n" in text


def test_decision_placed_by_the_text(write_meeting: WriteMeeting) -> None:
    """[vedtak] first: the decision stands before the discussion that followed it."""
    text = text_of(write(write_meeting, "nb"))
    part = text[text.index("PS 62/15 Regulering") : text.index("PS 63/15 Tilsetting")]
    assert part.index("Vedtak: Planen vedtas.") < part.index("Etter vedtaket ble det orientert")
    # Without the mark, after the text and the proposals.
    part = text[text.index("PS 61/15 Skole") : text.index("PS 62/15 Regulering")]
    assert part.index("Debatten ble ført") < part.index("Forslag fra") < part.index("Vedtak:")


def test_decision_label_can_be_left_out(write_meeting: WriteMeeting) -> None:
    fill = WORDS["nb"]
    body = BODY.format(language="nb", **fill) + 'decision_label = ""\n'
    path = write_meeting(MEETING.format(**fill), body=body)
    text = text_of(path)
    assert "Vedtak:" not in text.replace("Vedtak om", "")
    assert "\nSkolebruksplanen vedtas.\n" in text


def test_public_version_of_a_closed_item(write_meeting: WriteMeeting) -> None:
    path = write(write_meeting, "nb")
    public = text_of(path, "public")
    assert "PS 63/15 Tilsettingssak" in public
    assert "Saken ble behandlet i lukket møte, jf. kml. § 11-5 andre ledd bokstav a." in public
    for secret in ("Tilsetting av rådmann", "Søkerlisten", "Trine Hauge", "lukke møtet"):
        assert secret not in public, secret
    # The rest is public, the vote by name included.
    assert "For: Kari Nordmann, Per Dahl." in public
    nn = text_of(write(write_meeting, "nn"), "public")
    assert "Saka vart handsama i lukka møte, jf. kml. § 11-5 andre ledd bokstav a." in nn


def test_seed_is_unchanged_by_the_new_parts() -> None:
    """The seed uses none of them: no attendance table, no case format, its own signatories."""
    meeting = load_meeting(SEED)
    assert meeting.body.case_format == "{number}." and meeting.body.attendance == "list"
    assert [s.role for s in meeting.signatories] == ["byradsleder", "politimester"]


# --- check -----------------------------------------------------------------------------------


def problems_of(path: Path) -> list[str]:
    return [str(p) for p in check(load_meeting(path))]


def test_legal_bases_are_checked_against_the_statutes(write_meeting: WriteMeeting) -> None:
    fill = WORDS["nb"]
    meeting = (MEETING.format(**fill)
               .replace('basis = "kml. § 11-5 andre ledd bokstav a"', 'basis = "offl. § 13"')
               .replace('basis = "fvl. § 6 første ledd bokstav a"', 'basis = "fordi vi vil"')
               .replace('text = "Debatten ble ført i to runder."',
                        'text = "[unntatt: sikkerhetsloven § 5-3] Debatten."'))  # fmt: skip
    found = problems_of(write_meeting(meeting, body=BODY.format(language="nb", **fill)))
    warnings = [p for p in found if "legal basis" in p]
    assert any("'offl. § 13' does not cite kml. § 11-5" in p for p in warnings)
    assert any("'fordi vi vil' cites no statute section" in p for p in warnings)
    assert any("an act this tool does not know" in p for p in warnings)
    assert all(": warning: " in p for p in warnings)  # a warning, not an error
    # Well-formed bases say nothing.
    assert not [p for p in problems_of(write(write_meeting, "nb")) if "legal basis" in p]


def test_who_signs_must_agree_with_the_body(write_meeting: WriteMeeting) -> None:
    fill = WORDS["nb"]
    body = BODY.format(language="nb", **fill)
    no_signers = MEETING.format(**fill).split("[[signatories]]")[0] + (
        "[[items]]\nnumbers = [61]\ntitle = 'Sak'\n"
    )
    found = problems_of(write_meeting(no_signers, body=body))
    assert any("this meeting lists no [[signatories]]" in p for p in found)
    fixed = body.replace('signatures = "meeting"', 'signatures = "body"') + (
        '[[signatories]]\nrole = "leder"\ntitle = "Leder"\n'
    )
    found = problems_of(write_meeting(MEETING.format(**fill), body=fixed))
    assert any("this meeting lists [[signatories]], but the body signs with its own" in p
               for p in found)  # fmt: skip


def test_references_to_agenda_numbers_exist(write_meeting: WriteMeeting) -> None:
    fill = WORDS["nb"]
    meeting = MEETING.format(**fill).replace("arrived_at = 62", "arrived_at = 99")
    found = problems_of(write_meeting(meeting, body=BODY.format(language="nb", **fill)))
    assert any("Kari Nordmann: arrived_at = 99, but there is no agenda item 99" in p for p in found)


def test_numbering_through_the_year(write_meeting: WriteMeeting) -> None:
    fill = WORDS["nb"]
    assert not [p for p in problems_of(write(write_meeting, "nb")) if "jump" in p]
    body = BODY.format(language="nb", **fill).replace('numbering = "year"\n', "")
    found = problems_of(write_meeting(MEETING.format(**fill), body=body))
    assert any('jump from 0 to 61 (if numbers run through the year, say numbering = "year"' in p
               for p in found)  # fmt: skip


def test_each_mistake_once_at_its_own_line(write_meeting: WriteMeeting) -> None:
    fill = WORDS["nb"]
    meeting = (MEETING.format(**fill)
               .replace('{ name = "Ola Lie", party = "Sp"', '{ name = "Ola Lie", parti = "Sp"')
               .replace('text = "Saken utsettes."', 'txt = "Saken utsettes."'))  # fmt: skip
    path = write_meeting(meeting, body=BODY.format(language="nb", **fill))
    with pytest.raises(MeetingFileError) as exc:
        load_meeting(path)
    lines = exc.value.message.splitlines()
    source = meeting.splitlines()
    ola = next(n for n, line in enumerate(source, 1) if "Ola Lie" in line and "parti" in line)
    assert any(f"m.toml:{ola}: participants.present[2].parti: unknown key 'parti'" in x
               for x in lines)  # fmt: skip
    assert any("txt: unknown key 'txt' (did you mean 'text'?)" in x for x in lines)
    assert not any("required key 'text' is missing" in x for x in lines)  # said once
    assert not any("must have at least one entry" in x for x in lines)
    assert len(lines) == 2


def test_named_votes_must_match_the_count(write_meeting: WriteMeeting) -> None:
    fill = WORDS["nb"]
    meeting = MEETING.format(**fill).replace("for = 2\n", "for = 3\n")
    with pytest.raises(MeetingFileError, match="for_names lists 2 name"):
        load_meeting(write_meeting(meeting, body=BODY.format(language="nb", **fill)))


def test_case_format_is_checked(write_meeting: WriteMeeting) -> None:
    fill = WORDS["nb"]
    body = BODY.format(language="nb", **fill).replace("PS {number}/{yy}", "PS {number}/{aar}")
    with pytest.raises(MeetingFileError, match=r"uses aar; known: \{number\}"):
        load_meeting(write_meeting(MEETING.format(**fill), body=body))


# --- the JSON Schema ---------------------------------------------------------------------------


def _json(value: Any) -> Any:
    """TOML values as an editor's schema check sees them: dates and times as strings."""
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json(v) for v in value]
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value


EXAMPLES = [
    ("body", "meetings/politiradet/organ.toml"),
    ("meeting", "meetings/politiradet/2023-01-13.toml"),
    ("agreement", "meetings/politiradet/avtaler/politiradsavtale-2023-2025.toml"),
    ("body", "meetings/kommunestyret/organ.toml"),
    ("meeting", "meetings/kommunestyret/2025-03-27.toml"),
    ("body", "meetings/valstyret/organ.toml"),
    ("meeting", "meetings/valstyret/2025-06-12.toml"),
]


@pytest.mark.parametrize(("kind", "file"), EXAMPLES)
def test_schema_accepts_every_example(kind: scaffold.Kind, file: str) -> None:
    data = _json(tomllib.loads((ROOT / file).read_text(encoding="utf-8")))
    jsonschema.Draft202012Validator(scaffold.json_schema(kind)).validate(data)


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda d: d.update(tittel="x"), "tittel"),  # unknown key
        (lambda d: d["items"][0].update(numbers=["1"]), "numbers"),  # a string for a number
        (lambda d: d["items"][0].update(proposals=[{"by": "X"}]), "text"),  # required key
        (lambda d: d["participants"]["present"][0].update(parti="H"), "parti"),
        (lambda d: d.update(signatories=[{"role": "Leder", "title": "x"}]), "Leder"),
    ],
)
def test_schema_rejects_what_the_model_rejects(change: Any, path: str, tmp_path: Path) -> None:
    source = ROOT / "meetings/kommunestyret/2025-03-27.toml"
    data = tomllib.loads(source.read_text(encoding="utf-8"))
    change(data)
    errors = list(jsonschema.Draft202012Validator(scaffold.json_schema("meeting"))
                  .iter_errors(_json(data)))  # fmt: skip
    assert errors and any(path in str(e.message) + str(list(e.path)) for e in errors)


def test_schema_describes_the_model_keys() -> None:
    """The schema is made from the models: the same keys, the same required ones."""
    from referatbygg.meeting.model import MeetingFile

    schema = scaffold.json_schema("meeting")
    keys = {f.alias or name for name, f in MeetingFile.model_fields.items()}
    assert set(schema["properties"]) == keys
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"date", "items"}


def test_schema_command_and_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["schema", "body"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "referatbygg organ.toml (body)"
    assert cli.main(["schema", "--write", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "agreement.schema.json", "meeting.schema.json", "organ.schema.json"]  # fmt: skip


# --- new ---------------------------------------------------------------------------------------


def test_new_body_and_meeting_pass_check(tmp_path: Path) -> None:
    folder = tmp_path / "formannskapet"
    assert cli.main(["new", str(folder), "--name", "Formannskapet", "--organisation",
                     "Nordby kommune", "--language", "nn"]) == 0  # fmt: skip
    body = (folder / "organ.toml").read_text(encoding="utf-8")
    assert body.startswith("#:schema organ.schema.json\n") and 'id = "formannskapet"' in body
    assert (folder / "meeting.schema.json").is_file()
    assert cli.main(["new", str(folder / "2025-05-08.toml")]) == 0
    meeting = load_meeting(folder / "2025-05-08.toml")
    assert meeting.data.date == dt.date(2025, 5, 8)
    assert meeting.data.items[0].title == "Godkjenning av innkalling og sakliste"
    assert [p for p in check(meeting) if p.severity == "error"] == []
    # Never over an existing file.
    assert cli.main(["new", str(folder / "2025-05-08.toml")]) == 2


def test_new_meeting_from_the_previous_one(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(ROOT / "meetings/kommunestyret", tmp_path / "ks")
    target = tmp_path / "ks/2025-04-24.toml"
    assert cli.main(["new", str(target), "--from", str(tmp_path / "ks/2025-03-27.toml")]) == 0
    meeting = load_meeting(target)
    previous = load_meeting(tmp_path / "ks/2025-03-27.toml")
    m = meeting.data
    assert m.date == dt.date(2025, 4, 24)  # the previous meeting's next_meetings
    assert m.start == dt.time(18, 0) and m.end is None and m.number == "3/2025"
    assert m.items[0].numbers == (31,)  # numbered through the year
    members = {x.name for x in m.participants.present}
    pm = previous.data.participants
    assert members == {x.name for x in (*pm.present, *pm.absent)}
    assert all(x.arrived_at is None and x.left_after is None for x in m.participants.present)
    assert [s.role for s in meeting.signatories] == ["ordforer", "medlem_1", "medlem_2"]
    assert [p for p in check(meeting) if p.severity == "error"] == []


def test_readme_documents_the_new_keys() -> None:
    """A new secretary writes from the README: every key of the new parts is explained there."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for key in ("document_type", "case_format", "numbering", "attendance", "decision_label",
                "signatures", "attestation", "proposals", "conflicts", "closed",
                "public_title", "arrived_at", "left_after", "administration", "remarks",
                "[vedtak]", "for_names", "referatbygg new", "referatbygg schema"):  # fmt: skip
        assert key in readme, key


def test_norwegian_guesses_are_pointed_to_their_keys(write_meeting: WriteMeeting) -> None:
    """A secretary who writes the Norwegian word gets the key, once: 'mot' is 'against' (and
    the missing 'against' is not reported again), 'inhabil' is 'conflicts'."""
    fill = WORDS["nb"]
    meeting = (MEETING.format(**fill)
               .replace("for = 20, against = 11", "for = 20, mot = 11")
               .replace("[[items.conflicts]]", "[[items.inhabil]]"))  # fmt: skip
    path = write_meeting(meeting, body=BODY.format(language="nb", **fill))
    with pytest.raises(MeetingFileError) as exc:
        load_meeting(path)
    lines = exc.value.message.splitlines()
    assert any("unknown key 'mot' (did you mean 'against'?)" in x for x in lines)
    assert any("unknown key 'inhabil' (did you mean 'conflicts'?)" in x for x in lines)
    assert not any("'against' is missing" in x for x in lines)


def test_the_name_new_wrote_is_not_signed(tmp_path: Path) -> None:
    """`new` writes 'Fyll inn navn' where only the secretariat knows who signs: check warns at
    its line, the document builds (a draft to look at), and nothing is signed with it — the
    demo PKI would otherwise issue a certificate to 'Fyll inn navn'."""
    from referatbygg.config import Config
    from referatbygg.errors import SigningError
    from referatbygg.pipeline import run

    folder = tmp_path / "radet"
    made = cli.main(["new", str(folder), "--name", "Rådet", "--organisation", "Nordby kommune"])
    assert made == 0
    assert cli.main(["new", str(folder / "2025-05-08.toml")]) == 0
    found = [str(p) for p in check(load_meeting(folder / "2025-05-08.toml"))]
    assert any("organ.toml:" in p and "warning: signatory 'leder': the name is still 'Fyll inn "
               "navn'" in p for p in found), found  # fmt: skip
    with pytest.raises(SigningError, match="leder: the signatory's name is still 'Fyll inn navn'"):
        run(folder / "2025-05-08.toml", tmp_path / "out", Config(demo=True))
    assert (tmp_path / "out" / "radet-2025-05-08" / "referat.pdf").is_file()  # built, unsigned


# --- the body's own wording ---------------------------------------------------------------------

PHRASES = {
    "nb": '[phrases]\nunanimous = "Innstillingen ble enstemmig vedtatt."\npresent = "Tilstede på '
          'møtet"\nvotes = "Vedtatt med {for_} stemmer mot {against}"\n',
    "nn": '[phrases]\nunanimous = "Vedtaket var samrøystes."\nsubstitutes = "Varamedlemmer"\n'
          'conflict = "{who} vart kjend ugild etter {basis}"\n',
}  # fmt: skip


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_a_body_words_the_phrases_its_own_way(write_meeting: WriteMeeting, language: str) -> None:
    """[phrases] in organ.toml rewords what the minutes print, in either language; what it
    does not reword stays the language's."""
    fill = WORDS[language]
    body = BODY.format(language=language, **fill) + PHRASES[language]
    text = text_of(write_meeting(MEETING.format(**fill), body=body))
    if language == "nb":
        assert "Innstillingen ble enstemmig vedtatt." in text and "Tilstede på møtet" in text
        assert "Enstemmig vedtatt." not in text
        assert "Møtt for" in text  # not reworded: the default
    else:
        assert "Vedtaket var samrøystes." in text and "Samrøystes vedteke." not in text
        assert "Varamedlemmer" in text and "Møtte for" not in text
        assert "Ola Lie (Sp) vart kjend ugild etter fvl. § 6 første ledd bokstav a" in text


def test_a_misspelt_phrase_or_placeholder_is_refused_at_its_line(
    write_meeting: WriteMeeting,
) -> None:
    fill = WORDS["nb"]
    for phrases, said in (
        ('[phrases]\nunanimos = "Enstemmig."\n', "unknown phrase(s) unanimos; a body may reword"),
        ('[phrases]\nconflict = "{name} ble inhabil"\n', "phrase conflict uses {name}, which it "
         "does not have (it has: {basis}, {who})"),
    ):  # fmt: skip
        body = BODY.format(language="nb", **fill) + phrases
        with pytest.raises(MeetingFileError) as exc:
            load_meeting(write_meeting(MEETING.format(**fill), body=body))
        assert said in exc.value.message and "organ.toml:" in exc.value.message, exc.value.message


def test_every_phrase_has_both_languages_with_the_same_placeholders() -> None:
    from referatbygg.meeting.phrases import LABELS, placeholders

    assert set(LABELS["nb"]) == set(LABELS["nn"])
    for key, text in LABELS["nb"].items():
        assert placeholders(text) == placeholders(LABELS["nn"][key]), key


def test_the_recommendation_before_or_after_the_case_text(write_meeting: WriteMeeting) -> None:
    """Some bodies print the administration's recommendation before the case text, others
    after it (recommendation = "after"); the other proposals and the decision follow."""
    fill = WORDS["nb"]
    meeting = MEETING.format(**fill)
    before = text_of(write_meeting(meeting, body=BODY.format(language="nb", **fill)))
    after = text_of(write_meeting(meeting, body=BODY.format(language="nb", **fill)
                                  + 'recommendation = "after"\n'))  # fmt: skip
    case, recommendation = "Debatten ble ført i to runder.", "Innstilling fra rådmannen:"
    proposal = "Forslag fra Kari Nordmann (H):"
    assert before.index(recommendation) < before.index(case) < before.index(proposal)
    assert after.index(case) < after.index(recommendation) < after.index(proposal)


def test_the_signing_line_carries_its_own_date(write_meeting: WriteMeeting) -> None:
    """Minutes approved and signed another day say so: 'Nordby, 25. juni 2015', not the
    meeting's date forced onto it; a date before the meeting is warned about."""
    fill = WORDS["nb"]
    body = BODY.format(language="nb", **fill)
    meeting = MEETING.format(**fill)
    day = "date = 2015-06-18\n"
    later = meeting.replace(day, day + "signing_date = 2015-06-25\n")
    assert "Nordby, 25. juni 2015" in text_of(write_meeting(later, body=body))
    early = write_meeting(meeting.replace(day, day + "signing_date = 2015-06-01\n"), body=body)
    assert any("warning: signing_date 2015-06-01 is before the meeting" in str(p)
               for p in check(load_meeting(early)))  # fmt: skip


@pytest.mark.parametrize(("language", "certified"), [
    ("nb", "Rett utskrift bekreftes, 20. juni 2015 – Marta Lid"),
    ("nn", "Rett utskrift stadfesta, 20. juni 2015 – Marta Lid"),
])  # fmt: skip
def test_copy_to_and_certified_copy_after_the_signatures(
    write_meeting: WriteMeeting, language: str, certified: str
) -> None:
    """'Kopi til' and 'Rett utskrift bekreftes' with its own date and signer, after the
    signatures, in the order given."""
    fill = WORDS[language]
    extra = ('distribution = ["Fylkesmannen", "Revisjonen", "Kontrollutvalet"]\n'
             'certified = { by = "Marta Lid", date = 2015-06-20 }\n')  # fmt: skip
    meeting = MEETING.format(**fill).replace("date = 2015-06-18\n", "date = 2015-06-18\n" + extra)
    text = text_of(write_meeting(meeting, body=BODY.format(language=language, **fill)))
    copy_to = "Kopi til: Fylkesmannen, Revisjonen og Kontrollutvalet"
    assert text.rindex("Anne Berg") < text.index(copy_to) < text.index(certified), text[-400:]


def test_the_house_style_in_the_built_pdf(write_meeting: WriteMeeting, tmp_path: Path) -> None:
    """The body's own wording and order in what LibreOffice made and veraPDF passed, read back
    by poppler: the recommendation after the case text, the reworded phrases, the signing
    line's own date, and the lines after the signatures."""
    import subprocess

    from referatbygg.pipeline import build

    fill = WORDS["nn"]
    body = BODY.format(language="nn", **fill).replace(
        "numbering", 'recommendation = "after"\nnumbering', 1) + PHRASES["nn"]  # fmt: skip
    day = "date = 2015-06-18\n"
    meeting = MEETING.format(**fill).replace(day, day + "signing_date = 2015-06-25\n"
                                             'distribution = ["Revisjonen"]\n')  # fmt: skip
    result = build(write_meeting(meeting, body=body), tmp_path / "ut")
    assert result.pdf is not None and result.validation is not None and result.validation.valid
    text = subprocess.run(["pdftotext", "-layout", str(result.pdf), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    flat = " ".join(text.split())
    order = ["Varamedlemmer", "Debatten ble ført i to runder.", "Innstilling frå rådmannen:",
             "Forslag frå Kari Nordmann (H):", "Vedtaket var samrøystes.",
             "Nordby, 25. juni 2015", "Kopi til: Revisjonen"]  # fmt: skip
    found = [flat.find(x) for x in order]
    assert -1 not in found and found == sorted(found), list(zip(order, found, strict=True))


def test_new_says_when_the_date_is_only_todays(tmp_path: Path) -> None:
    """A meeting file not named for its date gets today's date, and says so beside it."""
    folder = tmp_path / "radet"
    assert cli.main(["new", str(folder), "--name", "Rådet", "--organisation", "X kommune"]) == 0
    assert cli.main(["new", str(folder / "neste.toml")]) == 0
    text = (folder / "neste.toml").read_text(encoding="utf-8")
    assert f"date = {dt.date.today().isoformat()} # today's date, as `new` wrote it" in text
    assert cli.main(["new", str(folder / "2025-05-08.toml")]) == 0
    assert "today's date" not in (folder / "2025-05-08.toml").read_text(encoding="utf-8")
