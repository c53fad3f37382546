"""What a unit does with a new assignment: 签收 it, or ask to return it or for more time."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import forms
from ..access import can_work_on, get_visible_or_404
from ..models import Assignment, RequestKind, TransitionError
from .common import form_page, refuse, require


def visible_assignment(request, pk):
    qs = Assignment.objects.select_related("proposal__session", "proposal__lead", "unit")
    return get_visible_or_404(qs, request.user, pk=pk)


@require_POST
def sign_for(request, pk):
    a = visible_assignment(request, pk)
    require(can_work_on(request.user, a))
    try:
        a.sign_for(by=request.user)
    except TransitionError as error:
        return refuse(request, a, str(error))
    messages.success(request, _("已签收，请与代表委员联系并着手办理。"))
    return redirect(a.get_absolute_url())


def _request_page(request, pk, kind):
    a = visible_assignment(request, pk)
    require(can_work_on(request.user, a))
    form_class, title = {
        RequestKind.RETURN: (forms.ReturnRequestForm, _("申请退回")),
        RequestKind.EXTENSION: (forms.ExtensionRequestForm, _("申请延期")),
    }[kind]
    if not a.may_request(kind):
        return refuse(request, a, _("当前状态不能提出该申请（或已有待决定的同类申请）。"))
    form = form_class(request.POST or None, assignment=a)
    if request.method == "POST" and form.is_valid():
        try:
            a.request_change(kind=kind, by=request.user, **form.cleaned_data)
        except TransitionError as error:
            return refuse(request, a, str(error))
        messages.success(request, _("申请已提交，等待决定。"))
        return redirect(a.get_absolute_url())
    intro = _("%(number)s %(title)s · 现办理期限 %(due)s") % {
        "number": a.proposal.number,
        "title": a.proposal.title,
        "due": f"{a.due_on:%Y-%m-%d}",
    }
    return form_page(
        request, title=title, form=form, back=a.get_absolute_url(), submit_label=_("提交申请"), intro=intro
    )


def request_return(request, pk):
    return _request_page(request, pk, RequestKind.RETURN)


def request_extension(request, pk):
    return _request_page(request, pk, RequestKind.EXTENSION)
