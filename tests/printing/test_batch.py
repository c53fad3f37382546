"""Batch printing in a process pool: the same merged PDF as one process, each document stored
once, stored versions reused, and a render error in a worker reported as in one process."""

from multiprocessing import get_context
from unittest import mock

from django.test import TestCase

from printing import batch
from printing.models import RenderedDocument
from printing.pdf import PrintError
from replies.models import Reply, ReplyStatus
from tests import factories as f

from . import pdfutil
from .test_views import Cast


class PoolTests(Cast, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.cast()
        session = cls.reply.assignment.proposal.session
        letters = [
            f.reply(
                f.assignment(f.proposal(session=session, serial=serial), f.unit()),
                body="一、总体情况\n今年以来，我们认真办理代表建议。\n二、下一步工作\n继续推进。",
                # Printed for review before issue: a letter that may still change (an issued one never does).
                status=ReplyStatus.IN_REVIEW,
                written_on=session.opens_on,
            )
            for serial in (201, 202)
        ]
        # Two short letters and the seed's signed form (its signature and QR code travel to the workers).
        cls.jobs = [("reply", letters[0].pk), ("feedback", cls.feedback.pk), ("reply", letters[1].pk)]

    def build(self, workers):
        # Fork even if some library started a thread, so that the mocks below reach the workers.
        with (
            mock.patch.object(batch, "MIN_POOL_JOBS", 1),
            mock.patch.object(batch, "_pool_context", lambda: get_context("fork")),
        ):
            return batch.build(self.jobs, limit=100, workers=workers)

    def test_the_pool_prints_what_one_process_prints_and_stores_each_document_once(self):
        pooled = self.build(workers=2)
        self.assertEqual(RenderedDocument.objects.count(), len(self.jobs))
        RenderedDocument.objects.all().delete()
        serial = self.build(workers=1)
        self.assertEqual(pdfutil.page_texts(pooled), pdfutil.page_texts(serial))
        self.assertEqual(len(pdfutil.reader(pooled).pages), 3)
        self.assertIn("征询意见表", pdfutil.squash(pdfutil.page_texts(pooled)[1]))

    def test_stored_versions_are_merged_without_rendering_again(self):
        first = self.build(workers=2)
        with mock.patch("printing.pdf.render_pdf", side_effect=AssertionError("rendered again")):
            again = self.build(workers=2)
        self.assertEqual(pdfutil.page_texts(again), pdfutil.page_texts(first))

    def test_a_changed_letter_is_rendered_again_and_the_others_reused(self):
        self.build(workers=2)
        changed = Reply.objects.filter(assignment__proposal__serial=201).get()
        changed.body += "\n三、联系方式\n如有意见，请来电。"
        changed.save()
        rendered = []
        real = batch._render_many

        def counting(items, workers):
            rendered.extend(item.object_id for item in items)
            return real(items, workers)

        with mock.patch.object(batch, "_render_many", counting):
            data = self.build(workers=2)
        self.assertEqual(rendered, [changed.pk])
        self.assertIn("如有意见，请来电", pdfutil.squash("".join(pdfutil.page_texts(data))))

    def test_a_stored_row_whose_file_is_gone_is_rendered_again(self):
        self.build(workers=2)
        doc = RenderedDocument.objects.get(kind="feedback_form")
        doc.file.storage.delete(doc.file.name)
        data = self.build(workers=2)
        self.assertIn("征询意见表", pdfutil.squash(pdfutil.page_texts(data)[1]))
        stored = RenderedDocument.objects.get(kind="feedback_form")
        self.assertTrue(stored.file.storage.exists(stored.file.name))

    def test_a_render_error_in_a_worker_fails_the_batch_with_its_message(self):
        with (
            mock.patch("printing.pdf.render_pdf", side_effect=PrintError("生成 PDF 失败：测试")),
            self.assertRaisesMessage(PrintError, "生成 PDF 失败：测试"),
        ):
            self.build(workers=2)
        self.assertFalse(RenderedDocument.objects.exists())
