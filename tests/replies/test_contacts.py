"""Contacts, co-handling opinions, drafting, 签发, review, issue, scan and 重办 through the pages."""

import datetime

from django.urls import reverse

from proposals.models import AssignmentRole, AssignmentStatus
from replies.models import CoHandlingOpinion, ContactRecord
from tests import factories as f
from tests.cast import WorkflowTestCase


class ContactTests(WorkflowTestCase):
    def url(self):
        return reverse("replies:contact_create", args=[self.lead.pk])

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
        edit = reverse("replies:contact_edit", args=[contact.pk])
        self.assertEqual(self.as_user(self.office).get(self.url()).status_code, 403)
        self.assertEqual(self.as_user(self.office).get(edit).status_code, 403)
        self.assertEqual(self.as_user(self.clerk_y).get(edit).status_code, 404)
        self.assertEqual(self.as_user(self.clerk_z).get(self.url()).status_code, 404)
        self.as_user(self.clerk_x).post(
            edit, {"contacted_on": self.today, "method": "meeting", "summary": "改为约见", "assignment": self.other.pk}
        )
        contact.refresh_from_db()
        self.assertEqual((contact.method, contact.assignment), ("meeting", self.lead))


class CoHandlingTests(WorkflowTestCase):
    def test_the_co_unit_sends_its_opinion_and_the_lead_sees_it(self):
        self.handling(self.co)
        url = reverse("replies:opinion_create", args=[self.co.pk])
        response = self.as_user(self.clerk_y).post(url, {"body": "我局同意给予资金支持。", "contact_person": "周丽"})
        self.assertRedirects(response, self.proposal.get_absolute_url())
        self.co.refresh_from_db()
        self.assertEqual(self.co.status, AssignmentStatus.REPLIED)
        page = self.as_user(self.clerk_x).get(self.proposal.get_absolute_url())
        self.assertContains(page, "我局同意给予资金支持。")
        self.assertContains(page, "Y市财政局")

    def test_only_the_co_unit_may_write_it(self):
        self.handling(self.co)
        url = reverse("replies:opinion_create", args=[self.co.pk])
        self.assertEqual(self.as_user(self.clerk_x).post(url, {"body": "x"}).status_code, 404)
        self.assertEqual(self.as_user(self.office).post(url, {"body": "x"}).status_code, 403)
        lead_url = reverse("replies:opinion_create", args=[self.lead.pk])
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


class ContactRecordKeptTests(WorkflowTestCase):
    """A contact is dated between 交办 and today, keeps its history, and is kept as it was once
    the reply it led to has gone out."""

    def log(self, **overrides):
        data = {"contacted_on": self.today, "method": "visit", "participants": "程玮", "summary": "上门走访"}
        data.update(overrides)
        return self.as_user(self.clerk_x).post(reverse("replies:contact_create", args=[self.lead.pk]), data)

    def test_a_contact_before_the_assignment_is_explained_and_not_saved(self):
        self.handling()
        response = self.log(contacted_on=datetime.date(2020, 1, 1))
        self.assertContains(response, "沟通日期不能早于交办日期")
        self.assertFalse(ContactRecord.objects.exists())

    def test_the_write_path_refuses_such_a_date_whoever_calls_it(self):
        from proposals.models import TransitionError

        self.handling()
        with self.assertRaises(TransitionError):
            ContactRecord.objects.log(
                assignment=self.lead,
                by=self.clerk_x,
                contacted_on=datetime.date(2020, 1, 1),
                method="phone",
                summary="x",
            )
        with self.assertRaises(TransitionError):
            ContactRecord.objects.log(
                assignment=self.lead,
                by=self.clerk_x,
                contacted_on=self.today + datetime.timedelta(days=1),
                method="phone",
                summary="x",
            )

    def test_after_the_reply_is_issued_the_contact_cannot_be_rewritten(self):
        self.handling()
        self.log()
        contact = ContactRecord.objects.get()
        f.reply(self.lead)  # issued after the contact was logged
        edit = reverse("replies:contact_edit", args=[contact.pk])
        response = self.as_user(self.clerk_x).post(
            edit, {"contacted_on": "2020-01-01", "method": "phone", "participants": "", "summary": "改过"}
        )
        self.assertRedirects(response, self.proposal.get_absolute_url())
        contact.refresh_from_db()
        self.assertEqual((contact.contacted_on, contact.method, contact.summary), (self.today, "visit", "上门走访"))
        page = self.as_user(self.clerk_x).get(self.proposal.get_absolute_url()).content.decode()
        self.assertNotIn(edit, page)

    def test_an_amendment_before_the_reply_keeps_the_earlier_version_and_says_who(self):
        from proposals.models import Event, EventVerb

        self.handling()
        self.log()
        contact = ContactRecord.objects.get()
        self.as_user(self.clerk_x).post(
            reverse("replies:contact_edit", args=[contact.pk]),
            {"contacted_on": self.today, "method": "meeting", "participants": "程玮", "summary": "约见"},
        )
        versions = list(contact.history.order_by("history_date").values_list("method", "history_user"))
        self.assertEqual(versions, [("visit", self.clerk_x.pk), ("meeting", self.clerk_x.pk)])
        note = Event.objects.get(verb=EventVerb.CONTACT_AMENDED).note
        self.assertIn("上门走访 → ", note)
        self.assertIn("约见", note)
