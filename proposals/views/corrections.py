"""The office corrects what it registered and routed, in the app (not the admin): a proposal's
text, facts and proposers until a unit has answered it, a 交办 until the unit has signed for it. Each
correction is one model method that keeps the history and writes the timeline."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .. import forms
from ..access import can_route, get_visible_or_404
from ..models import Assignment, AssignmentStatus, Proposal, TransitionError
from .common import form_page, refuse, require


def proposal_edit(request, pk):
    proposal = get_visible_or_404(Proposal.objects.select_related("session"), request.user, pk=pk)
    require(can_route(request.user, proposal))
    if proposal.is_answered():
        return refuse(request, proposal, _("已有承办单位答复，不能再修改；如需更正，请在重办中说明。"))
    form = forms.ProposalEditForm(request.POST or None, instance=Proposal.objects.get(pk=proposal.pk))
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in ["lead", *Proposal.AMENDABLE]}
        try:
            changes = proposal.amend(by=request.user, cosigners=form.cleaned_data["cosigners"], **fields)
        except TransitionError as error:
            return refuse(request, proposal, str(error))
        messages.success(request, _("已修改，修改记录见办理记录。") if changes else _("没有修改。"))
        return redirect(proposal)
    return form_page(
        request,
        title=_("修改建议提案 %(number)s") % {"number": proposal.number},
        form=form,
        back=proposal.get_absolute_url(),
        submit_label=_("保存修改"),
        intro=_("编号不在此修改。承办单位答复后不能再修改。"),
    )


def assignment_edit(request, pk):
    qs = Assignment.objects.select_related("proposal__session", "unit")
    a = get_visible_or_404(qs, request.user, pk=pk)
    require(can_route(request.user, a.proposal))
    if a.status != AssignmentStatus.PENDING:
        return refuse(request, a, _("承办单位已签收，不能再更正交办；如需改由其他单位办理，请由该单位申请退回。"))
    form = forms.AssignmentEditForm(request.POST or None, assignment=a)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            a.amend(by=request.user, unit=data["unit"], role=data["role"], reason=data["reason"])
        except TransitionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("交办已更正。"))
            return redirect(a)
    return form_page(
        request,
        title=_("更正交办：%(unit)s") % {"unit": a.unit},
        form=form,
        back=a.get_absolute_url(),
        submit_label=_("更正"),
        intro=_("承办单位签收前可更正承办单位或办理方式；办理期限不变。"),
    )
