"""Unit scoring: a hand-built year whose every point is worked out by hand below, the scheme read
from data, 主办 and 会办 apart, a 重办 that leaves the first reply's figure alone, the .xlsx read
back, and who may look."""

import datetime
import io
from decimal import Decimal

import openpyxl
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from feedback.models import Satisfaction
from proposals.models import (
    AssignmentRequest,
    AssignmentRole,
    AssignmentStatus,
    Body,
    Deadline,
    DeadlineKind,
    Decision,
    Event,
    EventVerb,
    RequestKind,
)
from replies.models import CoHandlingOpinion, ContactRecord
from supervision import escalation, scoring, services
from supervision.models import Commitment, ScoringScheme
from tests import factories as f

D = datetime.date
RULES = {
    "lead": {
        "on_time": {"points": 40},
        "contact": {"points": 20},
        "satisfaction": {"points": 30, "basically": 0.5},
        "commitments": {"points": 10},
        "escalations": {"per": 3, "max": 5},
        "elements": {"per": 2, "max": 10},
    },
    "co": {
        "on_time": {"points": 50},
        "contact": {"points": 50},
        "satisfaction": {"points": 0, "basically": 1},
        "commitments": {"points": 0},
        "escalations": {"per": 1, "max": 10},
        "elements": {"per": 0, "max": 0},
    },
}


def contact(a):
    ContactRecord.objects.create(assignment=a, contacted_on=a.assigned_on, method="phone", summary="电话沟通")


class ScoringTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.supervisor = f.supervisor()
        cls.office = f.office(Body.CPPCC)
        cls.npc_office = f.office(Body.NPC)
        session = f.session(Body.CPPCC, year=2026)
        escalation.install_default_ladder(session)
        ScoringScheme.objects.create(year=2026, name="2026年度考评办法", rules=RULES)
        cls.x = f.unit(name="市住房和城乡建设局", short_name="市住建局")
        cls.y = f.unit(name="市财政局", short_name="市财政局")
        cls.clerk = f.clerk(cls.x)

        def lead(**kw):
            return f.assignment(f.proposal(session), cls.x, assigned_on=D(2026, 1, 20), due_on=D(2026, 3, 31), **kw)

        # a1: answered 03-20, by its deadline; contacted; the member is satisfied.
        cls.a1 = lead(status=AssignmentStatus.REPLIED)
        contact(cls.a1)
        r1 = f.reply(cls.a1, written_on=D(2026, 3, 20))
        f.feedback(r1, satisfaction=Satisfaction.SATISFIED)
        # a2: extended to 04-30 and answered 04-20 (on time); the member is only basically satisfied,
        # a 重办 follows with its own deadline 05-30, answered late on 06-15: the first figure stands.
        cls.a2 = lead(status=AssignmentStatus.REPLIED)
        request = AssignmentRequest.objects.create(
            assignment=cls.a2,
            kind=RequestKind.EXTENSION,
            reason="需协调",
            requested_due_on=D(2026, 4, 30),
            requested_by=cls.clerk,
            decision=Decision.APPROVED,
            decided_by=cls.supervisor,
            decided_at=timezone.now(),
        )
        Deadline.objects.create(
            assignment=cls.a2, round=1, kind=DeadlineKind.EXTENSION, due_on=D(2026, 4, 30), request=request
        )
        r2 = f.reply(cls.a2, written_on=D(2026, 4, 20))
        f.feedback(r2, satisfaction=Satisfaction.BASICALLY)
        Deadline.objects.create(assignment=cls.a2, round=2, kind=DeadlineKind.REDO, due_on=D(2026, 5, 30))
        f.reply(cls.a2, round=2, written_on=D(2026, 6, 15))
        # a3: answered late (04-10), contacted twice, the member dissatisfied; once returned at review
        # for a missing 答复要件.
        cls.a3 = lead(status=AssignmentStatus.REPLIED)
        contact(cls.a3)
        contact(cls.a3)
        r3 = f.reply(cls.a3, written_on=D(2026, 4, 10))
        f.feedback(r3, satisfaction=Satisfaction.DISSATISFIED)
        Event.record(proposal=cls.a3.proposal, assignment=cls.a3, verb=EventVerb.ELEMENTS_MISSING, note="缺联系人")
        # a4: still open, no contact, 督办 twice.
        cls.a4 = lead(status=AssignmentStatus.HANDLING)
        for rank in (1, 2):
            services.escalate(
                assignment=cls.a4, level=session.escalation_levels.get(rank=rank), by=cls.supervisor, reason="滞后"
            )
        # Not counted: an assignment returned by X, and X's work of another year.
        lead(status=AssignmentStatus.RETURNED)
        other_year = f.session(Body.CPPCC, year=2025)
        f.assignment(f.proposal(other_year), cls.x, assigned_on=D(2025, 2, 1), due_on=D(2025, 5, 1))
        # X's promises on a1's reply: one kept, one overdue, one not yet due.
        for text, due, close in (
            ("甲", D(2026, 6, 30), True),
            ("乙", D(2026, 9, 30), False),
            ("丙", D(2099, 1, 1), False),
        ):
            c = Commitment.objects.record(reply=r1, by=cls.clerk, text=text, due_on=due)
            if close:
                c.close(by=cls.office)
        # Y co-handles a1: its opinion came 03-25, before the deadline; 督办 once while it was open.
        cls.co = f.assignment(
            cls.a1.proposal,
            cls.y,
            role=AssignmentRole.CO,
            assigned_on=D(2026, 1, 20),
            due_on=D(2026, 3, 31),
            status=AssignmentStatus.HANDLING,
        )
        services.escalate(
            assignment=cls.co, level=session.escalation_levels.get(rank=1), by=cls.supervisor, reason="会办滞后"
        )
        # Y's own promise in X's letter: Y answers for it as the 会办 unit (kept).
        Commitment.objects.record(reply=r1, by=cls.office, text="安排配套资金", due_on=D(2026, 5, 1), unit=cls.y).close(
            by=cls.office
        )
        CoHandlingOpinion.objects.create(
            assignment=cls.co,
            body="同意",
            submitted_by=f.clerk(cls.y),
            submitted_at=timezone.make_aware(datetime.datetime(2026, 3, 25, 10, 0)),
        )

    def scores(self, **kw):
        _scheme, scores = scoring.unit_scores(2026, today=D(2026, 12, 4), **kw)
        return {(s.unit.pk, s.group): s for s in scores}

    def test_every_point_of_the_lead_unit_by_hand(self):
        s = self.scores()[(self.x.pk, "lead")]
        self.assertEqual(s.assigned, 4)  # the returned one and last year's left out
        expected = {
            "on_time": ("2/4", Decimal("20.00")),  # a1, a2 (by its extension) of 4: 40 × 2/4
            "contact": ("2/4", Decimal("10.00")),  # a1, a3: 20 × 2/4
            "satisfaction": ("1+0.5×1/3", Decimal("15.00")),  # (1 + 0.5 × 1) / 3 forms × 30
            "commitments": ("1/2", Decimal("5.00")),  # 1 closed of 2 due (the 2099 one not yet): 10 × 1/2
            "escalations": ("2", Decimal("-5.00")),  # 2 × 3 = 6, at most 5
            "elements": ("1", Decimal("-2.00")),  # 1 × 2
        }
        for key, (measure, points) in expected.items():
            with self.subTest(key):
                self.assertEqual((s.line(key).measure, s.line(key).points), (measure, points))
        self.assertEqual(s.total, Decimal("43.00"))  # 20 + 10 + 15 + 5 − 5 − 2

    def test_every_point_of_the_co_handling_unit_by_hand(self):
        scores = self.scores()
        self.assertNotIn((self.y.pk, "lead"), scores)
        s = scores[(self.y.pk, "co")]
        self.assertEqual(s.line("on_time").points, Decimal("50.00"))  # opinion 03-25 ≤ 03-31: 50 × 1/1
        self.assertEqual(s.line("contact").points, Decimal("0.00"))  # 0/1 × 50
        self.assertEqual(s.line("satisfaction").points, Decimal("0.00"))  # no forms, full points: 0
        self.assertEqual(s.line("commitments").measure, "1/1")  # its promise in X's letter, kept (worth 0 here)
        self.assertEqual(s.line("escalations").points, Decimal("-1.00"))  # 1 × 1
        self.assertEqual(s.total, Decimal("49.00"))

    def test_a_year_without_a_scheme_uses_the_default_and_a_bad_scheme_is_refused(self):
        scheme, _scores = scoring.unit_scores(2031)
        self.assertIsNone(scheme.pk)
        self.assertEqual(scheme.rules, scoring.DEFAULT_RULES)
        bad = ScoringScheme(year=2031, name="错", rules={"lead": {"on_time": {"points": 500}}})
        with self.assertRaises(Exception) as raised:
            bad.full_clean()
        self.assertIn("rules", raised.exception.message_dict)

    def test_the_table_shows_the_scheme_beside_it_and_links_each_unit(self):
        self.client.force_login(self.supervisor)
        url = reverse("supervision:scoring")
        self.client.get(url, {"year": 2026})
        with self.settings(BANLI_DASHBOARD_CACHE_SECONDS=0), self.assertNumQueries(8):
            page = self.client.get(url, {"year": 2026})
        with self.assertNumQueries(5):  # the year's scores from the cache
            self.client.get(url, {"year": 2026})
        self.assertContains(page, "2026年度考评办法")
        self.assertContains(page, "每次扣 3 分，最多 5 分")
        self.assertContains(page, "43.00")
        detail = self.client.get(reverse("supervision:score_unit", args=[self.x.pk]), {"year": 2026})
        self.assertContains(detail, "1+0.5×1/3")
        self.assertContains(detail, "-5.00")

    def test_the_xlsx_reads_back_with_the_same_points(self):
        self.client.force_login(self.supervisor)
        response = self.client.get(reverse("supervision:scoring"), {"year": 2026, "export": "xlsx"})
        book = openpyxl.load_workbook(
            io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
        )
        rows = list(book.worksheets[0].iter_rows(values_only=True))
        self.assertEqual(rows[0][0], "承办单位")
        x_row = next(r for r in rows if r[0] == "市住房和城乡建设局")
        self.assertEqual(x_row[1:], ("主办", 4, 20.0, 10.0, 15.0, 5.0, -5.0, -2.0, 43.0))
        detail = list(book.worksheets[1].iter_rows(values_only=True))
        self.assertIn(("市财政局", "会办", "按期办复", "1/1", 100.0, "50 分 × 比率", 50.0), detail)
        self.assertEqual(book.worksheets[2].title, "考评办法")

    def test_who_may_look(self):
        url = reverse("supervision:scoring")
        self.client.force_login(self.clerk)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.get(reverse("supervision:score_unit", args=[self.x.pk])).status_code, 404)
        self.client.force_login(self.office)
        self.assertContains(self.client.get(url, {"year": 2026}), "43.00")
        self.assertEqual(self.client.get(url, {"year": 2026, "body": "npc"}).status_code, 404)
        self.client.force_login(self.npc_office)
        self.assertNotContains(self.client.get(url, {"year": 2026}), "市住房和城乡建设局")
