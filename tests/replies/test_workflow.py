"""A reply's way through submit, 签发, review, issue, scan and delivery, and 重办, through the pages."""

import datetime
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from proposals.models import AssignmentRole, AssignmentStatus, Event, EventVerb, ProposalStatus
from replies.models import CoHandlingOpinion, ContactRecord, ElementSeverity, Reply, ReplyStatus, RequiredElement
from replies.signals import reply_issued
from tests import factories as f
from tests.cast import BODY, WorkflowTestCase, reply_data
from tests.concurrency import at_once


class WorkflowTests(WorkflowTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.lead.status = AssignmentStatus.HANDLING
        cls.lead.save()
        cls.co.status = AssignmentStatus.REPLIED
        cls.co.save()
        CoHandlingOpinion.objects.create(assignment=cls.co, body="同意", submitted_by=cls.clerk_y)
        ContactRecord.objects.create(assignment=cls.lead, contacted_on=cls.today, method="phone", summary="电话")
        cls.draft = f.reply(cls.lead, status=ReplyStatus.DRAFT, written_on=None)

    def post(self, user, name, reply=None, data=None):
        return self.as_user(user).post(reverse(f"replies:{name}", args=[(reply or self.draft).pk]), data or {})

    def status(self):
        self.draft.refresh_from_db()
        self.draft.assignment.refresh_from_db()
        return self.draft.status, self.draft.assignment.status

    def test_submit_then_sign_off_issues_it(self):
        self.post(self.clerk_x, "submit")
        self.assertEqual(self.status(), (ReplyStatus.AWAITING_SIGNOFF, AssignmentStatus.AWAITING_SIGNOFF))
        with self.captureOnCommitCallbacks(execute=True):
            self.post(self.signer_x, "sign_off")
        self.assertEqual(self.status(), (ReplyStatus.ISSUED, AssignmentStatus.REPLIED))
        self.assertEqual(self.draft.signer, self.signer_x)
        self.assertEqual(self.draft.written_on, self.today)
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.status, ProposalStatus.REPLIED)
        verbs = list(Event.objects.filter(assignment=self.lead).values_list("verb", flat=True))
        self.assertEqual(verbs, [EventVerb.SUBMITTED, EventVerb.SIGNED_OFF, EventVerb.ISSUED])

    def test_the_proposal_page_names_who_drafted_and_who_signed_the_reply(self):
        self.draft.drafter = self.clerk_x
        self.draft.save(update_fields=["drafter"])
        self.post(self.clerk_x, "submit")
        with self.captureOnCommitCallbacks(execute=True):
            self.post(self.signer_x, "sign_off")
        page = self.as_user(self.clerk_x).get(reverse("proposals:detail", args=[self.proposal.pk])).content.decode()
        self.assertIn(f"拟稿人 {self.clerk_x.get_full_name() or self.clerk_x.username}", page)
        self.assertIn(f"签发人 {self.signer_x.get_full_name() or self.signer_x.username}", page)

    def test_issuing_sends_reply_issued_after_commit(self):
        heard = []

        def receiver(sender, reply, by, **kwargs):
            heard.append((reply.pk, by))

        reply_issued.connect(receiver)
        self.addCleanup(reply_issued.disconnect, receiver)
        self.post(self.clerk_x, "submit")
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            self.post(self.signer_x, "sign_off")
        self.assertEqual(heard, [])  # nothing before the commit
        for callback in callbacks:
            callback()
        self.assertEqual(heard, [(self.draft.pk, self.signer_x)])

    def test_the_signer_may_send_it_back_with_a_note(self):
        self.post(self.clerk_x, "submit")
        self.post(self.signer_x, "send_back", data={"note": "第二部分再具体些"})
        self.assertEqual(self.status(), (ReplyStatus.DRAFT, AssignmentStatus.HANDLING))
        self.assertTrue(Event.objects.filter(verb=EventVerb.SENT_BACK, note="第二部分再具体些").exists())

    def test_sending_back_needs_a_note(self):
        self.post(self.clerk_x, "submit")
        response = self.post(self.signer_x, "send_back", data={"note": ""})
        self.assertContains(response, "这个字段是必填项")
        self.assertEqual(self.status()[0], ReplyStatus.AWAITING_SIGNOFF)

    def test_the_clerk_cannot_sign_off_and_others_cannot_submit(self):
        self.post(self.clerk_x, "submit")
        self.assertEqual(self.post(self.clerk_x, "sign_off").status_code, 403)
        self.assertEqual(self.post(self.office, "sign_off").status_code, 403)
        self.assertEqual(self.post(self.clerk_y, "sign_off").status_code, 404)
        self.assertEqual(self.status()[0], ReplyStatus.AWAITING_SIGNOFF)

    def test_outsiders_cannot_touch_a_draft(self):
        self.assertEqual(self.post(self.office, "submit").status_code, 403)
        self.assertEqual(self.post(self.clerk_z, "submit").status_code, 404)
        self.assertEqual(self.post(self.member_user, "submit").status_code, 404)  # members see issued only
        self.assertEqual(self.status()[0], ReplyStatus.DRAFT)

    def test_signing_off_a_draft_is_refused(self):
        self.post(self.signer_x, "sign_off")
        self.assertEqual(self.status()[0], ReplyStatus.DRAFT)

    def test_a_lead_reply_needs_a_contact_first(self):
        ContactRecord.objects.all().delete()
        response = self.post(self.clerk_x, "submit")
        self.assertEqual(self.status()[0], ReplyStatus.DRAFT)
        page = self.client.get(response["Location"])
        self.assertContains(page, "须至少登记一次与代表委员的沟通")
        RequiredElement.objects.filter(code="contacted").update(severity=ElementSeverity.WARNING)
        self.post(self.clerk_x, "submit")
        self.assertEqual(self.status()[0], ReplyStatus.AWAITING_SIGNOFF)

    def test_a_lead_reply_waits_for_every_co_units_opinion(self):
        f.assignment(self.proposal, self.unit_z, AssignmentRole.CO, status=AssignmentStatus.HANDLING)
        response = self.post(self.clerk_x, "submit")
        self.assertContains(self.client.get(response["Location"]), "尚有会办单位未提交会办意见：Z局")
        self.assertEqual(self.status()[0], ReplyStatus.DRAFT)
        RequiredElement.objects.filter(code="co_opinions").update(severity=ElementSeverity.OFF)
        self.post(self.clerk_x, "submit")
        self.assertEqual(self.status()[0], ReplyStatus.AWAITING_SIGNOFF)

    def test_a_reply_without_a_class_cannot_be_submitted(self):
        Reply.objects.filter(pk=self.draft.pk).update(result_class="")
        self.post(self.clerk_x, "submit")
        self.assertEqual(self.status()[0], ReplyStatus.DRAFT)

    @override_settings(BANLI_SUPERVISOR_REVIEW=True)
    def test_with_review_on_the_supervisor_issues_it_and_may_change_the_class(self):
        self.post(self.clerk_x, "submit")
        self.post(self.signer_x, "sign_off")
        self.assertEqual(self.status(), (ReplyStatus.IN_REVIEW, AssignmentStatus.IN_REVIEW))
        self.assertEqual(self.post(self.office, "review", data={"result_class": "B"}).status_code, 403)
        self.post(self.supervisor, "review", data={"result_class": "B"})
        self.assertEqual(self.status(), (ReplyStatus.ISSUED, AssignmentStatus.REPLIED))
        self.assertEqual(self.draft.result_class, "B")
        self.assertEqual(self.draft.history.first().history_user, self.supervisor)
        self.assertTrue(Event.objects.filter(verb=EventVerb.CLASS_CHANGED, note="A → B").exists())
        self.assertTrue(Event.objects.filter(verb=EventVerb.REVIEWED).exists())

    @override_settings(BANLI_SUPERVISOR_REVIEW=True)
    def test_the_supervisor_may_send_it_back(self):
        self.post(self.clerk_x, "submit")
        self.post(self.signer_x, "sign_off")
        self.post(self.supervisor, "send_back", data={"note": "数据需核实"})
        self.assertEqual(self.status(), (ReplyStatus.DRAFT, AssignmentStatus.HANDLING))

    def issue(self):
        self.post(self.clerk_x, "submit")
        self.post(self.signer_x, "sign_off")
        self.draft.refresh_from_db()

    def test_an_issued_reply_is_read_only(self):
        self.issue()
        edit = reverse("replies:edit", args=[self.draft.pk])
        self.assertRedirects(self.as_user(self.clerk_x).get(edit), self.proposal.get_absolute_url())
        self.as_user(self.clerk_x).post(edit, reply_data(self.draft, body="改了"))
        self.post(self.clerk_x, "submit")
        self.draft.refresh_from_db()
        self.assertEqual((self.draft.body, self.draft.status), (BODY, ReplyStatus.ISSUED))

    def test_the_clerk_uploads_the_sealed_scan_and_marks_it_delivered(self):
        self.issue()
        url = reverse("replies:scan", args=[self.draft.pk])
        pdf = SimpleUploadedFile("sealed.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
        self.assertRedirects(
            self.as_user(self.clerk_x).post(url, {"sealed_scan": pdf}), self.proposal.get_absolute_url()
        )
        self.post(self.clerk_x, "delivered")
        self.draft.refresh_from_db()
        self.assertTrue(self.draft.sealed_scan.name.endswith(".pdf"))
        self.assertIsNotNone(self.draft.delivered_at)

    def test_a_scan_of_the_wrong_type_or_size_is_refused(self):
        self.issue()
        url = reverse("replies:scan", args=[self.draft.pk])
        fake = SimpleUploadedFile("sealed.pdf", b"MZ not a pdf", content_type="application/pdf")
        self.assertContains(self.as_user(self.clerk_x).post(url, {"sealed_scan": fake}), "只能上传 PDF、JPEG 或 PNG")
        with override_settings(BANLI_SCAN_MAX_BYTES=1024 * 1024):
            big = SimpleUploadedFile("big.png", b"\x89PNG\r\n\x1a\n" + b"0" * (1024 * 1024), content_type="image/png")
            self.assertContains(self.as_user(self.clerk_x).post(url, {"sealed_scan": big}), "文件过大")
        self.draft.refresh_from_db()
        self.assertFalse(self.draft.sealed_scan)

    def test_a_scan_before_issue_and_by_others_is_refused(self):
        url = reverse("replies:scan", args=[self.draft.pk])
        pdf = SimpleUploadedFile("sealed.pdf", b"%PDF-1.4\n", content_type="application/pdf")
        self.as_user(self.clerk_x).post(url, {"sealed_scan": pdf})
        self.draft.refresh_from_db()
        self.assertFalse(self.draft.sealed_scan)
        self.issue()
        self.assertEqual(self.as_user(self.office).get(url).status_code, 403)
        self.assertEqual(self.as_user(self.clerk_z).get(url).status_code, 404)

    def test_redo_opens_round_2_with_its_own_deadline(self):
        self.issue()
        self.lead.refresh_from_db()
        self.lead.start_redo(by=self.office, note="委员不满意")
        self.lead.refresh_from_db()
        self.assertEqual(self.lead.due_on, self.today + datetime.timedelta(days=30))
        page = self.as_user(self.clerk_x).get(self.proposal.get_absolute_url())
        self.assertContains(page, "撰写第2轮答复（重办）")
        url = reverse("replies:create", args=[self.lead.pk])
        self.as_user(self.clerk_x).post(url, reply_data(round="1", body="第二轮答复"))
        second = Reply.objects.get(assignment=self.lead, round=2)
        self.assertEqual(second.status, ReplyStatus.DRAFT)
        self.assertEqual(self.status(), (ReplyStatus.ISSUED, AssignmentStatus.REDO))
        self.post(self.clerk_x, "submit", reply=second)
        self.post(self.signer_x, "send_back", reply=second, data={"note": "再改"})
        self.lead.refresh_from_db()
        self.assertEqual(self.lead.status, AssignmentStatus.REDO)
        self.post(self.clerk_x, "submit", reply=second)
        self.post(self.signer_x, "sign_off", reply=second)
        second.refresh_from_db()
        self.lead.refresh_from_db()
        self.assertEqual((second.status, self.lead.status), (ReplyStatus.ISSUED, AssignmentStatus.REPLIED))

    def test_no_new_round_without_redo(self):
        self.issue()
        self.as_user(self.clerk_x).post(reverse("replies:create", args=[self.lead.pk]), reply_data())
        self.assertEqual(Reply.objects.filter(assignment=self.lead).count(), 1)


class TransitionTableTests(WorkflowTestCase):
    """Every reply step from every state: only the allowed ones change anything."""

    ALLOWED = {
        "submit": {ReplyStatus.DRAFT},
        "send_back": {ReplyStatus.AWAITING_SIGNOFF, ReplyStatus.IN_REVIEW},
        "sign_off": {ReplyStatus.AWAITING_SIGNOFF},
        "review": {ReplyStatus.IN_REVIEW},
    }

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        ContactRecord.objects.create(
            assignment=cls.lead, contacted_on=cls.today, method="phone", summary="电话沟通", recorded_by=cls.clerk_x
        )
        CoHandlingOpinion.objects.create(assignment=cls.co, body="同意", submitted_by=cls.clerk_y)

    def run_step(self, reply, step):
        from replies.models import TransitionError

        calls = {
            "submit": lambda: reply.submit(by=self.clerk_x),
            # The signer sends back what waits for 签发, the supervisor what waits for review.
            "send_back": lambda: reply.send_back(
                by=self.supervisor if reply.status == ReplyStatus.IN_REVIEW else self.signer_x, note="改"
            ),
            "sign_off": lambda: reply.sign_off(by=self.signer_x, review=False),
            "review": lambda: reply.review(by=self.supervisor, result_class="B"),
        }
        try:
            calls[step]()
        except TransitionError:
            return False
        return True

    def test_only_allowed_steps_succeed(self):
        for step, allowed in self.ALLOWED.items():
            for status in ReplyStatus.values:
                with self.subTest(step=step, status=status):
                    # A fresh share each time (an issued reply is never deleted); 分办 needs no contact or 会签.
                    share = f.assignment(
                        f.proposal(self.session), self.unit_x, AssignmentRole.SEPARATE, status=AssignmentStatus.HANDLING
                    )
                    reply = f.reply(share, status=status)
                    self.assertEqual(self.run_step(reply, step), status in allowed)
                    reply.refresh_from_db()
                    if status not in allowed:
                        self.assertEqual(reply.status, status)


@pytest.mark.django_db(transaction=True)
def test_two_units_issuing_at_once_leave_the_proposal_replied(monkeypatch):
    """The lead and the separate unit issue their replies in the same instant: each checked whether
    the other had answered before the other's reply was committed, so neither marked the proposal
    已答复. The second now counts after the first has committed."""
    from django.db import connection

    from proposals.models import Proposal

    if connection.vendor == "sqlite":
        pytest.skip("SQLite's in-memory test database is one shared cache; real concurrency is tested on PostgreSQL")
    proposal = f.proposal(f.session())
    replies, signers = [], []
    for role in (AssignmentRole.LEAD, AssignmentRole.SEPARATE):
        unit = f.unit()
        share = f.assignment(proposal, unit, role, status=AssignmentStatus.AWAITING_SIGNOFF)
        replies.append(f.reply(share, status=ReplyStatus.AWAITING_SIGNOFF, written_on=None))
        signers.append(f.signer(unit))
    issued = threading.Barrier(2)
    record = Event.record

    def record_then_wait(cls, **kwargs):
        event = record(**kwargs)
        if kwargs["verb"] == EventVerb.ISSUED:
            issued.wait(timeout=10)  # both replies are issued, neither committed, before either counts
        return event

    monkeypatch.setattr(Event, "record", classmethod(record_then_wait))

    def sign(i):
        return lambda: Reply.objects.get(pk=replies[i].pk).sign_off(by=signers[i], review=False)

    assert at_once(sign(0), sign(1)) == []
    assert Reply.objects.filter(pk__in=[r.pk for r in replies], status=ReplyStatus.ISSUED).count() == 2
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.REPLIED
