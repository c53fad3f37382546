"""The committee office: forms to receive, 待核实 paper forms to resolve, replies still missing
forms, paper entry, new links."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from notifications.sms import mobile_number
from proposals import access
from proposals.files import UploadError
from proposals.models import Member, TransitionError
from replies.models import Reply

from .. import services
from ..filters import OfficeFeedbackFilter
from ..forms import PaperFeedbackForm, ResolveForm
from ..middleware import limit_upload
from ..models import (
    Feedback,
    Satisfaction,
    expected_members,
    superseded_q,
)
from .common import refuse, reply_qs


def office_bodies(request):
    bodies = access.scope_of(request.user).bodies
    if not bodies:
        raise Http404
    return bodies


@never_cache
def office_inbox(request):
    """Forms waiting for the office's receipt, and issued replies still missing forms."""
    bodies = office_bodies(request)
    to_receive = (
        Feedback.objects.awaiting_receipt()
        .filter(reply__assignment__proposal__session__body__in=bodies)
        .select_related("member", "reply__assignment__unit", "reply__assignment__proposal")
        .order_by("submitted_at", "pk")
    )
    expected_extra = (
        Count("assignment__proposal__cosigner_links", distinct=True) if settings.BANLI_FEEDBACK_FROM == "all" else None
    )
    to_check = (
        Feedback.objects.to_check()
        .filter(reply__assignment__proposal__session__body__in=bodies)
        .select_related("member", "reply__assignment__unit", "reply__assignment__proposal")
        .order_by("submitted_at", "pk")
    )
    missing = (
        Reply.objects.issued()
        .filter(assignment__proposal__session__body__in=bodies)
        .exclude(superseded_q())
        .annotate(submitted_count=Count("feedback", filter=Q(feedback__submitted_at__isnull=False), distinct=True))
        .select_related("assignment__unit", "assignment__proposal__lead__user")
        .order_by("issued_at", "pk")
    )
    if expected_extra is not None:
        missing = missing.annotate(extra=expected_extra).filter(submitted_count__lt=F("extra") + 1)
    else:
        missing = missing.filter(submitted_count__lt=1)
    f = OfficeFeedbackFilter(request.GET or None, queryset=Reply.objects.all(), bodies=bodies)
    if f.is_bound and f.is_valid():
        chosen = f.qs.values("pk")
        to_receive, to_check = to_receive.filter(reply__in=chosen), to_check.filter(reply__in=chosen)
        missing = missing.filter(pk__in=chosen)
    page = Paginator(missing, 50).get_page(request.GET.get("page"))
    if expected_extra is None:
        # Only the lead answers: a new link can go to them straight from this list.
        for reply in page:
            contact = reply.assignment.proposal.lead.notification_contact()
            reply.lead_email, reply.lead_mobile = contact.email, mobile_number(contact.phone)
    return render(
        request,
        "feedback/office_inbox.html",
        {
            "to_receive": to_receive[:200],
            "to_check": to_check[:200],
            "page_obj": page,
            "is_paginated": page.has_other_pages(),
            "paginator": page.paginator,
            "lead_answers": expected_extra is None,
            "filter": f,
            "query": _query_without_page(request),
        },
    )


def _query_without_page(request):
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def office_reply(request, pk):
    bodies = office_bodies(request)
    try:
        return reply_qs().filter(assignment__proposal__session__body__in=bodies).get(pk=pk)
    except Reply.DoesNotExist:
        refuse(request, "office reply", pk)


def _expected_qs(reply):
    return Member.objects.filter(pk__in=[m.pk for m in expected_members(reply)])


@never_cache
@limit_upload("BANLI_PAPER_SCAN_MAX_BYTES")
def paper_entry(request, pk):
    reply = office_reply(request, pk)
    done = Feedback.objects.submitted().filter(reply=reply).values_list("member_id", flat=True)
    members = _expected_qs(reply).exclude(pk__in=list(done))
    if request.method == "POST":
        form = PaperFeedbackForm(request.POST, request.FILES, members=members)
        if form.is_valid():
            try:
                data = form.cleaned_data
                feedback = services.enter_paper(
                    reply=reply,
                    member=data["member"],
                    answers=form.answers(),
                    signed_on=data["signed_on"],
                    scan=data["paper_scan"],
                    by=request.user,
                )
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
    reachable = [(m, m.notification_contact()) for m in members.select_related("user")]
    context = {
        "form": form,
        "reply": reply,
        "proposal": reply.assignment.proposal,
        "missing": [
            {"member": m, "email": c.email, "mobile": mobile_number(c.phone), "phone": c.phone} for m, c in reachable
        ],
    }
    return render(request, "feedback/paper_form.html", context)


@never_cache
def resolve(request, pk):
    """待核实: the office records the answer it confirmed with the member; the form and its scan stay as they are."""
    bodies = office_bodies(request)
    feedback = (
        Feedback.objects.submitted()
        .filter(reply__assignment__proposal__session__body__in=bodies)
        .select_related("member", "entered_by", "reply__assignment__unit", "reply__assignment__proposal")
        .prefetch_related("corrections__corrected_by")
        .filter(pk=pk)
        .first()
    )
    if feedback is None:
        refuse(request, "resolution of feedback", pk)
    if not feedback.is_pending_check:
        messages.info(request, _("该意见表无需核实，或已核实更正。"))
        return redirect("feedback:detail", pk=feedback.pk)
    form = ResolveForm(request.POST or None, feedback=feedback)
    # 不满意 starts 重办 for the unit, which cannot be taken back: the page asks once more first.
    starts_redo = form.is_bound and form.is_valid() and form.cleaned_data["satisfaction"] == Satisfaction.DISSATISFIED
    if starts_redo and request.POST.get("confirmed") != "redo":
        form.confirm_redo = True
    elif request.method == "POST" and form.is_valid():
        try:
            services.resolve_paper_form(feedback=feedback, by=request.user, **form.cleaned_data)
        except TransitionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("核实结果已记录，原纸质表保持不变。"))
            return redirect("feedback:detail", pk=feedback.pk)
    context = {
        "form": form,
        "feedback": feedback,
        "reply": feedback.reply,
        "proposal": feedback.reply.assignment.proposal,
    }
    return render(request, "feedback/resolve.html", context)


@require_POST
def send_link(request, pk, member_pk):
    reply = office_reply(request, pk)
    member = _expected_qs(reply).filter(pk=member_pk).select_related("user").first()
    if member is None:
        refuse(request, "member of reply", member_pk)
    if Feedback.objects.submitted().filter(reply=reply, member=member).exists():
        messages.info(request, _("该委员已提交意见表。"))
        return redirect("feedback:paper_entry", pk=reply.pk)
    channel = request.POST.get("channel", "")
    if channel not in ("", "email", "sms"):
        channel = ""
    url, plan = services.send_new_link(reply=reply, member=member, by=request.user, channel=channel)
    if plan.sends:
        messages.success(
            request,
            _("新的填表链接已发送给 %(name)s：%(where)s。")
            % {"name": member.name, "where": "、".join([*plan.emails, *plan.phones])},
        )
    else:
        # No address on file: show the link once so the office can pass it on (WeChat, paper).
        messages.warning(
            request,
            {
                "email": _("%(name)s 没有登记邮箱。请将此链接转交本人（仅显示一次）：%(url)s"),
                "sms": _("%(name)s 没有登记手机号。请将此链接转交本人（仅显示一次）：%(url)s"),
            }.get(channel, _("%(name)s 没有登记邮箱或手机号。请将此链接转交本人（仅显示一次）：%(url)s"))
            % {"name": member.name, "url": url},
        )
    if request.POST.get("next") == "inbox":
        return redirect("feedback:office")
    return redirect("feedback:paper_entry", pk=reply.pk)
