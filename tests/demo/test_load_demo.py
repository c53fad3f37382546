"""The demo loader builds the seed cases as real records and can run twice."""

import datetime
import re

from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from demo import seeds
from feedback.models import Channel, Feedback
from proposals.models import Assignment, Member, Proposal, Session
from replies.models import ContactMethod, ContactRecord, Reply


def counts():
    return {model.__name__: model.objects.count() for model in (Session, Member, Proposal, Assignment, Reply, Feedback)}


class LoadDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", stdout=open("/dev/null", "w"))

    def test_running_it_twice_leaves_the_same_counts(self):
        before = counts()
        call_command("load_demo", stdout=open("/dev/null", "w"))
        self.assertEqual(counts(), before)

    def test_the_110_reply_text_equals_the_seeds_paragraphs(self):
        proposal = Proposal.objects.get(number="委员提案〔2021〕110号")
        reply = Reply.objects.get(assignment__proposal=proposal)
        # Read the seed independently: the paragraphs between the addressee line and 联系人.
        lines = [line.strip() for line in seeds.HUANGSHI.read_text(encoding="utf-8").splitlines() if line.strip()]
        start = lines.index("程玮、王秋红、纪春明、陈惠群、王晓燕、郭盛桂、熊志红委员：") + 1
        end = lines.index("联系人：刘文明")
        # Stored normalised (replies/body.py): no spaces between Chinese and digits, 〔〕 around the
        # year, no ** marks, and paragraphs an old page break split joined again.
        seed = "".join(lines[start:end]).replace("**", "")
        stored = "".join(reply.paragraphs)
        self.assertEqual(
            re.sub(r"\s", "", stored),
            re.sub(r"\s", "", seed).replace("[2021]", "〔2021〕").replace("(", "（").replace(")", "）"),
        )
        self.assertIn("关停“五小”企业1000多家", stored)
        self.assertLess(len(reply.paragraphs), end - start + 3)
        self.assertEqual(reply.contact_person, "刘文明")
        self.assertEqual(reply.contact_phone, "6288824")
        self.assertEqual(str(reply.written_on), "2021-09-06")
        self.assertEqual(reply.result_class, "A")
        self.assertEqual(reply.assignment.unit.short_name, "市经信局")

    def test_the_110_proposal_has_its_seven_members_in_order(self):
        proposal = Proposal.objects.get(number="委员提案〔2021〕110号")
        names = [m.name for m in proposal.members_in_order]
        self.assertEqual(names, ["程玮", "王秋红", "纪春明", "陈惠群", "王晓燕", "郭盛桂", "熊志红"])
        self.assertEqual(proposal.addressee_line(), "程玮、王秋红、纪春明、陈惠群、王晓燕、郭盛桂、熊志红委员")

    def test_the_seed_paper_form_keeps_its_double_tick_flagged_not_resolved(self):
        form = Feedback.objects.get(reply__assignment__proposal__number="委员提案〔2021〕110号")
        self.assertEqual(form.channel, Channel.PAPER)
        self.assertEqual(form.satisfaction, "")
        self.assertIn("满意", form.needs_attention)
        self.assertIn("不满意", form.needs_attention)
        self.assertEqual(form.methods, [ContactMethod.VISIT])
        self.assertEqual(form.opinion, "工作已推进 措施得力")

    def test_the_ankang_reply_keeps_its_phone_contact_and_drops_portal_lines(self):
        contact = ContactRecord.objects.get(assignment__unit__short_name="安康市工信局")
        self.assertEqual(str(contact.contacted_on), "2021-07-30")
        self.assertEqual(contact.method, ContactMethod.PHONE)
        reply = Reply.objects.get(assignment=contact.assignment)
        self.assertNotIn("扫一扫", reply.body)
        self.assertNotIn("转载于互联网", reply.body)

    def test_the_huiji_reply_is_addressed_to_he_xin(self):
        reply = Reply.objects.get(assignment__unit__name="惠济区科技和工业信息化局")
        self.assertEqual(reply.addressees, "何昕委员")
        self.assertEqual(str(reply.written_on), "2023-05-15")

    def test_there_is_an_assignment_in_every_workflow_state(self):
        states = set(Assignment.objects.values_list("status", flat=True))
        for state in ["pending", "handling", "awaiting_signoff", "in_review", "replied", "redo"]:
            self.assertIn(state, states)
        self.assertTrue(Assignment.objects.overdue().exists())
        self.assertTrue(Assignment.objects.due_soon().exists())

    def test_every_demo_user_can_log_in_with_the_demo_password(self):
        for username in ["admin", "supervisor", "office", "clerk", "clerk2", "signer", "member", "member2"]:
            with self.subTest(username=username):
                self.assertTrue(self.client.login(username=username, password="banli-demo"))

    def test_the_demo_member_sees_their_proposals(self):
        self.client.login(username="member", password="banli-demo")
        page = self.client.get("/proposals/").content.decode()
        self.assertIn("关于促进黄石市中小企业健康快速发展的提案", page)
        self.assertNotIn("产业强区", page)

    def test_volume_adds_proposals_with_replies_and_feedback(self):
        before = counts()
        call_command("load_demo", volume=300, stdout=open("/dev/null", "w"))
        after = counts()
        self.assertEqual(after["Proposal"] - before["Proposal"], 300)
        self.assertGreater(after["Reply"], before["Reply"])
        self.assertGreater(after["Feedback"], before["Feedback"])
        self.assert_awaited_forms_agree_with_the_forms()
        self.assert_every_share_knows_its_body()

    def assert_every_share_knows_its_body(self):
        """An office's inbox finds the shares of its body by the body kept on each."""
        from django.db.models import F

        from proposals.models import Assignment

        self.assertFalse(Assignment.objects.exclude(body=F("proposal__session__body")).exists())
        self.assertFalse(Assignment.objects.filter(body__isnull=True).exists())

    def test_every_demo_share_knows_its_body(self):
        self.assert_every_share_knows_its_body()

    def assert_awaited_forms_agree_with_the_forms(self):
        """What the office's home chases (a form still awaited) is what the forms and rounds say."""
        from django.db.models import Exists, OuterRef

        from feedback.models import Feedback
        from replies.models import Reply, ReplyStatus

        later = Reply.objects.filter(
            assignment=OuterRef("assignment"), status=ReplyStatus.ISSUED, round__gt=OuterRef("round")
        )
        forms = Feedback.objects.filter(reply=OuterRef("pk"), submitted_at__isnull=False)
        expected = set(
            Reply.objects.filter(status=ReplyStatus.ISSUED)
            .exclude(Exists(later))
            .exclude(Exists(forms))
            .values_list("pk", flat=True)
        )
        stored = set(Reply.objects.filter(awaiting_form_since__isnull=False).values_list("pk", flat=True))
        self.assertTrue(expected)
        self.assertEqual(stored, expected)

    def test_the_demo_replies_awaiting_a_form_are_the_ones_without_one(self):
        self.assert_awaited_forms_agree_with_the_forms()

    def test_the_demo_member_has_a_feedback_form_waiting(self):
        from django.db.models import Exists, OuterRef

        chengwei = Member.objects.get(name="程玮", group="")
        waiting = (
            Reply.objects.issued()
            .filter(assignment__proposal__lead=chengwei)
            .exclude(Exists(Feedback.objects.filter(reply=OuterRef("pk"), member=chengwei)))
        )
        self.assertTrue(waiting.exists())


class DemoContactsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", stdout=open("/dev/null", "w"))

    def test_the_demos_members_and_units_can_be_mailed_and_texted(self):
        from notifications.sms import mobile_number
        from proposals.models import HandlingUnit

        chengwei = Member.objects.get(name="程玮", group="")
        self.assertTrue(chengwei.email and mobile_number(chengwei.phone))
        self.assertFalse(HandlingUnit.objects.filter(email="").exists())
        self.assertFalse(Member.objects.exclude(group="批量").filter(email="").exists())


class DemoWritePathTests(TestCase):
    """The demo is built the way the pages build records: every step leaves its timeline line, at
    the moment it happened, by the person whose step it is."""

    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", stdout=open("/dev/null", "w"))

    def test_every_step_has_its_line_in_the_timeline(self):
        from feedback.models import Feedback
        from proposals.models import Event, EventVerb
        from replies.models import CoHandlingOpinion, ReplyStatus

        def lines(verb, **filters):
            return Event.objects.filter(verb=verb, **filters)

        self.assertEqual(lines(EventVerb.REGISTERED).count(), Proposal.objects.count())
        self.assertEqual(lines(EventVerb.ASSIGNED).count(), Assignment.objects.count())
        self.assertEqual(
            lines(EventVerb.SIGNED_FOR).count(), Assignment.objects.filter(signed_for_on__isnull=False).count()
        )
        self.assertEqual(lines(EventVerb.CONTACTED).count(), ContactRecord.objects.count())
        self.assertEqual(lines(EventVerb.CO_OPINION).count(), CoHandlingOpinion.objects.count())
        self.assertEqual(lines(EventVerb.DRAFTED).count(), Reply.objects.count())
        self.assertEqual(lines(EventVerb.ISSUED).count(), Reply.objects.filter(status=ReplyStatus.ISSUED).count())
        self.assertEqual(lines(EventVerb.FEEDBACK).count(), Feedback.objects.count())
        for reply in Reply.objects.filter(status=ReplyStatus.ISSUED).select_related("assignment__unit"):
            with self.subTest(reply=reply.title):
                self.assertTrue(reply.signer.banli_roles.filter(kind="signer", unit=reply.assignment.unit).exists())
                self.assertTrue(reply.drafter.banli_roles.filter(kind="clerk", unit=reply.assignment.unit).exists())
                self.assertTrue(reply.doc_number)
        # Each line names the person who took the step, not only the unit.
        signed_for = (
            lines(EventVerb.SIGNED_FOR, assignment__unit__short_name="市经信局").select_related("actor").first()
        )
        self.assertEqual(signed_for.actor.get_full_name(), "刘文明")
        issued = lines(EventVerb.ISSUED, assignment__unit__short_name="市经信局").select_related("actor").first()
        self.assertEqual(issued.actor.get_full_name(), "陈志强")

    def test_the_110_case_happened_in_2021(self):
        from proposals.models import EventVerb

        proposal = Proposal.objects.get(number="委员提案〔2021〕110号")
        self.assertEqual({at.year for at in proposal.events.values_list("at", flat=True)}, {2021})
        reply = Reply.objects.get(assignment__proposal=proposal)
        self.assertEqual(str(reply.issued_at.date()), "2021-09-06")
        self.assertEqual(str(proposal.events.get(verb=EventVerb.ISSUED).at.date()), "2021-09-06")
        self.assertTrue(reply.doc_number.startswith("黄经信函〔2021〕"))
        form = Feedback.objects.get(reply=reply)
        self.assertTrue(form.paper_scan)  # entered as the office enters a paper form, with its scan
        self.assertEqual(form.received_by.username, "office")
        self.assertEqual(form.received_by.get_full_name(), "李慧")  # the 签收人 is a person

    def test_the_dissatisfied_member_set_the_redo_going(self):
        from proposals.models import DeadlineKind

        redo = Assignment.objects.get(status="redo")
        form = Feedback.objects.get(reply__assignment=redo)
        deadline = redo.deadlines.get(kind=DeadlineKind.REDO)
        self.assertEqual(deadline.set_at, form.submitted_at)
        self.assertEqual(
            redo.due_on,
            timezone.localdate(form.submitted_at) + datetime.timedelta(days=redo.proposal.session.redo_days),
        )


class LoadDemoLanguageTests(TestCase):
    def test_it_builds_the_same_case_whatever_language_the_caller_has_active(self):
        """The seeds' labels are Chinese: an English session calling it (a test, a shell) loads it too."""
        from django.utils import translation

        with translation.override("en"):
            call_command("load_demo", stdout=open("/dev/null", "w"))
        self.assertTrue(Feedback.objects.filter(reply__assignment__proposal__number__contains="110").exists())
