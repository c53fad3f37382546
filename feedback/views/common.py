"""What the feedback pages share: refusing (404, logged), the link session, look-ups."""

import functools
import logging

from django.http import Http404
from django.utils import timezone

from proposals import access
from proposals.models import Member
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
    # get(), not first(): no ORDER BY to compile (first() orders by pk; ~1 ms of this query's CPU).
    try:
        return _links().get(pk=link_id, expires_at__gt=timezone.now())
    except FeedbackLink.DoesNotExist:
        return None


# The form's look-ups, built once per process and cloned for each request (as a class-based view's
# `queryset`): resolving the superseded subquery is a large share of what the look-up costs.
# Only what the form shows and its submission uses: the unit, the proposal and its lead (who
# answers, and what publication counts), not the session.
@functools.cache
def _links():
    return FeedbackLink.objects.select_related(
        "member", "reply__assignment__proposal__lead", "reply__assignment__unit"
    ).annotate(superseded=later_round_issued("reply__"))


@functools.cache
def answerable_replies():
    """Issued replies with what the form shows, and `superseded`: a later round is issued."""
    return (
        Reply.objects.issued()
        .select_related("assignment__unit", "assignment__proposal__lead")
        .annotate(superseded=later_round_issued())
    )


def sealed_form(reply, member):
    """The member's submitted form for this reply, if any (there is one form per reply and member)."""
    try:
        return Feedback.objects.submitted().get(reply=reply, member=member)
    except Feedback.DoesNotExist:
        return None


def reply_qs():
    return Reply.objects.issued().select_related(
        "assignment__unit", "assignment__proposal__session", "assignment__proposal__lead"
    )
