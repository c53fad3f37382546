"""What the feedback pages share: refusing (404, logged), the link session, look-ups."""

import logging

from django.http import Http404
from django.utils import timezone

from proposals import access
from proposals.models import Member
from proposals.prepared import Param, Prepared
from replies.models import Reply

from ..models import (
    Feedback,
    FeedbackLink,
    later_round_issued,
)

access_log = logging.getLogger("banli.access")
LINK_SESSION_KEY = "feedback_link_id"
LINK_UNTIL_KEY = "feedback_link_until"  # when the link session ends (a POSIX timestamp)


def refuse(request, what, pk):
    access_log.warning(
        "refused %s %s to user=%s link=%s path=%s",
        what,
        pk,
        getattr(request.user, "pk", None),
        request.session.get(LINK_SESSION_KEY),
        request.path,
    )
    raise Http404


def no_referrer(response):
    """For the response to /f/<token>/ only: its URL carries the token. The pages after the
    redirect keep the site's same-origin policy, since a POST under no-referrer sends
    `Origin: null`, which CSRF protection rightly refuses."""
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response


def member_of(request):
    scope = access.scope_of(request.user)
    if not scope.member_id:
        return None
    return Member.objects.get(pk=scope.member_id)


def session_link(request):
    """The link this browser was let in by, while it is still valid (not used, not expired);
    `link.superseded`: a later round of its reply has been issued since."""
    link_id = request.session.get(LINK_SESSION_KEY)
    if not link_id:
        return None
    return _session_link.first(pk=link_id, now=timezone.now())


# The form's look-ups run on every request of a form: compiled once (proposals/prepared.py).
# Only what the form shows and its submission uses: the unit, the proposal and its lead (who
# answers, and what publication counts), not the session.
_session_link: Prepared[FeedbackLink] = Prepared(
    lambda: (
        FeedbackLink.objects.select_related("member", "reply__assignment__proposal__lead", "reply__assignment__unit")
        .annotate(superseded=later_round_issued("reply__"))
        .filter(pk=Param("pk", FeedbackLink._meta.pk), expires_at__gt=Param("now", FeedbackLink.expires_at.field))
        .order_by()
    )
)

# Issued replies with what the form shows, and `superseded`: a later round is issued.
answerable_reply: Prepared[Reply] = Prepared(
    lambda: (
        Reply.objects.issued()
        .select_related("assignment__unit", "assignment__proposal__lead")
        .annotate(superseded=later_round_issued())
        .filter(pk=Param("pk", Reply._meta.pk))
    )
)

_sealed_form: Prepared[Feedback] = Prepared(
    lambda: (
        Feedback.objects.submitted()
        .filter(reply=Param("reply", Feedback.reply.field), member=Param("member", Feedback.member.field))
        .order_by()
    )
)


def sealed_form(reply, member):
    """The member's submitted form for this reply, if any (there is one form per reply and member)."""
    return _sealed_form.first(reply=reply, member=member)


def reply_qs():
    return Reply.objects.issued().select_related(
        "assignment__unit", "assignment__proposal__session", "assignment__proposal__lead"
    )
