"""Paragraph templates (段落模板): the unit's reusable openings, closings and policy texts."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals.access import scope_of
from proposals.views.common import form_page

from .. import forms
from ..models import ParagraphTemplate


def _unit_of(user):
    unit_ids = sorted(scope_of(user).unit_ids)
    if not unit_ids:
        raise Http404
    return unit_ids[0]


def _own(request, pk):
    return get_object_or_404(ParagraphTemplate, pk=pk, unit_id__in=scope_of(request.user).unit_ids)


def templates_list(request):
    unit_id = _unit_of(request.user)
    form = forms.ParagraphTemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        template = form.save(commit=False)
        template.unit_id, template.created_by = unit_id, request.user
        if ParagraphTemplate.objects.filter(unit_id=unit_id, title=template.title).exists():
            form.add_error("title", _("本单位已有同名模板。"))
        else:
            template.save()
            messages.success(request, _("段落模板已保存。"))
            return redirect("replies:templates")
    return render(
        request,
        "replies/templates.html",
        {"form": form, "templates": ParagraphTemplate.objects.filter(unit_id=unit_id)},
    )


def template_edit(request, pk):
    template = _own(request, pk)
    form = forms.ParagraphTemplateForm(request.POST or None, instance=template)
    if request.method == "POST" and form.is_valid():
        template = form.save(commit=False)
        template.updated_at = timezone.now()
        template.save()
        messages.success(request, _("段落模板已修改。"))
        return redirect("replies:templates")
    return form_page(
        request, title=_("修改段落模板"), form=form, back=reverse("replies:templates"), submit_label=_("保存")
    )


def template_delete(request, pk):
    """GET asks for confirmation; POST deletes."""
    template = _own(request, pk)
    if request.method == "POST":
        template.delete()
        messages.success(request, _("段落模板已删除。"))
        return redirect("replies:templates")
    return render(request, "replies/template_delete.html", {"template": template})
