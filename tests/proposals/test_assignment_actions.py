"""签收, return and extension requests and their decisions: who may, in which state, and what the deadline becomes."""

import datetime
import threading

import pytest
from django.urls import reverse

from proposals.models import (
    Assignment,
    AssignmentRequest,
    AssignmentRole,
    AssignmentStatus,
    Decision,
    Event,
    EventVerb,
    ProposalStatus,
    RequestKind,
)
from tests import factories as f
from tests.cast import WorkflowTestCase
from tests.concurrency import at_once


class SignForTests(WorkflowTestCase):
    def post(self, user, assignment=None):
        return self.as_user(user).post(reverse("proposals:sign_for", args=[(assignment or self.lead).pk]))

    def test_the_units_clerk_signs_for_it(self):
        self.set_status(self.proposal, ProposalStatus.ASSIGNED)
        response = self.post(self.clerk_x)
        self.assertRedirects(response, self.proposal.get_absolute_url())
        self.lead.refresh_from_db()
        self.assertEqual(self.lead.status, AssignmentStatus.HANDLING)
        self.assertEqual(self.lead.signed_for_on, self.today)
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.status, ProposalStatus.HANDLING)
        self.assertTrue(
            Event.objects.filter(assignment=self.lead, verb=EventVerb.SIGNED_FOR, actor=self.clerk_x).exists()
        )

    def test_the_units_signer_may_sign_for_it_too(self):
        self.post(self.signer_x)
        self.lead.refresh_from_db()
        self.assertEqual(self.lead.status, AssignmentStatus.HANDLING)

    def test_the_office_may_see_it_but_not_sign_for_it(self):
        self.assertEqual(self.post(self.office).status_code, 403)

    def test_the_co_unit_cannot_even_see_the_lead_units_assignment(self):
        self.assertEqual(self.post(self.clerk_y).status_code, 404)

    def test_an_outsider_and_a_member_get_404_or_403(self):
        self.assertEqual(self.post(self.clerk_z).status_code, 404)
        self.assertEqual(self.post(self.stranger).status_code, 404)
        self.assertEqual(self.post(self.member_user).status_code, 403)
        self.lead.refresh_from_db()
        self.assertEqual(self.lead.status, AssignmentStatus.PENDING)

    def test_it_rejects_get(self):
        response = self.as_user(self.clerk_x).get(reverse("proposals:sign_for", args=[self.lead.pk]))
        self.assertEqual(response.status_code, 405)

    def test_signing_for_twice_is_refused_and_changes_nothing(self):
        self.handling()
        response = self.post(self.clerk_x)
        self.assertRedirects(response, self.proposal.get_absolute_url())
        self.assertEqual(Event.objects.filter(verb=EventVerb.SIGNED_FOR).count(), 0)

    def test_a_returned_assignment_cannot_be_signed_for(self):
        self.set_status(self.lead, AssignmentStatus.RETURNED)
        self.post(self.clerk_x)
        self.lead.refresh_from_db()
        self.assertEqual(self.lead.status, AssignmentStatus.RETURNED)


class ReturnRequestTests(WorkflowTestCase):
    def url(self, assignment=None):
        return reverse("proposals:request_return", args=[(assignment or self.lead).pk])

    def test_the_clerk_asks_to_return_with_a_reason_and_a_suggested_unit(self):
        response = self.as_user(self.clerk_x).post(
            self.url(), {"reason": "不属于本单位职责", "suggested_unit": self.unit_z.pk}
        )
        self.assertRedirects(response, self.proposal.get_absolute_url())
        req = AssignmentRequest.objects.get()
        self.assertEqual((req.kind, req.suggested_unit, req.requested_by), ("return", self.unit_z, self.clerk_x))
        self.assertEqual(req.decision, Decision.PENDING)

    def test_a_missing_reason_is_shown_in_chinese_and_the_input_kept(self):
        response = self.as_user(self.clerk_x).post(self.url(), {"reason": "", "suggested_unit": self.unit_z.pk})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "这个字段是必填项")
        self.assertContains(response, f'<option value="{self.unit_z.pk}" selected>')

    def test_hidden_fields_in_the_post_are_ignored(self):
        self.as_user(self.clerk_x).post(
            self.url(),
            {
                "reason": "不属于本单位职责",
                "kind": "extension",
                "decision": "approved",
                "assignment": self.other.pk,
                "requested_by": self.office.pk,
            },
        )
        req = AssignmentRequest.objects.get()
        self.assertEqual(
            (req.kind, req.decision, req.assignment, req.requested_by),
            (RequestKind.RETURN, Decision.PENDING, self.lead, self.clerk_x),
        )

    def test_a_second_pending_request_is_refused(self):
        self.as_user(self.clerk_x).post(self.url(), {"reason": "一"})
        response = self.as_user(self.clerk_x).post(self.url(), {"reason": "二"})
        self.assertRedirects(response, self.proposal.get_absolute_url())
        self.assertEqual(AssignmentRequest.objects.count(), 1)

    def test_the_matrix(self):
        self.assertEqual(self.as_user(self.clerk_x).get(self.url()).status_code, 200)
        self.assertEqual(self.as_user(self.office).get(self.url()).status_code, 403)
        self.assertEqual(self.as_user(self.clerk_z).get(self.url()).status_code, 404)
        self.assertEqual(self.as_user(self.clerk_y).post(self.url(), {"reason": "x"}).status_code, 404)
        self.assertFalse(AssignmentRequest.objects.exists())

    def test_a_replied_assignment_cannot_be_returned(self):
        self.set_status(self.lead, AssignmentStatus.REPLIED)
        self.as_user(self.clerk_x).post(self.url(), {"reason": "晚了"})
        self.assertFalse(AssignmentRequest.objects.exists())


class ExtensionRequestTests(WorkflowTestCase):
    def url(self):
        return reverse("proposals:request_extension", args=[self.lead.pk])

    def test_a_new_date_before_the_current_deadline_is_refused_in_chinese(self):
        self.handling()
        earlier = self.lead.due_on - datetime.timedelta(days=1)
        response = self.as_user(self.clerk_x).post(self.url(), {"reason": "需调研", "requested_due_on": earlier})
        self.assertContains(response, "申请延至的日期须晚于现办理期限")
        self.assertContains(response, "需调研")
        self.assertFalse(AssignmentRequest.objects.exists())

    def test_an_extension_is_asked_after_signing_for(self):
        response = self.as_user(self.clerk_x).post(self.url(), {"reason": "需调研", "requested_due_on": "2099-01-01"})
        self.assertRedirects(response, self.proposal.get_absolute_url())
        self.assertFalse(AssignmentRequest.objects.exists())  # still 待签收
        self.handling()
        self.as_user(self.clerk_x).post(self.url(), {"reason": "需调研", "requested_due_on": "2099-01-01"})
        self.assertEqual(AssignmentRequest.objects.get().requested_due_on, datetime.date(2099, 1, 1))


class DecisionTests(WorkflowTestCase):
    def request(self, kind, **extra):
        return AssignmentRequest.objects.create(
            assignment=self.lead, kind=kind, reason="理由", requested_by=self.clerk_x, **extra
        )

    def decide(self, user, req, approve, note=""):
        return self.as_user(user).post(
            reverse("proposals:decide_request", args=[req.pk]), {"approve": "yes" if approve else "no", "note": note}
        )

    def test_a_granted_extension_moves_the_deadline_to_the_requested_date(self):
        self.handling()
        new_date = self.lead.due_on + datetime.timedelta(days=30)
        req = self.request(RequestKind.EXTENSION, requested_due_on=new_date)
        self.decide(self.supervisor, req, True, "同意延期一个月")
        self.lead.refresh_from_db()
        self.assertEqual(self.lead.due_on, new_date)
        req.refresh_from_db()
        self.assertEqual((req.decision, req.decided_by), (Decision.APPROVED, self.supervisor))
        event = Event.objects.get(verb=EventVerb.EXTENSION_APPROVED)
        self.assertIn(f"{new_date:%Y-%m-%d}", event.note)

    def test_a_refused_extension_keeps_the_deadline(self):
        self.handling()
        due = self.lead.due_on
        req = self.request(RequestKind.EXTENSION, requested_due_on=due + datetime.timedelta(days=30))
        self.decide(self.supervisor, req, False, "理由不充分")
        self.lead.refresh_from_db()
        self.assertEqual(self.lead.due_on, due)

    def test_only_a_supervisor_decides_extensions(self):
        self.handling()
        req = self.request(RequestKind.EXTENSION, requested_due_on=self.lead.due_on + datetime.timedelta(days=3))
        self.assertEqual(self.decide(self.office, req, True).status_code, 403)
        self.assertEqual(self.decide(self.clerk_x, req, True).status_code, 403)
        self.assertEqual(self.decide(self.clerk_z, req, True).status_code, 404)
        req.refresh_from_db()
        self.assertEqual(req.decision, Decision.PENDING)

    def test_the_office_decides_a_return_and_then_assigns_another_unit(self):
        req = self.request(RequestKind.RETURN, suggested_unit=self.unit_z)
        response = self.decide(self.office, req, True)
        assign_url = reverse("proposals:assign", args=[self.proposal.pk])
        self.assertRedirects(response, f"{assign_url}?role=lead&unit={self.unit_z.pk}")
        self.lead.refresh_from_db()
        self.assertEqual(self.lead.status, AssignmentStatus.RETURNED)
        # The 交办 page opens with the unit the returning one suggested, in the same role.
        page = self.as_user(self.office).get(response["Location"]).content.decode()
        self.assertRegex(page, rf'<option value="{self.unit_z.pk}" selected>')
        self.assertRegex(page, r'<option value="lead" selected>')
        # The returned lead makes way for a new one.
        response = self.as_user(self.office).post(
            reverse("proposals:assign", args=[self.proposal.pk]),
            {"unit": self.unit_z.pk, "role": "lead", "assigned_on": self.today},
        )
        self.assertEqual(Assignment.objects.filter(proposal=self.proposal, unit=self.unit_z).count(), 1)

    def test_a_return_is_not_approved_once_the_unit_has_answered_meanwhile(self):
        self.handling()
        req = self.request(RequestKind.RETURN)
        f.reply(self.lead)  # issued while the request waited
        self.set_status(self.lead, AssignmentStatus.REPLIED)
        response = self.decide(self.office, req, True)
        self.assertRedirects(response, self.proposal.get_absolute_url(), fetch_redirect_response=False)
        page = self.as_user(self.office).get(response["Location"]).content.decode()
        self.assertIn("该单位已作出答复，不能再退回；请驳回该申请。", page)
        self.lead.refresh_from_db()
        req.refresh_from_db()
        self.assertEqual((self.lead.status, req.decision), (AssignmentStatus.REPLIED, Decision.PENDING))
        self.decide(self.office, req, False)  # what the message asks for
        req.refresh_from_db()
        self.assertEqual(req.decision, Decision.REJECTED)

    def test_the_other_bodys_office_and_the_clerk_cannot_decide_a_return(self):
        req = self.request(RequestKind.RETURN)
        self.assertEqual(self.decide(self.office_npc, req, True).status_code, 404)
        self.assertEqual(self.decide(self.clerk_x, req, True).status_code, 403)

    def test_a_decided_request_is_not_decided_again(self):
        req = self.request(RequestKind.RETURN)
        self.decide(self.office, req, False)
        self.decide(self.supervisor, req, True)
        req.refresh_from_db()
        self.assertEqual(req.decision, Decision.REJECTED)

    def test_the_request_list_shows_what_the_user_may_decide(self):
        self.handling()
        self.request(RequestKind.RETURN)
        self.request(RequestKind.EXTENSION, requested_due_on=self.lead.due_on + datetime.timedelta(days=3))
        self.assertEqual(len(self.as_user(self.office).get(reverse("proposals:requests")).context["requests"]), 1)
        self.assertEqual(len(self.as_user(self.supervisor).get(reverse("proposals:requests")).context["requests"]), 2)
        self.assertEqual(self.as_user(self.clerk_x).get(reverse("proposals:requests")).status_code, 404)


class DeadlineTests(WorkflowTestCase):
    def test_lead_and_co_deadlines_follow_the_session(self):
        self.assertEqual(self.lead.due_on, self.lead.assigned_on + datetime.timedelta(days=90))
        self.assertEqual(self.co.due_on, self.co.assigned_on + datetime.timedelta(days=30))

    def test_days_left_and_deadline_state(self):
        a = f.assignment(f.proposal(self.session), self.unit_x, assigned_on=self.today - datetime.timedelta(days=91))
        self.assertEqual(a.days_left(), -1)
        self.assertEqual(a.deadline_state(), "overdue")
        self.assertEqual(a.deadline_state(today=a.due_on - datetime.timedelta(days=7)), "due_soon")
        self.assertEqual(a.deadline_state(today=a.due_on - datetime.timedelta(days=8)), "")

    def test_redo_opens_a_new_deadline_from_today(self):
        self.set_status(self.lead, AssignmentStatus.REPLIED)
        self.lead.start_redo(by=self.office)
        self.lead.refresh_from_db()
        self.assertEqual(self.lead.due_on, self.today + datetime.timedelta(days=30))
        self.assertEqual(self.lead.status, AssignmentStatus.REDO)

    def test_the_office_assigns_with_the_session_deadline_unless_given(self):
        p = f.proposal(self.session)
        self.as_user(self.office).post(
            reverse("proposals:assign", args=[p.pk]),
            {"unit": self.unit_x.pk, "role": "co", "assigned_on": "2026-03-01"},
        )
        a = Assignment.objects.get(proposal=p)
        self.assertEqual(a.due_on, datetime.date(2026, 3, 31))
        self.assertEqual(a.role, AssignmentRole.CO)


class DecisionToldTests(WorkflowTestCase):
    """A decision on a return or an extension is recorded and announced for the unit that asked."""

    def test_the_requester_is_told_of_the_decision_and_reads_it_on_the_page(self):
        from notifications.models import Notification

        self.handling()
        req = self.lead.request_change(
            kind=RequestKind.EXTENSION,
            by=self.clerk_x,
            reason="需要调研",
            requested_due_on=self.lead.due_on + datetime.timedelta(days=20),
        )
        self.as_user(self.supervisor).post(
            reverse("proposals:decide_request", args=[req.pk]), {"approve": "no", "note": "理由不充分"}
        )
        [told] = Notification.objects.filter(user=self.clerk_x, event="request_decided")
        self.assertIn("理由不充分", told.text)
        page = self.as_user(self.clerk_x).get(self.proposal.get_absolute_url())
        self.assertContains(page, "理由不充分")


@pytest.mark.django_db(transaction=True)
def test_two_returns_approved_at_once_give_the_proposal_back_to_the_office(monkeypatch):
    """The lead and the separate unit each asked to return the proposal, and two people of the office
    approve both in the same instant: each saw the other unit still answering, so neither put the
    proposal back to 待交办. The second now counts after the first has committed."""
    from django.db import connection

    from proposals.models import Body, Proposal

    if connection.vendor == "sqlite":
        pytest.skip("SQLite's in-memory test database is one shared cache; real concurrency is tested on PostgreSQL")
    proposal = f.proposal(f.session(Body.CPPCC))
    requests = []
    for role in (AssignmentRole.LEAD, AssignmentRole.SEPARATE):
        unit = f.unit()
        share = f.assignment(proposal, unit, role, status=AssignmentStatus.HANDLING)
        requests.append(share.request_change(kind=RequestKind.RETURN, by=f.clerk(unit), reason="不属本单位职责"))
    offices = [f.office(Body.CPPCC), f.office(Body.CPPCC)]
    decided = threading.Barrier(2)
    save = AssignmentRequest.save

    def save_then_wait(self, *args, **kwargs):
        save(self, *args, **kwargs)
        if "decision" in (kwargs.get("update_fields") or ()):
            decided.wait(timeout=10)  # both decisions written, neither committed, before either counts

    monkeypatch.setattr(AssignmentRequest, "save", save_then_wait)

    def approve(i):
        return lambda: AssignmentRequest.objects.get(pk=requests[i].pk).decide(by=offices[i], approve=True)

    assert at_once(approve(0), approve(1)) == []
    assert Assignment.objects.filter(proposal=proposal, status=AssignmentStatus.RETURNED).count() == 2
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.REGISTERED


@pytest.mark.django_db(transaction=True)
def test_a_unit_assigned_while_the_only_answering_unit_is_returned_leaves_the_proposal_assigned():
    """The office's 交办 page read the proposal (交办 to one lead unit) just before another member of the
    office approved that unit's return: the proposal went back to 待交办, and the separate unit then
    assigned left it there, though a unit now answers it. The state is now read under the lock."""
    from django.db import connection

    from proposals.models import Body, Proposal

    if connection.vendor == "sqlite":
        pytest.skip("SQLite's in-memory test database is one shared cache; real concurrency is tested on PostgreSQL")
    proposal = f.proposal(f.session(Body.CPPCC))
    unit = f.unit()
    lead = f.assignment(proposal, unit, AssignmentRole.LEAD, status=AssignmentStatus.HANDLING)
    request = lead.request_change(kind=RequestKind.RETURN, by=f.clerk(unit), reason="不属本单位职责")
    offices, other_unit = [f.office(Body.CPPCC), f.office(Body.CPPCC)], f.unit()
    page_read, decided = threading.Barrier(2), threading.Barrier(2)

    def assign():
        page = Proposal.objects.select_related("session").get(pk=proposal.pk)  # as the 交办 page reads it
        page_read.wait(timeout=10)
        decided.wait(timeout=10)
        page.assign(unit=other_unit, role=AssignmentRole.SEPARATE, by=offices[0])

    def approve_return():
        page_read.wait(timeout=10)
        AssignmentRequest.objects.get(pk=request.pk).decide(by=offices[1], approve=True)
        decided.wait(timeout=10)

    assert at_once(assign, approve_return) == []
    assert Assignment.objects.get(pk=lead.pk).status == AssignmentStatus.RETURNED
    assert Assignment.objects.filter(proposal=proposal, unit=other_unit).exists()
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.ASSIGNED
