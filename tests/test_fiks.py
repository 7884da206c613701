"""What the receiving Noark archive gets through Fiks Arkiv: a message whose file references all
resolve, skjerming only on the documents that hold exempt content, external keys throughout,
the archive's own codes from its profile, identities that are unique per installation and kept
across a re-packaging — checked on the seed, the agreement, an exempt item and an exempt
attachment, each against the Fiks Arkiv V1 schema."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import SEED
from lxml import etree

from referatbygg.archive import arkivmelding, identities
from referatbygg.archive.check import check_package
from referatbygg.archive.package import PackageResult
from referatbygg.config import ArchiveProfile, load_config
from referatbygg.errors import PackageError
from referatbygg.meeting.load import load_meeting
from referatbygg.pipeline import make_archive, run
from referatbygg.signing.trust import trust

NS = {"a": arkivmelding.NS, "m": arkivmelding.MDK}
PROFILE = ArchiveProfile(
    organisation_number="958935420",
    archived_by="Silje Brun",
    utvalg={"politiradet": "PR"},
    access_codes={"offl.": "UO", "offl. § 24": "24"},
    format_codes={"PDF/A-2b": "RA-PDF", "PDF/A-2a": "RA-PDF"},
)
CONFIG = load_config(None).model_copy(update={"archive": PROFILE})
AGREEMENT = SEED.parent / "avtaler/politiradsavtale-2023-2025.toml"


def roots() -> list[object]:
    return trust(CONFIG).roots


def copy_seed(tmp_path: Path, change: tuple[str, str] | None = None) -> Path:
    folder = tmp_path / "politiradet"
    shutil.copytree(SEED.parent, folder)
    meeting = folder / SEED.name
    if change:
        text = meeting.read_text(encoding="utf-8")
        assert change[0] in text
        meeting.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    return meeting


def message(result: PackageResult) -> tuple[Path, etree._Element]:
    assert result.message is not None
    report = check_package(result.message, roots())
    assert report.ok, report.problems
    xml = (result.message / "arkivmelding.xml").read_bytes()
    assert arkivmelding.schema_errors(xml) == []
    return result.message, etree.fromstring(xml)


def documents(root: etree._Element) -> list[etree._Element]:
    return root.findall("a:registrering/a:dokumentbeskrivelse", NS)


def skjermet(root: etree._Element) -> dict[str, str | None]:
    """Title of each document → its access code (None: public)."""
    return {
        d.findtext("a:tittel", namespaces=NS) or "": d.findtext(
            "a:skjerming/a:tilgangsrestriksjon/m:kode", namespaces=NS
        )
        for d in documents(root)
    }


def keys_throughout(root: etree._Element, organisation: str = "958935420") -> list[str]:
    """Every mappe, registrering and document has its own external key, under the
    organisation's number; the registrering names its parent. The keys, in that order."""
    holders = [root.find("a:mappe", NS), root.find("a:registrering", NS), *documents(root)]
    keys = []
    for holder in holders:
        if holder is None:
            continue  # filed into a case by its number: no mappe of its own
        key = holder.find("a:referanseEksternNoekkel", NS)
        assert key is not None and key.findtext("m:fagsystem", namespaces=NS) == "referatbygg"
        keys.append(key.findtext("m:noekkel", namespaces=NS) or "")
    assert len(set(keys)) == len(keys), keys  # the registrering and its main document differ
    assert all(k.startswith(f"{organisation}/") for k in keys), keys
    parent = root.find("a:registrering/a:referanseForelderMappe", NS)
    assert parent is not None and len(parent)
    return keys


def test_the_seed_as_a_message(tmp_path: Path) -> None:
    result = run(SEED, tmp_path / "out", CONFIG)
    assert result.package is not None
    folder, root = message(result.package)
    names = sorted(p.name for p in folder.iterdir())
    refs = root.findall(".//a:referanseDokumentfil", NS)
    assert all("/" not in (r.text or "") for r in refs)  # flat names, as Fiks Arkiv sends them
    assert sorted({r.text for r in refs} | {"arkivmelding.xml", "melding.json"}) == names
    with zipfile.ZipFile(f"{folder}.zip") as zf:
        assert sorted(zf.namelist()) == names
    evidence = json.loads((result.package.bag / "data/bevis/verify-referat.json").read_text())
    assert evidence["file"] == "dokumenter/referat.pdf"  # the packed file, not a staging path
    keys = keys_throughout(root)
    own = "958935420/politiradet-2023-01-13/referat"
    assert keys == ["958935420/politiradet/referat/2023", own,
                    *[f"{own}/dokument/{k}" for k in ("referat", "vedlegg-1", "vedlegg-2",
                                                      "vedlegg-3")]]  # fmt: skip
    assert root.find("a:registrering/a:skjerming", NS) is None
    assert set(skjermet(root).values()) == {None}  # nothing exempt in the seed
    # The council numbers no meetings: its minutes are a journal post (X) in its case of the
    # year, found or made by the archive by its key — no møtenummer made up.
    xsi = "{http://www.w3.org/2001/XMLSchema-instance}type"
    folder = root.find("a:mappe", NS)
    assert folder is not None and folder.get(xsi) == "saksmappe"
    assert folder.find("a:systemID", NS) is None  # the archive's own, found by the key
    assert folder.findtext("a:tittel", namespaces=NS) == "Politirådet i Oslo – Referat 2023"
    assert root.find(".//a:moetenummer", NS) is None
    reg = root.find("a:registrering", NS)
    assert reg is not None and reg.get(xsi) == "journalpost"
    assert reg.findtext("a:journalposttype/m:kode", namespaces=NS) == "X"
    assert reg.findtext("a:dokumentetsDato", namespaces=NS) == "2023-01-13"
    assert reg.findtext("a:opprettetAv", namespaces=NS) == "Silje Brun"  # who archived
    signed = root.find("a:registrering/a:dokumentbeskrivelse/a:dokumentobjekt", NS)
    assert signed is not None
    assert signed.findtext("a:format/m:kode", namespaces=NS) == "RA-PDF"  # the profile's code
    assert signed.findtext("a:formatDetaljer", namespaces=NS) == "PAdES B-LTA, PDF/A-2a"
    names = [f.text for f in root.iter(f"{{{arkivmelding.NS}}}filnavn")]
    assert "politiradet-2023-01-13-referat.pdf" in names and len(set(names)) == len(names)
    # Each signature an archive note (merknadstype MA) on the signed document: signer, role,
    # issuer, level; then the verification.
    main = documents(root)[0]
    notes = main.findall("a:merknad", NS)
    assert {n.findtext("a:merknadstype/m:kode", namespaces=NS) for n in notes} == {"MA"}
    texts = [n.findtext("a:merknadstekst", namespaces=NS) or "" for n in notes]
    assert texts[0].startswith("Signert av Raymond Johansen (Byrådsleder) ")
    assert "sertifikat utstedt av referatbygg TEST" in texts[0]
    assert texts[-1].startswith("Signaturene verifisert") and "gyldig" in texts[-1]
    # The same record as Noark's elektroniskSignatur, for Fiks Arkiv V2, in the evidence.
    record = json.loads((result.package.bag / "data/bevis/signaturer-referat.json").read_text())
    assert [s["signatar"] for s in record["signaturer"]] == ["Raymond Johansen", "Beate Gangås"]
    assert {s["elektroniskSignaturVerifisert"]["kode"] for s in record["signaturer"]} == {"V"}
    # Attachments are written by whom the meeting file says, else the body.
    authors = [d.findtext("a:forfatter", namespaces=NS) for d in documents(root)[1:]]
    assert authors == ["Oslo politidistrikt", "Politirådet i Oslo", "Politirådet i Oslo"]
    # BagIt 1.0 (RFC 8493), and the bag names the record it holds.
    assert (result.package.bag / "bagit.txt").read_text().startswith("BagIt-Version: 1.0\n")
    info = (result.package.bag / "bag-info.txt").read_text(encoding="utf-8")
    assert "External-Identifier: 958935420/politiradet-2023-01-13/referat" in info
    meta = json.loads((folder_path := result.package.message / "melding.json").read_text())
    assert meta["meldingstype"] == arkivmelding.MESSAGE_TYPE and meta["ttl"] == 48 * 3600_000
    assert meta["klientMeldingId"] and folder_path.is_file()


def test_the_agreement_is_a_journal_post_the_minutes_refer_to(tmp_path: Path) -> None:
    """The agreement: an outgoing journal post (U) in a case file, its parties as parts and
    authors, the other party (the police district) its recipient (korrespondansepart EM); the
    minutes that adopted it refer to its record by external key and systemID."""
    out = tmp_path / "out"
    result = run(AGREEMENT, out, CONFIG)
    assert result.package is not None
    _folder, root = message(result.package)
    keys_throughout(root)
    xsi = "{http://www.w3.org/2001/XMLSchema-instance}type"
    assert root.find("a:mappe", NS).get(xsi) == "saksmappe"  # type: ignore[union-attr]
    reg = root.find("a:registrering", NS)
    assert reg is not None and reg.get(xsi) == "journalpost"
    assert reg.findtext("a:journalposttype/m:kode", namespaces=NS) == "U"
    party = reg.find("a:korrespondansepart", NS)
    assert party is not None and len(reg.findall("a:korrespondansepart", NS)) == 1
    assert party.findtext("a:korrespondanseparttype/m:kode", namespaces=NS) == "EM"
    assert party.findtext("a:korrespondansepartNavn", namespaces=NS) == "Oslo politidistrikt"
    assert [p.text for p in reg.findall("a:part/a:partNavn", NS)] == [
        "Oslo kommune", "Oslo politidistrikt"]  # fmt: skip
    authors = [a.text for a in reg.findall("a:forfatter", NS)]
    assert authors == ["Oslo kommune", "Oslo politidistrikt"]
    agreement_id = reg.findtext("a:systemID", namespaces=NS)
    minutes = run(SEED, out, CONFIG)
    assert minutes.package is not None
    _folder, root = message(minutes.package)
    ref = root.find("a:registrering/a:kryssreferanse/a:referanseTilRegistrering", NS)
    assert ref is not None
    assert ref.findtext("m:systemID", namespaces=NS) == agreement_id
    assert ref.findtext("m:referanseEksternNoekkel/m:noekkel", namespaces=NS) == (
        "958935420/politiradet-politiradsavtale-2023-2025/avtale"
    )


def test_an_exempt_item_restricts_the_signed_minutes_only(tmp_path: Path) -> None:
    meeting = copy_seed(tmp_path, ('title = "Mortensrud – økt tilstedeværelse av politi"\n',
                                   'title = "Mortensrud – økt tilstedeværelse av politi"\n'
                                   'exempt = "offl. § 24 tredje ledd"\n'))  # fmt: skip
    result = run(meeting, tmp_path / "out", CONFIG)
    assert result.package is not None
    _folder, root = message(result.package)
    assert root.find("a:registrering/a:skjerming", NS) is None
    codes = skjermet(root)
    main = next(t for t in codes if t.startswith("Referat –") and "offentlig" not in t)
    assert codes[main] == "24"  # the profile's code for offl. § 24
    assert [t for t, c in codes.items() if c] == [main]  # the attachments: public
    # The public version is the minutes' own public variant (O), not a document of its own.
    variants = [o.findtext("a:variantformat/m:kode", namespaces=NS)
                for o in documents(root)[0].findall("a:dokumentobjekt", NS)]  # fmt: skip
    assert variants == ["S", "P", "O"]
    assert not any("offentlig" in t for t in codes)
    basis = root.findtext(".//a:skjerming/a:skjermingshjemmel", namespaces=NS)
    assert basis == "offl. § 24 tredje ledd"


def test_an_exempt_attachment_restricts_itself_and_the_minutes_it_is_merged_into(
    tmp_path: Path,
) -> None:
    line = 'file = "vedlegg/situasjonsbrief.pdf"\n'
    basis = 'exempt = "offl. § 13, jf. politiregisterloven § 24"\n'
    meeting = copy_seed(tmp_path, (line, line + basis))
    result = run(meeting, tmp_path / "out", CONFIG)
    assert result.package is not None
    _folder, root = message(result.package)
    codes = skjermet(root)
    restricted = sorted(t for t, c in codes.items() if c)
    assert restricted == ["Pkt. 5 – Situasjonsbrief fra politiet",
                          "Referat – Politirådet i Oslo 2023-01-13"]  # fmt: skip
    assert set(codes[t] for t in restricted) == {"UO"}  # 'offl.' in the profile; § 13 not listed
    assert codes["Pkt. 7 – Politirådsavtale 2023–2025"] is None


def test_identities_per_installation_kept_when_packed_again(tmp_path: Path) -> None:
    first = run(SEED, tmp_path / "one", CONFIG)
    second = run(SEED, tmp_path / "two", CONFIG)  # another installation: its own state
    assert first.package and second.package
    ids_one = [e.text for e in message(first.package)[1].iter(f"{{{arkivmelding.NS}}}systemID")]
    ids_two = [e.text for e in message(second.package)[1].iter(f"{{{arkivmelding.NS}}}systemID")]
    assert len(set(ids_one)) == len(ids_one) and not set(ids_one) & set(ids_two)
    meeting = load_meeting(SEED)
    again = make_archive(meeting, tmp_path / "one", CONFIG)
    ids_again = [e.text for e in message(again)[1].iter(f"{{{arkivmelding.NS}}}systemID")]
    assert ids_again == ids_one
    # A different file under the same document gets a new identity; the others keep theirs.
    state = tmp_path / "ids"
    state.mkdir()
    before = identities.assign(state, {"referat": "a" * 64, "vedlegg-1": "b" * 64})
    after = identities.assign(state, {"referat": "c" * 64, "vedlegg-1": "b" * 64})
    assert after.folder == before.folder and after.registration == before.registration
    assert after.documents["referat"] != before.documents["referat"]
    assert after.documents["vedlegg-1"] == before.documents["vedlegg-1"]


def test_a_basis_the_profile_has_no_code_for_stops_the_archiving(tmp_path: Path) -> None:
    meeting = copy_seed(tmp_path, ('title = "Mortensrud – økt tilstedeværelse av politi"\n',
                                   'title = "Mortensrud – økt tilstedeværelse av politi"\n'
                                   'exempt = "offl. § 24 tredje ledd"\n'))  # fmt: skip
    strict = CONFIG.model_copy(update={"archive": PROFILE.model_copy(
        update={"access_codes": {"offl. § 13": "13"}})})  # fmt: skip
    with pytest.raises(PackageError, match=r"no access code for the legal basis 'offl\. § 24"):
        run(meeting, tmp_path / "out", strict)


@pytest.mark.parametrize("damage", ["extra file", "missing file", "changed file", "in a folder"])
def test_a_damaged_message_is_named(tmp_path: Path, damage: str) -> None:
    result = run(SEED, tmp_path / "out", CONFIG)
    assert result.package and result.package.message
    folder = tmp_path / "message"
    shutil.copytree(result.package.message, folder)
    if damage == "extra file":
        (folder / "hemmelig.pdf").write_bytes(b"%PDF-1.7\n")
    elif damage == "missing file":
        (folder / "referat.docx").unlink()
    elif damage == "changed file":
        (folder / "referat.docx").write_bytes(b"PK\x03\x04 not the docx")
    target = folder
    if damage == "in a folder":
        target = tmp_path / "message.zip"
        with zipfile.ZipFile(target, "w") as zf:
            for file in folder.iterdir():
                zf.write(file, f"dir/{file.name}" if file.name == "referat.pdf" else file.name)
    report = check_package(target, roots())
    assert not report.ok
    expected = {"extra file": "hemmelig.pdf is not named in arkivmelding.xml",
                "missing file": "names referat.docx, which is not a file of the message",
                "changed file": "referat.docx differs from arkivmelding.xml",
                "in a folder": "dir/referat.pdf is not a file name alone"}[damage]  # fmt: skip
    assert any(expected in p for p in report.problems), report.problems


@pytest.mark.parametrize(
    ("bases", "code", "hjemmel"),
    [
        # Taushetsplikt first, whatever the order and however long the other keys are.
        (["offl. § 24 tredje ledd", "offl. § 13 jf. fvl. § 13"], "13", "offl. § 13 jf. fvl. § 13"),
        (["offl. § 13, jf. politiregisterloven § 24", "offl. § 24"], "13",
         "offl. § 13, jf. politiregisterloven § 24"),
        # Closing the meeting is not the basis for withholding: offentleglova's section is.
        (["kml. § 11-5 andre ledd bokstav a, jf. offl. § 25"], "UO", "offl. § 25"),
        (["offl. § 26 første ledd bokstav a", "offl. § 24 tredje ledd"], "UO",
         "offl. § 26 første ledd bokstav a"),
        (["offl. § 24 tredje ledd"], "24", "offl. § 24 tredje ledd"),
    ],
)  # fmt: skip
def test_mixed_bases_give_the_strictest_code_and_that_basis_alone(
    bases: list[str], code: str, hjemmel: str
) -> None:
    profile = PROFILE.model_copy(
        update={"access_codes": {"offl.": "UO", "offl. § 13": "13", "offl. § 24": "24"}}
    )
    assert arkivmelding.withholding(bases, profile) == (code, hjemmel)


def test_mixed_bases_in_the_message(tmp_path: Path) -> None:
    """An item exempt under § 24 and a paragraph under taushetsplikt (§ 13): the minutes are
    coded 13 with offl. § 13 as their skjermingshjemmel — before, the longest key matching the
    joined bases won, here by key order § 24."""
    meeting = copy_seed(tmp_path, ('title = "Mortensrud – økt tilstedeværelse av politi"\n',
                                   'title = "Mortensrud – økt tilstedeværelse av politi"\n'
                                   'exempt = "offl. § 24 tredje ledd"\n'))  # fmt: skip
    text = meeting.read_text(encoding="utf-8").replace(
        'file = "vedlegg/situasjonsbrief.pdf"\n',
        'file = "vedlegg/situasjonsbrief.pdf"\nexempt = "offl. § 13 jf. fvl. § 13"\n',
    )
    meeting.write_text(text, encoding="utf-8")
    mixed = CONFIG.model_copy(update={"archive": PROFILE.model_copy(update={
        "access_codes": {"offl.": "UO", "offl. § 24": "24", "offl. § 13": "13"}})})  # fmt: skip
    result = run(meeting, tmp_path / "out", mixed)
    assert result.package is not None
    _folder, root = message(result.package)
    codes = skjermet(root)
    main = next(t for t in codes if t.startswith("Referat –") and "offentlig" not in t)
    assert codes[main] == "13"
    first = root.find(".//a:dokumentbeskrivelse/a:skjerming", NS)
    assert first is not None
    assert first.findtext("a:skjermingshjemmel", namespaces=NS) == "offl. § 13 jf. fvl. § 13"


def test_a_nynorsk_body_s_message_speaks_nynorsk(tmp_path: Path) -> None:
    """The valstyre (nynorsk) with a case under taushetsplikt: its public version, filed as a
    document of its own (the profile says so), is "(offentleg versjon)" and the restriction
    says "Unnateke offentlegheit" — not bokmål."""
    from conftest import ROOT

    folder = tmp_path / "valstyret"
    shutil.copytree(ROOT / "meetings/valstyret", folder)
    meeting = folder / "2025-06-12.toml"
    text = meeting.read_text(encoding="utf-8")
    title = 'title = "Klage på manntalet"\n'
    assert title in text
    meeting.write_text(text.replace(title, title + 'exempt = "offl. § 13 jf. fvl. § 13"\n'),
                       encoding="utf-8")  # fmt: skip
    own = CONFIG.model_copy(update={"archive": PROFILE.model_copy(
        update={"public_version": "document", "access_codes": {"offl.": "UO"},
                "organisation_number": None})})  # fmt: skip  # Fjordvik's own, in its body file
    result = run(meeting, tmp_path / "out", own)
    assert result.package is not None
    _folder, root = message(result.package)
    titles = [d.findtext("a:tittel", namespaces=NS) or "" for d in documents(root)]
    assert any(t.endswith("(offentleg versjon)") for t in titles), titles
    assert not any("offentlig" in t for t in titles), titles
    described = root.findtext(".//a:skjerming/a:tilgangsrestriksjon/m:beskrivelse",
                              namespaces=NS)  # fmt: skip
    assert described == "Unnateke offentlegheit, offl. § 13 jf. fvl. § 13"
    notes = [n.text or "" for n in root.iter(f"{{{arkivmelding.NS}}}merknadstekst")]
    assert notes[0].startswith("Signert av Solveig Haugland (Leiar) ")
    assert "sertifikat utferda av" in notes[0] and "tryggleiksnivå ikkje oppgitt" in notes[0]
    assert notes[-1].startswith("Signaturane verifiserte ")
