"""The database itself refuses rows that break the domain's rules."""

import datetime

from django.db import IntegrityError, transaction
from django.test import TestCase

from feedback.models import Channel, Feedback
from proposals.models import AssignmentRole, AssignmentStatus, Body, Proposal, Role, RoleKind
from replies.models import Reply, ReplyStatus
from tests import factories as f


class ConstraintTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.session = f.session()
        cls.unit_a = f.unit()
        cls.unit_b = f.unit()
        cls.proposal = f.proposal(cls.session, serial=110)
        cls.lead = f.assignment(cls.proposal, cls.unit_a, AssignmentRole.LEAD)
        cls.reply = f.reply(cls.lead)

    def assertRefused(self, make):
        with self.assertRaises(IntegrityError), transaction.atomic():
            make()

    def test_it_refuses_a_duplicate_number_in_one_session(self):
        self.assertRefused(
            lambda: Proposal.objects.create(
                kind=self.proposal.kind,
                session=self.session,
                serial=999,
                number=self.proposal.number,
                title="另一件",
                lead=self.proposal.lead,
                submitted_on=self.session.opens_on,
            )
        )

    def test_it_allows_the_same_number_in_another_session(self):
        other = f.session()
        p = f.proposal(other, serial=110)
        self.assertEqual(p.number, self.proposal.number)

    def test_it_refuses_a_second_lead_unit(self):
        self.assertRefused(lambda: f.assignment(self.proposal, self.unit_b, AssignmentRole.LEAD))

    def test_a_returned_lead_makes_way_for_a_new_lead(self):
        self.lead.status = AssignmentStatus.RETURNED
        self.lead.save()
        new_lead = f.assignment(self.proposal, self.unit_b, AssignmentRole.LEAD)
        self.assertEqual(new_lead.role, AssignmentRole.LEAD)

    def test_it_refuses_assigning_the_same_unit_twice(self):
        self.assertRefused(lambda: f.assignment(self.proposal, self.unit_a, AssignmentRole.CO))

    def test_it_refuses_a_deadline_before_the_assignment(self):
        self.assertRefused(
            lambda: f.assignment(
                self.proposal,
                self.unit_b,
                AssignmentRole.CO,
                assigned_on=datetime.date(2026, 3, 1),
                due_on=datetime.date(2026, 2, 1),
            )
        )

    def test_it_refuses_an_unknown_satisfaction_value(self):
        self.assertRefused(lambda: f.feedback(self.reply, satisfaction="very_happy"))

    def test_it_refuses_an_online_form_submitted_without_satisfaction(self):
        self.assertRefused(lambda: f.feedback(self.reply, satisfaction=""))

    def test_a_paper_form_may_leave_satisfaction_open_only_with_a_note(self):
        self.assertRefused(lambda: f.feedback(self.reply, channel=Channel.PAPER, satisfaction=""))
        form = f.feedback(self.reply, channel=Channel.PAPER, satisfaction="", needs_attention="同时勾选了满意和不满意")
        self.assertEqual(Feedback.objects.get(pk=form.pk).satisfaction, "")

    def test_it_refuses_a_second_form_from_the_same_member_for_one_reply(self):
        f.feedback(self.reply)
        self.assertRefused(lambda: f.feedback(self.reply))

    def test_it_refuses_an_unknown_result_class(self):
        self.assertRefused(lambda: f.reply(self.lead, round=2, result_class="E"))

    def test_it_refuses_issuing_a_reply_without_date(self):
        self.assertRefused(
            lambda: Reply.objects.create(
                assignment=self.lead,
                round=3,
                title="t",
                addressees="a",
                body="b",
                result_class="A",
                status=ReplyStatus.ISSUED,
                issued_at=None,
            )
        )

    def test_it_refuses_two_replies_in_the_same_round(self):
        self.assertRefused(lambda: f.reply(self.lead, round=1))

    def test_it_refuses_a_clerk_role_without_a_unit(self):
        u = f.user()
        self.assertRefused(lambda: Role.objects.create(user=u, kind=RoleKind.CLERK))

    def test_it_refuses_an_office_role_without_a_body(self):
        u = f.user()
        self.assertRefused(lambda: Role.objects.create(user=u, kind=RoleKind.OFFICE))
        Role.objects.create(user=u, kind=RoleKind.OFFICE, body=Body.NPC)

    def test_it_refuses_an_unknown_assignment_role(self):
        self.assertRefused(lambda: f.assignment(self.proposal, self.unit_b, role="boss"))
