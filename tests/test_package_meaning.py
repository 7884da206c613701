"""Packages whose every checksum matches and that are still wrong: check-package relates what the
metadata says to what the signed file shows, checks the Fiks Arkiv message's files as it checks
the bag's, and opens a zip entry by entry. Each attacked package is made from a real one (run on
the seed), its manifests and arkivmelding.xml made to match again — so that only a check of
meaning can refuse it.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import zipfile
from pathlib import Path

import bagit
import pytest
from conftest import SEED, copy_built
from conftest import demo_roots as roots
from test_identity import forge_as_outsider

from referatbygg.archive.check import check_package
from referatbygg.archive.package import PackageResult
from referatbygg.config import load_config
from referatbygg.errors import PackageError
from referatbygg.pipeline import run

CONFIG = load_config(None)  # the demo PKI


@pytest.fixture(scope="module")
def other_minutes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """Another meeting of the same body, validly signed by the same people: 10 February."""
    folder = tmp_path_factory.mktemp("other") / "politiradet"
    shutil.copytree(SEED.parent, folder)
    meeting = folder / SEED.name
    text = meeting.read_text(encoding="utf-8").replace("date = 2023-01-13", "date = 2023-02-10")
    assert "2023-02-10" in text
    (folder / "2023-02-10.toml").write_text(text, encoding="utf-8")
    meeting.unlink()
    result = run(folder / "2023-02-10.toml", folder.parent / "out", CONFIG)
    assert result.package is not None
    return (result.status.out_dir / "referat.pdf").read_bytes()


def copy(package: PackageResult, tmp_path: Path) -> tuple[Path, Path]:
    """The bag and the Fiks Arkiv message beside it, copied."""
    target = tmp_path / "pakke"
    target.mkdir()
    bag = target / package.bag.name
    shutil.copytree(package.bag, bag)
    assert package.message is not None
    message = target / package.message.name
    shutil.copytree(package.message, message)
    return bag, message


def replace(folder: Path, name: str, data: bytes) -> None:
    """Put ``data`` in place of ``name`` and make arkivmelding.xml's checksum and size of it
    match again (the bag's manifests are remade by :func:`rebag`)."""
    file = folder / name
    old = file.read_bytes()
    file.write_bytes(data)
    xml = folder / "arkivmelding.xml"
    text = xml.read_text(encoding="utf-8")
    text = text.replace(hashlib.sha256(old).hexdigest(), hashlib.sha256(data).hexdigest())
    text = re.sub(rf"(<filstoerrelse>){len(old)}(</filstoerrelse>)", rf"\g<1>{len(data)}\2", text)
    xml.write_text(text, encoding="utf-8")


def rebag(bag: Path) -> None:
    bagit.Bag(str(bag)).save(manifests=True)


def problems(path: Path, **kwargs: object) -> list[str]:
    report = check_package(path, roots(), **kwargs)  # type: ignore[arg-type]
    assert not report.ok
    return report.problems


def test_the_real_package_is_one_meeting(package: PackageResult) -> None:
    report = check_package(package.bag, roots())
    assert report.ok, report.problems
    assert any(c.startswith("one meeting: the signed original is signed") for c in report.checked)
    # Without the archive's own list of who may sign, the verdict says what it checked against.
    assert any("not against who should sign (not given)" in c for c in report.checked)
    who = {"politiradet": {"byradsleder": "Raymond Johansen", "politimester": "Beate Gangås"}}
    report = check_package(package.bag, roots(), signers=who)
    assert report.ok, report.problems
    assert not any("not against who should sign" in c for c in report.checked)


def test_another_meetings_signed_minutes(
    package: PackageResult, other_minutes: bytes, tmp_path: Path
) -> None:
    bag, message = copy(package, tmp_path)
    replace(bag / "data", "dokumenter/referat.pdf", other_minutes)
    rebag(bag)
    found = problems(bag)
    assert any("is titled 'Referat – Politirådet i Oslo 10. februar 2023', not the minutes of "
               "Politirådet i Oslo 13. januar 2023" in p for p in found), found  # fmt: skip
    # The same file in the message, checked alone: refused there too.
    replace(message, "referat.pdf", other_minutes)
    assert any(p.startswith(f"{message.name}: referat.pdf is titled 'Referat – Politirådet i "
                            "Oslo 10. februar 2023'") for p in problems(message))  # fmt: skip


def test_an_outsiders_forgery_with_the_evidence_left_as_it_was(
    package: PackageResult, built_seed: Path, tmp_path: Path
) -> None:
    built = copy_built(built_seed, tmp_path / "built" / "referat.pdf")
    forge_as_outsider(built)
    bag, _message = copy(package, tmp_path)
    replace(bag / "data", "dokumenter/referat.pdf", built.read_bytes())
    rebag(bag)
    found = problems(bag)
    assert any("the signature block names Raymond Johansen as byradsleder, but the certificate "
               "is Ola Utenforstående's" in p for p in found), found  # fmt: skip
    assert any("bevis/verify-referat.json names other signatures" in p for p in found), found
    assert any("arkivmelding.xml notes the signers Beate Gangås, Raymond Johansen; the signed "
               "original is signed by Ola Utenforstående" in p for p in found), found  # fmt: skip
    who = {"politiradet": {"byradsleder": "Raymond Johansen", "politimester": "Beate Gangås"}}
    found = problems(bag, signers=who)
    assert any("Raymond Johansen should sign as byradsleder" in p for p in found), found


def test_the_signed_original_is_an_unsigned_copy(
    package: PackageResult, built_seed: Path, tmp_path: Path
) -> None:
    bag, _message = copy(package, tmp_path)
    replace(bag / "data", "dokumenter/referat.pdf", built_seed.read_bytes())
    rebag(bag)
    found = problems(bag)
    assert (
        "the signed original dokumenter/referat.pdf carries no signature or timestamp" in found
    ), found


def test_variant_s_pointing_elsewhere(package: PackageResult, tmp_path: Path) -> None:
    """arkivmelding.xml's signed original (variant S) made to be an attachment: its file is
    checked as the signed original, and it is not signed."""
    bag, _message = copy(package, tmp_path)
    xml = bag / "data/arkivmelding.xml"
    text = xml.read_text(encoding="utf-8")
    first = text.index("<referanseDokumentfil>dokumenter/referat.pdf")
    attachment = re.search(r"dokumenter/vedlegg/01-[^<]+\.pdf", text)
    assert attachment is not None
    text = text[:first] + text[first:].replace("dokumenter/referat.pdf", attachment.group(0), 1)
    xml.write_text(text, encoding="utf-8")
    rebag(bag)
    found = problems(bag)
    assert any(f"the signed original {attachment.group(0)} carries no signature or timestamp" in p
               for p in found), found  # fmt: skip


def test_bag_info_names_another_meeting(package: PackageResult, tmp_path: Path) -> None:
    bag, _message = copy(package, tmp_path)
    info = bag / "bag-info.txt"
    info.write_text(info.read_text(encoding="utf-8").replace(
        "External-Identifier: 958935420/politiradet-2023-01-13/referat",
        "External-Identifier: 958935420/politiradet-2023-02-10/referat",
    ), encoding="utf-8")  # fmt: skip
    rebag(bag)
    said = (
        "bag-info.txt names the record 958935420/politiradet-2023-02-10/referat, "
        "arkivmelding.xml files 958935420/politiradet-2023-01-13/referat"
    )
    assert said in problems(bag)


def test_evidence_naming_other_signers(package: PackageResult, tmp_path: Path) -> None:
    bag, _message = copy(package, tmp_path)
    evidence = bag / "data/bevis/verify-referat.json"
    evidence.write_text(evidence.read_text(encoding="utf-8").replace(
        '"holder": "Beate Gangås"', '"holder": "Nina Berg"'), encoding="utf-8")  # fmt: skip
    rebag(bag)
    assert any("bevis/verify-referat.json names other signatures" in p for p in problems(bag))


def test_packed_sources_that_the_minutes_were_not_built_from(
    package: PackageResult, tmp_path: Path
) -> None:
    """The meeting file packed beside the signed minutes says what they say: a source edited
    after the build (and a manifest made again) is refused, as is a build record of another
    document or none."""
    bag, _message = copy(package, tmp_path)
    source = bag / "data/produksjon/kilde" / SEED.name
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("Politirådet", "Politiråd", 1), encoding="utf-8")
    replace(bag / "data", f"produksjon/kilde/{SEED.name}", source.read_bytes())
    rebag(bag)
    assert any(f"produksjon/kilde/{SEED.name} is not the file dokumenter/referat.pdf was built "
               "from" in p for p in problems(bag)), problems(bag)  # fmt: skip

    (tmp_path / "b").mkdir()
    bag, _message = copy(package, tmp_path / "b")
    record = bag / "data/bevis/bygg-referat.json"
    record.write_text(re.sub(r'"size": \d+', '"size": 1000', record.read_text(encoding="utf-8")),
                      encoding="utf-8")  # fmt: skip
    rebag(bag)
    assert any("dokumenter/referat.pdf does not begin with the document bevis/bygg-referat.json "
               "records as built" in p for p in problems(bag))  # fmt: skip
    record.unlink()
    rebag(bag)
    assert any("bevis/bygg-referat.json, the build record of dokumenter/referat.pdf, is missing"
               in p for p in problems(bag))  # fmt: skip


def test_an_unlisted_document_in_the_payload(package: PackageResult, tmp_path: Path) -> None:
    bag, _message = copy(package, tmp_path)
    shutil.copy(bag / "data/dokumenter/referat.pdf", bag / "data/dokumenter/Referat-kopi.pdf")
    rebag(bag)
    assert ("dokumenter/Referat-kopi.pdf is not a document arkivmelding.xml describes"
            in problems(bag))  # fmt: skip


# --- the Fiks Arkiv message: its files are checked as the bag's are ----------------------------


def test_an_unsigned_file_in_the_message(
    package: PackageResult, built_seed: Path, tmp_path: Path
) -> None:
    bag, message = copy(package, tmp_path)
    replace(message, "referat.pdf", built_seed.read_bytes())
    found = problems(bag)
    assert any(p.startswith(f"{message.name}: ") and "carries no signature or timestamp" not in p
               and "referat.pdf signatures" in p for p in found), found  # fmt: skip


def test_active_content_in_the_message(package: PackageResult, tmp_path: Path) -> None:
    """A JavaScript action planted in a message attachment: not PDF/A, refused there."""
    import pikepdf

    _bag, message = copy(package, tmp_path)
    name = next(p.name for p in message.glob("01-*.pdf"))
    with pikepdf.open(message / name) as pdf:
        pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS="app.alert(1)")
        scratch = tmp_path / "js.pdf"
        pdf.save(scratch)
    replace(message, name, scratch.read_bytes())
    found = problems(message)
    assert any(p.startswith(f"{message.name}: {name}: not valid PDF/A") for p in found), found


# --- a zip is opened entry by entry ------------------------------------------------------------


def zipped(bag: Path, target: Path, extra: list[tuple[zipfile.ZipInfo | str, bytes]]) -> Path:
    """The bag as a zip, with ``extra`` entries written first (so a tool that takes the first of
    two copies sees them)."""
    with zipfile.ZipFile(target, "w") as zf:
        for info, data in extra:
            zf.writestr(info, data)
        for file in sorted(bag.rglob("*")):
            if file.is_file():
                zf.write(file, Path(bag.name) / file.relative_to(bag))
    return target


@pytest.mark.parametrize(
    ("entry", "says"),
    [
        ("{bag}/data/dokumenter/referat.pdf", "referat.pdf is in the archive twice"),
        ("{bag}/data/dokumenter/REFERAT.pdf", "is in the archive twice (politiradet"),
        ("{bag}\\data\\dokumenter\\x.pdf", "unsafe path in archive"),
        ("snik.txt", "snik.txt stands beside the bag's folder"),
        ("{bag}/data/../../x", "unsafe path in archive"),
        ("{bag}/data/dokumenter/Refera\u0302t.pdf", "is not a normalised (NFC) name"),
    ],
)
def test_zip_entries_that_are_refused(
    package: PackageResult, tmp_path: Path, entry: str, says: str
) -> None:
    name = entry.format(bag=package.bag.name)
    target = zipped(package.bag, tmp_path / "x.zip", [(name, b"%PDF-1.7 forged")])
    with pytest.raises(PackageError, match=re.escape(says)):
        check_package(target, roots())


def test_a_symbolic_link_in_the_zip_or_the_folder(package: PackageResult, tmp_path: Path) -> None:
    link = zipfile.ZipInfo(f"{package.bag.name}/data/dokumenter/passwd.pdf")
    link.external_attr = 0o120777 << 16
    target = zipped(package.bag, tmp_path / "x.zip", [(link, b"/etc/passwd")])
    with pytest.raises(PackageError, match=re.escape("passwd.pdf is a symbolic link")):
        check_package(target, roots())
    bag, _message = copy(package, tmp_path)
    (bag / "data/dokumenter/passwd.pdf").symlink_to("/etc/passwd")
    with pytest.raises(
        Exception, match=re.escape("symbolic links in the bag: data/dokumenter/passwd.pdf")
    ):
        check_package(bag, roots())
