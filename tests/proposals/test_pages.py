"""The inbox at `/`: each role lands on its own view, filters narrow it, and its cost does not grow with rows."""

from django.urls import reverse

from proposals.models import Event, EventVerb
from replies.models import CoHandlingOpinion, ContactRecord, ReplyStatus
from tests import factories as f
from tests.cast import WorkflowTestCase


class ProposalListTests(WorkflowTestCase):
    def test_the_proposal_list_moved_to_proposals(self):
        response = self.as_user(self.office).get(reverse("proposals:list"))
        self.assertEqual(reverse("proposals:list"), "/proposals/")
        self.assertContains(response, self.proposal.title)

    def test_the_office_of_another_body_is_not_shown_these(self):
        response = self.as_user(self.office_npc).get(reverse("proposals:list"))
        self.assertNotContains(response, self.proposal.title)


class ProposalPageTests(WorkflowTestCase):
    def test_the_page_shows_content_cosigners_assignments_contacts_replies_feedback_and_timeline(self):
        self.handling()
        ContactRecord.objects.create(
            assignment=self.lead, contacted_on=self.today, method="visit", summary="上门走访座谈"
        )
        reply = f.reply(self.lead)
        f.feedback(reply, opinion="沟通及时")
        Event.record(proposal=self.proposal, assignment=self.lead, verb=EventVerb.SIGNED_FOR, actor=self.clerk_x)
        page = self.as_user(self.clerk_x).get(self.proposal.get_absolute_url())
        for text in [
            "王秋红",
            "X市经济和信息化局",
            "上门走访座谈",
            reply.title,
            "沟通及时",
            "签收",
            f"/replies/{reply.pk}/pdf/",
        ]:
            self.assertContains(page, text)

    def test_a_member_sees_issued_replies_only_and_no_drafts(self):
        f.reply(self.lead, status=ReplyStatus.DRAFT, title="草稿标题")
        page = self.as_user(self.member_user).get(self.proposal.get_absolute_url())
        self.assertNotContains(page, "草稿标题")

    def test_the_page_is_404_for_an_outsider(self):
        self.assertEqual(self.as_user(self.clerk_z).get(self.proposal.get_absolute_url()).status_code, 404)
        self.assertEqual(self.as_user(self.office_npc).get(self.proposal.get_absolute_url()).status_code, 404)

    def test_the_signer_sees_sign_off_buttons_the_clerk_does_not(self):
        self.handling()
        reply = f.reply(self.lead, status=ReplyStatus.AWAITING_SIGNOFF)
        sign = reverse("replies:sign_off", args=[reply.pk])
        self.assertContains(self.as_user(self.signer_x).get(self.proposal.get_absolute_url()), sign)
        self.assertNotContains(self.as_user(self.clerk_x).get(self.proposal.get_absolute_url()), sign)


class ProposalPageCostTests(WorkflowTestCase):
    def test_the_page_costs_the_same_with_1_and_10_contacts_and_requests(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.handling()
        f.reply(self.lead, status=ReplyStatus.DRAFT)

        def add(n):
            for i in range(n):
                ContactRecord.objects.create(
                    assignment=self.lead,
                    contacted_on=self.today,
                    method="phone",
                    summary=f"第{i}次",
                    recorded_by=self.clerk_x,
                )
                Event.record(proposal=self.proposal, assignment=self.lead, verb=EventVerb.CONTACTED, actor=self.clerk_x)

        add(1)
        self.client.force_login(self.clerk_x)
        with CaptureQueriesContext(connection) as one:
            self.client.get(self.proposal.get_absolute_url())
        add(9)
        with self.assertNumQueries(len(one)):
            self.client.get(self.proposal.get_absolute_url())


class MemberViewTests(WorkflowTestCase):
    def test_a_member_does_not_see_internal_opinions_requests_or_notes(self):
        self.handling(self.co)
        CoHandlingOpinion.objects.create(assignment=self.co, body="内部会办意见", submitted_by=self.clerk_y)
        Event.record(
            proposal=self.proposal, assignment=self.lead, verb=EventVerb.SENT_BACK, actor=self.signer_x, note="内部批注"
        )
        page = self.as_user(self.member_user).get(self.proposal.get_absolute_url())
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "内部会办意见")
        self.assertNotContains(page, "内部批注")
        staff_page = self.as_user(self.office).get(self.proposal.get_absolute_url())
        self.assertContains(staff_page, "内部会办意见")
        self.assertContains(staff_page, "内部批注")
