"""The feedback form, reached by login (`/me/replies/<pk>/feedback/`) or by a one-time link (`/f/<token>/`)."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from proposals import access
from proposals.files import UploadError

from .. import services
from ..forms import DraftForm, OnlineFeedbackForm
from ..middleware import limit_upload
from ..models import (
    FeedbackDraft,
    FeedbackLink,
    expected_members,
)
from .common import (
    LINK_SESSION_KEY,
    LINK_UNTIL_KEY,
    access_log,
    answerable_reply,
    no_referrer,
    refuse,
    sealed_form,
    session_link,
)

# A draft is the form's text fields: the opinion at its limit, percent-encoded (9 bytes a
# Chinese character), the choices, and room to spare; anything larger is not a draft.
DRAFT_MAX_BYTES = 64 * 1024


def _members_reply(request, pk):
    """(reply, member) for a signed-in member who answers the reply; 404 for everyone else.

    Only the members who answer a reply (its lead, or every co-signer: expected_members) may
    open its form, and they are among the proposers who may see it; so that check is the
    access check, and staff, who fill no form here, are refused before any look-up."""
    member_id = access.scope_of(request.user).member_id
    if not member_id:
        refuse(request, "reply", pk)
    reply = answerable_reply.first(pk=pk)
    if reply is None:
        refuse(request, "reply", pk)
    member = next((m for m in expected_members(reply) if m.pk == member_id), None)
    if member is None:
        refuse(request, "feedback form of reply", pk)
    return reply, member


@never_cache
@limit_upload("BANLI_SIGNATURE_MAX_BYTES")
def member_form(request, pk):
    reply, member = _members_reply(request, pk)
    if reply.superseded:
        messages.info(request, _("该答复已有新一轮答复，请对最新一轮答复填写意见表。"))
        return redirect("feedback:portal")
    return _form(request, reply=reply, member=member, link=None)


@require_POST
def member_draft(request, pk):
    """Autosave of the signed-in member's form (see `_keep_draft`)."""
    reply, member = _members_reply(request, pk)
    if reply.superseded:
        refuse(request, "draft of superseded reply", pk)
    return _keep_draft(request, reply=reply, member=member)


@login_not_required
@require_POST
def link_draft(request):
    """Autosave of a form opened by a link; 404 once the link session has run out (the page then
    keeps the answers in the browser, and the next session restores them from here)."""
    link = session_link(request)
    if link is None or not link.reply.is_issued or link.superseded or link.used_at is not None:
        return JsonResponse({"error": "session"}, status=404)
    return _keep_draft(request, reply=link.reply, member=link.member)


def _link_session_end(request):
    stamp = request.session.get(LINK_UNTIL_KEY)
    return datetime.datetime.fromtimestamp(stamp, tz=datetime.UTC) if stamp else request.session.get_expiry_date()


def _keep_draft(request, *, reply, member):
    """Store the answers so far, bounded like the form; never once the form is in."""
    try:
        length = int(request.headers.get("content-length") or 0)
    except ValueError:
        length = 0
    if length > DRAFT_MAX_BYTES:
        return JsonResponse({"error": "too_large"}, status=413)
    form = DraftForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"error": "invalid", "fields": sorted(form.errors)}, status=400)
    if sealed_form(reply, member) is not None:
        return JsonResponse({"error": "submitted"}, status=409)
    data = form.initial_for_form()
    if not data:  # nothing typed yet: nothing to keep
        return JsonResponse({"saved_at": None})
    draft = FeedbackDraft.keep(reply=reply, member=member, data=data)
    return JsonResponse({"saved_at": draft.saved_at.isoformat()})


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
    # The session is not written again while the form is filled in, so it ends this long after
    # now; the form says when (the page warns before).
    until = timezone.now() + datetime.timedelta(seconds=settings.BANLI_FEEDBACK_LINK_SESSION_SECONDS)
    request.session[LINK_UNTIL_KEY] = until.timestamp()
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
    draft = None
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
        # Back after a closed tab or a link session that ran out: the answers saved so far.
        draft = FeedbackDraft.of(reply=reply, member=member)
        if draft is not None:
            form = OnlineFeedbackForm(initial=draft.data)
    proposal = reply.assignment.proposal
    context = {
        "form": form,
        "reply": reply,
        "proposal": proposal,
        "member": member,
        "link": link,
        "draft": draft if not form.is_bound else None,
        "draft_url": reverse("feedback:link_draft") if link else reverse("feedback:member_draft", args=[reply.pk]),
        # The browser's copy is named by reply and member, so two forms on one computer never mix.
        "draft_key": f"banli-feedback-draft:{reply.pk}:{member.pk}",
        "session_expires_at": _link_session_end(request) if link else None,
        "expiry_warning_seconds": settings.BANLI_FEEDBACK_EXPIRY_WARNING_SECONDS,
    }
    return render(request, "feedback/feedback_form.html", context)
