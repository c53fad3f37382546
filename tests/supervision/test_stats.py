"""Each dashboard figure on a small hand-built dataset, with the expected numbers written out."""

import datetime

from django.db.models import Q
from django.test import TestCase, override_settings
from django.utils import timezone

from feedback.models import Channel, Satisfaction
from proposals.models import AssignmentRole, AssignmentStatus, Body
from replies.models import CoHandlingOpinion, ContactMethod, ContactRecord, ReplyStatus, ResultClass
from supervision import stats
from tests import factories as f

ASSIGNED = datetime.date(2026, 1, 10)  # lead due 2026-04-10 (90 days), co due 2026-02-09 (30 days)
ON_TIME = datetime.date(2026, 3, 1)
LATE = datetime.date(2026, 5, 1)


def aware(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


class DashboardFiguresTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        s = f.session(Body.CPPCC, year=2026)
        cls.u1, cls.u2 = f.unit(short_name="一局"), f.unit(short_name="二局")
        m1, m2, m3 = (f.member(body=Body.CPPCC) for _ in range(3))
        p1 = f.proposal(s, lead=m1, cosigners=[m2, m3])
        p2, p3, p4, p5 = (f.proposal(s, lead=m1) for _ in range(4))
        signed = {"signed_for_on": ASSIGNED, "status": AssignmentStatus.HANDLING}
        # a1: 一局 lead, signed, contacted, replied on time (A); 满意 + 基本满意, and one unsigned draft form.
        a1 = f.assignment(p1, cls.u1, assigned_on=ASSIGNED, **signed)
        ContactRecord.objects.create(assignment=a1, contacted_on=ON_TIME, method=ContactMethod.VISIT, summary="走访")
        r1 = f.reply(a1, written_on=ON_TIME, result_class=ResultClass.A, issued_at=aware(ON_TIME))
        f.feedback(r1, m1, satisfaction=Satisfaction.SATISFIED)
        f.feedback(r1, m2, satisfaction=Satisfaction.BASICALLY)
        f.feedback(r1, m3, satisfaction=Satisfaction.DISSATISFIED, submitted_at=None)  # not signed: not counted
        # a2: 一局 lead, signed, replied late (C), 不满意, second round late (B) with an ambiguous paper form.
        a2 = f.assignment(p2, cls.u1, assigned_on=ASSIGNED, **signed)
        r2 = f.reply(a2, written_on=LATE, result_class=ResultClass.C, issued_at=aware(LATE))
        f.feedback(r2, m1, satisfaction=Satisfaction.DISSATISFIED)
        r2b = f.reply(a2, round=2, written_on=LATE.replace(month=6), result_class=ResultClass.B)
        f.feedback(
            r2b, m1, channel=Channel.PAPER, satisfaction="", handling_effect="", needs_attention="满意与不满意均勾选"
        )
        # a3: 一局 lead, not signed for, nothing done.
        f.assignment(p3, cls.u1, assigned_on=ASSIGNED)
        # a4: 二局 lead, signed, contacted, replied on time (A), no feedback yet.
        a4 = f.assignment(p4, cls.u2, assigned_on=ASSIGNED, **signed)
        ContactRecord.objects.create(assignment=a4, contacted_on=ON_TIME, method=ContactMethod.PHONE, summary="电话")
        f.reply(a4, written_on=ON_TIME, result_class=ResultClass.A, issued_at=aware(ON_TIME))
        # a5: 二局 co-handling p1, signed, contacted, opinion sent before its 30-day deadline.
        a5 = f.assignment(p1, cls.u2, role=AssignmentRole.CO, assigned_on=ASSIGNED, **signed)
        ContactRecord.objects.create(assignment=a5, contacted_on=ON_TIME, method=ContactMethod.PHONE, summary="电话")
        ContactRecord.objects.create(assignment=a5, contacted_on=ON_TIME, method=ContactMethod.VISIT, summary="再次")
        CoHandlingOpinion.objects.create(
            assignment=a5, body="会办意见", submitted_by=f.user(), submitted_at=aware(datetime.date(2026, 2, 1))
        )
        # a6: 二局 returned p5 (does not count); a7: 一局 took it over, signed, only a draft reply.
        f.assignment(p5, cls.u2, assigned_on=ASSIGNED, status=AssignmentStatus.RETURNED)
        a7 = f.assignment(p5, cls.u1, assigned_on=ASSIGNED, **signed)
        f.reply(a7, status=ReplyStatus.DRAFT)
        # Another body's proposal, for the office filter.
        npc = f.session(Body.NPC, year=2026)
        f.assignment(f.proposal(npc), cls.u1, assigned_on=ASSIGNED)

    def cppcc(self):
        return Q(proposal__session__body=Body.CPPCC)

    def test_headline_counts_lead_and_separate_assignments(self):
        s = stats.summary(self.cppcc())
        self.assertEqual(s["assigned"], 5)  # a1 a2 a3 a4 a7
        self.assertEqual(s["signed"], 4)
        self.assertEqual(s["signed_rate"], 80.0)

    def test_reply_rates(self):
        s = stats.summary(self.cppcc())
        self.assertEqual(s["replied"], 3)  # a1 a2 a4
        self.assertEqual(s["replied_rate"], 60.0)
        self.assertEqual(s["on_time"], 2)  # a1 a4
        self.assertEqual(s["on_time_rate"], 40.0)

    def test_contact_rate(self):
        s = stats.summary(self.cppcc())
        self.assertEqual(s["contacted"], 2)  # a1 a4
        self.assertEqual(s["contact_rate"], 40.0)

    def test_feedback_rates(self):
        s = stats.summary(self.cppcc())
        self.assertEqual(s["returned"], 2)  # a1 a2 of the 3 replied
        self.assertEqual(s["returned_rate"], 66.7)
        self.assertEqual(s["forms"], 4)
        self.assertEqual((s["satisfied"], s["basically"], s["dissatisfied"], s["silent"]), (1, 1, 1, 1))
        self.assertEqual(s["satisfied_rate"], 50.0)

    def test_result_classes_use_the_latest_round(self):
        s = stats.summary(self.cppcc())
        self.assertEqual((s["class_A"], s["class_B"], s["class_C"], s["class_D"]), (2, 1, 0, 0))

    def test_per_unit_counts_lead_and_co_handling_apart(self):
        rows = {(r["unit"], r["role"]): r for r in stats.per_unit(self.cppcc())}
        self.assertEqual(set(rows), {("一局", "lead"), ("二局", "lead"), ("二局", "co")})
        u1 = rows["一局", "lead"]
        self.assertEqual(
            [u1[k] for k in ("assigned", "signed", "replied", "on_time", "contacted", "returned", "forms")],
            [4, 3, 2, 1, 1, 2, 4],
        )
        self.assertEqual(u1["replied_rate"], 50.0)
        self.assertEqual(u1["satisfied_rate"], 50.0)
        u2 = rows["二局", "lead"]
        self.assertEqual([u2[k] for k in ("assigned", "replied", "on_time", "forms")], [1, 1, 1, 0])
        self.assertIsNone(u2["satisfied_rate"])  # no forms: no rate, rather than 0%
        co = rows["二局", "co"]
        self.assertEqual([co[k] for k in ("assigned", "signed", "replied", "on_time", "contacted")], [1, 1, 1, 1, 1])
        self.assertEqual(co["contact_rate"], 100.0)

    def test_filter_by_unit(self):
        s = stats.summary(self.cppcc() & Q(unit=self.u2))
        self.assertEqual((s["assigned"], s["replied"], s["on_time_rate"]), (1, 1, 100.0))

    def test_timeline_counts_deadlines_and_first_replies_by_month(self):
        months = {m["month"]: m for m in stats.timeline(self.cppcc())}
        april = months[datetime.date(2026, 4, 1)]
        self.assertEqual(april["due"], 5)
        march, may = months[datetime.date(2026, 3, 1)], months[datetime.date(2026, 5, 1)]
        self.assertEqual((march["on_time"], march["late"]), (2, 0))
        self.assertEqual((may["on_time"], may["late"]), (0, 1))

    def test_empty_selection_has_no_rates(self):
        s = stats.summary(Q(pk__in=[]))
        self.assertEqual(s["assigned"], 0)
        self.assertIsNone(s["replied_rate"])


class FiguresCacheTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.unit = f.unit()
        cls.session = f.session(Body.CPPCC)
        f.assignment(f.proposal(cls.session), cls.unit, assigned_on=ASSIGNED)

    @override_settings(BANLI_DASHBOARD_CACHE_SECONDS=60)
    def test_figures_are_reused_for_the_same_filter_only(self):
        everything = stats.figures(Q())
        f.assignment(f.proposal(self.session), self.unit, assigned_on=ASSIGNED)
        with self.assertNumQueries(0):
            self.assertEqual(stats.figures(Q())["summary"]["assigned"], 1)  # cached
        self.assertEqual(stats.figures(Q(unit=self.unit.pk))["summary"]["assigned"], 2)  # another key
        self.assertEqual(everything["overdue"], 1)

    @override_settings(BANLI_DASHBOARD_CACHE_SECONDS=0)
    def test_zero_turns_the_cache_off(self):
        stats.figures(Q())
        f.assignment(f.proposal(self.session), self.unit, assigned_on=ASSIGNED)
        self.assertEqual(stats.figures(Q())["summary"]["assigned"], 2)
