"""Generate src/referatbygg/templates/referat.docx, the default Word template for minutes.

The committed .docx is the product; this script records how it was made. A secretariat restyles
the template in Word or LibreOffice (styles: Title, Heading 1/2, List Bullet, Vedtak, Signatur);
the Jinja tags (docxtpl) and the bookmarks named ``sig_<role>`` must stay.

Run: .venv/bin/python scripts/make_template.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_LINE_SPACING
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor

FONT = "Noto Sans"  # unitsPerEm 1000, æøå; the signature stamps use it too
OUT_DIR = Path(__file__).resolve().parents[1] / "src/referatbygg/templates"
COPIES = Path(__file__).resolve().parents[1] / "templates"


def set_font(style, size: float | None = None, bold: bool | None = None) -> None:
    style.font.name = FONT
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        if fonts is not None and fonts.get(qn(attr)) is not None:
            del fonts.attrib[qn(attr)]
    fonts.set(qn("w:cs"), FONT)
    if size:
        style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold
    style.font.color.rgb = RGBColor(0x1A, 0x1A, 0x1A)


def field(name: str):
    """A Word field (PAGE, NUMPAGES) in footer-sized text."""
    return parse_xml(
        f'<w:fldSimple {nsdecls("w")} w:instr=" {name} "><w:r><w:rPr><w:sz w:val="17"/>'
        "</w:rPr><w:t>1</w:t></w:r></w:fldSimple>"
    )


def para(doc, text: str = "", style: str | None = None):
    return doc.add_paragraph(text, style=style)


def parts(doc, var: str) -> None:
    """The parts of ``var.parts`` in reading order (render.py and minutes.py make them):
    paragraphs, bullet lists, notes, proposals with their outcome, the decision, meeting dates."""
    para(doc, f"{{%p for part in {var}.parts %}}")
    para(doc, '{%p if part.kind == "paragraph" %}')
    para(doc, "{{ part.text }}")
    para(doc, '{%p elif part.kind == "bullets" %}')
    para(doc, "{%p for b in part.bullets %}")
    para(doc, "{{ b.text }}", "List Bullet")
    para(doc, "{%p endfor %}")
    para(doc, '{%p elif part.kind == "note" %}')
    para(doc, "{{ part.text }}", "Merknad")
    para(doc, '{%p elif part.kind == "proposal" %}')
    voted(doc, "Forslag", "{{ part.label }} ")
    para(doc, '{%p elif part.kind == "decision" %}')
    voted(doc, "Vedtak", "{{ part.label }}{{ ': ' if part.label else '' }}")
    para(doc, "{%p if part.note %}")
    para(doc, "{{ part.note }}", "Vedtak")
    para(doc, "{%p endif %}")
    para(doc, '{%p elif part.kind == "meetings" %}')
    para(doc, "{%p for m in part.dates %}")
    para(doc, "{{ m }}", "List Bullet")
    para(doc, "{%p endfor %}")
    para(doc, "{%p endif %}")
    para(doc, "{%p endfor %}")


def voted(doc, style: str, label: str) -> None:
    """A proposal or decision: the bold label and the first paragraph, the paragraphs after it,
    the outcome of the vote (and who voted how). With an outcome, the text keeps with it: a
    vote line never stands alone at the top of a page, away from what was voted on."""
    para(doc, "{%p if part.outcome %}")
    _voted_text(doc, f"{style} holdt", label)
    para(doc, "{{ part.outcome }} {{ part.names }}", style)
    para(doc, "{%p else %}")
    _voted_text(doc, style, label)
    para(doc, "{%p endif %}")


def _voted_text(doc, style: str, label: str) -> None:
    p = para(doc, style=style)
    p.add_run(label).bold = True
    p.add_run("{{ part.text }}")
    para(doc, "{%p for line in part.more %}")
    para(doc, "{{ line }}", style)
    para(doc, "{%p endfor %}")


SMALL_TABLE = 6  # rows: a table this short is kept on one page (no row left alone on a page)


def loop_table(doc, loop: str, cells: list[str], widths: list[float], *, keep: bool = True):
    """A table whose middle row repeats with docxtpl's {%tr %} tags. With ``keep``, a short
    table (fewer than SMALL_TABLE rows) is kept on one page: its rows but the last keep with
    the next (LibreOffice and Word move such a table whole rather than split it); a longer one
    may break between rows, never inside one."""
    body = [cells, cells] if keep else [cells]
    table = doc.add_table(rows=len(body) + (5 if keep else 2), cols=len(cells))
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    tags = [f"{{%tr for {loop} %}}"]
    if keep:
        tags += [f"{{%tr if loop.length < {SMALL_TABLE} and not loop.last %}}", "{%tr else %}",
                 "{%tr endif %}"]  # fmt: skip
    tags.append("{%tr endfor %}")
    rows = list(table.rows)
    tag_rows = [rows[0], rows[1], rows[3], rows[5], rows[6]] if keep else [rows[0], rows[2]]
    for row, tag in zip(tag_rows, tags, strict=True):
        row.cells[0].text = tag
    for index, row in enumerate(body_rows(table)):
        row._tr.get_or_add_trPr().append(parse_xml(f"<w:cantSplit {nsdecls('w')}/>"))
        for cell, text, width in zip(row.cells, cells, widths, strict=True):
            cell.text = text
            cell.width = Cm(width)
            cell.paragraphs[0].paragraph_format.keep_with_next = keep and index == 0
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)  # the grid, which LibreOffice follows
    return table


def body_rows(table) -> list:
    """The rows that hold content, not template tags."""
    return [row for row in table.rows
            if not any("{%tr" in cell.text for cell in row.cells)]  # fmt: skip


def new_document() -> Document:
    """Page, styles, language, the draft header and the footer shared by every template."""
    doc = Document()
    sec = doc.sections[0]
    sec.page_height, sec.page_width = Cm(29.7), Cm(21.0)
    sec.left_margin = sec.right_margin = Cm(2.5)
    sec.top_margin, sec.bottom_margin = Cm(2.2), Cm(2.2)

    styles = doc.styles
    set_font(styles["Normal"], 10.5)
    styles["Normal"].paragraph_format.space_after = Pt(4)
    set_font(styles["Title"], 20, bold=True)
    set_font(styles["Heading 1"], 13, bold=True)
    styles["Heading 1"].paragraph_format.space_before = Pt(14)
    styles["Heading 1"].paragraph_format.keep_with_next = True
    set_font(styles["Heading 2"], 11.5, bold=True)
    styles["Heading 2"].paragraph_format.keep_with_next = True
    set_font(styles["List Bullet"], 10.5)
    # A decision stands out with a dark bar; a proposal, which may fall, with a light one.
    ruled_style(doc, "Vedtak", bar=18, color="5A6B7C", before=6)
    ruled_style(doc, "Forslag", bar=6, color="A0AAB4", before=4)
    for name in ("Vedtak", "Forslag"):  # the text of what was voted on, kept with the vote
        held = styles.add_style(f"{name} holdt", WD_STYLE_TYPE.PARAGRAPH)
        held.base_style = styles[name]
        held.paragraph_format.keep_with_next = True
    # A case on its own page: Heading 1 that begins a page (outline level 1, so it is tagged
    # and listed as a heading like any other).
    sak = styles.add_style("Sak ny side", WD_STYLE_TYPE.PARAGRAPH)
    sak.base_style = styles["Heading 1"]
    sak.paragraph_format.page_break_before = True
    sak.element.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {nsdecls("w")} w:val="0"/>'))
    # One person per line in a roster: no space between the lines.
    liste = styles.add_style("Namneliste", WD_STYLE_TYPE.PARAGRAPH)
    liste.base_style = styles["Normal"]
    liste.paragraph_format.space_after = Pt(0)
    # A notice's agenda and attachment list: lines of a list, not headings with nothing under
    # them (pdf/retag.py makes each run of them a list, L → LI → LBody, after LibreOffice).
    saksliste = styles.add_style("Saksliste", WD_STYLE_TYPE.PARAGRAPH)
    saksliste.base_style = styles["Normal"]
    saksliste.font.bold = True
    saksliste.font.size = Pt(11.5)
    saksliste.paragraph_format.space_before = Pt(4)
    vedleggsliste = styles.add_style("Vedleggsliste", WD_STYLE_TYPE.PARAGRAPH)
    vedleggsliste.base_style = styles["Normal"]
    merknad = styles.add_style("Merknad", WD_STYLE_TYPE.PARAGRAPH)
    merknad.base_style = styles["Normal"]
    merknad.font.italic = True
    merknad.font.size = Pt(9.5)
    # A note under a case heading (a disqualification, "behandlet etter …") stays with the
    # text after it, as the heading does.
    merknad.paragraph_format.keep_with_next = True
    # The signature block: every paragraph keeps with the next, so the block stays together.
    tekst = styles.add_style("Signaturtekst", WD_STYLE_TYPE.PARAGRAPH)
    tekst.base_style = styles["Normal"]
    tekst.paragraph_format.keep_with_next = True
    felt = styles.add_style("Signaturfelt", WD_STYLE_TYPE.PARAGRAPH)
    felt.base_style = styles["Normal"]
    felt.paragraph_format.keep_with_next = True
    felt.paragraph_format.space_before = Pt(6)
    felt.paragraph_format.space_after = Pt(0)
    felt.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    felt.paragraph_format.line_spacing = Pt(STAMP_AREA)
    # The signature line: the stamp area's lower edge.
    felt.element.get_or_add_pPr().append(
        parse_xml(
            f'<w:pBdr {nsdecls("w")}><w:bottom w:val="single" w:sz="4" w:space="1" '
            'w:color="808080"/></w:pBdr>'
        )
    )
    signatur = styles.add_style("Signatur", WD_STYLE_TYPE.PARAGRAPH)
    signatur.base_style = styles["Normal"]
    signatur.paragraph_format.space_after = Pt(0)
    signatur.paragraph_format.keep_with_next = True
    # Document language; render.py switches it to nn-NO for nynorsk bodies.
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = parse_xml(f"<w:lang {nsdecls('w')}/>")
        rpr.append(lang)
    lang.set(qn("w:val"), "nb-NO")
    plain_bullets(doc)
    # Theme fonts in the defaults resolve differently in Word and LibreOffice: name the font.
    fonts = rpr.find(qn("w:rFonts"))
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)

    # Footer: "<body> – referat <date>     Side X av Y" — without the page numbers in a copy
    # inside the minutes, which number every page themselves.
    footer = sec.footer.paragraphs[0]
    footer.text = "{{ footer }}{% if page_numbers %} – {{ labels.page }} "
    footer._p.append(field("PAGE"))
    footer.add_run(" {{ labels.of }} ")
    footer._p.append(field("NUMPAGES"))
    footer.add_run("{% endif %}")
    for run in footer.runs:
        run.font.size = Pt(8.5)

    # Drafts: "UTKAST – bygget <time>" on every page; empty otherwise.
    head = sec.header.paragraphs[0]
    head.text = "{{ draft_note }}"
    head.runs[0].bold = True
    head.runs[0].font.color.rgb = RGBColor(0xB0, 0x1E, 0x1E)
    return doc


def ruled_style(doc, name: str, *, bar: int, color: str, before: float) -> None:
    """An indented paragraph style with a bar on the left (``bar`` in eighths of a point)."""
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    style.paragraph_format.left_indent = Cm(0.6)
    style.paragraph_format.space_before = Pt(before)
    style.element.get_or_add_pPr().append(
        parse_xml(
            f'<w:pBdr {nsdecls("w")}><w:left w:val="single" w:sz="{bar}" w:space="8" '
            f'w:color="{color}"/></w:pBdr>'
        )
    )


def plain_bullets(doc) -> None:
    """Bullets as U+2022 in the body font. python-docx's default list style draws them with the
    Symbol font's private-use character U+F0B7, which PDF/A-2a forbids without ActualText (ISO
    19005-2, 6.2.11.7.3) and which screen readers cannot name."""
    numbering = doc.part.numbering_part.element
    for level in numbering.iter(qn("w:lvl")):
        fmt = level.find(qn("w:numFmt"))
        if fmt is None or fmt.get(qn("w:val")) != "bullet":
            continue
        level.find(qn("w:lvlText")).set(qn("w:val"), "•")
        rpr = level.find(qn("w:rPr"))
        if rpr is None:
            rpr = parse_xml(f"<w:rPr {nsdecls('w')}/>")
            level.append(rpr)
        for old in rpr.findall(qn("w:rFonts")):
            rpr.remove(old)
        rpr.insert(0, parse_xml(
            f'<w:rFonts {nsdecls("w")} w:ascii="{FONT}" w:hAnsi="{FONT}" w:cs="{FONT}"/>'
        ))  # fmt: skip


def meta(doc) -> None:
    """Letterhead (the body's logo, the organisation), title, the date and place lines."""
    para(doc, "{%p if copy_note %}")
    note = para(doc, style="Merknad")
    note.add_run("{{ copy_note }}").bold = True
    para(doc, "{%p endif %}")
    para(doc, "{%p if logo %}")
    para(doc, "{{ logo }}")
    para(doc, "{%p endif %}")
    org = para(doc, "{{ organisation }}")
    org.runs[0].font.size = Pt(9.5)
    org.runs[0].font.color.rgb = RGBColor(0x4A, 0x55, 0x60)
    para(doc, "{{ title }}", "Title")
    # Front matter as a form (layout.front = "form"): label and text in two columns.
    para(doc, '{%p if layout.front == "form" %}')
    form_table(doc, "line in meta", "line")
    para(doc, "{%p else %}")
    para(doc, "{%p for line in meta %}")
    p = para(doc)
    p.add_run("{{ line.label }}: ").bold = True
    p.add_run("{{ line.text }}")
    para(doc, "{%p endfor %}")
    para(doc, "{%p endif %}")


def form_table(doc, loop: str, var: str):
    """Label and text in two ruled columns, the labels bold: a form's front matter, a case's
    header."""
    table = loop_table(doc, loop, [f"{{{{ {var}.label }}}}", f"{{{{ {var}.text }}}}"], [4.2, 11.8])
    table.style = doc.styles["Table Grid"]
    for row in body_rows(table):
        row.cells[0].paragraphs[0].runs[0].bold = True
    return table


def header_row(table, texts: list[str]) -> None:
    """A first row marked as the table's header (repeated on each page): LibreOffice tags its
    cells TH, which PDF/UA needs to tell what each column holds."""
    row = table.add_row()
    table._tbl.remove(row._tr)
    table._tbl.insert(table._tbl.index(table.rows[0]._tr), row._tr)
    row._tr.get_or_add_trPr().append(parse_xml(f"<w:tblHeader {nsdecls('w')}/>"))
    row._tr.get_or_add_trPr().append(parse_xml(f"<w:cantSplit {nsdecls('w')}/>"))
    for cell, text in zip(row.cells, texts, strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
        cell.paragraphs[0].paragraph_format.keep_with_next = True  # never alone at a page foot


ANCHOR = "sig_anchor"  # docxpost.py names each copy sig_<role>; no template syntax in names
STAMP_AREA = 62  # pt: the height the stamp box is drawn in (fields.py)


def signatory_cell(cell, side: str) -> None:
    """One signatory: the stamp's space (its top-left marked by a bookmark, which LibreOffice
    exports as a named destination), the signature line, name and title under it."""
    cell.paragraphs[0].text = f"{{%p if row.{side} %}}"
    anchor = cell.add_paragraph(style="Signaturfelt")
    # Distinct names and ids in the two cells: an editor renames a duplicate bookmark.
    mark, number = (f"{ANCHOR}_1", 90) if side == "left" else (f"{ANCHOR}_2", 91)
    anchor._p.append(parse_xml(f'<w:bookmarkStart {nsdecls("w")} w:id="{number}" '
                               f'w:name="{mark}"/>'))  # fmt: skip
    anchor._p.append(parse_xml(f'<w:bookmarkEnd {nsdecls("w")} w:id="{number}"/>'))
    name = cell.add_paragraph(style="Signatur")
    name.add_run(f"{{{{ row.{side}.name }}}}").bold = True
    cell.add_paragraph(f"{{{{ row.{side}.title }}}}", style="Signatur")
    cell.add_paragraph("{%p endif %}")
    cell.add_paragraph(style="Signatur")  # a cell keeps one paragraph when it is empty


def signature_block(doc) -> None:
    """Who signs, kept together and with the text before it (render.py marks the last lines of
    the text keep-with-next): the heading, the attestation, place and date, then the
    signatories two to a row (one per row from three on). The public version and a copy say in
    words who signs the original; minutes nobody signs end with the attestation alone."""
    para(doc, "{%p if signatories %}")
    para(doc, "{{ labels.signatures }}", "Heading 1")
    para(doc, "{%p if attestation %}")
    para(doc, "{{ attestation }}", "Signaturtekst")
    para(doc, "{%p endif %}")
    para(doc, "{{ signing_line }}", "Signaturtekst")
    para(doc, "{%p if signed_note %}")
    para(doc, "{{ signed_note }}", "Signaturtekst")
    para(doc, "{%p else %}")
    table = loop_table(doc, "row in signature_rows", ["", ""], [8.0, 8.0], keep=False)
    (row,) = body_rows(table)
    signatory_cell(row.cells[0], "left")
    signatory_cell(row.cells[1], "right")
    para(doc, "{%p endif %}")
    para(doc, "{%p elif attestation %}")
    para(doc, "{{ attestation }}")
    para(doc, "{%p endif %}")


def agenda_table(doc) -> None:
    """The saksliste as a table: number, title, archive case, remark (closed, added)."""
    table = loop_table(doc, "a in agenda", ["{{ a.number }}", "{{ a.title }}",
                                            "{{ a.archive_ref }}", "{{ a.status }}"],
                       [2.6, 8.6, 2.4, 2.4])  # fmt: skip
    header_row(table, ["{{ labels.case_no }}", "{{ labels.case_title }}",
                       "{{ labels.archive_ref }}", "{{ labels.remark }}"])  # fmt: skip


def minutes() -> Document:
    doc = new_document()
    meta(doc)

    # The saksliste as a table before the protocol (agenda_table = true).
    para(doc, "{%p if agenda %}")
    para(doc, "{{ labels.agenda }}", "Heading 1")
    agenda_table(doc)
    para(doc, "{%p endif %}")

    # Attendance beyond the lines under the heading: one table of every member with a status
    # column ("status"), one person per line under each group's heading ("roster"), or a table
    # per group ("table"): name, party, role, remark.
    para(doc, "{%p if attendance %}")
    para(doc, "{{ labels.attendance }}", "Heading 1")
    para(doc, '{%p if layout.attendance == "status" %}')
    table = loop_table(
        doc, "r in attendance[0].rows", ["{{ r.name }}", "{{ r.party }}", "{{ r.role }}",
                                         "{{ r.status }}", "{{ r.note }}"],
        [4.6, 1.8, 3.2, 3.0, 3.4],
    )  # fmt: skip
    header_row(table, ["{{ labels.name }}", "{{ labels.party }}", "{{ labels.role }}",
                       "{{ labels.attendance_status }}", "{{ labels.remark }}"])  # fmt: skip
    para(doc, '{%p elif layout.attendance == "roster" %}')
    para(doc, "{%p for g in attendance %}")
    para(doc, "{{ g.label }}", "Heading 2")
    para(doc, "{%p for r in g.rows %}")
    para(doc, "{{ r.line }}", "Namneliste")
    para(doc, "{%p endfor %}")
    para(doc, "{%p endfor %}")
    para(doc, "{%p else %}")
    para(doc, "{%p for g in attendance %}")
    para(doc, "{{ g.label }}", "Heading 2")
    table = loop_table(
        doc, "r in g.rows", ["{{ r.name }}", "{{ r.party }}", "{{ r.role }}", "{{ r.note }}"],
        [5.6, 2.0, 3.8, 4.6],
    )  # fmt: skip
    header_row(
        table, ["{{ labels.name }}", "{{ labels.party }}", "{{ labels.role }}",
                "{{ labels.remark }}"],
    )  # fmt: skip
    para(doc, "{%p endfor %}")
    para(doc, "{%p endif %}")
    para(doc, "{%p endif %}")

    para(doc, "{%p if remarks %}")
    para(doc, "{{ labels.remarks }}", "Heading 1")
    parts(doc, "remarks")
    para(doc, "{%p endif %}")

    # Each item: its heading (on a new page with its case details as a header table, when
    # layout.case_page), then its parts.
    para(doc, "{%p for item in items %}")
    para(doc, "{%p if layout.case_page %}")
    para(doc, "{{ item.heading }}", "Sak ny side")
    para(doc, "{%p if item.info %}")
    form_table(doc, "x in item.info", "x")
    para(doc, "{%p endif %}")
    para(doc, "{%p else %}")
    para(doc, "{{ item.heading }}", "Heading 1")
    para(doc, "{%p endif %}")
    parts(doc, "item")
    para(doc, "{%p endfor %}")

    para(doc, "{%p if next_meetings %}")
    para(doc, "{{ labels.next_meetings }}", "Heading 1")
    para(doc, "{%p for m in next_meetings %}")
    para(doc, "{{ m }}", "List Bullet")
    para(doc, "{%p endfor %}")
    para(doc, "{%p endif %}")

    para(doc, "{%p if attachments %}")
    para(doc, "{{ labels.attachments }}", "Heading 1")
    para(doc, "{%p for a in attachments %}")
    para(doc, "{{ a }}")
    para(doc, "{%p endfor %}")
    para(doc, "{%p endif %}")

    para(doc, "{%p if abbreviations %}")
    para(doc, "{{ labels.abbreviations }}", "Heading 1")
    table = loop_table(doc, "a in abbreviations", ["{{ a.short }}", "{{ a.long }}"], [3.2, 12.8])
    for row in body_rows(table):
        row.cells[0].paragraphs[0].runs[0].bold = True
    header_row(table, ["{{ labels.abbreviation }}", "{{ labels.meaning }}"])
    para(doc, "{%p endif %}")

    para(doc, "{%p if standing %}")
    para(doc, "{{ standing.title }}", "Heading 1")
    parts(doc, "standing")
    para(doc, "{%p endif %}")

    signature_block(doc)
    # After the signatures: who gets a copy, and a certified copy's attestation ("Rett utskrift
    # bekreftes") with its own date and signer — each a line, when the meeting gives them.
    para(doc, "{%p for line in closing %}")
    para(doc, "{{ line }}", "Signaturtekst")
    para(doc, "{%p endfor %}")
    return doc


def notice() -> Document:
    """Innkalling: time, place, the agenda with numbers and titles, the attachments."""
    doc = new_document()
    meta(doc)
    para(doc, "{{ labels.agenda }}", "Heading 1")
    para(doc, "{%p if agenda %}")
    agenda_table(doc)
    para(doc, "{%p else %}")
    para(doc, "{%p for item in items %}")
    para(doc, "{{ item.heading }}", "Saksliste")
    para(doc, "{%p endfor %}")
    para(doc, "{%p endif %}")
    para(doc, "{%p if attachments %}")
    para(doc, "{{ labels.notice_attachments }}:", "Heading 2")
    para(doc, "{%p for a in attachments %}")
    para(doc, "{{ a }}", "Vedleggsliste")
    para(doc, "{%p endfor %}")
    para(doc, "{%p endif %}")
    return doc


def agreement() -> Document:
    """Avtale: parties, period, preamble, numbered articles, the parties' signatures."""
    doc = new_document()
    meta(doc)
    parts(doc, "preamble")
    para(doc, "{%p for article in articles %}")
    para(doc, "{{ article.heading }}", "Heading 1")
    parts(doc, "article")
    para(doc, "{%p endfor %}")
    signature_block(doc)
    return doc


def main() -> int:
    for name, make in (("referat", minutes), ("innkalling", notice), ("avtale", agreement)):
        doc = make()
        doc.core_properties.title = name.capitalize()
        doc.core_properties.author = "referatbygg"
        out = OUT_DIR / f"{name}.docx"
        out.parent.mkdir(parents=True, exist_ok=True)
        doc.save(str(out))
        # The copies to start from (templates/README.md): the same bytes.
        (COPIES / out.name).write_bytes(out.read_bytes())
        print(f"wrote {out} and {COPIES / out.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
