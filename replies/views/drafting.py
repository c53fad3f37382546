"""Writing the reply letter: the first draft of a round, and edits under an optimistic lock."""

import copy

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from proposals import similar
from proposals.access import can_configure_unit, can_work_on
from proposals.limits import LETTER
from proposals.models import AssignmentRole, Proposal, TransitionError
from proposals.views.assignments import visible_assignment
from proposals.views.common import refuse, require

from .. import body, forms
from ..models import ParagraphTemplate, Reply, StaleDraft, next_round
from .lookups import visible_reply
from .page_part import co_unit_rows


def _feedback_on(reply):
    """What the members said about the previous round: what round 2 must answer."""
    if reply is None:
        return []
    return reply.feedback.filter(submitted_at__isnull=False).select_related("member")


def _co_units(assignment):
    """The lead unit writes the reply with the co-handling units' opinions (会办意见) beside it."""
    return co_unit_rows(assignment.proposal) if assignment.role == AssignmentRole.LEAD else []


def _templates_for(unit):
    return ParagraphTemplate.objects.filter(unit=unit)


EDITOR = {
    "levels": body.LEVEL_CHOICES,
    "blank_row": body.paragraph(body.P),
    "max_paragraphs": body.MAX_PARAGRAPHS,
    "heading_length": body.HEADING_LENGTH,
    "text_length": body.TEXT_LENGTH,
    "letter_limit": LETTER,
}


def _edited_form(request, reply, assignment):
    """After one of the paragraph editor's buttons (no JavaScript): the form as typed, its
    paragraphs edited, nothing saved and nothing checked yet."""
    rows = forms.edit_rows(
        forms.posted_rows(request.POST),
        request.POST.get(forms.OPERATION, ""),
        paste=request.POST.get(forms.PASTE, ""),
        templates=_templates_for(assignment.unit),
    )
    names = [*forms.ReplyForm.Meta.fields, "version"]
    initial = {name: request.POST.get(name) for name in names if name in request.POST}
    return forms.ReplyForm(instance=reply, assignment=assignment, rows=rows, initial=initial)


def _similar_replies(assignment, user, limit=5):
    """How similar proposals were answered before: issued replies the user may read, best match first."""
    issued = Reply.objects.visible_to(user).issued()
    scope = Proposal.objects.filter(pk__in=issued.values("assignment__proposal"))
    found = similar.similar_to(assignment.proposal, scope=scope, limit=limit)
    latest = {}
    replies = issued.filter(assignment__proposal__in=[p for p, _s in found]).select_related("assignment__unit")
    for reply in replies.order_by("written_on", "pk"):
        latest[reply.assignment.proposal_id] = reply
    return [{"proposal": p, "percent": round(s * 100), "reply": latest[p.pk]} for p, s in found if p.pk in latest]


def _editor_context(request, a):
    """What the draft page shows beside the letter, whether it starts or edits the draft."""
    return {
        "templates": _templates_for(a.unit),
        "similar_replies": _similar_replies(a, request.user),
        "co_units": _co_units(a),
        "can_configure_unit": can_configure_unit(request.user, a.unit),
        **EDITOR,
    }


def reply_create(request, pk):
    """Start the draft of round N: the letter frame is generated, the clerk writes the body."""
    a = visible_assignment(request, pk)
    require(can_work_on(request.user, a))
    new_round = next_round(a)
    if new_round is None:
        return refuse(request, a, _("当前状态不能起草新的答复。"))
    draft = Reply.frame_for(a, round=new_round)
    previous = a.replies.filter(round=new_round - 1).first()
    if previous is not None:
        # 重办: start from the last answer; the class is chosen again.
        draft.body, draft.body_paragraphs, draft.cc, draft.publication, draft.signer = (
            previous.body,
            previous.body_paragraphs,
            previous.cc,
            previous.publication,
            previous.signer,
        )
    if forms.OPERATION in request.POST:
        form = _edited_form(request, draft, a)
    else:
        form = forms.ReplyForm(request.POST or None, instance=draft, assignment=a)
    if request.method == "POST" and forms.OPERATION not in request.POST and form.is_valid():
        try:
            Reply.objects.start_draft(assignment=a, by=request.user, **form.reply_fields())
        except TransitionError as error:
            return refuse(request, a, str(error))
        messages.success(request, _("答复草稿已保存。"))
        return redirect(a.get_absolute_url())
    return render(
        request,
        "replies/reply_form.html",
        {
            "form": form,
            "assignment": a,
            "reply": draft,
            "creating": True,
            "previous_feedback": _feedback_on(previous),
            **_editor_context(request, a),
        },
    )


def reply_edit(request, pk):
    """Edit a draft under an optimistic lock: a stale version gets the conflict page, never a silent overwrite."""
    reply = visible_reply(request, pk)
    a = reply.assignment
    require(can_work_on(request.user, a))

    def page(**extra):
        # Built only for a page that is shown: a saved draft redirects without the side panels.
        return {"assignment": a, "reply": reply, **_editor_context(request, a), **extra}

    if request.method != "POST" or forms.OPERATION in request.POST:
        if not reply.is_draft:
            return refuse(request, a, _("答复已提交签发或已发出，不能再修改。"))
        if request.method == "POST":
            form = _edited_form(request, reply, a)
        else:
            form = forms.ReplyForm(instance=reply, assignment=a)
        return render(request, "replies/reply_form.html", page(form=form))
    form = forms.ReplyForm(request.POST, instance=Reply.objects.get(pk=reply.pk), assignment=a)
    if form.is_valid():
        try:
            form.instance.save_draft(by=request.user, version=form.cleaned_data["version"], **form.reply_fields())
        except StaleDraft as stale:
            return _conflict(request, a, stale.current, page())
        except TransitionError:
            return _conflict(request, a, Reply.objects.get(pk=reply.pk), page())
        messages.success(request, _("答复草稿已保存。"))
        return redirect(a.get_absolute_url())
    saved = Reply.objects.get(pk=reply.pk)
    if not saved.is_draft:
        return _conflict(request, a, saved, page())
    return render(request, "replies/reply_form.html", page(form=form))


def _conflict(request, assignment, saved, context):
    """Both texts side by side. A draft can be saved again on top of the current version; a draft
    that meanwhile went to the signer cannot, but what was typed is still shown to copy."""
    last = saved.history.select_related("history_user").first()
    form = None
    if saved.is_draft:
        data = request.POST.copy()
        data["version"] = saved.version
        # A copy: validating the form writes the typed values onto its instance.
        form = forms.ReplyForm(data, instance=copy.copy(saved), assignment=assignment)
        form.is_valid()
    context.update(
        form=form,
        locked=not saved.is_draft,
        saved=saved,
        saved_by=last.history_user if last else None,
        saved_at=last.history_date if last else saved.updated_at,
        mine=request.POST,
        mine_body=body.plain_text(body.normalise(forms.posted_rows(request.POST))),
    )
    return render(request, "replies/reply_conflict.html", context, status=409)
