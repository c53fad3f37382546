"""The registration page: the current session chosen, co-signers picked from the office's members,
the number shown before saving, and the same refusal of an unknown name as the Excel import."""

import datetime
from unittest import mock

from django.test import TestCase
from django.urls import reverse

from proposals.models import Body, Member, MemberKind, Proposal
from tests import factories as f


class RegistrationPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.old = f.session(Body.CPPCC, name="政协十四届四次会议", year=2025, opens_on=datetime.date(2025, 1, 6))
        cls.current = f.session(
            Body.CPPCC, name="政协十四届五次会议", number_format="委员提案〔{year}〕{serial}号", year=2026
        )
        cls.future = f.session(Body.CPPCC, name="政协十五届一次会议", year=2027, opens_on=datetime.date(2027, 1, 6))
        cls.npc = f.session(Body.NPC, name="人大十六届六次会议", year=2026, opens_on=datetime.date(2026, 2, 1))
        cls.office = f.office(Body.CPPCC)
        cls.npc_office = f.office(Body.NPC)
        cls.lead = f.member(name="程玮", group="经济界")
        cls.wang_econ = f.member(name="王秋红", group="经济界")
        cls.wang_edu = f.member(name="王秋红", group="教育界")
        cls.ji = f.member(name="纪春明", group="农业界", work_unit="市农科院")
        cls.org = f.member(name="市工商联（总商会）", kind=MemberKind.ORGANISATION)
        cls.npc_member = f.member(name="纪春明", body=Body.NPC)
        f.proposal(cls.current, serial=1)
        f.proposal(cls.current, serial=2)

    def setUp(self):
        self.client.force_login(self.office)

    def page(self):
        with mock.patch("django.utils.timezone.localdate", return_value=datetime.date(2026, 3, 1)):
            return self.client.get(reverse("proposals:register"))

    def post(self, **data):
        values = {"session": self.current.pk, "lead": self.lead.pk, "title": "关于促进中小企业发展的提案"}
        values.update({"period": "session", "submitted_on": "2026-03-01", **data})
        return self.client.post(reverse("proposals:register"), values)

    def search(self, q, **extra):
        return self.client.get(reverse("proposals:member_search"), {"q": q, **extra}).json()["results"]

    # --- the session and the number ---

    def test_the_latest_session_that_has_opened_is_preselected(self):
        form = self.page().context["form"]
        self.assertEqual(form["session"].value(), self.current.pk)

    def test_the_page_shows_the_number_the_register_would_give(self):
        response = self.page()
        self.assertContains(response, "委员提案〔2026〕3号")
        self.assertContains(response, "编号在保存时正式取得")
        self.post()
        self.assertEqual(Proposal.objects.get(session=self.current, serial=3).number, "委员提案〔2026〕3号")

    def test_the_number_preview_follows_the_session_and_the_serial(self):
        url = reverse("proposals:number_preview")
        answer = self.client.get(url, {"session": self.current.pk}).json()
        self.assertEqual(answer, {"number": "委员提案〔2026〕3号", "taken": False})
        answer = self.client.get(url, {"session": self.current.pk, "serial": "2"}).json()
        self.assertEqual(answer, {"number": "委员提案〔2026〕2号", "taken": True})
        answer = self.client.get(url, {"session": self.old.pk, "serial": "x"}).json()
        self.assertEqual(answer["number"], "第1号")

    def test_the_number_is_still_taken_at_save_when_someone_registered_first(self):
        preview = self.client.get(reverse("proposals:number_preview"), {"session": self.current.pk}).json()["number"]
        f.proposal(self.current, serial=3)  # another office saved in between
        self.post()
        self.assertEqual(preview, "委员提案〔2026〕3号")
        self.assertTrue(Proposal.objects.filter(session=self.current, number="委员提案〔2026〕4号").exists())

    def test_another_bodys_session_previews_nothing(self):
        answer = self.client.get(reverse("proposals:number_preview"), {"session": self.npc.pk}).json()
        self.assertEqual(answer["number"], "")

    # --- choosing co-signers ---

    def test_search_finds_people_and_organisations_of_the_offices_body_only(self):
        names = [r["name"] for r in self.search("纪")]
        self.assertEqual(names, ["纪春明"])  # not the NPC deputy of the same name
        self.assertEqual(self.search("农科")[0]["value"], "纪春明")  # by work unit too
        org = self.search("工商联")[0]
        self.assertEqual((org["value"], org["organisation"]), ("市工商联（总商会）", True))

    def test_namesakes_are_offered_with_their_group_and_the_form_accepts_that_label(self):
        values = sorted(r["value"] for r in self.search("王秋红"))
        self.assertEqual(values, ["王秋红（教育界）", "王秋红（经济界）"])
        response = self.post(cosigner_names="王秋红（教育界）、市工商联（总商会）")
        self.assertEqual(response.status_code, 302)
        proposal = Proposal.objects.get(session=self.current, serial=3)
        self.assertEqual(proposal.members_in_order, [self.lead, self.wang_edu, self.org])

    def test_a_bare_name_shared_by_two_members_is_refused_not_guessed(self):
        response = self.post(cosigner_names="王秋红")
        self.assertContains(response, "有同名的代表委员，请写明界别")
        self.assertFalse(Proposal.objects.filter(session=self.current, serial=3).exists())

    def test_an_unknown_cosigner_is_refused_and_nothing_is_created(self):
        response = self.post(cosigner_names="纪春明、新委员甲")
        self.assertContains(response, "找不到这些代表委员：新委员甲。")
        self.assertContains(response, "纪春明、新委员甲")  # the input is kept
        self.assertFalse(Member.objects.filter(name="新委员甲").exists())
        self.assertFalse(Proposal.objects.filter(session=self.current, serial=3).exists())

    def test_search_answers_nothing_for_an_empty_query_and_bounds_a_long_one(self):
        self.assertEqual(self.search(""), [])
        self.assertEqual(self.search("王" * 5000), [])

    def test_search_ignores_a_nul_pasted_into_the_box(self):
        # PostgreSQL refuses NUL in a query: it used to end the search with a server error.
        self.assertEqual(self.search("\x00"), [])
        self.assertEqual([r["name"] for r in self.search("纪\x00")], ["纪春明"])

    def test_a_session_narrows_the_search_to_its_body(self):
        supervisor = f.supervisor()
        self.client.force_login(supervisor)
        self.assertEqual(len(self.search("纪春明")), 2)
        self.assertEqual(self.search("纪春明", session=self.npc.pk)[0]["value"], "纪春明")
        self.assertEqual(len(self.search("纪春明", session=self.npc.pk)), 1)

    def test_unit_staff_and_members_cannot_search_members(self):
        clerk = f.clerk(f.unit())
        member_user, _member = f.member_user()
        for user in (clerk, member_user):
            self.client.force_login(user)
            self.assertEqual(self.client.get(reverse("proposals:member_search"), {"q": "王"}).status_code, 404)
            self.assertEqual(self.client.get(reverse("proposals:number_preview")).status_code, 404)


class CurrentSessionTests(TestCase):
    def test_before_any_session_opens_the_next_one_is_chosen(self):
        from proposals.registration import current_session

        later = f.session(Body.CPPCC, year=2027, opens_on=datetime.date(2027, 1, 6))
        f.session(Body.CPPCC, year=2028, opens_on=datetime.date(2028, 1, 6))
        self.assertEqual(current_session([Body.CPPCC], today=datetime.date(2026, 6, 1)), later)
