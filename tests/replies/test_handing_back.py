"""撤回 by the drafter, 退回修改 by the signer with its reason, and the confirmation before 签发 and 送达."""

from django.core.files.base import ContentFile
from django.urls import reverse

from notifications.models import Notification
from proposals.models import AssignmentStatus, Event, EventVerb
from replies.models import CoHandlingOpinion, ContactRecord, ReplyStatus
from tests import factories as f
from tests.cast import WorkflowTestCase


class HandingBackTests(WorkflowTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.lead.status = AssignmentStatus.AWAITING_SIGNOFF
        cls.lead.save()
        cls.co.status = AssignmentStatus.REPLIED
        cls.co.save()
        CoHandlingOpinion.objects.create(assignment=cls.co, body="同意", submitted_by=cls.clerk_y)
        ContactRecord.objects.create(assignment=cls.lead, contacted_on=cls.today, method="phone", summary="电话")
        cls.other_clerk_x = f.clerk(cls.unit_x, username="clerk_x2")
        cls.waiting = f.reply(cls.lead, status=ReplyStatus.AWAITING_SIGNOFF, written_on=None, drafter=cls.clerk_x)

    def url(self, name, reply=None):
        return reverse(f"replies:{name}", args=[(reply or self.waiting).pk])

    def page(self, user):
        return self.as_user(user).get(self.proposal.get_absolute_url())

    def told(self, user, event):
        return list(Notification.objects.filter(user=user, event=event).values_list("text", flat=True))

    def test_the_drafter_withdraws_a_draft_waiting_for_signoff_after_confirming(self):
        page = self.page(self.clerk_x)
        self.assertContains(page, self.url("withdraw"))
        self.assertContains(page, f'<dialog id="withdraw-{self.waiting.pk}"')
        confirm = self.as_user(self.clerk_x).get(self.url("withdraw"))
        self.assertContains(confirm, "撤回后签发人不能再签发这份答复")
        self.waiting.refresh_from_db()
        self.assertEqual(self.waiting.status, ReplyStatus.AWAITING_SIGNOFF)  # the GET changed nothing
        with self.captureOnCommitCallbacks(execute=True):
            response = self.as_user(self.clerk_x).post(self.url("withdraw"), {"note": "数据需要更新"})
        self.assertRedirects(response, self.proposal.get_absolute_url())
        self.waiting.refresh_from_db()
        self.lead.refresh_from_db()
        self.assertEqual((self.waiting.status, self.lead.status), (ReplyStatus.DRAFT, AssignmentStatus.HANDLING))
        self.assertTrue(Event.objects.filter(verb=EventVerb.WITHDRAWN, note="数据需要更新").exists())
        # The signer learns it no longer waits for them.
        [text] = self.told(self.signer_x, "reply_withdrawn")
        self.assertIn("数据需要更新", text)
        page = self.page(self.clerk_x)
        self.assertContains(page, "撤回送签")  # in the timeline
        self.assertContains(page, "已撤回送签")  # on the draft, with why
        self.assertContains(page, "数据需要更新")

    def test_only_the_drafter_may_withdraw_and_the_signer_cannot_sign_it_afterwards(self):
        self.assertNotContains(self.page(self.other_clerk_x), self.url("withdraw"))
        response = self.as_user(self.other_clerk_x).post(self.url("withdraw"))
        self.assertRedirects(response, self.proposal.get_absolute_url())
        self.assertEqual(self.as_user(self.signer_x).post(self.url("withdraw")).status_code, 302)
        self.waiting.refresh_from_db()
        self.assertEqual(self.waiting.status, ReplyStatus.AWAITING_SIGNOFF)
        self.as_user(self.clerk_x).post(self.url("withdraw"))
        self.as_user(self.signer_x).post(self.url("sign_off"))
        self.waiting.refresh_from_db()
        self.assertEqual(self.waiting.status, ReplyStatus.DRAFT)

    def test_withdrawing_is_403_to_those_who_see_it_and_404_to_others(self):
        self.assertEqual(self.as_user(self.office).post(self.url("withdraw")).status_code, 403)
        self.assertEqual(self.as_user(self.clerk_y).post(self.url("withdraw")).status_code, 404)
        self.assertEqual(self.as_user(self.clerk_z).get(self.url("withdraw")).status_code, 404)

    def test_a_draft_already_signed_cannot_be_withdrawn(self):
        self.as_user(self.signer_x).post(self.url("sign_off"))
        response = self.as_user(self.clerk_x).post(self.url("withdraw"))
        self.assertRedirects(response, self.proposal.get_absolute_url())
        self.waiting.refresh_from_db()
        self.assertEqual(self.waiting.status, ReplyStatus.ISSUED)

    def test_the_signer_hands_it_back_with_a_reason_the_drafter_sees_on_the_draft(self):
        with self.captureOnCommitCallbacks(execute=True):
            self.as_user(self.signer_x).post(self.url("send_back"), {"note": "第二部分再具体些"})
        [text] = self.told(self.clerk_x, "reply_sent_back")
        self.assertIn("第二部分再具体些", text)
        self.assertEqual(self.told(self.other_clerk_x, "reply_sent_back"), [])  # the drafter, not the whole unit
        page = self.page(self.clerk_x)
        self.assertContains(page, "签发人退回修改")
        self.assertContains(page, "第二部分再具体些")

    def test_signing_off_asks_for_confirmation_first(self):
        page = self.page(self.signer_x)
        self.assertContains(page, f'<dialog id="sign-off-{self.waiting.pk}"')
        confirm = self.as_user(self.signer_x).get(self.url("sign_off"))
        self.assertContains(confirm, "签发后答复即发出给代表委员，不能再修改")
        self.assertContains(confirm, self.waiting.title)
        self.waiting.refresh_from_db()
        self.assertEqual(self.waiting.status, ReplyStatus.AWAITING_SIGNOFF)
        self.assertEqual(self.as_user(self.clerk_x).get(self.url("sign_off")).status_code, 403)

    def test_marking_delivered_asks_for_confirmation_first(self):
        self.as_user(self.signer_x).post(self.url("sign_off"))
        self.waiting.refresh_from_db()
        self.waiting.sealed_scan.save("scan.pdf", ContentFile(b"%PDF-1.4 sealed"))
        self.assertContains(self.page(self.clerk_x), f'<dialog id="delivered-{self.waiting.pk}"')
        self.assertContains(self.as_user(self.clerk_x).get(self.url("delivered")), "送达时间记录后不能更改")
        self.waiting.refresh_from_db()
        self.assertIsNone(self.waiting.delivered_at)
        self.as_user(self.clerk_x).post(self.url("delivered"))
        self.waiting.refresh_from_db()
        self.assertIsNotNone(self.waiting.delivered_at)

    def test_without_a_named_drafter_the_units_clerks_withdraw_and_the_signer_sends_back(self):
        self.waiting.drafter = None
        self.waiting.save(update_fields=["drafter"])
        self.assertContains(self.page(self.other_clerk_x), self.url("withdraw"))
        self.assertNotContains(self.page(self.signer_x), self.url("withdraw"))
        self.assertContains(self.page(self.signer_x), self.url("send_back"))

    def test_the_supervisors_review_asks_before_the_reply_goes_out(self):
        with self.settings(BANLI_SUPERVISOR_REVIEW=True):
            self.as_user(self.signer_x).post(self.url("sign_off"))
            self.waiting.refresh_from_db()
            self.assertEqual(self.waiting.status, ReplyStatus.IN_REVIEW)
            self.assertContains(self.page(self.supervisor), f'<dialog id="review-{self.waiting.pk}"')
            confirm = self.as_user(self.supervisor).get(self.url("review"))
            self.assertContains(confirm, "审核通过后答复即发出给代表委员")
            self.assertContains(confirm, 'name="result_class"')
            self.waiting.refresh_from_db()
            self.assertEqual(self.waiting.status, ReplyStatus.IN_REVIEW)
            self.as_user(self.supervisor).post(self.url("review"), {"result_class": "B"})
            self.waiting.refresh_from_db()
            self.assertEqual((self.waiting.status, self.waiting.result_class), (ReplyStatus.ISSUED, "B"))
