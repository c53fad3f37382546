"""The member's feedback form (办理情况征询意见表) on a reply, and its receipt by the office."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from proposals import access
from proposals.models import Member, choice_constraint
from replies.models import ContactMethod, Reply


class HandlingEffect(models.TextChoices):
    SOLVED = "solved", _("解决或基本解决")
    IN_PROGRESS = "in_progress", _("正在解决")
    LATER = "later", _("以后解决")
    UNSOLVABLE = "unsolvable", _("无法解决")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class Channel(models.TextChoices):
    ONLINE = "online", _("网上填报")
    PAPER = "paper", _("纸质表录入")


class FeedbackQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see the forms in their scope; a member sees only their own."""
        scope = access.scope_of(user)
        visible = self.filter(reply__in=Reply.objects.visible_to(user))
        if scope.is_staff_role:
            return visible
        return visible.filter(member_id=scope.member_id)

    def submitted(self):
        return self.filter(submitted_at__isnull=False)


class Feedback(models.Model):
    """One member's answer to one reply round, as on the seed form.

    Online forms must carry exactly one effect and one satisfaction. A paper form is
    entered as the member marked it; when it is ambiguous (two boxes ticked) the office
    leaves the field empty and writes what it saw in `needs_attention`, for a person to
    resolve with the member.
    """

    reply = models.ForeignKey(Reply, verbose_name=_("答复函"), on_delete=models.PROTECT, related_name="feedback")
    member = models.ForeignKey(Member, verbose_name=_("代表委员"), on_delete=models.PROTECT, related_name="feedback")
    channel = models.CharField(_("填报渠道"), max_length=8, choices=Channel.choices, default=Channel.ONLINE)

    # 沟通方式: one box each, as printed on the form.
    by_visit = models.BooleanField(ContactMethod.VISIT.label, default=False)
    by_meeting = models.BooleanField(ContactMethod.MEETING.label, default=False)
    by_phone = models.BooleanField(ContactMethod.PHONE.label, default=False)
    by_letter = models.BooleanField(ContactMethod.LETTER.label, default=False)
    by_forum = models.BooleanField(ContactMethod.FORUM.label, default=False)
    by_other = models.BooleanField(ContactMethod.OTHER.label, default=False)
    other_method = models.CharField(_("其他沟通方式"), max_length=100, blank=True)

    handling_effect = models.CharField(_("办理效果"), max_length=16, choices=HandlingEffect.choices, blank=True)
    satisfaction = models.CharField(_("办理评价"), max_length=16, choices=Satisfaction.choices, blank=True)
    publish_consent = models.BooleanField(_("是否公开"), null=True, blank=True)
    opinion = models.TextField(_("对办理情况的意见"), blank=True)
    signature = models.ImageField(_("签名"), upload_to="signatures/", blank=True)
    submitted_at = models.DateTimeField(_("签名时间"), null=True, blank=True)

    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签收人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    received_at = models.DateTimeField(_("签收时间"), null=True, blank=True)

    paper_scan = models.FileField(_("纸质表扫描件"), upload_to="feedback/scans/", blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    needs_attention = models.TextField(_("待核实问题"), blank=True)
    # Set when the form is submitted: a SHA-256 over the canonical content and the signature
    # bytes, and the short code printed on the signed PDF that /verify/<code>/ checks.
    content_sha256 = models.CharField(_("内容摘要"), max_length=64, blank=True, editable=False)
    verification_code = models.CharField(_("验证码"), max_length=16, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        verbose_name = _("征询意见表")
        verbose_name_plural = _("征询意见表")
        ordering = ["-submitted_at", "pk"]
        constraints = [
            choice_constraint("channel", Channel),
            choice_constraint("handling_effect", HandlingEffect, allow_blank=True),
            choice_constraint("satisfaction", Satisfaction, allow_blank=True),
            models.UniqueConstraint(fields=["reply", "member"], name="%(app_label)s_%(class)s_one_per_member"),
            models.UniqueConstraint(
                fields=["verification_code"],
                condition=~Q(verification_code=""),
                name="%(app_label)s_%(class)s_unique_verification_code",
            ),
            # A form submitted online carries exactly one effect and one satisfaction.
            models.CheckConstraint(
                condition=~Q(channel=Channel.ONLINE)
                | Q(submitted_at__isnull=True)
                | (~Q(handling_effect="") & ~Q(satisfaction="")),
                name="%(app_label)s_%(class)s_online_is_complete",
            ),
            # A paper form with a blank answer must say why a person has to look at it.
            models.CheckConstraint(
                condition=~Q(channel=Channel.PAPER)
                | Q(submitted_at__isnull=True)
                | (~Q(handling_effect="") & ~Q(satisfaction=""))
                | ~Q(needs_attention=""),
                name="%(app_label)s_%(class)s_paper_gap_is_flagged",
            ),
            models.CheckConstraint(
                condition=Q(received_at__isnull=True) | Q(received_by__isnull=False),
                name="%(app_label)s_%(class)s_receipt_has_receiver",
            ),
        ]

    def __str__(self):
        return f"{self.member.name} · {self.reply}"

    @property
    def is_submitted(self):
        return self.submitted_at is not None

    @property
    def methods(self):
        """The ticked communication methods, in the order of the printed form."""
        ticks = {
            ContactMethod.VISIT: self.by_visit,
            ContactMethod.MEETING: self.by_meeting,
            ContactMethod.PHONE: self.by_phone,
            ContactMethod.LETTER: self.by_letter,
            ContactMethod.FORUM: self.by_forum,
            ContactMethod.OTHER: self.by_other,
        }
        return [method for method, ticked in ticks.items() if ticked]
