"""Filters of the member's portal and the office's feedback inbox (django-filter, as every list)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from proposals.filters import keyword_search
from proposals.models import HandlingUnit, Proposal, ProposalStatus, Session
from replies.models import Reply


class PortalFilter(django_filters.FilterSet):
    """The member's own proposals: words, session, state."""

    q = django_filters.CharFilter(label=_("关键词"), method="search", max_length=100)
    session = django_filters.ModelChoiceFilter(
        label=_("会次"), queryset=Session.objects.none(), empty_label=_("全部会次")
    )
    status = django_filters.ChoiceFilter(label=_("状态"), choices=ProposalStatus.choices, empty_label=_("全部状态"))

    class Meta:
        model = Proposal
        fields = ["q", "session", "status"]

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["session"].queryset = Session.objects.filter(body=member.body)

    def search(self, queryset, name, value):
        return keyword_search(queryset, value)


class OfficeFeedbackFilter(django_filters.FilterSet):
    """The office's feedback inbox, by the replies its rows belong to: words, session, unit."""

    q = django_filters.CharFilter(label=_("关键词"), method="search", max_length=100)
    session = django_filters.ModelChoiceFilter(
        label=_("会次"),
        field_name="assignment__proposal__session",
        queryset=Session.objects.none(),
        empty_label=_("全部会次"),
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("承办单位"),
        field_name="assignment__unit",
        queryset=HandlingUnit.objects.all(),
        empty_label=_("全部单位"),
    )

    class Meta:
        model = Reply
        fields = ["q", "session", "unit"]

    def __init__(self, *args, bodies, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["session"].queryset = Session.objects.filter(body__in=bodies)

    def search(self, queryset, name, value):
        """Number, title, lead and co-signers of the proposal answered."""
        return keyword_search(queryset, value, prefix="assignment__proposal__", proposal_ref="assignment__proposal_id")
