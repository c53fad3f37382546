"""Every busy list costs a fixed number of queries, whatever the number of rows behind it.

Each page is read once with a small dataset and once after many more proposals (both bodies,
several units, replies, feedback forms, overdue and finished items, promises) were added: the
second read must run exactly as many queries as the first. The inbox is also checked for its
order, which an index of the assignments holds (open work first, then by deadline).
"""

import datetime

from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from proposals.models import Assignment, AssignmentStatus, Body, FinishedRank
from replies.models import ResultClass
from supervision.models import Commitment
from tests import factories as f

TODAY = timezone.localdate()


@override_settings(BANLI_DASHBOARD_CACHE_SECONDS=0)
class ListCostTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.sessions = {body: f.session(body) for body in (Body.CPPCC, Body.NPC)}
        cls.units = [f.unit() for _ in range(3)]
        cls.clerk = f.clerk(cls.units[0])
        cls.office = f.office(Body.CPPCC)
        cls.supervisor = f.supervisor()
        cls.fill(cls, 6)  # more than the home page shows of each queue: its counts are queries

    def fill(self, n):
        """n proposals per body and unit: one overdue, one replied with a form and a promise, one due later."""
        for session in self.sessions.values():
            for unit in self.units:
                for i in range(n):
                    kind = i % 3
                    assigned = TODAY - datetime.timedelta(days=120 if kind == 0 else 10)
                    a = f.assignment(
                        f.proposal(session),
                        unit,
                        assigned_on=assigned,
                        status=AssignmentStatus.REPLIED if kind == 1 else AssignmentStatus.HANDLING,
                    )
                    if kind == 1:
                        reply = f.reply(a, result_class=ResultClass.B)
                        f.feedback(reply)
                        Commitment.objects.record(
                            reply=reply,
                            by=f.clerk(unit),
                            text="年底前完成",
                            due_on=TODAY + datetime.timedelta(days=30),
                            unit=None,
                        )

    PAGES = [
        ("clerk inbox", "clerk", "/", {}),
        ("office inbox", "office", "/", {}),
        ("office inbox, filtered", "office", "/", {"state": "handling", "role": "lead"}),
        ("office inbox, page 2", "office", "/", {"page": 2}),
        ("overdue list", "supervisor", "/dashboard/list/overdue/", {}),
        ("overdue list as office", "office", "/dashboard/list/overdue/", {}),
        ("all assignments, page 2", "supervisor", "/dashboard/list/all/", {"page": 2}),
        ("dashboard", "supervisor", "/dashboard/", {}),
        ("dashboard, CPPCC", "supervisor", "/dashboard/", {"body": Body.CPPCC}),
        ("dashboard as office", "office", "/dashboard/", {}),
        ("unit scoring table", "supervisor", "/scoring/", {}),
        ("unit scoring table as office", "office", "/scoring/", {}),
        ("commitments", "supervisor", "/commitments/", {}),
        ("commitments as office", "office", "/commitments/", {}),
    ]

    # Every busy page, the inbox with the home's queues included, within a fixed budget of
    # queries for the whole request (session, user and roles counted).
    BUDGET = 10

    def queries_of(self, pages=PAGES):
        counts = {}
        for name, who, url, params in pages:
            self.client.force_login(getattr(self, who))
            self.client.get(url, params)  # sessions, caches of the first request
            with CaptureQueriesContext(connection) as captured:
                response = self.client.get(url, params)
            self.assertEqual(response.status_code, 200, name)
            counts[name] = len(captured)
        return counts

    @override_settings(BANLI_INBOX_PAGE_SIZE=5)
    def test_no_list_runs_more_queries_with_more_rows(self):
        before = self.queries_of()
        self.fill(9)
        self.assertGreater(Assignment.objects.count(), 80)
        self.assertEqual(self.queries_of(), before)

    def test_every_busy_page_stays_within_its_query_budget(self):
        unit = self.units[0].pk
        pages = [
            *self.PAGES,
            (
                "office inbox, one unit's shares to handle",
                "office",
                "/",
                {"unit": unit, "state": "handling", "role": "lead"},
            ),
            ("dashboard, one unit", "supervisor", "/dashboard/", {"unit": unit}),
            ("overdue list, page 2", "supervisor", "/dashboard/list/overdue/", {"page": 2}),
            ("filtered list", "supervisor", "/dashboard/list/all/", {"unit": unit, "body": Body.CPPCC}),
        ]
        self.fill(9)
        over = {name: n for name, n in self.queries_of(pages).items() if n > self.BUDGET}
        self.assertEqual(over, {})

    def test_the_inbox_lists_open_work_first_by_deadline(self):
        self.client.force_login(self.office)
        rows = list(self.client.get("/").context["assignments"])
        expected = list(
            Assignment.objects.visible_to(self.office)
            .alias(finished=FinishedRank())
            .order_by("finished", "due_on", "pk")[: len(rows)]
        )
        self.assertEqual(rows, expected)
        ranks = [a.status in (AssignmentStatus.REPLIED, AssignmentStatus.CLOSED) for a in rows]
        self.assertEqual(ranks, sorted(ranks))
