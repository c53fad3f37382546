"""The top menu: each role sees its own links, in the reader's language (the menu's links and
labels are made once per process and language, not on every page)."""

import re

from django.test import TestCase
from django.urls import reverse

from proposals.models import Body
from tests import factories as f


def menu_of(page):
    nav = re.search(r"<nav>(.*?)</nav>", page.content.decode(), re.S).group(1)
    return re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)', nav)


class MenuTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.unit = f.unit()
        cls.clerk = f.clerk(cls.unit, username="clerk")
        cls.office = f.office(Body.CPPCC, username="office")
        cls.supervisor = f.supervisor(username="supervisor")
        cls.member_user, cls.member = f.member_user("程玮", username="member")

    def links(self, user):
        self.client.force_login(user)
        return [url for url, _label in menu_of(self.client.get(reverse("notifications:list")))]

    def test_each_role_sees_its_own_menu(self):
        portal, inbox, dashboard = (
            reverse("feedback:portal"),
            reverse("workspace:inbox"),
            reverse("supervision:dashboard"),
        )
        batch, office_forms, admin = reverse("printing:batch"), reverse("feedback:office"), reverse("admin:index")
        member = self.links(self.member_user)
        self.assertIn(portal, member)
        self.assertFalse({inbox, dashboard, batch, office_forms, admin} & set(member))
        clerk = self.links(self.clerk)
        self.assertIn(inbox, clerk)
        self.assertIn(batch, clerk)
        self.assertFalse({portal, dashboard, office_forms, admin} & set(clerk))
        office = self.links(self.office)
        self.assertTrue({inbox, dashboard, office_forms, admin} <= set(office))
        supervisor = self.links(self.supervisor)
        self.assertTrue({inbox, dashboard, batch, admin} <= set(supervisor))
        self.assertNotIn(office_forms, supervisor)

    def test_the_menu_follows_the_readers_language(self):
        self.client.force_login(self.clerk)
        chinese = dict(menu_of(self.client.get(reverse("notifications:list"))))
        self.assertEqual(chinese[reverse("workspace:inbox")], "工作台")
        self.client.post(reverse("set_language"), {"language": "en", "next": "/"})
        english = dict(menu_of(self.client.get(reverse("notifications:list"))))
        self.assertEqual(english[reverse("workspace:inbox")], "Workbench")
        self.assertEqual(english[reverse("proposals:list")], "Proposals")
