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
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from docx.oxml.ns import qn
from docxtpl import DocxTemplate

from . import lang
from .errors import InputError
from .model import Meeting, parse_text


def default_template() -> Path:
    return Path(str(resources.files("referatbygg") / "templates" / "referat.docx"))


def _blocks(blocks: Any) -> list[dict[str, Any]]:
    return [b.model_dump() for b in blocks]


def context(meeting: Meeting) -> dict[str, Any]:
    """The template's variables, all ready-made text."""
    m, body, lg = meeting.data, meeting.body, meeting.language
    labels = lang.LABELS[lg]
    date_text = lang.long_date(m.date, lang=lg)
    meta = [{"label": labels["date"], "text": lang.long_date(m.date, weekday=True, lang=lg)}]
    when = lang.time_range(m.start, m.end, lg)
    if when:
        meta.append({"label": labels["time"], "text": when})
    if m.place:
        meta.append({"label": labels["place"], "text": m.place})
    if m.number:
        meta.append({"label": labels["number"], "text": m.number})
    p = m.participants

    def names(people: Any) -> str:
        return ", ".join(f"{x.name} ({x.role})" if x.role else x.name for x in people)

    groups = [
        ("present", names(p.present)),
        ("absent", names(p.absent)),
        (
            "substitutes",
            ", ".join(f"{s.name} {labels['substitute_for']} {s.for_}" for s in p.substitutes),
        ),
        ("others", names(p.others)),
        ("secretary", names(p.secretary)),
    ]
    meta += [{"label": labels[k], "text": v} for k, v in groups if v]

    dates = [lang.next_meeting(n, lg) for n in m.next_meetings]
    items = []
    for item in m.items:
        title = item.title or f"{labels['briefing_from']} {item.presenter}"
        decision = None
        if item.decision:
            decision = {
                "text": item.decision.text,
                "outcome": lang.decision_outcome(item.decision, lg),
                "note": item.decision.note or "",
            }
        items.append(
            {
                "heading": f"{lang.numbers(item.numbers, lg)} {title}",
                "no_business": item.no_business,
                "blocks": _blocks(item.blocks),
                "next_meetings": dates if item.next_meetings else [],
                "decision": decision,
            }
        )
    placed = any(i.next_meetings for i in m.items)
    standing = None
    if body.standing_text:
        standing = {
            "title": body.standing_text.title,
            "blocks": _blocks(parse_text(body.standing_text.text)),
        }
    return {
        "title": m.title or f"{labels['minutes']} – {body.name} {date_text}",
        "footer": f"{body.name} – {labels['minutes'].lower()} {date_text}",
        "labels": labels,
        "meta": meta,
        "items": items,
        "next_meetings": [] if placed else dates,
        "attachments": [f"{labels['item_short']} {a.item} – {a.title}" for a in m.attachments],
        "abbreviations": [{"short": k, "long": v} for k, v in meeting.abbreviations.items()],
        "standing": standing,
        "signatories": [s.model_dump() for s in meeting.signatories],
    }


def _set_language(tpl: DocxTemplate, tag: str) -> None:
    """Set the document's default language (LibreOffice writes it to the PDF as /Lang)."""
    styles = tpl.docx.styles.element
    for el in styles.iter(qn("w:lang")):
        el.set(qn("w:val"), tag)


def _fixed_properties(tpl: DocxTemplate, meeting: Meeting, title: str) -> None:
    stamp = dt.datetime.combine(meeting.data.date, dt.time(12, 0))
    props = tpl.docx.core_properties
    props.title = title
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
    stamp = (when.year, when.month, when.day, 12, 0, 0)
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def render_docx(meeting: Meeting, template: Path | None = None) -> bytes:
    """The minutes as .docx bytes."""
    path = template or default_template()
    try:
        tpl = DocxTemplate(str(path))
        ctx = context(meeting)
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
    _set_language(tpl, lang.BCP47[meeting.language])
    _fixed_properties(tpl, meeting, ctx["title"])
    buf = io.BytesIO()
    tpl.save(buf)
    return _normalise_zip(buf.getvalue(), meeting.data.date)
