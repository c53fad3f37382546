"""Every text has a limit, in the form (an error next to the field, the input kept) and in the
database (a CHECK, whoever writes); a letter whose render failed slowly is not rendered again on
every request."""

from unittest import mock

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from printing.pdf import PrintError
from proposals.limits import LETTER, PARAGRAPH, REASON, SUMMARY
from proposals.models import AssignmentRequest, Event, Proposal
from replies import body
from replies.models import CoHandlingOpinion, ContactRecord, ParagraphTemplate, Reply, ReplyStatus
from tests import factories as f
from tests.cast import WorkflowTestCase, paragraph_fields, reply_data


class ReplyBodyTests(WorkflowTestCase):
    def test_a_body_over_the_limit_is_refused_next_to_the_field_and_kept(self):
        self.handling()
        url = reverse("replies:create", args=[self.lead.pk])
        paragraphs = [("p", "", "答" * body.TEXT_LENGTH)] * (LETTER // body.TEXT_LENGTH + 1)
        response = self.as_user(self.clerk_x).post(url, {**reply_data(), **paragraph_fields(paragraphs)})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, f"{LETTER}")  # the limit, said above the paragraphs
        self.assertContains(response, "答" * body.TEXT_LENGTH)  # what was typed is still there
        self.assertFalse(Reply.objects.exists())

    def test_a_paragraph_over_its_limit_is_refused_at_that_paragraph(self):
        self.handling()
        url = reverse("replies:create", args=[self.lead.pk])
        paragraphs = [("p", "", "现答复如下："), ("p", "", "长" * (body.TEXT_LENGTH + 1))]
        response = self.as_user(self.clerk_x).post(url, {**reply_data(), **paragraph_fields(paragraphs)})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, f"一段不能超过 {body.TEXT_LENGTH} 字")
        self.assertFalse(Reply.objects.exists())

    def test_more_paragraphs_than_the_limit_are_refused(self):
        self.handling()
        url = reverse("replies:create", args=[self.lead.pk])
        paragraphs = [("p", "", "一段。")] * (body.MAX_PARAGRAPHS + 1)
        response = self.as_user(self.clerk_x).post(url, {**reply_data(), **paragraph_fields(paragraphs)})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, f"正文最多 {body.MAX_PARAGRAPHS} 段")
        self.assertFalse(Reply.objects.exists())

    def test_a_body_at_the_limit_is_saved(self):
        self.handling()
        url = reverse("replies:create", args=[self.lead.pk])
        count = LETTER // body.TEXT_LENGTH  # paragraphs, joined by line breaks in the plain text
        paragraphs = [("p", "", "答" * body.TEXT_LENGTH)] * (count - 1)
        paragraphs.append(("p", "", "答" * (body.TEXT_LENGTH - (count - 1))))
        self.as_user(self.clerk_x).post(url, {**reply_data(), **paragraph_fields(paragraphs)})
        self.assertEqual(len(Reply.objects.get().body), LETTER)


def over(limit):
    return "字" * (limit + 1)


@pytest.mark.parametrize(
    "make, field, limit",
    [
        (lambda: f.proposal(), "body", LETTER),
        (lambda: f.reply(f.assignment(f.proposal(), f.unit()), status=ReplyStatus.DRAFT), "body", LETTER),
        (
            lambda: ContactRecord.objects.create(
                assignment=f.assignment(f.proposal(), f.unit()), contacted_on="2026-01-10", method="phone", summary="x"
            ),
            "summary",
            SUMMARY,
        ),
        (
            lambda: CoHandlingOpinion.objects.create(
                assignment=f.assignment(f.proposal(), f.unit(), role="co"), body="x", submitted_by=f.user()
            ),
            "body",
            LETTER,
        ),
        (lambda: ParagraphTemplate.objects.create(unit=f.unit(), title="结束语", body="x"), "body", PARAGRAPH),
        (
            lambda: AssignmentRequest.objects.create(
                assignment=f.assignment(f.proposal(), f.unit()), kind="return", reason="x", requested_by=f.user()
            ),
            "reason",
            REASON,
        ),
        (lambda: f.feedback(f.reply(f.assignment(f.proposal(), f.unit())), submitted_at=None), "opinion", SUMMARY),
    ],
    ids=["proposal", "reply", "contact", "co-opinion", "paragraph", "request", "feedback opinion"],
)
def test_the_database_refuses_a_text_over_its_limit_whoever_writes(db, make, field, limit):
    row = make()
    model = type(row)
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=row.pk).update(**{field: over(limit)})
    assert model.objects.filter(pk=row.pk).update(**{field: "字" * limit}) == 1


def test_a_timeline_note_quoting_a_long_reason_is_cut_to_fit(db):
    proposal = f.proposal()
    event = Event.record(proposal=proposal, verb="registered", note=over(REASON))
    assert len(event.note) == REASON and event.note.endswith("…")
    assert Proposal.objects.filter(pk=proposal.pk).exists()


class FailedRenderTests(WorkflowTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.reply = f.reply(cls.lead, status=ReplyStatus.ISSUED)

    def get(self):
        return self.as_user(self.clerk_x).get(reverse("printing:reply_pdf", args=[self.reply.pk]))

    def slow_clock(self):
        """The documents module's clock, as it reads a render that took 40 s."""
        clock = mock.Mock()
        clock.perf_counter.side_effect = [0.0, 40.0]
        return mock.patch("printing.documents.time", clock)

    def test_a_letter_that_failed_slowly_is_not_rendered_again_on_every_request(self):
        with (
            self.slow_clock(),
            mock.patch("printing.documents.TypstPrintable.render", side_effect=PrintError("排版超时")) as render,
        ):
            first = self.get()
            second = self.get()
        self.assertEqual((first.status_code, second.status_code), (503, 503))
        self.assertEqual(render.call_count, 1)  # the second request did not wait for it again
        self.assertContains(second, "分钟内不再重试", status_code=503)

    def test_a_changed_letter_is_tried_at_once(self):
        with (
            self.slow_clock(),
            mock.patch("printing.documents.TypstPrintable.render", side_effect=PrintError("排版超时")),
        ):
            self.get()
        # A correction is a new version (here: the unit's letterhead changed).
        self.unit_x.letterhead = "X市经济和信息化局（新）"
        self.unit_x.save()
        self.assertEqual(self.get().status_code, 200)
