"""Who hears of what happens to an assignment: 交办 (the unit), a decision on its request (the
requester), 重办 (the unit and the members). Each is one call from the write path, through
`notifications.services.notify`, in Chinese whoever acts."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from notifications.services import notify

from .choices import Decision, RequestKind
from .i18n import in_chinese


def _facts(assignment):
    proposal = assignment.proposal
    return {
        "number": proposal.number,
        "title": proposal.title,
        "unit": assignment.unit.name,
        "role": assignment.get_role_display(),
        "due": f"{assignment.due_on:%Y-%m-%d}",
    }


@in_chinese
def assigned(assignment):
    """交办: the unit (its address, its clerks and signers in the app) learns of its new share."""
    facts = _facts(assignment)
    notify(
        event="assigned",
        key=f"assigned:{assignment.pk}",
        recipients=[assignment.unit],
        subject=_("【交办】%(number)s《%(title)s》") % facts,
        text=_("%(unit)s：%(number)s《%(title)s》已交由贵单位%(role)s，办理期限 %(due)s，请及时签收办理。") % facts,
        url=assignment.get_absolute_url(),
    )


@in_chinese
def request_decided(request):
    """The one who asked for a return or an extension hears the decision, and so does their unit."""
    assignment = request.assignment
    facts = {
        **_facts(assignment),
        "kind": request.get_kind_display(),
        "decision": request.get_decision_display(),
        "note": request.decision_note or _("无"),
    }
    if request.kind == RequestKind.EXTENSION and request.decision == Decision.APPROVED:
        text = _("%(number)s《%(title)s》的延期申请已同意，办理期限延至 %(due)s。意见：%(note)s") % facts
    elif request.kind == RequestKind.RETURN and request.decision == Decision.APPROVED:
        text = _("%(number)s《%(title)s》的退回申请已同意，本件不再由贵单位%(role)s。意见：%(note)s") % facts
    else:
        text = _("%(number)s《%(title)s》的%(kind)s申请未获同意，请继续办理，期限 %(due)s。意见：%(note)s") % facts
    notify(
        event="request_decided",
        key=f"request_decided:{request.pk}",
        recipients=[request.requested_by, assignment.unit],
        subject=_("【%(kind)s申请%(decision)s】%(number)s") % facts,
        text=text,
        url=assignment.get_absolute_url(),
    )


def _answering_members(proposal):
    """Those who give feedback (BANLI_FEEDBACK_FROM): the lead, or every co-signer too."""
    return proposal.members_in_order if settings.BANLI_FEEDBACK_FROM == "all" else [proposal.lead]


@in_chinese
def redo_started(assignment, *, round, reason):
    """重办: the unit and the members hear the reason and the new deadline."""
    facts = {**_facts(assignment), "round": round, "reason": reason or _("未说明")}
    key = f"redo:{assignment.pk}:{round}"
    subject = _("【重办】%(number)s《%(title)s》第%(round)s轮") % facts
    notify(
        event="redo_started",
        key=key,
        recipients=[assignment.unit],
        subject=subject,
        text=_("%(number)s《%(title)s》转入重办（第%(round)s轮），请于 %(due)s 前重新答复。原因：%(reason)s") % facts,
        url=assignment.get_absolute_url(),
    )
    notify(
        event="redo_started",
        key=key,
        recipients=[m for m in _answering_members(assignment.proposal) if m is not None],
        subject=subject,
        text=_(
            "您的%(number)s《%(title)s》已转由%(unit)s重新办理（第%(round)s轮），新的答复期限为 %(due)s。原因：%(reason)s"
        )
        % facts,
        url=reverse("feedback:portal"),
    )
