"""Every page carries the hardening headers; personal pages are never cached; no inline script runs."""

import re

from django.test import TestCase

from proposals.models import Body
from tests import factories as f

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)
# What the CSP blocks, by name: every check of pages or templates goes through this list.
INLINE_CODE = [("script", INLINE_SCRIPT), ("handler", INLINE_HANDLER), ("style", INLINE_STYLE)]


def inline_code(html):
    """The kinds of inline code in `html` that the CSP would block ("script", "handler", "style")."""
    return [name for name, pattern in INLINE_CODE if pattern.search(html)]


class HeaderTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.session = f.session(Body.CPPCC)
        cls.user, cls.member = f.member_user()
        cls.proposal = f.proposal(cls.session, lead=cls.member)
        cls.admin = f.user(is_staff=True, is_superuser=True)

    def assert_hardened(self, response):
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response["Referrer-Policy"], "same-origin")
        self.assertEqual(response["X-Frame-Options"], "DENY")
        csp = response["Content-Security-Policy"]
        self.assertIn("default-src 'self'", csp)
        self.assertIn("frame-ancestors 'none'", csp)
        self.assertIn("object-src 'none'", csp)
        self.assertNotIn("unsafe-inline", csp)
        self.assertNotIn("unsafe-eval", csp)

    def assert_no_inline_code(self, response):
        html = response.content.decode()
        self.assertFalse(INLINE_SCRIPT.findall(html), "inline <script> without a nonce")
        self.assertFalse(INLINE_HANDLER.findall(html), "inline on…= event handler")
        self.assertFalse(INLINE_STYLE.findall(html), "inline style attribute")

    def test_the_login_page_is_hardened(self):
        response = self.client.get("/login/")
        self.assert_hardened(response)
        self.assert_no_inline_code(response)

    def test_a_members_pages_are_hardened_and_never_stored(self):
        self.client.force_login(self.user)
        for url in ["/me/", self.proposal.get_absolute_url()]:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assert_hardened(response)
                self.assert_no_inline_code(response)
                self.assertIn("no-store", response["Cache-Control"])
                self.assertIn("private", response["Cache-Control"])

    def test_a_not_found_page_for_a_signed_in_user_is_not_stored_either(self):
        self.client.force_login(self.user)
        response = self.client.get("/proposals/999999/")
        self.assertEqual(response.status_code, 404)
        self.assertIn("no-store", response["Cache-Control"])

    def test_admin_pages_are_hardened_and_carry_no_inline_code(self):
        self.client.force_login(self.admin)
        for url in [
            "/admin/",
            "/admin/proposals/proposal/",
            f"/admin/proposals/proposal/{self.proposal.pk}/change/",
            "/admin/proposals/session/add/",
            "/admin/proposals/member/add/",
            f"/admin/proposals/proposal/{self.proposal.pk}/history/",
        ]:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assert_hardened(response)
                self.assert_no_inline_code(response)
                self.assertIn("no-store", response["Cache-Control"])

    def test_each_response_gets_its_own_nonce(self):
        first = self.client.get("/login/")["Content-Security-Policy"]
        second = self.client.get("/login/")["Content-Security-Policy"]
        nonce = re.search(r"'nonce-([^']+)'", first).group(1)
        self.assertGreaterEqual(len(nonce), 16)
        self.assertNotEqual(first, second)
