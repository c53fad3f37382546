"""The dashboard's one-query figures against a plain recount, object by object, on a mixed dataset.

The figures are computed by one SQL statement (assignments LEFT JOINed to per-assignment
summaries); this recount walks the same rows in Python, following the definitions on the page,
so any shortcut in the SQL that changes a number shows here.
"""

import datetime
import random

from django.db.models import Q
from django.test import TestCase
from django.utils import timezone

from feedback.models import Channel, Feedback, Satisfaction
from proposals.models import Assignment, AssignmentRole, AssignmentStatus, Body
from replies.models import CoHandlingOpinion, ContactMethod, ContactRecord, Reply, ReplyStatus, ResultClass
from supervision import stats
from tests import factories as f

START = datetime.date(2025, 11, 1)


def recount(assignments):
    """{(unit_id, role): counts} by looking at each assignment in turn."""
    rows = {}
    for a in assignments:
        if a.status == AssignmentStatus.RETURNED:
            continue
        row = rows.setdefault((a.unit_id, a.role), dict.fromkeys(stats.COUNTS, 0))
        issued = sorted(
            (r for r in Reply.objects.filter(assignment=a) if r.status == ReplyStatus.ISSUED), key=lambda r: r.round
        )
        opinions = list(CoHandlingOpinion.objects.filter(assignment=a))
        forms = [fb for r in issued for fb in Feedback.objects.filter(reply=r) if fb.submitted_at is not None]
        row["assigned"] += 1
        row["signed"] += a.signed_for_on is not None
        row["replied"] += bool(issued) + bool(opinions)
        row["on_time"] += any(r.written_on <= a.due_on for r in issued) + any(
            timezone.localtime(o.submitted_at).date() <= a.due_on for o in opinions
        )
        row["contacted"] += ContactRecord.objects.filter(assignment=a).exists()
        row["returned"] += bool(forms)
        row["forms"] += len(forms)
        row["satisfied"] += sum(fb.satisfaction == Satisfaction.SATISFIED for fb in forms)
        row["basically"] += sum(fb.satisfaction == Satisfaction.BASICALLY for fb in forms)
        row["dissatisfied"] += sum(fb.satisfaction == Satisfaction.DISSATISFIED for fb in forms)
        row["silent"] += sum(fb.satisfaction == "" for fb in forms)
        if issued and issued[-1].result_class:
            row[f"class_{issued[-1].result_class}"] += 1
    return rows


class FiguresMatchARecountTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        rng = random.Random(6)
        sessions = [f.session(Body.CPPCC, year=2026), f.session(Body.NPC, year=2026)]
        units = [f.unit() for _ in range(3)]
        members = [f.member(body=Body.CPPCC) for _ in range(4)]
        statuses = [AssignmentStatus.PENDING, AssignmentStatus.HANDLING, AssignmentStatus.REPLIED]
        for i in range(40):
            p = f.proposal(rng.choice(sessions), lead=members[0])
            lead_unit, co_unit = rng.sample(units, 2)
            assigned = START + datetime.timedelta(days=rng.randrange(0, 200))
            a = f.assignment(
                p,
                lead_unit,
                assigned_on=assigned,
                status=AssignmentStatus.RETURNED if i % 9 == 0 else rng.choice(statuses),
                signed_for_on=assigned if rng.random() < 0.7 else None,
            )
            for round_ in range(1, rng.choice([1, 1, 2, 3]) + 1):
                if rng.random() < 0.3:
                    break
                status = ReplyStatus.ISSUED if rng.random() < 0.85 else ReplyStatus.DRAFT
                written = a.due_on + datetime.timedelta(days=rng.choice([-40, -1, 0, 0, 1, 40]))
                r = f.reply(
                    a,
                    status=status,
                    round=round_,
                    written_on=written if status == ReplyStatus.ISSUED else None,
                    result_class=rng.choice(ResultClass.values),
                )
                for m in rng.sample(members, rng.randrange(0, 4)):
                    satisfaction = rng.choice([*Satisfaction.values, ""])
                    # No choice ticked: only on paper (an ambiguous form), as in the real data.
                    paper = {"channel": Channel.PAPER, "handling_effect": "", "needs_attention": "多选"}
                    f.feedback(
                        r,
                        m,
                        satisfaction=satisfaction,
                        submitted_at=timezone.now() if rng.random() < 0.8 else None,
                        **(paper if not satisfaction else {}),
                    )
            for _ in range(rng.randrange(0, 3)):
                ContactRecord.objects.create(
                    assignment=a, contacted_on=assigned, method=ContactMethod.PHONE, summary="电话"
                )
            if rng.random() < 0.6:
                co = f.assignment(p, co_unit, role=AssignmentRole.CO, assigned_on=assigned, signed_for_on=assigned)
                if rng.random() < 0.7:
                    day = co.due_on + datetime.timedelta(
                        days=rng.choice([-20, -1, 0, 0, 1, 20])
                    )  # the deadline day too
                    CoHandlingOpinion.objects.create(
                        assignment=co,
                        body="会办意见",
                        submitted_by=f.user(),
                        submitted_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 30))),
                    )

    def check(self, criteria):
        expected = recount(Assignment.objects.filter(criteria))
        summary, units = stats.dashboard(criteria)
        got = {(r["unit_id"], r["role"]): {name: r[name] for name in stats.COUNTS} for r in units}
        self.assertEqual(got, expected)
        for name in stats.COUNTS:
            self.assertEqual(
                summary[name], sum(c[name] for (_u, role), c in expected.items() if role != AssignmentRole.CO), name
            )

    def test_everything(self):
        self.check(Q())

    def test_one_body(self):
        self.check(Q(proposal__session__body=Body.CPPCC))

    def test_overdue_and_due_soon_match_the_lists(self):
        today = START + datetime.timedelta(days=150)
        summary, _units = stats.dashboard(Q(), today=today)
        self.assertEqual(summary["overdue"], Assignment.objects.overdue(today).count())
        self.assertEqual(summary["due_soon"], Assignment.objects.due_soon(today).count())
