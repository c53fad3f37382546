"""Reminders to members who have not answered: `BANLI_FEEDBACK_REMINDER_DAYS` after the first
link to a reply's form went to them, a fresh link by e-mail and text message (and a note in the
app), once per reply and member. Run by `manage.py remind_feedback` (cron, or the task worker)."""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Min
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.services import already_notified, notify
from notifications.sms import mobile_number
from proposals.i18n import in_chinese
from replies.models import Reply

from .models import Feedback, FeedbackLink, expected_members, is_superseded
from .services import _reply_issued_texts, link_url


def reachable(member):
    contact = member.notification_contact()
    return bool(contact.users or contact.email or mobile_number(contact.phone))


@in_chinese
def remind_unanswered(*, now=None):
    """Send the reminders that are due; returns how many members were reminded."""
    days = settings.BANLI_FEEDBACK_REMINDER_DAYS
    if days <= 0:
        return 0
    now = now or timezone.now()
    due = (
        FeedbackLink.objects.filter(reply__status="issued")
        .values("reply_id", "member_id")
        .annotate(first=Min("created_at"))
        .filter(first__lte=now - datetime.timedelta(days=days))
        .order_by("reply_id", "member_id")
    )
    pairs = [(row["reply_id"], row["member_id"]) for row in due]
    answered = set(
        Feedback.objects.submitted().filter(reply_id__in={r for r, _m in pairs}).values_list("reply_id", "member_id")
    )
    replies = Reply.objects.select_related("assignment__proposal__lead__user", "assignment__unit").in_bulk(
        {r for r, _m in pairs}
    )
    sent = 0
    for reply_id, member_id in pairs:
        if (reply_id, member_id) in answered:
            continue
        reply = replies[reply_id]
        member = next((m for m in expected_members(reply) if m.pk == member_id), None)
        key = f"feedback_reminder:{reply.pk}"
        if member is None or is_superseded(reply) or not reachable(member):
            continue
        if already_notified(key=key, recipient=member):
            continue
        proposal = reply.assignment.proposal
        with transaction.atomic():
            link, token = FeedbackLink.issue(reply=reply, member=member, now=now)
            _subject, mail, sms = _reply_issued_texts(
                member=member, reply=reply, proposal=proposal, url=link_url(token), link=link
            )
            notify(
                event="feedback_reminder",
                key=key,
                recipients=[member],
                subject=_("【办理】提醒：%(number)s的答复尚待您填写征询意见表") % {"number": proposal.number},
                text=_("%(unit)s对%(number)s《%(title)s》的答复已发出%(days)s天，尚未收到您的征询意见表，请抽空填写。")
                % {
                    "unit": reply.assignment.unit.name,
                    "number": proposal.number,
                    "title": proposal.title,
                    "days": days,
                },
                url=reverse("feedback:reply", args=[reply.pk]),
                mail=mail,
                sms=sms,
            )
        sent += 1
    return sent
