"""What the minutes (and the notice) say, as ready-made text for the template.

Every sentence a reader sees is made here, in bokmål or nynorsk (lang.py holds the words): the
heading lines, the attendance (lines under the heading, or tables by group with party and role),
each item as a list of parts in reading order — notes, text, proposals with their outcome, the
decision where the text places it — and the closing sections. The public version is made from the
same parts: what is exempt or was treated behind closed doors is replaced by its legal basis.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ..meeting.markup import Block, BulletList, Paragraph, parse_text
from ..meeting.model import Item, Meeting, MeetingFile
from . import attendance, caselist, lang

# internal: the minutes; public: exempt and closed parts left out; copy: an agreement merged
# into the minutes, whose signed original is a document of its own.
Variant = Literal["internal", "public", "copy"]
Part = dict[str, Any]


def blocks(items: tuple[Block, ...], variant: Variant, labels: dict[str, str]) -> list[Part]:
    """Blocks as template parts. Exempt parts: marked in the internal version, replaced by their
    legal basis in the public one (the exempt words never reach the public document)."""

    def shown(text: str, exempt: str | None) -> str:
        if not exempt:
            return text
        note = f"{labels['exempt']} {exempt}"
        return note if variant == "public" else f"{text} ({note})"

    out: list[Part] = []
    for block in items:
        if isinstance(block, Paragraph):
            out.append({"kind": "paragraph", "text": shown(block.text, block.exempt)})
        elif isinstance(block, BulletList):
            bullets = [{"text": shown(b.text, b.exempt)} for b in block.bullets]
            out.append({"kind": "bullets", "bullets": bullets})
    return out


def lines(text: str, variant: Variant, labels: dict[str, str]) -> tuple[str, list[str]]:
    """A decision's or proposal's text as its first paragraph (after the label) and the
    paragraphs after it; a wrapped line in the TOML file is not a line break in the document,
    and bullets keep their mark."""
    out: list[str] = []
    for part in blocks(parse_text(text), variant, labels):
        if part["kind"] == "paragraph":
            out.append(part["text"])
        else:
            out += [f"• {b['text']}" for b in part["bullets"]]
    return (out[0] if out else ""), out[1:]


def _town(organisation: str) -> str | None:
    """'Oslo kommune' → 'Oslo': where a municipality's minutes are signed."""
    return organisation.removesuffix(" kommune") if organisation.endswith(" kommune") else None


def signing_place(meeting: Meeting) -> str | None:
    return meeting.body.signing_place or _town(meeting.body.organisation)


def signing(
    meeting: Meeting, variant: Variant, when: dt.date, signed: bool = False
) -> dict[str, Any]:
    """The signature block: place and date, the signatories two to a row (one per row from
    three on), and for the public version or a copy a sentence instead of empty lines: that
    the original *is* signed only when ``signed`` (a copy made after the signing); otherwise
    that it is signed electronically by them (the public version is built before anyone
    signs, and must not claim what has not happened yet)."""
    labels = meeting.labels
    signers = [{**s.model_dump(), "name": s.name or ""} for s in meeting.signatories]
    place = signing_place(meeting)
    date = lang.long_date(when, lang=meeting.language)
    if not signers:
        rows = []
    elif len(signers) <= 2:
        rows = [{"left": signers[0], "right": signers[1] if len(signers) > 1 else None}]
    else:
        rows = [{"left": s, "right": None} for s in signers]
    note = ""
    if variant in ("public", "copy") and signers:
        who = [f"{s['name']} ({s['title'].lower()})" if s["name"] else s["title"].lower()
               for s in signers]  # fmt: skip
        note = labels["signed_note" if signed else "signed_note_pending"].format(
            names=lang.join(who, labels)
        )
    return {
        "signatories": signers,
        "signature_rows": rows,
        "signing_line": f"{place}, {date}" if place else date,
        "signed_note": note,
    }


def _logo(meeting: Meeting) -> str:
    found = meeting.logo_file()
    return str(found.path) if found is not None and found.path is not None else ""


# --- items ---------------------------------------------------------------------------------------


def heading(meeting: Meeting, item: Item, variant: Variant) -> str:
    labels = meeting.labels
    if item.closed and variant == "public":
        title: str | None = item.closed.public_title
    elif item.title:
        title = item.title
    elif item.kind == "orientering" and item.presenter:
        title = f"{labels['briefing_from']} {item.presenter}"
    else:
        title = None
    number = lang.case_numbers(meeting, item.numbers, item.series)
    return f"{number} {title}" if title else number


def case_info(item: Item, labels: dict[str, str]) -> list[dict[str, str]]:
    """The case's details as the case handling system has them, label and text."""
    c = item.case
    if c is None:
        return []
    given = (("handler", c.handler), ("archive_ref", c.archive_ref),
             ("class_code", c.class_code), ("object", c.object), ("decided_by", c.decided_by),
             ("route", "; ".join(c.route)))  # fmt: skip
    return [{"label": labels[k], "text": v} for k, v in given if v]


def _decision(meeting: Meeting, item: Item, labels: dict[str, str], variant: Variant) -> Part:
    assert item.decision is not None
    d = item.decision
    label = meeting.body.decision_label
    if label is None:  # the body's wording may name the case: "VALSTYRET {case} VEDTAK"
        label = labels["decision"].replace("{case}", lang.case_numbers(meeting, item.numbers,
                                                                       item.series))  # fmt: skip
    first, more = lines(d.text, variant, labels)
    return {
        "kind": "decision",
        "label": label,
        "text": first,
        "more": more,
        "outcome": lang.decision_outcome(d, labels),
        "names": lang.named_votes(d.votes, labels),
        "note": d.note or "",
    }


def parts(meeting: Meeting, item: Item, variant: Variant, dates: list[str]) -> list[Part]:
    """The item's body in reading order: notes (case, closed, exempt, conflicts), the
    recommendation, the text up to [vedtak], the other proposals, the decision, the rest — or,
    where the body prints the recommendation after the case text, the text first."""
    labels = meeting.labels
    if item.closed and variant == "public":
        return [{"kind": "note", "text": labels["closed_public"].format(basis=item.closed.basis)}]
    if item.exempt and variant == "public":
        return [{"kind": "note", "text": f"{labels['exempt']} {item.exempt}"}]
    notes = _item_notes(meeting, item, labels, header=meeting.body.case_page)
    out: list[Part] = [{"kind": "note", "text": text} for text in notes]
    if item.no_business:
        out.append({"kind": "paragraph", "text": labels["no_business"]})
    recommendations = [p for p in item.proposals if p.kind in ("innstilling", "tilråding")]
    others = [p for p in item.proposals if p not in recommendations]
    first = meeting.body.recommendation == "before"
    out += _proposals(recommendations, variant, labels) if first else []
    body = item.blocks
    cut = next((i for i, b in enumerate(body) if b.kind == "decision"), len(body))
    out += blocks(body[:cut], variant, labels)
    out += [] if first else _proposals(recommendations, variant, labels)
    out += _proposals(others, variant, labels)
    if item.decision:
        out.append(_decision(meeting, item, labels, variant))
    out += blocks(body[cut + 1 :], variant, labels)
    if dates:
        out.append({"kind": "meetings", "dates": dates})
    return out


def _item_notes(
    meeting: Meeting, item: Item, labels: dict[str, str], header: bool = False
) -> list[str]:
    """What stands before an item's text: that it was added at the meeting or treated out of
    order, its case details (unless a case header shows them), closed treatment, exemption and
    conflicts of interest."""
    notes = []
    if item.added:
        notes.append(f"{labels['added']}.")
    if item.treated_after is not None:
        ref = lang.item_ref(meeting, item.treated_after, in_sentence=True)
        notes.append(labels["treated_after"].format(ref=ref))
    info = case_info(item, labels)
    if info and not header:
        notes.append(" · ".join(f"{x['label']}: {x['text']}" for x in info))
    if item.closed:
        notes.append(labels["closed"].format(basis=item.closed.basis))
        if item.closed.decision:
            notes.append(f"{labels['closing_decision']} {item.closed.decision}")
    if item.exempt:
        notes.append(f"{labels['exempt']} {item.exempt}")
    for c in item.conflicts:
        who = f"{c.name} ({c.party})" if c.party else c.name
        key = "conflict_self" if c.declared == "self" else "conflict"
        text = (labels[key].format(who=who, basis=c.basis) if c.basis
                else labels[f"{key}_unstated"].format(who=who))  # fmt: skip
        text += (labels["stepped_out"] if c.stepped_out else "") + "."
        if c.replaced_by:
            text += " " + labels["replaced_by"].format(who=c.replaced_by)
        notes.append(text)
    return notes


def _proposals(chosen: list[Any], variant: Variant, labels: dict[str, str]) -> list[Part]:
    out: list[Part] = []
    for p in chosen:
        first, more = lines(p.text, variant, labels)
        out.append({
            "kind": "proposal",
            "label": lang.proposal_label(p, labels),
            "text": first,
            "more": more,
            "outcome": lang.proposal_outcome(p, labels),
            "names": lang.named_votes(p.votes, labels),
        })  # fmt: skip
    return out


def context(
    meeting: Meeting,
    m: MeetingFile,
    kind: str,
    variant: Variant,
    originals: frozenset[int] = frozenset(),
) -> dict[str, Any]:
    """The template's variables for minutes (kind "referat") or the notice ("innkalling")."""
    body, lg = meeting.body, meeting.language
    labels = meeting.labels
    date_text = lang.long_date(m.date, lang=lg)
    notice = kind == "innkalling"
    present_lines, people = ([], []) if notice else attendance.context(meeting, m)
    meta = _meta(meeting, m, labels, notice=notice) + present_lines
    dates = [lang.next_meeting(n, lg, labels) for n in m.next_meetings]
    items = []
    # The notice went out before the meeting: without the cases added at it (tilleggssaker).
    listed = [i for i in m.items if not (notice and i.added)]
    for item in listed:
        here = dates if item.next_meetings else []
        header = body.case_page and not notice
        items.append({
            "heading": heading(meeting, item, "public" if notice else variant),
            "info": case_info(item, labels) if header and not _withheld(item, variant) else [],
            "parts": [] if notice else parts(meeting, item, variant, here),
        })  # fmt: skip
    placed = any(i.next_meetings for i in m.items)
    if len(dates) == 1:
        labels = {**labels, "next_meetings": labels["next_meeting"]}
    standing = None
    if body.standing_text:
        standing = {
            "title": body.standing_text.title,
            "parts": blocks(parse_text(body.standing_text.text), variant, labels),
        }
    layout = {"front": body.front, "attendance": body.attendance,
              "case_page": body.case_page and not notice}  # fmt: skip
    doc_type = labels["notice"] if notice else (meeting.document_type or labels["minutes"])
    # Dates in titles keep together: "13. januar 2023" never breaks across lines.
    title = m.title if m.title and not notice else f"{doc_type} – {body.name} {date_text}"
    return {
        "title": title.replace(date_text, date_text.replace(" ", "\u00a0")),
        "organisation": body.organisation,
        "logo": _logo(meeting),
        "footer": f"{body.organisation}, {body.name} – {doc_type.lower()} {date_text}",
        "labels": labels,
        "meta": meta,
        "layout": layout,
        "agenda": caselist.rows(meeting, listed, [str(i["heading"]) for i in items])
        if body.agenda_table
        else [],
        "attendance": people,
        "remarks": None
        if notice or not m.remarks.strip()
        else {"parts": blocks(parse_text(m.remarks), variant, labels)},
        "items": items,
        "next_meetings": [] if placed else dates,
        "attachments": _attachments(meeting, m, labels, variant, notice, originals),
        "abbreviations": [{"short": k, "long": v} for k, v in meeting.abbreviations.items()],
        "standing": standing,
        "attestation": meeting.attestation or "",
        **signing(meeting, variant, m.signing_date or m.date),
        "closing": [] if notice else closing(meeting, m),
    }


def closing(meeting: Meeting, m: MeetingFile) -> list[str]:
    """The lines after the signatures: who gets a copy, and a certified copy's attestation."""
    labels, out = meeting.labels, []
    if m.distribution:
        out.append(f"{labels['distribution']}: {lang.join(list(m.distribution), labels)}")
    if m.certified:
        when = lang.long_date(m.certified.date, lang=meeting.language) if m.certified.date else ""
        out.append(", ".join(x for x in (labels["certified"], when) if x)
                   + f" – {m.certified.by}")  # fmt: skip
    return out


def _withheld(item: Item, variant: Variant) -> bool:
    return variant == "public" and bool(item.closed or item.exempt)


def _meta(
    meeting: Meeting, m: MeetingFile, labels: dict[str, str], *, notice: bool
) -> list[dict[str, str]]:
    """The lines under the heading (or the rows of a form): the body (in a form), date, time,
    place, number, the cases treated (in a form, or with several series); the attendance lines
    follow them (context). The notice goes out before the meeting: date, time and place only."""
    lg, body = meeting.language, meeting.body
    meta: list[dict[str, str]] = []
    if body.front == "form":
        meta.append({"label": labels["body"], "text": body.name})
    meta.append({"label": labels["date"], "text": lang.long_date(m.date, weekday=True, lang=lg)})
    when = lang.time_range(m.start, m.end, labels)
    if when:
        meta.append({"label": labels["time"], "text": when})
    if m.place:
        meta.append({"label": labels["place"], "text": m.place})
    if notice:
        return meta
    if m.number:
        meta.append({"label": labels["number"], "text": m.number})
    if body.front == "form" or body.series:
        key = "case_no" if body.front == "form" and not body.series else "cases_treated"
        meta.append({"label": labels[key], "text": caselist.summary(meeting, m)})
    return meta


def _attachments(
    meeting: Meeting, m: MeetingFile, labels: dict[str, str], variant: Variant, notice: bool,
    originals: frozenset[int],
) -> list[str]:  # fmt: skip
    """The attachment list: reference and title, or only the reason where it is withheld from
    the public version or the notice; an agreement signed on its own is marked so."""
    attachments = []
    for index, a in enumerate(m.attachments):
        withheld = meeting.withheld(a)
        note = f"{labels['exempt']} {withheld}" if withheld else ""
        if index in originals and not note:
            note = labels["original_archived"]
        ref = lang.item_ref(meeting, a.item)
        if withheld and (variant == "public" or notice):  # the reason, never the title
            attachments.append(f"{ref} – {note}")
        else:
            attachments.append(f"{ref} – {a.title}" + (f" ({note})" if note else ""))
    return attachments
