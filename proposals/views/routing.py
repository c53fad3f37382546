"""The committee office's work: register proposals, 交办 them, decide return and extension requests."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.generic import ListView

from .. import forms
from ..access import can_decide, can_route, get_visible_or_404, scope_of
from ..models import Assignment, AssignmentRequest, Decision, DuplicateNumber, Proposal, RequestKind, TransitionError
from .common import form_page, refuse, require
from .similar import candidates


def register(request):
    bodies = scope_of(request.user).oversight_bodies
    if not bodies:
        raise Http404
    form = forms.RegisterForm(request.POST or None, bodies=bodies)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            proposal = Proposal.objects.register(
                session=data["session"],
                lead=data["lead"],
                title=data["title"],
                cosigners=data["cosigners"],
                serial=data["serial"],
                by=request.user,
                body=data["body"],
                category=data["category"],
                period=data["period"],
                is_key=data["is_key"],
                submitted_on=data["submitted_on"],
            )
        except DuplicateNumber as error:
            form.add_error("serial", error)
        else:
            messages.success(request, _("已登记为 %(number)s，请交办承办单位。") % {"number": proposal.number})
            return redirect("proposals:assign", pk=proposal.pk)
    return render(request, "proposals/register.html", {"form": form, "back": reverse("workspace:inbox")})


def assign(request, pk):
    proposal = get_visible_or_404(Proposal.objects.select_related("session"), request.user, pk=pk)
    require(can_route(request.user, proposal))
    # After a return was approved the page comes with the suggested unit and the role (?unit=&role=).
    initial = {key: request.GET[key] for key in ("unit", "role") if request.GET.get(key, "").isalnum()}
    form = forms.AssignForm(request.POST or None, proposal=proposal, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            a = proposal.assign(
                unit=data["unit"],
                role=data["role"],
                by=request.user,
                assigned_on=data["assigned_on"],
                due_on=data["due_on"],
            )
        except TransitionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("已交办 %(unit)s（%(role)s）。") % {"unit": a.unit, "role": a.get_role_display()}
            )
            return redirect("proposals:assign", pk=proposal.pk)
    assignments = proposal.assignments.select_related("unit")
    context = {"proposal": proposal, "form": form, "assignments": assignments}
    # Right after registration: the office sees what it may merge this proposal with (并案).
    context["similar"] = candidates(request, proposal)
    return render(request, "proposals/assign.html", context)


def decidable_requests(user):
    """Pending requests this user decides: returns of the bodies they oversee; extensions for supervisors."""
    scope = scope_of(user)
    qs = AssignmentRequest.objects.filter(decision=Decision.PENDING)
    if scope.everything:
        return qs
    return qs.filter(kind=RequestKind.RETURN, assignment__proposal__session__body__in=scope.bodies)


class RequestListView(ListView):
    """The office's and supervisor's pending return and extension requests."""

    template_name = "proposals/request_list.html"
    context_object_name = "requests"

    def get_queryset(self):
        if not scope_of(self.request.user).oversees_any:
            raise Http404
        return decidable_requests(self.request.user).select_related(
            "assignment__proposal", "assignment__unit", "requested_by", "suggested_unit"
        )


def decide_request(request, pk):
    qs = AssignmentRequest.objects.select_related("assignment__proposal__session", "assignment__unit")
    req = get_object_or_404(qs.filter(assignment__in=Assignment.objects.visible_to(request.user)), pk=pk)
    require(can_decide(request.user, req))
    a = req.assignment
    if not req.is_pending:
        return refuse(request, a, _("该申请已有决定。"))
    form = forms.DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["approve"]
        try:
            with transaction.atomic():
                req.decide(by=request.user, approve=approve, note=form.cleaned_data["note"])
        except TransitionError as error:
            return refuse(request, a, str(error))
        messages.success(request, _("已作出决定。"))
        if req.kind == RequestKind.RETURN and approve:
            # On to 交办 the share again: the unit the returning one suggested, in the same role.
            query = {"role": a.role}
            if req.suggested_unit_id:
                query["unit"] = req.suggested_unit_id
            return redirect(f"{reverse('proposals:assign', args=[a.proposal_id])}?{urlencode(query)}")
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
    return form_page(request, title=title, form=form, back=a.get_absolute_url(), submit_label=_("确定"), intro=intro)
