"""One submitted form: its page, its signature and scan, and the office's receipt."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from proposals import access
from proposals.files import private_file_response

from .. import services
from ..models import (
    Feedback,
)
from .common import LINK_SESSION_KEY, refuse, session_link


def visible_feedback(request, pk):
    """The form if the user may see it (staff scope, the member) or the link session is for it."""
    qs = Feedback.objects.select_related(
        "member", "received_by", "entered_by", "reply__assignment__unit", "reply__assignment__proposal__session"
    )
    if request.user.is_authenticated:
        found = qs.visible_to(request.user).filter(pk=pk).first()
        if found is not None:
            return found
    link = session_link(request)
    if link is not None:
        found = qs.filter(pk=pk, reply_id=link.reply_id, member_id=link.member_id).first()
        if found is not None:
            return found
    refuse(request, "feedback", pk)


def can_view_feedback(request, feedback):
    """For other apps (the signed-form PDF): may this request see this feedback form?"""
    try:
        return visible_feedback(request, feedback.pk) is not None
    except Http404:
        return False


@login_not_required
@never_cache
def feedback_detail(request, pk):
    if not request.user.is_authenticated and request.session.get(LINK_SESSION_KEY) is None:
        return redirect(f"{reverse('login')}?next={request.path}")
    feedback = visible_feedback(request, pk)
    context = {
        "feedback": feedback,
        "reply": feedback.reply,
        "proposal": feedback.reply.assignment.proposal,
        "office_name": settings.BANLI_OFFICE_NAMES[feedback.reply.assignment.proposal.session.body],
        "can_receive": request.user.is_authenticated and access.can_receive(request.user, feedback),
        "can_resolve": request.user.is_authenticated and access.can_receive(request.user, feedback),
        "correction": feedback.current_correction,
        "verify_url": request.build_absolute_uri(feedback.get_verify_url()) if feedback.verification_code else "",
    }
    return render(request, "feedback/feedback_detail.html", context)


@login_not_required
def signature(request, pk):
    return private_file_response(visible_feedback(request, pk).signature, "image/png")


@login_not_required
def paper_scan(request, pk):
    return private_file_response(visible_feedback(request, pk).paper_scan)


@require_POST
def receive(request, pk):
    feedback = visible_feedback(request, pk)
    if not access.can_receive(request.user, feedback):
        refuse(request, "receipt of feedback", pk)
    if services.receive(feedback=feedback, by=request.user):
        messages.success(request, _("已签收。"))
    else:
        messages.info(request, _("该意见表已签收过。"))
    return redirect("feedback:detail", pk=pk)
