"""The reminder e-mail of a 催办, sent at most once per assignment and deadline (the ledger)."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from proposals.i18n import in_chinese
from proposals.models import RoleKind

from .models import ReminderEmail

logger = logging.getLogger(__name__)


def recipients_of(unit):
    addresses = [unit.email] if unit.email else []
    addresses += [
        role.user.email
        for role in unit.roles.filter(kind__in=[RoleKind.CLERK, RoleKind.SIGNER]).select_related("user")
        if role.user.email and role.user.is_active
    ]
    return sorted(set(addresses))


@in_chinese
def send_reminder_once(urge):
    """True if an e-mail goes out, False if one already went for this deadline, None if nobody to write to."""
    assignment = urge.assignment
    to = recipients_of(assignment.unit)
    if not to:
        return None
    try:
        with transaction.atomic():
            ledger = ReminderEmail.objects.create(
                assignment=assignment, due_on=assignment.due_on, recipients=", ".join(to), urge=urge
            )
    except IntegrityError:
        return False
    proposal = assignment.proposal
    subject = _("【催办】%(number)s %(title)s") % {"number": proposal.number, "title": proposal.title}
    body = _(
        "%(unit)s：\n\n贵单位%(role)s的%(number)s《%(title)s》办理期限为%(due)s，请抓紧办理并按时答复。\n\n"
        "催办方式：%(method)s\n%(note)s\n市政府督查室"
    ) % {
        "unit": assignment.unit.name,
        "role": assignment.get_role_display(),
        "number": proposal.number,
        "title": proposal.title,
        "due": assignment.due_on.strftime("%Y年%m月%d日"),
        "method": urge.get_method_display(),
        "note": urge.note,
    }

    def send():
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
        except Exception:
            # The 催办 itself stands; free the ledger so the next 催办 tries the e-mail again.
            logger.exception("催办提醒邮件发送失败：assignment %s", assignment.pk)
            ReminderEmail.objects.filter(pk=ledger.pk).delete()

    # Sent when the 催办 is committed, never for work that was rolled back.
    transaction.on_commit(send)
    return True
