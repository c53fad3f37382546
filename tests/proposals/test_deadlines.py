"""Deadlines with history: the original one, each extension granted and each 重办 round's own are
separate facts; the first reply is measured against the first round's deadline, so a member's
dissatisfaction never rewrites 按期办复率, and a replied item is never shown as overdue."""

import datetime

from django.db.models import Q
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from feedback import services as feedback_services
from feedback.forms import OnlineFeedbackForm
from proposals.models import AssignmentStatus, Body, Event, EventVerb, Proposal, RequestKind
from replies.models import ContactRecord, Reply
from supervision import stats
from tests import factories as f
from tests.feedback.conftest import form_data


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


class FirstRoundDeadlineTests(TestCase):
    """The way an office meets it: 交办, 签收, a contact, a reply, then the member's form."""

    @classmethod
    def setUpTestData(cls):
        cls.session = f.session(Body.CPPCC, redo_days=30)
        cls.unit = f.unit("X市经济和信息化局", "X局", doc_prefix="X经信函")
        cls.office = f.office(Body.CPPCC)
        cls.supervisor = f.supervisor()
        cls.clerk = f.clerk(cls.unit)
        cls.signer = f.signer(cls.unit)
        cls.member_user, cls.lead = f.member_user("程玮")

    def answer(self, *, assigned_on, due_on, written_on, extension_to=None):
        """A proposal assigned, answered (round 1) and issued through the write paths."""
        proposal = Proposal.objects.register(
            session=self.session, lead=self.lead, title="关于按期办复的提案", by=self.office
        )
        a = proposal.assign(unit=self.unit, role="lead", by=self.office, assigned_on=assigned_on, due_on=due_on)
        a.sign_for(by=self.clerk, on=assigned_on)
        if extension_to:
            request = a.request_change(
                kind=RequestKind.EXTENSION, by=self.clerk, reason="需省里批复", requested_due_on=extension_to
            )
            request.decide(by=self.supervisor, approve=True)
            a.refresh_from_db()
        ContactRecord.objects.log(
            assignment=a, by=self.clerk, contacted_on=assigned_on, method="phone", summary="电话沟通"
        )
        reply = Reply.objects.start_draft(
            assignment=a,
            by=self.clerk,
            title="关于对《按期办复》提案的答复",
            addressees="程玮委员",
            body="现答复如下：\n一、基本情况",
            result_class="A",
            written_on=written_on,
        )
        reply.submit(by=self.clerk)
        reply.sign_off(by=self.signer, review=False)
        a.refresh_from_db()
        return a, reply

    def dissatisfied(self, reply):
        form = OnlineFeedbackForm(data=form_data(satisfaction="dissatisfied", opinion="没有回应核心诉求。"))
        self.assertTrue(form.is_valid(), form.errors)
        feedback_services.submit_online(reply=reply, member=self.lead, form=form, by=self.member_user)

    def on_time_rate(self):
        return stats.summary(Q(proposal__session=self.session))["on_time_rate"]

    def test_a_dissatisfied_member_does_not_make_a_late_first_reply_on_time(self):
        a, reply = self.answer(assigned_on=days(-200), due_on=days(-110), written_on=days(-100))
        self.assertEqual(self.on_time_rate(), 0.0)

        self.dissatisfied(reply)

        a.refresh_from_db()
        self.assertEqual(a.status, AssignmentStatus.REDO)
        self.assertEqual(a.due_on, days(30))  # the 重办 round's own deadline is the one in force now
        self.assertEqual(self.on_time_rate(), 0.0)  # the first reply still missed the first round's
        self.assertEqual(a.first_due_on, days(-110))

    def test_a_dissatisfied_member_does_not_make_an_on_time_first_reply_late(self):
        a, reply = self.answer(assigned_on=days(-60), due_on=days(30), written_on=days(0))
        self.assertEqual(self.on_time_rate(), 100.0)
        self.dissatisfied(reply)
        self.assertEqual(self.on_time_rate(), 100.0)

    def test_an_extension_granted_stays_the_first_rounds_deadline_after_a_redo(self):
        extended = days(121)
        a, reply = self.answer(assigned_on=days(-60), due_on=days(-1), written_on=days(0), extension_to=extended)
        self.assertEqual(self.on_time_rate(), 100.0)  # late by the original deadline, on time by the extension

        self.dissatisfied(reply)

        from proposals.models import DeadlineKind

        a.refresh_from_db()
        facts = list(a.deadlines.order_by("round", "set_at", "pk").values_list("round", "kind", "due_on"))
        self.assertEqual(
            facts,
            [
                (1, DeadlineKind.ORIGINAL, days(-1)),
                (1, DeadlineKind.EXTENSION, extended),
                (2, DeadlineKind.REDO, days(30)),
            ],
        )
        self.assertEqual(a.deadline_of(1), extended)
        self.assertEqual(a.deadline_of(2), days(30))
        self.assertEqual(a.first_due_on, extended)
        self.assertEqual(self.on_time_rate(), 100.0)

    def test_the_timeline_shows_every_deadline_change(self):
        extended = days(121)
        a, reply = self.answer(assigned_on=days(-60), due_on=days(-1), written_on=days(0), extension_to=extended)
        self.dissatisfied(reply)
        notes = dict(
            Event.objects.filter(
                assignment=a, verb__in=[EventVerb.ASSIGNED, EventVerb.EXTENSION_APPROVED, EventVerb.REDO]
            ).values_list("verb", "note")
        )
        self.assertIn(f"期限 {days(-1):%Y-%m-%d}", notes[EventVerb.ASSIGNED])
        self.assertIn(f"由 {days(-1):%Y-%m-%d} 延至 {extended:%Y-%m-%d}", notes[EventVerb.EXTENSION_APPROVED])
        self.assertIn(f"第2轮，期限 {days(30):%Y-%m-%d}", notes[EventVerb.REDO])
        self.client.force_login(self.supervisor)
        page = self.client.get(a.proposal.get_absolute_url())
        self.assertContains(page, "办理期限记录")
        for label in ("原定期限", "批准延期", "重办期限"):
            self.assertContains(page, label)

    def test_each_round_is_measured_against_its_own_deadline(self):
        a, reply = self.answer(assigned_on=days(-60), due_on=days(30), written_on=days(0))
        self.dissatisfied(reply)
        second = Reply.objects.start_draft(
            assignment=a,
            by=self.clerk,
            title="关于对《按期办复》提案的再次答复",
            addressees="程玮委员",
            body="现再次答复如下：",
            result_class="B",
            written_on=days(0),
        )
        second.submit(by=self.clerk)
        second.sign_off(by=self.signer, review=False)
        from proposals.models import Deadline

        rounds = dict(Reply.objects.with_round_deadline().filter(assignment=a).values_list("round", "round_due_on"))
        self.assertEqual(rounds, {1: days(30), 2: days(30)})  # round 2: the 重办 deadline (today + 30)
        by_round = {(row["round"], row["due_on"]) for row in Deadline.objects.filter(assignment=a).by_round()}
        self.assertEqual(by_round, {(1, days(30)), (2, days(30))})

    def test_the_migration_rebuilds_the_facts_of_an_existing_assignment_from_its_records(self):
        import importlib

        from django.apps import apps

        from proposals.models import Deadline

        migration = importlib.import_module("proposals.migrations.0009_deadlines_disclosure_code_text_limits")
        a, reply = self.answer(assigned_on=days(-60), due_on=days(-1), written_on=days(0), extension_to=days(121))
        self.dissatisfied(reply)
        facts = Deadline.objects.filter(assignment=a).order_by("round", "set_at", "pk")
        written = list(facts.values_list("round", "kind", "due_on", "set_by"))
        facts.delete()  # as before the migration: only the assignment, its requests and its timeline

        migration.rebuild_deadlines(apps, None)

        self.assertEqual(list(facts.values_list("round", "kind", "due_on", "set_by")), written)


class ListsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.supervisor = f.supervisor()
        unit = f.unit(short_name="经信")
        session = f.session(Body.CPPCC, year=2021)
        # Answered on time in 2021: its deadline passed long ago, but nothing waits on it.
        cls.replied = f.assignment(
            f.proposal(session, title="关于早已按期答复的提案"),
            unit,
            assigned_on=datetime.date(2021, 3, 10),
            status=AssignmentStatus.REPLIED,
        )
        f.reply(cls.replied, written_on=datetime.date(2021, 5, 1))
        cls.open = f.assignment(
            f.proposal(session, title="关于仍在办理的提案"),
            unit,
            assigned_on=datetime.date(2021, 3, 10),
            status=AssignmentStatus.HANDLING,
        )

    def test_the_all_list_never_shows_a_replied_item_as_overdue(self):
        self.client.force_login(self.supervisor)
        page = self.client.get(reverse("supervision:list", args=["all"])).content.decode()
        replied_row = page.split("关于早已按期答复的提案")[1].split("</tr>")[0]
        open_row = page.split("关于仍在办理的提案")[1].split("</tr>")[0]
        self.assertNotIn("已超期", replied_row)
        self.assertIn("已超期", open_row)

    def test_the_export_leaves_the_days_of_a_replied_item_blank(self):
        self.client.force_login(self.supervisor)
        response = self.client.get(reverse("supervision:list", args=["all"]), {"export": "csv"})
        rows = {line.split(",")[1]: line.split(",") for line in response.content.decode("utf-8-sig").splitlines()[1:]}
        self.assertEqual(rows["关于早已按期答复的提案"][10], "")
        self.assertTrue(
            int(rows["关于仍在办理的提案"][10].lstrip("'")) < 0
        )  # (a leading quote keeps Excel from reading a formula)
