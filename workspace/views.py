"""The home of staff: the unit's inbox for a clerk or signer, every unit's for the office and supervisors.

Members have their own home, the portal of the feedback app (`/me/`).
"""

from types import SimpleNamespace

from django.conf import settings
from django.db.models import Count
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import ListView

from proposals import reference
from proposals.access import scope_of
from proposals.models import Assignment, FinishedRank, HandlingUnit
from proposals.views.routing import decidable_requests

from .filters import INBOX_STATES, InboxFilter
from .home import queues_for


def _inbox_scope(user):
    """What the inbox lists: the unit's assignments for its staff; everything routed for office and supervisors."""
    scope = scope_of(user)
    if scope.everything:
        return Assignment.objects.all()
    if not scope.bodies:
        return Assignment.objects.workable_by(user)  # no join to the proposals for a unit's own list
    if not scope.unit_ids:
        return Assignment.objects.routed_by(user)
    return Assignment.objects.workable_by(user) | Assignment.objects.routed_by(user)


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
        return self.scope.oversees_any

    def get_queryset(self):
        base = _inbox_scope(self.request.user)
        self.filterset = InboxFilter(self.request.GET or None, queryset=base, show_units=self.all_units)
        without_state = self.request.GET.copy()
        without_state.pop("state", None)
        without_state.pop("page", None)
        counting = InboxFilter(without_state or None, queryset=base, show_units=self.all_units)
        # COUNT(*), not of a column: PostgreSQL counts from an index alone.
        self.counts = dict(counting.qs.order_by().values_list("status").annotate(n=Count("*")))
        return self.filterset.qs.alias(finished=FinishedRank()).order_by("finished", "due_on", "pk")

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
            can_register=self.scope.oversees_any,
            has_unit=bool(self.scope.unit_ids),
            my_units=reference.names(HandlingUnit, self.scope.unit_ids) if not self.all_units else [],
            # The work waiting for this person, shown above the list on the first page only.
            queues=queues_for(self.request.user) if not self.request.GET else [],
        )
        context["pending_requests"] = self.pending_requests(context["queues"]) if self.all_units else None
        return context

    def pending_requests(self, queues):
        """The number on the requests button: the home's queue of them already counted it."""
        queue = next((q for q in queues if q.key == "requests"), None)
        if queue is not None and not queue.more:
            return queue.count
        return decidable_requests(self.request.user).count()
