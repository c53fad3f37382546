"""A unit's own settings for its letters: the 文号 prefix and the code its 索引号 start with."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _

from .. import forms
from ..access import can_configure_unit, scope_of
from ..models import HandlingUnit
from .common import form_page, require


def unit_settings(request, pk):
    scope = scope_of(request.user)
    unit = get_object_or_404(HandlingUnit, pk=pk)
    if not (scope.oversees_any or unit.pk in scope.unit_ids):
        raise Http404  # another unit's settings: not even shown
    require(can_configure_unit(request.user, unit))  # its clerk sees the unit but a head sets it
    form = forms.UnitSettingsForm(request.POST or None, instance=unit)
    if request.method == "POST" and form.is_valid():
        unit._history_user = request.user  # the change is kept in the unit's history
        form.save()
        messages.success(request, _("已保存。新的文号前缀从下一次签发起使用。"))
        return redirect("proposals:unit_settings", pk=unit.pk)
    intro = _(
        "文号在签发时按“前缀〔年份〕序号号”自动编排，每个单位每年从 1 号起，不会重复；公开答复的索引号以信息公开机构代码开头。"
    )
    return form_page(
        request,
        title=_("%(unit)s · 文号与公开设置") % {"unit": unit.short_name},
        form=form,
        back="/",
        submit_label=_("保存"),
        intro=intro,
    )
