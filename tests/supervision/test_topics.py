"""重点督办 topics: the 督查室 opens one from proposal numbers; its page counts what a reader can
check by hand; an office sees its own body's topics only; unit staff and members find none."""

import datetime

from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from proposals.models import AssignmentRole, AssignmentStatus, Body, Event, EventVerb
from supervision import escalation, services
from supervision.models import KeyTopic
from tests import factories as f


class TopicTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        today = timezone.localdate()
        cls.session = f.session(Body.CPPCC, number_format="委员提案〔{year}〕{serial}号")
        escalation.install_default_ladder(cls.session)
        cls.npc_session = f.session(Body.NPC)
        cls.unit, cls.unit2 = f.unit(short_name="经信"), f.unit(short_name="财政")
        cls.supervisor = f.supervisor()
        cls.office = f.office(Body.CPPCC)
        cls.npc_office = f.office(Body.NPC)
        cls.clerk = f.clerk(cls.unit)
        cls.member_user, _m = f.member_user()
        cls.p1 = f.proposal(cls.session, serial=11, title="关于老旧小区改造的提案")
        cls.p2 = f.proposal(cls.session, serial=12, title="关于加装电梯的提案")
        cls.p3 = f.proposal(cls.session, serial=13, title="不在专题里的提案")
        # p1: lead overdue (escalated), co replied; p2: lead due in 3 days
        cls.late = f.assignment(
            cls.p1, cls.unit, assigned_on=today - datetime.timedelta(days=100), status=AssignmentStatus.HANDLING
        )
        f.assignment(
            cls.p1,
            cls.unit2,
            role=AssignmentRole.CO,
            assigned_on=today - datetime.timedelta(days=100),
            status=AssignmentStatus.REPLIED,
        )
        cls.soon = f.assignment(
            cls.p2, cls.unit2, assigned_on=today - datetime.timedelta(days=87), status=AssignmentStatus.HANDLING
        )
        services.escalate(
            assignment=cls.late,
            level=cls.session.escalation_levels.get(name="督办通知"),
            by=cls.supervisor,
            reason="进度滞后",
        )
        cls.topic = KeyTopic.objects.create(
            session=cls.session, title="城市更新", leader="李明副市长", created_by=cls.supervisor
        )
        cls.topic.set_proposals([cls.p1, cls.p2], by=cls.supervisor)
        cls.url = reverse("supervision:topic", args=[cls.topic.pk])

    def test_the_progress_page_counts_by_hand(self):
        self.client.force_login(self.supervisor)
        response = self.client.get(self.url)
        c = response.context["progress"].counts
        # 2 proposals; 3 shares: 1 replied (the co-unit), 2 open, 1 overdue, 1 due in 3 days, 1 escalated.
        self.assertEqual(
            (c["proposals"], c["assignments"], c["replied"], c["open"], c["overdue"], c["due_soon"], c["escalated"]),
            (2, 3, 1, 2, 1, 1, 1),
        )
        self.assertEqual(c["replied_rate"], 33)
        self.assertContains(response, "李明副市长")
        self.assertContains(response, "关于加装电梯的提案")
        self.assertNotContains(response, "不在专题里的提案")
        self.assertContains(response, "督办通知")

    def test_supervisor_opens_a_topic_from_numbers_and_serials(self):
        self.client.force_login(self.supervisor)
        response = self.client.post(
            reverse("supervision:topic_new"),
            {
                "session": self.session.pk,
                "title": "养老服务",
                "leader": "王强副市长",
                "numbers": "委员提案〔2026〕12号、13",
            },
        )
        topic = KeyTopic.objects.get(title="养老服务")
        self.assertRedirects(response, topic.get_absolute_url())
        self.assertEqual(set(topic.proposals.all()), {self.p2, self.p3})
        note = Event.objects.filter(proposal=self.p3, verb=EventVerb.ESCALATED).get().note
        self.assertIn("养老服务", note)

    def test_unknown_numbers_are_named_and_nothing_is_saved(self):
        self.client.force_login(self.supervisor)
        response = self.client.post(
            reverse("supervision:topic_new"),
            {"session": self.session.pk, "title": "养老服务", "leader": "王强", "numbers": "12\n99\n第7号"},
        )
        self.assertContains(response, "该会次没有这些编号：99、第7号")
        self.assertFalse(KeyTopic.objects.filter(title="养老服务").exists())

    def test_a_proposal_leaving_the_topic_says_so_on_its_timeline(self):
        self.client.force_login(self.supervisor)
        self.client.post(
            reverse("supervision:topic_edit", args=[self.topic.pk]),
            {"title": "城市更新", "leader": "李明副市长", "numbers": "11"},
        )
        self.assertEqual(list(self.topic.proposals.all()), [self.p1])
        self.assertTrue(Event.objects.filter(proposal=self.p2, note__startswith="移出重点督办专题").exists())

    def test_office_reads_its_body_but_cannot_edit(self):
        self.client.force_login(self.office)
        self.assertEqual(self.client.get(self.url).status_code, 200)
        self.assertContains(self.client.get(reverse("supervision:topics")), "城市更新")
        self.assertEqual(self.client.get(reverse("supervision:topic_new")).status_code, 403)
        self.assertEqual(self.client.get(reverse("supervision:topic_edit", args=[self.topic.pk])).status_code, 403)

    def test_other_body_unit_staff_and_members_do_not_find_it(self):
        for user in (self.npc_office, self.clerk, self.member_user):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.url).status_code, 404, user)
        self.client.force_login(self.npc_office)
        self.assertNotContains(self.client.get(reverse("supervision:topics")), "城市更新")

    def test_reachable_from_the_supervisors_pages(self):
        self.client.force_login(self.supervisor)
        dashboard = self.client.get(reverse("supervision:dashboard"))
        self.assertContains(dashboard, reverse("supervision:escalation_overview"))
        overview = self.client.get(reverse("supervision:escalation_overview"))
        self.assertContains(overview, reverse("supervision:topics"))
        self.assertContains(self.client.get(reverse("supervision:topics")), self.url)
