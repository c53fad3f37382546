"""Under the English screens, what leaves the system or is kept on record stays Chinese.

Printed reply letters and feedback forms are Chinese official documents; e-mails go to
deputies, members and units; timeline notes and sealed forms are records everyone reads.
"""

import io
import zipfile

from django.core import mail
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone, translation

from printing import documents
from printing.docx import reply_docx
from proposals.models import AssignmentStatus, Body, Event, EventVerb
from tests import factories as f
from tests.printing import pdfutil

from .catalogue import ensure_compiled


def pdf_bytes(response):
    return b"".join(response.streaming_content)


class Cast(TestCase):
    @classmethod
    def setUpTestData(cls):
        ensure_compiled()
        cls.unit = f.unit(name="黄石市经济和信息化局", short_name="市经信局", email="jx@example.gov.cn")
        cls.member_user, cls.lead = f.member_user(name="程玮")
        cls.proposal = f.proposal(f.session(Body.CPPCC), lead=cls.lead, title="关于降低中小企业用电成本的提案")
        cls.assignment = f.assignment(
            cls.proposal, cls.unit, assigned_on=timezone.localdate() - timezone.timedelta(days=120)
        )
        cls.reply = f.reply(cls.assignment, contact_person="刘科长", contact_phone="0714-1234567", cc="市发改委")
        cls.feedback = f.feedback(cls.reply, verification_code="ABCD-EFGH")
        cls.supervisor = f.supervisor()
        cls.clerk = f.clerk(cls.unit)

    def english(self, user):
        self.client.force_login(user)
        self.client.post(reverse("set_language"), {"language": "en", "next": "/"})


class PrintedDocumentsTest(Cast):
    def test_the_blank_feedback_form_pdf_is_chinese_under_the_english_ui(self):
        self.english(self.member_user)
        response = self.client.get(reverse("printing:blank_feedback_form"))
        self.assertEqual(response.status_code, 200)
        text = pdfutil.squash("".join(pdfutil.page_texts(pdf_bytes(response))))
        self.assertIn("市人大代表建议政协委员提案办理情况征询意见表", text)
        self.assertIn("建议人或提案人签名", text)
        self.assertNotIn("Feedbackform", text)
        self.assertNotIn("Signature", text)

    def test_the_signed_feedback_form_pdf_is_chinese_under_the_english_ui(self):
        self.english(self.member_user)
        response = self.client.get(reverse("printing:feedback_pdf", args=[self.feedback.pk]))
        self.assertEqual(response.status_code, 200)
        text = pdfutil.squash("".join(pdfutil.page_texts(pdf_bytes(response))))
        self.assertIn("满意", text)
        self.assertIn("验证码", text)
        self.assertNotIn("Satisfied", text)

    def test_the_reply_letter_pdf_is_chinese_under_the_english_ui(self):
        self.english(self.clerk)
        response = self.client.get(reverse("printing:reply_pdf", args=[self.reply.pk]))
        self.assertEqual(response.status_code, 200)
        text = pdfutil.squash("".join(pdfutil.page_texts(pdf_bytes(response))))
        self.assertIn("联系人：刘科长", text)
        self.assertIn("抄送：市发改委", text)
        self.assertNotIn("Copyto", text)

    def test_the_word_letter_is_chinese_under_the_english_ui(self):
        with translation.override("en"):
            data = reply_docx(self.reply)
        xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
        self.assertIn("抄送", xml)
        self.assertNotIn("Copy to", xml)

    def test_one_stored_version_whatever_the_language(self):
        """The same HTML in both languages, so the cached PDF is shared, not rendered twice."""
        with translation.override("en"):
            english = [documents.blank_form().text, documents.reply_letter(self.reply).text]
        chinese = [documents.blank_form().text, documents.reply_letter(self.reply).text]
        self.assertEqual(english, chinese)
        self.assertEqual(translation.get_language(), "zh-hans")  # the override is undone afterwards


class MailAndRecordsTest(Cast):
    def urge(self):
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(
                reverse("supervision:urge", args=[self.assignment.pk]),
                {"method": "phone", "note": "", "next": "/dashboard/list/overdue/"},
            )

    def test_a_reminder_sent_from_the_english_ui_is_chinese_and_so_is_its_timeline_note(self):
        self.english(self.supervisor)
        response = self.urge()
        self.assertEqual(response.status_code, 302)
        self.assertEqual(len(mail.outbox), 1)
        message = mail.outbox[0]
        self.assertTrue(message.subject.startswith("【催办】"))
        self.assertIn("请抓紧办理并按时答复", message.body)
        self.assertIn("主办", message.body)
        event = Event.objects.get(verb=EventVerb.URGED)
        self.assertTrue(event.note.startswith("电话"), event.note)
        # ... and the user's own confirmation is in English.
        page = self.client.get(response["Location"]).content.decode()
        self.assertIn("reminded", page)

    def test_the_timeline_is_shown_in_english_but_kept_in_chinese(self):
        self.english(self.supervisor)
        self.urge()
        page = self.client.get(self.proposal.get_absolute_url()).content.decode()
        self.assertIn("<strong>Reminder</strong>", page)
        self.client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
        page = self.client.get(self.proposal.get_absolute_url()).content.decode()
        self.assertIn("<strong>催办</strong>", page)


class DraftingTest(Cast):
    def test_a_reply_drafted_under_the_english_ui_addresses_the_member_in_chinese(self):
        # The 主送 line is filled in for the clerk and saved as the letter's text.
        proposal = f.proposal(self.proposal.session, lead=self.lead, title="关于加强中小学课后服务的提案")
        assignment = f.assignment(proposal, self.unit, status=AssignmentStatus.HANDLING)
        self.english(self.clerk)
        page = self.client.get(reverse("replies:create", args=[assignment.pk])).content.decode()
        self.assertIn("Addressees", page)
        self.assertIn('value="程玮委员"', page)
        self.assertNotIn("程玮member", page)

    def test_the_letter_on_screen_keeps_its_chinese_note_under_the_english_ui(self):
        # The web copy of the letter prints its 附注 as the paper letter does.
        note = "（联系人：刘科长；联系电话：0714-1234567）"
        self.english(self.member_user)
        self.assertIn(note, self.client.get(reverse("feedback:reply", args=[self.reply.pk])).content.decode())
        self.english(self.clerk)
        self.assertIn(note, self.client.get(self.proposal.get_absolute_url()).content.decode())
        self.assertNotIn("Contact person：", self.client.get(self.proposal.get_absolute_url()).content.decode())
