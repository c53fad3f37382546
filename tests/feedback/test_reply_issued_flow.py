"""Across apps: issuing a reply in the workspace sends the member a working one-time link."""

import re

from django.core import mail
from django.test import TestCase

from feedback.models import FeedbackLink
from proposals.models import AssignmentRole
from replies.models import ReplyStatus
from tests import factories as f


class ReplyIssuedFlowTests(TestCase):
    def test_issuing_a_reply_mails_the_lead_member_a_link_that_opens_the_form(self):
        unit = f.unit()
        member_user, member = f.member_user("程玮")
        member_user.email = "chengwei@example.org"
        member_user.save()
        proposal = f.proposal(lead=member)
        assignment = f.assignment(proposal, unit, AssignmentRole.LEAD)
        reply = f.reply(assignment, status=ReplyStatus.AWAITING_SIGNOFF)
        signer = f.signer(unit)

        with self.captureOnCommitCallbacks(execute=True):
            reply.sign_off(by=signer, review=False)

        self.assertEqual(FeedbackLink.objects.filter(reply=reply, member=member).count(), 1)
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["chengwei@example.org"])
        url = re.search(r"https?://\S+/f/\S+/", mail.outbox[0].body).group(0)
        path = url.split("://", 1)[1].split("/", 1)[1]
        response = self.client.get("/" + path, follow=True)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "办理情况征询意见表")
        # The token is exchanged for a session: the address bar ends on a clean URL.
        self.assertEqual(response.request["PATH_INFO"], "/f/form/")
