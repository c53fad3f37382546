"""Pages of 承诺事项: the list (scoped: the 督查室 every unit, an office its body, a unit its own),
one commitment with its progress and history, and the form that records a reply's commitments.

The unit reports progress; the office or the 督查室 closes (销号) or reopens. Members see none.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from proposals import access
from proposals.models import HandlingUnit, Session, TransitionError
from replies.models import Reply

from . import commitments
from .forms import CommitmentFilterForm, CommitmentForm, CommitmentNoteForm, CommitmentReopenForm
from .models import Commitment

PAGE_SIZE = 50


def _staff_scope(user):
    scope = access.scope_of(user)
    if not scope.is_staff_role:
        raise Http404
    return scope


def _filter_choices(scope):
    """The units and sessions the filter offers: the user's own unit(s) to unit staff."""
    units = HandlingUnit.objects.order_by("name")
    if not scope.oversees_any:
        units = units.filter(pk__in=sorted(scope.unit_ids))
    sessions = Session.objects.order_by("-year", "body", "name")
    if not scope.everything and scope.bodies and not scope.unit_ids:
        sessions = sessions.filter(body__in=sorted(scope.bodies))
    return units, sessions


def commitment_list(request):
    """Open commitments first by time limit, from every session and year (they carry over)."""
    scope = _staff_scope(request.user)
    units, sessions = _filter_choices(scope)
    form = CommitmentFilterForm(request.GET or None, units=units, sessions=sessions)
    today = timezone.localdate()
    qs = Commitment.objects.visible_to(request.user)
    state = "open"
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        state = data["state"] or "open"
        if data["unit"] is not None:
            qs = qs.filter(unit=data["unit"])
        if data["session"] is not None:
            qs = qs.filter(assignment__proposal__session=data["session"])
    figures = commitments.fulfilment(qs, today=today)
    if state == "open":
        qs = qs.open()
    elif state == "overdue":
        qs = qs.overdue(today)
    elif state == "closed":
        qs = qs.filter(status="closed")
    rows = (
        qs.select_related("unit", "assignment__proposal__session")
        .defer("assignment__proposal__body")
        .order_by("status", "due_on", "pk")
    )
    paginator = Paginator(rows, PAGE_SIZE)
    paginator.count = _count(figures, state)  # (a cached property: no second COUNT)
    page = paginator.get_page(request.GET.get("page"))
    for c in page:
        c.overdue = c.is_overdue(today)
    params = {k: v for k, v in request.GET.items() if k != "page" and v}
    context = {
        "form": form,
        "page_obj": page,
        "paginator": page.paginator,
        "is_paginated": page.has_other_pages(),
        "query": urlencode(params),
        "figures": figures,
        "state": state,
    }
    return render(request, "supervision/commitment_list.html", context)


def _count(figures, state):
    """The list's length from the figures already counted (no second COUNT over the same rows)."""
    return {"open": figures["open"], "overdue": figures["overdue"], "closed": figures["closed"]}.get(
        state, figures["total"]
    )


def _commitment_or_404(user, pk):
    _staff_scope(user)
    qs = Commitment.objects.visible_to(user).select_related(
        "unit", "assignment__unit", "assignment__proposal__session", "reply", "created_by", "closed_by"
    )
    return get_object_or_404(qs, pk=pk)


def commitment_detail(request, pk):
    commitment = _commitment_or_404(request.user, pk)
    may_report = commitment.is_open and access.can_report_commitment(request.user, commitment)
    may_close = access.can_close_commitment(request.user, commitment.assignment)
    context = {
        "c": commitment,
        "proposal": commitment.assignment.proposal,
        "overdue": commitment.is_overdue(),
        "progress": commitment.progress.select_related("reported_by"),
        "history": commitment.history.select_related("history_user").order_by("-history_date")[:50],
        "progress_form": CommitmentNoteForm(label=_("进展情况")) if may_report else None,
        "close_form": CommitmentNoteForm(label=_("销号说明"), optional=True)
        if may_close and commitment.is_open
        else None,
        "reopen_form": CommitmentReopenForm(label=_("重新打开的理由"))
        if may_close and not commitment.is_open
        else None,
    }
    return render(request, "supervision/commitment_detail.html", context)


def _act(request, pk, *, allowed, label, action, optional=False, form_class=CommitmentNoteForm):
    """One POST on a commitment: 404 outside the user's scope, 403 to who may see but not act."""
    commitment = _commitment_or_404(request.user, pk)
    if not allowed(request.user, commitment):
        raise PermissionDenied
    form = form_class(request.POST, label=label, optional=optional)
    if form.is_valid():
        try:
            action(commitment, form.cleaned_data)
        except TransitionError as exc:
            messages.error(request, str(exc))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(commitment)


def _may_close(user, commitment):
    return access.can_close_commitment(user, commitment.assignment)


@require_POST
def commitment_progress(request, pk):
    def action(c, data):
        c.report_progress(by=request.user, note=data["note"])
        messages.success(request, _("进展已报告。"))

    return _act(request, pk, allowed=access.can_report_commitment, label=_("进展情况"), action=action)


@require_POST
def commitment_close(request, pk):
    def action(c, data):
        c.close(by=request.user, note=data["note"])
        messages.success(request, _("已销号。"))

    return _act(request, pk, allowed=_may_close, label=_("销号说明"), optional=True, action=action)


@require_POST
def commitment_reopen(request, pk):
    def action(c, data):
        c.reopen(by=request.user, reason=data["note"], due_on=data.get("due_on"))
        messages.success(request, _("已重新打开。"))

    return _act(
        request, pk, allowed=_may_close, label=_("重新打开的理由"), form_class=CommitmentReopenForm, action=action
    )


def commitment_new(request, reply_pk):
    """Record a commitment of one reply (the unit that answers, or the office)."""
    _staff_scope(request.user)
    reply = get_object_or_404(
        Reply.objects.visible_to(request.user).select_related("assignment__proposal__session", "assignment__unit"),
        pk=reply_pk,
    )
    assignment = reply.assignment
    if not access.can_keep_commitment(request.user, assignment):
        raise PermissionDenied
    form = CommitmentForm(request.POST or None, assignment=assignment)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            Commitment.objects.record(
                reply=reply, by=request.user, text=data["text"], due_on=data["due_on"], unit=data["unit"]
            )
        except TransitionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("承诺事项已登记。"))
            return redirect(f"{assignment.proposal.get_absolute_url()}#assignment-{assignment.pk}")
    context = {
        "form": form,
        "reply": reply,
        "proposal": assignment.proposal,
        "existing": reply.commitments.select_related("unit"),
    }
    return render(request, "supervision/commitment_form.html", context)
