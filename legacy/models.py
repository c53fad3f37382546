"""One imported reply document: its bytes' fingerprint, its text, what was read from it, and its review.

An app of its own (see legacy/__init__.py): the import writes ordinary proposals, replies and
feedback; this model remembers where they came from and whether a person has checked them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from proposals import access
from proposals.limits import REASON, length_constraint
from proposals.models import Body, Proposal, choice_constraint
from replies.models import CoHandlingOpinion, Reply


class ImportStatus(models.TextChoices):
    NEEDS_REVIEW = "needs_review", _("已导入，待核实")
    CONFIRMED = "confirmed", _("已核实")
    REFUSED = "refused", _("未导入")


class DocumentKind(models.TextChoices):
    REPLY = "reply", _("答复函")
    OPINION = "opinion", _("会办意见")


class ImportedDocumentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A supervisor sees every import; a committee office the imports of its body and its own uploads."""
        scope = access.scope_of(user)
        if scope.everything:
            return self
        if not scope.bodies:
            return self.none()
        return self.filter(Q(body__in=scope.bodies) | Q(uploaded_by=user))


def can_import(user):
    """Importing old replies is a committee office's or the supervision office's job."""
    scope = access.scope_of(user)
    return scope.everything or bool(scope.bodies)


class ImportedDocument(models.Model):
    file_name = models.CharField(_("文件名"), max_length=255)
    sha256 = models.CharField(_("文件摘要"), max_length=64, help_text=_("文件字节的 SHA-256，同一文件只导入一次"))
    encoding = models.CharField(_("编码"), max_length=20, blank=True)
    # Read from a file of at most 5 MB (legacy/extract.py): never more characters than that.
    source_text = models.TextField(_("原文"), max_length=5 * 1024 * 1024)
    extracted = models.JSONField(_("识别结果"), default=dict)
    body = models.CharField(_("届别"), max_length=8, choices=Body.choices, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=ImportStatus)
    kind = models.CharField(
        _("文件类型"), max_length=8, choices=DocumentKind, blank=True, help_text=_("未导入的文件为空")
    )
    refusal_reason = models.TextField(_("未导入原因"), max_length=REASON, blank=True)
    proposal = models.ForeignKey(
        Proposal, verbose_name=_("建议提案"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reply = models.ForeignKey(
        Reply, verbose_name=_("答复函"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    opinion = models.ForeignKey(
        CoHandlingOpinion,
        verbose_name=_("会办意见"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Which records the import matched or created, as shown to the reviewer.
    records = models.JSONField(_("匹配与新建的记录"), default=dict, blank=True)
    # What this import created (model label → primary keys), so a refusal can take it back.
    created_records = models.JSONField(_("新建记录"), default=dict, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("导入时间"), default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核实人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("核实时间"), null=True, blank=True)

    objects = ImportedDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("导入的答复文件")
        verbose_name_plural = _("导入的答复文件")
        ordering = ["-uploaded_at", "-pk"]
        constraints = [
            choice_constraint("status", ImportStatus),
            choice_constraint("body", Body, allow_blank=True),
            choice_constraint("kind", DocumentKind, allow_blank=True),
            models.UniqueConstraint(fields=["sha256"], name="%(app_label)s_%(class)s_unique_sha256"),
            models.CheckConstraint(
                condition=~Q(status=ImportStatus.REFUSED) | ~Q(refusal_reason=""),
                name="%(app_label)s_%(class)s_refusal_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status=ImportStatus.CONFIRMED) | Q(reviewed_at__isnull=False),
                name="%(app_label)s_%(class)s_confirmation_is_dated",
            ),
            length_constraint("refusal_reason", REASON),
        ]
        indexes = [models.Index(fields=["status", "uploaded_at"])]

    def __str__(self):
        return self.file_name

    def get_absolute_url(self):
        return reverse("legacy:review", args=[self.pk])

    @property
    def is_opinion(self):
        return self.kind == DocumentKind.OPINION

    @property
    def needs_review(self):
        return self.status == ImportStatus.NEEDS_REVIEW

    def field(self, name):
        """One extracted field as stored: {"value": …, "confidence": …}."""
        return (self.extracted or {}).get(name) or {"value": None, "confidence": "missing"}
