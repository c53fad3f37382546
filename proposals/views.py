from django.views.generic import DetailView, ListView

from .models import Proposal


class VisibleProposalsMixin:
    """Every proposal page starts from the user's scope; anything outside it is a 404."""

    def get_queryset(self):
        return Proposal.objects.visible_to(self.request.user).select_related("session", "lead", "category")


class ProposalListView(VisibleProposalsMixin, ListView):
    paginate_by = 50
    template_name = "proposals/proposal_list.html"


class ProposalDetailView(VisibleProposalsMixin, DetailView):
    template_name = "proposals/proposal_detail.html"

    def get_queryset(self):
        return super().get_queryset().prefetch_related("cosigner_links__member")

    def get_context_data(self, **kwargs):
        from .models import Assignment

        context = super().get_context_data(**kwargs)
        context["assignments"] = (
            Assignment.objects.visible_to(self.request.user).filter(proposal=self.object).select_related("unit")
        )
        return context
