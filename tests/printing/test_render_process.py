"""PDFs rendered in a process of their own (BANLI_PDF_RENDER_PROCESS, as deploy/banli.env sets it):
the download is the same, the web process does not render, a render past its deadline is killed
with its process, and a render process that dies is replaced on the next download."""

import os
import signal
import threading
import time
from unittest import mock

from django.test import TestCase, override_settings

from printing import pdf
from printing.models import RenderedDocument
from tests import factories as f

from . import pdfutil

# A document that takes WeasyPrint many seconds (hundreds of pages): past any deadline below.
ENDLESS = "<p>" + "办理情况征询意见表。" * 40 + "</p>"
ENDLESS = ENDLESS * 4000


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A killed child that nobody has reaped yet still answers; its state says it is a zombie.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(") ", 1)[1][0] != "Z"


@override_settings(BANLI_PDF_RENDER_PROCESS=True, BANLI_PDF_RENDER_NICE=5, BANLI_PDF_RENDER_SECONDS=30)
class RenderProcessTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.reply = f.reply(f.assignment(f.proposal(), f.unit()), body="现答复如下：\n一、基本情况\n渲染进程测试。")
        cls.supervisor = f.supervisor()

    def setUp(self):
        self.addCleanup(pdf.render_process().stop)
        self.client.force_login(self.supervisor)

    def download(self):
        return self.client.get(f"/replies/{self.reply.pk}/pdf/")

    def test_the_download_is_rendered_in_another_process_at_a_lower_priority(self):
        # Rendering here would raise: the PDF can only have come from the render process.
        with mock.patch.object(pdf, "_write_pdf_now", side_effect=AssertionError("rendered in the web process")):
            response = self.download()
        self.assertEqual(response.status_code, 200)
        data = b"".join(response.streaming_content)
        self.assertIn("渲染进程测试。", pdfutil.squash("".join(pdfutil.page_texts(data))))
        child = pdf.render_process().process.pid
        self.assertNotEqual(child, os.getpid())
        self.assertTrue(alive(child))
        self.assertEqual(os.getpriority(os.PRIO_PROCESS, child) - os.getpriority(os.PRIO_PROCESS, 0), 5)

    def test_a_render_past_the_deadline_is_killed_with_its_process_and_a_clear_503(self):
        pdf.render_pdf("<p>预热</p>")  # started and warm: the deadline below is the render's own
        child = pdf.render_process().process.pid
        started = time.monotonic()
        with self.settings(BANLI_PDF_RENDER_SECONDS=0.5), self.assertRaises(pdf.RenderTimeout) as raised:
            pdf.render_pdf(ENDLESS)
        self.assertLess(time.monotonic() - started, 5)
        self.assertEqual(str(raised.exception), "生成 PDF 超时：超过 0.5 秒仍未完成，已停止生成。")
        self.assertFalse(alive(child))

        # Through the view: the Chinese 503 page, and nothing kept.
        long_reply = f.reply(f.assignment(f.proposal(), f.unit()), body="现答复如下：\n" + "正在推进。" * 5900)
        with self.settings(BANLI_PDF_RENDER_SECONDS=0.5):
            response = self.client.get(f"/replies/{long_reply.pk}/pdf/")
        self.assertContains(response, "生成 PDF 超时：超过 0.5 秒仍未完成，已停止生成。", status_code=503)
        self.assertFalse(RenderedDocument.objects.exists())

        # The next download starts a new process and works.
        self.assertEqual(self.download().status_code, 200)
        self.assertNotEqual(pdf.render_process().process.pid, child)

    def test_a_render_process_that_dies_under_a_render_is_replaced_on_the_next_download(self):
        pdf.render_pdf("<p>预热</p>")
        child = pdf.render_process().process.pid
        threading.Timer(0.5, os.kill, (child, signal.SIGKILL)).start()
        with self.assertRaises(pdf.PrintError) as raised:
            pdf.render_pdf(ENDLESS)
        self.assertEqual(str(raised.exception), "生成 PDF 失败：渲染进程意外退出")
        response = self.download()
        self.assertEqual(response.status_code, 200)
        self.assertTrue(b"".join(response.streaming_content).startswith(b"%PDF"))

    def test_a_failed_render_says_why_and_keeps_the_process(self):
        pdf.render_pdf("<p>预热</p>")
        child = pdf.render_process().process.pid
        with self.assertRaises(pdf.PrintError) as raised:
            pdf.render_pdf("<p>x</p>", stylesheets=["css/no-such-sheet.css"])
        self.assertIn("css/no-such-sheet.css", str(raised.exception))
        with self.assertRaises(pdf.PrintError) as raised:
            pdf.render_pdf(None)  # not a document: WeasyPrint raises, the message names the error
        self.assertRegex(str(raised.exception), r"^生成 PDF 失败：\w+Error$")
        self.assertEqual(pdf.render_process().process.pid, child)
        self.assertTrue(pdf.render_pdf("<p>之后</p>").startswith(b"%PDF"))

    def test_downloads_from_several_threads_take_turns_through_one_process(self):
        results = []
        threads = [
            threading.Thread(target=lambda n=n: results.append(pdf.render_pdf(f"<p>第{n}份</p>"))) for n in range(4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(len(results), 4)
        texts = sorted(pdfutil.squash("".join(pdfutil.page_texts(data))) for data in results)
        self.assertEqual(texts, ["第0份", "第1份", "第2份", "第3份"])
