"""The reply letter PDF as a supervisor reads it: GB/T 9704 letter layout, the seed 000 text, real fonts."""

import re

from django.test import TestCase

from printing import documents
from tests import factories as f

from . import pdfutil
from .cases import huangshi

A4 = (595.28, 841.89)
# A paragraph of plain Chinese characters (no punctuation, no digits), for measuring the grid.
HAN = "国家政府人民经济发展建设工作企业社会管理服务创新改革城市产业项目资金政策"


def grid_reply(unit=None):
    unit = unit or f.unit(name="黄石市财政局", short_name="市财政局")
    assignment = f.assignment(f.proposal(), unit)
    paragraph = (HAN * 4)[:130]
    return f.reply(assignment, body="\n".join([paragraph] * 16))


class SeedLetterTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        case = huangshi()
        cls.reply = case["reply"]
        cls.letter = case["letter"]
        cls.pdf = documents.reply_letter(cls.reply).render()
        cls.texts = pdfutil.page_texts(cls.pdf)
        cls.lines = pdfutil.page_lines(cls.pdf)

    def test_it_is_a4_on_every_page(self):
        for page in pdfutil.reader(self.pdf).pages:
            self.assertAlmostEqual(float(page.mediabox.width), A4[0], places=0)
            self.assertAlmostEqual(float(page.mediabox.height), A4[1], places=0)

    def test_it_prints_every_paragraph_of_the_seed_in_order(self):
        printed = re.sub(r"—\d+—", "", pdfutil.squash("".join(self.texts)))  # page numbers between pages
        position = 0
        for paragraph in self.letter["paragraphs"]:
            expected = pdfutil.squash(paragraph.replace("**", ""))
            found = printed.find(expected, position)
            self.assertGreaterEqual(found, 0, paragraph[:30])
            position = found + len(expected)

    def test_page_one_has_the_red_head_number_class_title_and_addressees(self):
        first = pdfutil.squash(self.texts[0])
        for text in ("湖北省黄石市经济和信息化局", "黄经信函〔2021〕45号", self.reply.title, "程玮、王秋红、纪春明"):
            self.assertIn(pdfutil.squash(text), first)
        top = self.lines[0]
        # The class mark "A" sits at the top right, above the letterhead.
        mark = next(line for line in top if line["text"] == "A")
        head = next(line for line in top if line["text"] == "湖北省黄石市经济和信息化局")
        self.assertLess(mark["y0"], head["y0"])
        self.assertGreater(mark["x1"], 180)
        # The unit name starts about 30 mm from the top edge and is centred on the type area.
        self.assertAlmostEqual(head["y0"], 30, delta=3)
        self.assertAlmostEqual((head["x0"] + head["x1"]) / 2, 28 + 156 / 2, delta=2)

    def test_page_numbers_start_on_page_two(self):
        self.assertGreaterEqual(len(self.texts), 3)
        self.assertNotIn("— 1 —", self.texts[0])
        self.assertIn("— 2 —", self.texts[1])
        self.assertIn("— 3 —", self.texts[2])

    def test_it_ends_with_the_unit_the_date_and_the_contact_note(self):
        last = pdfutil.squash(self.texts[-1])
        self.assertIn("黄石市经济和信息化局办公室", last)
        self.assertIn("2021年9月6日", last)
        self.assertIn("（联系人：刘文明；联系电话：6288824）", last)
        order = [line["text"] for line in self.lines[-1]]
        closing = order.index("黄石市经济和信息化局办公室")
        self.assertEqual(order[closing + 1], "2021年9月6日")
        self.assertTrue(order[closing + 2].startswith("（联系人"))

    def test_bold_phrases_of_the_original_are_bold(self):
        page = next(i for i, text in enumerate(self.texts) if "破解用地难方面" in pdfutil.squash(text))
        fonts = pdfutil.fonts_of_text(self.pdf, page, "破解用地难方面")
        self.assertTrue(fonts)
        self.assertTrue(all("Bold" in font for font in fonts), fonts)
        self.assertNotIn("**", "".join(self.texts))

    def test_fonts_are_cjk_embedded_and_subset(self):
        fonts = pdfutil.fonts(self.pdf)
        self.assertTrue(fonts)
        for name, embedded, subset in fonts:
            self.assertIn("CJK", name)
            self.assertTrue(embedded and subset, name)

    def test_the_letter_stays_small(self):
        self.assertLess(len(self.pdf), 300 * 1024)

    def test_compacted_fonts_draw_exactly_the_same_pages(self):
        with self.settings(BANLI_PDF_COMPACT_FONTS=False):
            full = documents.reply_letter(self.reply).render()
        self.assertGreater(len(full), len(self.pdf) * 2)
        for page in (1, 2):
            self.assertEqual(pdfutil.page_pixels(self.pdf, page), pdfutil.page_pixels(full, page))

    def test_body_lines_start_at_the_left_margin_or_two_characters_in(self):
        body = [line for line in self.lines[1] if len(line["text"]) > 10]
        for line in body:
            offset = line["x0"] - 28
            self.assertTrue(abs(offset) <= 1 or abs(offset - 11.14) <= 1, (offset, line["text"]))
            self.assertLessEqual(line["x1"], 28 + 156 + 1, line["text"])

    def test_a_full_page_holds_twenty_two_lines(self):
        body = [line for line in self.lines[1] if "—" not in line["text"]]
        self.assertEqual(len(body), 22)
        self.assertAlmostEqual(body[0]["y0"], 37, delta=2)


class GridTests(TestCase):
    """GB/T 9704: 22 lines of 28 characters per page, measured on a render."""

    @classmethod
    def setUpTestData(cls):
        cls.reply = grid_reply()
        cls.pdf = documents.reply_letter(cls.reply).render()
        cls.lines = pdfutil.page_lines(cls.pdf)

    def test_full_lines_hold_twenty_eight_characters(self):
        page = [line for line in self.lines[1] if "—" not in line["text"]]
        self.assertEqual(len(page), 22)
        full = [line for line in page if abs(line["x0"] - 28) <= 1 and line["x1"] > 28 + 156 - 6]
        self.assertGreater(len(full), 10)
        for line in full:
            self.assertEqual(len(line["text"]), 28, line["text"])
        indented = [line for line in page if abs(line["x0"] - 28 - 11.14) <= 1]
        for line in indented:
            if line["x1"] > 28 + 156 - 6:
                self.assertEqual(len(line["text"]), 26, line["text"])

    def test_line_pitch_is_fixed(self):
        page = [line for line in self.lines[1] if "—" not in line["text"]]
        pitches = {round(b["y0"] - a["y0"], 1) for a, b in zip(page, page[1:], strict=False)}
        self.assertEqual(pitches, {round(225 / 22, 1)})


class EscapingTests(TestCase):
    def test_markup_in_a_reply_prints_as_text_and_fetches_nothing(self):
        body = "\n".join(
            [
                "<script>alert(1)</script>",
                '<img src="file:///etc/passwd">',
                '<a rel="attachment" href="file:///etc/hostname">附件</a>',
                '<link rel="stylesheet" href="file:///dev/urandom">',
                "**<b>粗体</b>**",
            ]
        )
        reply = f.reply(f.assignment(f.proposal(), f.unit()), body=body)
        data = documents.reply_letter(reply).render()
        text = pdfutil.squash("".join(pdfutil.page_texts(data)))
        for line in body.splitlines():
            self.assertIn(pdfutil.squash(line.replace("**", "")), text)
        self.assertEqual(pdfutil.image_count(data), 0)
        self.assertNotIn(b"/EmbeddedFile", data)
