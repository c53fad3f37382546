"""WeasyPrint failing: raising, or running past BANLI_PDF_RENDER_SECONDS. Either way the user
gets a Chinese 503 page, nothing is cached, and the next request renders normally."""

import threading
import time
from unittest import mock

from django.conf import settings as django_settings
from django.test import TestCase, override_settings

from printing.models import RenderedDocument
from tests import factories as f

from .test_disk_full import files_under


def render_threads():
    return [t for t in threading.enumerate() if t.name == "pdf-render" and t.is_alive()]


def spin_forever(*args, **kwargs):
    """A render that never ends (pure Python, as WeasyPrint's layout is): only cancelling stops it."""
    started = time.monotonic()
    while time.monotonic() - started < 60:
        sum(range(1000))
    raise AssertionError("the render was not stopped")


class RenderFaultTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        proposal = f.proposal()
        cls.reply = f.reply(f.assignment(proposal, f.unit()))
        cls.feedback = f.feedback(cls.reply, verification_code="K7Q29XWD")
        cls.supervisor = f.supervisor()

    def setUp(self):
        self.client.force_login(self.supervisor)
        self.urls = [f"/replies/{self.reply.pk}/pdf/", f"/feedback/{self.feedback.pk}/pdf/"]

    def assert_nothing_kept(self):
        self.assertFalse(RenderedDocument.objects.exists())
        self.assertEqual(files_under(django_settings.MEDIA_ROOT), [])

    def test_weasyprint_raising_gives_a_503_page_in_chinese(self):
        for url in self.urls:
            with mock.patch("weasyprint.HTML.write_pdf", side_effect=MemoryError("out of memory")):
                response = self.client.get(url)
            self.assertContains(response, "生成 PDF 失败：MemoryError", status_code=503)
            self.assertContains(response, "无法生成文件", status_code=503)
        self.assert_nothing_kept()

    @override_settings(BANLI_PDF_RENDER_SECONDS=0.5)
    def test_a_render_past_the_time_limit_is_stopped_with_a_clear_503(self):
        started = time.monotonic()
        with mock.patch("weasyprint.HTML.write_pdf", side_effect=spin_forever):
            response = self.client.get(self.urls[0])
        self.assertLess(time.monotonic() - started, 5)
        self.assertContains(response, "生成 PDF 超时：超过 0.5 秒仍未完成，已停止生成。", status_code=503)
        self.assertContains(response, "本次没有保存任何文件", status_code=503)
        self.assert_nothing_kept()
        # The render itself was stopped, not left running in the background.
        deadline = time.monotonic() + 5
        while render_threads() and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(render_threads(), [])

        # The process is fine afterwards: the same download works and is kept.
        with self.settings(BANLI_PDF_RENDER_SECONDS=30):
            response = self.client.get(self.urls[0])
        self.assertEqual(response.status_code, 200)
        self.assertEqual(RenderedDocument.objects.count(), 1)

    @override_settings(BANLI_PDF_RENDER_SECONDS=20)
    def test_a_render_within_the_limit_is_not_disturbed(self):
        for url in self.urls:
            self.assertEqual(self.client.get(url).status_code, 200)
        self.assertEqual(RenderedDocument.objects.count(), 2)
