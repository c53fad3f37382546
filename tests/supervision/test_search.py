"""Search never returns rows outside the user's scope."""

from django.test import TestCase
from django.urls import reverse

from proposals.models import Body
from replies.models import ReplyStatus
from tests import factories as f


class SearchScopeTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.jx, cls.cz = f.unit(), f.unit()
        cppcc, npc = f.session(Body.CPPCC), f.session(Body.NPC)
        cls.member_user, cls.member = f.member_user()
        cls.mine = f.proposal(cppcc, lead=cls.member, title="关于中小企业融资的提案甲")
        cls.theirs = f.proposal(cppcc, title="关于中小企业融资的提案乙")
        cls.npc_one = f.proposal(npc, title="关于中小企业融资的建议丙")
        a_mine = f.assignment(cls.mine, cls.jx)
        f.assignment(cls.theirs, cls.cz)
        f.assignment(cls.npc_one, cls.cz)
        cls.issued = f.reply(a_mine, title="关于中小企业融资提案的答复", body="融资担保正在推进")
        cls.draft = f.reply(
            f.assignment(f.proposal(cppcc, lead=cls.member, title="关于另一件事的提案"), cls.jx),
            status=ReplyStatus.DRAFT,
            title="关于融资担保的答复草稿",
        )
        cls.clerk = f.clerk(cls.jx)
        cls.office = f.office(Body.CPPCC)
        cls.supervisor = f.supervisor()

    def found(self, user, q="融资"):
        self.client.force_login(user)
        response = self.client.get(reverse("supervision:search"), {"q": q})
        self.assertEqual(response.status_code, 200)
        return {p.title for p in response.context["proposals"]}, {r.title for r in response.context["replies"]}

    def test_supervisor_finds_everything(self):
        proposals, replies = self.found(self.supervisor)
        self.assertEqual(len(proposals), 3)
        self.assertEqual(replies, {"关于中小企业融资提案的答复", "关于融资担保的答复草稿"})

    def test_clerk_finds_only_their_units_work(self):
        proposals, replies = self.found(self.clerk)
        self.assertEqual(proposals, {"关于中小企业融资的提案甲"})
        self.assertEqual(replies, {"关于中小企业融资提案的答复", "关于融资担保的答复草稿"})

    def test_office_finds_its_body_only(self):
        proposals, _replies = self.found(self.office)
        self.assertNotIn("关于中小企业融资的建议丙", proposals)
        self.assertEqual(len(proposals), 2)

    def test_member_finds_own_proposals_and_issued_replies_only(self):
        proposals, replies = self.found(self.member_user)
        self.assertEqual(proposals, {"关于中小企业融资的提案甲"})
        self.assertEqual(replies, {"关于中小企业融资提案的答复"})

    def test_every_term_must_match(self):
        proposals, _ = self.found(self.supervisor, "融资 建议")
        self.assertEqual(proposals, {"关于中小企业融资的建议丙"})

    def test_user_with_no_role_finds_nothing(self):
        proposals, replies = self.found(f.user())
        self.assertEqual((proposals, replies), (set(), set()))

    def test_anonymous_is_sent_to_login(self):
        self.assertEqual(self.client.get(reverse("supervision:search"), {"q": "融资"}).status_code, 302)
