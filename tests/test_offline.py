"""No network from a build. A DOCX attachment can link an image, or name a template, by URL;
LibreOffice fetched them while converting (a request to wherever the document says). Here a
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
    assert f"links 2 outside resource(s) ({base}/bilde.png, …)" in said, said
    code, said = main("build", meeting, "--out", tmp_path / "out", "-q")  # the service
    assert code == 0, said
    assert seen == []
