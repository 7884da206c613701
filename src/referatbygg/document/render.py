"""Meeting → Word document (docxtpl), reproducibly.

Everything the template shows is prepared here as plain strings; the template only places them.
Text from the meeting file is data: docxtpl renders with autoescape, so ``{{``, ``&`` and ``<``
come out literally. The same meeting gives the same bytes: core-properties dates come from the
meeting date and every zip entry gets that date too.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any, Literal

import jinja2
from docx.oxml.ns import qn
from docxtpl import DocxTemplate

from ..errors import InputError
from ..meeting import templates
from ..meeting.model import AgreementFile, Meeting, parse_text
from . import docxpost, lang, minutes
from .minutes import Variant

DocKind = Literal["referat", "innkalling", "avtale"]


def default_template(kind: DocKind = "referat") -> Path:
    return templates.builtin(kind)


def context(
    meeting: Meeting,
    kind: DocKind = "referat",
    variant: Variant = "internal",
    draft: str | None = None,
    originals: frozenset[int] = frozenset(),
    copy_signed: bool = False,
) -> dict[str, Any]:
    """The template's variables, all ready-made text. ``draft`` is the build time to show."""
    m, labels = meeting.data, meeting.labels
    if isinstance(m, AgreementFile):
        ctx = _agreement(meeting, m, labels, variant, draft, copy_signed)
        if variant == "copy":
            ctx["copy_note"] = labels["copy_note" if copy_signed else "copy_note_pending"]
        return ctx
    return _finish(minutes.context(meeting, m, kind, variant, originals), labels, variant, draft)


def _finish(
    ctx: dict[str, Any], labels: dict[str, str], variant: Variant, draft: str | None
) -> dict[str, Any]:
    """Public and draft marks on title, footer and header."""
    ctx.setdefault("copy_note", "")
    ctx.setdefault("page_numbers", variant != "copy")  # a copy is numbered by the minutes
    if variant == "public":
        ctx["title"] += f" ({labels['public']})"
        ctx["footer"] += f" ({labels['public']})"
    ctx["draft_note"] = f"{labels['draft']} – {labels['built']} {draft}" if draft else ""
    if draft:
        ctx["title"] = f"{labels['draft']} – {ctx['title']}"
    return ctx


def _agreement(
    meeting: Meeting,
    a: AgreementFile,
    labels: dict[str, str],
    variant: Variant,
    draft: str | None,
    copy_signed: bool = False,
) -> dict[str, Any]:
    lg = meeting.language
    parties = [p.name for p in a.parties]
    joined = ", ".join(parties[:-1]) + f" {labels['and']} {parties[-1]}"
    meta = [{"label": labels["parties"], "text": joined}]
    if a.period:
        start = lang.long_date(a.period.start, lang=lg)
        meta.append(
            {"label": labels["period"], "text": f"{start}–{lang.long_date(a.period.end, lang=lg)}"}
        )
    meta.append({"label": labels["date"], "text": lang.long_date(a.date, lang=lg)})
    articles = [
        {"heading": f"{n}. {art.title}", "parts": minutes.blocks(art.blocks, variant, labels)}
        for n, art in enumerate(a.articles, start=1)
    ]
    return _finish(
        {
            "title": a.title,
            "organisation": meeting.body.organisation,
            "logo": minutes._logo(meeting),
            "footer": f"{labels['agreement']} – {a.title}",
            "labels": labels,
            "meta": meta,
            "layout": {"front": meeting.body.front, "attendance": "list", "case_page": False},
            "preamble": {"parts": minutes.blocks(parse_text(a.preamble), variant, labels)},
            "articles": articles,
            "attestation": "",
            **minutes.signing(meeting, variant, a.date, signed=copy_signed),
        },
        labels,
        variant,
        draft,
    )


LOGO_HEIGHT_MM = 14


def _logo_image(tpl: DocxTemplate, path: Path) -> Any:
    """The logo as an image of the document: an SVG drawn to PNG first (rsvg-convert)."""
    import tempfile

    from docx.shared import Mm
    from docxtpl import InlineImage

    if path.read_bytes()[:4] != b"\x89PNG":
        from ..tools import rsvg

        folder = Path(tempfile.mkdtemp(prefix="referatbygg-logo-"))
        path = rsvg.to_png(path, folder / "logo.png", height_px=LOGO_HEIGHT_MM * 12)
    return InlineImage(tpl, str(path), height=Mm(LOGO_HEIGHT_MM))


def _typeset(value: Any, key: str = "") -> Any:
    """Every text of the context with lang.nobreak applied (ids such as roles left alone)."""
    if isinstance(value, str):
        return value if key in ("role", "kind", "logo") else lang.nobreak(value)
    if isinstance(value, dict):
        return {k: _typeset(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_typeset(v, key) for v in value]
    return value


def _set_language(tpl: DocxTemplate, tag: str) -> None:
    """Set the document's default language (LibreOffice writes it to the PDF as /Lang)."""
    styles = tpl.docx.styles.element
    for el in styles.iter(qn("w:lang")):
        el.set(qn("w:val"), tag)


def _fixed_properties(tpl: DocxTemplate, meeting: Meeting, title: str) -> None:
    stamp = dt.datetime.combine(meeting.data.date, dt.time(12, 0))
    props = tpl.docx.core_properties
    props.title = title.replace(lang.JOINER, "")  # metadata: no line to keep together
    props.subject = meeting.body.name
    props.author = meeting.body.organisation
    props.last_modified_by = "referatbygg"
    props.language = lang.BCP47[meeting.language]
    props.created = props.modified = props.last_printed = stamp
    props.revision = 1
    props.identifier = meeting.id


def _normalise_zip(data: bytes, when: dt.date) -> bytes:
    """Rewrite the docx zip with fixed timestamps and modes: bytes depend on content only."""
    out = io.BytesIO()
    # A zip timestamp holds the years 1980..2107 only; the meeting's date is a stamp, not a fact.
    when = min(max(when, dt.date(1980, 1, 1)), dt.date(2107, 12, 31))
    stamp = (when.year, when.month, when.day, 12, 0, 0)
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def render_docx(
    meeting: Meeting,
    template: Path | None = None,
    *,
    kind: DocKind = "referat",
    variant: Variant = "internal",
    draft: str | None = None,
    originals: frozenset[int] = frozenset(),
    copy_signed: bool = False,
) -> bytes:
    """The document as .docx bytes: minutes (or notice), or the agreement for an agreement.
    ``originals``: attachments (agreements) whose signed document is archived on its own;
    ``copy_signed``: for variant "copy", whether that signed original exists yet."""
    kind = "avtale" if meeting.kind == "avtale" else kind
    path = templates.find(meeting.body_source.parent, kind, template)
    try:
        tpl = DocxTemplate(str(path))
        ctx = _typeset(context(meeting, kind, variant, draft, originals, copy_signed))
        if ctx.get("logo"):
            ctx["logo"] = _logo_image(tpl, Path(ctx["logo"]))
        # autoescape: meeting text is data, never markup or template code.
        tpl.render(ctx, jinja_env=jinja2.Environment(autoescape=True), autoescape=True)
    except FileNotFoundError:
        raise InputError(f"template not found: {path}") from None
    except jinja2.TemplateError as exc:
        line = getattr(exc, "lineno", None)
        where = f" (line {line} of the template XML)" if line else ""
        raise InputError(
            f"template {path} cannot be rendered{where}: {exc}",
            hint="check the {{ }} and {% %} tags you changed in the template",
        ) from None
    body = tpl.docx.element.body
    if ctx.get("logo"):
        docxpost.describe_image(body, tpl.docx.part.rels,
                                Path(ctx["logo"].image_descriptor).read_bytes(),
                                f"Logo: {meeting.body.organisation}")  # fmt: skip
    if kind != "innkalling":  # the notice has no signature block
        signers = [] if ctx["signed_note"] else ctx["signatories"]
        docxpost.name_anchors(body, [s["role"] for s in signers])
    if ctx["signatories"] and kind != "innkalling":
        docxpost.keep_with_text(body, ctx["labels"]["signatures"])
    _set_language(tpl, lang.BCP47[meeting.language])
    _fixed_properties(tpl, meeting, ctx["title"])
    buf = io.BytesIO()
    tpl.save(buf)
    return _normalise_zip(buf.getvalue(), meeting.data.date)


def transparent_images(docx: bytes) -> list[str]:
    """The images in a Word document that have transparency (an alpha channel in use, or a
    transparent colour): what PDF/A-1 cannot carry (ISO 19005-1, 6.4)."""
    from PIL import Image

    found = []
    with zipfile.ZipFile(io.BytesIO(docx)) as zf:
        for name in zf.namelist():
            if not name.startswith("word/media/"):
                continue
            try:
                with Image.open(io.BytesIO(zf.read(name))) as img:
                    alpha = img.mode in ("RGBA", "LA", "PA")
                    if "transparency" in img.info or (
                        alpha and min(img.getchannel("A").getextrema()) < 255  # type: ignore[operator]
                    ):
                        found.append(name.removeprefix("word/media/"))
            except (OSError, ValueError):  # not an image Pillow reads (EMF, SVG …)
                continue
    return found
