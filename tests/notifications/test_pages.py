"""The notifications page: one's own list with the unread count in the top bar, opening one
marks it read and leads to its page, marking all read; nobody opens another's."""

from django.test import TestCase
from django.urls import reverse

from notifications.models import Notification
from proposals.models import Body
from tests import factories as f


class NotificationPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.unit = f.unit()
        cls.clerk = f.clerk(cls.unit, username="clerk")
        cls.other = f.clerk(cls.unit, username="other")
        cls.member_user, cls.member = f.member_user("程玮")
        cls.office = f.office(Body.CPPCC, username="office")
        cls.first = Notification.objects.create(
            user=cls.clerk, event="assigned", key="a:1", subject="【交办】第1号", text="请签收。", url="/proposals/"
        )
        cls.second = Notification.objects.create(
            user=cls.clerk, event="assigned", key="a:2", subject="【交办】第2号", text="<b>不是标记</b>"
        )
        cls.elsewhere = Notification.objects.create(
            user=cls.clerk, event="x", key="x:1", subject="外链", url="https://evil.example.org/"
        )

    def test_the_top_bar_of_every_role_shows_the_unread_count_and_leads_to_the_list(self):
        for user, home in [(self.clerk, "/"), (self.member_user, "/me/"), (self.office, "/")]:
            self.client.force_login(user)
            page = self.client.get(home, follow=True).content.decode()
            self.assertIn(f'href="{reverse("notifications:list")}"', page)
        self.client.force_login(self.clerk)
        self.assertIn('<span class="badge"', self.client.get("/").content.decode())

    def test_the_list_shows_ones_own_notifications_as_text(self):
        self.client.force_login(self.clerk)
        page = self.client.get(reverse("notifications:list")).content.decode()
        self.assertIn("【交办】第1号", page)
        self.assertIn("&lt;b&gt;不是标记&lt;/b&gt;", page)
        self.client.force_login(self.other)
        self.assertNotIn("【交办】第1号", self.client.get(reverse("notifications:list")).content.decode())

    def test_opening_marks_read_and_goes_to_the_page(self):
        self.client.force_login(self.clerk)
        response = self.client.get(reverse("notifications:open", args=[self.first.pk]))
        self.assertRedirects(response, "/proposals/", fetch_redirect_response=False)
        self.first.refresh_from_db()
        self.assertTrue(self.first.is_read)
        unread = self.client.get(reverse("notifications:list") + "?show=unread").content.decode()
        self.assertNotIn("【交办】第1号", unread)
        self.assertIn("【交办】第2号", unread)

    def test_a_link_off_the_site_is_not_followed(self):
        self.client.force_login(self.clerk)
        response = self.client.get(reverse("notifications:open", args=[self.elsewhere.pk]))
        self.assertRedirects(response, reverse("notifications:list"), fetch_redirect_response=False)

    def test_mark_read_one_and_all(self):
        self.client.force_login(self.clerk)
        self.client.post(reverse("notifications:read", args=[self.second.pk]))
        self.assertEqual(Notification.objects.of(self.clerk).unread().count(), 2)
        self.client.post(reverse("notifications:read_all"))
        self.assertEqual(Notification.objects.of(self.clerk).unread().count(), 0)
        self.assertNotIn('<span class="badge"', self.client.get("/").content.decode())

    def test_nobody_opens_or_marks_anothers_notification(self):
        self.client.force_login(self.other)
        self.assertEqual(self.client.get(reverse("notifications:open", args=[self.first.pk])).status_code, 404)
        self.assertEqual(self.client.post(reverse("notifications:read", args=[self.first.pk])).status_code, 404)
        self.client.post(reverse("notifications:read_all"))
        self.first.refresh_from_db()
        self.assertFalse(self.first.is_read)

    def test_marking_read_needs_a_post(self):
        self.client.force_login(self.clerk)
        self.assertEqual(self.client.get(reverse("notifications:read_all")).status_code, 405)

    def test_the_list_query_count_does_not_grow_with_rows(self):
        self.client.force_login(self.clerk)
        url = reverse("notifications:list")
        self.client.get(url)
        # the session, the user (with member and unread count), the page (count, rows) and the roles
        with self.assertNumQueries(5) as few:
            self.client.get(url)
        for n in range(20):
            Notification.objects.create(user=self.clerk, event="assigned", key=f"more:{n}", subject=f"第{n}号")
        with self.assertNumQueries(len(few.captured_queries)):
            self.client.get(url)
