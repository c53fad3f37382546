"""The Word version of the seed letter read back with python-docx: page set-up, character grid,
page-number field in the footers, the head on page 1, real fonts and no fake bold."""

import io
from unittest import mock

from django.test import TestCase
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

from printing import typesetting
from printing.docx import reply_docx

from .cases import huangshi


class DocxTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.reply = huangshi()["reply"]

    def setUp(self):
        self.doc = Document(io.BytesIO(reply_docx(self.reply)))
        self.section = self.doc.sections[0]

    def test_a4_with_the_type_area_at_37_35_28_26_mm(self):
        s = self.section
        self.assertAlmostEqual(s.page_width.mm, 210, places=0)
        self.assertAlmostEqual(s.page_height.mm, 297, places=0)
        for value, mm in ((s.top_margin, 37), (s.bottom_margin, 35), (s.left_margin, 28), (s.right_margin, 26)):
            self.assertAlmostEqual(value.mm, mm, places=1)

    def test_the_grid_holds_22_lines_of_28_characters(self):
        grid = self.section._sectPr.find(qn("w:docGrid"))
        self.assertEqual(grid.get(qn("w:type")), "lines")
        line_pitch_pt = int(grid.get(qn("w:linePitch"))) / 20
        self.assertEqual(int(225 / 25.4 * 72 // line_pitch_pt), 22)
        # A character's advance: 三号 (16 pt) plus the Normal style's spacing (twentieths of a point).
        normal = self.doc.styles["Normal"]
        self.assertEqual(normal.font.size.pt, 16)
        pitch = 16 + int(normal.element.rPr.find(qn("w:spacing")).get(qn("w:val"))) / 20
        indent = 2 * 442.2 / 28  # the first line's two characters in
        self.assertEqual(int((156 / 25.4 * 72 - indent) // pitch) + 2, 28)
        self.assertEqual(int((156 / 25.4 * 72) // pitch), 28)
        # no extra space between Chinese and digits, as in the PDF
        ppr = normal.element.pPr
        self.assertEqual(ppr.find(qn("w:autoSpaceDE")).get(qn("w:val")), "0")
        self.assertEqual(ppr.find(qn("w:autoSpaceDN")).get(qn("w:val")), "0")

    def test_page_numbers_are_a_page_field_odd_right_even_left_none_on_page_1(self):
        self.assertTrue(self.doc.settings.odd_and_even_pages_header_footer)
        self.assertTrue(self.section.different_first_page_header_footer)
        odd = self.section.footer.paragraphs[0]
        even = self.section.even_page_footer.paragraphs[0]
        for paragraph, alignment in ((odd, WD_ALIGN_PARAGRAPH.RIGHT), (even, WD_ALIGN_PARAGRAPH.LEFT)):
            self.assertEqual(paragraph.alignment, alignment)
            fields = paragraph._p.findall(qn("w:fldSimple"))
            self.assertEqual([f.get(qn("w:instr")) for f in fields], ["PAGE"])
            self.assertTrue(paragraph.text.startswith("— ") and paragraph.text.endswith(" —"))
        self.assertAlmostEqual(odd.paragraph_format.right_indent.pt, 14, places=0)
        self.assertAlmostEqual(even.paragraph_format.left_indent.pt, 14, places=0)
        first = "".join(p.text for p in self.section.first_page_footer.paragraphs)
        self.assertEqual(first, "")

    def test_the_red_head_is_30_mm_down_with_a_170_mm_rule(self):
        self.assertAlmostEqual(self.section.header_distance.mm, 30, places=0)
        head = next(p for p in self.section.first_page_header.paragraphs if p.text == "湖北省黄石市经济和信息化局")
        run = head.runs[0]
        self.assertEqual(str(run.font.color.rgb), "E60012")
        width = 156 - head.paragraph_format.left_indent.mm - head.paragraph_format.right_indent.mm
        self.assertAlmostEqual(width, 170, places=0)
        border = head._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
        self.assertEqual(border.get(qn("w:val")), "thickThinSmallGap")

    def test_bold_only_where_the_font_has_a_bold_face(self):
        title_family, title_bold = typesetting.resolve_fonts()["title"]
        title = next(p for p in self.doc.paragraphs if p.text.startswith("关于对《"))
        self.assertEqual(title.text.replace("\n", ""), self.reply.title)
        for run in title.runs:
            self.assertEqual(run.font.name, title_family)
            self.assertIs(run.font.bold, title_bold)
            self.assertEqual(run._element.rPr.rFonts.get(qn("w:eastAsia")), title_family)
        # A title face without a bold one (方正小标宋简体 is heavy as it is): never bold, so Word never fakes it.
        resolved = dict(typesetting.resolve_fonts(), title=("方正小标宋简体", False))
        with mock.patch.object(typesetting, "resolve_fonts", return_value=resolved):
            doc = Document(io.BytesIO(reply_docx(self.reply)))
        title = next(p for p in doc.paragraphs if p.text.startswith("关于对《"))
        self.assertEqual({(r.font.name, r.font.bold) for r in title.runs}, {("方正小标宋简体", False)})
        head = doc.sections[0].first_page_header.paragraphs
        self.assertEqual({r.font.bold for p in head for r in p.runs if p.text.startswith("湖北")}, {False})

    def test_the_body_uses_its_levels_faces_and_no_markup(self):
        fonts = typesetting.fonts_data()
        heading = next(p for p in self.doc.paragraphs if p.text == "一、支持企业转型")
        self.assertEqual(heading.runs[0].font.name, fonts["heading1"][0])
        lead = next(p for p in self.doc.paragraphs if p.text.startswith("1、淘汰落后产能提质。"))
        self.assertEqual(lead.runs[0].text, "1、淘汰落后产能提质。")
        self.assertIs(lead.runs[0].font.bold, fonts["body_bold"])
        self.assertFalse(lead.runs[1].font.bold)
        self.assertNotIn("**", "".join(p.text for p in self.doc.paragraphs))

    def test_the_date_is_four_characters_in_and_the_name_centred_over_it(self):
        cell = 442.2 / 28
        date = next(p for p in self.doc.paragraphs if p.text == "2021年9月6日")
        name = next(p for p in self.doc.paragraphs if p.text == self.reply.closing)
        self.assertEqual(date.alignment, WD_ALIGN_PARAGRAPH.RIGHT)
        self.assertAlmostEqual(date.paragraph_format.right_indent.pt, 4 * cell, places=0)
        # centred over the date: 2021, 9 and 6 are half-width digits, 年月日 full characters
        date_width = 4 * 0.5 + 0.5 + 0.5 + 3
        expected = max(0.0, 4 + (date_width - len(self.reply.closing)) / 2)
        self.assertAlmostEqual(name.paragraph_format.right_indent.pt / cell, expected, places=1)


class DocxSchemaOrderTests(TestCase):
    """Word refuses a file whose paragraph or run properties are out of the schema's order."""

    def test_every_property_list_is_in_the_schemas_order(self):
        import zipfile

        from lxml import etree

        from printing.docx import PPR_ORDER, RPR_ORDER

        reply = huangshi()["reply"]
        archive = zipfile.ZipFile(io.BytesIO(reply_docx(reply)))
        checked = 0
        for name in archive.namelist():
            if not name.endswith(".xml") or not name.startswith("word/"):
                continue
            root = etree.fromstring(archive.read(name))
            for tag, order in (("w:pPr", PPR_ORDER), ("w:rPr", RPR_ORDER)):
                known = {qn(t): i for i, t in enumerate(order)}
                for props in root.iter(qn(tag)):
                    positions = [known[child.tag] for child in props if child.tag in known]
                    self.assertEqual(positions, sorted(positions), f"{name}: {[c.tag for c in props]}")
                    checked += 1
        self.assertGreater(checked, 50)

    def test_the_text_is_marked_simplified_chinese(self):
        doc = Document(io.BytesIO(reply_docx(huangshi()["reply"])))
        lang = doc.styles["Normal"].element.rPr.find(qn("w:lang"))
        self.assertEqual(lang.get(qn("w:eastAsia")), "zh-CN")
