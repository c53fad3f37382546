"""The admin corrects reference data; it is never a way around the workflow.

Each test is one way the admin was used to skip a step: issuing a reply without 签发, writing on
another unit's assignment, creating a sealed form, taking over a member's account, deleting what
was issued or sealed.
"""

from django.test import TestCase

from feedback.models import Feedback
from proposals.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Body,
    Event,
    EventVerb,
    Member,
    Proposal,
    TransitionError,
)
from replies.models import CoHandlingOpinion, ContactRecord, Reply, ReplyStatus
from tests import factories as f


class AdminCast(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.session = f.session(Body.CPPCC)
        cls.npc_session = f.session(Body.NPC)
        cls.unit_x = f.unit("X市经济和信息化局", "X局")
        cls.unit_y = f.unit("Y市财政局", "Y局")
        cls.member_user, cls.member = f.member_user("程玮")
        cls.proposal = f.proposal(cls.session, lead=cls.member)
        cls.lead = f.assignment(cls.proposal, cls.unit_x, status=AssignmentStatus.AWAITING_SIGNOFF)
        cls.co = f.assignment(cls.proposal, cls.unit_y, AssignmentRole.CO, status=AssignmentStatus.HANDLING)
        cls.waiting = f.reply(cls.lead, status=ReplyStatus.AWAITING_SIGNOFF, written_on=None)
        cls.npc_lead = f.assignment(f.proposal(cls.npc_session, lead=f.member(body=Body.NPC)), cls.unit_y)
        cls.clerk_x = f.clerk(cls.unit_x, username="clerk_x")
        cls.signer_x = f.signer(cls.unit_x, username="signer_x")
        cls.clerk_y = f.clerk(cls.unit_y, username="clerk_y")
        cls.office = f.office(Body.CPPCC, username="office")
        cls.supervisor = f.supervisor(username="supervisor")
        cls.superuser = f.user("root", is_staff=True, is_superuser=True)


class UnitStaffHaveNoAdminTests(AdminCast):
    def test_a_clerk_cannot_issue_a_reply_waiting_for_signoff_through_the_admin(self):
        self.client.force_login(self.clerk_x)
        url = f"/admin/replies/reply/{self.waiting.pk}/change/"
        response = self.client.post(url, {"status": "issued", "written_on": "2026-01-05", "result_class": "A"})
        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])
        self.waiting.refresh_from_db()
        self.assertEqual(self.waiting.status, ReplyStatus.AWAITING_SIGNOFF)

    def test_unit_staff_and_members_are_sent_to_the_admin_login(self):
        for user in (self.clerk_x, self.signer_x, self.clerk_y, self.member_user):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                response = self.client.get("/admin/")
                self.assertEqual(response.status_code, 302)
                self.assertIn("/admin/login/", response["Location"])

    def test_the_top_bar_offers_the_admin_to_the_office_but_not_to_a_clerk(self):
        self.client.force_login(self.clerk_x)
        self.assertNotContains(self.client.get("/"), 'href="/admin/"')
        self.client.force_login(self.office)
        self.assertContains(self.client.get("/"), 'href="/admin/"')


class NoWorkflowWritesInTheAdminTests(AdminCast):
    def test_the_supervisor_reads_a_reply_in_the_admin_without_its_stored_structure(self):
        self.client.force_login(self.supervisor)
        page = self.client.get(f"/admin/replies/reply/{self.waiting.pk}/change/")
        self.assertContains(page, self.waiting.title)
        self.assertNotContains(page, "正文结构")  # the paragraphs as JSON: the body says the same
        self.assertNotContains(page, '"level"')

    def test_no_role_adds_an_issued_reply_on_any_assignment(self):
        data = {
            "assignment": self.npc_lead.pk,
            "round": 1,
            "title": "答复",
            "addressees": "委员",
            "body": "现答复如下。",
            "result_class": "A",
            "status": "issued",
            "publication": "public",
            "written_on": "2026-01-05",
            "issued_at_0": "2026-01-05",
            "issued_at_1": "10:00",
            "version": 1,
        }
        for user in (self.office, self.supervisor, self.superuser):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get("/admin/replies/reply/add/").status_code, 403)
                self.assertEqual(self.client.post("/admin/replies/reply/add/", data).status_code, 403)
        self.assertFalse(Reply.objects.filter(assignment=self.npc_lead).exists())

    def test_no_role_edits_a_reply_in_the_admin(self):
        for user in (self.office, self.supervisor, self.superuser):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                url = f"/admin/replies/reply/{self.waiting.pk}/change/"
                self.assertEqual(self.client.get(url).status_code, 200)  # read-only view
                self.assertEqual(self.client.post(url, {"status": "issued"}).status_code, 403)
        self.waiting.refresh_from_db()
        self.assertEqual(self.waiting.status, ReplyStatus.AWAITING_SIGNOFF)

    def test_contacts_and_opinions_are_not_added_in_the_admin(self):
        for user in (self.office, self.supervisor, self.superuser):
            self.client.force_login(user)
            contact = {
                "assignment": self.lead.pk,
                "contacted_on": "2020-01-01",
                "method": "phone",
                "summary": "电话",
            }
            opinion = {"assignment": self.co.pk, "body": "同意", "submitted_by": self.signer_x.pk}
            self.assertEqual(self.client.post("/admin/replies/contactrecord/add/", contact).status_code, 403)
            self.assertEqual(self.client.post("/admin/replies/cohandlingopinion/add/", opinion).status_code, 403)
        self.assertFalse(ContactRecord.objects.exists())
        self.assertFalse(CoHandlingOpinion.objects.exists())

    def test_assignments_are_not_changed_in_the_admin(self):
        for user in (self.office, self.supervisor, self.superuser):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                response = self.client.post(f"/admin/proposals/assignment/{self.lead.pk}/change/", {"role": "co"})
                self.assertEqual(response.status_code, 403)
                self.assertEqual(self.client.get("/admin/proposals/assignment/add/").status_code, 403)
        self.lead.refresh_from_db()
        self.assertEqual(self.lead.role, AssignmentRole.LEAD)

    def test_the_office_cannot_create_an_online_feedback_form(self):
        self.client.force_login(self.office)
        data = {
            "reply": self.waiting.pk,
            "member": self.member.pk,
            "channel": "online",
            "handling_effect": "solved",
            "satisfaction": "satisfied",
            "submitted_at_0": "2026-01-05",
            "submitted_at_1": "10:00",
        }
        self.assertEqual(self.client.post("/admin/feedback/feedback/add/", data).status_code, 403)
        self.assertFalse(Feedback.objects.exists())


class MemberAccountTests(AdminCast):
    def member_data(self, **changes):
        data = {"name": "程玮", "body": "cppcc", "kind": "person", "group": "", "work_unit": "", "phone": ""}
        data.update(changes)
        return data

    def test_the_office_corrects_a_phone_number_but_cannot_link_an_account(self):
        self.client.force_login(self.office)
        url = f"/admin/proposals/member/{self.member.pk}/change/"
        response = self.client.post(url, self.member_data(phone="13800000000", user=self.clerk_y.pk))
        self.assertEqual(response.status_code, 302)
        self.member.refresh_from_db()
        self.assertEqual(self.member.phone, "13800000000")
        self.assertEqual(self.member.user, self.member_user)  # the account stays the member's own
        self.assertEqual(self.member.history.first().history_user, self.office)

    def test_the_supervisor_links_an_account_and_the_history_says_who(self):
        other = f.user("chengwei2")
        self.client.force_login(self.supervisor)
        url = f"/admin/proposals/member/{self.member.pk}/change/"
        response = self.client.post(url, self.member_data(user=other.pk))
        self.assertEqual(response.status_code, 302)
        self.member.refresh_from_db()
        self.assertEqual(self.member.user, other)
        latest = self.member.history.first()
        self.assertEqual((latest.history_user, latest.user_id), (self.supervisor, other.pk))

    def test_an_office_cannot_open_a_member_of_the_other_body(self):
        deputy = Member.objects.create(name="张伟", body=Body.NPC)
        self.client.force_login(self.office)
        response = self.client.get(f"/admin/proposals/member/{deputy.pk}/change/")
        self.assertEqual(response.status_code, 302)  # outside the scope: back to the index


class DeletionTests(AdminCast):
    def test_a_sealed_form_and_an_issued_reply_cannot_be_deleted_even_by_a_superuser(self):
        issued = f.reply(self.co.proposal.assignments.get(unit=self.unit_y), round=1)
        sealed = f.feedback(issued, self.member)
        self.client.force_login(self.superuser)
        for url in (f"/admin/replies/reply/{issued.pk}/delete/", f"/admin/feedback/feedback/{sealed.pk}/delete/"):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 403)
                self.assertEqual(self.client.post(url, {"post": "yes"}).status_code, 403)
        self.assertTrue(Reply.objects.filter(pk=issued.pk).exists())
        self.assertTrue(Feedback.objects.filter(pk=sealed.pk).exists())

    def test_a_superuser_may_remove_a_stray_draft(self):
        draft = f.reply(self.co, status=ReplyStatus.DRAFT, written_on=None)
        self.client.force_login(self.superuser)
        response = self.client.post(f"/admin/replies/reply/{draft.pk}/delete/", {"post": "yes"})
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Reply.objects.filter(pk=draft.pk).exists())


class ProposalCorrectionTests(AdminCast):
    def test_the_office_corrects_the_title_but_not_the_number_or_the_lead(self):
        self.client.force_login(self.office)
        url = f"/admin/proposals/proposal/{self.proposal.pk}/change/"
        data = {
            "title": "关于促进中小企业健康发展的提案",
            "body": "",
            "period": "session",
            "number": "第999号",
            "lead": f.member().pk,
            "cosigner_links-TOTAL_FORMS": 0,
            "cosigner_links-INITIAL_FORMS": 0,
            "assignments-TOTAL_FORMS": 0,
            "assignments-INITIAL_FORMS": 0,
        }
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 302, response.content.decode()[:2000])
        proposal = Proposal.objects.get(pk=self.proposal.pk)
        self.assertEqual(proposal.title, "关于促进中小企业健康发展的提案")
        self.assertEqual((proposal.number, proposal.lead), (self.proposal.number, self.member))
        self.assertEqual(proposal.history.first().history_user, self.office)
        # The same write path as the app's page: the timeline says what changed.
        event = Event.objects.get(proposal=proposal, verb=EventVerb.PROPOSAL_AMENDED)
        self.assertIn("关于促进中小企业健康发展的提案", event.note)

    def test_once_a_unit_answered_the_admin_shows_the_proposal_read_only(self):
        Assignment.objects.filter(proposal=self.proposal).update(status=AssignmentStatus.REPLIED)
        self.client.force_login(self.office)
        page = self.client.get(f"/admin/proposals/proposal/{self.proposal.pk}/change/").content.decode()
        self.assertNotIn('name="title"', page)


class OnlyTheSignerIssuesTests(AdminCast):
    """The model refuses too, whoever calls it: pages, imports, commands."""

    def test_a_clerk_cannot_sign_off_and_a_signer_of_another_unit_neither(self):
        other_signer = f.signer(self.unit_y)
        for user in (self.clerk_x, other_signer, self.office, self.supervisor):
            with self.subTest(user=user.username), self.assertRaises(TransitionError):
                Reply.objects.get(pk=self.waiting.pk).sign_off(by=user, review=False)
        self.assertEqual(Reply.objects.get(pk=self.waiting.pk).status, ReplyStatus.AWAITING_SIGNOFF)

    def test_the_units_signer_issues_it(self):
        reply = Reply.objects.get(pk=self.waiting.pk)
        with self.captureOnCommitCallbacks(execute=True):
            reply.sign_off(by=self.signer_x, review=False)
        reply.refresh_from_db()
        self.assertEqual((reply.status, reply.signer), (ReplyStatus.ISSUED, self.signer_x))

    def test_only_the_supervisor_reviews(self):
        Reply.objects.filter(pk=self.waiting.pk).update(status=ReplyStatus.IN_REVIEW)
        for user in (self.signer_x, self.office):
            with self.subTest(user=user.username), self.assertRaises(TransitionError):
                Reply.objects.get(pk=self.waiting.pk).review(by=user)
        self.assertEqual(Reply.objects.get(pk=self.waiting.pk).status, ReplyStatus.IN_REVIEW)
