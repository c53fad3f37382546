from django import forms
from django.utils.translation import gettext_lazy as _

from proposals.models import HandlingUnit, Session

from .models import BatchJob


class BatchForm(forms.ModelForm):
    session = forms.ModelChoiceField(
        Session.objects.all(), label=_("会次"), empty_label=_("请选择"), error_messages={"required": _("请选择会次。")}
    )
    unit = forms.ModelChoiceField(
        HandlingUnit.objects.all(), label=_("承办单位（可选）"), required=False, empty_label=_("全部承办单位")
    )

    class Meta:
        model = BatchJob
        fields = ["session", "unit", "with_forms"]
        labels = {"with_forms": _("附上已签名的征询意见表")}
