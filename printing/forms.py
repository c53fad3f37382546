from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from proposals import access
from proposals.access import User
from proposals.models import HandlingUnit, Session

from .models import BatchJob


class BatchForm(forms.ModelForm):
    """What to print: a session of the user's bodies, all their units or one; an office's own
    sessions, a unit's own replies (the scope is applied again when the batch is built)."""

    session = forms.ModelChoiceField(
        Session.objects.all(), label=_("会次"), empty_label=_("请选择"), error_messages={"required": _("请选择会次。")}
    )
    unit = forms.ModelChoiceField(
        HandlingUnit.objects.all(), label=_("承办单位（可选）"), required=False, empty_label=_("全部承办单位")
    )

    class Meta:
        model = BatchJob
        fields = ["session", "unit", "with_forms", "packets"]
        labels = {
            "with_forms": _("附上已签名的征询意见表"),
            "packets": _("邮寄套件：每份答复函后附预填的征询意见表（尚未反馈的委员）"),
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = access.scope_of(user)
        session: forms.ModelChoiceField = self.fields["session"]  # type: ignore[assignment]
        unit: forms.ModelChoiceField = self.fields["unit"]  # type: ignore[assignment]
        if not scope.everything:
            if scope.bodies:
                session.queryset = Session.objects.filter(body__in=scope.bodies)
            else:
                unit.queryset = HandlingUnit.objects.filter(pk__in=scope.unit_ids)
                unit.empty_label = _("本单位全部")
