"""Login throttling that fits an office: a soft delay per username across addresses, a limit per
address across usernames, and trusted browsers that keep working whoever guesses nearby."""

import datetime

from django.test import TestCase, override_settings
from django.utils import timezone

from accounts.models import LoginEvent, LoginEventKind
from accounts.throttle import DEVICE_COOKIE, username_delay
from tests import factories as f

DELAYED = "此账号密码错误次数较多"
ADDRESS = "本网络登录失败次数过多"


@override_settings(
    BANLI_LOGIN_FREE_FAILURES=3,
    BANLI_LOGIN_DELAY_SECONDS=30,
    BANLI_LOGIN_MAX_DELAY_SECONDS=900,
    BANLI_LOGIN_ADDRESS_FAILURES=6,
    BANLI_LOGIN_DEVICE_FAILURES=4,
    BANLI_LOGIN_WINDOW_MINUTES=60,
)
class ThrottlingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = f.user("clerkx")
        for name in ("colleague", "a1", "a2", "a3", "a4", "a5", "a6"):
            f.user(name)

    def attempt(self, password, username="clerkx", ip="10.0.0.1", client=None):
        client = client or self.client
        return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)

    def trusted_client(self, username="clerkx", ip="10.0.0.1"):
        """A browser that signed in as `username` once (and signed out): it holds the device cookie."""
        client = self.client_class()
        response = self.attempt("pw-for-tests", username=username, ip=ip, client=client)
        self.assertEqual(response.status_code, 302)
        self.assertIn(DEVICE_COOKIE, response.cookies)
        client.post("/logout/")
        return client

    def age_events(self, minutes):
        LoginEvent.objects.update(at=timezone.now() - datetime.timedelta(minutes=minutes))

    def test_a_wrong_password_says_so_while_failures_are_free(self):
        response = self.attempt("wrong")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "用户名或密码不正确")

    def test_a_nul_typed_into_the_username_is_a_failed_sign_in_not_a_server_error(self):
        # PostgreSQL refuses NUL in text: the failure could not be logged, and the page was a 500.
        response = self.attempt("wrong", username="clerk\x00x")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(LoginEvent.objects.get().username, "clerkx")
        for _ in range(3):
            self.attempt("wrong", username="clerk\x00x")
        self.assertContains(self.attempt("pw-for-tests"), DELAYED, status_code=429)  # counted as clerkx

    def test_after_the_free_failures_the_username_must_wait_with_a_chinese_message(self):
        for _ in range(3):
            self.attempt("wrong")
        response = self.attempt("pw-for-tests")
        self.assertContains(response, DELAYED, status_code=429)
        self.assertContains(response, "1 分钟后再试", status_code=429)
        self.assertContains(response, 'value="clerkx"', status_code=429)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_the_delay_follows_the_username_to_any_address(self):
        for ip in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
            self.attempt("wrong", ip=ip)
        response = self.attempt("pw-for-tests", ip="192.0.2.77")
        self.assertEqual(response.status_code, 429)

    def test_the_delay_is_soft_once_it_has_passed_the_right_password_gets_in(self):
        for _ in range(3):
            self.attempt("wrong")
        self.age_events(minutes=1)
        response = self.attempt("pw-for-tests")
        self.assertRedirects(response, "/", fetch_redirect_response=False)

    def test_the_delay_doubles_with_each_failure_up_to_the_cap(self):
        self.assertEqual([username_delay(n) for n in range(2, 10)], [0, 30, 60, 120, 240, 480, 900, 900])

    def test_refused_attempts_are_logged_but_do_not_lengthen_the_delay(self):
        for _ in range(3):
            self.attempt("wrong")
        for _ in range(5):
            self.attempt("wrong")
        self.assertEqual(LoginEvent.objects.filter(kind=LoginEventKind.FAILURE).count(), 3)
        self.assertEqual(LoginEvent.objects.filter(kind=LoginEventKind.DELAYED).count(), 5)

    def test_a_success_starts_the_count_again(self):
        for _ in range(2):
            self.attempt("wrong")
        self.attempt("pw-for-tests", client=self.client_class())
        for _ in range(2):
            response = self.attempt("wrong")
        self.assertEqual(response.status_code, 200)

    def test_one_address_is_limited_across_usernames(self):
        # Four guesses on each of six accounts from one address: never locked before; now the address is.
        for name in ("a1", "a2", "a3", "a4", "a5", "a6"):
            self.attempt("wrong", username=name, ip="10.9.9.9")
        response = self.attempt("pw-for-tests", username="colleague", ip="10.9.9.9")
        self.assertContains(response, ADDRESS, status_code=429)
        self.assertTrue(LoginEvent.objects.filter(kind=LoginEventKind.ADDRESS_LIMITED).exists())

    def test_one_guesser_behind_the_office_nat_does_not_lock_out_colleagues_who_signed_in_there_before(self):
        colleague_browser = self.trusted_client(username="colleague", ip="10.0.0.1")
        for name in ("a1", "a2", "a3", "a4", "a5", "a6", "colleague", "colleague", "colleague"):
            self.attempt("wrong", username=name, ip="10.0.0.1")
        # The address is over its limit and the colleague's username is delayed, yet their own browser gets in.
        self.assertEqual(self.attempt("pw-for-tests", username="colleague").status_code, 429)
        response = self.attempt("pw-for-tests", username="colleague", client=colleague_browser)
        self.assertRedirects(response, "/", fetch_redirect_response=False)

    def test_someone_guessing_a_username_from_elsewhere_does_not_keep_its_owner_out(self):
        owner_browser = self.trusted_client()
        for ip in ("198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4"):
            self.attempt("wrong", ip=ip)
        response = self.attempt("pw-for-tests", client=owner_browser)
        self.assertRedirects(response, "/", fetch_redirect_response=False)

    def test_a_trusted_browser_that_keeps_failing_is_throttled_like_any_other(self):
        browser = self.trusted_client()
        for _ in range(4):
            self.attempt("wrong", client=browser)
        response = self.attempt("wrong", client=browser)
        self.assertEqual(response.status_code, 200)  # its failures are no longer free of the username's count
        for _ in range(3):
            response = self.attempt("wrong", client=browser)
        self.assertEqual(response.status_code, 429)

    def test_a_device_cookie_for_another_username_is_ignored(self):
        browser = self.trusted_client(username="colleague")
        for _ in range(3):
            self.attempt("wrong")
        self.assertEqual(self.attempt("pw-for-tests", client=browser).status_code, 429)

    def test_a_forged_device_cookie_is_ignored(self):
        for _ in range(3):
            self.attempt("wrong")
        self.client.cookies[DEVICE_COOKIE] = "clerkx:forged"
        self.assertEqual(self.attempt("pw-for-tests").status_code, 429)

    def test_failures_leave_the_window(self):
        for name in ("a1", "a2", "a3", "a4", "a5", "a6"):
            self.attempt("wrong", username=name, ip="10.9.9.9")
        self.age_events(minutes=61)
        response = self.attempt("pw-for-tests", username="colleague", ip="10.9.9.9")
        self.assertRedirects(response, "/", fetch_redirect_response=False)

    def test_an_unknown_username_is_counted_like_a_real_one(self):
        for _ in range(3):
            self.attempt("wrong", username="nobody")
        self.assertEqual(self.attempt("whatever", username="nobody").status_code, 429)

    @override_settings(BANLI_BEHIND_PROXY=True, BEHIND_PROXY=True)
    def test_behind_the_proxy_the_address_is_the_one_it_forwards(self):
        for i in range(6):
            self.client.post(
                "/login/",
                {"username": f"a{i + 1}", "password": "wrong"},
                REMOTE_ADDR="127.0.0.1",
                headers={"x-forwarded-for": f"10.1.1.{i}"},
            )
        self.assertEqual(LoginEvent.objects.filter(ip="127.0.0.1").count(), 0)
        response = self.client.post(
            "/login/", {"username": "colleague", "password": "pw-for-tests"}, headers={"x-forwarded-for": "10.1.1.99"}
        )
        self.assertEqual(response.status_code, 302)

    def test_the_admin_login_is_the_throttled_login_page(self):
        response = self.client.get("/admin/login/?next=/admin/")
        self.assertRedirects(response, "/login/?next=/admin/", fetch_redirect_response=False)


class LoginLogTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.supervisor = f.supervisor(username="supervisor")
        cls.office = f.office(username="office")
        f.user("clerkx")

    def test_the_supervisor_sees_successes_failures_and_refusals(self):
        with override_settings(BANLI_LOGIN_FREE_FAILURES=1):
            self.client.post("/login/", {"username": "clerkx", "password": "wrong"})
            self.client.post("/login/", {"username": "clerkx", "password": "wrong"})
        self.client_class().post("/login/", {"username": "clerkx", "password": "pw-for-tests"})
        self.client.force_login(self.supervisor)
        page = self.client.get("/staff/logins/?username=clerkx").content.decode()
        self.assertIn('<td data-label="事件">密码错误</td>', page)
        self.assertIn('<td data-label="事件">账号暂缓登录</td>', page)
        self.assertIn('<td data-label="事件">密码登录成功</td>', page)
        failed = self.client.get("/staff/logins/?failed=1&username=clerkx").content.decode()
        self.assertNotIn('<td data-label="事件">密码登录成功</td>', failed)

    def test_an_office_does_not_see_the_login_log(self):
        self.client.force_login(self.office)
        self.assertEqual(self.client.get("/staff/logins/").status_code, 404)

    def test_a_bad_address_filter_finds_nothing_instead_of_failing(self):
        self.client.force_login(self.supervisor)
        self.assertEqual(self.client.get("/staff/logins/?ip=not-an-ip").status_code, 200)
