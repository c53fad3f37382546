"""Running batch prints in the background.

Embedded default (BANLI_PRINT_JOBS="thread"): a daemon thread of the web process builds the
PDF and writes its progress to the BatchJob row, so any app server can report it. Tests use
"inline" (run before the response). A deployment with a task queue calls `run(job_id)` from
its worker instead.
"""

import logging
import threading

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import close_old_connections, connection
from django.utils import timezone
from django.utils.translation import gettext as _

from . import batch
from .models import BatchJob, BatchStatus
from .pdf import PrintError

logger = logging.getLogger(__name__)


def start(job):
    if settings.BANLI_PRINT_JOBS == "inline":
        run(job.pk)
        return
    thread = threading.Thread(target=_run_in_thread, args=(job.pk,), name=f"batch-print-{job.pk}", daemon=True)
    thread.start()


def _run_in_thread(job_id):
    close_old_connections()
    try:
        run(job_id)
    finally:
        connection.close()


def run(job_id):
    job = BatchJob.objects.select_related("session", "unit", "requested_by").get(pk=job_id)
    replies = list(batch.replies_for(session=job.session, unit=job.unit, user=job.requested_by))
    jobs = batch.jobs_for(replies, with_forms=job.with_forms)
    BatchJob.objects.filter(pk=job_id).update(status=BatchStatus.RUNNING, total=len(jobs), done=0)

    def progress(done, total):
        BatchJob.objects.filter(pk=job_id).update(done=done)

    try:
        data = batch.build(
            jobs,
            limit=settings.BANLI_PDF_BATCH_MAX,
            site_url=settings.BANLI_SITE_URL,
            workers=batch.default_workers(),
            progress=progress,
        )
    except PrintError as exc:
        BatchJob.objects.filter(pk=job_id).update(status=BatchStatus.FAILED, error=str(exc), finished_at=timezone.now())
        return
    except Exception:
        logger.exception("Batch print %s failed", job_id)
        BatchJob.objects.filter(pk=job_id).update(
            status=BatchStatus.FAILED, error=_("生成失败，请稍后重试。"), finished_at=timezone.now()
        )
        return
    job.file.save(f"batch-{job_id}.pdf", ContentFile(data), save=False)
    BatchJob.objects.filter(pk=job_id).update(
        status=BatchStatus.DONE, file=job.file.name, done=len(jobs), finished_at=timezone.now()
    )
