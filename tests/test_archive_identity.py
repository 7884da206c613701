"""One record per meeting in the receiving archive: external keys that carry the organisation
number (two municipalities' meetings never share one), the same keys and message id when the
same meeting is sent again, the archive's answer read back — refused when it is about another
record — and, once the archive has answered, an update of what it made instead of a second
registration. The answers are written here as an archive writes them, and validated against
Fiks Arkiv V1's own schemas, not ours."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SEED
from lxml import etree
from test_examples import main
from test_fiks import CONFIG, NS, copy_seed, keys_throughout, message, roots

from referatbygg.archive import arkivmelding, record, updates
from referatbygg.archive.check import check_package
from referatbygg.archive.package import PackageResult
from referatbygg.archive.parts import MDK, schema_errors
from referatbygg.errors import PackageError
from referatbygg.meeting.load import load_meeting
from referatbygg.pipeline import make_archive, run, status

KV = record.KVITTERING
XSI = "http://www.w3.org/2001/XMLSchema-instance"


def kvittering(package: PackageResult, *, key: str | None = None) -> bytes:
    """The archive's receipt for the message ``package`` wrote, as a Fiks Arkiv archive
    answers: its systemIDs, case and journal numbers, our keys echoed (``key``: another)."""
    assert package.message is not None
    sent = etree.fromstring((package.message / "arkivmelding.xml").read_bytes())
    root = etree.Element(f"{{{KV}}}arkivmeldingKvittering", nsmap={None: KV, "n5mdk": MDK,
                                                                    "xsi": XSI})  # fmt: skip

    def sub(
        parent: etree._Element, tag: str, text: str | None = None, ns: str = KV
    ) -> etree._Element:
        el = etree.SubElement(parent, f"{{{ns}}}{tag}")
        el.text = text
        return el

    def echo(parent: etree._Element, holder: etree._Element) -> None:
        ref = sub(parent, "referanseEksternNoekkel")
        sub(ref, "fagsystem", "referatbygg", MDK)
        found = holder.findtext("a:referanseEksternNoekkel/m:noekkel", namespaces=NS)
        sub(ref, "noekkel", key or found, MDK)

    folder = sent.find("a:mappe", NS)
    if folder is not None:
        mk = sub(root, "mappeKvittering")
        mk.set(f"{{{XSI}}}type", "saksmappeKvittering")
        sub(mk, "systemID", "a1b2c3d4-0000-4000-8000-000000000001")
        echo(mk, folder)
        sub(mk, "opprettetEllerEksisterende", "Opprettet")
        sub(mk, "saksaar", "2023")
        sub(mk, "sakssekvensnummer", "15")
    reg = sent.find("a:registrering", NS)
    assert reg is not None
    rk = sub(root, "registreringKvittering")
    rk.set(f"{{{XSI}}}type", "journalpostKvittering")
    sub(rk, "systemID", "a1b2c3d4-0000-4000-8000-000000000002")
    for n, desc in enumerate(reg.findall("a:dokumentbeskrivelse", NS), start=1):
        dk = sub(rk, "dokumentbeskrivelseKvittering")
        sub(dk, "systemID", f"a1b2c3d4-0000-4000-8000-00000000010{n}")
        sub(dk, "dokumentnummer", desc.findtext("a:dokumentnummer", namespaces=NS))
    echo(rk, reg)
    sub(rk, "opprettetEllerEksisterende", "Opprettet")
    sub(rk, "journalaar", "2023")
    sub(rk, "journalsekvensnummer", "345")
    sub(rk, "journalpostnummer", "1")
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    assert schema_errors(xml, record.KVITTERING_SCHEMA) == []  # V1's own schema
    return bytes(xml)


def test_two_organisations_never_share_a_key_one_organisation_always_does(
    tmp_path: Path,
) -> None:
    """The same meeting of two municipalities (same body id, same file name): different keys.
    The same meeting sent again from another installation of the same municipality, or packed
    again here: the same keys, and the same klientMeldingId while the documents are the same."""
    oslo = run(SEED, tmp_path / "oslo", CONFIG)
    other_body = copy_seed(tmp_path)
    body = other_body.parent / "organ.toml"
    body.write_text(body.read_text(encoding="utf-8").replace('"958935420"', '"310900060"'),
                    encoding="utf-8")  # fmt: skip
    unset = CONFIG.archive.model_copy(update={"organisation_number": None})
    other = run(other_body, tmp_path / "other", CONFIG.model_copy(update={"archive": unset}))
    assert oslo.package and other.package
    keys_oslo = keys_throughout(message(oslo.package)[1])
    keys_other = keys_throughout(message(other.package)[1], "310900060")
    assert not set(keys_oslo) & set(keys_other)
    again = run(SEED, tmp_path / "oslo-2", CONFIG)  # a second installation in Oslo
    assert again.package
    assert keys_throughout(message(again.package)[1]) == keys_oslo
    repacked = make_archive(load_meeting(SEED), tmp_path / "oslo", CONFIG)
    assert keys_throughout(message(repacked)[1]) == keys_oslo

    def ident(p: PackageResult) -> str:
        assert p.message is not None
        return str(json.loads((p.message / "melding.json").read_text())["klientMeldingId"])

    assert ident(repacked) == ident(oslo.package)  # same content, same message
    assert ident(again.package) != ident(oslo.package)  # signed anew: other documents


def test_the_answer_is_recorded_and_a_resend_updates(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run(SEED, out, CONFIG)
    assert first.package is not None
    st = status(SEED, out, CONFIG)
    assert st.archive and "no answer read yet" in st.archive
    answer = tmp_path / "kvittering.xml"
    answer.write_bytes(kvittering(first.package))
    code, text = main("archive", SEED, "--out", out, "--receipt", answer, "--no-service")
    assert code == 0, text
    assert "case 2023/15, journal post 2023/345" in text
    code, text = main("status", SEED, "--out", out)
    assert code == 0 and "archived: case 2023/15, journal post 2023/345" in text, text
    kept = json.loads((first.package.bag.parent.parent / record.STATE).read_text())
    assert kept["archive"]["registrering"]["systemID"] == "a1b2c3d4-0000-4000-8000-000000000002"
    assert kept["archive"]["dokumenter"]["referat"] == "a1b2c3d4-0000-4000-8000-000000000101"

    # Sent again, unchanged: an update of the archive's registrering, nothing created.
    resend = make_archive(load_meeting(SEED), out, CONFIG)
    assert resend.kinds == [updates.UPDATE]
    assert resend.message is not None
    xml = (resend.message / updates.UPDATE_FILE).read_bytes()
    assert schema_errors(xml, updates.UPDATE_SCHEMA) == []
    root = etree.fromstring(xml)
    upd = f"{{{updates.UPDATE_NS}}}"
    target = root.find(f"{upd}registreringOppdateringer/{upd}referanseTilRegistrering")
    assert target is not None
    assert target.findtext(f"{{{MDK}}}systemID") == "a1b2c3d4-0000-4000-8000-000000000002"
    assert target.findtext(f"{{{MDK}}}referanseEksternNoekkel/{{{MDK}}}noekkel") == (
        "958935420/politiradet-2023-01-13/referat"
    )
    assert sorted(p.name for p in resend.message.iterdir()) == [updates.UPDATE_FILE,
                                                                "melding.json"]  # fmt: skip
    report = check_package(resend.zip, roots())
    assert report.ok, report.problems
    assert any("arkivmelding.oppdater" in c for c in report.checked)
    # The update's receipt, as the Fiks IO client saved it (V1 gives it no payload here).
    ident = json.loads((resend.message / "melding.json").read_text())["klientMeldingId"]
    answered = tmp_path / "oppdatert.json"
    answered.write_text(json.dumps({"meldingstype": f"{updates.UPDATE}.kvittering",
                                    "klientMeldingId": ident}))  # fmt: skip
    found = record.read_answer(resend.bag.parent.parent, answered)
    assert found.summary() == (
        "archived: case 2023/15, journal post 2023/345, registrering "
        "a1b2c3d4-0000-4000-8000-000000000002"
    )


def test_a_new_round_after_the_answer_adds_new_versions(tmp_path: Path) -> None:
    """After the archive answered, the minutes are signed anew (a new signing round): the
    archive identities stay with the meeting, and the next send updates the archive's
    registrering and adds each changed file as the next version of the archive's document —
    no second registration."""
    from referatbygg.archive import identities
    from referatbygg.build import rounds

    assert {identities.STATE, record.STATE} <= rounds.KEEP
    out = tmp_path / "out"
    first = run(SEED, out, CONFIG)
    assert first.package is not None
    meeting_out = first.package.bag.parent.parent
    answer = tmp_path / "kvittering.xml"
    answer.write_bytes(kvittering(first.package))
    record.read_answer(meeting_out, answer)
    code, text = main("build", "--new-round", SEED, "--out", out, "--no-service", "-q")
    assert code == 0, text
    second = run(SEED, out, CONFIG)
    assert second.package is not None
    kinds = second.package.kinds
    assert kinds[0] == updates.UPDATE and set(kinds[1:]) == {updates.NEW_FILE}
    labels = [p.name.removeprefix("politiradet-2023-01-13.fiks-arkiv")
              for p in second.package.messages]  # fmt: skip
    assert "-referat" in labels  # the newly signed minutes
    new = second.package.messages[labels.index("-referat")]
    xml = (new / updates.NEW_FILE_FILE).read_bytes()
    assert schema_errors(xml, updates.NEW_FILE_SCHEMA) == []
    root = etree.fromstring(xml)
    assert root.findtext(f".//{{{updates.OPPRETT_NS}}}versjonsnummer") == "2"
    assert root.findtext(f".//{{{MDK}}}systemID") == "a1b2c3d4-0000-4000-8000-000000000101"
    assert sorted(p.name for p in new.iterdir()) == ["dokumentobjekt.xml", "melding.json",
                                                     "referat.pdf"]  # fmt: skip
    report = check_package(second.package.zip, roots())
    assert report.ok, report.problems


@pytest.mark.parametrize(
    "wrong", ["another meeting", "not valid", "nothing sent", "fewer documents"]
)
def test_an_answer_not_about_what_was_sent_is_refused(tmp_path: Path, wrong: str) -> None:
    out = tmp_path / "out"
    first = run(SEED, out, CONFIG)
    assert first.package is not None
    meeting_out = first.package.bag.parent.parent
    answer = tmp_path / "kvittering.xml"
    if wrong == "another meeting":
        answer.write_bytes(
            kvittering(first.package, key="958935420/politiradet-2023-04-21/referat")
        )
        match = "the message sent from here"
    elif wrong == "not valid":
        answer.write_bytes(kvittering(first.package).replace(b"<journalaar>", b"<aar>")
                           .replace(b"</journalaar>", b"</aar>"))  # fmt: skip
        match = "not valid against"
    elif wrong == "fewer documents":  # a receipt without keys, for a meeting of other size
        xml = etree.fromstring(kvittering(first.package))
        for key in xml.iter(f"{{{KV}}}referanseEksternNoekkel"):
            key.getparent().remove(key)
        reg = xml.find(f"{{{KV}}}registreringKvittering")
        assert reg is not None
        reg.remove(reg.findall(f"{{{KV}}}dokumentbeskrivelseKvittering")[-1])
        answer.write_bytes(etree.tostring(xml))
        match = "does not list every document"
    else:
        answer.write_bytes(kvittering(first.package))
        (meeting_out / record.STATE).unlink()
        match = "nothing has been sent"
    before = (meeting_out / record.STATE).read_bytes() if wrong != "nothing sent" else None
    with pytest.raises(PackageError, match=match):
        record.read_answer(meeting_out, answer)
    if before is not None:
        assert (meeting_out / record.STATE).read_bytes() == before  # nothing recorded


def test_a_refusal_and_a_mottatt_are_recorded(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run(SEED, out, CONFIG)
    assert first.package and first.package.message
    meeting_out = first.package.bag.parent.parent
    ident = json.loads((first.package.message / "melding.json").read_text())["klientMeldingId"]
    received = tmp_path / "mottatt.json"
    received.write_text(json.dumps({"meldingstype": f"{arkivmelding.MESSAGE_TYPE}.mottatt",
                                    "klientMeldingId": ident}))  # fmt: skip
    assert "received by the archive" in (record.read_answer(meeting_out, received).summary() or "")
    feil = (
        "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/ugyldigforespoersel/v1"
    )
    refusal = tmp_path / "feil.xml"
    refusal.write_text(
        f'<ugyldigforespoersel xmlns="{feil}" xmlns:f="{record.FEIL_BASE}"><f:feilId>F-17'
        "</f:feilId><f:feilmelding>Ukjent utvalg PR</f:feilmelding></ugyldigforespoersel>"
    )
    found = record.read_answer(meeting_out, refusal)
    assert found.summary() == (
        f"the archive refused {arkivmelding.MESSAGE_TYPE.removeprefix(record.PREFIX)}: "
        "Ukjent utvalg PR"
    )
    assert found.registration_id is None  # a refusal: the next send creates again
    again = make_archive(load_meeting(SEED), out, CONFIG)
    assert again.kinds == [arkivmelding.MESSAGE_TYPE]


def test_exempt_content_without_the_archive_s_codes_is_not_archived(tmp_path: Path) -> None:
    """No default access code: exempt content with a profile that gives none stops before
    any work, saying what to configure."""
    meeting = copy_seed(tmp_path, ('title = "Mortensrud – økt tilstedeværelse av politi"\n',
                                   'title = "Mortensrud – økt tilstedeværelse av politi"\n'
                                   'exempt = "offl. § 24 tredje ledd"\n'))  # fmt: skip
    bare = CONFIG.model_copy(update={"archive": CONFIG.archive.model_copy(
        update={"access_codes": {}})})  # fmt: skip
    with pytest.raises(PackageError, match="the archive profile gives none") as err:
        run(meeting, tmp_path / "out", bare)
    assert "[archive.access_codes]" in (err.value.hint or "")
    assert not list((tmp_path / "out").rglob("*.zip"))


def test_a_meeting_folder_needs_the_meeting_s_number(tmp_path: Path) -> None:
    """A body filing møtemapper, a meeting without a number: check warns, archive stops —
    the number is never made up."""
    meeting = copy_seed(tmp_path)
    body = meeting.parent / "organ.toml"
    body.write_text(body.read_text(encoding="utf-8").replace('filing = "journalpost"',
                                                             'filing = "moetemappe"'),
                    encoding="utf-8")  # fmt: skip
    code, text = main("check", meeting)
    assert code == 0 and "no number (møtenummer)" in text, text
    with pytest.raises(PackageError, match="needs the meeting's number"):
        run(meeting, tmp_path / "out", CONFIG)
    numbered = meeting.read_text(encoding="utf-8").replace(
        "date = 2023-01-13", 'date = 2023-01-13\nnumber = "1/2023"'
    )
    meeting.write_text(numbered, encoding="utf-8")
    with pytest.raises(PackageError, match="start a new signing round"):
        make_archive(load_meeting(meeting), tmp_path / "out", CONFIG)  # signed without it
    code, text = main("build", "--new-round", meeting, "--out", tmp_path / "out", "--no-service")
    assert code == 0, text
    result = run(meeting, tmp_path / "out", CONFIG).package
    assert result is not None
    root = message(result)[1]
    assert root.findtext("a:mappe/a:moetenummer", namespaces=NS) == "1/2023"


def test_an_organisation_number_with_a_wrong_check_digit_is_refused(tmp_path: Path) -> None:
    meeting = copy_seed(tmp_path)
    body = meeting.parent / "organ.toml"
    body.write_text(body.read_text(encoding="utf-8").replace('"958935420"', '"958935421"'),
                    encoding="utf-8")  # fmt: skip
    code, text = main("check", meeting)
    assert code == 3 and "organ.toml:5: error: organisation_number" in text, text
    assert "check digit is wrong" in text
