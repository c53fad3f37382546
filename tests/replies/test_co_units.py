"""The lead unit sees its co-handling units before it asks for 签发; the co-units receive the reply (抄送)."""

from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from proposals.models import AssignmentRole, AssignmentStatus, Body
from replies.models import CoHandlingOpinion, ReplyStatus
from tests import factories as f


class CoUnitsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.lead_unit, cls.co_unit, cls.silent_unit = (
            f.unit("牵头局", "牵头局"),
            f.unit("会办甲局", "会办甲局"),
            f.unit("会办乙局", "会办乙局"),
        )
        cls.stranger_unit = f.unit("无关局")
        cls.proposal = f.proposal(f.session(Body.CPPCC))
        cls.lead = f.assignment(cls.proposal, cls.lead_unit, status=AssignmentStatus.HANDLING)
        cls.co = f.assignment(cls.proposal, cls.co_unit, role=AssignmentRole.CO, status=AssignmentStatus.REPLIED)
        cls.silent = f.assignment(
            cls.proposal, cls.silent_unit, role=AssignmentRole.CO, status=AssignmentStatus.HANDLING
        )
        cls.lead_clerk, cls.co_clerk = f.clerk(cls.lead_unit), f.clerk(cls.co_unit)
        cls.stranger = f.clerk(cls.stranger_unit)
        cls.opinion = CoHandlingOpinion.objects.create(
            assignment=cls.co, body="同意主办意见。", submitted_by=cls.co_clerk, submitted_at=timezone.now()
        )
        cls.draft = f.reply(cls.lead, status=ReplyStatus.DRAFT)

    def page(self, user):
        self.client.force_login(user)
        return self.client.get(self.proposal.get_absolute_url())

    def test_the_lead_clerk_sees_each_co_unit_its_deadline_and_its_opinion_before_submitting(self):
        page = self.page(self.lead_clerk)
        self.assertContains(page, "会办单位")
        self.assertContains(page, "会办甲局")
        self.assertContains(page, f'href="#opinion-{self.opinion.pk}"')
        self.assertContains(page, f'id="opinion-{self.opinion.pk}"')
        self.assertContains(page, "会办乙局")
        self.assertContains(page, f"{self.silent.due_on:%Y-%m-%d}")
        self.assertContains(page, "尚未提交")
        # What 提交签发 would refuse is said before it is tried.
        self.assertContains(page, "提交签发前还须")
        self.assertContains(page, "尚有会办单位未提交会办意见：会办乙局")

    def test_a_co_unit_does_not_see_the_other_co_units_table(self):
        page = self.page(self.co_clerk)
        self.assertNotContains(page, "会办乙局")
        # Its own share reads as what it did: an opinion, not a reply.
        self.assertContains(page, "已提交会办意见")

    def test_a_co_unit_receives_the_issued_reply_and_its_pdf(self):
        self.assertNotContains(self.page(self.co_clerk), "主办单位答复（抄送）")
        issued = f.reply(self.lead, round=2, title="关于对某提案的答复")
        page = self.page(self.co_clerk)
        self.assertContains(page, "主办单位答复（抄送）")
        self.assertContains(page, reverse("feedback:reply", args=[issued.pk]))
        self.assertContains(page, reverse("printing:reply_pdf", args=[issued.pk]))
        self.assertContains(page, reverse("printing:reply_docx", args=[issued.pk]))
        self.assertNotContains(page, reverse("printing:reply_packet", args=[issued.pk]))
        reading = self.client.get(reverse("feedback:reply", args=[issued.pk]))
        self.assertContains(reading, "关于对某提案的答复")
        self.assertEqual(self.client.get(reverse("printing:reply_docx", args=[issued.pk])).status_code, 200)
        # The draft stays the lead unit's; the packet is the lead unit's to send.
        self.assertEqual(self.client.get(reverse("printing:reply_pdf", args=[self.draft.pk])).status_code, 404)
        self.assertEqual(self.client.get(reverse("printing:reply_packet", args=[issued.pk])).status_code, 403)

    def test_a_co_unit_does_not_see_the_members_forms_on_the_reply(self):
        issued = f.reply(self.lead, round=2)
        form = f.feedback(issued)
        self.client.force_login(self.co_clerk)
        self.assertEqual(self.client.get(reverse("feedback:detail", args=[form.pk])).status_code, 404)
        self.assertNotContains(self.client.get(reverse("feedback:reply", args=[issued.pk])), form.member.name + "：")

    def test_a_clerk_of_another_unit_gets_404(self):
        issued = f.reply(self.lead, round=2)
        self.client.force_login(self.stranger)
        for name in ("feedback:reply", "printing:reply_pdf", "printing:reply_docx", "printing:reply_packet"):
            self.assertEqual(self.client.get(reverse(name, args=[issued.pk])).status_code, 404, name)
        self.assertEqual(self.page(self.stranger).status_code, 404)

    def test_the_drafting_page_shows_the_co_units_opinions_beside_the_letter(self):
        self.client.force_login(self.lead_clerk)
        page = self.client.get(reverse("replies:edit", args=[self.draft.pk]))
        self.assertContains(page, "同意主办意见。")
        self.assertContains(page, f"尚未提交（会办期限 {self.silent.due_on:%Y-%m-%d}）")
