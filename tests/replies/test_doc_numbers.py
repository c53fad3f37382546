"""The 文号 register: a number is given at 签发, per unit and year, once, and never again."""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from proposals.models import AssignmentRole, AssignmentStatus, Body
from replies.models import Reply, ReplyStatus
from tests import factories as f
from tests.cast import WorkflowTestCase, reply_data


class DocNumberTests(WorkflowTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.year = timezone.localdate().year

    def share(self, unit=None):
        """A 分办 share of the unit in handling (no contact or 会签 needed before 送签)."""
        return f.assignment(
            f.proposal(self.session), unit or self.unit_x, AssignmentRole.SEPARATE, status=AssignmentStatus.HANDLING
        )

    def open_tab(self, assignment):
        """The clerk opens the drafting page: what it offers, to be saved later (POST data)."""
        page = self.as_user(self.clerk_x).get(reverse("replies:create", args=[assignment.pk]))
        initial = page.context["form"].initial
        data = reply_data(**{k: initial[k] for k in ("title", "addressees", "closing_name") if initial.get(k)})
        data["doc_number"] = initial.get("doc_number", "")  # whatever number the page offered, if any
        return assignment, data

    def save_tab(self, tab):
        assignment, data = tab
        self.as_user(self.clerk_x).post(reverse("replies:create", args=[assignment.pk]), data)
        return Reply.objects.get(assignment=assignment)

    def draft_in_a_tab(self, assignment):
        return self.save_tab(self.open_tab(assignment))

    def sign(self, reply):
        reply.submit(by=self.clerk_x)
        reply.sign_off(by=self.signer_x, review=False)
        reply.refresh_from_db()
        return reply.doc_number

    def test_two_drafts_opened_at_the_same_time_get_two_numbers_at_signing(self):
        tabs = [self.open_tab(self.share()), self.open_tab(self.share())]  # both open before either is saved
        drafts = [self.save_tab(tab) for tab in tabs]
        numbers = [self.sign(draft) for draft in drafts]
        self.assertEqual(numbers, [f"X经信函〔{self.year}〕1号", f"X经信函〔{self.year}〕2号"])

    def test_the_draft_holds_no_number_and_says_when_it_gets_one(self):
        share = self.share()
        page = self.as_user(self.clerk_x).get(reverse("replies:create", args=[share.pk]))
        self.assertContains(page, "签发时编号")
        draft = self.draft_in_a_tab(share)
        self.assertEqual(draft.doc_number, "")

    def test_a_number_borne_by_an_imported_letter_is_skipped(self):
        f.reply(self.share(), status=ReplyStatus.DRAFT, doc_number=f"X经信函〔{self.year}〕1号")
        self.assertEqual(self.sign(f.reply(self.share(), status=ReplyStatus.DRAFT)), f"X经信函〔{self.year}〕2号")

    def test_each_unit_counts_on_its_own(self):
        self.unit_y.doc_prefix = "Y财函"
        self.unit_y.save()
        signer_y = f.signer(self.unit_y)
        self.sign(f.reply(self.share(), status=ReplyStatus.DRAFT))
        other = f.reply(self.share(self.unit_y), status=ReplyStatus.DRAFT)
        other.submit(by=self.clerk_y)
        other.sign_off(by=signer_y, review=False)
        other.refresh_from_db()
        self.assertEqual(other.doc_number, f"Y财函〔{self.year}〕1号")

    def test_a_unit_without_a_prefix_issues_without_a_number(self):
        reply = f.reply(self.share(self.unit_z), status=ReplyStatus.DRAFT)
        reply.submit(by=self.clerk_z)
        reply.sign_off(by=f.signer(self.unit_z), review=False)
        reply.refresh_from_db()
        self.assertEqual((reply.status, reply.doc_number), (ReplyStatus.ISSUED, ""))

    def test_signed_again_after_review_sent_it_back_it_keeps_its_number(self):
        reply = f.reply(self.share(), status=ReplyStatus.DRAFT)
        reply.submit(by=self.clerk_x)
        reply.sign_off(by=self.signer_x, review=True)
        reply.send_back(by=self.supervisor, note="请补充数据")
        reply.refresh_from_db()
        number = reply.doc_number
        reply.submit(by=self.clerk_x)
        reply.sign_off(by=self.signer_x, review=False)
        reply.refresh_from_db()
        self.assertEqual(reply.doc_number, number)
        self.assertEqual(self.sign(f.reply(self.share(), status=ReplyStatus.DRAFT)), f"X经信函〔{self.year}〕2号")

    def test_the_register_refuses_a_number_twice_and_never_gives_one_back(self):
        from replies.models import DocNumber

        self.sign(f.reply(self.share(), status=ReplyStatus.DRAFT))
        entry = DocNumber.objects.get()
        duplicate = DocNumber(
            unit=self.unit_x, year=entry.year, serial=entry.serial, number="另一个", reply=entry.reply
        )
        with self.assertRaises(IntegrityError), transaction.atomic():
            DocNumber.objects.create(
                unit=duplicate.unit,
                year=duplicate.year,
                serial=duplicate.serial,
                number="另一个",
                reply=f.reply(self.share(), status=ReplyStatus.DRAFT),
            )
        for change in (
            lambda: DocNumber.objects.filter(pk=entry.pk).delete(),
            lambda: DocNumber.objects.filter(pk=entry.pk).update(serial=9),
        ):
            with self.assertRaises(IntegrityError), transaction.atomic():
                change()


class UnitSettingsTests(WorkflowTestCase):
    def url(self, unit=None):
        return reverse("proposals:unit_settings", args=[(unit or self.unit_x).pk])

    def test_a_signer_sets_the_prefix_used_from_the_next_signing(self):
        data = {
            "doc_prefix": "X工信函",
            "disclosure_code": "011043170",
            "contact_person": "刘文明",
            "contact_phone": "1",
        }
        response = self.as_user(self.signer_x).post(self.url(), data)
        self.assertEqual(response.status_code, 302)
        self.unit_x.refresh_from_db()
        self.assertEqual((self.unit_x.doc_prefix, self.unit_x.disclosure_code), ("X工信函", "011043170"))
        self.assertEqual(self.unit_x.history.first().history_user, self.signer_x)

    def test_a_prefix_with_a_year_or_number_is_explained(self):
        data = {"doc_prefix": "X经信函〔2026〕", "disclosure_code": "", "contact_person": "", "contact_phone": ""}
        response = self.as_user(self.signer_x).post(self.url(), data)
        self.assertContains(response, "年份和序号在签发时自动加上")

    def test_its_clerk_may_not_another_unit_may_not_see_it(self):
        self.assertEqual(self.as_user(self.clerk_x).get(self.url()).status_code, 403)
        self.assertEqual(self.as_user(self.clerk_y).get(self.url()).status_code, 404)
        self.assertEqual(self.as_user(self.member_user).get(self.url()).status_code, 404)
        self.assertEqual(self.as_user(self.supervisor).get(self.url()).status_code, 200)
        self.assertEqual(self.as_user(f.office(Body.CPPCC)).get(self.url()).status_code, 200)
