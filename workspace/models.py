"""Reusable paragraphs a unit pastes into its replies (段落模板)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from proposals.models import HandlingUnit


class ParagraphTemplateQuerySet(models.QuerySet):
    def for_units(self, unit_ids):
        return self.filter(unit_id__in=unit_ids)


class ParagraphTemplate(models.Model):
    """A paragraph a unit reuses across replies: an opening, a closing, a standard policy text."""

    unit = models.ForeignKey(
        HandlingUnit, verbose_name=_("承办单位"), on_delete=models.CASCADE, related_name="paragraph_templates"
    )
    title = models.CharField(_("名称"), max_length=60, help_text=_("如：开头语、结束语"))
    body = models.TextField(_("段落内容"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("修改时间"), default=timezone.now)

    objects = ParagraphTemplateQuerySet.as_manager()

    class Meta:
        verbose_name = _("段落模板")
        verbose_name_plural = _("段落模板")
        ordering = ["unit", "title"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "title"], name="%(app_label)s_%(class)s_unique_title"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("proposals:template_edit", args=[self.pk])
