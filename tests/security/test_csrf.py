"""Every POST needs the CSRF token, as a real browser would send it; a stale form gets a Chinese page."""

from django.test import Client, TestCase

from proposals.models import Body
from tests import factories as f


class CsrfTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = f.user("member1")
        cls.admin = f.user("boss", is_staff=True, is_superuser=True)
        cls.session = f.session(Body.CPPCC)

    def setUp(self):
        self.client = Client(enforce_csrf_checks=True)

    def token_from(self, url):
        self.client.get(url)
        return self.client.cookies["csrftoken"].value

    def test_a_login_without_the_token_is_refused_with_a_chinese_page(self):
        response = self.client.post("/login/", {"username": "member1", "password": "pw-for-tests"})
        self.assertEqual(response.status_code, 403)
        self.assertContains(response, "请求已过期", status_code=403)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_a_login_with_the_token_from_the_form_works(self):
        token = self.token_from("/login/")
        response = self.client.post(
            "/login/", {"username": "member1", "password": "pw-for-tests", "csrfmiddlewaretoken": token}
        )
        self.assertEqual(response.status_code, 302)

    def test_logout_without_the_token_is_refused_and_the_user_stays_logged_in(self):
        self.client.force_login(self.user)
        self.assertEqual(self.client.post("/logout/").status_code, 403)
        self.assertEqual(self.client.get("/").status_code, 200)

    def test_an_admin_change_without_the_token_is_refused_and_nothing_changes(self):
        self.client.force_login(self.admin)
        url = f"/admin/proposals/session/{self.session.pk}/change/"
        response = self.client.post(url, {"name": "被篡改的会议名称"})
        self.assertEqual(response.status_code, 403)
        self.session.refresh_from_db()
        self.assertNotEqual(self.session.name, "被篡改的会议名称")

    def test_a_language_switch_without_the_token_is_refused(self):
        self.assertEqual(self.client.post("/i18n/setlang/", {"language": "en"}).status_code, 403)
