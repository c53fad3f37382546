"""The admin speaks Chinese and shows each staff user only their own rows."""

from django.test import TestCase

from proposals.models import AssignmentRole, Body
from tests import factories as f


class AdminScopeTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.session = f.session(Body.CPPCC)
        cls.unit_x = f.unit("X局", "X局")
        cls.unit_y = f.unit("Y局", "Y局")
        cls.p1 = f.proposal(cls.session, title="关于X局独办事项的提案")
        cls.p2 = f.proposal(cls.session, title="关于Y局独办事项的提案")
        cls.a1 = f.assignment(cls.p1, cls.unit_x)
        cls.a2 = f.assignment(cls.p2, cls.unit_y)
        f.assignment(cls.p1, cls.unit_y, AssignmentRole.CO)
        cls.clerk_x = f.clerk(cls.unit_x)
        cls.office = f.office(Body.CPPCC)
        cls.admin = f.user(is_staff=True, is_superuser=True)

    def test_the_admin_index_is_in_chinese(self):
        self.client.force_login(self.admin)
        page = self.client.get("/admin/").content.decode()
        self.assertIn("建议提案", page)
        self.assertIn("承办单位", page)
        self.assertIn("征询意见表", page)

    def test_an_office_sees_only_its_bodys_proposals_in_the_admin(self):
        npc = f.proposal(f.session(Body.NPC), title="关于人大代表建议的建议")
        self.client.force_login(self.office)
        page = self.client.get("/admin/proposals/proposal/").content.decode()
        self.assertIn(self.p1.title, page)
        self.assertNotIn(npc.title, page)

    def test_an_office_gets_no_page_for_another_bodys_proposal_in_the_admin(self):
        npc = f.proposal(f.session(Body.NPC))
        self.client.force_login(self.office)
        response = self.client.get(f"/admin/proposals/proposal/{npc.pk}/change/")
        self.assertNotEqual(response.status_code, 200)

    def test_a_clerk_has_no_admin(self):
        self.client.force_login(self.clerk_x)
        for url in (
            "/admin/proposals/proposal/",
            "/admin/proposals/assignment/",
            f"/admin/proposals/assignment/{self.a1.pk}/change/",
        ):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 302)
                self.assertIn("/admin/login/", response["Location"])

    def test_the_office_can_open_a_proposal_for_editing(self):
        self.client.force_login(self.office)
        response = self.client.get(f"/admin/proposals/proposal/{self.p2.pk}/change/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "联名人")

    def test_every_model_list_opens_for_the_superuser(self):
        self.client.force_login(self.admin)
        for path in [
            "proposals/session",
            "proposals/member",
            "proposals/handlingunit",
            "proposals/proposal",
            "proposals/assignment",
            "proposals/assignmentrequest",
            "proposals/role",
            "proposals/category",
            "proposals/event",
            "replies/contactrecord",
            "replies/reply",
            "replies/cohandlingopinion",
            "feedback/feedback",
            "feedback/feedbacklink",
            "notifications/delivery",
            "replies/paragraphtemplate",
            "supervision/urge",
            "legacy/importeddocument",
        ]:
            with self.subTest(path=path):
                self.assertEqual(self.client.get(f"/admin/{path}/").status_code, 200)
                self.assertEqual(self.client.get(f"/admin/{path}/?q=黄石").status_code, 200)
