"""Chinese first, English available."""

from django.test import TestCase


class LanguageTests(TestCase):
    def test_the_login_page_speaks_chinese_by_default(self):
        page = self.client.get("/login/").content.decode()
        self.assertIn("用户名", page)
        self.assertIn('lang="zh-CN"', page)

    def test_a_visitor_can_switch_to_english(self):
        self.client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
        page = self.client.get("/login/").content.decode()
        self.assertIn("Username", page)
        self.assertIn("Log in", page)
