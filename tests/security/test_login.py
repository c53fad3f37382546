"""Logging in: throttled per username and address, the session renewed, the message in Chinese."""

from django.contrib.sessions.backends.db import SessionStore
from django.test import TestCase, override_settings

from tests import factories as f

LOCKED = "登录失败次数过多"


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
class LoginThrottlingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = f.user("clerkx")

    def attempt(self, password, username="clerkx", ip="10.0.0.1"):
        return self.client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)

    def test_a_wrong_password_says_so_before_the_limit(self):
        response = self.attempt("wrong")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "用户名或密码不正确")

    def test_the_third_wrong_password_locks_the_account_with_a_chinese_message(self):
        for _ in range(2):
            self.attempt("wrong")
        response = self.attempt("wrong")
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, LOCKED, status_code=429)
        self.assertContains(response, "15 分钟后再试", status_code=429)
        self.assertContains(response, 'value="clerkx"', status_code=429)

    def test_the_right_password_is_refused_while_locked_out(self):
        for _ in range(3):
            self.attempt("wrong")
        response = self.attempt("pw-for-tests")
        self.assertEqual(response.status_code, 429)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_the_lock_is_per_address_so_the_owner_elsewhere_can_still_log_in(self):
        for _ in range(3):
            self.attempt("wrong", ip="10.0.0.66")
        response = self.attempt("pw-for-tests", ip="10.0.0.1")
        self.assertRedirects(response, "/", fetch_redirect_response=False)

    def test_the_lock_is_per_username_so_colleagues_behind_the_same_address_can_log_in(self):
        f.user("colleague")
        for _ in range(3):
            self.attempt("wrong")
        response = self.attempt("pw-for-tests", username="colleague")
        self.assertRedirects(response, "/", fetch_redirect_response=False)

    def test_a_success_before_the_limit_resets_the_count(self):
        for _ in range(2):
            self.attempt("wrong")
        self.attempt("pw-for-tests")
        self.client.logout()
        for _ in range(2):
            response = self.attempt("wrong")
        self.assertEqual(response.status_code, 200)

    def test_the_admin_login_is_throttled_too(self):
        f.user("boss", is_staff=True, is_superuser=True)
        for _ in range(3):
            response = self.client.post(
                "/admin/login/?next=/admin/", {"username": "boss", "password": "wrong"}, REMOTE_ADDR="10.0.0.1"
            )
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, LOCKED, status_code=429)


class SessionRotationTests(TestCase):
    def test_logging_in_gives_a_new_session_key_and_drops_the_old_one(self):
        f.user("member1")
        before = self.client.session  # creates an anonymous session and its cookie
        before["seen_login_page"] = True
        before.save()
        old_key = before.session_key
        self.assertEqual(self.client.cookies["sessionid"].value, old_key)

        response = self.client.post("/login/", {"username": "member1", "password": "pw-for-tests"})
        self.assertEqual(response.status_code, 302)

        new_key = self.client.cookies["sessionid"].value
        self.assertNotEqual(new_key, old_key)
        self.assertFalse(SessionStore().exists(old_key))
        self.assertTrue(self.client.session["seen_login_page"])  # data carried over, key renewed

    def test_logging_out_ends_the_session_on_the_server(self):
        f.user("member1")
        self.client.post("/login/", {"username": "member1", "password": "pw-for-tests"})
        key = self.client.cookies["sessionid"].value
        self.client.post("/logout/")
        self.assertFalse(SessionStore().exists(key))
        self.assertEqual(self.client.get("/").status_code, 302)
