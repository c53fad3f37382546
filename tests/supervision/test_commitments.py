"""承诺事项: recorded on a reply, progress by the unit, 销号 and reopening by the office, carried
across sessions and years, warned of once, counted in the 承诺兑现率, and seen only in scope."""

import datetime
import io

from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from proposals.models import AssignmentRole, AssignmentStatus, Body, Event, EventVerb, TransitionError
from replies.models import ResultClass
from supervision import commitments
from supervision.models import Commitment, CommitmentStatus
from tests import factories as f

TODAY = timezone.localdate()


class CommitmentTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        # Last year's session, whose promise is still open, and this year's.
        cls.old_session = f.session(Body.CPPCC, name="十四届一次会议", year=TODAY.year - 1)
        cls.new_session = f.session(Body.CPPCC, name="十四届二次会议", year=TODAY.year)
        cls.unit = f.unit(name="市住房和城乡建设局", short_name="市住建局")
        cls.co_unit = f.unit(name="市财政局", short_name="市财政局")
        cls.other_unit = f.unit(name="市教育局", short_name="市教育局")
        cls.clerk = f.clerk(cls.unit)
        cls.co_clerk = f.clerk(cls.co_unit)
        cls.outsider = f.clerk(cls.other_unit)
        cls.office = f.office(Body.CPPCC)
        cls.npc_office = f.office(Body.NPC)
        cls.supervisor = f.supervisor()
        cls.member_user, cls.member = f.member_user()
        old = f.proposal(cls.old_session, lead=cls.member, title="关于老旧小区改造的提案")
        cls.old_assignment = f.assignment(
            old, cls.unit, assigned_on=datetime.date(TODAY.year - 1, 3, 1), status=AssignmentStatus.REPLIED
        )
        f.assignment(old, cls.co_unit, role=AssignmentRole.CO, assigned_on=datetime.date(TODAY.year - 1, 3, 1))
        cls.old_reply = f.reply(cls.old_assignment, result_class=ResultClass.B)
        new = f.proposal(cls.new_session, title="关于学校周边交通的提案")
        cls.new_assignment = f.assignment(new, cls.unit, status=AssignmentStatus.REPLIED)
        cls.new_reply = f.reply(cls.new_assignment, result_class=ResultClass.B)

    def promise(self, reply=None, *, due_on, text="年底前完成雨污分流改造一期", by=None, unit=None):
        return Commitment.objects.record(
            reply=reply or self.old_reply, by=by or self.clerk, text=text, due_on=due_on, unit=unit
        )

    # --- the write paths ---------------------------------------------------------------------

    def test_the_unit_records_a_promise_on_its_reply_and_the_timeline_says_so(self):
        c = self.promise(due_on=TODAY + datetime.timedelta(days=60))
        self.assertEqual(c.unit, self.unit)
        self.assertEqual(c.status, CommitmentStatus.OPEN)
        event = Event.objects.get(verb=EventVerb.COMMITMENT_MADE)
        self.assertIn("雨污分流", event.note)
        self.assertEqual(event.assignment, self.old_assignment)
        self.assertEqual(c.history.count(), 1)

    def test_a_promise_may_name_a_co_handling_unit_but_not_a_stranger(self):
        c = self.promise(due_on=TODAY, unit=self.co_unit)
        self.assertEqual(c.unit, self.co_unit)
        with self.assertRaises(TransitionError):
            self.promise(due_on=TODAY, unit=self.other_unit)

    def test_another_units_clerk_cannot_record_a_promise(self):
        with self.assertRaises(TransitionError):
            self.promise(due_on=TODAY, by=self.outsider)
        self.assertFalse(Commitment.objects.exists())

    def test_progress_then_close_then_reopen_with_a_reason(self):
        c = self.promise(due_on=TODAY + datetime.timedelta(days=10))
        c.report_progress(by=self.clerk, note="已完成招标")
        with self.assertRaises(TransitionError):
            c.close(by=self.clerk)  # the unit does not close its own promise
        c.close(by=self.office, note="现场核实已完工")
        c.refresh_from_db()
        self.assertEqual((c.status, c.closed_on, c.closed_by), (CommitmentStatus.CLOSED, TODAY, self.office))
        with self.assertRaises(TransitionError):
            c.report_progress(by=self.clerk, note="再报")
        with self.assertRaises(TransitionError):
            c.reopen(by=self.supervisor, reason="  ")
        new_due = TODAY + datetime.timedelta(days=90)
        c.reopen(by=self.supervisor, reason="回头看发现二期未动工", due_on=new_due)
        c.refresh_from_db()
        self.assertEqual((c.status, c.closed_on, c.due_on), (CommitmentStatus.OPEN, None, new_due))
        verbs = list(Event.objects.filter(verb__startswith="commitment").order_by("pk").values_list("verb", flat=True))
        self.assertEqual(verbs, ["commitment_made", "commitment_progress", "commitment_closed", "commitment_reopened"])
        self.assertEqual(c.history.count(), 3)  # made, closed, reopened
        self.assertEqual(c.progress.get().note, "已完成招标")

    def test_an_npc_office_cannot_close_a_cppcc_promise(self):
        c = self.promise(due_on=TODAY)
        with self.assertRaises(TransitionError):
            c.close(by=self.npc_office)

    # --- across sessions and years ------------------------------------------------------------

    def test_last_years_open_promise_stays_listed_and_overdue_this_year(self):
        old = self.promise(due_on=datetime.date(TODAY.year - 1, 12, 31))
        self.promise(self.new_reply, due_on=TODAY + datetime.timedelta(days=30), text="下学期前增设信号灯")
        self.client.force_login(self.office)
        page = self.client.get(reverse("supervision:commitments"))
        self.assertContains(page, "雨污分流")
        self.assertContains(page, "增设信号灯")
        overdue = self.client.get(reverse("supervision:commitments"), {"state": "overdue"})
        self.assertContains(overdue, "雨污分流")
        self.assertNotContains(overdue, "增设信号灯")
        this_year = self.client.get(reverse("supervision:commitments"), {"session": self.new_session.pk})
        self.assertNotContains(this_year, "雨污分流")
        # 1 overdue, 0 closed: nothing kept of what fell due.
        self.assertEqual(commitments.fulfilment()["rate"], 0.0)
        old.close(by=self.office)
        figures = commitments.fulfilment()
        self.assertEqual((figures["closed"], figures["due"], figures["rate"]), (1, 1, 100.0))
        self.assertEqual(commitments.fulfilment_by_unit()[self.unit.pk]["open"], 1)

    def test_the_dashboard_shows_the_fulfilment_rate(self):
        c = self.promise(due_on=TODAY - datetime.timedelta(days=1))
        self.promise(due_on=TODAY - datetime.timedelta(days=1), text="第二项")
        c.close(by=self.office)
        self.client.force_login(self.supervisor)
        page = self.client.get(reverse("supervision:dashboard"))
        self.assertContains(page, "承诺兑现率")
        self.assertContains(page, "50.0%")

    # --- warnings ---------------------------------------------------------------------------------

    def test_overdue_and_coming_due_promises_are_warned_once_per_time_limit(self):
        late = self.promise(due_on=TODAY - datetime.timedelta(days=3))
        self.promise(self.new_reply, due_on=TODAY + datetime.timedelta(days=2), text="下学期前增设信号灯")
        self.promise(self.new_reply, due_on=TODAY + datetime.timedelta(days=200), text="远期")
        with self.captureOnCommitCallbacks(execute=True):
            result = commitments.warn(today=TODAY)
            again = commitments.warn(today=TODAY)
        self.assertEqual((result.overdue, result.due_soon), (1, 1))
        self.assertEqual((again.overdue, again.due_soon), (1, 1))  # looked at, told nobody again
        clerk_notes = Notification.objects.filter(user=self.clerk)
        self.assertEqual(clerk_notes.count(), 2)
        self.assertTrue(Notification.objects.filter(user=self.office, event="commitment_overdue").exists())
        late.close(by=self.office)
        late.reopen(by=self.office, reason="未完成", due_on=TODAY - datetime.timedelta(days=1))
        commitments.warn(today=TODAY)
        self.assertEqual(clerk_notes.filter(event="commitment_overdue").count(), 2)  # a new limit, a new warning

    # --- pages and access -------------------------------------------------------------------------

    def test_the_clerk_records_a_promise_from_the_proposal_page(self):
        self.client.force_login(self.clerk)
        page = self.client.get(self.old_assignment.proposal.get_absolute_url())
        url = reverse("supervision:commitment_new", args=[self.old_reply.pk])
        self.assertContains(page, url)
        bad = self.client.post(url, {"text": " ", "due_on": "", "unit": self.unit.pk})
        self.assertContains(bad, "请填写承诺事项。")
        self.assertContains(bad, "请填写承诺完成时限。")
        ok = self.client.post(url, {"text": "年内完成", "due_on": "2030-06-30", "unit": self.unit.pk})
        self.assertEqual(ok.status_code, 302)
        c = Commitment.objects.get()
        page = self.client.get(self.old_assignment.proposal.get_absolute_url())
        self.assertContains(page, c.get_absolute_url())

    def test_the_unit_reports_and_the_office_closes_on_the_commitment_page(self):
        c = self.promise(due_on=TODAY)
        self.client.force_login(self.clerk)
        page = self.client.get(c.get_absolute_url())
        self.assertContains(page, "报告进展")
        self.assertNotContains(page, reverse("supervision:commitment_close", args=[c.pk]))
        self.client.post(reverse("supervision:commitment_progress", args=[c.pk]), {"note": "已开工"})
        self.assertEqual(c.progress.count(), 1)
        refused = self.client.post(reverse("supervision:commitment_close", args=[c.pk]), {"note": ""})
        self.assertEqual(refused.status_code, 403)
        self.client.force_login(self.office)
        self.client.post(reverse("supervision:commitment_close", args=[c.pk]), {"note": "已完成"})
        c.refresh_from_db()
        self.assertFalse(c.is_open)
        empty = self.client.post(reverse("supervision:commitment_reopen", args=[c.pk]), {"note": ""}, follow=True)
        self.assertContains(empty, "请填写重新打开的理由。")

    def test_strangers_see_nothing(self):
        c = self.promise(due_on=TODAY)
        for user in (self.outsider, self.npc_office):
            self.client.force_login(user)
            self.assertEqual(self.client.get(c.get_absolute_url()).status_code, 404)
            self.assertNotContains(self.client.get(reverse("supervision:commitments")), "雨污分流")
            new = self.client.get(reverse("supervision:commitment_new", args=[self.old_reply.pk]))
            self.assertEqual(new.status_code, 404)
        self.client.force_login(self.member_user)
        self.assertEqual(self.client.get(reverse("supervision:commitments")).status_code, 404)
        self.assertEqual(self.client.get(c.get_absolute_url()).status_code, 404)

    def test_a_co_unit_sees_the_promise_it_was_given(self):
        c = self.promise(due_on=TODAY, unit=self.co_unit)
        self.client.force_login(self.co_clerk)
        self.assertContains(self.client.get(reverse("supervision:commitments")), "雨污分流")
        self.client.post(reverse("supervision:commitment_progress", args=[c.pk]), {"note": "资金已安排"})
        self.assertEqual(c.progress.count(), 1)

    def test_the_list_runs_a_fixed_number_of_queries(self):
        for n in range(5):
            self.promise(due_on=TODAY + datetime.timedelta(days=n), text=f"承诺{n}")
        self.client.force_login(self.supervisor)
        self.client.get(reverse("supervision:commitments"))
        with self.assertNumQueries(7):
            self.client.get(reverse("supervision:commitments"))

    def test_the_daily_command_warns_and_says_how_many(self):
        self.promise(due_on=TODAY - datetime.timedelta(days=1))
        out = io.StringIO()
        call_command("warn_commitments", today=TODAY.isoformat(), stdout=out)
        self.assertIn("超期提醒 1 项", out.getvalue())
        self.assertEqual(Notification.objects.filter(user=self.clerk, event="commitment_overdue").count(), 1)
