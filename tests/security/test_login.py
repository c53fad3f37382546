"""Logging in renews the session key; logging out ends the session on the server.

Throttling is tested in tests/accounts/test_throttling.py."""

from django.contrib.sessions.backends.db import SessionStore
from django.test import TestCase

from tests import factories as f


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
