"""Remove active content from attachment PDFs, and find any that is left.

Archived minutes must not run anything: JavaScript, launch actions, form submission, embedded
files and file-attachment annotations are removed before an attachment is converted, and the
converted file is scanned again (trust outputs, not intentions).
"""

from __future__ import annotations

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject

ACTIVE_ACTIONS = {
    "/JavaScript", "/Launch", "/SubmitForm", "/ResetForm", "/ImportData",
    "/Rendition", "/Sound", "/Movie", "/RichMediaExecute", "/GoToE",
}  # fmt: skip
ACTIVE_KEYS = {"/JS", "/JavaScript", "/EmbeddedFile", "/EmbeddedFiles", "/Launch", "/RichMedia"}


def _strip_action(holder: DictionaryObject, key: str) -> int:
    action = holder.get(key)
    if action is None:
        return 0
    action = action.get_object()
    if isinstance(action, DictionaryObject) and action.get("/S") in ACTIVE_ACTIONS:
        del holder[NameObject(key)]
        return 1
    return 0


def sanitize(writer: PdfWriter) -> list[str]:
    """Remove active content in place; returns what was removed (for the build report)."""
    removed: list[str] = []
    root = writer.root_object
    for key in ("/AA",):
        if key in root:
            del root[NameObject(key)]
            removed.append("document actions")
    if _strip_action(root, "/OpenAction"):
        removed.append("open action")
    names_ref = root.get("/Names")
    names = names_ref.get_object() if names_ref is not None else None
    if isinstance(names, DictionaryObject):
        for key, what in (("/JavaScript", "JavaScript"), ("/EmbeddedFiles", "embedded files")):
            if key in names:
                del names[NameObject(key)]
                removed.append(what)
    form = root.get("/AcroForm")
    form = form.get_object() if form is not None else None
    if isinstance(form, DictionaryObject) and "/XFA" in form:
        del form[NameObject("/XFA")]
        removed.append("XFA form")
    for number, page in enumerate(writer.pages, start=1):
        if "/AA" in page:
            del page[NameObject("/AA")]
            removed.append(f"page {number} actions")
        annots = page.get("/Annots")
        if annots is None:
            continue
        kept = ArrayObject()
        for ref in annots.get_object():
            annot = ref.get_object()
            if annot.get("/Subtype") in ("/FileAttachment", "/Movie", "/Sound", "/RichMedia"):
                removed.append(f"page {number} {annot['/Subtype'][1:]} annotation")
                continue
            if "/AA" in annot:
                del annot[NameObject("/AA")]
                removed.append(f"page {number} annotation actions")
            if _strip_action(annot, "/A"):
                removed.append(f"page {number} link action")
            kept.append(ref)
        page[NameObject("/Annots")] = kept
    return removed


def active_content(reader: PdfReader) -> list[str]:
    """Every active-content marker left anywhere in the file (empty when clean)."""
    found: set[str] = set()
    seen: set[int] = set()

    def walk(obj: object, depth: int = 0) -> None:
        if depth > 60:
            return
        ref = getattr(obj, "idnum", None)
        if ref is not None:
            if ref in seen:
                return
            seen.add(ref)
        obj = obj.get_object() if hasattr(obj, "get_object") else obj
        if isinstance(obj, DictionaryObject):
            for key, value in obj.items():
                if key in ACTIVE_KEYS:
                    found.add(key[1:])
                if key == "/S" and value in ACTIVE_ACTIONS:
                    found.add(str(value)[1:])
                if key not in ("/Parent", "/P"):
                    walk(value, depth + 1)
        elif isinstance(obj, ArrayObject):
            for value in obj:
                walk(value, depth + 1)

    walk(reader.trailer)
    return sorted(found)
