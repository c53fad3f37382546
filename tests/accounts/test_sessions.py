"""Sessions: a list per user, ending one or all of them, the idle timeout for staff and the
absolute timeout for everyone, on the database session store and on the cache (as with Redis)."""

import datetime

from django.test import TestCase, override_settings
from django.utils import timezone

from accounts import sessions
from accounts.models import EndReason, SignInMethod, UserSession
from tests import factories as f


def sign_in(client, username):
    response = client.post("/login/", {"username": username, "password": "pw-for-tests"})
    assert response.status_code == 302, response
    return client


class SessionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.unit = f.unit()
        cls.clerk = f.clerk(cls.unit, username="clerk")
        cls.member_user, cls.member = f.member_user("程玮", username="member")
        cls.office = f.office(username="office")

    def shift(self, client, **delta):
        """Move this browser's sign-in and last-seen times into the past."""
        session = client.session
        for key in (sessions.LOGIN_AT_KEY, sessions.SEEN_AT_KEY):
            session[key] = session[key] - datetime.timedelta(**delta).total_seconds()
        session.save()

    def test_each_sign_in_is_listed_with_its_method(self):
        sign_in(self.client, "clerk")
        sign_in(self.client_class(), "clerk")
        page = self.client.get("/account/")
        self.assertEqual(len(page.context["sessions"]), 2)
        self.assertContains(page, "本机")
        self.assertEqual({s.method for s in page.context["sessions"]}, {SignInMethod.PASSWORD})

    def test_ending_another_session_signs_that_browser_out_at_its_next_request(self):
        sign_in(self.client, "clerk")
        laptop = sign_in(self.client_class(), "clerk")
        laptop_row = UserSession.objects.get(pk=laptop.session[sessions.ROW_KEY])
        self.client.post(f"/account/sessions/{laptop_row.pk}/end/")
        self.assertEqual(laptop.get("/").status_code, 302)
        self.assertEqual(self.client.get("/").status_code, 200)
        laptop_row.refresh_from_db()
        self.assertEqual(laptop_row.end_reason, EndReason.BY_USER)

    def test_one_cannot_end_someone_elses_session(self):
        other = sign_in(self.client_class(), "member")
        row = other.session[sessions.ROW_KEY]
        sign_in(self.client, "clerk")
        self.assertEqual(self.client.post(f"/account/sessions/{row}/end/").status_code, 404)
        self.assertEqual(other.get("/me/").status_code, 200)

    def test_sign_out_everywhere_ends_every_session_of_the_user_and_no_one_elses(self):
        phone = sign_in(self.client_class(), "clerk")
        someone = sign_in(self.client_class(), "member")
        sign_in(self.client, "clerk")
        response = self.client.post("/account/sessions/end-all/")
        self.assertRedirects(response, "/login/", fetch_redirect_response=False)
        self.assertEqual(phone.get("/").status_code, 302)
        self.assertEqual(self.client.get("/").status_code, 302)
        self.assertEqual(someone.get("/me/").status_code, 200)
        self.assertEqual(UserSession.objects.active().filter(user=self.clerk).count(), 0)

    @override_settings(BANLI_STAFF_IDLE_MINUTES=30)
    def test_staff_idle_past_the_limit_are_signed_out_with_a_chinese_message(self):
        sign_in(self.client, "clerk")
        self.shift(self.client, minutes=31)
        response = self.client.get("/", follow=True)
        self.assertContains(response, "长时间未操作")
        self.assertEqual(UserSession.objects.get(user=self.clerk).end_reason, EndReason.IDLE)

    @override_settings(BANLI_STAFF_IDLE_MINUTES=30)
    def test_staff_active_within_the_limit_stay_signed_in(self):
        sign_in(self.client, "clerk")
        self.shift(self.client, minutes=29)
        self.assertEqual(self.client.get("/").status_code, 200)
        row = UserSession.objects.get(user=self.clerk)
        self.assertLess(timezone.now() - row.last_seen_at, datetime.timedelta(minutes=1))

    @override_settings(BANLI_STAFF_IDLE_MINUTES=30)
    def test_members_have_no_idle_timeout(self):
        sign_in(self.client, "member")
        self.shift(self.client, minutes=90)
        self.assertEqual(self.client.get("/me/").status_code, 200)

    @override_settings(SESSION_COOKIE_AGE=8 * 3600, BANLI_STAFF_IDLE_MINUTES=0)
    def test_every_session_ends_at_the_absolute_limit_however_active(self):
        sign_in(self.client, "member")
        session = self.client.session
        session[sessions.LOGIN_AT_KEY] -= 8 * 3600 + 1
        session.save()
        response = self.client.get("/me/", follow=True)
        self.assertContains(response, "登录时间已到上限")

    def test_signing_out_ends_the_row(self):
        sign_in(self.client, "clerk")
        self.client.post("/logout/")
        self.assertEqual(UserSession.objects.get(user=self.clerk).end_reason, EndReason.LOGOUT)

    def test_a_session_from_before_the_rows_existed_is_adopted(self):
        sign_in(self.client, "clerk")
        UserSession.objects.all().delete()
        session = self.client.session
        del session[sessions.ROW_KEY]
        session.save()
        self.assertEqual(self.client.get("/").status_code, 200)
        self.assertEqual(UserSession.objects.filter(user=self.clerk).count(), 1)

    def test_a_request_of_a_signed_in_user_costs_no_session_query(self):
        sign_in(self.client, "member")
        self.client.get("/me/")
        request = _Request(self.client)
        list(request.session.items())  # the session store's own read, which every request makes anyway
        with self.assertNumQueries(0):
            sessions.SessionMiddleware(lambda r: None)._check(request, self.member_user)


class _Request:
    def __init__(self, client):
        self.session = client.session


@override_settings(
    SESSION_ENGINE="django.contrib.sessions.backends.cache",
    CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "sessions-test"}},
)
class CacheSessionTests(TestCase):
    """With BANLI_REDIS_URL the sessions live in the cache: ending them works the same way."""

    @classmethod
    def setUpTestData(cls):
        cls.clerk = f.clerk(f.unit(), username="clerk")

    def test_sign_out_everywhere_ends_sessions_kept_in_the_cache(self):
        phone = sign_in(self.client_class(), "clerk")
        sign_in(self.client, "clerk")
        self.assertEqual(phone.get("/").status_code, 200)
        self.client.post("/account/sessions/end-all/")
        self.assertEqual(phone.get("/").status_code, 302)

    def test_deactivation_ends_sessions_kept_in_the_cache(self):
        from accounts import services

        phone = sign_in(self.client_class(), "clerk")
        with self.captureOnCommitCallbacks(execute=True):
            services.deactivate(user=self.clerk, by=f.supervisor())
        self.assertEqual(phone.get("/").status_code, 302)
        self.assertEqual(UserSession.objects.get(user=self.clerk).end_reason, EndReason.DEACTIVATED)
