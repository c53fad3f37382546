"""Each role's home lists its work with counts and the next step for every item; its cost stays flat."""

import datetime

from django.test import override_settings
from django.urls import reverse

from proposals.models import AssignmentRequest, AssignmentRole, AssignmentStatus, RequestKind
from replies.models import ReplyStatus, RequiredElement
from tests import factories as f
from tests.cast import WorkflowTestCase


def queues(response):
    return {q.key: q for q in response.context["queues"]}


def actions(queue):
    return [(item.action.label, item.action.url, item.action.post) for item in queue.items]


class ClerkHomeTests(WorkflowTestCase):
    def test_a_new_assignment_waits_for_签收_with_the_button_on_the_home(self):
        response = self.as_user(self.clerk_x).get("/")
        pending = queues(response)["pending"]
        self.assertEqual(pending.count, 1)
        self.assertEqual(actions(pending), [("签收", reverse("proposals:sign_for", args=[self.lead.pk]), True)])
        self.assertContains(response, f'action="{reverse("proposals:sign_for", args=[self.lead.pk])}"')

    def test_a_signed_for_assignment_offers_the_reply_then_the_draft(self):
        self.handling()
        handling = queues(self.as_user(self.clerk_x).get("/"))["handling"]
        self.assertEqual(actions(handling), [("撰写答复", reverse("replies:create", args=[self.lead.pk]), False)])
        draft = f.reply(self.lead, status=ReplyStatus.DRAFT)
        handling = queues(self.client.get("/"))["handling"]
        self.assertEqual(actions(handling), [("修改草稿", reverse("replies:edit", args=[draft.pk]), False)])

    def test_a_co_unit_is_asked_for_its_opinion(self):
        self.handling(self.co)
        home = queues(self.as_user(self.clerk_y).get("/"))
        self.assertEqual(home["opinion"].count, 1)
        self.assertEqual(actions(home["opinion"])[0][1], reverse("replies:opinion_create", args=[self.co.pk]))
        self.assertEqual(home["handling"].count, 0)

    def test_a_draft_the_signer_sent_back_is_listed_back_to_the_clerk(self):
        RequiredElement.objects.filter(code__in=["contacted", "co_opinions"]).update(severity="off")
        self.handling()
        draft = f.reply(self.lead, status=ReplyStatus.DRAFT, drafter=self.clerk_x)
        draft.submit(by=self.clerk_x)
        draft.withdraw(by=self.clerk_x, note="改一处数据")  # taken back by the clerk: not handed back
        self.assertNotIn("sent_back", queues(self.as_user(self.clerk_x).get("/")))
        draft.submit(by=self.clerk_x)
        draft.send_back(by=self.signer_x, note="请补充数据。")
        sent_back = queues(self.client.get("/"))["sent_back"]
        self.assertEqual(actions(sent_back), [("修改草稿", reverse("replies:edit", args=[draft.pk]), False)])
        draft.submit(by=self.clerk_x)  # submitted again: no longer waiting for the clerk
        self.assertNotIn("sent_back", queues(self.client.get("/")))

    @override_settings(BANLI_SUPERVISOR_REVIEW=True)
    def test_a_draft_the_review_returned_for_missing_elements_is_listed_back_too(self):
        RequiredElement.objects.filter(code__in=["contacted", "co_opinions"]).update(severity="off")
        self.handling()
        draft = f.reply(self.lead, status=ReplyStatus.DRAFT, drafter=self.clerk_x)
        draft.submit(by=self.clerk_x)
        draft.sign_off(by=self.signer_x)
        RequiredElement.objects.filter(code="contacted").update(severity="block")
        self.assertEqual(len(draft.review(by=self.supervisor)), 1)  # no contact logged: returned
        sent_back = queues(self.as_user(self.clerk_x).get("/"))["sent_back"]
        self.assertEqual([i.url for i in sent_back.items], [self.proposal.get_absolute_url()])

    def test_redo_and_due_soon_are_counted(self):
        self.set_status(self.lead, AssignmentStatus.REDO, due_on=self.today + datetime.timedelta(days=2))
        home = queues(self.as_user(self.clerk_x).get("/"))
        self.assertEqual(home["redo"].count, 1)
        self.assertEqual(home["due_soon"].count, 1)
        self.assertEqual(home["redo"].items[0].action.label, "撰写重办答复")

    def test_a_co_unit_sees_the_lead_units_issued_reply(self):
        self.set_status(self.lead, AssignmentStatus.REPLIED)
        f.reply(self.lead)
        finals = queues(self.as_user(self.clerk_y).get("/"))["finals"]
        self.assertEqual(finals.count, 1)
        self.assertEqual(finals.items[0].url, self.proposal.get_absolute_url())

    def test_the_home_is_not_shown_over_a_filtered_list(self):
        self.assertEqual(self.as_user(self.clerk_x).get("/", {"state": "pending"}).context["queues"], [])


class SignerHomeTests(WorkflowTestCase):
    def test_the_signer_sees_the_replies_to_sign_first_with_a_link_to_read_them(self):
        self.set_status(self.lead, AssignmentStatus.AWAITING_SIGNOFF)
        reply = f.reply(self.lead, status=ReplyStatus.AWAITING_SIGNOFF)
        first = self.as_user(self.signer_x).get("/").context["queues"][0]
        self.assertEqual((first.key, first.count), ("to_sign", 1))
        self.assertEqual(first.items[0].action.url, f"{self.proposal.get_absolute_url()}#reply-{reply.pk}")


class OfficeHomeTests(WorkflowTestCase):
    def test_the_office_sees_what_to_route_decide_and_receive(self):
        unrouted = f.proposal(self.session, title="刚登记的提案")
        request = AssignmentRequest.objects.create(
            assignment=self.other, kind=RequestKind.RETURN, reason="不属于本单位。", requested_by=self.clerk_z
        )
        self.set_status(self.lead, AssignmentStatus.REPLIED)
        reply = f.reply(self.lead)
        home = queues(self.as_user(self.office).get("/"))
        self.assertEqual(actions(home["to_route"]), [("交办", reverse("proposals:assign", args=[unrouted.pk]), False)])
        self.assertEqual(
            actions(home["requests"]), [("决定", reverse("proposals:decide_request", args=[request.pk]), False)]
        )
        self.assertEqual(home["missing"].items[0].action.url, reverse("feedback:paper_entry", args=[reply.pk]))
        feedback = f.feedback(reply, self.alice)
        home = queues(self.client.get("/"))
        self.assertEqual(home["to_receive"].items[0].action.url, reverse("feedback:detail", args=[feedback.pk]))
        self.assertEqual(home["missing"].count, 0)

    def test_a_proposal_whose_only_answering_unit_was_let_go_waits_for_交办_again(self):
        request = AssignmentRequest.objects.create(
            assignment=self.other, kind=RequestKind.RETURN, reason="不属于本单位。", requested_by=self.clerk_z
        )
        self.assertNotIn(
            self.other.proposal.number, [i.number for i in queues(self.as_user(self.office).get("/"))["to_route"].items]
        )
        request.decide(by=self.office, approve=True, note="改交他单位")
        to_route = queues(self.client.get("/"))["to_route"]
        self.assertEqual([i.number for i in to_route.items], [self.other.proposal.number])
        # the list behind the queue says the same
        listed = self.client.get(to_route.more_url)
        self.assertContains(listed, self.other.proposal.title)

    def test_a_long_queue_says_99_plus_and_links_to_the_whole_list(self):
        for _ in range(100):
            a = f.assignment(f.proposal(self.session), self.unit_x, status=AssignmentStatus.REPLIED)
            f.reply(a)
        response = self.as_user(self.office).get("/")
        missing = queues(response)["missing"]
        self.assertEqual((missing.count, missing.more, len(missing.items)), (99, True, 5))
        self.assertContains(response, '<span class="count">99+</span>', html=False)
        self.assertContains(response, "全部（99 件以上）→")

    def test_the_other_bodys_office_sees_none_of_it(self):
        f.proposal(self.session, title="刚登记的提案")
        home = queues(self.as_user(self.office_npc).get("/"))
        self.assertEqual({k: q.count for k, q in home.items() if q.count}, {})


class SupervisorHomeTests(WorkflowTestCase):
    def test_overdue_assignments_lead_to_督办(self):
        self.set_status(
            self.other,
            AssignmentStatus.HANDLING,
            assigned_on=self.today - datetime.timedelta(days=30),
            due_on=self.today - datetime.timedelta(days=3),
        )
        overdue = queues(self.as_user(self.supervisor).get("/"))["overdue"]
        self.assertEqual(overdue.count, 1)
        self.assertEqual(overdue.items[0].action.label, "督办")
        self.assertIn("超期 3 天", overdue.items[0].note)
        # The button opens that share's own 督办 page (its record, and the form once levels are set).
        page = self.as_user(self.supervisor).get(overdue.items[0].action.url)
        self.assertContains(page, f"<h1>督办：{self.other.proposal.number}</h1>", html=True)
        self.assertContains(page, self.other.unit.name)

    @override_settings(BANLI_SUPERVISOR_REVIEW=True)
    def test_replies_in_review_wait_for_the_supervisor(self):
        self.set_status(self.lead, AssignmentStatus.IN_REVIEW)
        f.reply(self.lead, status=ReplyStatus.IN_REVIEW)
        self.assertEqual(queues(self.as_user(self.supervisor).get("/"))["review"].count, 1)

    def test_extension_requests_wait_for_the_supervisor_not_the_office(self):
        AssignmentRequest.objects.create(
            assignment=self.lead,
            kind=RequestKind.EXTENSION,
            reason="需要调研。",
            requested_by=self.clerk_x,
            requested_due_on=self.today + datetime.timedelta(days=120),
        )
        self.assertEqual(queues(self.as_user(self.supervisor).get("/"))["requests"].count, 1)
        self.assertEqual(queues(self.as_user(self.office).get("/"))["requests"].count, 0)


class HomeCostTests(WorkflowTestCase):
    def fill(self, n):
        for i in range(n):
            p = f.proposal(self.session, title=f"关于事项{i}的提案")
            a = f.assignment(p, self.unit_x, status=[AssignmentStatus.PENDING, AssignmentStatus.HANDLING][i % 2])
            f.assignment(p, self.unit_y, AssignmentRole.CO, status=AssignmentStatus.HANDLING)
            if i % 2:
                f.reply(a, status=ReplyStatus.DRAFT)
            f.proposal(self.session, title=f"未交办{i}")

    def count(self, user):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.client.force_login(user)
        self.client.get("/")  # the session's first request records it; count a later one
        with CaptureQueriesContext(connection) as queries:
            self.client.get("/")
        return len(queries)

    def test_each_home_costs_the_same_with_10_and_40_items(self):
        self.signer_x.banli_roles.create(kind="clerk", unit=self.unit_x)
        users = [self.clerk_x, self.signer_x, self.clerk_y, self.office, self.supervisor]
        self.fill(10)
        before = {u.username: self.count(u) for u in users}
        self.fill(30)
        for user in users:
            self.client.force_login(user)
            self.client.get("/")
            with self.subTest(user=user.username), self.assertNumQueries(before[user.username]):
                self.client.get("/")


class MemberHomeTests(WorkflowTestCase):
    def test_the_member_lands_on_the_portal_with_the_forms_to_fill_counted(self):
        self.set_status(self.lead, AssignmentStatus.REPLIED)
        reply = f.reply(self.lead)
        response = self.as_user(self.member_user).get("/", follow=True)
        self.assertEqual(response.redirect_chain[-1][0], "/me/")
        self.assertEqual(len(response.context["waiting"]), 1)
        self.assertEqual(response.context["reply_count"], 1)
        self.assertContains(response, reverse("feedback:member_form", args=[reply.pk]))


class LoginLandsOnTheHomeTests(WorkflowTestCase):
    def test_signing_in_lands_each_role_on_its_home(self):
        for user, home in ((self.clerk_x, "/"), (self.office, "/"), (self.member_user, "/me/")):
            user.set_password("pw-for-tests")
            user.save()
            self.client.logout()
            response = self.client.post(
                reverse("login"), {"username": user.username, "password": "pw-for-tests"}, follow=True
            )
            with self.subTest(user=user.username):
                self.assertEqual(response.request["PATH_INFO"], home)
