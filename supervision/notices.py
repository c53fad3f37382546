"""What a 督办 says and to whom: the notification of each Escalation (sent once, by
`services.escalate`) and the recipients a rule names."""

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals.i18n import stored_text
from proposals.models import RoleKind

from .models import Notify


def recipients(assignment, notify):
    """The unit, then (by the rule) its body's office and the supervisors."""
    people = [assignment.unit]
    User = get_user_model()
    if notify in (Notify.UNIT_OFFICE, Notify.UNIT_OFFICE_SUPERVISOR):
        people += User.objects.filter(
            is_active=True, banli_roles__kind=RoleKind.OFFICE, banli_roles__body=assignment.proposal.session.body
        ).distinct()
    if notify == Notify.UNIT_OFFICE_SUPERVISOR:
        people += User.objects.filter(is_active=True, banli_roles__kind=RoleKind.SUPERVISOR).distinct()
    return people


def notice_text(escalation):
    """Subject and text of the notification, in Chinese (records and messages always are)."""
    assignment = escalation.assignment
    proposal = assignment.proposal
    with stored_text():
        subject = _("【%(level)s】%(number)s %(title)s") % {
            "level": escalation.level.name,
            "number": proposal.number,
            "title": proposal.title,
        }
        left = (assignment.due_on - timezone.localdate(escalation.at)).days
        when = (
            _("已超期%(n)s天") % {"n": -left}
            if left < 0
            else (_("今日到期") if left == 0 else _("距期限还有%(n)s天") % {"n": left})
        )
        lines = [
            _("%(unit)s：") % {"unit": assignment.unit.name},
            "",
            _(
                "贵单位%(role)s的%(number)s《%(title)s》办理期限为%(due)s（%(when)s），现予%(level)s，请抓紧办理并按时答复。"
            )
            % {
                "role": assignment.get_role_display(),
                "number": proposal.number,
                "title": proposal.title,
                "due": f"{escalation.due_on:%Y-%m-%d}",
                "when": when,
                "level": escalation.level.name,
            },
        ]
        if escalation.leader:
            lines.append(_("督办领导：%(leader)s") % {"leader": escalation.leader})
        if escalation.reason:
            lines.append(_("督办事由：%(reason)s") % {"reason": escalation.reason})
        lines += ["", _("市政府督查室")]
    return subject, "\n".join(lines)
