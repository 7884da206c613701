"""What a converted attachment says about itself: its title and language, as the meeting file
gives them, in the document information, the XMP packet and the catalog's /Lang.

Ghostscript's PDF/A leaves "Untitled" as dc:title, "UnknownApplication" as xmp:CreatorTool and
no /Lang; an archive and a screen reader then know nothing of the file. LibreOffice's output
has them from the Word file's properties (document/render.py sets those).
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.sax.saxutils import escape

import pikepdf
from pikepdf import Name

JOINER = "\u2060"  # the word joiner lang.nobreak puts into ranges: not part of a title


def name_document(path: Path, title: str, language: str) -> None:
    """In place: ``title`` as the title in /Info and XMP (shown by viewers), ``language`` (a
    BCP 47 tag) as /Lang and dc:language, and no placeholder creator tool."""
    title = title.replace(JOINER, "")
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        xmp = pdf.Root.Metadata.read_bytes().decode("utf-8")
        new = re.sub(r'(<dc:title>\s*<rdf:Alt>\s*<rdf:li xml:lang="x-default">)[^<]*(</rdf:li>)',
                     lambda m: m.group(1) + escape(title) + m.group(2), xmp)  # fmt: skip
        if "<dc:title>" not in new:
            new = with_title(new, title)
        new = re.sub(r"\s*<xmp:CreatorTool>UnknownApplication</xmp:CreatorTool>", "", new)
        new = with_language(new, str(pdf.Root.get("/Lang", language)))
        pdf.Root.Metadata.write(new.encode("utf-8"))
        pdf.docinfo[Name.Title] = pikepdf.String(title)
        if "/Lang" not in pdf.Root:  # a document in another language says so itself
            pdf.Root.Lang = pikepdf.String(language)
        prefs = pdf.Root.get("/ViewerPreferences") or pikepdf.Dictionary()
        prefs.DisplayDocTitle = True
        pdf.Root.ViewerPreferences = prefs
        pdf.save(path)


def with_language(xmp: str, language: str) -> str:
    if "<dc:language>" in xmp or "<dc:title>" not in xmp:
        return xmp
    entry = f"<dc:language><rdf:Bag><rdf:li>{language}</rdf:li></rdf:Bag></dc:language>\n   "
    return xmp.replace("<dc:title>", entry + "<dc:title>", 1)


def with_title(xmp: str, title: str) -> str:
    entry = (
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(title)}</rdf:li></rdf:Alt>'
        "</dc:title></rdf:Description>\n  "
    )
    return xmp.replace("</rdf:RDF>", entry + "</rdf:RDF>", 1)
