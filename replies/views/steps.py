"""A reply's way out: submit to the signer, 签发, send back, review, the sealed scan, delivery."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from proposals.access import can_sign_off, can_supervise, can_work_on
from proposals.files import private_file_response
from proposals.models import TransitionError
from proposals.views.common import confirm_page, form_page, refuse, require

from .. import forms
from ..models import ReplyStatus
from .lookups import visible_reply


def _step(request, pk, *, allowed, step, success):
    """Run one workflow step; a state that forbids it changes nothing and says why."""
    reply = visible_reply(request, pk)
    require(allowed(request.user, reply))
    try:
        step(reply)
    except TransitionError as error:
        return refuse(request, reply.assignment, str(error))
    messages.success(request, success)
    return redirect(reply.assignment.get_absolute_url())


@require_POST
def submit(request, pk):
    return _step(
        request,
        pk,
        allowed=lambda user, r: can_work_on(user, r.assignment),
        step=lambda reply: reply.submit(by=request.user),
        success=_("已提交签发人签发。"),
    )


def sign_off(request, pk):
    """签发: GET asks for confirmation (the letter goes out and cannot be changed); POST signs."""
    review = settings.BANLI_SUPERVISOR_REVIEW
    if request.method != "POST":
        reply = visible_reply(request, pk)
        require(can_sign_off(request.user, reply.assignment))
        return confirm_page(
            request,
            title=_("签发答复"),
            message=sign_off_message(review),
            details=[reply.title],
            back=reply.assignment.get_absolute_url(),
            submit_label=_("签发"),
            danger=False,
        )
    return _step(
        request,
        pk,
        allowed=lambda user, r: can_sign_off(user, r.assignment),
        step=lambda reply: reply.sign_off(by=request.user, review=review),
        success=_("已签发，送督查室审核。") if review else _("已签发，答复已发出。"),
    )


def sign_off_message(review):
    if review:
        return _("签发后答复送督查室审核，拟稿人不能再修改。确定签发吗？")
    return _("签发后答复即发出给代表委员，不能再修改（如需更正，只能重办）。确定签发吗？")


def withdraw(request, pk):
    """撤回: the drafter takes a draft back from the signer; GET asks for confirmation and a reason."""
    reply = visible_reply(request, pk)
    a = reply.assignment
    require(can_work_on(request.user, a))
    if not reply.may_withdraw(request.user):
        return refuse(request, a, _("只有拟稿人才能撤回待签发的答复。"))
    form = forms.WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            reply.withdraw(by=request.user, note=form.cleaned_data["note"])
        except TransitionError as error:
            return refuse(request, a, str(error))
        messages.success(request, _("已撤回，答复回到草稿，可修改后重新提交签发。"))
        return redirect(a.get_absolute_url())
    return confirm_page(
        request,
        title=_("撤回送签"),
        message=_("撤回后签发人不能再签发这份答复，修改后须重新提交签发。"),
        details=[reply.title],
        form=form,
        back=a.get_absolute_url(),
        submit_label=_("撤回"),
        status=400 if request.method == "POST" else 200,
    )


def send_back(request, pk):
    reply = visible_reply(request, pk)
    a = reply.assignment
    allowed = (reply.status == ReplyStatus.AWAITING_SIGNOFF and can_sign_off(request.user, a)) or (
        reply.status == ReplyStatus.IN_REVIEW and can_supervise(request.user)
    )
    if not allowed and not (can_sign_off(request.user, a) or can_supervise(request.user)):
        raise PermissionDenied
    if not allowed:
        return refuse(request, a, _("答复当前状态不能退回。"))
    form = forms.NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reply.send_back(by=request.user, note=form.cleaned_data["note"])
        except TransitionError:
            return refuse(request, a, _("答复状态已变化，请刷新后再操作。"))
        messages.success(request, _("已退回经办人修改。"))
        return redirect(a.get_absolute_url())
    return form_page(
        request, title=_("退回修改"), form=form, back=a.get_absolute_url(), submit_label=_("退回"), intro=reply.title
    )


def review(request, pk):
    """The supervisor's review: GET asks for confirmation (the class may change); POST issues the
    reply, or sends it back to its drafter when a required element (答复要件) is missing."""
    if request.method != "POST":
        reply = visible_reply(request, pk)
        require(can_supervise(request.user))
        return confirm_page(
            request,
            title=_("审核通过并发出"),
            message=_("审核通过后答复即发出给代表委员，不能再修改。"),
            details=[reply.title],
            form=forms.ReviewForm(initial={"result_class": reply.result_class}),
            back=reply.assignment.get_absolute_url(),
            submit_label=_("审核通过并发出"),
            danger=False,
        )
    form = forms.ReviewForm(request.POST)
    result_class = form.cleaned_data["result_class"] if form.is_valid() else ""
    reply = visible_reply(request, pk)
    require(can_supervise(request.user))
    try:
        missing = reply.review(by=request.user, result_class=result_class)
    except TransitionError as error:
        return refuse(request, reply.assignment, str(error))
    if missing:
        messages.warning(request, _("答复要件不全，已退回拟稿人：%(missing)s") % {"missing": " ".join(missing)})
    else:
        messages.success(request, _("审核通过，答复已发出。"))
    return redirect(reply.assignment.get_absolute_url())


def scan(request, pk):
    reply = visible_reply(request, pk)
    a = reply.assignment
    require(can_work_on(request.user, a))
    if not reply.is_issued:
        return refuse(request, a, _("答复发出后才能上传盖章扫描件。"))
    form = forms.ScanForm(request.POST or None, request.FILES or None, instance=reply)
    if request.method == "POST" and form.is_valid():
        try:
            reply.attach_scan(by=request.user, scan=form.cleaned_data["sealed_scan"])
        except TransitionError as error:
            return refuse(request, a, str(error))
        messages.success(request, _("盖章扫描件已上传。"))
        return redirect(a.get_absolute_url())
    return form_page(
        request,
        title=_("上传盖章扫描件"),
        form=form,
        back=a.get_absolute_url(),
        submit_label=_("上传"),
        intro=_("PDF、JPEG 或 PNG，不超过 %(mb)s MB。") % {"mb": settings.BANLI_SCAN_MAX_BYTES // (1024 * 1024)},
        multipart=True,
    )


@require_GET
def scan_file(request, pk):
    """The sealed scan, to whoever may see the reply: media files are never served by the proxy."""
    return private_file_response(visible_reply(request, pk).sealed_scan)


def delivered(request, pk):
    """送达: GET asks for confirmation (it is recorded once); POST marks it."""
    if request.method != "POST":
        reply = visible_reply(request, pk)
        require(can_work_on(request.user, reply.assignment))
        return confirm_page(
            request,
            title=_("标记已送达"),
            message=_("确认盖章的答复函已送达代表委员吗？送达时间记录后不能更改。"),
            details=[reply.title],
            back=reply.assignment.get_absolute_url(),
            submit_label=_("标记已送达"),
            danger=False,
        )
    return _step(
        request,
        pk,
        allowed=lambda user, r: can_work_on(user, r.assignment),
        step=lambda reply: reply.mark_delivered(by=request.user),
        success=_("已标记送达。"),
    )
