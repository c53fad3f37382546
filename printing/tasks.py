"""Batch prints run as tasks (django-tasks): inline where the embedded default runs them
(BANLI_TASKS_BACKEND=immediate), in `manage.py db_worker` processes with the database backend
(several app servers). The BatchJob row carries the progress any app server reports."""

import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from proposals.files import message_for
from proposals.site import site_url

from . import batch
from .models import BatchJob, BatchStatus
from .pdf import PrintError

logger = logging.getLogger(__name__)


def start(job: BatchJob) -> None:
    build_batch.enqueue(job.pk)


@task()
def build_batch(job_id: int) -> None:
    """Build one batch print's PDF, writing its progress to its row."""
    job = BatchJob.objects.select_related("session", "unit", "requested_by").get(pk=job_id)
    mine = BatchJob.objects.filter(pk=job_id)
    replies = list(batch.replies_for(session=job.session, unit=job.unit, user=job.requested_by))
    mine.update(
        status=BatchStatus.RUNNING, total=batch.count(replies, with_forms=job.with_forms, packets=job.packets), done=0
    )

    def progress(done: int, total: int) -> None:
        mine.update(done=done, total=total)

    try:
        data = batch.build(
            replies,
            limit=settings.BANLI_PDF_BATCH_MAX,
            with_forms=job.with_forms,
            packets=job.packets,
            site_url=site_url(),
            progress=progress,
        )
    except PrintError as exc:
        mine.update(status=BatchStatus.FAILED, error=str(exc), finished_at=timezone.now())
        return
    except Exception:
        logger.exception("Batch print %s failed", job_id)
        mine.update(status=BatchStatus.FAILED, error=_("生成失败，请稍后重试。"), finished_at=timezone.now())
        return
    try:
        job.file.save(f"batch-{job_id}.pdf", ContentFile(data), save=False)
    except OSError as exc:  # a full disk: the atomic storage left nothing behind
        logger.error("Storing batch print %s failed", job_id, exc_info=True)
        mine.update(status=BatchStatus.FAILED, error=str(message_for(exc)), finished_at=timezone.now())
        return
    mine.update(status=BatchStatus.DONE, file=job.file.name, finished_at=timezone.now())
