"""Who hears of a reply's steps: the signers when a draft waits for 签发 (and when its drafter
takes it back), the drafter when it is handed back, the co-handling units (抄送) when the reply
is issued. The members hear of an issued reply from the feedback app,
which sends them their link to the form. One call each from the write path."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from notifications.services import notify
from proposals.i18n import in_chinese
from proposals.models import AssignmentRole, AssignmentStatus, RoleKind


@in_chinese
def awaiting_signoff(reply):
    """The unit's signers: a draft waits for them (once per submission: the version moves on each)."""
    assignment = reply.assignment
    proposal = assignment.proposal
    signers = _signers(assignment)
    facts = {"number": proposal.number, "title": proposal.title, "round": reply.round}
    notify(
        event="awaiting_signoff",
        key=f"awaiting_signoff:{reply.pk}:{reply.version}",
        recipients=list(signers),
        subject=_("【待签发】%(number)s《%(title)s》第%(round)s轮答复") % facts,
        text=_("%(number)s《%(title)s》的第%(round)s轮答复已送签，请审阅后签发或退回。") % facts,
        url=reply.get_absolute_url(),
    )


def _person(user):
    return user.get_full_name() or user.get_username()


def _signers(assignment):
    return (
        get_user_model()
        .objects.filter(is_active=True, banli_roles__unit_id=assignment.unit_id, banli_roles__kind=RoleKind.SIGNER)
        .distinct()
    )


@in_chinese
def handed_back(reply, *, by, note):
    """退回修改: the drafter (the unit when the draft names none) hears why (once per hand-back)."""
    proposal = reply.assignment.proposal
    facts = {"number": proposal.number, "title": proposal.title, "round": reply.round, "by": _person(by), "note": note}
    notify(
        event="reply_sent_back",
        key=f"reply_sent_back:{reply.pk}:{reply.version}",
        recipients=[reply.drafter] if reply.drafter_id else [reply.assignment.unit],
        subject=_("【退回修改】%(number)s《%(title)s》第%(round)s轮答复") % facts,
        text=_("%(by)s将%(number)s《%(title)s》的第%(round)s轮答复退回修改：%(note)s") % facts,
        url=reply.get_absolute_url(),
    )


@in_chinese
def withdrawn(reply, *, by, note):
    """撤回: the signers learn the draft no longer waits for them."""
    proposal = reply.assignment.proposal
    facts = {
        "number": proposal.number,
        "title": proposal.title,
        "round": reply.round,
        "by": _person(by),
        "note": note or _("未说明"),
    }
    notify(
        event="reply_withdrawn",
        key=f"reply_withdrawn:{reply.pk}:{reply.version}",
        recipients=list(_signers(reply.assignment)),
        subject=_("【撤回送签】%(number)s《%(title)s》第%(round)s轮答复") % facts,
        text=_("%(by)s撤回了%(number)s《%(title)s》的第%(round)s轮答复，暂不需签发。理由：%(note)s") % facts,
        url=reply.get_absolute_url(),
    )


@in_chinese
def issued_to_co_units(reply):
    """抄送: every co-handling unit of the proposal receives the issued reply."""
    assignment = reply.assignment
    proposal = assignment.proposal
    co = (
        proposal.assignments.filter(role=AssignmentRole.CO)
        .exclude(status=AssignmentStatus.RETURNED)
        .select_related("unit")
    )
    units = [a.unit for a in co if a.unit_id != assignment.unit_id]
    if not units:
        return
    facts = {"number": proposal.number, "title": proposal.title, "unit": assignment.unit.name, "round": reply.round}
    notify(
        event="reply_issued_co",
        key=f"reply_issued_co:{reply.pk}",
        recipients=units,
        subject=_("【抄送】%(unit)s对%(number)s的答复") % facts,
        text=_("主办单位%(unit)s已就%(number)s《%(title)s》作出第%(round)s轮答复，现抄送贵单位。") % facts,
        url=proposal.get_absolute_url(),
    )
