"""No network from a build. A DOCX attachment can link an image, an OLE object, a subdocument,
name a template, include a picture or a text by a field, or declare an XML entity, by URL;
LibreOffice fetched some of them while converting (a request to wherever the document says). Here a
recorder on 127.0.0.1 counts every request while such documents are converted — by the cold
converter, the warm one, and a whole build through the background service — and there must be
none; check names the links it leaves out. The control: LibreOffice with a profile of its own
defaults does fetch the same document (so the recorder would see it)."""

from __future__ import annotations

import http.server
import re
import shutil
import subprocess
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from conftest import SEED
from docx import Document
from PIL import Image
from test_examples import main

from referatbygg.errors import ConversionError
from referatbygg.tools import libreoffice


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []

    def _any(self) -> None:
        self.seen.append(f"{self.command} {self.path}")
        self.send_response(404)
        self.end_headers()

    do_GET = do_HEAD = do_OPTIONS = do_PROPFIND = _any

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[str]]]:
    seen: list[str] = []
    handler = type("Handler", (_Recorder,), {"seen": seen})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


def linking_docx(path: Path, base: str) -> Path:
    """A DOCX whose picture is linked by URL (r:link, TargetMode External) and whose settings
    name a template by URL — as a hostile or careless sender's would."""
    picture = path.with_suffix(".png")
    Image.new("RGB", (40, 40), (200, 0, 0)).save(picture)
    doc = Document()
    doc.add_paragraph("Vedlegg med lenket bilde.")
    doc.add_picture(str(picture))
    doc.save(str(path))
    with zipfile.ZipFile(path) as z:
        files = {n: z.read(n) for n in z.namelist()}
    text = files["word/document.xml"].decode()
    rid = re.search(r'r:embed="(rId\d+)"', text).group(1)  # type: ignore[union-attr]
    files["word/document.xml"] = text.replace(f'r:embed="{rid}"', f'r:link="{rid}"').encode()
    rels = files["word/_rels/document.xml.rels"].decode()
    rels = re.sub(rf'(<Relationship Id="{rid}" Type="[^"]+") Target="[^"]+"',
                  rf'\1 Target="{base}/bilde.png" TargetMode="External"', rels)  # fmt: skip
    files["word/_rels/document.xml.rels"] = rels.encode()
    settings = files["word/settings.xml"].decode()
    files["word/settings.xml"] = settings.replace(
        "<w:defaultTabStop", '<w:attachedTemplate r:id="rIdT"/><w:defaultTabStop', 1
    ).encode()
    files["word/_rels/settings.xml.rels"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://'
        'schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rIdT" Type="'
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate"
        f'" Target="{base}/mal.dotx" TargetMode="External"/></Relationships>'
    ).encode()
    _more_links(files, base)
    with zipfile.ZipFile(path, "w") as out:
        for name, data in files.items():
            out.writestr(name, data)
    return path


RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _more_links(files: dict[str, bytes], base: str) -> None:
    """The other ways a DOCX reaches out: a linked OLE object, a master document's
    subdocument, fields that include a picture and a text by URL."""
    text = files["word/document.xml"].decode()
    body = (
        '<w:p><w:r><w:object><o:OLEObject xmlns:o="urn:schemas-microsoft-com:office:office" '
        'Type="Link" ProgID="Excel.Sheet.12" ShapeID="_x0000_i1025" DrawAspect="Content" '
        'r:id="rIdOle" UpdateMode="Always"/></w:object></w:r></w:p>'
        '<w:subDoc r:id="rIdSub"/>'
        f'<w:p><w:fldSimple w:instr=" INCLUDEPICTURE &quot;{base}/felt.png&quot; \\d "><w:r>'
        "<w:t>bilde</w:t></w:r></w:fldSimple></w:p>"
        f'<w:p><w:fldSimple w:instr=" INCLUDETEXT &quot;{base}/tekst.docx&quot; "><w:r>'
        "<w:t>tekst</w:t></w:r></w:fldSimple></w:p>"
    )
    files["word/document.xml"] = text.replace("<w:sectPr", body + "<w:sectPr", 1).encode()
    rels = files["word/_rels/document.xml.rels"].decode()
    extra = (
        f'<Relationship Id="rIdOle" Type="{RELS}/oleObject" Target="{base}/ark.xlsx" '
        'TargetMode="External"/>'
        f'<Relationship Id="rIdSub" Type="{RELS}/subDocument" Target="{base}/del.docx" '
        'TargetMode="External"/>'
    )
    files["word/_rels/document.xml.rels"] = rels.replace(
        "</Relationships>", extra + "</Relationships>"
    ).encode()


def entity_docx(path: Path, base: str) -> Path:
    """A DOCX with an XML part whose external entity names a URL (XXE)."""
    doc = Document()
    doc.add_paragraph("Vedlegg med ekstern XML-entitet.")
    doc.save(str(path))
    with zipfile.ZipFile(path) as z:
        files = {n: z.read(n) for n in z.namelist()}
    rels = files["word/_rels/document.xml.rels"].decode()
    files["word/_rels/document.xml.rels"] = rels.replace("</Relationships>", (
        f'<Relationship Id="rIdXml" Type="{RELS}/customXml" Target="../customXml/item1.xml"/>'
        "</Relationships>")).encode()  # fmt: skip
    files["customXml/item1.xml"] = (
        f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "{base}/entitet.xml">]><d>&e;</d>'
    ).encode()
    with zipfile.ZipFile(path, "w") as out:
        for name, data in files.items():
            out.writestr(name, data)
    return path


def test_libreoffice_by_its_defaults_fetches_what_the_document_links(
    recorder: tuple[str, list[str]], tmp_path: Path
) -> None:
    """The control: the recorder sees LibreOffice fetch, when its profile is its own."""
    base, seen = recorder
    src = linking_docx(tmp_path / "vedlegg.docx", base)
    subprocess.run([libreoffice.soffice(), "--headless", "--norestore",
                    f"-env:UserInstallation={(tmp_path / 'own').as_uri()}", "--convert-to",
                    "pdf", "--outdir", str(tmp_path / "out"), str(src)],
                   capture_output=True, timeout=180, check=False)  # fmt: skip
    assert any("bilde.png" in s for s in seen), seen


@pytest.mark.parametrize("warm", [False, True])
def test_an_external_entity_is_refused_unfetched(
    recorder: tuple[str, list[str]], tmp_path: Path, warm: bool
) -> None:
    """LibreOffice does not load a document whose XML part has an external entity: the
    conversion fails, named, and nothing is fetched (neither by our converters nor, the
    control, by LibreOffice with its own defaults)."""
    base, seen = recorder
    src = entity_docx(tmp_path / "vedlegg.docx", base)
    conv = libreoffice.open_converter(warm=warm) if warm else libreoffice.ColdConverter()
    try:
        with pytest.raises(ConversionError, match=r"vedlegg\.docx"):
            conv.convert(src, tmp_path / "vedlegg.pdf", "2b")
    finally:
        conv.close()
    subprocess.run([libreoffice.soffice(), "--headless", "--norestore",
                    f"-env:UserInstallation={(tmp_path / 'own').as_uri()}", "--convert-to",
                    "pdf", "--outdir", str(tmp_path / "out"), str(src)],
                   capture_output=True, timeout=180, check=False)  # fmt: skip
    assert seen == []


@pytest.mark.parametrize("warm", [False, True])
def test_our_converters_fetch_nothing(
    recorder: tuple[str, list[str]], tmp_path: Path, warm: bool
) -> None:
    base, seen = recorder
    src = linking_docx(tmp_path / "vedlegg.docx", base)
    conv = libreoffice.open_converter(warm=warm) if warm else libreoffice.ColdConverter()
    try:
        conv.convert(src, tmp_path / "vedlegg.pdf", "2b")
    finally:
        conv.close()
    assert (tmp_path / "vedlegg.pdf").stat().st_size > 0
    assert seen == []


@pytest.mark.parametrize("warm", [False, True])
def test_our_libreoffice_has_no_network_at_all(
    recorder: tuple[str, list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, warm: bool
) -> None:
    """Where the platform allows (Debian does), our LibreOffice runs in a network namespace of
    its own — the cold converter's, and the warm one's with its server (reached through a Unix
    socket): with LibreOffice's default settings instead of ours it still reaches nothing, and
    without the namespace the same converter does (the control)."""
    from referatbygg.tools import unshare

    assert unshare.prefix(), "this machine allows a network namespace (Debian's kernel does)"
    base, seen = recorder
    src = linking_docx(tmp_path / "vedlegg.docx", base)
    monkeypatch.setattr(libreoffice, "offline_profile", lambda profile: profile)  # its defaults
    for isolated in (True, False):
        if not isolated:
            monkeypatch.setattr(unshare, "prefix", lambda: ())
        conv = libreoffice.open_converter(warm=True) if warm else libreoffice.ColdConverter()
        assert isinstance(conv, libreoffice.WarmConverter) == warm
        try:
            conv.convert(src, tmp_path / f"{isolated}.pdf", "2b")
        finally:
            conv.close()
        assert (tmp_path / f"{isolated}.pdf").stat().st_size > 0
        assert (seen == []) is isolated, seen


def test_a_build_through_the_service_fetches_nothing_and_check_names_the_links(
    recorder: tuple[str, list[str]], tmp_path: Path
) -> None:
    base, seen = recorder
    folder = tmp_path / "politiradet"
    shutil.copytree(SEED.parent, folder)
    linking_docx(folder / "vedlegg" / "lenket.docx", base)
    meeting = folder / SEED.name
    meeting.write_text(meeting.read_text(encoding="utf-8") + '\n[[attachments]]\nitem = 5\n'
                       'title = "Notat med lenket bilde"\nfile = "vedlegg/lenket.docx"\n',
                       encoding="utf-8")  # fmt: skip
    code, said = main("check", meeting)
    assert code == 0, said
    assert f"links 6 outside resource(s) ({base}/felt.png, …)" in said, said  # 2 fields, 4 rels
    code, said = main("build", meeting, "--out", tmp_path / "out", "-q")  # the service
    assert code == 0, said
    assert seen == []
