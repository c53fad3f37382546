"""Mailing packets (the letter and the forms to sign, one PDF) and batch printing for offices and units."""

from django.test import TestCase
from django.urls import reverse

from printing.models import BatchJob
from proposals.models import Body
from replies.models import ReplyStatus
from tests import factories as f

from . import pdfutil
from .test_views import Cast


class ReplyPacketTests(Cast, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.cast()

    def packet(self, user, reply=None):
        self.client.force_login(user)
        return self.client.get(reverse("printing:reply_packet", args=[(reply or self.reply).pk]))

    def test_the_packet_is_the_letter_then_a_prefilled_form(self):
        response = self.packet(self.clerk)
        self.assertEqual(response["Content-Type"], "application/pdf")
        pages = pdfutil.page_texts(b"".join(response.streaming_content))
        letter = b"".join(self.client.get(reverse("printing:reply_pdf", args=[self.reply.pk])).streaming_content)
        letter_pages = len(pdfutil.reader(letter).pages)
        self.assertEqual(len(pages), letter_pages + 1)  # the lead member's form (BANLI_FEEDBACK_FROM=lead)
        self.assertIn("征询意见表", pages[-1])
        self.assertIn("110", pdfutil.squash(pages[-1]))

    def test_with_every_member_answering_each_gets_a_form(self):
        with self.settings(BANLI_FEEDBACK_FROM="all"):
            pages = pdfutil.page_texts(b"".join(self.packet(self.office).streaming_content))
        self.assertEqual(sum("征询意见表" in page for page in pages), len(self.case["members"]))

    def test_members_may_not_print_the_packet_and_strangers_do_not_find_it(self):
        self.assertEqual(self.packet(self.member_user).status_code, 403)
        for user in (self.other_clerk, self.npc_office, self.outsider_member):
            self.assertEqual(self.packet(user).status_code, 404, user)

    def test_a_draft_has_no_packet(self):
        draft = f.reply(f.assignment(f.proposal(lead=self.lead), self.unit), status=ReplyStatus.DRAFT)
        self.assertEqual(self.packet(self.clerk, draft).status_code, 404)

    def test_the_reply_page_offers_word_forms_and_the_packet_beside_the_pdf(self):
        self.client.force_login(self.clerk)
        page = self.client.get(self.reply.assignment.proposal.get_absolute_url())
        for name in (
            "printing:reply_pdf",
            "printing:reply_docx",
            "printing:reply_packet",
            "printing:reply_feedback_form",
        ):
            self.assertContains(page, reverse(name, args=[self.reply.pk]))
        self.assertContains(page, reverse("printing:blank_feedback_form"))
        self.assertContains(page, "下载 Word")
        # The member reads the letter with its PDF and Word, not the office's paper forms.
        self.client.force_login(self.member_user)
        page = self.client.get(reverse("feedback:reply", args=[self.reply.pk]))
        self.assertContains(page, reverse("printing:reply_docx", args=[self.reply.pk]))
        self.assertNotContains(page, reverse("printing:reply_packet", args=[self.reply.pk]))


class BatchScopeTests(Cast, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.cast()
        cls.session = cls.reply.assignment.proposal.session
        cls.other_unit = f.unit("别的局", "别的局")
        cls.others = f.reply(f.assignment(f.proposal(session=cls.session, serial=300), cls.other_unit))

    def ask(self, user, **data):
        self.client.force_login(user)
        return self.client.post(reverse("printing:batch"), {"session": self.session.pk, **data})

    def printed(self, user, **data):
        response = self.ask(user, **data)
        job = BatchJob.objects.filter(requested_by=user).latest("pk")
        self.assertRedirects(response, reverse("printing:batch_detail", args=[job.pk]))
        download = self.client.get(reverse("printing:batch_download", args=[job.pk]))
        return job, pdfutil.page_texts(b"".join(download.streaming_content))

    def test_the_nav_offers_batch_printing_to_staff_not_to_members(self):
        for user in (self.clerk, self.office, self.supervisor):
            self.client.force_login(user)
            self.assertContains(self.client.get(reverse("proposals:list")), reverse("printing:batch"))
        self.client.force_login(self.member_user)
        self.assertNotContains(self.client.get(reverse("feedback:portal")), reverse("printing:batch"))
        self.assertEqual(self.client.get(reverse("printing:batch")).status_code, 404)

    def test_a_unit_prints_only_its_own_replies(self):
        job, pages = self.printed(self.clerk)
        text = "".join(pages)
        self.assertIn("中小企业", text)
        self.assertNotIn("别的局", text)
        self.assertEqual(job.total, 1)
        # Another unit's job is not found.
        self.client.force_login(self.other_clerk)
        self.assertEqual(self.client.get(reverse("printing:batch_detail", args=[job.pk])).status_code, 404)

    def test_a_unit_cannot_choose_another_unit(self):
        response = self.ask(self.clerk, unit=self.other_unit.pk)
        self.assertEqual(response.status_code, 400)
        self.assertFalse(BatchJob.objects.exists())

    def test_an_office_prints_its_bodys_replies_and_not_another_bodys_session(self):
        job, _pages = self.printed(self.office)
        self.assertEqual(job.total, 2)
        response = self.ask(self.npc_office)
        self.assertEqual(response.status_code, 400)

    def test_mailing_packets_in_a_batch_put_a_form_after_each_unanswered_letter(self):
        job, pages = self.printed(self.office, packets="on")
        # The seed reply has its lead's form in already: only the other letter gets a form to sign.
        self.assertEqual(job.total, 3)
        self.assertIn("征询意见表", pages[-1])
        self.assertEqual(sum("征询意见表" in page for page in pages), 1)


class BatchForOfficeTests(TestCase):
    def test_an_office_sees_only_its_bodys_sessions(self):
        npc, cppcc = f.session(Body.NPC, name="人大会议甲"), f.session(Body.CPPCC, name="政协会议乙")
        self.client.force_login(f.office(Body.CPPCC))
        page = self.client.get(reverse("printing:batch"))
        self.assertContains(page, cppcc.name)
        self.assertNotContains(page, npc.name)
