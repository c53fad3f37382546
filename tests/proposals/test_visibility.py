"""Who sees what: the owner, the insider and the outsider for every role."""

from django.test import TestCase
from django.urls import reverse

from feedback.models import Feedback
from proposals.models import Assignment, AssignmentRole, Body, Member, Proposal
from replies.models import Reply, ReplyStatus
from tests import factories as f


class VisibilityTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.cppcc = f.session(Body.CPPCC)
        cls.npc = f.session(Body.NPC)
        cls.unit_x = f.unit("X局", "X局")
        cls.unit_y = f.unit("Y局", "Y局")
        cls.alice_user, cls.alice = f.member_user("程玮")
        cls.bob_user, cls.bob = f.member_user("王秋红")
        cls.carol_user, cls.carol = f.member_user("纪春明")
        # Alice leads p1 with Bob co-signing; Carol leads p2. X leads p1, Y leads p2 and co-handles p1.
        cls.p1 = f.proposal(cls.cppcc, lead=cls.alice, cosigners=[cls.bob])
        cls.p2 = f.proposal(cls.cppcc, lead=cls.carol)
        cls.p3 = f.proposal(cls.npc)
        cls.a1x = f.assignment(cls.p1, cls.unit_x)
        cls.a1y = f.assignment(cls.p1, cls.unit_y, AssignmentRole.CO)
        cls.a2y = f.assignment(cls.p2, cls.unit_y)
        cls.a3y = f.assignment(cls.p3, cls.unit_y)
        cls.clerk_x = f.clerk(cls.unit_x)
        cls.clerk_y = f.clerk(cls.unit_y)
        cls.office_cppcc = f.office(Body.CPPCC)
        cls.supervisor = f.supervisor()
        cls.stranger = f.user()
        cls.issued = f.reply(cls.a1x)
        cls.draft = f.reply(cls.a2y, status=ReplyStatus.DRAFT)

    def visible(self, model, user):
        return set(model.objects.visible_to(user))

    def test_a_clerk_sees_their_units_assignments_and_not_another_units(self):
        self.assertEqual(self.visible(Assignment, self.clerk_x), {self.a1x})
        self.assertEqual(self.visible(Assignment, self.clerk_y), {self.a1y, self.a2y, self.a3y})

    def test_a_clerk_sees_only_proposals_assigned_to_their_unit(self):
        self.assertEqual(self.visible(Proposal, self.clerk_x), {self.p1})

    def test_a_member_sees_proposals_they_lead_or_cosigned_and_nobody_elses(self):
        self.assertEqual(self.visible(Proposal, self.alice_user), {self.p1})
        self.assertEqual(self.visible(Proposal, self.bob_user), {self.p1})
        self.assertEqual(self.visible(Proposal, self.carol_user), {self.p2})

    def test_a_member_sees_issued_replies_only(self):
        self.assertEqual(self.visible(Reply, self.alice_user), {self.issued})
        self.assertEqual(self.visible(Reply, self.carol_user), set())

    def test_a_member_sees_only_their_own_feedback(self):
        mine = f.feedback(self.issued, member=self.alice)
        f.feedback(self.issued, member=self.bob)
        self.assertEqual(self.visible(Feedback, self.alice_user), {mine})

    def test_the_office_sees_every_proposal_of_its_body(self):
        self.assertEqual(self.visible(Proposal, self.office_cppcc), {self.p1, self.p2})

    def test_the_supervisor_sees_everything(self):
        self.assertEqual(self.visible(Proposal, self.supervisor), {self.p1, self.p2, self.p3})

    def test_a_user_without_a_role_sees_nothing(self):
        self.assertEqual(self.visible(Proposal, self.stranger), set())
        self.assertEqual(self.visible(Member, self.stranger), set())

    def test_a_clerk_sees_the_members_on_their_proposals_only(self):
        self.assertEqual(self.visible(Member, self.clerk_x), {self.alice, self.bob})

    def test_a_member_gets_404_for_another_members_proposal(self):
        self.client.force_login(self.carol_user)
        self.assertEqual(self.client.get(reverse("proposals:detail", args=[self.p1.pk])).status_code, 404)
        self.assertEqual(self.client.get(reverse("proposals:detail", args=[self.p2.pk])).status_code, 200)

    def test_a_clerk_gets_404_for_a_proposal_outside_their_unit(self):
        self.client.force_login(self.clerk_x)
        self.assertEqual(self.client.get(reverse("proposals:detail", args=[self.p2.pk])).status_code, 404)

    def test_the_proposal_page_shows_a_clerk_only_their_units_share(self):
        self.client.force_login(self.clerk_x)
        page = self.client.get(reverse("proposals:detail", args=[self.p1.pk])).content.decode()
        self.assertIn(f'id="assignment-{self.a1x.pk}"', page)
        # The lead unit sees its co-handling unit's name, deadline and opinion, not its share's page.
        self.assertNotIn(f'id="assignment-{self.a1y.pk}"', page)

    def test_the_list_shows_a_member_their_own_proposals(self):
        self.client.force_login(self.bob_user)
        page = self.client.get(reverse("proposals:list")).content.decode()
        self.assertIn(self.p1.title, page)
        self.assertNotIn(self.p2.title, page)

    def test_the_list_query_count_does_not_grow_with_rows(self):
        self.client.force_login(self.supervisor)
        # 3 for the session, the user (with the unread count of the top bar) and the roles, 2 for the
        # page and its rows, 3 for the session, category and unit choices of the filter form.
        with self.assertNumQueries(8):
            self.client.get(reverse("proposals:list"))
        for _ in range(5):
            f.proposal(self.cppcc)
        with self.assertNumQueries(8):
            self.client.get(reverse("proposals:list"))

    def test_an_anonymous_visitor_is_sent_to_login(self):
        response = self.client.get(reverse("proposals:list"))
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("login"), response["Location"])
