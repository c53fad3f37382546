"""Graded 督办 on a fixed clock: which level stands on which day, each 督办 recorded, on the
timeline and notified once, and the daily run changing nothing when it runs again."""

import datetime
import io
import threading

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from notifications.models import Notification
from proposals.models import AssignmentStatus, Body, Event, EventVerb, TransitionError
from supervision import escalation, services
from supervision.models import Escalation, EscalationLevel, EscalationRule, Notify
from tests import factories as f
from tests.concurrency import at_once

DUE = datetime.date(2026, 6, 30)


def day(offset):
    return DUE + datetime.timedelta(days=offset)


class LadderTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.session = f.session(Body.CPPCC)
        escalation.install_default_ladder(cls.session)
        cls.unit = f.unit(short_name="经信", email="jx@example.gov.cn")
        cls.clerk = f.clerk(cls.unit)
        cls.office = f.office(Body.CPPCC)
        cls.supervisor = f.supervisor()
        cls.assignment = f.assignment(
            f.proposal(cls.session, title="关于督办事项的提案"),
            cls.unit,
            assigned_on=DUE - datetime.timedelta(days=90),
            due_on=DUE,
            status=AssignmentStatus.HANDLING,
        )

    def run_on(self, offset):
        with self.captureOnCommitCallbacks(execute=True):
            return escalation.run(today=day(offset))

    def levels(self):
        return list(
            Escalation.objects.filter(assignment=self.assignment)
            .order_by("at", "pk")
            .values_list("level__name", flat=True)
        )

    def test_the_default_ladder_has_four_levels_and_the_top_one_needs_a_leader(self):
        names = list(self.session.escalation_levels.values_list("name", "needs_leader"))
        self.assertEqual(names, [("提醒", False), ("催办", False), ("督办通知", False), ("重点督办", True)])
        self.assertFalse(escalation.install_default_ladder(self.session))  # a session keeps its own

    def test_each_level_comes_on_its_day_and_only_once(self):
        expected = {
            -8: [],
            -7: ["提醒"],
            -1: ["提醒"],
            0: ["提醒", "催办"],
            6: ["提醒", "催办"],
            7: ["提醒", "催办", "督办通知"],
            29: ["提醒", "催办", "督办通知"],
            30: ["提醒", "催办", "督办通知", "重点督办"],
            60: ["提醒", "催办", "督办通知", "重点督办"],
        }
        for offset, levels in expected.items():
            self.run_on(offset)
            self.assertEqual(self.levels(), levels, f"day {offset}")
        # Each 督办 on the timeline once, and one e-mail each to the unit.
        events = Event.objects.filter(assignment=self.assignment, verb=EventVerb.ESCALATED)
        self.assertEqual(events.count(), 4)
        self.assertIn("重点督办", events.last().note)
        self.assertIn("按规则", events.last().note)
        unit_mails = [m for m in mail.outbox if "jx@example.gov.cn" in m.to]
        self.assertEqual(
            [m.subject.split("】")[0] for m in unit_mails], ["【提醒", "【催办", "【督办通知", "【重点督办"]
        )
        # and one notice each in the clerk's list in the app.
        self.assertEqual(Notification.objects.filter(user=self.clerk, event="escalated").count(), 4)

    def test_running_twice_on_a_day_changes_nothing(self):
        self.run_on(7)
        counts = (Escalation.objects.count(), Event.objects.count(), len(mail.outbox), Notification.objects.count())
        result = self.run_on(7)
        self.assertEqual(result.raised, 0)
        self.assertEqual(
            (Escalation.objects.count(), Event.objects.count(), len(mail.outbox), Notification.objects.count()), counts
        )

    def test_a_late_first_run_goes_straight_to_the_level_due(self):
        self.run_on(10)
        self.assertEqual(self.levels(), ["督办通知"])

    def test_the_rule_names_who_hears_of_it(self):
        self.office.email = "office@example.gov.cn"
        self.office.save()
        self.supervisor.email = "sup@example.gov.cn"
        self.supervisor.save()
        self.run_on(0)  # 催办: the unit only
        self.assertEqual({a for m in mail.outbox for a in m.to}, {"jx@example.gov.cn"})
        mail.outbox.clear()
        self.run_on(30)  # 重点督办: unit, office and supervisors
        self.assertEqual(
            {a for m in mail.outbox for a in m.to}, {"jx@example.gov.cn", "office@example.gov.cn", "sup@example.gov.cn"}
        )

    def test_an_answered_assignment_is_left_alone(self):
        self.assignment.status = AssignmentStatus.REPLIED
        self.assignment.save()
        self.run_on(30)
        self.assertEqual(self.levels(), [])

    def test_an_extension_starts_the_ladder_again_from_its_new_deadline(self):
        self.run_on(0)
        self.assignment.due_on = day(20)
        self.assignment.save()
        self.run_on(12)  # 8 days before the new deadline: nothing new
        self.assertEqual(self.levels(), ["催办"])
        self.run_on(13)  # 7 days before it
        self.assertEqual(self.levels(), ["催办", "提醒"])

    def test_a_session_without_rules_is_not_escalated(self):
        other = f.session(Body.CPPCC)
        a = f.assignment(f.proposal(other), self.unit, assigned_on=DUE - datetime.timedelta(days=90), due_on=DUE)
        self.run_on(30)
        self.assertFalse(Escalation.objects.filter(assignment=a).exists())

    def test_the_command_runs_on_a_given_day_and_twice_changes_nothing(self):
        out = io.StringIO()
        with self.captureOnCommitCallbacks(execute=True):
            call_command("escalate", today=day(7).isoformat(), stdout=out)
        self.assertIn("新督办 1 件", out.getvalue())
        out = io.StringIO()
        with self.captureOnCommitCallbacks(execute=True):
            call_command("escalate", today=day(7).isoformat(), stdout=out)
        self.assertIn("新督办 0 件", out.getvalue())
        self.assertEqual(self.levels(), ["督办通知"])

    def test_a_manual_escalation_needs_a_reason_and_a_leader_where_the_level_asks(self):
        top = EscalationLevel.objects.get(session=self.session, name="重点督办")
        top.leader = ""
        top.save()
        with self.assertRaises(TransitionError):
            services.escalate(assignment=self.assignment, level=top, by=self.supervisor, reason="")
        with self.assertRaises(TransitionError):
            services.escalate(assignment=self.assignment, level=top, by=self.supervisor, reason="群众反映强烈")
        with self.captureOnCommitCallbacks(execute=True):
            record = services.escalate(
                assignment=self.assignment, level=top, by=self.supervisor, reason="群众反映强烈", leader="李明副市长"
            )
        self.assertEqual(record.level, top)
        event = Event.objects.get(assignment=self.assignment, verb=EventVerb.ESCALATED)
        self.assertEqual(event.actor, self.supervisor)
        self.assertIn("李明副市长", event.note)
        self.assertIn("群众反映强烈", event.note)
        # The top rule names everyone; the unit hears of it once.
        self.assertEqual(len([m for m in mail.outbox if "jx@example.gov.cn" in m.to]), 1)
        # And the daily run does not send a lower level on top of it.
        self.run_on(7)
        self.assertEqual(self.levels(), ["重点督办"])

    def test_an_automatic_top_level_is_signed_by_the_levels_leader(self):
        top = EscalationLevel.objects.get(session=self.session, name="重点督办")
        top.leader = "王强副市长"
        top.save()
        self.run_on(30)
        record = Escalation.objects.get(assignment=self.assignment)
        self.assertEqual((record.level, record.leader), (top, "王强副市长"))
        self.assertIn("督办领导：王强副市长", mail.outbox[-1].body)

    def test_a_level_that_needs_a_leader_names_one(self):
        top = EscalationLevel.objects.get(session=self.session, name="重点督办")
        top.leader = " "
        with self.assertRaises(ValidationError):
            top.full_clean()

    def test_a_rule_with_another_sessions_level_is_refused(self):
        other = f.session(Body.CPPCC)
        escalation.install_default_ladder(other)
        rule = EscalationRule(
            session=self.session, offset_days=3, level=other.escalation_levels.first(), notify=Notify.UNIT
        )
        with self.assertRaises(ValidationError):
            rule.full_clean()

    def test_the_unit_finds_its_督办通知单_on_the_proposal_page_and_another_unit_does_not(self):
        level = EscalationLevel.objects.filter(session=self.session).order_by("pk").first()
        record = services.escalate(assignment=self.assignment, level=level, by=self.supervisor, reason="进度滞后")
        other = f.unit(short_name="财政")
        f.assignment(self.assignment.proposal, other, role="co", status=AssignmentStatus.HANDLING)
        link = f"/escalations/{record.pk}/notice.pdf"
        self.client.force_login(self.clerk)
        page = self.client.get(self.assignment.proposal.get_absolute_url()).content.decode()
        self.assertIn(link, page)
        self.assertIn("进度滞后", page)
        self.assertEqual(self.client.get(link)["Content-Type"], "application/pdf")
        self.client.force_login(f.clerk(other))
        page = self.client.get(self.assignment.proposal.get_absolute_url()).content.decode()
        self.assertNotIn(link, page)


def _run_while(change, monkeypatch):
    """The daily run reads its assignments; `change` (another request, its own connection) commits
    before the run goes on to raise the first of them. Returns the run's result or its error."""
    read, changed = threading.Barrier(2), threading.Barrier(2)
    due_rule = escalation.due_rule
    first = []

    def due_rule_then_wait(*args):
        if not first:
            first.append(True)
            read.wait(timeout=10)
            changed.wait(timeout=10)
        return due_rule(*args)

    monkeypatch.setattr(escalation, "due_rule", due_rule_then_wait)
    outcome = {}

    def run():
        outcome["result"] = escalation.run()

    def other():
        read.wait(timeout=10)
        change()
        changed.wait(timeout=10)

    errors = at_once(run, other)
    if errors:
        outcome["error"] = errors[0]
    return outcome


def _overdue_share(session, unit, days):
    today = timezone.localdate()
    return f.assignment(
        f.proposal(session),
        unit,
        assigned_on=today - datetime.timedelta(days=100),
        due_on=today - datetime.timedelta(days=days),
        status=AssignmentStatus.HANDLING,
    )


@pytest.mark.django_db(transaction=True)
def test_an_extension_granted_while_the_daily_run_is_going_raises_nothing_on_the_new_deadline(monkeypatch):
    """The run read an assignment 8 days overdue; the office grants an extension of a month before the
    run reaches it. The run raised the 督办通知 due for the old deadline and recorded it (and told the
    unit) against the new one, which is not due. It now judges the deadline read under the lock."""
    from django.db import connection

    from proposals.models import AssignmentRequest, RequestKind

    if connection.vendor == "sqlite":
        pytest.skip("SQLite's in-memory test database is one shared cache; real concurrency is tested on PostgreSQL")
    session = f.session(Body.CPPCC)
    escalation.install_default_ladder(session)
    unit = f.unit()
    share = _overdue_share(session, unit, 8)
    request = share.request_change(
        kind=RequestKind.EXTENSION,
        by=f.clerk(unit),
        reason="需要调研",
        requested_due_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    office = f.office(Body.CPPCC)

    def grant():
        AssignmentRequest.objects.get(pk=request.pk).decide(by=office, approve=True)

    outcome = _run_while(grant, monkeypatch)
    assert "error" not in outcome, outcome
    assert not Escalation.objects.filter(assignment=share).exists()
    assert outcome["result"].raised == 0


@pytest.mark.django_db(transaction=True)
def test_a_reply_issued_while_the_daily_run_is_going_does_not_stop_the_run(monkeypatch):
    """The run read two overdue assignments; the first is answered before the run reaches it. The
    run stopped there with an error, and the second unit was not raised that day."""
    from django.db import connection

    from proposals.models import Assignment

    if connection.vendor == "sqlite":
        pytest.skip("SQLite's in-memory test database is one shared cache; real concurrency is tested on PostgreSQL")
    session = f.session(Body.CPPCC)
    escalation.install_default_ladder(session)
    answered, other = _overdue_share(session, f.unit(), 9), _overdue_share(session, f.unit(), 8)

    def issue():
        Assignment.objects.filter(pk=answered.pk).update(status=AssignmentStatus.REPLIED)  # as 签发 leaves it

    outcome = _run_while(issue, monkeypatch)
    assert "error" not in outcome, outcome
    assert not Escalation.objects.filter(assignment=answered).exists()
    assert list(Escalation.objects.filter(assignment=other).values_list("level__name", flat=True)) == ["督办通知"]
