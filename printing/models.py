"""Stored renders: each PDF is rendered once per content version and kept on the default storage.

The version is a SHA-256 over everything that goes into the PDF (the rendered HTML, which
holds every printed field and the configured fonts, plus the bytes of its images), so any
change to a reply, its unit, its proposal or a feedback form gives a new version, and an
unchanged document is served from storage with that hash as its ETag.
"""

import datetime
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from proposals.access import User
from proposals.files import message_for
from proposals.models import choice_constraint

from .pdf import PrintError

logger = logging.getLogger(__name__)


class DocumentKind(models.TextChoices):
    REPLY_LETTER = "reply_letter", _("答复函")
    FEEDBACK_FORM = "feedback_form", _("征询意见表")
    REPLY_FORM = "reply_form", _("征询意见表（预填）")
    BLANK_FORM = "blank_form", _("征询意见表（空白）")
    ESCALATION_NOTICE = "escalation_notice", _("督办通知单")


class RenderedDocumentQuerySet(models.QuerySet):
    def lookup(self, kind: str, object_id: int, content_hash: str) -> "RenderedDocument | None":
        return self.filter(kind=kind, object_id=object_id, content_hash=content_hash).first()


class RenderedDocument(models.Model):
    kind = models.CharField(_("文档类型"), max_length=20, choices=DocumentKind)
    object_id = models.PositiveBigIntegerField(_("对象编号"))
    content_hash = models.CharField(_("内容摘要"), max_length=64)
    file = models.FileField(_("文件"), upload_to="printing/", max_length=200)
    size = models.PositiveIntegerField(_("字节数"))
    render_ms = models.PositiveIntegerField(_("生成耗时（毫秒）"), default=0)
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)

    objects = RenderedDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("已生成文档")
        verbose_name_plural = _("已生成文档")
        ordering = ["-created_at"]
        constraints = [
            choice_constraint("kind", DocumentKind),
            models.UniqueConstraint(
                fields=["kind", "object_id", "content_hash"], name="%(app_label)s_%(class)s_unique_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.object_id} {self.content_hash[:12]}"

    @property
    def etag(self) -> str:
        return f'"{self.content_hash}"'

    @classmethod
    def store(
        cls, *, kind: str, object_id: int, content_hash: str, data: bytes, render_ms: int = 0
    ) -> "RenderedDocument | None":
        """Keep one render; older versions of the same document are removed with their files."""
        try:
            name = default_storage.save(f"printing/{kind}/{object_id}/{content_hash}.pdf", ContentFile(data))
        except OSError as exc:  # a full disk: the atomic storage left no partial file, and no row is made
            logger.error("Storing a rendered %s failed", kind, exc_info=True)
            raise PrintError(message_for(exc)) from exc
        try:
            with transaction.atomic():
                doc = cls.objects.create(
                    kind=kind,
                    object_id=object_id,
                    content_hash=content_hash,
                    file=name,
                    size=len(data),
                    render_ms=render_ms,
                )
        except IntegrityError:
            # Another process stored the same version meanwhile: keep theirs.
            default_storage.delete(name)
            return cls.objects.lookup(kind, object_id, content_hash)
        except BaseException:
            default_storage.delete(name)  # no row for it: do not leave the file behind
            raise
        for old in cls.objects.filter(kind=kind, object_id=object_id).exclude(pk=doc.pk):
            old.file.delete(save=False)
            old.delete()
        return doc


# A batch job that has not finished this long after it was asked for is reported as interrupted.
STALE_AFTER = datetime.timedelta(minutes=30)


class BatchStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class BatchJobQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> "models.QuerySet[BatchJob]":
        """The user's own batch jobs (supervisors, offices and unit staff print batches)."""
        from proposals import access

        if not access.can_batch_print(user):
            return self.none()
        return self.filter(requested_by=user)


class BatchJob(models.Model):
    """One batch print a supervisor, an office or a unit asked for: built by a task (printing/tasks.py), progress kept here."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.CASCADE, related_name="+"
    )
    session = models.ForeignKey("proposals.Session", verbose_name=_("会次"), on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        "proposals.HandlingUnit",
        verbose_name=_("承办单位"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    with_forms = models.BooleanField(_("附征询意见表"), default=False)
    packets = models.BooleanField(_("邮寄套件"), default=False)
    status = models.CharField(_("状态"), max_length=10, choices=BatchStatus, default=BatchStatus.QUEUED)
    total = models.PositiveIntegerField(_("文件数"), default=0)
    done = models.PositiveIntegerField(_("已完成"), default=0)
    file = models.FileField(_("文件"), upload_to="printing/batches/", blank=True, max_length=200)
    error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = BatchJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("批量打印")
        verbose_name_plural = _("批量打印")
        ordering = ["-created_at"]
        constraints = [choice_constraint("status", BatchStatus)]

    def __str__(self) -> str:
        return f"{self.session} {self.get_status_display()}"

    @property
    def percent(self) -> int:
        if self.status == BatchStatus.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (BatchStatus.DONE, BatchStatus.FAILED)

    @property
    def is_stale(self) -> bool:
        """Unfinished long after it was asked for: the worker that ran it has gone (restart, crash)."""
        return not self.is_finished and timezone.now() - self.created_at > STALE_AFTER
