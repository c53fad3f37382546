"""Filters of the inbox: every list a clerk or the office looks at can be narrowed the same way."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from proposals import reference
from proposals.filters import keyword_search
from proposals.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Category,
    HandlingUnit,
    ProposalKind,
    Session,
)

INBOX_STATES = [
    AssignmentStatus.PENDING,
    AssignmentStatus.HANDLING,
    AssignmentStatus.AWAITING_SIGNOFF,
    AssignmentStatus.IN_REVIEW,
    AssignmentStatus.REPLIED,
    AssignmentStatus.REDO,
]


class InboxFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("关键词"), method="search")
    session = django_filters.ModelChoiceFilter(
        label=_("会次"), field_name="proposal__session", queryset=Session.objects.all(), empty_label=_("全部会次")
    )
    kind = django_filters.ChoiceFilter(
        label=_("类型"), field_name="proposal__kind", choices=ProposalKind.choices, empty_label=_("建议和提案")
    )
    state = django_filters.ChoiceFilter(
        label=_("状态"),
        field_name="status",
        choices=[(s.value, s.label) for s in INBOX_STATES],
        empty_label=_("全部状态"),
    )
    role = django_filters.ChoiceFilter(
        label=_("办理方式"), field_name="role", choices=AssignmentRole.choices, empty_label=_("全部方式")
    )
    deadline = django_filters.ChoiceFilter(
        label=_("期限"),
        method="filter_deadline",
        choices=[("due_soon", _("即将到期")), ("overdue", _("已超期"))],
        empty_label=_("全部期限"),
    )
    category = django_filters.ModelChoiceFilter(
        label=_("类别"), field_name="proposal__category", queryset=Category.objects.all(), empty_label=_("全部类别")
    )
    key = django_filters.ChoiceFilter(
        label=_("重点"),
        method="filter_key",
        choices=[("yes", _("重点")), ("no", _("非重点"))],
        empty_label=_("重点和一般"),
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("承办单位"), field_name="unit", queryset=HandlingUnit.objects.all(), empty_label=_("全部单位")
    )

    class Meta:
        model = Assignment
        fields = ["q", "session", "kind", "state", "role", "deadline", "category", "key", "unit"]

    def __init__(self, *args, show_units=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_units:
            del self.filters["unit"]
        # The dropdowns from the cached reference lists; a chosen value is still checked against the table.
        for name, model in (("session", Session), ("category", Category), ("unit", HandlingUnit)):
            if name in self.filters:
                field = self.form.fields[name]
                field.widget.choices = [("", field.empty_label), *reference.choices(model)]

    def search(self, queryset, name, value):
        """Number, title, and the names of the lead and every co-signer."""
        return keyword_search(queryset, value, prefix="proposal__", proposal_ref="proposal_id")

    def filter_deadline(self, queryset, name, value):
        today = timezone.localdate()
        if value == "overdue":
            return queryset.overdue(today)
        if value == "due_soon":
            return queryset.due_soon(today)
        return queryset

    def filter_key(self, queryset, name, value):
        return queryset.filter(proposal__is_key=(value == "yes"))
