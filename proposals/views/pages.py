"""The list of proposals and the proposal page (the case file)."""

from types import SimpleNamespace

from django.db.models import Prefetch, Q
from django.views.generic import DetailView, ListView

from .. import page_parts
from ..access import can_decide, can_route, can_work_on, scope_of
from ..filters import ProposalFilter
from ..models import Assignment, AssignmentRequest, AssignmentStatus, Deadline, Event, Proposal, RequestKind


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
    """What this user may do on this assignment before answering it: the proposal page's buttons."""
    work = can_work_on(user, a)
    pending_kinds = {r.kind for r in a.requests.all() if r.is_pending}
    return SimpleNamespace(
        work=work,
        sign_for=work and a.status == AssignmentStatus.PENDING,
        request_return=work and a.may_request(RequestKind.RETURN, pending_kinds),
        request_extension=work and a.may_request(RequestKind.EXTENSION, pending_kinds),
        # The office corrects a 交办 until the unit signed for it.
        amend=a.status == AssignmentStatus.PENDING and can_route(user, a.proposal),
    )


class ProposalDetailView(VisibleProposalsMixin, DetailView):
    """The proposal with everything around it, scoped to what the user may see."""

    template_name = "proposals/proposal_detail.html"

    def get_queryset(self):
        return super().get_queryset().prefetch_related("cosigner_links__member")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, proposal = self.request.user, self.object
        visible = Assignment.objects.visible_to(user).filter(proposal=proposal)
        assignments = list(
            visible.select_related("unit", "proposal__session").prefetch_related(
                Prefetch("requests", queryset=AssignmentRequest.objects.select_related("requested_by", "decided_by")),
                Prefetch("deadlines", queryset=Deadline.objects.select_related("set_by")),
            )
        )
        for a in assignments:
            a.actions = assignment_actions(user, a)
            for req in a.requests.all():
                req.can_decide = req.is_pending and can_decide(user, req)
        parts = page_parts.parts()
        for part in parts:
            context.update(part.prepare(self.request, proposal, assignments))
        context.update(
            assignments=assignments,
            action_templates=[p.actions for p in parts if p.actions],
            assignment_templates=[p.assignment for p in parts if p.assignment],
            page_templates=[p.page for p in parts if p.page],
            events=Event.objects.filter(proposal=proposal)
            .filter(Q(assignment__isnull=True) | Q(assignment__in=visible))
            .select_related("actor", "assignment__unit"),
            can_route=can_route(user, proposal),
            can_amend=can_route(user, proposal) and not proposal.is_answered(),
            is_staff_role=scope_of(user).is_staff_role,
        )
        return context
