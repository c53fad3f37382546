"""The inbox at `/`: each role lands on its own view, filters narrow it, and its cost does not grow with rows."""

import datetime

from django.test import override_settings
from django.urls import reverse

from proposals.models import AssignmentRole, AssignmentStatus, Category
from replies.models import ReplyStatus
from tests import factories as f
from tests.cast import WorkflowTestCase


def rows(response):
    return {a.pk for a in response.context["assignments"]}


class InboxAccessTests(WorkflowTestCase):
    def test_a_clerk_sees_their_units_assignments_only(self):
        response = self.as_user(self.clerk_x).get("/")
        self.assertEqual(rows(response), {self.lead.pk})
        self.assertContains(response, "X市经济和信息化局")
        self.assertNotContains(response, "关于Z局事项的提案")

    def test_a_signer_sees_the_same_unit_inbox(self):
        self.assertEqual(rows(self.as_user(self.signer_x).get("/")), {self.lead.pk})

    def test_the_office_sees_every_unit_of_its_body_with_a_unit_column(self):
        response = self.as_user(self.office).get("/")
        self.assertEqual(rows(response), {self.lead.pk, self.co.pk, self.other.pk})
        self.assertContains(response, "全部承办单位")
        self.assertContains(response, reverse("proposals:register"))

    def test_the_office_of_the_other_body_sees_none_of_these(self):
        self.assertEqual(rows(self.as_user(self.office_npc).get("/")), set())

    def test_the_supervisor_sees_everything(self):
        self.assertEqual(rows(self.as_user(self.supervisor).get("/")), {self.lead.pk, self.co.pk, self.other.pk})

    def test_a_member_is_sent_to_their_own_page(self):
        response = self.as_user(self.member_user).get("/")
        self.assertRedirects(response, "/me/", fetch_redirect_response=False)

    def test_a_user_without_a_role_sees_an_empty_inbox(self):
        response = self.as_user(self.stranger).get("/")
        self.assertEqual(rows(response), set())
        self.assertContains(response, "没有符合条件的办件")

    def test_an_anonymous_visitor_is_sent_to_login(self):
        response = self.client.get("/")
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("login"), response["Location"])


class InboxFilterTests(WorkflowTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.category = Category.objects.create(name="经济建设")
        cls.key = f.proposal(cls.session, title="关于重点事项的提案", is_key=True, category=cls.category)
        cls.key_a = f.assignment(cls.key, cls.unit_x, status=AssignmentStatus.HANDLING)
        cls.soon = f.assignment(
            f.proposal(cls.session, title="关于快到期事项的提案"),
            cls.unit_x,
            assigned_on=cls.today - datetime.timedelta(days=85),
        )
        cls.late = f.assignment(
            f.proposal(cls.session, title="关于已超期事项的提案"),
            cls.unit_x,
            assigned_on=cls.today - datetime.timedelta(days=95),
        )
        cls.co_x = f.assignment(f.proposal(cls.session, title="关于会办事项的提案"), cls.unit_x, AssignmentRole.CO)
        cls.npc_a = f.assignment(f.proposal(cls.npc_session, title="关于人大事项的建议"), cls.unit_x)

    def get(self, **params):
        return rows(self.as_user(self.clerk_x).get("/", params))

    def test_state_tabs_count_each_state_and_filter_by_it(self):
        response = self.as_user(self.clerk_x).get("/", {"state": "handling"})
        self.assertEqual(rows(response), {self.key_a.pk})
        tabs = {t.value: t.count for t in response.context["tabs"]}
        self.assertEqual(tabs["pending"], 5)
        self.assertEqual(tabs["handling"], 1)
        self.assertEqual(tabs[""], 6)

    def test_due_soon_and_overdue(self):
        self.assertEqual(self.get(deadline="due_soon"), {self.soon.pk})
        self.assertEqual(self.get(deadline="overdue"), {self.late.pk})

    def test_the_due_soon_horizon_is_a_setting(self):
        with override_settings(BANLI_DUE_SOON_DAYS=3):
            self.assertEqual(self.get(deadline="due_soon"), set())

    def test_role_kind_session_category_and_key(self):
        self.assertEqual(self.get(role="co"), {self.co_x.pk})
        self.assertEqual(self.get(kind="suggestion"), {self.npc_a.pk})
        self.assertEqual(self.get(session=self.npc_session.pk), {self.npc_a.pk})
        self.assertEqual(self.get(category=self.category.pk), {self.key_a.pk})
        self.assertEqual(self.get(key="yes"), {self.key_a.pk})

    def test_keyword_searches_number_title_and_every_members_name(self):
        self.assertEqual(self.get(q="中小企业"), {self.lead.pk})
        self.assertEqual(self.get(q="程玮"), {self.lead.pk})
        self.assertEqual(self.get(q="王秋红"), {self.lead.pk})  # a co-signer
        self.assertEqual(self.get(q=self.key.number), {self.key_a.pk})

    def test_a_bad_filter_value_shows_a_message_not_an_error(self):
        response = self.as_user(self.clerk_x).get("/", {"session": "999999"})
        self.assertEqual(response.status_code, 200)

    def test_overdue_rows_are_marked(self):
        response = self.as_user(self.clerk_x).get("/")
        self.assertContains(response, "overdue-row")
        self.assertContains(response, "due_soon-row")
        self.assertContains(response, "超期 5 天")


class InboxQueryCountTests(WorkflowTestCase):
    def fill(self, n):
        for i in range(n):
            p = f.proposal(self.session, cosigners=[self.bob], title=f"关于批量事项{i}的提案")
            f.assignment(p, self.unit_x)

    def count_queries(self, user, params=None):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.client.force_login(user)
        params = {"q": "事项"} if params is None else params
        self.client.get("/", params)  # the first request fills the cached reference lists
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get("/", params)
        self.assertEqual(response.status_code, 200)
        return len(queries)

    @override_settings(BANLI_INBOX_PAGE_SIZE=200)
    def test_a_clerks_inbox_costs_the_same_with_10_and_100_rows(self):
        self.fill(10)
        with_10 = self.count_queries(self.clerk_x)
        self.fill(90)
        with self.assertNumQueries(with_10):
            self.client.get("/", {"q": "事项"})
        self.assertEqual(len(self.client.get("/", {"q": "事项"}).context["assignments"]), 100)

    @override_settings(BANLI_INBOX_PAGE_SIZE=200)
    def test_the_offices_inbox_costs_the_same_with_10_and_100_rows(self):
        self.fill(10)
        with_10 = self.count_queries(self.office, {})
        self.fill(90)
        with self.assertNumQueries(with_10):
            self.client.get("/")

    def test_the_inbox_is_paginated(self):
        self.fill(35)
        response = self.as_user(self.clerk_x).get("/")
        self.assertEqual(len(response.context["assignments"]), 30)
        self.assertContains(response, "第 1 / 2 页")

    @override_settings(BANLI_INBOX_PAGE_SIZE=10)
    def test_the_page_count_follows_the_state_tab_and_the_filters(self):
        # The list's length comes from the tabs' counts (no second COUNT): it must match the rows.
        self.fill(25)
        for a in self.unit_x.assignments.filter(proposal__title__contains="批量")[:12]:
            a.status = AssignmentStatus.HANDLING
            a.save()
        clerk = self.as_user(self.clerk_x)
        cases = [
            ({}, 26),  # the 25 filled in and the lead assignment of the fixture
            ({"state": AssignmentStatus.HANDLING}, 12),
            ({"state": AssignmentStatus.PENDING, "q": "批量"}, 13),
            ({"state": "nonsense"}, 26),  # an unknown state filters nothing, as before
        ]
        for params, expected in cases:
            with self.subTest(params=params):
                response = clerk.get("/", params)
                page = response.context["page_obj"]
                self.assertEqual(page.paginator.count, expected)
                self.assertEqual(page.paginator.num_pages, (expected + 9) // 10)
                last = clerk.get("/", {**params, "page": page.paginator.num_pages}).context["page_obj"]
                self.assertEqual(len(last.object_list), expected - 10 * (page.paginator.num_pages - 1))


class InboxOrderTests(WorkflowTestCase):
    def test_open_assignments_come_before_finished_ones(self):
        done = f.assignment(
            f.proposal(self.session), self.unit_x, assigned_on=self.today - datetime.timedelta(days=200)
        )
        done.status = AssignmentStatus.REPLIED
        done.save()
        ordered = [a.pk for a in self.as_user(self.clerk_x).get("/").context["assignments"]]
        self.assertEqual(ordered, [self.lead.pk, done.pk])

    def test_a_signer_is_told_how_many_replies_wait_for_them(self):
        self.set_status(self.lead, AssignmentStatus.AWAITING_SIGNOFF)
        f.reply(self.lead, status=ReplyStatus.AWAITING_SIGNOFF)
        queues = {q.key: q.count for q in self.as_user(self.signer_x).get("/").context["queues"]}
        self.assertEqual(queues["to_sign"], 1)
        self.assertNotIn("to_sign", {q.key for q in self.as_user(self.clerk_x).get("/").context["queues"]})

    def test_the_proposal_list_filters_by_keyword_and_status(self):
        other = f.proposal(self.session, title="关于别的事项的提案")
        client = self.as_user(self.office)
        listed = {p.pk for p in client.get(reverse("proposals:list"), {"q": "王秋红"}).context["object_list"]}
        self.assertEqual(listed, {self.proposal.pk})
        listed = {p.pk for p in client.get(reverse("proposals:list"), {"status": "registered"}).context["object_list"]}
        self.assertIn(other.pk, listed)
