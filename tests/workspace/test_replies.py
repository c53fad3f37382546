"""Contacts, co-handling opinions, drafting, 签发, review, issue, scan and 重办 through the pages."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from proposals.models import AssignmentRole, AssignmentStatus, Event, ProposalStatus
from replies.models import CoHandlingOpinion, ContactRecord, Reply, ReplyStatus
from replies.signals import reply_issued
from tests import factories as f
from workspace.models import ParagraphTemplate

from .base import WorkspaceTestCase

BODY = "现答复如下：\n一、基本情况\n正在推进。"


def reply_data(reply=None, **overrides):
    data = {
        "doc_number": "X经信函〔2026〕1号",
        "title": "关于对《关于促进中小企业健康快速发展》提案的答复",
        "addressees": "程玮、王秋红委员",
        "body": BODY,
        "result_class": "A",
        "signer": "",
        "written_on": "2026-09-06",
        "closing_name": "X市经济和信息化局",
        "contact_person": "刘文明",
        "contact_phone": "6288824",
        "cc": "",
        "publication": "public",
        "index_number": "",
        "version": reply.version if reply else 1,
    }
    data.update(overrides)
    return data


class ContactTests(WorkspaceTestCase):
    def url(self):
        return reverse("proposals:contact_create", args=[self.lead.pk])

    def test_the_clerk_logs_a_contact_after_signing_for(self):
        self.handling()
        response = self.as_user(self.clerk_x).post(
            self.url(), {"contacted_on": self.today, "method": "visit", "participants": "程玮", "summary": "上门走访"}
        )
        self.assertRedirects(response, self.proposal.get_absolute_url())
        contact = ContactRecord.objects.get()
        self.assertEqual((contact.assignment, contact.recorded_by), (self.lead, self.clerk_x))

    def test_a_future_date_and_a_missing_summary_are_explained_and_the_input_kept(self):
        self.handling()
        tomorrow = self.today + datetime.timedelta(days=1)
        response = self.as_user(self.clerk_x).post(
            self.url(), {"contacted_on": tomorrow, "method": "phone", "participants": "程玮", "summary": ""}
        )
        self.assertContains(response, "沟通日期不能晚于今天")
        self.assertContains(response, 'value="程玮"')
        self.assertFalse(ContactRecord.objects.exists())

    def test_before_signing_for_there_is_nothing_to_log(self):
        self.as_user(self.clerk_x).post(self.url(), {"contacted_on": self.today, "method": "phone", "summary": "x"})
        self.assertFalse(ContactRecord.objects.exists())

    def test_the_matrix_and_editing(self):
        self.handling()
        contact = ContactRecord.objects.create(
            assignment=self.lead, contacted_on=self.today, method="phone", summary="电话"
        )
        edit = reverse("proposals:contact_edit", args=[contact.pk])
        self.assertEqual(self.as_user(self.office).get(self.url()).status_code, 403)
        self.assertEqual(self.as_user(self.office).get(edit).status_code, 403)
        self.assertEqual(self.as_user(self.clerk_y).get(edit).status_code, 404)
        self.assertEqual(self.as_user(self.clerk_z).get(self.url()).status_code, 404)
        self.as_user(self.clerk_x).post(
            edit, {"contacted_on": self.today, "method": "meeting", "summary": "改为约见", "assignment": self.other.pk}
        )
        contact.refresh_from_db()
        self.assertEqual((contact.method, contact.assignment), ("meeting", self.lead))


class CoHandlingTests(WorkspaceTestCase):
    def test_the_co_unit_sends_its_opinion_and_the_lead_sees_it(self):
        self.handling(self.co)
        url = reverse("proposals:opinion_create", args=[self.co.pk])
        response = self.as_user(self.clerk_y).post(url, {"body": "我局同意给予资金支持。", "contact_person": "周丽"})
        self.assertRedirects(response, self.proposal.get_absolute_url())
        self.co.refresh_from_db()
        self.assertEqual(self.co.status, AssignmentStatus.REPLIED)
        page = self.as_user(self.clerk_x).get(self.proposal.get_absolute_url())
        self.assertContains(page, "我局同意给予资金支持。")
        self.assertContains(page, "Y市财政局")

    def test_only_the_co_unit_may_write_it(self):
        self.handling(self.co)
        url = reverse("proposals:opinion_create", args=[self.co.pk])
        self.assertEqual(self.as_user(self.clerk_x).post(url, {"body": "x"}).status_code, 404)
        self.assertEqual(self.as_user(self.office).post(url, {"body": "x"}).status_code, 403)
        lead_url = reverse("proposals:opinion_create", args=[self.lead.pk])
        self.assertEqual(self.as_user(self.clerk_x).post(lead_url, {"body": "x"}).status_code, 403)
        self.assertFalse(CoHandlingOpinion.objects.exists())

    def test_a_co_unit_does_not_see_other_units_opinions_it_is_not_part_of(self):
        p = f.proposal(self.session)
        a = f.assignment(p, self.unit_y, AssignmentRole.CO, status=AssignmentStatus.HANDLING)
        f.assignment(p, self.unit_z, AssignmentRole.CO, status=AssignmentStatus.HANDLING)
        CoHandlingOpinion.objects.create(
            assignment=p.assignments.get(unit=self.unit_z), body="Z局的意见", submitted_by=self.clerk_z
        )
        page = self.as_user(self.clerk_y).get(p.get_absolute_url())
        self.assertNotContains(page, "Z局的意见")
        self.assertEqual(a.unit, self.unit_y)


class DraftingTests(WorkspaceTestCase):
    def url(self):
        return reverse("proposals:reply_create", args=[self.lead.pk])

    def test_the_frame_is_generated_from_the_proposal_and_the_unit(self):
        self.handling()
        f.reply(f.assignment(f.proposal(self.session), self.unit_x), doc_number=f"X经信函〔{self.today.year}〕1号")
        form = self.as_user(self.clerk_x).get(self.url()).context["form"]
        self.assertEqual(form.initial["title"], "关于对《关于促进中小企业健康快速发展》提案的答复")
        self.assertEqual(form.initial["addressees"], "程玮、王秋红委员")
        self.assertEqual(form.initial["doc_number"], f"X经信函〔{self.today.year}〕2号")
        self.assertEqual(form.initial["closing_name"], "X市经济和信息化局")
        self.assertEqual(form.initial["contact_person"], "刘文明")

    def test_a_suggestions_reply_is_addressed_to_deputies(self):
        deputy = f.member(name="张伟", body="npc")
        p = f.proposal(self.npc_session, lead=deputy, title="关于优化公交线网的建议")
        a = f.assignment(p, self.unit_x, status=AssignmentStatus.HANDLING)
        form = self.as_user(self.clerk_x).get(reverse("proposals:reply_create", args=[a.pk])).context["form"]
        self.assertEqual(form.initial["title"], "关于对《关于优化公交线网》建议的答复")
        self.assertEqual(form.initial["addressees"], "张伟代表")

    def test_paragraph_templates_of_the_unit_are_offered(self):
        self.handling()
        ParagraphTemplate.objects.create(unit=self.unit_x, title="结束语", body="感谢您对我局工作的关心和支持。")
        ParagraphTemplate.objects.create(unit=self.unit_z, title="Z局结束语", body="Z局的话")
        page = self.as_user(self.clerk_x).get(self.url())
        self.assertContains(page, "感谢您对我局工作的关心和支持。")
        self.assertNotContains(page, "Z局的话")

    def test_saving_a_draft_ignores_status_round_and_unit_in_the_post(self):
        self.handling()
        self.as_user(self.clerk_x).post(
            self.url(),
            reply_data(
                status="issued", round="5", assignment=self.other.pk, unit=self.unit_z.pk, issued_at="2026-01-01"
            ),
        )
        reply = Reply.objects.get()
        self.assertEqual((reply.status, reply.round, reply.assignment), (ReplyStatus.DRAFT, 1, self.lead))
        self.assertIsNone(reply.issued_at)

    def test_a_missing_body_is_explained_and_the_rest_kept(self):
        self.handling()
        response = self.as_user(self.clerk_x).post(self.url(), reply_data(body="", cc="市政府办公室"))
        self.assertContains(response, "这个字段是必填项")
        self.assertContains(response, "市政府办公室")
        self.assertFalse(Reply.objects.exists())

    def test_a_co_unit_and_a_pending_assignment_cannot_draft(self):
        self.assertRedirects(
            self.as_user(self.clerk_x).post(self.url(), reply_data()), self.proposal.get_absolute_url()
        )
        self.handling(self.co)
        co_url = reverse("proposals:reply_create", args=[self.co.pk])
        self.as_user(self.clerk_y).post(co_url, reply_data())
        self.assertFalse(Reply.objects.exists())

    def test_the_matrix(self):
        self.handling()
        self.assertEqual(self.as_user(self.clerk_x).get(self.url()).status_code, 200)
        self.assertEqual(self.as_user(self.office).get(self.url()).status_code, 403)
        self.assertEqual(self.as_user(self.supervisor).post(self.url(), reply_data()).status_code, 403)
        self.assertEqual(self.as_user(self.clerk_y).get(self.url()).status_code, 404)
        self.assertEqual(self.as_user(self.member_user).get(self.url()).status_code, 403)
        self.assertEqual(self.as_user(self.stranger).get(self.url()).status_code, 404)


class ConflictTests(WorkspaceTestCase):
    def test_the_second_save_of_a_stale_form_gets_a_conflict_page_and_nothing_is_lost(self):
        self.handling()
        other_clerk = f.clerk(self.unit_x, username="clerk_x2")
        draft = f.reply(self.lead, status=ReplyStatus.DRAFT, body=BODY)
        url = reverse("proposals:reply_edit", args=[draft.pk])
        opened_version = draft.version
        first = self.as_user(self.clerk_x).post(url, reply_data(draft, body="甲的正文"))
        self.assertRedirects(first, self.proposal.get_absolute_url())
        second = self.as_user(other_clerk).post(url, reply_data(version=opened_version, body="乙的正文"))
        self.assertEqual(second.status_code, 409)
        self.assertContains(second, "保存冲突", status_code=409)
        self.assertContains(second, "甲的正文", status_code=409)
        self.assertContains(second, "乙的正文", status_code=409)
        draft.refresh_from_db()
        self.assertEqual(draft.body, "甲的正文")
        # Saving again from the conflict page carries the current version and wins.
        form_version = second.context["form"]["version"].value()
        third = self.as_user(other_clerk).post(url, reply_data(version=form_version, body="甲乙合并的正文"))
        self.assertRedirects(third, self.proposal.get_absolute_url())
        draft.refresh_from_db()
        self.assertEqual(draft.body, "甲乙合并的正文")
        self.assertEqual(draft.version, opened_version + 2)

    def test_a_draft_submitted_meanwhile_shows_what_was_typed_and_saves_nothing(self):
        self.handling()
        draft = f.reply(self.lead, status=ReplyStatus.DRAFT, body=BODY)
        url = reverse("proposals:reply_edit", args=[draft.pk])
        Reply.objects.filter(pk=draft.pk).update(status=ReplyStatus.AWAITING_SIGNOFF)
        response = self.as_user(self.clerk_x).post(url, reply_data(draft, body="晚到的修改"))
        self.assertContains(response, "晚到的修改", status_code=409)
        self.assertContains(response, "不能再修改", status_code=409)
        self.assertIsNone(response.context["form"])
        draft.refresh_from_db()
        self.assertEqual(draft.body, BODY)

    def test_the_history_keeps_who_changed_which_field(self):
        self.handling()
        draft = f.reply(self.lead, status=ReplyStatus.DRAFT, result_class="B")
        self.as_user(self.clerk_x).post(reverse("proposals:reply_edit", args=[draft.pk]), reply_data(draft))
        latest = draft.history.first()
        self.assertEqual(latest.history_user, self.clerk_x)
        self.assertEqual(latest.result_class, "A")
        page = self.as_user(self.clerk_x).get(self.proposal.get_absolute_url())
        self.assertContains(page, "B 正在解决或列入计划 → A 已经解决或基本解决")


class WorkflowTests(WorkspaceTestCase):
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
        return self.as_user(user).post(reverse(f"proposals:{name}", args=[(reply or self.draft).pk]), data or {})

    def status(self):
        self.draft.refresh_from_db()
        self.draft.assignment.refresh_from_db()
        return self.draft.status, self.draft.assignment.status

    def test_submit_then_sign_off_issues_it(self):
        self.post(self.clerk_x, "reply_submit")
        self.assertEqual(self.status(), (ReplyStatus.AWAITING_SIGNOFF, AssignmentStatus.AWAITING_SIGNOFF))
        with self.captureOnCommitCallbacks(execute=True):
            self.post(self.signer_x, "reply_sign_off")
        self.assertEqual(self.status(), (ReplyStatus.ISSUED, AssignmentStatus.REPLIED))
        self.assertEqual(self.draft.signer, self.signer_x)
        self.assertEqual(self.draft.written_on, self.today)
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.status, ProposalStatus.REPLIED)
        verbs = list(Event.objects.filter(assignment=self.lead).values_list("verb", flat=True))
        self.assertEqual(verbs, ["提交签发", "签发", "答复"])

    def test_issuing_sends_reply_issued_after_commit(self):
        heard = []

        def receiver(sender, reply, by, **kwargs):
            heard.append((reply.pk, by))

        reply_issued.connect(receiver)
        self.addCleanup(reply_issued.disconnect, receiver)
        self.post(self.clerk_x, "reply_submit")
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            self.post(self.signer_x, "reply_sign_off")
        self.assertEqual(heard, [])  # nothing before the commit
        for callback in callbacks:
            callback()
        self.assertEqual(heard, [(self.draft.pk, self.signer_x)])

    def test_the_signer_may_send_it_back_with_a_note(self):
        self.post(self.clerk_x, "reply_submit")
        self.post(self.signer_x, "reply_send_back", data={"note": "第二部分再具体些"})
        self.assertEqual(self.status(), (ReplyStatus.DRAFT, AssignmentStatus.HANDLING))
        self.assertTrue(Event.objects.filter(verb="退回修改", note="第二部分再具体些").exists())

    def test_sending_back_needs_a_note(self):
        self.post(self.clerk_x, "reply_submit")
        response = self.post(self.signer_x, "reply_send_back", data={"note": ""})
        self.assertContains(response, "这个字段是必填项")
        self.assertEqual(self.status()[0], ReplyStatus.AWAITING_SIGNOFF)

    def test_the_clerk_cannot_sign_off_and_others_cannot_submit(self):
        self.post(self.clerk_x, "reply_submit")
        self.assertEqual(self.post(self.clerk_x, "reply_sign_off").status_code, 403)
        self.assertEqual(self.post(self.office, "reply_sign_off").status_code, 403)
        self.assertEqual(self.post(self.clerk_y, "reply_sign_off").status_code, 404)
        self.assertEqual(self.status()[0], ReplyStatus.AWAITING_SIGNOFF)

    def test_outsiders_cannot_touch_a_draft(self):
        self.assertEqual(self.post(self.office, "reply_submit").status_code, 403)
        self.assertEqual(self.post(self.clerk_z, "reply_submit").status_code, 404)
        self.assertEqual(self.post(self.member_user, "reply_submit").status_code, 404)  # members see issued only
        self.assertEqual(self.status()[0], ReplyStatus.DRAFT)

    def test_signing_off_a_draft_is_refused(self):
        self.post(self.signer_x, "reply_sign_off")
        self.assertEqual(self.status()[0], ReplyStatus.DRAFT)

    def test_a_lead_reply_needs_a_contact_first(self):
        ContactRecord.objects.all().delete()
        response = self.post(self.clerk_x, "reply_submit")
        self.assertEqual(self.status()[0], ReplyStatus.DRAFT)
        page = self.client.get(response["Location"])
        self.assertContains(page, "须至少登记一次与代表委员的沟通")
        with override_settings(BANLI_REQUIRE_CONTACT_BEFORE_REPLY=False):
            self.post(self.clerk_x, "reply_submit")
        self.assertEqual(self.status()[0], ReplyStatus.AWAITING_SIGNOFF)

    def test_a_lead_reply_waits_for_every_co_units_opinion(self):
        f.assignment(self.proposal, self.unit_z, AssignmentRole.CO, status=AssignmentStatus.HANDLING)
        response = self.post(self.clerk_x, "reply_submit")
        self.assertContains(self.client.get(response["Location"]), "尚有会办单位未提交会办意见：Z局")
        self.assertEqual(self.status()[0], ReplyStatus.DRAFT)
        with override_settings(BANLI_REQUIRE_CO_OPINIONS=False):
            self.post(self.clerk_x, "reply_submit")
        self.assertEqual(self.status()[0], ReplyStatus.AWAITING_SIGNOFF)

    def test_a_reply_without_a_class_cannot_be_submitted(self):
        Reply.objects.filter(pk=self.draft.pk).update(result_class="")
        self.post(self.clerk_x, "reply_submit")
        self.assertEqual(self.status()[0], ReplyStatus.DRAFT)

    @override_settings(BANLI_SUPERVISOR_REVIEW=True)
    def test_with_review_on_the_supervisor_issues_it_and_may_change_the_class(self):
        self.post(self.clerk_x, "reply_submit")
        self.post(self.signer_x, "reply_sign_off")
        self.assertEqual(self.status(), (ReplyStatus.IN_REVIEW, AssignmentStatus.IN_REVIEW))
        self.assertEqual(self.post(self.office, "reply_review", data={"result_class": "B"}).status_code, 403)
        self.post(self.supervisor, "reply_review", data={"result_class": "B"})
        self.assertEqual(self.status(), (ReplyStatus.ISSUED, AssignmentStatus.REPLIED))
        self.assertEqual(self.draft.result_class, "B")
        self.assertEqual(self.draft.history.first().history_user, self.supervisor)
        self.assertTrue(Event.objects.filter(verb="审核通过", note="答复类别由 A 改为 B").exists())

    @override_settings(BANLI_SUPERVISOR_REVIEW=True)
    def test_the_supervisor_may_send_it_back(self):
        self.post(self.clerk_x, "reply_submit")
        self.post(self.signer_x, "reply_sign_off")
        self.post(self.supervisor, "reply_send_back", data={"note": "数据需核实"})
        self.assertEqual(self.status(), (ReplyStatus.DRAFT, AssignmentStatus.HANDLING))

    def issue(self):
        self.post(self.clerk_x, "reply_submit")
        self.post(self.signer_x, "reply_sign_off")
        self.draft.refresh_from_db()

    def test_an_issued_reply_is_read_only(self):
        self.issue()
        edit = reverse("proposals:reply_edit", args=[self.draft.pk])
        self.assertRedirects(self.as_user(self.clerk_x).get(edit), self.proposal.get_absolute_url())
        self.as_user(self.clerk_x).post(edit, reply_data(self.draft, body="改了"))
        self.post(self.clerk_x, "reply_submit")
        self.draft.refresh_from_db()
        self.assertEqual((self.draft.body, self.draft.status), (BODY, ReplyStatus.ISSUED))

    def test_the_clerk_uploads_the_sealed_scan_and_marks_it_delivered(self):
        self.issue()
        url = reverse("proposals:reply_scan", args=[self.draft.pk])
        pdf = SimpleUploadedFile("sealed.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
        self.assertRedirects(
            self.as_user(self.clerk_x).post(url, {"sealed_scan": pdf}), self.proposal.get_absolute_url()
        )
        self.post(self.clerk_x, "reply_delivered")
        self.draft.refresh_from_db()
        self.assertTrue(self.draft.sealed_scan.name.endswith(".pdf"))
        self.assertIsNotNone(self.draft.delivered_at)

    def test_a_scan_of_the_wrong_type_or_size_is_refused(self):
        self.issue()
        url = reverse("proposals:reply_scan", args=[self.draft.pk])
        fake = SimpleUploadedFile("sealed.pdf", b"MZ not a pdf", content_type="application/pdf")
        self.assertContains(self.as_user(self.clerk_x).post(url, {"sealed_scan": fake}), "只能上传 PDF、JPEG 或 PNG")
        with override_settings(BANLI_SCAN_MAX_BYTES=1024 * 1024):
            big = SimpleUploadedFile("big.png", b"\x89PNG\r\n\x1a\n" + b"0" * (1024 * 1024), content_type="image/png")
            self.assertContains(self.as_user(self.clerk_x).post(url, {"sealed_scan": big}), "文件过大")
        self.draft.refresh_from_db()
        self.assertFalse(self.draft.sealed_scan)

    def test_a_scan_before_issue_and_by_others_is_refused(self):
        url = reverse("proposals:reply_scan", args=[self.draft.pk])
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
        url = reverse("proposals:reply_create", args=[self.lead.pk])
        self.as_user(self.clerk_x).post(url, reply_data(round="1", body="第二轮答复"))
        second = Reply.objects.get(assignment=self.lead, round=2)
        self.assertEqual(second.status, ReplyStatus.DRAFT)
        self.assertEqual(self.status(), (ReplyStatus.ISSUED, AssignmentStatus.REDO))
        self.post(self.clerk_x, "reply_submit", reply=second)
        self.post(self.signer_x, "reply_send_back", reply=second, data={"note": "再改"})
        self.lead.refresh_from_db()
        self.assertEqual(self.lead.status, AssignmentStatus.REDO)
        self.post(self.clerk_x, "reply_submit", reply=second)
        self.post(self.signer_x, "reply_sign_off", reply=second)
        second.refresh_from_db()
        self.lead.refresh_from_db()
        self.assertEqual((second.status, self.lead.status), (ReplyStatus.ISSUED, AssignmentStatus.REPLIED))

    def test_no_new_round_without_redo(self):
        self.issue()
        self.as_user(self.clerk_x).post(reverse("proposals:reply_create", args=[self.lead.pk]), reply_data())
        self.assertEqual(Reply.objects.filter(assignment=self.lead).count(), 1)


class ProposalPageTests(WorkspaceTestCase):
    def test_the_page_shows_content_cosigners_assignments_contacts_replies_feedback_and_timeline(self):
        self.handling()
        ContactRecord.objects.create(
            assignment=self.lead, contacted_on=self.today, method="visit", summary="上门走访座谈"
        )
        reply = f.reply(self.lead)
        f.feedback(reply, opinion="沟通及时")
        Event.record(proposal=self.proposal, assignment=self.lead, verb="签收", actor=self.clerk_x)
        page = self.as_user(self.clerk_x).get(self.proposal.get_absolute_url())
        for text in [
            "王秋红",
            "X市经济和信息化局",
            "上门走访座谈",
            reply.title,
            "沟通及时",
            "签收",
            f"/replies/{reply.pk}/pdf/",
        ]:
            self.assertContains(page, text)

    def test_a_member_sees_issued_replies_only_and_no_drafts(self):
        f.reply(self.lead, status=ReplyStatus.DRAFT, title="草稿标题")
        page = self.as_user(self.member_user).get(self.proposal.get_absolute_url())
        self.assertNotContains(page, "草稿标题")

    def test_the_page_is_404_for_an_outsider(self):
        self.assertEqual(self.as_user(self.clerk_z).get(self.proposal.get_absolute_url()).status_code, 404)
        self.assertEqual(self.as_user(self.office_npc).get(self.proposal.get_absolute_url()).status_code, 404)

    def test_the_signer_sees_sign_off_buttons_the_clerk_does_not(self):
        self.handling()
        reply = f.reply(self.lead, status=ReplyStatus.AWAITING_SIGNOFF)
        sign = reverse("proposals:reply_sign_off", args=[reply.pk])
        self.assertContains(self.as_user(self.signer_x).get(self.proposal.get_absolute_url()), sign)
        self.assertNotContains(self.as_user(self.clerk_x).get(self.proposal.get_absolute_url()), sign)


class ParagraphTemplateTests(WorkspaceTestCase):
    def test_a_clerk_keeps_templates_for_their_unit(self):
        url = reverse("proposals:templates")
        self.as_user(self.clerk_x).post(url, {"title": "结束语", "body": "感谢关心。", "unit": self.unit_z.pk})
        template = ParagraphTemplate.objects.get()
        self.assertEqual(template.unit, self.unit_x)
        duplicate = self.as_user(self.clerk_x).post(url, {"title": "结束语", "body": "又一条"})
        self.assertContains(duplicate, "本单位已有同名模板")
        edit = reverse("proposals:template_edit", args=[template.pk])
        self.assertEqual(self.as_user(self.clerk_z).get(edit).status_code, 404)
        self.assertEqual(
            self.as_user(self.clerk_z).post(reverse("proposals:template_delete", args=[template.pk])).status_code, 404
        )
        self.assertEqual(self.as_user(self.office).get(url).status_code, 404)
        self.as_user(self.signer_x).post(edit, {"title": "结束语", "body": "衷心感谢。"})
        template.refresh_from_db()
        self.assertEqual(template.body, "衷心感谢。")


class RedoDraftTests(WorkspaceTestCase):
    def test_round_2_starts_from_the_last_answer_and_shows_what_the_member_said(self):
        self.handling()
        first = f.reply(self.lead, body="第一轮的正文", result_class="B")
        f.feedback(first, satisfaction="dissatisfied", handling_effect="later", opinion="未回应核心诉求")
        self.set_status(self.lead, AssignmentStatus.REPLIED)
        self.lead.start_redo(by=self.office)
        page = self.as_user(self.clerk_x).get(reverse("proposals:reply_create", args=[self.lead.pk]))
        self.assertEqual(page.context["form"].initial["body"], "第一轮的正文")
        self.assertEqual(page.context["form"].initial["result_class"], "")
        self.assertContains(page, "未回应核心诉求")
        self.assertContains(page, "第2轮答复")


class MemberViewTests(WorkspaceTestCase):
    def test_a_member_does_not_see_internal_opinions_requests_or_notes(self):
        self.handling(self.co)
        CoHandlingOpinion.objects.create(assignment=self.co, body="内部会办意见", submitted_by=self.clerk_y)
        Event.record(
            proposal=self.proposal, assignment=self.lead, verb="退回修改", actor=self.signer_x, note="内部批注"
        )
        page = self.as_user(self.member_user).get(self.proposal.get_absolute_url())
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "内部会办意见")
        self.assertNotContains(page, "内部批注")
        staff_page = self.as_user(self.office).get(self.proposal.get_absolute_url())
        self.assertContains(staff_page, "内部会办意见")
        self.assertContains(staff_page, "内部批注")


class ProposalPageCostTests(WorkspaceTestCase):
    def test_the_page_costs_the_same_with_1_and_10_contacts_and_requests(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.handling()
        f.reply(self.lead, status=ReplyStatus.DRAFT)

        def add(n):
            for i in range(n):
                ContactRecord.objects.create(
                    assignment=self.lead,
                    contacted_on=self.today,
                    method="phone",
                    summary=f"第{i}次",
                    recorded_by=self.clerk_x,
                )
                Event.record(proposal=self.proposal, assignment=self.lead, verb="沟通", actor=self.clerk_x)

        add(1)
        self.client.force_login(self.clerk_x)
        with CaptureQueriesContext(connection) as one:
            self.client.get(self.proposal.get_absolute_url())
        add(9)
        with self.assertNumQueries(len(one)):
            self.client.get(self.proposal.get_absolute_url())


class TransitionTableTests(WorkspaceTestCase):
    """Every reply step from every state: only the allowed ones change anything."""

    ALLOWED = {
        "submit": {ReplyStatus.DRAFT},
        "send_back": {ReplyStatus.AWAITING_SIGNOFF, ReplyStatus.IN_REVIEW},
        "sign_off": {ReplyStatus.AWAITING_SIGNOFF},
        "review": {ReplyStatus.IN_REVIEW},
        "issue": {ReplyStatus.AWAITING_SIGNOFF, ReplyStatus.IN_REVIEW},
    }

    def run_step(self, reply, step):
        from replies.models import TransitionError

        calls = {
            "submit": lambda: reply.submit(by=self.clerk_x),
            "send_back": lambda: reply.send_back(by=self.signer_x, note="改"),
            "sign_off": lambda: reply.sign_off(by=self.signer_x, review=False),
            "review": lambda: reply.review(by=self.supervisor, result_class="B"),
            "issue": lambda: reply.issue(by=self.signer_x),
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
                    Reply.objects.filter(assignment=self.lead).delete()
                    reply = f.reply(self.lead, status=status)
                    self.assertEqual(self.run_step(reply, step), status in allowed)
                    reply.refresh_from_db()
                    if status not in allowed:
                        self.assertEqual(reply.status, status)
