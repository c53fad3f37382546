"""Member portal, one-time links, the feedback form, signatures, receipt, paper entry, verification.

Access: staff and members through `.visible_to(user)` (proposals.access); a one-time link
holder through the short session the link was exchanged for, which opens exactly one
member's form on one reply. Anything else is 404, and a refused id is logged.
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db.models import Count, F, Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from proposals import access
from proposals.files import UploadError, private_file_response
from proposals.models import Assignment, AssignmentRole, AssignmentStatus, Member, Proposal
from replies.models import Reply

from . import services
from .forms import OnlineFeedbackForm, PaperFeedbackForm
from .middleware import limit_upload
from .models import (
    Feedback,
    FeedbackLink,
    evaluation,
    expected_members,
    is_superseded,
    later_round_issued,
    superseded_q,
)

access_log = logging.getLogger("banli.access")
LINK_SESSION_KEY = "feedback_link_id"


def _refuse(request, what, pk):
    access_log.warning(
        "refused %s %s to user=%s link=%s path=%s",
        what,
        pk,
        getattr(request.user, "pk", None),
        request.session.get(LINK_SESSION_KEY),
        request.path,
    )
    raise Http404


def _no_referrer(response):
    """For the response to /f/<token>/ only: its URL carries the token. The pages after the
    redirect keep the site's same-origin policy, since a POST under no-referrer sends
    `Origin: null`, which CSRF protection rightly refuses."""
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response


def _member_of(request):
    scope = access.scope_of(request.user)
    if not scope.member_id:
        return None
    return Member.objects.get(pk=scope.member_id)


def _session_link(request):
    """The link this browser was let in by, while it is still valid (not used, not expired);
    `link.superseded`: a later round of its reply has been issued since."""
    link_id = request.session.get(LINK_SESSION_KEY)
    if not link_id:
        return None
    # get(), not first(): no ORDER BY to compile (first() orders by pk; ~1 ms of this query's CPU).
    try:
        return (
            FeedbackLink.objects.select_related(
                "member", "reply__assignment__proposal__session", "reply__assignment__unit"
            )
            .annotate(superseded=later_round_issued("reply__"))
            .get(pk=link_id, expires_at__gt=timezone.now())
        )
    except FeedbackLink.DoesNotExist:
        return None


def _sealed_form(reply, member):
    """The member's submitted form for this reply, if any (there is one form per reply and member)."""
    try:
        return Feedback.objects.submitted().get(reply=reply, member=member)
    except Feedback.DoesNotExist:
        return None


def _reply_qs():
    return Reply.objects.issued().select_related(
        "assignment__unit", "assignment__proposal__session", "assignment__proposal__lead"
    )


# --- the member portal ----------------------------------------------------------------


@never_cache
def portal(request):
    member = _member_of(request)
    if member is None:
        raise Http404
    proposals = list(
        Proposal.objects.filter(Q(lead=member) | Q(cosigner_links__member=member))
        .distinct()
        .select_related("session", "lead")
        .prefetch_related(
            "cosigner_links__member",
            Prefetch("assignments", queryset=Assignment.objects.select_related("unit").order_by("role", "pk")),
            Prefetch("assignments__replies", queryset=Reply.objects.issued().order_by("round"), to_attr="issued"),
            Prefetch(
                "assignments__issued__feedback",
                queryset=Feedback.objects.submitted().select_related("member"),
                to_attr="submitted",
            ),
        )
        .order_by("-session__year", "-serial")
    )
    rows, waiting = [], []
    for proposal in proposals:
        lead = next(
            (
                a
                for a in proposal.assignments.all()
                if a.role == AssignmentRole.LEAD and a.status != AssignmentStatus.RETURNED
            ),
            None,
        )
        replies = []
        for assignment in proposal.assignments.all():
            latest = max((r.round for r in assignment.issued), default=0)
            for reply in assignment.issued:
                reply.assignment = assignment
                assignment.proposal = proposal
                expected = expected_members(reply)
                mine = next((f for f in reply.submitted if f.member_id == member.pk), None)
                is_expected = any(m.pk == member.pk for m in expected)
                entry = {"reply": reply, "evaluation": evaluation(expected, reply.submitted), "mine": mine}
                entry["waiting"] = is_expected and mine is None and reply.round == latest
                replies.append(entry)
                if entry["waiting"]:
                    waiting.append(entry)
        rows.append({"proposal": proposal, "is_lead": proposal.lead_id == member.pk, "lead": lead, "replies": replies})
    return render(request, "feedback/portal.html", {"member": member, "rows": rows, "waiting": waiting})


@never_cache
def reply_detail(request, pk):
    """The reply letter, read in the browser, with where the feedback stands."""
    try:
        reply = _reply_qs().visible_to(request.user).get(pk=pk)
    except Reply.DoesNotExist:
        _refuse(request, "reply", pk)
    expected = expected_members(reply)
    submitted = list(Feedback.objects.submitted().filter(reply=reply).select_related("member"))
    scope = access.scope_of(request.user)
    mine = next((f for f in submitted if f.member_id == scope.member_id), None)
    context = {
        "reply": reply,
        "proposal": reply.assignment.proposal,
        "evaluation": evaluation(expected, submitted),
        "mine": mine,
        "can_answer": scope.member_id in {m.pk for m in expected} and mine is None and not is_superseded(reply),
        "submitted": submitted if scope.is_staff_role else [],
    }
    return render(request, "feedback/reply_detail.html", context)


# --- the form, reached by login or by link -------------------------------------------------


@never_cache
@limit_upload("BANLI_SIGNATURE_MAX_BYTES")
def member_form(request, pk):
    # Only the members who answer a reply (its lead, or every co-signer: expected_members) may
    # open its form, and they are among the proposers who may see it; so that check is the
    # access check, and staff, who fill no form here, are refused before any look-up.
    member_id = access.scope_of(request.user).member_id
    if not member_id:
        _refuse(request, "reply", pk)
    try:
        reply = _reply_qs().annotate(superseded=later_round_issued()).get(pk=pk)
    except Reply.DoesNotExist:
        _refuse(request, "reply", pk)
    member = next((m for m in expected_members(reply) if m.pk == member_id), None)
    if member is None:
        _refuse(request, "feedback form of reply", pk)
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
        return _no_referrer(render(request, "feedback/link_invalid.html", status=404))
    if request.session.session_key:
        request.session.cycle_key()  # never keep a session key the browser came with
    # (Without one, saving the session below creates it under a fresh key.)
    request.session[LINK_SESSION_KEY] = link.pk
    request.session.set_expiry(settings.BANLI_FEEDBACK_LINK_SESSION_SECONDS)
    return _no_referrer(redirect("feedback:link_form"))


@login_not_required
@never_cache
@limit_upload("BANLI_SIGNATURE_MAX_BYTES")
def link_form(request):
    link = _session_link(request)
    if link is None or not link.reply.is_issued or link.superseded:
        return render(request, "feedback/link_invalid.html", status=404)
    if link.used_at is not None:
        done = _sealed_form(link.reply, link.member)
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
        done = _sealed_form(reply, member)
        if done is not None:
            messages.info(request, already)
            return redirect("feedback:detail", pk=done.pk)
    proposal = reply.assignment.proposal
    context = {"form": form, "reply": reply, "proposal": proposal, "member": member, "link": link}
    return render(request, "feedback/feedback_form.html", context)


# --- one submitted form ------------------------------------------------------------------


def _visible_feedback(request, pk):
    """The form if the user may see it (staff scope, the member) or the link session is for it."""
    qs = Feedback.objects.select_related(
        "member", "received_by", "entered_by", "reply__assignment__unit", "reply__assignment__proposal__session"
    )
    if request.user.is_authenticated:
        found = qs.visible_to(request.user).filter(pk=pk).first()
        if found is not None:
            return found
    link = _session_link(request)
    if link is not None:
        found = qs.filter(pk=pk, reply_id=link.reply_id, member_id=link.member_id).first()
        if found is not None:
            return found
    _refuse(request, "feedback", pk)


def can_view_feedback(request, feedback):
    """For other apps (the signed-form PDF): may this request see this feedback form?"""
    try:
        return _visible_feedback(request, feedback.pk) is not None
    except Http404:
        return False


def can_receive(user, feedback):
    """Countersign receipt / enter paper forms: the committee office of the proposal's body."""
    return feedback.reply.assignment.proposal.session.body in access.scope_of(user).bodies


@login_not_required
@never_cache
def feedback_detail(request, pk):
    if not request.user.is_authenticated and request.session.get(LINK_SESSION_KEY) is None:
        return redirect(f"{reverse('login')}?next={request.path}")
    feedback = _visible_feedback(request, pk)
    context = {
        "feedback": feedback,
        "reply": feedback.reply,
        "proposal": feedback.reply.assignment.proposal,
        "office_name": settings.BANLI_OFFICE_NAMES[feedback.reply.assignment.proposal.session.body],
        "can_receive": request.user.is_authenticated and can_receive(request.user, feedback),
        "verify_url": request.build_absolute_uri(feedback.get_verify_url()) if feedback.verification_code else "",
    }
    return render(request, "feedback/feedback_detail.html", context)


@login_not_required
def signature(request, pk):
    return private_file_response(_visible_feedback(request, pk).signature, "image/png")


@login_not_required
def paper_scan(request, pk):
    return private_file_response(_visible_feedback(request, pk).paper_scan)


@require_POST
def receive(request, pk):
    feedback = _visible_feedback(request, pk)
    if not can_receive(request.user, feedback):
        _refuse(request, "receipt of feedback", pk)
    if services.receive(feedback=feedback, by=request.user):
        messages.success(request, _("已签收。"))
    else:
        messages.info(request, _("该意见表已签收过。"))
    return redirect("feedback:detail", pk=pk)


# --- the committee office ---------------------------------------------------------------


def _office_bodies(request):
    bodies = access.scope_of(request.user).bodies
    if not bodies:
        raise Http404
    return bodies


@never_cache
def office_inbox(request):
    """Forms waiting for the office's receipt, and issued replies still missing forms."""
    bodies = _office_bodies(request)
    to_receive = (
        Feedback.objects.awaiting_receipt()
        .filter(reply__assignment__proposal__session__body__in=bodies)
        .select_related("member", "reply__assignment__unit", "reply__assignment__proposal")
        .order_by("submitted_at", "pk")
    )
    expected_extra = (
        Count("assignment__proposal__cosigner_links", distinct=True) if settings.BANLI_FEEDBACK_FROM == "all" else None
    )
    missing = (
        Reply.objects.issued()
        .filter(assignment__proposal__session__body__in=bodies)
        .exclude(superseded_q())
        .annotate(submitted_count=Count("feedback", filter=Q(feedback__submitted_at__isnull=False), distinct=True))
        .select_related("assignment__unit", "assignment__proposal__lead")
        .order_by("issued_at", "pk")
    )
    if expected_extra is not None:
        missing = missing.annotate(extra=expected_extra).filter(submitted_count__lt=F("extra") + 1)
    else:
        missing = missing.filter(submitted_count__lt=1)
    page = Paginator(missing, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "feedback/office_inbox.html",
        {
            "to_receive": to_receive[:200],
            "page_obj": page,
            "is_paginated": page.has_other_pages(),
            "paginator": page.paginator,
        },
    )


def _office_reply(request, pk):
    bodies = _office_bodies(request)
    try:
        return _reply_qs().filter(assignment__proposal__session__body__in=bodies).get(pk=pk)
    except Reply.DoesNotExist:
        _refuse(request, "office reply", pk)


def _expected_qs(reply):
    return Member.objects.filter(pk__in=[m.pk for m in expected_members(reply)])


@never_cache
@limit_upload("BANLI_PAPER_SCAN_MAX_BYTES")
def paper_entry(request, pk):
    reply = _office_reply(request, pk)
    done = Feedback.objects.submitted().filter(reply=reply).values_list("member_id", flat=True)
    members = _expected_qs(reply).exclude(pk__in=list(done))
    if request.method == "POST":
        form = PaperFeedbackForm(request.POST, request.FILES, members=members)
        if form.is_valid():
            try:
                feedback = services.enter_paper(reply=reply, form=form, by=request.user)
            except services.AlreadySubmitted as already:
                messages.info(request, _("该委员的意见表已录入，不能重复录入。"))
                return redirect("feedback:detail", pk=already.feedback.pk)
            except UploadError as error:  # e.g. a full disk: the form again with what was entered
                form.add_error("paper_scan", str(error))
            else:
                messages.success(request, _("纸质意见表已录入。"))
                return redirect("feedback:detail", pk=feedback.pk)
    else:
        form = PaperFeedbackForm(members=members)
    context = {"form": form, "reply": reply, "proposal": reply.assignment.proposal, "missing": members}
    return render(request, "feedback/paper_form.html", context)


@require_POST
def send_link(request, pk, member_pk):
    reply = _office_reply(request, pk)
    member = _expected_qs(reply).filter(pk=member_pk).select_related("user").first()
    if member is None:
        _refuse(request, "member of reply", member_pk)
    if Feedback.objects.submitted().filter(reply=reply, member=member).exists():
        messages.info(request, _("该委员已提交意见表。"))
        return redirect("feedback:paper_entry", pk=reply.pk)
    url, sent = services.send_new_link(reply=reply, member=member, by=request.user)
    if sent:
        messages.success(request, _("新的填表链接已发送至 %(name)s 的邮箱。") % {"name": member.name})
    else:
        # No address on file: show the link once so the office can pass it on (SMS, WeChat).
        messages.warning(
            request,
            _("%(name)s 没有登记邮箱。请将此链接转交本人（仅显示一次）：%(url)s") % {"name": member.name, "url": url},
        )
    return redirect("feedback:paper_entry", pk=reply.pk)


# --- verification (public) ------------------------------------------------------------


@login_not_required
def verify_lookup(request):
    """Type the code printed on a paper form when there is no QR scanner at hand."""
    code = request.GET.get("code", "").strip().replace("-", "").replace(" ", "")
    if code:
        return redirect("feedback:verify", code=code[:32])
    return render(request, "feedback/verify.html", {"ask": True})


@login_not_required
def verify(request, code):
    feedback = (
        Feedback.objects.filter(verification_code=code.strip().upper())
        .exclude(verification_code="")
        .select_related("member", "reply__assignment__proposal")
        .first()
    )
    context = {"code": code, "feedback": feedback, "matches": feedback.matches_seal() if feedback else False}
    return render(request, "feedback/verify.html", context, status=200 if feedback else 404)
