"""Filters of the proposal list, and the keyword search every list of proposals or assignments shares."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from .models import Assignment, Category, Cosigner, HandlingUnit, Proposal, ProposalKind, ProposalStatus, Session


def keyword_search(queryset, value, prefix="", proposal_ref="pk"):
    """Rows whose proposal's number, title, lead or any co-signer's name contains `value`.

    `prefix` reaches the proposal from the queryset's model ("proposal__" from assignments);
    `proposal_ref` names the proposal's key on that model, for the co-signer subquery.
    """
    value = value.strip()
    if not value:
        return queryset
    cosigned = Cosigner.objects.filter(proposal=OuterRef(proposal_ref), member__name__icontains=value)
    return queryset.filter(
        Q(**{f"{prefix}number__icontains": value})
        | Q(**{f"{prefix}title__icontains": value})
        | Q(**{f"{prefix}lead__name__icontains": value})
        | Q(Exists(cosigned))
    )


class ProposalFilter(django_filters.FilterSet):
    """The list of proposals (`/proposals/`): the same filters, on proposals rather than assignments."""

    q = django_filters.CharFilter(label=_("关键词"), method="search")
    session = django_filters.ModelChoiceFilter(
        label=_("会次"), queryset=Session.objects.all(), empty_label=_("全部会次")
    )
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=ProposalKind.choices, empty_label=_("建议和提案"))
    status = django_filters.ChoiceFilter(label=_("状态"), choices=ProposalStatus.choices, empty_label=_("全部状态"))
    category = django_filters.ModelChoiceFilter(
        label=_("类别"), queryset=Category.objects.all(), empty_label=_("全部类别")
    )
    key = django_filters.ChoiceFilter(
        label=_("重点"),
        method="filter_key",
        choices=[("yes", _("重点")), ("no", _("非重点"))],
        empty_label=_("重点和一般"),
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("承办单位"), queryset=HandlingUnit.objects.all(), method="filter_unit", empty_label=_("全部单位")
    )

    class Meta:
        model = Proposal
        fields = ["q", "session", "kind", "status", "category", "key", "unit"]

    def search(self, queryset, name, value):
        return keyword_search(queryset, value)

    def filter_unit(self, queryset, name, value):
        """Proposals the unit handles in any role (主办, 会办 or 分办), one row each."""
        return queryset.filter(Exists(Assignment.objects.filter(proposal=OuterRef("pk"), unit=value)))

    def filter_key(self, queryset, name, value):
        return queryset.filter(is_key=(value == "yes"))
