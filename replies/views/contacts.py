"""Contacts with the member (沟通) and co-handling opinions (会办意见)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals.access import can_work_on
from proposals.models import AssignmentRole, TransitionError
from proposals.views.assignments import visible_assignment
from proposals.views.common import form_page, refuse, require

from .. import forms
from ..models import CoHandlingOpinion, ContactRecord, may_give_opinion, may_log_contact


def contact_create(request, pk):
    a = visible_assignment(request, pk)
    require(can_work_on(request.user, a))
    if not may_log_contact(a):
        return refuse(request, a, _("签收后才能登记沟通情况。"))
    form = forms.ContactForm(request.POST or None, assignment=a, initial={"contacted_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            ContactRecord.objects.log(assignment=a, by=request.user, **form.cleaned_data)
        except TransitionError as error:
            form.add_error(None, str(error))
            return form_page(
                request,
                title=_("登记沟通情况"),
                form=form,
                back=a.get_absolute_url(),
                submit_label=_("保存"),
                intro=str(a),
            )
        messages.success(request, _("沟通记录已保存。"))
        return redirect(a.get_absolute_url())
    return form_page(
        request, title=_("登记沟通情况"), form=form, back=a.get_absolute_url(), submit_label=_("保存"), intro=str(a)
    )


def contact_edit(request, pk):
    contact = get_object_or_404(
        ContactRecord.objects.visible_to(request.user).select_related("assignment__proposal", "assignment__unit"),
        pk=pk,
    )
    a = contact.assignment
    require(can_work_on(request.user, a))
    if contact.is_locked():
        return refuse(request, a, _("答复已发出，此前的沟通记录不能再修改。"))
    form = forms.ContactForm(request.POST or None, instance=contact, assignment=a)
    if request.method == "POST" and form.is_valid():
        try:
            contact.amend(by=request.user, **{name: form.cleaned_data[name] for name in form.changed_data})
        except TransitionError as error:
            return refuse(request, a, str(error))
        messages.success(request, _("沟通记录已修改。"))
        return redirect(a.get_absolute_url())
    return form_page(
        request, title=_("修改沟通记录"), form=form, back=a.get_absolute_url(), submit_label=_("保存"), intro=str(a)
    )


def opinion_create(request, pk):
    a = visible_assignment(request, pk)
    require(can_work_on(request.user, a) and a.role == AssignmentRole.CO)
    if not may_give_opinion(a):
        return refuse(request, a, _("签收后、提交前才能填写会办意见。"))
    form = forms.CoOpinionForm(
        request.POST or None, initial={"contact_person": a.unit.contact_person, "contact_phone": a.unit.contact_phone}
    )
    if request.method == "POST" and form.is_valid():
        try:
            CoHandlingOpinion.objects.give(assignment=a, by=request.user, **form.cleaned_data)
        except TransitionError as error:
            return refuse(request, a, str(error))
        messages.success(request, _("会办意见已送主办单位。"))
        return redirect(a.get_absolute_url())
    return form_page(
        request,
        title=_("会办意见"),
        form=form,
        back=a.get_absolute_url(),
        submit_label=_("提交给主办单位"),
        intro=_("%(proposal)s：会办意见提交后送主办单位，由主办单位统一答复代表委员。") % {"proposal": a.proposal},
    )
