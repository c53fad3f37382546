"""Who may open the dashboard and the lists, what they show, and 催办 with its one e-mail."""

import datetime
from unittest import mock

from django.core import mail
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from proposals.models import Assignment, AssignmentStatus, Body, Event, EventVerb
from supervision.models import ReminderEmail, Urge
from tests import factories as f


class DashboardAccessTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.unit = f.unit(short_name="经信", email="jx@example.gov.cn")
        cppcc, npc = f.session(Body.CPPCC), f.session(Body.NPC)
        today = timezone.localdate()
        cls.late = f.assignment(
            f.proposal(cppcc, title="关于逾期事项的提案"),
            cls.unit,
            assigned_on=today - datetime.timedelta(days=120),
            status=AssignmentStatus.HANDLING,
        )
        cls.npc_late = f.assignment(
            f.proposal(npc, title="关于人大逾期事项的建议"), cls.unit, assigned_on=today - datetime.timedelta(days=100)
        )
        cls.soon = f.assignment(
            f.proposal(cppcc, title="关于快到期事项的提案"), cls.unit, assigned_on=today - datetime.timedelta(days=87)
        )
        cls.supervisor = f.supervisor()
        cls.office = f.office(Body.CPPCC)
        cls.npc_office = f.office(Body.NPC)
        cls.clerk = f.clerk(cls.unit)
        cls.member_user, _m = f.member_user()

    def test_supervisor_sees_the_dashboard_with_definitions(self):
        self.client.force_login(self.supervisor)
        response = self.client.get(reverse("supervision:dashboard"))
        self.assertContains(response, "按期办复率")
        self.assertContains(response, "至少有一条沟通记录的件数")
        self.assertContains(response, "<svg", count=2)
        self.assertEqual(response.context["summary"]["assigned"], 3)

    def test_office_sees_its_own_body_only(self):
        self.client.force_login(self.office)
        response = self.client.get(reverse("supervision:dashboard"))
        self.assertEqual(response.context["summary"]["assigned"], 2)
        response = self.client.get(reverse("supervision:dashboard"), {"body": Body.NPC})
        self.assertEqual(response.context["summary"]["assigned"], 2)  # not a choice for this office: ignored
        response = self.client.get(reverse("supervision:list", args=["overdue"]))
        self.assertContains(response, "关于逾期事项的提案")
        self.assertNotContains(response, "关于人大逾期事项的建议")
        # The filters offer the office nothing beyond its body, not even in their "all" entry.
        body_select = response.content.decode().split('name="body"')[1].split("</select>")[0]
        self.assertNotIn("人大", body_select)
        self.assertIn("政协", body_select)

    def test_only_overseers_are_offered_the_dashboard_in_the_menu(self):
        for user, offered in ((self.supervisor, True), (self.office, True), (self.clerk, False)):
            self.client.force_login(user)
            response = self.client.get(reverse("proposals:list"))
            self.assertEqual("督查统计" in response.content.decode(), offered, user)

    def test_clerk_and_member_get_404(self):
        for user in (self.clerk, self.member_user):
            self.client.force_login(user)
            self.assertEqual(self.client.get(reverse("supervision:dashboard")).status_code, 404)
            self.assertEqual(self.client.get(reverse("supervision:list", args=["overdue"])).status_code, 404)

    def test_anonymous_is_sent_to_login(self):
        response = self.client.get(reverse("supervision:dashboard"))
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("login"), response["Location"])

    def test_overdue_list_is_sorted_by_wait(self):
        self.client.force_login(self.supervisor)
        response = self.client.get(reverse("supervision:list", args=["overdue"]))
        self.assertEqual([a.pk for a in response.context["object_list"]], [self.late.pk, self.npc_late.pk])
        self.assertContains(response, "已超期 30 天")

    def test_due_soon_list(self):
        self.client.force_login(self.supervisor)
        response = self.client.get(reverse("supervision:list", args=["due_soon"]))
        self.assertEqual([a.pk for a in response.context["object_list"]], [self.soon.pk])

    def test_list_queries_do_not_grow_with_rows(self):
        self.client.force_login(self.supervisor)
        url = reverse("supervision:list", args=["all"])
        self.client.get(url)
        with self.assertNumQueries(7):
            self.client.get(url)
        f.assignment(f.proposal(), f.unit())
        with self.assertNumQueries(7):
            self.client.get(url)

    @override_settings(BANLI_DASHBOARD_CACHE_SECONDS=0)
    def test_dashboard_queries_do_not_grow_with_rows(self):
        self.client.force_login(self.supervisor)
        url = reverse("supervision:dashboard")
        self.client.get(url)
        with self.assertNumQueries(8):
            self.client.get(url)
        for _ in range(3):
            a = f.assignment(f.proposal(), f.unit())
            f.feedback(f.reply(a))
        with self.assertNumQueries(8):
            self.client.get(url)

    def test_each_list_counts_and_orders_what_it_holds(self):
        """The lists' counts come from the tally and their pages from indexes: both must say what
        a plain query of the same assignments says, returned ones included in the whole list."""
        today = timezone.localdate()
        other = f.unit()
        f.assignment(f.proposal(f.session(Body.CPPCC)), other, status=AssignmentStatus.RETURNED)
        f.assignment(f.proposal(f.session(Body.CPPCC)), other, status=AssignmentStatus.REPLIED)
        every = Assignment.objects.order_by("due_on", "pk")
        cppcc = every.filter(proposal__session__body=Body.CPPCC)
        cases = [
            (self.supervisor, "overdue", {}, every.overdue(today)),
            (self.supervisor, "due_soon", {}, every.due_soon(today)),
            (self.supervisor, "all", {}, every),
            (self.supervisor, "all", {"unit": other.pk}, every.filter(unit=other)),
            (self.office, "overdue", {}, cppcc.overdue(today)),
            (self.office, "all", {}, cppcc),
        ]
        for user, which, params, expected in cases:
            self.client.force_login(user)
            response = self.client.get(reverse("supervision:list", args=[which]), params)
            with self.subTest(user=user.username, which=which, params=params):
                self.assertEqual(response.context["paginator"].count, expected.count())
                self.assertEqual(list(response.context["object_list"]), list(expected[:50]))

    def test_filter_by_unit_on_the_list(self):
        other = f.unit()
        self.client.force_login(self.supervisor)
        response = self.client.get(reverse("supervision:list", args=["all"]), {"unit": other.pk})
        self.assertEqual(list(response.context["object_list"]), [])


class UrgeTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.unit = f.unit(short_name="经信", email="jx@example.gov.cn")
        cls.late = f.assignment(
            f.proposal(f.session(Body.CPPCC), title="关于逾期事项的提案"),
            cls.unit,
            assigned_on=timezone.localdate() - datetime.timedelta(days=120),
        )
        cls.supervisor = f.supervisor()
        cls.npc_office = f.office(Body.NPC)
        cls.office = f.office(Body.CPPCC)
        cls.clerk = f.clerk(cls.unit)

    def urge(self, method="phone", note=""):
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(
                reverse("supervision:urge", args=[self.late.pk]),
                {"method": method, "note": note, "next": "/dashboard/list/overdue/"},
            )

    def test_urge_records_who_when_how_and_mails_the_unit_once(self):
        self.client.force_login(self.supervisor)
        response = self.urge("phone", "已电话联系刘科长")
        self.assertRedirects(response, "/dashboard/list/overdue/", fetch_redirect_response=False)
        urge = Urge.objects.get()
        self.assertEqual((urge.urged_by, urge.method, urge.due_on), (self.supervisor, "phone", self.late.due_on))
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["jx@example.gov.cn"])
        self.assertIn("关于逾期事项的提案", mail.outbox[0].subject)
        self.assertTrue(Event.objects.filter(assignment=self.late, verb=EventVerb.URGED).exists())

        self.urge("letter")
        self.assertEqual(Urge.objects.count(), 2)
        self.assertEqual(len(mail.outbox), 1)  # the ledger: one e-mail per deadline
        self.assertEqual(ReminderEmail.objects.count(), 1)

    def test_a_new_deadline_gets_a_new_reminder(self):
        self.client.force_login(self.supervisor)
        self.urge()
        self.late.due_on += datetime.timedelta(days=30)  # extension granted
        self.late.save()
        self.urge()
        self.assertEqual(len(mail.outbox), 2)

    def test_a_failed_email_is_tried_again_on_the_next_urge(self):
        self.client.force_login(self.supervisor)
        with mock.patch("supervision.mail.send_mail", side_effect=OSError("smtp down")):
            self.urge()
        self.assertEqual((Urge.objects.count(), ReminderEmail.objects.count()), (1, 0))
        self.urge()
        self.assertEqual(len(mail.outbox), 1)

    def test_office_of_the_body_may_urge(self):
        self.client.force_login(self.office)
        self.urge()
        self.assertEqual(Urge.objects.get().urged_by, self.office)

    def test_outsiders_cannot_urge(self):
        for user in (self.clerk, self.npc_office):
            self.client.force_login(user)
            self.assertEqual(self.urge().status_code, 404)
        self.assertFalse(Urge.objects.exists())
        self.assertEqual(mail.outbox, [])

    def test_it_rejects_get(self):
        self.client.force_login(self.supervisor)
        self.assertEqual(self.client.get(reverse("supervision:urge", args=[self.late.pk])).status_code, 405)

    def test_unknown_method_records_nothing(self):
        self.client.force_login(self.supervisor)
        self.urge("pigeon")
        self.assertFalse(Urge.objects.exists())

    def test_off_site_next_is_ignored(self):
        self.client.force_login(self.supervisor)
        response = self.client.post(
            reverse("supervision:urge", args=[self.late.pk]), {"method": "system", "next": "https://evil.example/"}
        )
        self.assertEqual(response["Location"], reverse("supervision:list", args=["overdue"]))
