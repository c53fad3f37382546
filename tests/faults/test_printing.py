"""A PDF engine failing: WeasyPrint (forms) or Typst (letters) raising. The user gets a Chinese
503 page, nothing is cached, and the next request renders normally."""

from unittest import mock

import typst
from django.conf import settings as django_settings
from django.test import TestCase

from printing.models import RenderedDocument
from tests import factories as f

from .test_disk_full import files_under


class RenderFaultTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        proposal = f.proposal()
        cls.reply = f.reply(f.assignment(proposal, f.unit()))
        cls.feedback = f.feedback(cls.reply, verification_code="K7Q29XWD")
        cls.supervisor = f.supervisor()

    def setUp(self):
        self.client.force_login(self.supervisor)
        self.letter = f"/replies/{self.reply.pk}/pdf/"
        self.form = f"/feedback/{self.feedback.pk}/pdf/"

    def assert_nothing_kept(self):
        self.assertFalse(RenderedDocument.objects.exists())
        self.assertEqual(files_under(django_settings.MEDIA_ROOT), [])

    def test_weasyprint_raising_gives_a_503_page_in_chinese(self):
        with mock.patch("weasyprint.HTML.write_pdf", side_effect=MemoryError("out of memory")):
            response = self.client.get(self.form)
        self.assertContains(response, "生成 PDF 失败：MemoryError", status_code=503)
        self.assertContains(response, "无法生成文件", status_code=503)
        self.assert_nothing_kept()

    def test_typst_failing_gives_a_503_page_in_chinese_and_the_next_request_works(self):
        failure = typst.TypstError("out of memory", "error: out of memory", [], [])
        with mock.patch("typst.Compiler.compile", side_effect=failure):
            response = self.client.get(self.letter)
        self.assertContains(response, "排版失败：out of memory", status_code=503)
        self.assertContains(response, "本次没有保存任何文件", status_code=503)
        self.assert_nothing_kept()

        self.assertEqual(self.client.get(self.letter).status_code, 200)
        self.assertEqual(RenderedDocument.objects.count(), 1)
