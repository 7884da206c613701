"""The PDF/A and PDF/UA validator of record (veraPDF's engine) proves itself, and its verdicts
name the rule: a corpus self-test, an engine that cannot load its profiles refused, and files made
wrong on purpose (incomplete CIDSet, PDF 2.0 declared, untagged) failing with the right rule."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SEED
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, StreamObject

from referatbygg.build.result import BuildResult
from referatbygg.errors import DependencyError, Unreadable, ValidationError
from referatbygg.pdf import pdfa
from referatbygg.pipeline import build
from referatbygg.tools import jvm, verapdf

CORPUS = ROOT / "tests/resources/verapdf-corpus"


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    return build(SEED, tmp_path_factory.mktemp("out"))


@pytest.mark.parametrize("jit", ["full", "quick"])
def test_corpus_selftest(jit: verapdf.Jit) -> None:
    """Every pass file of the corpus passes and every fail file fails, for its folder's part —
    with both compilers' JVM (the service's, and a one-shot command's or batch worker's)."""
    engine = verapdf.Validator(jit)
    try:
        result = verapdf.selftest(CORPUS, engine)
    finally:
        engine.stop()
    assert result.files >= 1100
    assert result.ok, result.mismatches[:10]


def test_engine_without_its_profiles_is_refused(seed: BuildResult) -> None:
    """Without the JAXB runtime veraPDF cannot read its profiles: `validate` says so (exit 4) and
    never reports the file valid."""
    assert seed.pdf is not None
    res = subprocess.run(
        [sys.executable, "-m", "referatbygg", "validate", str(seed.pdf)],
        capture_output=True, text=True,
        env={**os.environ, "REFERATBYGG_JAXB": "/usr/share/java/jaxb-api.jar"},
    )  # fmt: skip
    assert res.returncode == 4, res.stdout + res.stderr
    assert "the validation profiles do not load" in res.stderr
    assert "OK" not in res.stdout


def test_canary_refuses_an_engine_that_does_not_validate(
    seed: BuildResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The canary files swapped: an engine that 'passes' the failing file is refused."""
    for name, source in (("pass-6-1-3-t01-a.pdf", "fail-6-1-2-t01-a.pdf"),
                         ("fail-6-1-2-t01-a.pdf", "pass-6-1-3-t01-a.pdf")):  # fmt: skip
        (tmp_path / name).write_bytes((verapdf.CANARY / source).read_bytes())
    monkeypatch.setattr(verapdf, "CANARY", tmp_path)
    engine = verapdf.Validator()
    try:
        assert seed.pdf is not None
        with pytest.raises(DependencyError, match="does not validate"):
            engine.validate(seed.pdf, "2b")
    finally:
        engine.stop()


def test_server_times_out_and_recovers(seed: BuildResult) -> None:
    assert seed.pdf is not None
    engine = verapdf.Validator()
    try:
        with pytest.raises(ValidationError, match="did not answer within the time allowed"):
            engine.validate(seed.pdf, "2b", timeout=0.001)
        assert engine.validate(seed.pdf, "2b").compliant  # a new JVM, checked again
        first = engine.server.generation
        assert engine.server._proc is not None
        engine.server._proc.kill()  # a crash between files
        engine.server._proc.wait()
        assert engine.validate(seed.pdf, "2b").compliant
        assert engine.server.generation == first + 1
    finally:
        engine.stop()


def test_only_a_fresh_engine_calls_a_file_unreadable(
    seed: BuildResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long-lived engine that once fails to read a good file (as seen through the service)
    does not give the verdict: a fresh JVM reads it again. A file that cannot be read stays
    unreadable, after the fresh engine has tried too."""
    assert seed.pdf is not None
    engine = verapdf.Validator()
    try:
        assert engine.validate(seed.pdf, "2b").compliant
        first = engine.server.generation
        real_ask, failures = engine.server.ask, [1]

        def ask_failing_once(request: str, timeout: float) -> list[str]:
            if failures and request.endswith(str(seed.pdf.resolve())):  # type: ignore[union-attr]
                failures.pop()
                return ["FAIL\torg.verapdf.core.ModelParsingException: Couldn't parse stream"]
            return real_ask(request, timeout)

        monkeypatch.setattr(engine.server, "ask", ask_failing_once)
        assert engine.validate(seed.pdf, "2b").compliant
        assert engine.unreadable_retries == 1 and engine.server.generation == first + 1
        broken = tmp_path / "broken.pdf"
        broken.write_bytes(b"%PDF-1.7\n" + os.urandom(3000) + b"\n%%EOF\n")
        with pytest.raises(Unreadable, match=r"broken\.pdf: veraPDF cannot read it"):
            engine.validate(broken, "2b")
        assert engine.unreadable_retries == 2
    finally:
        engine.stop()


def test_a_file_changed_while_validated_is_named_so(
    seed: BuildResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bytes written by another process while the engine reads them get no verdict, and the
    message says what happened instead of blaming the file."""
    assert seed.pdf is not None
    moving = tmp_path / "vedlegg-01.pdf"
    moving.write_bytes(seed.pdf.read_bytes() + b"\n")  # not a verdict kept from before

    def overwritten_meanwhile(pdf: Path, flavour: str, timeout: float = 600) -> verapdf.Result:
        pdf.write_bytes(pdf.read_bytes()[: len(pdf.read_bytes()) // 2])
        raise Unreadable(f"{pdf.name}: veraPDF cannot read it: ModelParsingException")

    monkeypatch.setattr(verapdf, "validate", overwritten_meanwhile)
    with pytest.raises(ValidationError, match=r"vedlegg-01\.pdf changed while it was being valid"):
        pdfa.validate(moving)


def _rewrite(src: Path, dst: Path, change: object) -> Path:
    writer = PdfWriter(clone_from=src)
    change(writer)  # type: ignore[operator]
    with dst.open("wb") as fh:
        writer.write(fh)
    return dst


def test_incomplete_cidset_fails(seed: BuildResult, tmp_path: Path) -> None:
    """A /CIDSet that lists only the glyphs used (what our writer did before, and pyHanko's
    stamp) breaks ISO 19005-2 6.2.11.4.2 test 2."""
    assert seed.pdf is not None

    def thin(writer: PdfWriter) -> None:
        for page in writer.pages:
            for font in page["/Resources"]["/Font"].values():
                for desc in font.get_object().get("/DescendantFonts", []):
                    fd = desc.get_object()["/FontDescriptor"].get_object()
                    cidset = StreamObject()
                    cidset.set_data(pdfa.cidset_bytes([0, 3]))
                    fd[NameObject("/CIDSet")] = writer._add_object(cidset)

    report = pdfa.validate(_rewrite(seed.pdf, tmp_path / "cidset.pdf", thin))
    assert not report.valid
    assert "ISO 19005-2:2011 6.2.11.4.2-2" in [f["rule"] for f in report.findings]


def test_pdf_2_0_declared_fails(seed: BuildResult, tmp_path: Path) -> None:
    """What pyHanko does for ECDSA P-256 signatures: /Version 2.0 in a file claiming PDF/A-2."""
    assert seed.pdf is not None

    def two(writer: PdfWriter) -> None:
        writer.root_object[NameObject("/Version")] = NameObject("/2.0")

    report = pdfa.validate(_rewrite(seed.pdf, tmp_path / "v2.pdf", two))
    assert not report.valid
    assert [f["rule"] for f in report.findings] == ["ISO 19005-2 1 (based on PDF 1.x)"]
    assert "declares /Version 2.0" in str(report.findings[0]["description"])


def test_untagged_file_fails_pdfua(seed: BuildResult) -> None:
    """A PDF without structure (the seed attachment's source): PDF/UA-1 names the rule."""
    untagged = ROOT / "meetings/politiradet/vedlegg/situasjonsbrief.pdf"
    assert "/StructTreeRoot" not in PdfReader(untagged).root_object
    report = pdfa.validate(untagged, "ua1")
    assert not report.valid
    rules = [str(f["rule"]) for f in report.findings]
    assert any(r.startswith("ISO 14289-1:2014 ") for r in rules), rules
    res = subprocess.run(
        [sys.executable, "-m", "referatbygg", "validate", "--flavour", "ua1", "--json",
         str(untagged)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert res.returncode == 7
    assert '"specification": "ISO 14289-1:2014"' in res.stdout


def test_present_cids_follow_the_font_program() -> None:
    assert pdfa.present_cids(3, None) == [0, 1, 2]
    mapping = b"".join(g.to_bytes(2, "big") for g in (0, 5, 1, 9))
    assert pdfa.present_cids(6, mapping) == [0, 1, 2]
    assert pdfa.cidset_bytes([0, 1, 2, 9]) == bytes([0b11100000, 0b01000000])


def test_java_sources_ship_with_the_package() -> None:
    assert verapdf.program().source.is_file()
    assert (verapdf.CANARY / "pass-6-1-3-t01-a.pdf").is_file()
    assert jvm.compiled(verapdf.program()).is_dir()
