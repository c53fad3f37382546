"""Pages of the workspace: the inbox, the proposal page, and the actions on assignments and replies.

Access: every object is fetched from the user's scope (`get_visible_or_404`), so a stranger gets
404; a user who may see the object but not act on it gets 403. State rules live on the models
(`Reply.submit`, `Assignment.sign_for`, …); a step the current state does not allow is refused
with a message and changes nothing.
"""

import copy
from types import SimpleNamespace

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, Count, Prefetch, Q, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import DetailView, ListView

from feedback.models import Feedback
from proposals.access import can_route, can_sign_off, can_supervise, can_work_on, get_visible_or_404, scope_of
from proposals.files import private_file_response
from proposals.i18n import stored_text
from proposals.models import (
    Assignment,
    AssignmentRequest,
    AssignmentRole,
    AssignmentStatus,
    Body,
    Event,
    HandlingUnit,
    Proposal,
    ProposalStatus,
    RequestKind,
)
from replies.models import CoHandlingOpinion, ContactRecord, Reply, ReplyStatus, ResultClass, TransitionError

from . import forms
from .filters import INBOX_STATES, InboxFilter, ProposalFilter
from .models import ParagraphTemplate

# --- lookups ------------------------------------------------------------------------------


def _assignment(request, pk):
    qs = Assignment.objects.select_related("proposal__session", "proposal__lead", "unit")
    return get_visible_or_404(qs, request.user, pk=pk)


def _reply(request, pk):
    qs = Reply.objects.select_related("assignment__proposal__session", "assignment__unit", "signer")
    return get_visible_or_404(qs, request.user, pk=pk)


def _require(allowed):
    """Seen but not allowed: 403 (404 was already answered to those who cannot see it)."""
    if not allowed:
        raise PermissionDenied


def _refuse(request, obj, message):
    messages.error(request, message)
    return redirect(obj.get_absolute_url())


def _form_page(request, *, title, form, back, submit_label, intro="", multipart=False):
    """One template for the small forms (return, extension, contact, opinion, decision, …)."""
    context = {
        "title": title,
        "form": form,
        "back": back,
        "submit_label": submit_label,
        "intro": intro,
        "multipart": multipart,
    }
    return render(request, "workspace/form.html", context)


# --- home and inbox -----------------------------------------------------------------------


def _inbox_scope(user):
    """What the inbox lists: the unit's assignments for its staff; everything routed for office and supervisors."""
    scope = scope_of(user)
    qs = Assignment.objects.all()
    if scope.everything:
        return qs
    return qs.filter(Q(unit_id__in=scope.unit_ids) | Q(proposal__session__body__in=scope.bodies))


INBOX_RELATED = ["proposal__session", "proposal__lead", "proposal__category", "unit"]


class InboxView(ListView):
    """`/`: a clerk's or signer's unit inbox; for the office and supervisors, every unit's."""

    template_name = "workspace/inbox.html"
    context_object_name = "assignments"

    def dispatch(self, request, *args, **kwargs):
        scope = scope_of(request.user)
        if not scope.is_staff_role and scope.member_id:
            return redirect("/me/")  # the member's own portal (feedback app)
        self.scope = scope
        return super().dispatch(request, *args, **kwargs)

    def get_paginate_by(self, queryset):
        return settings.BANLI_INBOX_PAGE_SIZE

    @property
    def all_units(self):
        return self.scope.everything or bool(self.scope.bodies)

    def get_queryset(self):
        base = _inbox_scope(self.request.user)
        self.filterset = InboxFilter(self.request.GET or None, queryset=base, show_units=self.all_units)
        without_state = self.request.GET.copy()
        without_state.pop("state", None)
        without_state.pop("page", None)
        counting = InboxFilter(without_state or None, queryset=base, show_units=self.all_units)
        self.counts = dict(counting.qs.order_by().values_list("status").annotate(n=Count("pk")))
        finished = [AssignmentStatus.REPLIED, AssignmentStatus.RETURNED, AssignmentStatus.CLOSED]
        return self.filterset.qs.alias(finished=Case(When(status__in=finished, then=1), default=0)).order_by(
            "finished", "due_on", "pk"
        )

    def paginate_queryset(self, queryset, page_size):
        # Sort and cut the page on the assignments' own columns, then read that page's rows with
        # their proposals: the database never sorts a whole body's proposals to show one page.
        paginator, page, ids, is_paginated = super().paginate_queryset(queryset.values_list("pk", flat=True), page_size)
        rows = Assignment.objects.select_related(*INBOX_RELATED).in_bulk(list(ids))
        page.object_list = [rows[pk] for pk in ids]
        return paginator, page, page.object_list, is_paginated

    def get_paginator(self, queryset, per_page, **kwargs):
        # The tabs' counts (every filter but the state, grouped by state) already add up to the
        # list's length: no second COUNT over the same rows.
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        state = self.filterset.form.cleaned_data.get("state") if self.filterset.is_bound else None
        paginator.count = self.counts.get(state, 0) if state else sum(self.counts.values())
        return paginator

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        state_query = query.copy()
        state_query.pop("state", None)
        current = self.request.GET.get("state", "")
        context.update(
            filter=self.filterset,
            query=query.urlencode(),
            tabs=[
                SimpleNamespace(value="", label=_("全部"), count=sum(self.counts.values()), active=not current),
                *(
                    SimpleNamespace(
                        value=s.value, label=s.label, count=self.counts.get(s.value, 0), active=current == s.value
                    )
                    for s in INBOX_STATES
                ),
            ],
            state_query=state_query.urlencode(),
            all_units=self.all_units,
            can_register=self.scope.everything or bool(self.scope.bodies),
            pending_requests=self.pending_requests() if self.all_units else None,
            has_unit=bool(self.scope.unit_ids),
            my_units=HandlingUnit.objects.filter(pk__in=self.scope.unit_ids) if not self.all_units else [],
            to_sign=self.counts.get(AssignmentStatus.AWAITING_SIGNOFF, 0) if self.scope.signer_unit_ids else 0,
            to_review=self.counts.get(AssignmentStatus.IN_REVIEW, 0)
            if self.scope.everything and settings.BANLI_SUPERVISOR_REVIEW
            else 0,
        )
        return context

    def pending_requests(self):
        return _decidable_requests(self.request.user).count()


# --- the proposal list and page -----------------------------------------------------------


class VisibleProposalsMixin:
    """Every proposal page starts from the user's scope; anything outside it is a 404."""

    def get_queryset(self):
        return Proposal.objects.visible_to(self.request.user).select_related("session", "lead", "category")


class ProposalListView(VisibleProposalsMixin, ListView):
    paginate_by = 50
    template_name = "proposals/proposal_list.html"

    def get_queryset(self):
        self.filterset = ProposalFilter(self.request.GET or None, queryset=super().get_queryset())
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(filter=self.filterset, query=query.urlencode(), **kwargs)


def assignment_actions(user, a):
    """What this user may do on this assignment now: the buttons of the proposal page."""
    work = can_work_on(user, a)
    pending_kinds = {r.kind for r in a.requests.all() if r.is_pending}
    replies = list(a.replies.all())
    last = replies[-1] if replies else None
    answering = a.role in (AssignmentRole.LEAD, AssignmentRole.SEPARATE)
    new_round = None
    if work and answering and a.status in (AssignmentStatus.HANDLING, AssignmentStatus.REDO):
        if last is None:
            new_round = 1
        elif last.is_issued and a.status == AssignmentStatus.REDO:
            new_round = last.round + 1
    return SimpleNamespace(
        work=work,
        sign_for=work and a.status == AssignmentStatus.PENDING,
        request_return=work
        and a.status in (AssignmentStatus.PENDING, AssignmentStatus.HANDLING)
        and RequestKind.RETURN not in pending_kinds,
        request_extension=work
        and a.is_open
        and a.status != AssignmentStatus.PENDING
        and RequestKind.EXTENSION not in pending_kinds,
        contact=work and a.status not in (AssignmentStatus.PENDING, AssignmentStatus.RETURNED),
        new_round=new_round,
        opinion=work and a.role == AssignmentRole.CO and a.status == AssignmentStatus.HANDLING,
    )


def reply_actions(user, r):
    a = r.assignment
    work = can_work_on(user, a)
    return SimpleNamespace(
        edit=work and r.status == ReplyStatus.DRAFT,
        sign_off=can_sign_off(user, a) and r.status == ReplyStatus.AWAITING_SIGNOFF,
        review=can_supervise(user) and r.status == ReplyStatus.IN_REVIEW,
        scan=work and r.is_issued,
        deliver=work and r.is_issued and bool(r.sealed_scan) and r.delivered_at is None,
    )


def _shown(field, value):
    """A history value as a person reads it: choice labels, names for people, a dash for nothing."""
    if value in (None, ""):
        return "—"
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if field.is_relation:
        obj = field.related_model._default_manager.filter(pk=value).first()
        return str(obj.get_full_name() or obj) if hasattr(obj, "get_full_name") else str(obj or "—")
    return value


def reply_history(reply):
    """Field-level changes of a reply, newest first: [(when, who, [(field label, old, new)])]."""
    records = list(reply.history.select_related("history_user").order_by("history_date", "history_id"))
    rows = []
    for previous, record in zip([None, *records], records, strict=False):
        if previous is None:
            rows.append(SimpleNamespace(at=record.history_date, who=record.history_user, changes=None))
            continue
        delta = record.diff_against(previous, excluded_fields=["version", "updated_at"])
        changes = []
        for change in delta.changes:
            field = Reply._meta.get_field(change.field)
            if change.field == "body":
                changes.append((field.verbose_name, _("（正文已修改）"), ""))
            else:
                changes.append((field.verbose_name, _shown(field, change.old), _shown(field, change.new)))
        if changes:
            rows.append(SimpleNamespace(at=record.history_date, who=record.history_user, changes=changes))
    return list(reversed(rows))


class ProposalDetailView(VisibleProposalsMixin, DetailView):
    """The proposal with everything around it, scoped to what the user may see."""

    template_name = "proposals/proposal_detail.html"

    def get_queryset(self):
        return super().get_queryset().prefetch_related("cosigner_links__member")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, proposal = self.request.user, self.object
        scope = scope_of(user)
        visible = Assignment.objects.visible_to(user).filter(proposal=proposal)
        replies = Reply.objects.visible_to(user).select_related("signer").order_by("round")
        assignments = list(
            visible.select_related("unit", "proposal__session").prefetch_related(
                Prefetch("requests", queryset=AssignmentRequest.objects.select_related("requested_by", "decided_by")),
                Prefetch("contacts", queryset=ContactRecord.objects.select_related("recorded_by")),
                Prefetch("replies", queryset=replies),
            )
        )
        lead_staff = any(a.role == AssignmentRole.LEAD and can_work_on(user, a) for a in assignments)
        for a in assignments:
            a.actions = assignment_actions(user, a)
            for r in a.replies.all():
                r.actions = reply_actions(user, r)
                r.changes = reply_history(r) if scope.is_staff_role else []
            for req in a.requests.all():
                req.can_decide = req.is_pending and _may_decide(user, req)
        # Co-handling opinions are internal: the lead unit and the routing office see them all, a
        # co-unit its own, a member none (they read the reply).
        if lead_staff or can_route(user, proposal):
            opinions = CoHandlingOpinion.objects.filter(assignment__proposal=proposal)
        elif scope.is_staff_role:
            opinions = CoHandlingOpinion.objects.filter(assignment__in=visible)
        else:
            opinions = CoHandlingOpinion.objects.none()
        context.update(
            assignments=assignments,
            opinions=opinions.select_related("assignment__unit", "submitted_by"),
            feedback=Feedback.objects.visible_to(user)
            .submitted()
            .filter(reply__assignment__proposal=proposal)
            .select_related("member", "reply__assignment__unit"),
            events=Event.objects.filter(proposal=proposal)
            .filter(Q(assignment__isnull=True) | Q(assignment__in=visible))
            .select_related("actor", "assignment__unit"),
            can_route=can_route(user, proposal),
            is_staff_role=scope.is_staff_role,
            result_classes=ResultClass.choices,
        )
        return context


# --- assignment actions -------------------------------------------------------------------


@require_POST
def sign_for(request, pk):
    a = _assignment(request, pk)
    _require(can_work_on(request.user, a))
    with transaction.atomic():
        a = Assignment.objects.select_for_update().select_related("proposal").get(pk=a.pk)
        if a.status != AssignmentStatus.PENDING:
            return _refuse(request, a, _("该件已不是待签收状态，无需再签收。"))
        a.sign_for(by=request.user)
    messages.success(request, _("已签收，请与代表委员联系并着手办理。"))
    return redirect(a.get_absolute_url())


def _request_page(request, pk, kind):
    a = _assignment(request, pk)
    _require(can_work_on(request.user, a))
    actions = assignment_actions(request.user, a)
    form_class, allowed, title = {
        RequestKind.RETURN: (forms.ReturnRequestForm, actions.request_return, _("申请退回")),
        RequestKind.EXTENSION: (forms.ExtensionRequestForm, actions.request_extension, _("申请延期")),
    }[kind]
    if not allowed:
        return _refuse(request, a, _("当前状态不能提出该申请（或已有待决定的同类申请）。"))
    form = form_class(request.POST or None, assignment=a)
    if request.method == "POST" and form.is_valid():
        req = form.save(commit=False)
        req.assignment, req.kind, req.requested_by = a, kind, request.user
        with transaction.atomic():
            req.save()
            note = req.reason
            with stored_text():
                if kind == RequestKind.EXTENSION:
                    note = _("申请延至 %(day)s：%(reason)s") % {
                        "day": f"{req.requested_due_on:%Y-%m-%d}",
                        "reason": req.reason,
                    }
                Event.record(
                    proposal=a.proposal, assignment=a, verb=str(req.get_kind_display()), actor=request.user, note=note
                )
        messages.success(request, _("申请已提交，等待决定。"))
        return redirect(a.get_absolute_url())
    intro = _("%(number)s %(title)s · 现办理期限 %(due)s") % {
        "number": a.proposal.number,
        "title": a.proposal.title,
        "due": f"{a.due_on:%Y-%m-%d}",
    }
    return _form_page(
        request, title=title, form=form, back=a.get_absolute_url(), submit_label=_("提交申请"), intro=intro
    )


def request_return(request, pk):
    return _request_page(request, pk, RequestKind.RETURN)


def request_extension(request, pk):
    return _request_page(request, pk, RequestKind.EXTENSION)


def _may_decide(user, req):
    """Return requests: the committee office of the body or a supervisor. Extensions: a supervisor."""
    if req.kind == RequestKind.EXTENSION:
        return can_supervise(user)
    return can_route(user, req.assignment.proposal)


def _decidable_requests(user):
    scope = scope_of(user)
    qs = AssignmentRequest.objects.filter(decision="pending")
    if scope.everything:
        return qs
    return qs.filter(kind=RequestKind.RETURN, assignment__proposal__session__body__in=scope.bodies)


class RequestListView(ListView):
    """The office's and supervisor's pending return and extension requests."""

    template_name = "workspace/request_list.html"
    context_object_name = "requests"

    def get_queryset(self):
        if not (scope_of(self.request.user).everything or scope_of(self.request.user).bodies):
            raise Http404
        return _decidable_requests(self.request.user).select_related(
            "assignment__proposal", "assignment__unit", "requested_by", "suggested_unit"
        )


def decide_request(request, pk):
    qs = AssignmentRequest.objects.select_related("assignment__proposal__session", "assignment__unit")
    req = get_object_or_404(qs.filter(assignment__in=Assignment.objects.visible_to(request.user)), pk=pk)
    _require(_may_decide(request.user, req))
    a = req.assignment
    if not req.is_pending:
        return _refuse(request, a, _("该申请已有决定。"))
    form = forms.DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            req.decide(by=request.user, approve=form.cleaned_data["approve"], note=form.cleaned_data["note"])
        messages.success(request, _("已作出决定。"))
        if req.kind == RequestKind.RETURN and form.cleaned_data["approve"]:
            return redirect("proposals:assign", pk=a.proposal_id)
        return redirect(a.get_absolute_url())
    if req.kind == RequestKind.EXTENSION:
        intro = _("%(unit)s 申请将办理期限由 %(old)s 延至 %(new)s。理由：%(reason)s") % {
            "unit": a.unit,
            "old": f"{a.due_on:%Y-%m-%d}",
            "new": f"{req.requested_due_on:%Y-%m-%d}",
            "reason": req.reason,
        }
    else:
        intro = _("%(unit)s 申请退回。理由：%(reason)s 建议改由：%(suggested)s") % {
            "unit": a.unit,
            "reason": req.reason,
            "suggested": req.suggested_unit or _("未指定"),
        }
    title = _("决定：%(kind)s · %(number)s") % {"kind": req.get_kind_display(), "number": a.proposal.number}
    return _form_page(request, title=title, form=form, back=a.get_absolute_url(), submit_label=_("确定"), intro=intro)


# --- contacts and co-handling opinions ----------------------------------------------------


def contact_create(request, pk):
    a = _assignment(request, pk)
    _require(can_work_on(request.user, a))
    if not assignment_actions(request.user, a).contact:
        return _refuse(request, a, _("签收后才能登记沟通情况。"))
    form = forms.ContactForm(request.POST or None, initial={"contacted_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        contact = form.save(commit=False)
        contact.assignment, contact.recorded_by = a, request.user
        with transaction.atomic():
            contact.save()
            with stored_text():
                Event.record(
                    proposal=a.proposal,
                    assignment=a,
                    verb="沟通",
                    actor=request.user,
                    note=f"{contact.contacted_on:%Y-%m-%d} {contact.get_method_display()}",
                )
        messages.success(request, _("沟通记录已保存。"))
        return redirect(a.get_absolute_url())
    return _form_page(
        request, title=_("登记沟通情况"), form=form, back=a.get_absolute_url(), submit_label=_("保存"), intro=str(a)
    )


def contact_edit(request, pk):
    contact = get_object_or_404(
        ContactRecord.objects.visible_to(request.user).select_related("assignment__proposal", "assignment__unit"),
        pk=pk,
    )
    a = contact.assignment
    _require(can_work_on(request.user, a))
    form = forms.ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("沟通记录已修改。"))
        return redirect(a.get_absolute_url())
    return _form_page(
        request, title=_("修改沟通记录"), form=form, back=a.get_absolute_url(), submit_label=_("保存"), intro=str(a)
    )


def opinion_create(request, pk):
    a = _assignment(request, pk)
    _require(can_work_on(request.user, a) and a.role == AssignmentRole.CO)
    if not assignment_actions(request.user, a).opinion:
        return _refuse(request, a, _("签收后、提交前才能填写会办意见。"))
    form = forms.CoOpinionForm(
        request.POST or None, initial={"contact_person": a.unit.contact_person, "contact_phone": a.unit.contact_phone}
    )
    if request.method == "POST" and form.is_valid():
        opinion = form.save(commit=False)
        opinion.assignment, opinion.submitted_by = a, request.user
        with transaction.atomic():
            opinion.save()
            a.status = AssignmentStatus.REPLIED
            a.save(update_fields=["status"])
            Event.record(proposal=a.proposal, assignment=a, verb="会办意见", actor=request.user)
        messages.success(request, _("会办意见已送主办单位。"))
        return redirect(a.get_absolute_url())
    return _form_page(
        request,
        title=_("会办意见"),
        form=form,
        back=a.get_absolute_url(),
        submit_label=_("提交给主办单位"),
        intro=_("%(proposal)s：会办意见提交后送主办单位，由主办单位统一答复代表委员。") % {"proposal": a.proposal},
    )


# --- replies ------------------------------------------------------------------------------


def _feedback_on(reply):
    """What the members said about the previous round: what round 2 must answer."""
    if reply is None:
        return []
    return reply.feedback.filter(submitted_at__isnull=False).select_related("member")


def _templates_for(unit):
    return ParagraphTemplate.objects.filter(unit=unit)


def reply_create(request, pk):
    """Start the draft of round N: the letter frame is generated, the clerk writes the body."""
    a = _assignment(request, pk)
    _require(can_work_on(request.user, a))
    new_round = assignment_actions(request.user, a).new_round
    if new_round is None:
        return _refuse(request, a, _("当前状态不能起草新的答复。"))
    draft = Reply.frame_for(a, round=new_round)
    previous = a.replies.filter(round=new_round - 1).first()
    if previous is not None:
        # 重办: start from the last answer; the class is chosen again.
        draft.body, draft.cc, draft.publication, draft.signer = (
            previous.body,
            previous.cc,
            previous.publication,
            previous.signer,
        )
    form = forms.ReplyForm(request.POST or None, instance=draft, assignment=a)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            reply = form.save(commit=False)
            reply.status = ReplyStatus.DRAFT
            reply._history_user = request.user
            reply.save()
            Event.record(
                proposal=a.proposal, assignment=a, verb="起草答复", actor=request.user, note=f"第{new_round}轮"
            )
        messages.success(request, _("答复草稿已保存。"))
        return redirect(a.get_absolute_url())
    return render(
        request,
        "workspace/reply_form.html",
        {
            "form": form,
            "assignment": a,
            "reply": draft,
            "templates": _templates_for(a.unit),
            "creating": True,
            "previous_feedback": _feedback_on(previous),
        },
    )


def reply_edit(request, pk):
    """Edit a draft under an optimistic lock: a stale version gets the conflict page, never a silent overwrite."""
    reply = _reply(request, pk)
    a = reply.assignment
    _require(can_work_on(request.user, a))
    context = {"assignment": a, "reply": reply, "templates": _templates_for(a.unit)}
    if request.method != "POST":
        if not reply.is_draft:
            return _refuse(request, a, _("答复已提交签发或已发出，不能再修改。"))
        context["form"] = forms.ReplyForm(instance=reply, assignment=a)
        return render(request, "workspace/reply_form.html", context)
    with transaction.atomic():
        saved = Reply.objects.select_for_update().select_related("assignment__unit").get(pk=reply.pk)
        form = forms.ReplyForm(request.POST, instance=Reply.objects.get(pk=reply.pk), assignment=a)
        valid = form.is_valid()
        if not saved.is_draft or (valid and form.cleaned_data["version"] != saved.version):
            return _conflict(request, a, saved, context)
        if valid:
            reply = form.save(commit=False)
            reply.version = saved.version + 1
            reply._history_user = request.user
            reply.save()
            messages.success(request, _("答复草稿已保存。"))
            return redirect(a.get_absolute_url())
    context["form"] = form
    return render(request, "workspace/reply_form.html", context)


def _conflict(request, assignment, saved, context):
    """Both texts side by side. A draft can be saved again on top of the current version; a draft
    that meanwhile went to the signer cannot, but what was typed is still shown to copy."""
    last = saved.history.select_related("history_user").first()
    form = None
    if saved.is_draft:
        data = request.POST.copy()
        data["version"] = saved.version
        # A copy: validating the form writes the typed values onto its instance.
        form = forms.ReplyForm(data, instance=copy.copy(saved), assignment=assignment)
        form.is_valid()
    context.update(
        form=form,
        locked=not saved.is_draft,
        saved=saved,
        saved_by=last.history_user if last else None,
        saved_at=last.history_date if last else saved.updated_at,
        mine=request.POST,
    )
    return render(request, "workspace/reply_conflict.html", context, status=409)


def _submit_blockers(reply):
    """Why a draft cannot go to the signer yet; empty when it can."""
    a = reply.assignment
    problems = []
    if not reply.result_class:
        problems.append(_("请先选定答复类别（A/B/C/D）。"))
    if not reply.body.strip():
        problems.append(_("答复正文不能为空。"))
    if a.role == AssignmentRole.LEAD:
        if settings.BANLI_REQUIRE_CONTACT_BEFORE_REPLY and not a.contacts.exists():
            problems.append(_("主办答复提交前，须至少登记一次与代表委员的沟通。"))
        if settings.BANLI_REQUIRE_CO_OPINIONS:
            missing = (
                a.proposal.assignments.filter(role=AssignmentRole.CO)
                .exclude(status=AssignmentStatus.RETURNED)
                .exclude(co_opinions__isnull=False)
                .select_related("unit")
            )
            names = "、".join(str(m.unit) for m in missing)
            if names:
                problems.append(_("尚有会办单位未提交会办意见：%(units)s。") % {"units": names})
    return problems


def _reply_step(request, pk, *, allowed, step, success):
    """Run one workflow step on a locked reply; a state that forbids it changes nothing."""
    reply = _reply(request, pk)
    _require(allowed(request.user, reply))
    with transaction.atomic():
        locked = (
            Reply.objects.select_for_update()
            .select_related("assignment__proposal", "assignment__unit")
            .get(pk=reply.pk)
        )
        try:
            problem = step(locked)
        except TransitionError:
            problem = _("答复当前状态为“%(status)s”，不能进行此操作。") % {"status": locked.get_status_display()}
        if problem:
            transaction.set_rollback(True)
            return _refuse(request, reply.assignment, problem)
    messages.success(request, success)
    return redirect(reply.assignment.get_absolute_url())


@require_POST
def reply_submit(request, pk):
    def step(reply):
        if reply.status != ReplyStatus.DRAFT:
            raise TransitionError
        problems = _submit_blockers(reply)
        if problems:
            return " ".join(problems)
        reply.submit(by=request.user)

    return _reply_step(
        request,
        pk,
        allowed=lambda user, r: can_work_on(user, r.assignment),
        step=step,
        success=_("已提交签发人签发。"),
    )


@require_POST
def reply_sign_off(request, pk):
    review = settings.BANLI_SUPERVISOR_REVIEW
    return _reply_step(
        request,
        pk,
        allowed=lambda user, r: can_sign_off(user, r.assignment),
        step=lambda reply: reply.sign_off(by=request.user, review=review),
        success=_("已签发，送督查室审核。") if review else _("已签发，答复已发出。"),
    )


def reply_send_back(request, pk):
    reply = _reply(request, pk)
    a = reply.assignment
    allowed = (reply.status == ReplyStatus.AWAITING_SIGNOFF and can_sign_off(request.user, a)) or (
        reply.status == ReplyStatus.IN_REVIEW and can_supervise(request.user)
    )
    if not allowed and not (can_sign_off(request.user, a) or can_supervise(request.user)):
        raise PermissionDenied
    if not allowed:
        return _refuse(request, a, _("答复当前状态不能退回。"))
    form = forms.NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            locked = Reply.objects.select_for_update().select_related("assignment__proposal").get(pk=reply.pk)
            if locked.status != reply.status:
                return _refuse(request, a, _("答复状态已变化，请刷新后再操作。"))
            locked.send_back(by=request.user, note=form.cleaned_data["note"])
        messages.success(request, _("已退回经办人修改。"))
        return redirect(a.get_absolute_url())
    return _form_page(
        request, title=_("退回修改"), form=form, back=a.get_absolute_url(), submit_label=_("退回"), intro=reply.title
    )


@require_POST
def reply_review(request, pk):
    form = forms.ReviewForm(request.POST)
    result_class = form.cleaned_data["result_class"] if form.is_valid() else ""
    return _reply_step(
        request,
        pk,
        allowed=lambda user, r: can_supervise(user),
        step=lambda reply: reply.review(by=request.user, result_class=result_class),
        success=_("审核通过，答复已发出。"),
    )


def reply_scan(request, pk):
    reply = _reply(request, pk)
    a = reply.assignment
    _require(can_work_on(request.user, a))
    if not reply.is_issued:
        return _refuse(request, a, _("答复发出后才能上传盖章扫描件。"))
    form = forms.ScanForm(request.POST or None, request.FILES or None, instance=reply)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            reply = form.save(commit=False)
            reply._history_user = request.user
            reply.save(update_fields=["sealed_scan", "updated_at"])
            Event.record(proposal=a.proposal, assignment=a, verb="上传盖章件", actor=request.user)
        messages.success(request, _("盖章扫描件已上传。"))
        return redirect(a.get_absolute_url())
    return _form_page(
        request,
        title=_("上传盖章扫描件"),
        form=form,
        back=a.get_absolute_url(),
        submit_label=_("上传"),
        intro=_("PDF、JPEG 或 PNG，不超过 %(mb)s MB。") % {"mb": settings.BANLI_SCAN_MAX_BYTES // (1024 * 1024)},
        multipart=True,
    )


@require_GET
def reply_scan_file(request, pk):
    """The sealed scan, to whoever may see the reply: media files are never served by the proxy."""
    return private_file_response(_reply(request, pk).sealed_scan)


@require_POST
def reply_delivered(request, pk):
    reply = _reply(request, pk)
    a = reply.assignment
    _require(can_work_on(request.user, a))
    if not reply_actions(request.user, reply).deliver:
        return _refuse(request, a, _("请先上传盖章扫描件；已送达的不必重复标记。"))
    with transaction.atomic():
        reply.delivered_at = timezone.now()
        reply._history_user = request.user
        reply.save(update_fields=["delivered_at", "updated_at"])
        Event.record(proposal=a.proposal, assignment=a, verb="送达", actor=request.user)
    messages.success(request, _("已标记送达。"))
    return redirect(a.get_absolute_url())


# --- the committee office: register and 交办 ----------------------------------------------


def _office_bodies(user):
    scope = scope_of(user)
    return list(Body.values) if scope.everything else sorted(scope.bodies)


def register(request):
    bodies = _office_bodies(request.user)
    if not bodies:
        raise Http404
    form = forms.RegisterForm(request.POST or None, bodies=bodies)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            proposal = Proposal.objects.register(
                session=data["session"],
                lead=data["lead"],
                title=data["title"],
                cosigners=data["cosigners"],
                serial=data["serial"],
                body=data["body"],
                category=data["category"],
                period=data["period"],
                is_key=data["is_key"],
                submitted_on=data["submitted_on"],
            )
            Event.record(proposal=proposal, verb="登记", actor=request.user, note=proposal.number)
        messages.success(request, _("已登记为 %(number)s，请交办承办单位。") % {"number": proposal.number})
        return redirect("proposals:assign", pk=proposal.pk)
    return _form_page(
        request, title=_("登记建议提案"), form=form, back=reverse("proposals:inbox"), submit_label=_("登记")
    )


def assign(request, pk):
    proposal = get_visible_or_404(Proposal.objects.select_related("session"), request.user, pk=pk)
    _require(can_route(request.user, proposal))
    form = forms.AssignForm(request.POST or None, proposal=proposal)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            a = form.save(commit=False)
            a.proposal, a.assigned_by, a.status = proposal, request.user, AssignmentStatus.PENDING
            a.due_on = form.cleaned_data["due_on"]
            a.save()
            if proposal.status == ProposalStatus.REGISTERED:
                Proposal.objects.filter(pk=proposal.pk).update(status=ProposalStatus.ASSIGNED)
            with stored_text():
                Event.record(
                    proposal=proposal,
                    assignment=a,
                    verb="交办",
                    actor=request.user,
                    note=f"{a.unit}（{a.get_role_display()}），期限 {a.due_on:%Y-%m-%d}",
                )
        messages.success(request, _("已交办 %(unit)s（%(role)s）。") % {"unit": a.unit, "role": a.get_role_display()})
        return redirect("proposals:assign", pk=proposal.pk)
    assignments = proposal.assignments.select_related("unit")
    return render(request, "workspace/assign.html", {"proposal": proposal, "form": form, "assignments": assignments})


# --- paragraph templates ------------------------------------------------------------------


def _unit_of(user):
    unit_ids = sorted(scope_of(user).unit_ids)
    if not unit_ids:
        raise Http404
    return unit_ids[0]


def templates_list(request):
    unit_id = _unit_of(request.user)
    form = forms.ParagraphTemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        template = form.save(commit=False)
        template.unit_id, template.created_by = unit_id, request.user
        if ParagraphTemplate.objects.filter(unit_id=unit_id, title=template.title).exists():
            form.add_error("title", _("本单位已有同名模板。"))
        else:
            template.save()
            messages.success(request, _("段落模板已保存。"))
            return redirect("proposals:templates")
    return render(
        request,
        "workspace/templates.html",
        {"form": form, "templates": ParagraphTemplate.objects.filter(unit_id=unit_id)},
    )


def template_edit(request, pk):
    template = get_object_or_404(ParagraphTemplate, pk=pk, unit_id__in=scope_of(request.user).unit_ids)
    form = forms.ParagraphTemplateForm(request.POST or None, instance=template)
    if request.method == "POST" and form.is_valid():
        template = form.save(commit=False)
        template.updated_at = timezone.now()
        template.save()
        messages.success(request, _("段落模板已修改。"))
        return redirect("proposals:templates")
    return _form_page(
        request, title=_("修改段落模板"), form=form, back=reverse("proposals:templates"), submit_label=_("保存")
    )


@require_POST
def template_delete(request, pk):
    template = get_object_or_404(ParagraphTemplate, pk=pk, unit_id__in=scope_of(request.user).unit_ids)
    template.delete()
    messages.success(request, _("段落模板已删除。"))
    return redirect("proposals:templates")
