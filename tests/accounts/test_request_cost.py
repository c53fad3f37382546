"""What every signed-in page costs before its own work, pinned so that it cannot grow back unseen:
the session, the user (with the member they are and their unread count) and the user's roles.
The badge stays right: a new notification shows on the next page, a read one goes."""

import re

from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.models import Notification
from notifications.services import notify
from tests import factories as f

from .test_second_factor import verified_client


def tables(captured):
    """The table each query reads, sorted (by its first column, else its first FROM)."""
    return sorted(
        (re.match(r'SELECT "(\w+)"\.', q["sql"]) or re.search(r'FROM "(\w+)"', q["sql"])).group(1)
        for q in captured.captured_queries
    )


class RequestCostTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.unit = f.unit()
        cls.supervisor = f.supervisor(username="supervisor")
        cls.clerk = f.clerk(cls.unit, username="clerk")
        cls.member_user, cls.member = f.member_user("程玮", username="member")

    def get(self, url):
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return response, tables(captured)

    def test_a_staff_page_costs_the_session_the_user_and_the_roles_before_its_own_queries(self):
        self.client.force_login(self.supervisor)
        self.client.get(reverse("notifications:list"))
        # The notifications page of someone who has none: its own work is one COUNT.
        response, read = self.get(reverse("notifications:list"))
        self.assertEqual(read, sorted(["django_session", "auth_user", "proposals_role", "notifications_notification"]))
        self.assertNotContains(response, '<span class="badge"')

    def test_a_member_page_costs_the_same_and_the_member_comes_with_the_user(self):
        self.client.force_login(self.member_user)
        response, read = self.get(reverse("notifications:list"))
        self.assertEqual(read, sorted(["django_session", "auth_user", "proposals_role", "notifications_notification"]))
        self.assertContains(response, reverse("feedback:portal"))  # the member's menu: the member was found

    def test_a_members_feedback_form_costs_six_queries(self):
        proposal = f.proposal(lead=self.member)
        reply = f.reply(f.assignment(proposal, self.unit))
        self.client.force_login(self.member_user)
        url = reverse("feedback:member_form", args=[reply.pk])
        self.client.get(url)
        # The three of every page, then the reply, the form if it is in already, and a draft.
        response, read = self.get(url)
        self.assertEqual(
            read,
            sorted(
                [
                    "django_session",
                    "auth_user",
                    "proposals_role",
                    "replies_reply",
                    "feedback_feedback",
                    "feedback_feedbackdraft",
                ]
            ),
        )
        self.assertContains(response, 'name="satisfaction"')

    def test_the_badge_shows_a_new_notification_on_the_next_page_and_drops_it_once_read(self):
        self.client.force_login(self.clerk)
        self.assertNotContains(self.client.get(reverse("notifications:list")), '<span class="badge"')
        notify(event="assigned", key="a:1", recipients=[self.clerk], subject="【交办】第1号", text="请签收。")
        notify(event="assigned", key="a:2", recipients=[self.clerk], subject="【交办】第2号", text="请签收。")
        self.assertContains(
            self.client.get(reverse("notifications:list")), '<span class="badge" aria-label="2 条未读">'
        )
        self.client.get(reverse("notifications:open", args=[Notification.objects.get(key="a:1").pk]))
        self.assertContains(
            self.client.get(reverse("notifications:list")), '<span class="badge" aria-label="1 条未读">'
        )
        self.client.post(reverse("notifications:read_all"))
        self.assertNotContains(self.client.get(reverse("notifications:list")), '<span class="badge"')

    def test_an_inactive_user_is_signed_out_at_the_next_request(self):
        self.client.force_login(self.clerk)
        self.clerk.is_active = False
        self.clerk.save(update_fields=["is_active"])
        response = self.client.get(reverse("notifications:list"))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("login")))


@override_settings(BANLI_SECOND_FACTOR=True)
class RequestCostWithSecondFactorTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.supervisor = f.supervisor(username="supervisor")
        cls.member_user, cls.member = f.member_user("程玮", username="member")

    def test_a_verified_supervisor_pays_one_query_more_for_the_device(self):
        verified_client(self.client, self.supervisor)
        with CaptureQueriesContext(connection) as captured:
            self.assertEqual(self.client.get(reverse("notifications:list")).status_code, 200)
        self.assertEqual(
            tables(captured),
            sorted(
                ["django_session", "auth_user", "otp_totp_totpdevice", "proposals_role", "notifications_notification"]
            ),
        )

    def test_a_member_without_a_device_is_checked_for_one_in_the_query_that_loads_them(self):
        self.client.force_login(self.member_user)
        with CaptureQueriesContext(connection) as captured:
            self.assertEqual(self.client.get(reverse("notifications:list")).status_code, 200)
        self.assertEqual(
            tables(captured), sorted(["django_session", "auth_user", "proposals_role", "notifications_notification"])
        )
        user_query = next(q["sql"] for q in captured.captured_queries if 'FROM "auth_user"' in q["sql"])
        self.assertIn("otp_totp_totpdevice", user_query)
        self.assertIn("otp_static_staticdevice", user_query)
