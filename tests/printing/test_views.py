"""Downloads as users meet them: who may print what, stored renders with ETag, forms, DOCX, batches."""

import io
from unittest import mock

from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from printing import documents
from printing.models import BatchJob, DocumentKind, RenderedDocument
from printing.typesetting import TypesetError
from proposals.models import Body
from replies.models import ReplyStatus
from tests import factories as f

from . import pdfutil
from .cases import huangshi


class Cast:
    @classmethod
    def cast(cls, **case):
        case = huangshi(**case)
        cls.case = case
        cls.reply = case["reply"]
        cls.feedback = case["feedback"]
        cls.unit = case["unit"]
        cls.clerk = f.clerk(cls.unit)
        cls.other_clerk = f.clerk(f.unit())
        cls.office = f.office(Body.CPPCC)
        cls.npc_office = f.office(Body.NPC)
        cls.supervisor = f.supervisor()
        cls.member_user = f.user()
        cls.lead = case["members"][0]
        cls.lead.user = cls.member_user
        cls.lead.save()
        cls.cosigner_user = f.user()
        case["members"][1].user = cls.cosigner_user
        case["members"][1].save()
        cls.outsider_member, _m = f.member_user()


class ReplyPdfAccessTests(Cast, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.cast()
        cls.draft = f.reply(f.assignment(f.proposal(lead=cls.lead), cls.unit), status=ReplyStatus.DRAFT)

    def url(self, reply=None):
        return reverse("printing:reply_pdf", args=[(reply or self.reply).pk])

    def test_the_units_clerk_the_office_the_supervisor_and_the_members_may_print_it(self):
        for user in (self.clerk, self.office, self.supervisor, self.member_user, self.cosigner_user):
            self.client.force_login(user)
            response = self.client.get(self.url())
            self.assertEqual(response.status_code, 200, user)
            self.assertEqual(response["Content-Type"], "application/pdf")

    def test_outsiders_get_404(self):
        for user in (self.other_clerk, self.npc_office, self.outsider_member):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.url()).status_code, 404, user)
            self.assertEqual(self.client.get(reverse("printing:reply_docx", args=[self.reply.pk])).status_code, 404)
            self.assertEqual(self.client.get(reverse("printing:reply_print", args=[self.reply.pk])).status_code, 404)

    def test_a_member_cannot_print_a_draft_but_its_clerk_can(self):
        self.client.force_login(self.member_user)
        self.assertEqual(self.client.get(self.url(self.draft)).status_code, 404)
        self.client.force_login(self.clerk)
        self.assertEqual(self.client.get(self.url(self.draft)).status_code, 200)

    def test_anonymous_users_are_sent_to_login(self):
        response = self.client.get(self.url())
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("login"), response["Location"])


class CachingTests(Cast, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.cast()

    def setUp(self):
        self.client.force_login(self.clerk)
        self.url = reverse("printing:reply_pdf", args=[self.reply.pk])

    def test_it_renders_once_then_streams_the_stored_file_with_an_etag(self):
        first = self.client.get(self.url)
        body = b"".join(first.streaming_content)
        etag = first["ETag"]
        self.assertTrue(etag.startswith('"') and len(etag) == 66)
        with mock.patch("printing.documents.TypstPrintable.render", side_effect=AssertionError("rendered again")):
            second = self.client.get(self.url)
            self.assertEqual(b"".join(second.streaming_content), body)
            self.assertEqual(second["ETag"], etag)
            not_modified = self.client.get(self.url, headers={"If-None-Match": etag})
        self.assertEqual(not_modified.status_code, 304)
        self.assertEqual(RenderedDocument.objects.filter(kind=DocumentKind.REPLY_LETTER).count(), 1)

    def test_a_change_to_the_reply_makes_a_new_version(self):
        # A letter signed and waiting for review can still change (an issued one never does).
        reply = f.reply(
            f.assignment(f.proposal(lead=self.lead), self.unit),
            status=ReplyStatus.IN_REVIEW,
            written_on=timezone.localdate(),
            contact_person="刘文明",
            contact_phone="6288824",
        )
        url = reverse("printing:reply_pdf", args=[reply.pk])
        first = self.client.get(url)
        old = RenderedDocument.objects.get(kind=DocumentKind.REPLY_LETTER, object_id=reply.pk)
        reply.contact_phone = "6288825"
        reply.save()
        response = self.client.get(url, headers={"If-None-Match": first["ETag"]})
        self.assertEqual(response.status_code, 200)
        self.assertNotEqual(response["ETag"], first["ETag"])
        self.assertIn("6288825", pdfutil.page_texts(b"".join(response.streaming_content))[-1])
        self.assertFalse(old.file.storage.exists(old.file.name))
        self.assertEqual(RenderedDocument.objects.filter(kind=DocumentKind.REPLY_LETTER, object_id=reply.pk).count(), 1)

    def test_a_change_to_the_unit_makes_a_new_version(self):
        first = self.client.get(self.url)
        self.unit.letterhead = "黄石市经济和信息化局"
        self.unit.save()
        second = self.client.get(self.url)
        self.assertNotEqual(first["ETag"], second["ETag"])

    def test_a_render_failure_shows_a_chinese_error_and_stores_nothing(self):
        with mock.patch("printing.typesetting.compile_pdf", side_effect=TypesetError("排版失败：测试")):
            response = self.client.get(self.url)
        self.assertEqual(response.status_code, 503)
        self.assertContains(response, "排版失败：测试", status_code=503)
        self.assertContains(response, "本次没有保存任何文件", status_code=503)
        self.assertFalse(RenderedDocument.objects.exists())

    def test_a_typesetter_crash_is_reported_the_same_way(self):
        with mock.patch("typst.Compiler.compile", side_effect=RuntimeError("boom")):
            response = self.client.get(self.url)
        self.assertEqual(response.status_code, 503)
        self.assertContains(response, "生成 PDF 失败", status_code=503)
        self.assertFalse(RenderedDocument.objects.exists())


class FeedbackFormTests(Cast, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.cast()
        cls.online = f.feedback(
            f.reply(f.assignment(f.proposal(lead=cls.lead), cls.unit)),
            cls.lead,
            by_phone=True,
            by_visit=False,
            satisfaction="basically",
            handling_effect="in_progress",
            publish_consent=False,
            opinion="<b>希望</b>继续推进",
            verification_code="K7Q29XWD",
            seal="0" * 64,
            seal_key_id="dev",
            received_by=cls.office,
            received_at=timezone.now(),
        )

    def get(self, user, fb):
        self.client.force_login(user)
        return self.client.get(reverse("printing:feedback_pdf", args=[fb.pk]))

    def test_owner_office_and_supervisor_may_print_it_others_get_404(self):
        for user in (self.member_user, self.office, self.supervisor, self.clerk):
            self.assertEqual(self.get(user, self.feedback).status_code, 200, user)
        for user in (self.cosigner_user, self.outsider_member, self.other_clerk, self.npc_office):
            self.assertEqual(self.get(user, self.feedback).status_code, 404, user)

    def test_the_signed_form_shows_exactly_the_ticked_boxes_and_the_verification_code(self):
        data = b"".join(self.get(self.member_user, self.online).streaming_content)
        pages = pdfutil.page_texts(data)
        self.assertEqual(len(pages), 1)
        text = pdfutil.squash(pages[0])
        self.assertIn("市人大代表建议政协委员提案办理情况征询意见表", text)
        self.assertEqual(text.count("☑"), 4)  # 电话联系, 正在解决, 基本满意, 否
        for ticked in ("电话联系☑", "正在解决☑", "基本满意☑", "否☑"):
            self.assertIn(ticked, text)
        for blank in ("上门走访☐", "满意☐", "不满意☐", "是☐"):
            self.assertIn(blank, text)
        # The body face has no boxes: each is drawn from the symbol face (BANLI_PDF_SYMBOL), not as a blank.
        import pdfplumber

        with pdfplumber.open(io.BytesIO(data)) as document:
            boxes = [c for c in document.pages[0].chars if c["text"] in "☑☐"]
        self.assertEqual(len(boxes), 15)
        self.assertEqual({c["fontname"].split("+")[-1] for c in boxes}, {"DejaVu-Sans"})
        self.assertIn("<b>希望</b>继续推进", text)
        self.assertIn("K7Q29XWD", text)
        self.assertIn("/verify/K7Q29XWD/", text)
        # One image: the QR code (square, a pixel a module); no signature image on this one.
        [(width, height, _mask)] = pdfutil.images(data)
        self.assertEqual(width, height)

    def test_the_signed_form_carries_a_qr_code_of_the_verify_address(self):
        from printing import documents

        # The configured public address wins; the request's own address is the fallback.
        with self.settings(BANLI_SITE_URL=""):
            printable = documents.feedback_form(self.online, site_url="https://banli.example.org/")
        qr = next(a for a in printable.assets if a.name == "qr")
        self.assertIn('src="banli-asset:qr"', printable.html)
        self.assertIn("https://banli.example.org/verify/K7Q29XWD/", printable.html)
        # The code of that address, a pixel a module: dark exactly where the symbol's modules are.
        import segno
        from PIL import Image

        symbol = segno.make("https://banli.example.org/verify/K7Q29XWD/", error="m")
        with Image.open(io.BytesIO(qr.data)) as image:
            self.assertEqual(image.size, symbol.symbol_size(scale=1, border=0))
            pixels = image.convert("L")
            dark = [[pixels.getpixel((x, y)) < 128 for x in range(image.width)] for y in range(image.height)]
        self.assertEqual(dark, [[bool(module) for module in row] for row in symbol.matrix])

    def test_a_paper_form_with_a_double_tick_prints_what_was_recorded(self):
        data = b"".join(self.get(self.office, self.feedback).streaming_content)
        text = pdfutil.squash(pdfutil.page_texts(data)[0])
        self.assertIn("上门走访☑", text)
        self.assertIn("解决或基本解决☑", text)
        for blank in ("满意☐", "基本满意☐", "不满意☐", "是☐", "否☐"):
            self.assertIn(blank, text)
        self.assertEqual(text.count("☑"), 2)
        self.assertIn("同时勾选了“满意”、“不满意”", text)
        self.assertIn("工作已推进措施得力", text)

    def signed_with(self, data):
        """A form submitted with `data` as its signature file (a sealed form's signature never changes later)."""
        from django.core.files.base import ContentFile
        from django.core.files.storage import default_storage

        name = default_storage.save("signatures/sig.png", ContentFile(data))
        return f.feedback(f.reply(f.assignment(f.proposal(lead=self.lead), self.unit)), self.lead, signature=name)

    def test_the_signature_image_is_embedded(self):
        from PIL import Image

        out = io.BytesIO()
        Image.new("RGB", (300, 100), "white").save(out, "PNG")
        form = self.signed_with(out.getvalue())
        data = b"".join(self.get(self.member_user, form).streaming_content)
        self.assertIn((300, 100, False), pdfutil.images(data))

    def test_a_transparent_signature_prints_as_dark_strokes_on_white(self):
        import pikepdf
        from PIL import Image, ImageDraw

        # As the signature pad draws it: near-black strokes on a transparent canvas.
        drawn = Image.new("LA", (300, 100), (0, 0))
        ImageDraw.Draw(drawn).line([(20, 80), (150, 20), (280, 80)], fill=(17, 255), width=6)
        out = io.BytesIO()
        drawn.save(out, "PNG")
        form = self.signed_with(out.getvalue())
        data = b"".join(self.get(self.member_user, form).streaming_content)
        with pikepdf.open(io.BytesIO(data)) as document:
            [signature] = [
                pikepdf.PdfImage(image)
                for image in document.pages[0].get_images().values()
                if (image.Width, image.Height) == (300, 100)
            ]
            self.assertIsNone(signature.obj.get("/SMask"))  # nothing behind it to show through
            printed = signature.as_pil_image().convert("L")
        self.assertEqual(printed.getpixel((5, 5)), 255)  # the paper: white, not black
        self.assertLess(printed.getpixel((150, 21)), 64)  # the stroke

    def test_finding_the_stored_form_decodes_no_image_and_a_new_signature_is_a_new_version(self):
        import pickle

        from PIL import Image, ImageFile

        from printing import documents

        out = io.BytesIO()
        Image.new("RGBA", (300, 100), (0, 0, 0, 0)).save(out, "PNG")
        form = self.signed_with(out.getvalue())
        with mock.patch.object(ImageFile.ImageFile, "load", side_effect=AssertionError("decoded")):
            printable = documents.feedback_form(form, site_url="https://banli.example.org/")
            version = printable.content_hash
        self.assertEqual([a.name for a in printable.assets], ["signature", "qr"])
        signature = printable.assets[0]
        self.assertTrue(signature.data.startswith(b"\x89PNG"))  # made when a render asks for it
        pickle.loads(pickle.dumps(printable.assets))  # batch printing hands them to worker processes
        out = io.BytesIO()
        Image.new("RGBA", (300, 100), (0, 0, 0, 255)).save(out, "PNG")
        with form.signature.storage.open(form.signature.name, "wb") as fh:  # not possible in the app: sealed
            fh.write(out.getvalue())
        self.assertNotEqual(documents.feedback_form(form, site_url="https://banli.example.org/").content_hash, version)

    def test_an_unreadable_signature_is_left_out_not_fatal(self):
        form = self.signed_with(b"<svg><image href='file:///etc/passwd'/></svg>")
        response = self.get(self.member_user, form)
        self.assertEqual(response.status_code, 200)
        # Only the QR code of the verify address is drawn.
        [(width, height, _mask)] = pdfutil.images(b"".join(response.streaming_content))
        self.assertEqual(width, height)

    def test_an_unsubmitted_form_prints_pre_filled_without_the_drafts_ticks(self):
        draft = f.feedback(
            f.reply(f.assignment(f.proposal(lead=self.lead), self.unit)),
            self.lead,
            submitted_at=None,
            opinion="草稿意见",
        )
        text = pdfutil.squash(pdfutil.page_texts(b"".join(self.get(self.member_user, draft).streaming_content))[0])
        self.assertIn("程玮", text)
        self.assertNotIn("☑", text)
        self.assertNotIn("草稿意见", text)
        self.assertNotIn("验证码", text)

    def test_the_paper_form_for_a_reply_is_pre_filled_and_blank_below(self):
        self.client.force_login(self.clerk)
        response = self.client.get(reverse("printing:reply_feedback_form", args=[self.reply.pk]))
        text = pdfutil.squash(pdfutil.page_texts(b"".join(response.streaming_content))[0])
        self.assertIn("程玮", text)
        self.assertIn("市经信局", text)
        self.assertIn("关于促进黄石市中小企业健康快速发展的提案", text)
        self.assertNotIn("☑", text)
        other = self.case["members"][2]
        response = self.client.get(reverse("printing:reply_feedback_form", args=[self.reply.pk]), {"member": other.pk})
        self.assertIn(other.name, pdfutil.squash(pdfutil.page_texts(b"".join(response.streaming_content))[0]))
        bad = self.client.get(reverse("printing:reply_feedback_form", args=[self.reply.pk]), {"member": 999999})
        self.assertEqual(bad.status_code, 404)
        self.client.force_login(self.other_clerk)
        self.assertEqual(
            self.client.get(reverse("printing:reply_feedback_form", args=[self.reply.pk])).status_code, 404
        )

    def test_the_blank_form_is_one_page_with_no_ticks(self):
        self.client.force_login(self.member_user)
        data = b"".join(self.client.get(reverse("printing:blank_feedback_form")).streaming_content)
        pages = pdfutil.page_texts(data)
        self.assertEqual(len(pages), 1)
        self.assertEqual(pdfutil.squash(pages[0]).count("☐"), 15)
        self.assertIn("签收时间", pages[0])

    def test_a_worker_at_boot_prints_the_blank_form_so_the_first_signed_form_does_not_wait(self):
        # What deploy/gunicorn.conf.py's post_worker_init runs: both engines print once.
        data = documents.warm()
        pages = pdfutil.page_texts(data)
        self.assertEqual(len(pages), 1)
        self.assertIn("征询意见表", pdfutil.squash(pages[0]))
        self.assertFalse(RenderedDocument.objects.exists())  # a warm-up stores nothing


class PreviewAndDocxTests(Cast, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.cast(body_suffix="\n<script>alert(1)</script>")

    def test_the_print_preview_is_the_letter_in_html_with_user_text_escaped(self):
        self.client.force_login(self.clerk)
        response = self.client.get(reverse("printing:reply_print", args=[self.reply.pk]))
        self.assertContains(response, "湖北省黄石市经济和信息化局")
        self.assertContains(response, '<html lang="zh-CN">')
        self.assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")
        self.assertNotContains(response, "<script>alert")
        # The body's structure, never its old markup: a bold lead-in is a styled span.
        self.assertContains(response, '<p class="para h3"><span class="heading">破解用地难方面</span>')
        self.assertContains(response, '<p class="para h1"><span class="heading">一、支持企业转型</span>')
        self.assertNotContains(response, "**")
        self.assertContains(response, reverse("printing:reply_pdf", args=[self.reply.pk]))

    def test_the_docx_has_the_letters_content(self):
        from docx import Document

        self.client.force_login(self.member_user)
        response = self.client.get(reverse("printing:reply_docx", args=[self.reply.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment; filename*=utf-8''", response["Content-Disposition"])  # the title, not ASCII
        doc = Document(io.BytesIO(b"".join(response.streaming_content)))
        text = [p.text for p in doc.paragraphs]
        head = [p.text for p in doc.sections[0].first_page_header.paragraphs]
        self.assertIn("湖北省黄石市经济和信息化局", head)
        self.assertIn(self.reply.title, [t.replace("\n", "") for t in text])
        self.assertIn("一、支持企业转型", text)
        self.assertIn("2021年9月6日", text)
        self.assertIn("<script>alert(1)</script>", "".join(text))  # printed as text
        self.assertNotIn("**", "".join(text))
        self.assertAlmostEqual(doc.sections[0].top_margin.mm, 37, places=0)
        self.assertAlmostEqual(doc.sections[0].left_margin.mm, 28, places=0)


class BatchTests(Cast, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.cast()
        cls.session = cls.reply.assignment.proposal.session
        cls.second = f.reply(f.assignment(f.proposal(session=cls.session, serial=200), f.unit()))
        f.reply(f.assignment(f.proposal(session=cls.session), f.unit()), status=ReplyStatus.DRAFT)

    def ask(self, **data):
        return self.client.post(reverse("printing:batch"), {"session": self.session.pk, **data})

    def test_a_supervisor_gets_the_issued_letters_of_a_session_in_one_pdf(self):
        self.client.force_login(self.supervisor)
        page = self.client.get(reverse("printing:batch"))
        self.assertContains(page, self.session.name)
        response = self.ask(with_forms="on")
        job = BatchJob.objects.get()
        self.assertRedirects(response, reverse("printing:batch_detail", args=[job.pk]))
        status = self.client.get(reverse("printing:batch_status", args=[job.pk])).json()
        self.assertEqual((status["status"], status["done"], status["total"], status["percent"]), ("done", 3, 3, 100))
        detail = self.client.get(reverse("printing:batch_detail", args=[job.pk]))
        self.assertContains(detail, 'value="100"')
        self.assertContains(detail, status["download_url"])
        data = b"".join(self.client.get(status["download_url"]).streaming_content)
        single = b"".join(self.client.get(reverse("printing:reply_pdf", args=[self.reply.pk])).streaming_content)
        single_pages = len(pdfutil.reader(single).pages)
        pages = pdfutil.page_texts(data)
        # seed letter, its paper form, the second (one-page) letter; the draft is left out
        self.assertEqual(len(pages), single_pages + 2)
        self.assertIn("征询意见表", pages[single_pages])
        # each letter keeps its own numbering: the second letter's only page has no number
        self.assertNotIn("— ", pages[-1])

    def test_others_get_404(self):
        self.client.force_login(self.supervisor)
        self.ask()
        job = BatchJob.objects.get()
        other_supervisor = f.supervisor()
        for user in (self.clerk, self.office, self.member_user, other_supervisor):
            self.client.force_login(user)
            if user == self.member_user:
                self.assertEqual(self.client.get(reverse("printing:batch")).status_code, 404)
                self.assertEqual(self.ask().status_code, 404)
            for name in ("printing:batch_detail", "printing:batch_status", "printing:batch_download"):
                self.assertEqual(self.client.get(reverse(name, args=[job.pk])).status_code, 404, (user, name))

    def test_a_batch_over_the_limit_is_refused_with_a_message(self):
        self.client.force_login(self.supervisor)
        with self.settings(BANLI_PDF_BATCH_MAX=1):
            response = self.ask()
        self.assertContains(response, "一次最多打印 1 份文件，本次选择了 2 份", status_code=400)
        self.assertFalse(BatchJob.objects.exists())

    def test_a_missing_session_is_an_error_next_to_the_field(self):
        self.client.force_login(self.supervisor)
        response = self.client.post(reverse("printing:batch"), {"session": ""})
        self.assertContains(response, "请选择会次。", status_code=400)

    def test_a_failed_render_marks_the_job_failed_with_a_message(self):
        self.client.force_login(self.supervisor)
        with mock.patch("printing.typesetting.compile_pdf", side_effect=TypesetError("排版失败：测试")):
            self.ask()
        job = BatchJob.objects.get()
        self.assertEqual(job.status, "failed")
        self.assertIn("排版失败：测试", job.error)
        self.assertEqual(self.client.get(reverse("printing:batch_download", args=[job.pk])).status_code, 404)

    def test_a_job_left_unfinished_by_a_restart_is_reported_as_interrupted(self):
        self.client.force_login(self.supervisor)
        job = BatchJob.objects.create(
            requested_by=self.supervisor,
            session=self.session,
            status="running",
            total=2,
            created_at=timezone.now() - timezone.timedelta(hours=1),
        )
        status = self.client.get(reverse("printing:batch_status", args=[job.pk])).json()
        self.assertEqual(status["status"], "failed")
        self.assertIn("请重新生成", status["error"])

    def test_the_command_prints_only_the_given_replies(self):
        out = f"{self._media()}/one.pdf"
        call_command(
            "print_batch",
            "--session",
            self.session.pk,
            "--ids",
            str(self.second.pk),
            "-o",
            out,
            stdout=io.StringIO(),
        )
        with open(out, "rb") as fh:
            self.assertEqual(len(pdfutil.reader(fh.read()).pages), 1)

    def test_the_command_writes_the_merged_pdf(self):
        out = f"{self._media()}/batch.pdf"
        call_command("print_batch", "--session", self.session.pk, "-o", out, stdout=io.StringIO())
        with open(out, "rb") as fh:
            self.assertGreaterEqual(len(pdfutil.reader(fh.read()).pages), 3)

    def _media(self):
        from django.conf import settings

        settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
        return settings.MEDIA_ROOT
