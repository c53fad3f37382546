"""Drafts handed back before the upgrade still wait for their clerk after it: the migration that
stores the hand-back reads each draft's last step from the timeline."""

import importlib

from django.apps import apps

from proposals.models import Event, EventVerb
from replies.models import Reply, ReplyStatus
from tests import factories as f
from tests.cast import WorkflowTestCase

migration = importlib.import_module("replies.migrations.0009_handed_back_and_awaiting_form")


class HandedBackMigrationTests(WorkflowTestCase):
    def draft_after(self, *verbs):
        assignment = f.assignment(f.proposal(self.session), self.unit_x)
        draft = f.reply(assignment, status=ReplyStatus.DRAFT)
        for verb in verbs:
            Event.record(proposal=assignment.proposal, assignment=assignment, verb=verb)
        return draft

    def test_only_drafts_whose_last_step_handed_them_back_are_marked(self):
        sent_back = self.draft_after(EventVerb.SUBMITTED, EventVerb.SENT_BACK)
        returned = self.draft_after(EventVerb.SUBMITTED, EventVerb.SIGNED_OFF, EventVerb.ELEMENTS_MISSING)
        withdrawn = self.draft_after(EventVerb.SUBMITTED, EventVerb.SENT_BACK, EventVerb.SUBMITTED, EventVerb.WITHDRAWN)
        fresh = self.draft_after()
        Reply.objects.update(handed_back_at=None)

        migration.fill_handed_back(apps, None)

        marked = set(Reply.objects.filter(handed_back_at__isnull=False).values_list("pk", flat=True))
        self.assertEqual(marked, {sent_back.pk, returned.pk})
        self.assertNotIn(withdrawn.pk, marked)
        self.assertNotIn(fresh.pk, marked)
        at = Event.objects.get(assignment=returned.assignment, verb=EventVerb.ELEMENTS_MISSING).at
        self.assertEqual(Reply.objects.get(pk=returned.pk).handed_back_at, at)
