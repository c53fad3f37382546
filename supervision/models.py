"""催办 (urging a unit that is late or nearly late), and the ledger of reminder e-mails sent.

Every 催办 is recorded (who, when, how); the unit is e-mailed once per deadline: the
ledger row is unique on (assignment, due date), so pressing 催办 again, or two supervisors
pressing it at once, never sends a second e-mail for the same deadline.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from proposals.models import Assignment, choice_constraint


class UrgeMethod(models.TextChoices):
    SYSTEM = "system", _("系统消息")
    PHONE = "phone", _("电话")
    LETTER = "letter", _("函件")


class Urge(models.Model):
    """One 催办 of one assignment."""

    assignment = models.ForeignKey(Assignment, verbose_name=_("交办"), on_delete=models.CASCADE, related_name="urges")
    method = models.CharField(_("催办方式"), max_length=16, choices=UrgeMethod)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    due_on = models.DateField(_("催办时的办理期限"))
    urged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("催办人"), on_delete=models.PROTECT, related_name="+"
    )
    urged_at = models.DateTimeField(_("催办时间"), default=timezone.now)

    class Meta:
        verbose_name = _("催办记录")
        verbose_name_plural = _("催办记录")
        ordering = ["-urged_at", "-pk"]
        constraints = [choice_constraint("method", UrgeMethod)]
        indexes = [models.Index(fields=["assignment", "urged_at"])]

    def __str__(self):
        return f"{self.assignment} · {self.get_method_display()} · {self.urged_at:%Y-%m-%d}"


class ReminderEmail(models.Model):
    """The ledger: one reminder e-mail per assignment and deadline."""

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("交办"), on_delete=models.CASCADE, related_name="reminder_emails"
    )
    due_on = models.DateField(_("办理期限"))
    recipients = models.CharField(_("收件人"), max_length=500)
    urge = models.ForeignKey(Urge, verbose_name=_("催办记录"), on_delete=models.SET_NULL, null=True, related_name="+")
    sent_at = models.DateTimeField(_("发送时间"), default=timezone.now)

    class Meta:
        verbose_name = _("催办邮件")
        verbose_name_plural = _("催办邮件")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "due_on"], name="%(app_label)s_%(class)s_once_per_deadline")
        ]

    def __str__(self):
        return f"{self.assignment} · {self.due_on}"
