"""Browsers ask every site for /favicon.ico: it is there, for anyone, and pages name the icon."""

from django.test import TestCase


class FaviconTests(TestCase):
    def test_favicon_ico_is_served_without_signing_in(self):
        response = self.client.get("/favicon.ico")
        self.assertEqual(response.status_code, 200)
        self.assertIn(response["Content-Type"], ("image/x-icon", "image/vnd.microsoft.icon"))
        self.assertEqual(b"".join(response.streaming_content)[:4], b"\x00\x00\x01\x00")

    def test_pages_link_the_icon(self):
        self.assertContains(self.client.get("/login/"), 'rel="icon"')
