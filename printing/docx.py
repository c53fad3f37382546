"""The reply letter as a Word document (python-docx), for offices that finish letters in Word.

The same letter as the PDF (printing/letters.py gives both their content): A4 at 37/35/28/26 mm,
22 lines a page on the line grid (w:docGrid) and 28 characters a line (each character
condensed by a quarter point: 28 × 15.75 pt fit the 156 mm line, 29 do not; a character grid
of 28 would too in Word, but LibreOffice sets a 16 pt character on a 15.8 pt grid in two
cells, so that a line held 14); on page 1 the red unit
name 30 mm from the top edge with the 170 mm red double rule under it and the bottom red rule
20 mm from the bottom edge; page numbers "— N —" as a PAGE field from page 2, odd pages right
and even pages left, one character in; the title broken between words; 落款 centred over the
date, the date four characters from the right margin; bold only where the configured font has
a bold face (Word would otherwise fake it).
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
from replies import body

from . import letters, typesetting
from .templatetags.printing import cn_date

RED = RGBColor(0xE6, 0x00, 0x12)
BODY_PT = 16
CELL_PT = 442.2 / 28  # 156 mm / 28 characters
TWIPS_PER_MM = 1440 / 25.4
# 225 mm / 22 lines, in twips (Word's w:linePitch), rounded down so that 22 lines fit.
LINE_PITCH_TWIPS = int(225 * TWIPS_PER_MM / 22)
LINE = Pt(LINE_PITCH_TWIPS / 20)
# Character spacing in twentieths of a point (w:spacing): a quarter point tighter, 28 a line.
CONDENSED = -5

# The order of the children of w:pPr and w:rPr in the schema (Word refuses a file out of order).
PPR_ORDER = (
    "w:pStyle w:keepNext w:keepLines w:pageBreakBefore w:framePr w:widowControl w:numPr "
    "w:suppressLineNumbers w:pBdr w:shd w:tabs w:suppressAutoHyphens w:kinsoku w:wordWrap "
    "w:overflowPunct w:topLinePunct w:autoSpaceDE w:autoSpaceDN w:bidi w:adjustRightInd "
    "w:snapToGrid w:spacing w:ind w:contextualSpacing w:mirrorIndents w:suppressOverlap w:jc "
    "w:textDirection w:textAlignment w:textboxTightWrap w:outlineLvl w:divId w:cnfStyle w:rPr "
    "w:sectPr w:pPrChange"
).split()
RPR_ORDER = (
    "w:rStyle w:rFonts w:b w:bCs w:i w:iCs w:caps w:smallCaps w:strike w:dstrike w:outline "
    "w:shadow w:emboss w:imprint w:noProof w:snapToGrid w:vanish w:webHidden w:color w:spacing "
    "w:w w:kern w:position w:sz w:szCs w:highlight w:u w:effect w:bdr w:shd w:fitText "
    "w:vertAlign w:rtl w:cs w:em w:lang w:eastAsianLayout w:specVanish w:oMath"
).split()


def _child(parent, tag, order, **attrs):
    """`parent`'s child `tag`, made where the schema's `order` puts it, with `attrs` (w:…) set."""
    child = parent.find(qn(tag))
    if child is None:
        child = OxmlElement(tag)
        parent.insert_element_before(child, *order[order.index(tag) + 1 :])
    for name, value in attrs.items():
        child.set(qn(f"w:{name}"), str(value))
    return child


def _font(run, family, size, *, bold=False, color=None):
    run.font.name = family
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), family)
    return run


def _paragraph(container, *, align=None, indent_chars=0, pitch=LINE, space_before=0, space_after=0):
    p = container.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = pitch
    fmt.space_before = Pt(space_before)
    fmt.space_after = Pt(space_after)
    if indent_chars:
        fmt.first_line_indent = Pt(CELL_PT * indent_chars)
    if align is not None:
        p.alignment = align
    _no_auto_space(p._p.get_or_add_pPr())
    return p


def _no_auto_space(ppr):
    """No extra space between Chinese and digits or Latin letters (Word and LibreOffice add it
    unless told), as in the PDF."""
    for name in ("w:autoSpaceDE", "w:autoSpaceDN"):
        _child(ppr, name, PPR_ORDER, val="0")


def _border(paragraph, side, val, color="E60012", size=24, space=4):
    ppr = paragraph._p.get_or_add_pPr()
    borders = _child(ppr, "w:pBdr", PPR_ORDER)
    edge = OxmlElement(f"w:{side}")
    edge.set(qn("w:val"), val)
    edge.set(qn("w:sz"), str(size))
    edge.set(qn("w:space"), str(space))
    edge.set(qn("w:color"), color)
    borders.append(edge)


def _wide(paragraph):
    """A 170 mm paragraph centred on the page (the red rules run 7 mm past the type area on each side)."""
    paragraph.paragraph_format.left_indent = Mm(-8)
    paragraph.paragraph_format.right_indent = Mm(-6)


def _page_field(paragraph, family):
    _font(paragraph.add_run("— "), family, 14)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
    _font(paragraph.add_run(" —"), family, 14)


def _grid(section):
    sect = section._sectPr
    grid = sect.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))


def _off_grid(paragraph):
    """A paragraph set in its own size, not on the body's line grid (the 二号 title)."""
    _child(paragraph._p.get_or_add_pPr(), "w:snapToGrid", PPR_ORDER, val="0")


def _defaults(doc, family):
    """The document's default run: the body face at 三号, condensed to 28 characters a line."""
    style = doc.styles["Normal"]
    style.font.name = family
    style.font.size = Pt(BODY_PT)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), family)
    _child(rpr, "w:spacing", RPR_ORDER, val=CONDENSED)
    # Chinese text: Word and LibreOffice choose the simplified Chinese forms of a CJK face by it.
    _child(rpr, "w:lang", RPR_ORDER, val="zh-CN", eastAsia="zh-CN")
    _no_auto_space(style.element.get_or_add_pPr())


def _first_page_head(section, reply, fonts):
    """Page 1's header: class mark, red unit name 30 mm from the top edge, the double rule under it."""
    header = section.first_page_header
    header.is_linked_to_previous = False
    first = header.paragraphs[0]
    if reply.result_class:
        mark = first
        mark.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        frame = OxmlElement("w:framePr")
        frame.set(qn("w:hAnchor"), "margin")
        frame.set(qn("w:vAnchor"), "page")
        frame.set(qn("w:xAlign"), "right")
        frame.set(qn("w:y"), str(round(15 * TWIPS_PER_MM)))
        ppr = mark._p.get_or_add_pPr()
        ppr.insert_element_before(frame, *PPR_ORDER[PPR_ORDER.index("w:framePr") + 1 :])
        _font(mark.add_run(reply.result_class), fonts["heading1"][0], BODY_PT)
        head = _paragraph(
            header,
            align=WD_ALIGN_PARAGRAPH.CENTER,
            pitch=Pt(letters.letterhead_size(reply.assignment.unit.letterhead_name) + 4),
        )
    else:
        head = first
        head.alignment = WD_ALIGN_PARAGRAPH.CENTER
        head.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        head.paragraph_format.line_spacing = Pt(letters.letterhead_size(reply.assignment.unit.letterhead_name) + 4)
    name = reply.assignment.unit.letterhead_name
    _font(head.add_run(name), fonts["title"][0], letters.letterhead_size(name), bold=fonts["title_bold"], color=RED)
    head.paragraph_format.space_after = Pt(0)
    _wide(head)
    _border(head, "bottom", "thickThinSmallGap", size=24, space=8)


def _footers(section, fonts):
    family = fonts["body"][0]
    section.first_page_footer.is_linked_to_previous = False
    rule = section.first_page_footer.paragraphs[0]
    _wide(rule)
    _border(rule, "bottom", "thinThickSmallGap", size=24, space=0)
    # The page number's top 7 mm below the type area: its 14 pt line ends 3 mm above the footer's bottom.
    odd = section.footer.paragraphs[0]
    odd.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    odd.paragraph_format.right_indent = Pt(14)
    even = section.even_page_footer.paragraphs[0]
    even.alignment = WD_ALIGN_PARAGRAPH.LEFT
    even.paragraph_format.left_indent = Pt(14)
    for paragraph in (odd, even):
        paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        paragraph.paragraph_format.line_spacing = Pt(14)
        paragraph.paragraph_format.space_after = Mm(3)
        _page_field(paragraph, family)


def _closing(doc, reply, family):
    """落款 centred over 成文日期; the date four characters from the right margin."""
    date = cn_date(reply.written_on)
    date_width = letters.text_width(date)
    name_width = letters.text_width(reply.closing)
    name_right = max(0.0, 4 + (date_width - name_width) / 2)
    for text, right in ((reply.closing, name_right), (date, 4)):
        p = _paragraph(doc, align=WD_ALIGN_PARAGRAPH.RIGHT)
        p.paragraph_format.right_indent = Pt(CELL_PT * right)
        p.paragraph_format.keep_with_next = True
        _font(p.add_run(text), family, BODY_PT)


@in_chinese
def reply_docx(reply):
    fonts = typesetting.fonts_data()
    serif = fonts["body"][0]
    doc = Document()
    _defaults(doc, serif)
    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(30), Mm(20)
    section.different_first_page_header_footer = True
    _grid(section)
    _first_page_head(section, reply, fonts)
    _footers(section, fonts)

    number = doc.paragraphs[0] if doc.paragraphs else _paragraph(doc)
    number.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _font(number.add_run(reply.doc_number), serif, BODY_PT)

    title = _paragraph(doc, align=WD_ALIGN_PARAGRAPH.CENTER, pitch=Pt(34), space_before=LINE.pt, space_after=LINE.pt)
    _off_grid(title)
    for index, line in enumerate(letters.title_lines(reply.title)):
        run = _font(title.add_run(line), fonts["title"][0], 22, bold=fonts["title_bold"])
        if index < len(letters.title_lines(reply.title)) - 1:
            run.add_break()
    _font(_paragraph(doc).add_run(f"{reply.addressees.rstrip('：:')}："), serif, BODY_PT)
    faces = {body.H1: (fonts["heading1"][0], False), body.H2: (fonts["heading2"][0], False)}
    faces[body.H3] = (serif, fonts["body_bold"])
    for item in body.paragraphs_of(reply):
        p = _paragraph(doc, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent_chars=2)
        if item["heading"]:
            family, bold = faces.get(item["level"], (serif, False))
            _font(p.add_run(item["heading"]), family, BODY_PT, bold=bold)
            p.paragraph_format.keep_with_next = not item["text"]
        if item["text"]:
            _font(p.add_run(item["text"]), serif, BODY_PT)

    _paragraph(doc).paragraph_format.keep_with_next = True
    _closing(doc, reply, serif)
    note = reply.annotation
    if note:
        _font(_paragraph(doc, indent_chars=2).add_run(note), serif, BODY_PT)
    if reply.cc:
        _paragraph(doc)
        cc = _paragraph(doc)
        _border(cc, "top", "single", color="000000", size=8)
        _border(cc, "bottom", "single", color="000000", size=8)
        _font(cc.add_run(f"{_('抄送')}：{reply.cc}"), serif, 14)

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def safe_filename(text):
    return re.sub(r"[^\w\u4e00-\u9fff-]+", "_", text)[:60] or "reply"
