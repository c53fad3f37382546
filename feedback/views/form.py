"""The feedback form, reached by login (`/me/replies/<pk>/feedback/`) or by a one-time link (`/f/<token>/`)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from proposals import access
from proposals.files import UploadError
from replies.models import Reply

from .. import services
from ..forms import OnlineFeedbackForm
from ..middleware import limit_upload
from ..models import (
    FeedbackLink,
    expected_members,
    later_round_issued,
)
from .common import LINK_SESSION_KEY, access_log, no_referrer, refuse, reply_qs, sealed_form, session_link


@never_cache
@limit_upload("BANLI_SIGNATURE_MAX_BYTES")
def member_form(request, pk):
    # Only the members who answer a reply (its lead, or every co-signer: expected_members) may
    # open its form, and they are among the proposers who may see it; so that check is the
    # access check, and staff, who fill no form here, are refused before any look-up.
    member_id = access.scope_of(request.user).member_id
    if not member_id:
        refuse(request, "reply", pk)
    try:
        reply = reply_qs().annotate(superseded=later_round_issued()).get(pk=pk)
    except Reply.DoesNotExist:
        refuse(request, "reply", pk)
    member = next((m for m in expected_members(reply) if m.pk == member_id), None)
    if member is None:
        refuse(request, "feedback form of reply", pk)
    if reply.superseded:
        messages.info(request, _("该答复已有新一轮答复，请对最新一轮答复填写意见表。"))
        return redirect("feedback:portal")
    return _form(request, reply=reply, member=member, link=None)


@login_not_required
def link_open(request, token):
    """Exchange a one-time link for a short session, then go to a clean URL without the token."""
    link = FeedbackLink.find_usable(token)
    if link is None:
        access_log.info("unusable feedback link presented path_len=%s", len(token))
        return no_referrer(render(request, "feedback/link_invalid.html", status=404))
    if request.session.session_key:
        request.session.cycle_key()  # never keep a session key the browser came with
    # (Without one, saving the session below creates it under a fresh key.)
    request.session[LINK_SESSION_KEY] = link.pk
    request.session.set_expiry(settings.BANLI_FEEDBACK_LINK_SESSION_SECONDS)
    return no_referrer(redirect("feedback:link_form"))


@login_not_required
@never_cache
@limit_upload("BANLI_SIGNATURE_MAX_BYTES")
def link_form(request):
    link = session_link(request)
    if link is None or not link.reply.is_issued or link.superseded:
        return render(request, "feedback/link_invalid.html", status=404)
    if link.used_at is not None:
        done = sealed_form(link.reply, link.member)
        if done is not None:
            return redirect("feedback:detail", pk=done.pk)
    return _form(request, reply=link.reply, member=link.member, link=link)


def _form(request, *, reply, member, link):
    already = _("您已提交过本轮答复的征询意见表，提交后不能修改。")
    form = OnlineFeedbackForm(request.POST, request.FILES) if request.method == "POST" else OnlineFeedbackForm()
    if form.is_bound and form.is_valid():
        # No look-up first: submit_online finds a form already in under its lock (AlreadySubmitted).
        by = request.user if request.user.is_authenticated else None
        try:
            feedback = services.submit_online(reply=reply, member=member, form=form, by=by, link=link)
        except services.AlreadySubmitted as submitted:
            messages.info(request, already)
            return redirect("feedback:detail", pk=submitted.feedback.pk)
        except UploadError as error:  # e.g. a full disk: the form again, answers and signature kept
            form.add_error("signature_data", str(error))
        else:
            messages.success(request, _("征询意见表已提交，感谢您的反馈。"))
            return redirect("feedback:detail", pk=feedback.pk)
    else:
        done = sealed_form(reply, member)
        if done is not None:
            messages.info(request, already)
            return redirect("feedback:detail", pk=done.pk)
    proposal = reply.assignment.proposal
    context = {"form": form, "reply": reply, "proposal": proposal, "member": member, "link": link}
    return render(request, "feedback/feedback_form.html", context)
