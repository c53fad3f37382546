"""Batch printing: the letters typeset as one document per chunk, each letter with its own page
numbers, its signed forms right after it, and the same pages however the letters are chunked."""

from unittest import mock

from django.test import TestCase

from printing import batch
from printing.pdf import PrintError
from tests import factories as f

from . import pdfutil
from .test_views import Cast


class BatchBuildTests(Cast, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.cast()
        session = cls.reply.assignment.proposal.session
        cls.short = [
            f.reply(
                f.assignment(f.proposal(session=session, serial=serial), f.unit()),
                body="一、总体情况\n今年以来，我们认真办理代表建议。\n二、下一步工作\n继续推进。",
            )
            for serial in (201, 202)
        ]
        cls.replies = [cls.reply, *cls.short]

    def test_each_letter_starts_a_page_and_numbers_its_own_pages(self):
        data = batch.build(self.replies, limit=100)
        texts = pdfutil.page_texts(data)
        seed_pages = len(pdfutil.page_texts(batch.letters.render_with_starts([self.reply])[0]))
        self.assertEqual(len(texts), seed_pages + 2)
        # The seed letter: no number on its page 1, then — 2 — … on the others.
        self.assertNotIn("—", texts[0].splitlines()[-1])
        for number, text in enumerate(texts[1:seed_pages], start=2):
            self.assertIn(f"— {number} —", text)
        # Each short letter is one page: its page 1, so again no number.
        for text in texts[seed_pages:]:
            self.assertNotIn("— ", text)
            self.assertIn("一、总体情况", text)

    def test_forms_follow_their_letter(self):
        data = batch.build(self.replies, limit=100, with_forms=True)
        texts = pdfutil.page_texts(data)
        seed_pages = len(pdfutil.page_texts(batch.letters.render_with_starts([self.reply])[0]))
        self.assertEqual(len(texts), seed_pages + 3)
        self.assertIn("征询意见表", texts[seed_pages])
        self.assertIn("一、总体情况", texts[seed_pages + 1])

    def test_chunks_give_the_same_pages_and_report_progress(self):
        whole = [pdfutil.squash(t) for t in pdfutil.page_texts(batch.build(self.replies, limit=100, with_forms=True))]
        seen = []
        with mock.patch.object(batch, "CHUNK", 1):
            chunked = batch.build(self.replies, limit=100, with_forms=True, progress=lambda d, t: seen.append((d, t)))
        self.assertEqual([pdfutil.squash(t) for t in pdfutil.page_texts(chunked)], whole)
        self.assertEqual(seen, [(2, 4), (3, 4), (4, 4)])

    def test_fonts_are_embedded_once_per_chunk_not_once_per_letter(self):
        reader = pdfutil.reader(batch.build(self.replies, limit=100))
        fonts = set()
        for page in reader.pages:
            for font in page["/Resources"]["/Font"].values():
                fonts.add(font.get_object()["/BaseFont"])
        # title, body, headings: a handful of subsets for three letters
        self.assertLessEqual(len(fonts), 5)

    def test_a_batch_prints_each_letter_as_its_own_download_does(self):
        # The batch's fonts are cut down to its characters: the same faces, every character kept.
        whole = pdfutil.page_texts(batch.build(self.replies, limit=100))
        alone = [
            text for reply in self.replies for text in pdfutil.page_texts(batch.letters.render_with_starts([reply])[0])
        ]
        self.assertEqual([pdfutil.squash(t) for t in whole], [pdfutil.squash(t) for t in alone])
        single = {
            f
            for page in pdfutil.reader(batch.letters.render_with_starts([self.reply])[0]).pages
            for f in _families(page)
        }
        batched = {f for page in pdfutil.reader(batch.build([self.reply], limit=1)).pages for f in _families(page)}
        self.assertEqual(batched, single)

    def test_the_cut_down_fonts_are_removed_after_the_batch(self):
        import tempfile
        from pathlib import Path

        before = set(Path(tempfile.gettempdir()).glob("banli-fonts-*"))
        batch.build(self.replies, limit=100)
        self.assertEqual(set(Path(tempfile.gettempdir()).glob("banli-fonts-*")), before)

    def test_too_many_documents_are_refused_before_any_work(self):
        with mock.patch("printing.letters.typesetter") as render, self.assertRaises(batch.BatchTooLarge):
            batch.build(self.replies, limit=2)
        render.assert_not_called()

    def test_nothing_to_print_is_an_error(self):
        with self.assertRaises(PrintError):
            batch.build([], limit=10)


def _families(page):
    """The font families a page uses (the subset tag before '+' dropped)."""
    return {str(font.get_object()["/BaseFont"]).split("+")[-1] for font in page["/Resources"]["/Font"].values()}
