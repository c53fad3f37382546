"""The office corrects proposals and assignments in the app, with history, within what the rules allow."""

from django.urls import reverse

from proposals.models import Assignment, AssignmentRole, AssignmentStatus, Event, EventVerb, Period
from tests import factories as f
from tests.cast import WorkflowTestCase


class ProposalCorrectionTests(WorkflowTestCase):
    def edit(self, user, **changes):
        data = {
            "lead": self.alice.pk,
            "cosigner_names": "王秋红",
            "title": self.proposal.title,
            "body": self.proposal.body,
            "category": "",
            "period": self.proposal.period,
            "submitted_on": f"{self.proposal.submitted_on:%Y-%m-%d}",
            **changes,
        }
        return self.as_user(user).post(reverse("proposals:edit", args=[self.proposal.pk]), data)

    def test_the_office_corrects_the_title_from_the_proposal_page_with_history(self):
        page = self.as_user(self.office).get(self.proposal.get_absolute_url())
        self.assertContains(page, reverse("proposals:edit", args=[self.proposal.pk]))
        response = self.edit(self.office, title="关于促进中小企业高质量发展的提案", is_key="on")
        self.assertRedirects(response, self.proposal.get_absolute_url())
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.title, "关于促进中小企业高质量发展的提案")
        self.assertTrue(self.proposal.is_key)
        event = Event.objects.get(verb=EventVerb.PROPOSAL_AMENDED)
        self.assertIn("案由：关于促进中小企业健康快速发展的提案 → 关于促进中小企业高质量发展的提案", event.note)
        self.assertIn("重点：否 → 是", event.note)
        self.assertEqual(event.actor, self.office)
        record = self.proposal.history.latest()
        self.assertEqual((record.title, record.history_user), (self.proposal.title, self.office))
        self.assertContains(self.as_user(self.office).get(self.proposal.get_absolute_url()), "修改建议提案")

    def test_the_office_corrects_the_co_signers_and_the_timeline_says_so(self):
        page = self.as_user(self.office).get(reverse("proposals:edit", args=[self.proposal.pk]))
        self.assertContains(page, 'value="王秋红"')
        carol = f.member(name="纪春明")
        response = self.edit(self.office, cosigner_names="纪春明，王秋红")
        self.assertRedirects(response, self.proposal.get_absolute_url())
        self.assertEqual(self.proposal.members_in_order, [self.alice, carol, self.bob])
        event = Event.objects.get(verb=EventVerb.PROPOSAL_AMENDED)
        self.assertEqual(event.note, "联名人：王秋红 → 纪春明、王秋红")
        # Unknown names and the lead listed again are refused next to the field, as at registration.
        for names in ("无此人", "程玮"):
            response = self.edit(self.office, cosigner_names=names)
            self.assertEqual(response.status_code, 200)
            self.assertIn("cosigner_names", response.context["form"].errors)
        self.assertEqual(self.proposal.members_in_order, [self.alice, carol, self.bob])

    def test_bad_input_is_shown_next_to_the_field_and_nothing_is_saved(self):
        response = self.edit(self.office, title="", period="nonsense")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "这个字段是必填项")
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.title, "关于促进中小企业健康快速发展的提案")
        self.assertFalse(Event.objects.filter(verb=EventVerb.PROPOSAL_AMENDED).exists())

    def test_once_a_unit_answered_the_proposal_stays_as_it_was(self):
        self.set_status(self.lead, AssignmentStatus.REPLIED)
        response = self.edit(self.office, title="改过的案由")
        self.assertRedirects(response, self.proposal.get_absolute_url())
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.title, "关于促进中小企业健康快速发展的提案")
        self.assertNotContains(
            self.as_user(self.office).get(self.proposal.get_absolute_url()),
            reverse("proposals:edit", args=[self.proposal.pk]),
        )

    def test_only_the_bodys_office_and_the_supervisor_correct_it(self):
        self.assertEqual(self.edit(self.supervisor, period=Period.RECESS).status_code, 302)
        self.assertEqual(self.edit(self.clerk_x, title="x").status_code, 403)
        self.assertEqual(self.edit(self.member_user, title="x").status_code, 403)
        self.assertEqual(self.edit(self.clerk_z, title="x").status_code, 404)
        self.assertEqual(self.edit(self.office_npc, title="x").status_code, 404)


class AssignmentCorrectionTests(WorkflowTestCase):
    def correct(self, user, assignment=None, **data):
        url = reverse("proposals:assignment_edit", args=[(assignment or self.co).pk])
        return self.as_user(user).post(url, data)

    def test_the_office_moves_a_share_the_unit_has_not_signed_for_to_another_unit(self):
        page = self.as_user(self.office).get(self.proposal.get_absolute_url())
        self.assertContains(page, reverse("proposals:assignment_edit", args=[self.co.pk]))
        response = self.correct(self.office, unit=self.unit_z.pk, role=AssignmentRole.CO, reason="交办单位填错")
        self.assertRedirects(response, self.proposal.get_absolute_url())
        self.co.refresh_from_db()
        self.assertEqual(self.co.unit, self.unit_z)
        event = Event.objects.get(verb=EventVerb.ASSIGNMENT_AMENDED)
        self.assertEqual(event.note, "Y局（会办） → Z局（会办）：交办单位填错")
        self.assertEqual(list(self.co.history.values_list("unit_id", flat=True))[:2], [self.unit_z.pk, self.unit_y.pk])
        # The old unit no longer sees it; the new one does.
        self.assertEqual(self.as_user(self.clerk_y).get(self.proposal.get_absolute_url()).status_code, 404)
        self.assertContains(self.as_user(self.clerk_z).get(self.proposal.get_absolute_url()), "Z市教育局")

    def test_a_second_lead_or_a_unit_already_on_it_is_refused_next_to_the_form(self):
        response = self.correct(self.office, unit=self.unit_y.pk, role=AssignmentRole.LEAD, reason="改为主办")
        self.assertContains(response, "该件已有主办单位")
        response = self.correct(self.office, unit=self.unit_x.pk, role=AssignmentRole.CO, reason="换单位")
        self.assertContains(response, "选择一个有效的选项")
        response = self.correct(self.office, unit=self.unit_z.pk, role=AssignmentRole.CO, reason="")
        self.assertContains(response, "这个字段是必填项")
        self.co.refresh_from_db()
        self.assertEqual((self.co.unit, self.co.role), (self.unit_y, AssignmentRole.CO))

    def test_after_the_unit_signed_for_it_the_share_is_not_corrected(self):
        self.set_status(self.co, AssignmentStatus.HANDLING)
        response = self.correct(self.office, unit=self.unit_z.pk, role=AssignmentRole.CO, reason="交办单位填错")
        self.assertRedirects(response, self.proposal.get_absolute_url())
        self.assertFalse(Assignment.objects.filter(unit=self.unit_z, proposal=self.proposal).exists())

    def test_only_the_office_and_the_supervisor_correct_it(self):
        data = {"unit": self.unit_z.pk, "role": AssignmentRole.CO, "reason": "x"}
        self.assertEqual(self.correct(self.clerk_y, **data).status_code, 403)
        self.assertEqual(self.correct(self.member_user, **data).status_code, 403)
        self.assertEqual(self.correct(self.clerk_z, **data).status_code, 404)
        self.assertEqual(self.correct(self.office_npc, **data).status_code, 404)
        other = f.assignment(self.proposal, f.unit("别的局", "别的局"), AssignmentRole.SEPARATE)
        self.assertEqual(
            self.correct(self.supervisor, other, unit=self.unit_z.pk, role="separate", reason="x").status_code, 302
        )
