"""Filters shared by the dashboard and the supervision lists: session, body, kind, unit."""

import django_filters
import django_filters.fields
from django import forms
from django.utils.translation import gettext_lazy as _

from proposals.models import AssignmentRole, Body, HandlingUnit, ProposalKind, Session

from . import public, search


class _ListedChoices(django_filters.fields.ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.field.queryset:  # read once, then kept by the queryset
            yield self.choice(obj)

    def __len__(self):
        return len(self.field.queryset) + (1 if self.field.empty_label is not None else 0)


class ListedModelChoiceField(django_filters.fields.ModelChoiceField):
    """A choice of a row that reads its choices once per form: the chosen value is looked up among
    the rows the select lists, not by a query of its own."""

    iterator = _ListedChoices

    def to_python(self, value):
        if value in self.empty_values:
            return None
        key = self.to_field_name or "pk"
        for obj in self.queryset:
            if str(getattr(obj, key)) == str(value):
                return obj
        raise forms.ValidationError(
            self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
        )


class ListedModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = ListedModelChoiceField


class AssignmentFilter(django_filters.FilterSet):
    session = ListedModelChoiceFilter(
        field_name="proposal__session", label=_("会次"), queryset=Session.objects.none(), empty_label=_("全部会次")
    )
    body = django_filters.ChoiceFilter(
        field_name="proposal__session__body", label=_("届别"), choices=Body.choices, empty_label=_("人大和政协")
    )
    kind = django_filters.ChoiceFilter(
        field_name="proposal__kind", label=_("类型"), choices=ProposalKind.choices, empty_label=_("建议和提案")
    )
    unit = ListedModelChoiceFilter(label=_("承办单位"), queryset=HandlingUnit.objects.all(), empty_label=_("全部单位"))
    role = django_filters.ChoiceFilter(label=_("办理方式"), choices=AssignmentRole.choices, empty_label=_("全部方式"))

    class Meta:
        fields = ["session", "body", "kind", "unit", "role"]

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        sessions = Session.objects.all()
        if not scope.everything:
            # An office sees its own body only: the choices say so too.
            sessions = sessions.filter(body__in=scope.bodies)
            self.filters["body"].extra["choices"] = [(v, lbl) for v, lbl in Body.choices if v in scope.bodies]
            self.filters["kind"].extra["choices"] = [
                (ProposalKind.for_body(b), ProposalKind.for_body(b).label) for b in scope.bodies
            ]
            if len(scope.bodies) == 1:
                # "人大和政协" would promise more than the office sees: "all" is its own body.
                (body,) = scope.bodies
                self.filters["body"].extra["empty_label"] = Body(body).label
                self.filters["kind"].extra["empty_label"] = ProposalKind.for_body(body).label
        self.filters["session"].queryset = sessions
        for f in self.form.fields.values():
            f.widget.attrs.setdefault("data-submit-on-change", "")

    @property
    def query_string(self):
        """The active filters as a query string, for export links and pagination."""
        data = self.form.cleaned_data if self.form.is_valid() else {}
        params = {}
        for name in self.filters:
            value = data.get(name)
            if value not in (None, ""):
                params[name] = getattr(value, "pk", value)
        from urllib.parse import urlencode

        return urlencode(params)


class UrgeForm(forms.Form):
    method = forms.ChoiceField(label=_("催办方式"))
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        from .models import UrgeMethod

        super().__init__(*args, **kwargs)
        self.fields["method"].choices = UrgeMethod.choices


class ImportForm(forms.Form):
    file = forms.FileField(label=_("交办清单（.xlsx）"), error_messages={"required": _("请选择要导入的交办清单文件。")})

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("请上传 .xlsx 格式的 Excel 文件。"))
        if f.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("文件不能超过 5 MB。"))
        return f


class SearchForm(forms.Form):
    q = forms.CharField(label=_("关键词"), max_length=100, required=False)


class PublicFilter(django_filters.FilterSet):
    """The published replies (`/public/`): words, the kind of proposal, the publishing unit, the year."""

    q = django_filters.CharFilter(label=_("关键词"), method="search", max_length=100)
    kind = django_filters.ChoiceFilter(
        field_name="assignment__proposal__kind",
        label=_("类型"),
        choices=ProposalKind.choices,
        empty_label=_("建议和提案"),
    )
    unit = django_filters.ModelChoiceFilter(
        field_name="assignment__unit",
        label=_("发布机构"),
        queryset=HandlingUnit.objects.none(),
        empty_label=_("全部单位"),
    )
    year = django_filters.ChoiceFilter(field_name="written_on__year", label=_("成文年份"), empty_label=_("全部年份"))

    class Meta:
        fields = ["q", "kind", "unit", "year"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        published = public.public_replies()
        # Only the units and years that have something published: a choice never leads to nothing.
        self.filters["unit"].queryset = HandlingUnit.objects.filter(
            pk__in=published.values("assignment__unit")
        ).order_by("name")
        years = sorted({d.year for d in published.dates("written_on", "year")}, reverse=True)
        self.filters["year"].extra["choices"] = [(str(y), str(y)) for y in years]

    @property
    def terms(self):
        value = self.form.cleaned_data.get("q", "") if self.form.is_valid() else ""
        return public.searchable_terms(search.terms_of(value))

    def search(self, queryset, name, value):
        if not value.strip():
            return queryset
        terms = self.terms
        fields = ["title", "body", "doc_number", "disclosure__index_number"]
        return search.matching(queryset, fields, terms) if terms else queryset.none()
