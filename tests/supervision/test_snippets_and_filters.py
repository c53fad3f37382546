"""Search results show where the words were found, and every list can be narrowed."""

from django.urls import reverse

from feedback.services import publish_if_agreed
from proposals.models import AssignmentStatus, Body
from replies.models import Publication
from supervision.search import highlight, snippet
from tests import factories as f
from tests.cast import WorkflowTestCase


class SnippetTests(WorkflowTestCase):
    def test_the_snippet_marks_the_words_and_escapes_everything_else(self):
        text = "开头" * 40 + "<script>alert(1)</script>关于中小企业融资难的问题，我们将" + "结尾" * 60
        html = str(snippet(text, ["中小企业"]))
        self.assertIn("<mark>中小企业</mark>", html)
        self.assertIn("&lt;script&gt;", html)
        self.assertNotIn("<script>", html)
        self.assertTrue(html.startswith("…") and html.endswith("…"))
        self.assertLess(len(html), 200)

    def test_user_text_inside_the_match_is_escaped_too(self):
        self.assertEqual(str(highlight("a<b>c", ["<b>"])), "a<mark>&lt;b&gt;</mark>c")

    def test_no_snippet_when_the_text_does_not_hold_the_words(self):
        self.assertEqual(snippet("别的内容", ["中小企业"]), "")

    def test_search_results_show_a_highlighted_snippet_of_the_body(self):
        self.proposal.body = "近年来，<b>本市</b>民营经济发展迅速，但融资渠道单一的问题仍然突出。"
        self.proposal.save()
        response = self.as_user(self.office).get(reverse("supervision:search"), {"q": "融资渠道"})
        self.assertContains(response, "<mark>融资渠道</mark>单一")
        self.assertContains(response, "&lt;b&gt;本市&lt;/b&gt;")
        self.assertNotContains(response, "<b>本市</b>")

    def test_title_matches_are_highlighted(self):
        response = self.as_user(self.clerk_x).get(reverse("supervision:search"), {"q": "中小企业"})
        self.assertContains(response, "关于促进<mark>中小企业</mark>健康快速发展的提案")


class PublicFilterTests(WorkflowTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()

        def published(assignment, title, body="现答复如下：请致电13912345678了解融资政策。"):
            assignment.status = AssignmentStatus.REPLIED
            assignment.save()
            reply = f.reply(assignment, title=title, body=body, publication=Publication.PUBLIC)
            f.feedback(reply, publish_consent=True)
            publish_if_agreed(reply=reply)
            return reply

        cls.x = published(cls.lead, "市经信局关于融资的答复")
        cls.z = published(cls.other, "市教育局关于学校的答复", body="现答复如下：学校建设。")

    def test_the_public_list_filters_by_unit(self):
        response = self.client.get(reverse("supervision:public"), {"unit": self.unit_z.pk})
        self.assertContains(response, "市教育局关于学校的答复")
        self.assertNotContains(response, "市经信局关于融资的答复")

    def test_unit_choices_are_only_publishing_units(self):
        response = self.client.get(reverse("supervision:public"))
        units = set(response.context["filter"].form.fields["unit"].queryset)
        self.assertEqual(units, {self.unit_x, self.unit_z})

    def test_the_public_snippet_is_cut_from_the_masked_text(self):
        response = self.client.get(reverse("supervision:public"), {"q": "融资政策"})
        self.assertContains(response, "<mark>融资政策</mark>")
        self.assertNotContains(response, "13912345678")
        self.assertNotContains(response, "市教育局关于学校的答复")

    def test_a_bad_filter_value_is_a_page_not_an_error(self):
        self.assertEqual(self.client.get(reverse("supervision:public"), {"unit": "x", "year": "1"}).status_code, 200)


class ProposalUnitFilterTests(WorkflowTestCase):
    def test_the_proposal_list_filters_by_any_unit_that_handles_it(self):
        client = self.as_user(self.office)
        for unit, expected in ((self.unit_x, {self.proposal.pk}), (self.unit_y, {self.proposal.pk})):
            listed = {p.pk for p in client.get(reverse("proposals:list"), {"unit": unit.pk}).context["object_list"]}
            self.assertEqual(listed, expected)
        listed = [p.pk for p in client.get(reverse("proposals:list"), {"unit": self.unit_z.pk}).context["object_list"]]
        self.assertEqual(listed, [self.other.proposal_id])


class OfficeAndPortalFilterTests(WorkflowTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for a in (cls.lead, cls.other):
            a.status = AssignmentStatus.REPLIED
            a.save()
        cls.reply_x, cls.reply_z = f.reply(cls.lead), f.reply(cls.other)

    def test_the_office_feedback_inbox_filters_by_unit(self):
        client = self.as_user(self.office)
        page = client.get(reverse("feedback:office"))
        self.assertEqual({r.pk for r in page.context["page_obj"]}, {self.reply_x.pk, self.reply_z.pk})
        page = client.get(reverse("feedback:office"), {"unit": self.unit_z.pk})
        self.assertEqual({r.pk for r in page.context["page_obj"]}, {self.reply_z.pk})
        f.feedback(self.reply_x, self.alice)
        page = client.get(reverse("feedback:office"), {"q": "中小企业"})
        self.assertEqual([fb.reply_id for fb in page.context["to_receive"]], [self.reply_x.pk])

    def test_the_office_filter_offers_only_its_bodys_sessions(self):
        form = self.as_user(self.office).get(reverse("feedback:office")).context["filter"].form
        self.assertEqual(set(form.fields["session"].queryset), {self.session})

    def test_the_portal_filters_the_list_but_keeps_the_counts(self):
        for i in range(3):
            f.proposal(self.session, lead=self.alice, title=f"关于其他事项{i}的提案")
        client = self.as_user(self.member_user)
        page = client.get(reverse("feedback:portal"), {"q": "中小企业"})
        self.assertEqual([row["proposal"].pk for row in page.context["rows"]], [self.proposal.pk])
        self.assertEqual(page.context["proposal_count"], 4)
        page = client.get(reverse("feedback:portal"), {"q": "没有这样的提案"})
        self.assertContains(page, "没有符合条件的建议提案")
        self.assertEqual(len(page.context["waiting"]), 1)


class NothingLeaksThroughFiltersTests(WorkflowTestCase):
    def test_a_clerk_filtering_by_another_unit_sees_only_their_own_proposals(self):
        listed = {
            p.pk
            for p in self.as_user(self.clerk_z)
            .get(reverse("proposals:list"), {"unit": self.unit_x.pk})
            .context["object_list"]
        }
        self.assertEqual(listed, set())

    def test_the_search_snippet_of_another_bodys_proposal_is_not_shown(self):
        npc = f.proposal(self.npc_session, title="人大的建议", body="关于人大机密事项的内容")
        f.assignment(npc, self.unit_z)
        response = self.as_user(self.office).get(reverse("supervision:search"), {"q": "机密事项"})
        self.assertNotContains(response, "机密事项</mark>")
        self.assertEqual(Body.NPC, npc.session.body)
