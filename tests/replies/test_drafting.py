"""Drafting a reply: the frame, edits under the optimistic lock, conflicts, round 2 after 重办."""

from django.urls import reverse

from proposals.models import AssignmentStatus
from replies.models import ParagraphTemplate, Reply, ReplyStatus
from tests import factories as f
from tests.cast import BODY, WorkflowTestCase, reply_data


class DraftingTests(WorkflowTestCase):
    def url(self):
        return reverse("replies:create", args=[self.lead.pk])

    def test_the_frame_is_generated_from_the_proposal_and_the_unit(self):
        self.handling()
        page = self.as_user(self.clerk_x).get(self.url())
        form = page.context["form"]
        self.assertEqual(form.initial["title"], "关于对《关于促进中小企业健康快速发展》提案的答复")
        self.assertEqual(form.initial["addressees"], "程玮、王秋红委员")
        self.assertEqual(form.initial["closing_name"], "X市经济和信息化局")
        self.assertEqual(form.initial["contact_person"], "刘文明")
        # The 文号 is not the draft's to hold: it is given at 签发.
        self.assertNotIn("doc_number", form.fields)
        self.assertContains(page, "签发时编号")

    def test_only_who_may_set_the_doc_prefix_is_offered_the_link_to_it(self):
        self.handling()
        settings_url = reverse("proposals:unit_settings", args=[self.unit_x.pk])
        clerk_page = self.as_user(self.clerk_x).get(self.url())
        self.assertNotContains(clerk_page, settings_url)  # the clerk would be refused there
        self.assertContains(clerk_page, "文号前缀由本单位签发人设置。")
        self.assertEqual(self.as_user(self.clerk_x).get(settings_url).status_code, 403)
        signer_page = self.as_user(self.signer_x).get(self.url())
        self.assertContains(signer_page, settings_url)
        self.assertEqual(self.as_user(self.signer_x).get(settings_url).status_code, 200)

    def test_a_suggestions_reply_is_addressed_to_deputies(self):
        deputy = f.member(name="张伟", body="npc")
        p = f.proposal(self.npc_session, lead=deputy, title="关于优化公交线网的建议")
        a = f.assignment(p, self.unit_x, status=AssignmentStatus.HANDLING)
        form = self.as_user(self.clerk_x).get(reverse("replies:create", args=[a.pk])).context["form"]
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
        self.assertContains(response, "请填写正文")
        self.assertContains(response, "市政府办公室")
        self.assertFalse(Reply.objects.exists())

    def test_a_co_unit_and_a_pending_assignment_cannot_draft(self):
        self.assertRedirects(
            self.as_user(self.clerk_x).post(self.url(), reply_data()), self.proposal.get_absolute_url()
        )
        self.handling(self.co)
        co_url = reverse("replies:create", args=[self.co.pk])
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


class ConflictTests(WorkflowTestCase):
    def test_the_second_save_of_a_stale_form_gets_a_conflict_page_and_nothing_is_lost(self):
        self.handling()
        other_clerk = f.clerk(self.unit_x, username="clerk_x2")
        draft = f.reply(self.lead, status=ReplyStatus.DRAFT, body=BODY)
        url = reverse("replies:edit", args=[draft.pk])
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
        url = reverse("replies:edit", args=[draft.pk])
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
        self.as_user(self.clerk_x).post(reverse("replies:edit", args=[draft.pk]), reply_data(draft))
        latest = draft.history.first()
        self.assertEqual(latest.history_user, self.clerk_x)
        self.assertEqual(latest.result_class, "A")
        page = self.as_user(self.clerk_x).get(self.proposal.get_absolute_url())
        self.assertContains(page, "B 正在解决或列入计划 → A 已经解决或基本解决")


class RedoDraftTests(WorkflowTestCase):
    def test_round_2_starts_from_the_last_answer_and_shows_what_the_member_said(self):
        self.handling()
        first = f.reply(self.lead, body="第一轮的正文", result_class="B")
        f.feedback(first, satisfaction="dissatisfied", handling_effect="later", opinion="未回应核心诉求")
        self.set_status(self.lead, AssignmentStatus.REPLIED)
        self.lead.start_redo(by=self.office)
        page = self.as_user(self.clerk_x).get(reverse("replies:create", args=[self.lead.pk]))
        self.assertEqual([row["text"] for row in page.context["form"].rows], ["第一轮的正文"])
        self.assertEqual(page.context["form"].initial["result_class"], "")
        self.assertContains(page, "未回应核心诉求")
        self.assertContains(page, "第2轮答复")
