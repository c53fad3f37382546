"""The committee office registers proposals under the session's numbering and 交办 them to units."""

from django.urls import reverse

from proposals.models import Assignment, AssignmentStatus, Body, Event, EventVerb, Proposal, ProposalStatus
from tests import factories as f
from tests.cast import WorkflowTestCase


class RegisterTests(WorkflowTestCase):
    url = reverse("proposals:register")

    def data(self, **overrides):
        data = {
            "session": self.session.pk,
            "lead": self.alice.pk,
            "cosigner_names": "王秋红",
            "title": "关于新事项的提案",
            "body": "建议如下。",
            "category": "",
            "period": "session",
            "submitted_on": "2026-01-07",
            "serial": "",
        }
        data.update(overrides)
        return data

    def test_the_office_registers_with_the_next_number_and_cosigners_in_order(self):
        carol = f.member(name="纪春明")
        last = Proposal.objects.filter(session=self.session).order_by("serial").last().serial
        response = self.as_user(self.office).post(self.url, self.data(cosigner_names="纪春明、王秋红"))
        proposal = Proposal.objects.get(title="关于新事项的提案")
        self.assertRedirects(response, reverse("proposals:assign", args=[proposal.pk]))
        self.assertEqual(proposal.members_in_order, [self.alice, carol, self.bob])
        self.assertEqual(proposal.status, ProposalStatus.REGISTERED)
        self.assertEqual(proposal.serial, last + 1)
        self.assertEqual(proposal.number, self.session.format_number(last + 1))
        self.assertTrue(Event.objects.filter(proposal=proposal, verb=EventVerb.REGISTERED, actor=self.office).exists())

    def test_unknown_cosigners_and_a_lead_of_the_other_body_are_explained_and_the_input_kept(self):
        deputy = f.member(name="张伟", body=Body.NPC)
        response = self.as_user(self.supervisor).post(
            self.url, self.data(lead=deputy.pk, cosigner_names="王秋红、查无此人")
        )
        self.assertContains(response, "领衔人须为本届别的代表或委员")
        self.assertContains(response, "找不到这些代表委员：查无此人")
        self.assertContains(response, "王秋红、查无此人")
        self.assertFalse(Proposal.objects.filter(title="关于新事项的提案").exists())

    def test_a_taken_serial_is_explained(self):
        response = self.as_user(self.office).post(self.url, self.data(serial=self.proposal.serial))
        self.assertContains(response, "本会次已有该序号")

    def test_the_office_cannot_register_into_the_other_bodys_session(self):
        response = self.as_user(self.office).post(self.url, self.data(session=self.npc_session.pk))
        self.assertContains(response, "选择一个有效的选项")
        self.assertFalse(Proposal.objects.filter(title="关于新事项的提案").exists())

    def test_clerks_members_and_strangers_cannot_register(self):
        for user in [self.clerk_x, self.signer_x, self.member_user, self.stranger]:
            with self.subTest(user=user.username):
                self.assertEqual(self.as_user(user).post(self.url, self.data()).status_code, 404)
        self.assertFalse(Proposal.objects.filter(title="关于新事项的提案").exists())


class AssignTests(WorkflowTestCase):
    def url(self, proposal=None):
        return reverse("proposals:assign", args=[(proposal or self.proposal).pk])

    def test_the_office_assigns_a_registered_proposal(self):
        p = f.proposal(self.session)
        response = self.as_user(self.office).post(
            self.url(p), {"unit": self.unit_x.pk, "role": "lead", "assigned_on": "2026-02-01", "status": "replied"}
        )
        self.assertRedirects(response, self.url(p))
        a = Assignment.objects.get(proposal=p)
        self.assertEqual(
            (a.status, a.assigned_by, str(a.due_on)), (AssignmentStatus.PENDING, self.office, "2026-05-02")
        )
        p.refresh_from_db()
        self.assertEqual(p.status, ProposalStatus.ASSIGNED)

    def test_a_second_lead_is_refused_in_chinese(self):
        response = self.as_user(self.office).post(
            self.url(), {"unit": self.unit_z.pk, "role": "lead", "assigned_on": "2026-02-01"}
        )
        self.assertContains(response, "该件已有主办单位")

    def test_a_unit_already_assigned_is_not_offered_and_a_due_date_before_assignment_is_refused(self):
        response = self.as_user(self.office).post(
            self.url(), {"unit": self.unit_x.pk, "role": "co", "assigned_on": "2026-02-01"}
        )
        self.assertContains(response, "选择一个有效的选项")
        response = self.as_user(self.office).post(
            self.url(), {"unit": self.unit_z.pk, "role": "co", "assigned_on": "2026-02-01", "due_on": "2026-01-01"}
        )
        self.assertContains(response, "办理期限不能早于交办日期")

    def test_the_matrix(self):
        self.assertEqual(self.as_user(self.office).get(self.url()).status_code, 200)
        self.assertEqual(self.as_user(self.supervisor).get(self.url()).status_code, 200)
        self.assertEqual(self.as_user(self.clerk_x).get(self.url()).status_code, 403)
        self.assertEqual(self.as_user(self.office_npc).get(self.url()).status_code, 404)
        self.assertEqual(self.as_user(self.clerk_z).get(self.url()).status_code, 404)
