"""What reached whom: the ledger of e-mails and text messages (one row per event, recipient and
channel, so each goes out once) and the notifications users read in the app."""

from django.conf import settings
from django.db import models
from django.db.models import F, Func, IntegerField, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Bounds of what a notification carries (the texts are made by the system, the limits keep
# a runaway caller from filling the table).
SUBJECT_MAX = 200
TEXT_MAX = 2000
URL_MAX = 500
# The user's unread count, when read with the request's user (accounts.backends).
UNREAD_COUNT = "banli_unread_notifications"


class Channel(models.TextChoices):
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")


class Delivery(models.Model):
    """One e-mail or text message sent: unique per event key, recipient and channel."""

    event = models.CharField(_("事件"), max_length=40)
    key = models.CharField(_("唯一键"), max_length=160)
    recipient = models.CharField(_("收件人"), max_length=60, help_text=_("如 member:7、unit:3、user:5"))
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel)
    address = models.CharField(_("地址"), max_length=254, blank=True)
    subject = models.CharField(_("主题"), max_length=SUBJECT_MAX)
    sent_at = models.DateTimeField(_("发送时间"), default=timezone.now)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("发送记录")
        verbose_name_plural = _("发送记录")
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="%(app_label)s_%(class)s_channel_valid"
            ),
            models.UniqueConstraint(fields=["key", "recipient", "channel"], name="%(app_label)s_%(class)s_once"),
        ]
        indexes = [models.Index(fields=["event", "sent_at"], name="notifications_delivery_event")]

    def __str__(self):
        return f"{self.get_channel_display()} · {self.address or self.recipient} · {self.subject}"


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)

    def of(self, user):
        return self.filter(user=user) if user.is_authenticated else self.none()

    def count_per_user(self):
        """How many of these belong to each user of an outer query on users (an annotation)."""
        mine = self.filter(user=OuterRef("pk")).order_by()
        return Subquery(mine.annotate(n=Func(F("pk"), function="COUNT", output_field=IntegerField())).values("n"))


class Notification(models.Model):
    """A notification in the app, for one user; read or not."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.CharField(_("事件"), max_length=40)
    key = models.CharField(_("唯一键"), max_length=160)
    subject = models.CharField(_("主题"), max_length=SUBJECT_MAX)
    text = models.TextField(_("内容"), max_length=TEXT_MAX, blank=True)
    url = models.CharField(_("链接"), max_length=URL_MAX, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="%(app_label)s_%(class)s_once"),
        ]
        indexes = [models.Index(fields=["user", "read_at"], name="notifications_unread")]

    def __str__(self):
        return self.subject

    def get_absolute_url(self):
        return reverse("notifications:open", args=[self.pk])

    @property
    def is_read(self):
        return self.read_at is not None

    def mark_read(self, *, now=None):
        """Read once: the first reading time is kept."""
        if self.read_at is None:
            self.read_at = now or timezone.now()
            type(self).objects.filter(pk=self.pk, read_at__isnull=True).update(read_at=self.read_at)
