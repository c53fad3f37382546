"""The reply letter as a Word document (python-docx), for offices that finish letters in Word.

Same content and the same page set-up as the PDF (A4, margins 37/35/28/26 mm, red unit
name and rule, 三号 body with a fixed line pitch); Word applies its own fonts if the
configured ones are missing.
"""

import io
import re

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from proposals.i18n import in_chinese

from . import documents, pdf
from .templatetags.printing import BOLD, cn_date

RED = RGBColor(0xE6, 0x00, 0x12)
LINE_PITCH = Pt(28.95)


def _font(run, family, size, *, bold=False, color=None):
    run.font.name = family
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    # East Asian text uses w:eastAsia, not w:ascii.
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia"):
        fonts.set(qn(attr), family)


def _paragraph(doc, *, align=None, indent_chars=0, pitch=LINE_PITCH, space_before=0):
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = pitch
    fmt.space_before = Pt(space_before)
    fmt.space_after = Pt(0)
    if indent_chars:
        fmt.first_line_indent = Pt(16 * indent_chars)
    if align is not None:
        p.alignment = align
    return p


def _rule(paragraph, color="E60012", thick=True):
    """A red double rule under the paragraph (上粗下细)."""
    ppr = paragraph._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "thickThinSmallGap" if thick else "single")
    bottom.set(qn("w:sz"), "24")
    bottom.set(qn("w:space"), "4")
    bottom.set(qn("w:color"), color)
    border.append(bottom)
    ppr.append(border)


def _text_runs(paragraph, text, family, size):
    for index, part in enumerate(BOLD.split(text)):
        if part:
            _font(paragraph.add_run(part), family, size, bold=index % 2 == 1)


@in_chinese
def reply_docx(reply):
    fonts = pdf.font_families()
    serif, sans, title_font, kai = fonts["serif"][0], fonts["sans"][0], fonts["title"][0], fonts["kai"][0]
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)

    if reply.result_class:
        _font(_paragraph(doc, align=WD_ALIGN_PARAGRAPH.RIGHT).add_run(reply.result_class), sans, 16)
    unit = reply.assignment.unit
    head = _paragraph(doc, align=WD_ALIGN_PARAGRAPH.CENTER, pitch=Pt(40))
    _font(
        head.add_run(unit.letterhead_name),
        title_font,
        documents.letterhead_size(unit.letterhead_name),
        bold=True,
        color=RED,
    )
    _rule(head)
    _font(_paragraph(doc, align=WD_ALIGN_PARAGRAPH.RIGHT).add_run(reply.doc_number), serif, 16)

    title = _paragraph(doc, align=WD_ALIGN_PARAGRAPH.CENTER, pitch=Pt(34), space_before=29)
    _font(title.add_run(reply.title), title_font, 22, bold=True)
    _paragraph(doc)
    _font(_paragraph(doc).add_run(f"{reply.addressees}："), serif, 16)
    for kind, text in documents.letter_blocks(reply):
        p = _paragraph(doc, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent_chars=2)
        family = {"h1": sans, "h2": kai}.get(kind, serif)
        _text_runs(p, text, family, 16)

    _paragraph(doc)
    for line in (reply.closing, cn_date(reply.written_on)):
        p = _paragraph(doc, align=WD_ALIGN_PARAGRAPH.RIGHT)
        p.paragraph_format.right_indent = Pt(16 * 4)
        _font(p.add_run(line), serif, 16)
    contact = "；".join(
        part
        for part in (
            f"{_('联系人')}：{reply.contact_person}" if reply.contact_person else "",
            f"{_('联系电话')}：{reply.contact_phone}" if reply.contact_phone else "",
        )
        if part
    )
    if contact:
        _font(_paragraph(doc, indent_chars=2).add_run(f"（{contact}）"), serif, 16)
    if reply.cc:
        _paragraph(doc)
        _font(_paragraph(doc).add_run(f"{_('抄送')}：{reply.cc}"), serif, 14)

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def safe_filename(text):
    return re.sub(r"[^\w\u4e00-\u9fff-]+", "_", text)[:60] or "reply"
