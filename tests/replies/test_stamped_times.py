"""A record kept on paper until now goes in through the same write paths, at the moments it
happened (`at=`): every stamp and every timeline line carries that moment, not today's."""

import datetime
import io

from django.core.files.base import ContentFile
from django.test import TestCase
from django.utils import timezone
from PIL import Image

from feedback import services as feedback_services
from feedback.forms import OnlineFeedbackForm
from proposals.models import AssignmentStatus, Body, DeadlineKind, EventVerb, Proposal
from replies.models import CoHandlingOpinion, ContactRecord, DocNumber, Reply
from tests import factories as f
from tests.feedback.conftest import form_data


def moment(day, hour=9):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def png():
    out = io.BytesIO()
    Image.new("RGB", (40, 40), "white").save(out, format="PNG")
    return ContentFile(out.getvalue(), name="scan.png")


class StampedTimesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.session = f.session(Body.CPPCC, year=2021, redo_days=30)
        cls.unit = f.unit("X市经济和信息化局", "X局", doc_prefix="X经信函")
        cls.co_unit = f.unit("X市财政局", "X财政")
        cls.office = f.office(Body.CPPCC)
        cls.clerk, cls.signer, cls.co_clerk = f.clerk(cls.unit), f.signer(cls.unit), f.clerk(cls.co_unit)
        cls.member_user, cls.lead = f.member_user("程玮")

    def through_issue(self):
        day = datetime.date(2021, 3, 10)
        proposal = Proposal.objects.register(
            session=self.session,
            lead=self.lead,
            title="关于甲的提案",
            by=self.office,
            at=moment(datetime.date(2021, 1, 7)),
        )
        lead = proposal.assign(unit=self.unit, role="lead", by=self.office, at=moment(day))
        co = proposal.assign(unit=self.co_unit, role="co", by=self.office, at=moment(day))
        lead.sign_for(by=self.clerk, at=moment(day + datetime.timedelta(days=2)))
        co.sign_for(by=self.co_clerk, at=moment(day + datetime.timedelta(days=2)))
        contact = ContactRecord.objects.log(
            assignment=lead,
            by=self.clerk,
            contacted_on=datetime.date(2021, 4, 1),
            method="phone",
            summary="电话沟通",
            at=moment(datetime.date(2021, 4, 1), 17),
        )
        CoHandlingOpinion.objects.give(
            assignment=co, by=self.co_clerk, body="同意。", at=moment(datetime.date(2021, 4, 5))
        )
        reply = Reply.objects.start_draft(
            assignment=lead,
            by=self.clerk,
            title="关于对《甲》提案的答复",
            addressees="程玮委员",
            body="现答复如下：",
            result_class="A",
            at=moment(datetime.date(2021, 5, 1)),
        )
        reply.submit(by=self.clerk, at=moment(datetime.date(2021, 5, 2)))
        reply.sign_off(by=self.signer, review=False, at=moment(datetime.date(2021, 5, 6), 15))
        return proposal, lead, contact, reply

    def test_each_step_is_stamped_with_its_own_moment(self):
        proposal, lead, contact, reply = self.through_issue()
        proposal.refresh_from_db()
        lead.refresh_from_db()
        reply.refresh_from_db()
        self.assertEqual(proposal.created_at, moment(datetime.date(2021, 1, 7)))
        self.assertEqual(proposal.submitted_on, datetime.date(2021, 1, 7))
        self.assertEqual(
            (lead.assigned_on, lead.signed_for_on), (datetime.date(2021, 3, 10), datetime.date(2021, 3, 12))
        )
        self.assertEqual(lead.deadlines.get().set_at, moment(datetime.date(2021, 3, 10)))
        self.assertEqual(contact.created_at, moment(datetime.date(2021, 4, 1), 17))
        self.assertEqual(
            (reply.issued_at, reply.written_on), (moment(datetime.date(2021, 5, 6), 15), datetime.date(2021, 5, 6))
        )
        self.assertEqual(reply.created_at, moment(datetime.date(2021, 5, 1)))
        # The reply's change history is dated the same way (draft, 送签, 签发).
        self.assertEqual(
            sorted(reply.history.values_list("history_date", flat=True)),
            [moment(datetime.date(2021, 5, 1)), moment(datetime.date(2021, 5, 2)), reply.issued_at],
        )
        self.assertEqual(contact.history.get().history_date, contact.created_at)
        entry = DocNumber.objects.get(reply=reply)
        self.assertEqual((entry.number, entry.allocated_at), ("X经信函〔2021〕1号", reply.issued_at))
        # The timeline reads in the order things happened, each at its moment.
        events = list(proposal.events.values_list("verb", "at"))
        self.assertEqual(
            [verb for verb, _at in events],
            [
                EventVerb.REGISTERED,
                EventVerb.ASSIGNED,
                EventVerb.ASSIGNED,
                EventVerb.SIGNED_FOR,
                EventVerb.SIGNED_FOR,
                EventVerb.CONTACTED,
                EventVerb.CO_OPINION,
                EventVerb.DRAFTED,
                EventVerb.SUBMITTED,
                EventVerb.SIGNED_OFF,
                EventVerb.ISSUED,
            ],
        )
        self.assertTrue(all(at.year == 2021 for _verb, at in events))

    def test_a_late_dissatisfied_form_starts_redo_from_the_day_it_came_in(self):
        _proposal, lead, _contact, reply = self.through_issue()
        form = OnlineFeedbackForm(data=form_data(satisfaction="dissatisfied", opinion="没有回应核心诉求。"))
        self.assertTrue(form.is_valid(), form.errors)
        came_in = moment(datetime.date(2021, 5, 20))
        feedback_services.submit_online(reply=reply, member=self.lead, form=form, by=self.member_user, now=came_in)
        lead.refresh_from_db()
        self.assertEqual(lead.status, AssignmentStatus.REDO)
        redo = lead.deadlines.get(kind=DeadlineKind.REDO)
        self.assertEqual((redo.set_at, redo.due_on), (came_in, datetime.date(2021, 6, 19)))
        self.assertEqual(lead.events.get(verb=EventVerb.REDO).at, came_in)
        self.assertEqual(lead.events.get(verb=EventVerb.FEEDBACK).at, came_in)

    def test_a_paper_form_entered_late_is_received_when_it_was_entered(self):
        _proposal, lead, _contact, reply = self.through_issue()
        entered = moment(datetime.date(2021, 5, 25))
        feedback = feedback_services.enter_paper(
            reply=reply,
            member=self.lead,
            answers={
                "by_phone": True,
                "handling_effect": "solved",
                "satisfaction": "satisfied",
                "publish_consent": True,
            },
            signed_on=datetime.date(2021, 5, 20),
            scan=png(),
            by=self.office,
            at=entered,
        )
        self.assertEqual(feedback.received_at, entered)
        self.assertEqual(lead.events.get(verb=EventVerb.FEEDBACK_RECEIVED).at, entered)
        published = reply.disclosure
        self.assertEqual((published.published_at, published.year), (entered, 2021))

    def test_without_a_moment_every_step_is_now(self):
        before = timezone.now()
        proposal = Proposal.objects.register(session=self.session, lead=self.lead, title="关于乙的提案", by=self.office)
        lead = proposal.assign(unit=self.unit, role="lead", by=self.office)
        lead.sign_for(by=self.clerk)
        self.assertEqual(lead.assigned_on, timezone.localdate())
        self.assertTrue(all(at >= before for at in proposal.events.values_list("at", flat=True)))
