"""答复要件: each element refuses 提交签发 when the office makes it required, is only pointed out when
it is a warning, and is skipped when off; at review a missing required element sends the reply back
to its drafter with the reason instead of issuing it."""

from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from proposals.models import AssignmentStatus, Event, EventVerb, TransitionError
from replies.models import CoHandlingOpinion, ContactRecord, ElementSeverity, Reply, ReplyStatus, RequiredElement
from tests import factories as f
from tests.cast import WorkflowTestCase

# element → (how to make the draft lack it, words of the message the clerk reads)
LACKING = {
    "result_class": (lambda t: Reply.objects.filter(pk=t.draft.pk).update(result_class=""), "请先选定答复类别"),
    "body": (lambda t: Reply.objects.filter(pk=t.draft.pk).update(body="  "), "答复正文不能为空"),
    "matches_proposal": (
        lambda t: Reply.objects.filter(pk=t.draft.pk).update(title="关于有关工作的答复"),
        "答复标题未写明所答复的建议提案",
    ),
    "addressed_to_lead": (
        lambda t: Reply.objects.filter(pk=t.draft.pk).update(addressees="王秋红委员"),
        "主送未写领衔人 程玮",
    ),
    "contacted": (lambda t: ContactRecord.objects.all().delete(), "须至少登记一次与代表委员的沟通"),
    "co_opinions": (lambda t: CoHandlingOpinion.objects.all().delete(), "尚有会办单位未提交会办意见：Y局"),
    "doc_number": (
        lambda t: t.unit_x.__class__.objects.filter(pk=t.unit_x.pk).update(doc_prefix=""),
        "尚未设置文号前缀",
    ),
    "contact_person": (
        lambda t: Reply.objects.filter(pk=t.draft.pk).update(contact_phone=""),
        "请填写联系人和联系电话",
    ),
}


class RequiredElementTests(WorkflowTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.lead.status = AssignmentStatus.HANDLING
        cls.lead.save()
        cls.co.status = AssignmentStatus.REPLIED
        cls.co.save()
        CoHandlingOpinion.objects.create(assignment=cls.co, body="同意", submitted_by=cls.clerk_y)
        ContactRecord.objects.create(assignment=cls.lead, contacted_on=cls.today, method="phone", summary="电话")
        cls.draft = f.reply(
            cls.lead, status=ReplyStatus.DRAFT, written_on=None, contact_person="刘文明", contact_phone="6288824"
        )

    def submit(self):
        response = self.as_user(self.clerk_x).post(reverse("replies:submit", args=[self.draft.pk]))
        self.draft.refresh_from_db()
        return response

    def page(self):
        return self.as_user(self.clerk_x).get(self.proposal.get_absolute_url()).content.decode()

    def test_a_complete_draft_goes_to_the_signer_with_nothing_pointed_out(self):
        self.assertNotIn("提交签发前还须", self.page())
        self.assertNotIn("答复要件提示", self.page())
        self.submit()
        self.assertEqual(self.draft.status, ReplyStatus.AWAITING_SIGNOFF)

    def test_each_required_element_refuses_the_submission_and_says_what_is_missing(self):
        for code, (lack, words) in LACKING.items():
            with self.subTest(code):
                sid = transaction.savepoint()
                RequiredElement.objects.filter(code=code).update(severity=ElementSeverity.BLOCKING)
                lack(self)
                page = self.page()
                self.assertIn("提交签发前还须", page)
                self.assertIn(words, page)
                response = self.submit()
                self.assertEqual(self.draft.status, ReplyStatus.DRAFT)
                self.assertIn(words, self.client.get(response["Location"]).content.decode())
                transaction.savepoint_rollback(sid)

    def test_a_warning_is_shown_and_the_draft_still_goes_to_the_signer(self):
        for code, (lack, words) in LACKING.items():
            with self.subTest(code):
                sid = transaction.savepoint()
                RequiredElement.objects.filter(code=code).update(severity=ElementSeverity.WARNING)
                lack(self)
                page = self.page()
                self.assertNotIn("提交签发前还须", page)
                self.assertIn("答复要件提示", page)
                self.assertIn(words, page)
                self.submit()
                self.assertEqual(self.draft.status, ReplyStatus.AWAITING_SIGNOFF)
                transaction.savepoint_rollback(sid)
                self.draft.refresh_from_db()

    def test_an_element_switched_off_is_not_checked(self):
        RequiredElement.objects.filter(code="contacted").update(severity=ElementSeverity.OFF)
        ContactRecord.objects.all().delete()
        self.assertNotIn("须至少登记一次与代表委员的沟通", self.page())
        self.submit()
        self.assertEqual(self.draft.status, ReplyStatus.AWAITING_SIGNOFF)

    @override_settings(BANLI_SUPERVISOR_REVIEW=True)
    def test_at_review_a_missing_required_element_sends_the_reply_back_with_the_reason(self):
        self.submit()
        self.as_user(self.signer_x).post(reverse("replies:sign_off", args=[self.draft.pk]))
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.status, ReplyStatus.IN_REVIEW)
        # The office asks for contact details on every letter after the draft went through.
        RequiredElement.objects.filter(code="contact_person").update(severity=ElementSeverity.BLOCKING)
        Reply.objects.filter(pk=self.draft.pk).update(contact_phone="")
        page = self.as_user(self.supervisor).get(self.proposal.get_absolute_url()).content.decode()
        self.assertIn("缺少（审核时将自动退回）：请填写联系人和联系电话", page)
        response = self.client.post(reverse("replies:review", args=[self.draft.pk]), {"result_class": "B"})
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.status, ReplyStatus.DRAFT)
        self.assertEqual(self.draft.result_class, "B")  # the class the 督查室 chose stays
        self.assertIsNone(self.draft.issued_at)
        self.assertIn("答复要件不全，已退回拟稿人", self.client.get(response["Location"]).content.decode())
        event = Event.objects.filter(verb=EventVerb.ELEMENTS_MISSING).latest("pk")
        self.assertEqual(event.actor, self.supervisor)
        self.assertIn("请填写联系人和联系电话", event.note)
        # The clerk sees why, fixes it, and it goes through again.
        self.assertIn("请填写联系人和联系电话", self.page())

    @override_settings(BANLI_SUPERVISOR_REVIEW=True)
    def test_at_review_a_complete_reply_goes_out_with_its_doc_number(self):
        self.submit()
        self.as_user(self.signer_x).post(reverse("replies:sign_off", args=[self.draft.pk]))
        RequiredElement.objects.filter(code="doc_number").update(severity=ElementSeverity.BLOCKING)
        self.as_user(self.supervisor).post(reverse("replies:review", args=[self.draft.pk]), {"result_class": "A"})
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.status, ReplyStatus.ISSUED)
        self.assertTrue(self.draft.doc_number.startswith("X经信函〔"))

    @override_settings(BANLI_SUPERVISOR_REVIEW=True)
    def test_the_supervisor_changes_the_class_of_a_reply_in_review_and_nobody_else_may(self):
        self.submit()
        self.as_user(self.signer_x).post(reverse("replies:sign_off", args=[self.draft.pk]))
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.status, ReplyStatus.IN_REVIEW)
        for outsider in (self.clerk_x, self.office):
            with self.assertRaises(TransitionError):
                self.draft.change_class(by=outsider, result_class="C")
        self.draft.change_class(by=self.supervisor, result_class="C", reason="仅列入规划，尚未安排资金")
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.result_class, "C")
        event = Event.objects.filter(verb=EventVerb.CLASS_CHANGED).latest("pk")
        self.assertEqual((event.actor, event.note), (self.supervisor, "A → C：仅列入规划，尚未安排资金"))
        self.assertEqual(self.draft.history.first().result_class, "C")


class RequiredElementAdminTests(WorkflowTestCase):
    def test_the_office_sets_how_strict_each_element_is_and_the_change_is_kept(self):
        from tests.accounts.test_second_factor import verified_client

        element = RequiredElement.objects.get(code="contact_person")
        client = verified_client(self.client, self.office)
        url = reverse("admin:replies_requiredelement_change", args=[element.pk])
        self.assertEqual(client.get(url).status_code, 200)
        client.post(url, {"severity": "block"})
        element.refresh_from_db()
        self.assertEqual(element.severity, "block")
        self.assertEqual(element.history.first().history_user, self.office)
        self.assertEqual(client.get(reverse("admin:replies_requiredelement_add")).status_code, 403)
        self.assertEqual(
            client.post(reverse("admin:replies_requiredelement_delete", args=[element.pk])).status_code, 403
        )

    def test_clerks_cannot_change_them(self):
        self.client.force_login(self.clerk_x)
        element = RequiredElement.objects.get(code="contacted")
        self.client.post(reverse("admin:replies_requiredelement_change", args=[element.pk]), {"severity": "off"})
        element.refresh_from_db()
        self.assertEqual(element.severity, "block")


class DefaultsTests(WorkflowTestCase):
    def test_without_the_offices_rows_each_element_takes_its_default(self):
        from replies import elements

        RequiredElement.objects.all().delete()
        draft = f.reply(self.lead, status=ReplyStatus.DRAFT, contact_phone="")
        found = {x.code: x.blocking for x in draft.missing_elements()}
        self.assertEqual(found["contact_person"], False)  # a warning, as seeded
        self.assertEqual(found["contacted"], True)
        self.assertEqual(set(elements.DEFAULT_SEVERITY), set(elements.CHECKS))
