"""Running batch prints in the background (BANLI_PRINT_JOBS).

- "thread" (embedded default, one server): a daemon thread of the web process builds the PDF
  and writes its progress to the BatchJob row, so any app server can report it.
- "queue" (several app servers): the web process only records the BatchJob (status 排队中);
  `manage.py print_worker` processes claim queued jobs one at a time, build them with the
  same code and write progress and a heartbeat to the row. The queue is the table itself, so
  jobs survive restarts of the web and worker processes; a job whose worker died mid-way goes
  back in the queue after BANLI_PRINT_WORKER_STALE_SECONDS of silence.
- "inline" (tests): built before the response.
"""

import datetime
import logging
import threading

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals.files import message_for
from proposals.site import site_url

from . import batch
from .models import BatchJob, BatchStatus
from .pdf import PrintError

logger = logging.getLogger(__name__)


def start(job):
    if settings.BANLI_PRINT_JOBS == "inline":
        run(job.pk)
        return
    if settings.BANLI_PRINT_JOBS == "queue":
        return  # the saved row (status 排队中) is the queue entry; a print_worker takes it
    thread = threading.Thread(target=_run_in_thread, args=(job.pk,), name=f"batch-print-{job.pk}", daemon=True)
    thread.start()


def _run_in_thread(job_id):
    close_old_connections()
    try:
        run(job_id)
    finally:
        connection.close()


# --- queue mode ---------------------------------------------------------------------------


def claim(worker):
    """Take the oldest queued job for `worker` (marked 生成中 with its name); None if the queue is empty.

    PostgreSQL: SELECT ... FOR UPDATE SKIP LOCKED, so concurrent workers each lock a different
    row without waiting. SQLite (one writer at a time): a conditional UPDATE that succeeds for
    exactly one worker; a worker that loses the race tries the next row.
    """
    now = timezone.now()
    claimed = {"status": BatchStatus.RUNNING, "worker": worker, "heartbeat_at": now}
    queued = BatchJob.objects.filter(status=BatchStatus.QUEUED).order_by("created_at", "pk")
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            job = queued.select_for_update(skip_locked=True).first()
            if job is None:
                return None
            BatchJob.objects.filter(pk=job.pk).update(**claimed)
            return job.pk
    for pk in queued.values_list("pk", flat=True)[:20]:
        if BatchJob.objects.filter(pk=pk, status=BatchStatus.QUEUED).update(**claimed):
            return pk
    return None


def requeue_abandoned(worker=None):
    """Put running jobs back in the queue whose worker went silent, or (at a worker's start) that
    this worker's previous life left behind. Returns how many."""
    silent = timezone.now() - datetime.timedelta(seconds=settings.BANLI_PRINT_WORKER_STALE_SECONDS)
    running = BatchJob.objects.filter(status=BatchStatus.RUNNING).exclude(worker="")
    count = running.filter(heartbeat_at__lt=silent).update(status=BatchStatus.QUEUED, worker="", done=0)
    if worker:
        count += running.filter(worker=worker).update(status=BatchStatus.QUEUED, worker="", done=0)
    if count:
        logger.warning("Batch print: %d abandoned job(s) put back in the queue", count)
    return count


# --- building one job -----------------------------------------------------------------------


def run(job_id, worker=""):
    """Build one job's PDF. With `worker` (queue mode), every write is conditional on the job
    still being this worker's, so a job handed to another worker meanwhile is not overwritten."""
    job = BatchJob.objects.select_related("session", "unit", "requested_by").get(pk=job_id)
    mine = BatchJob.objects.filter(pk=job_id, worker=worker) if worker else BatchJob.objects.filter(pk=job_id)
    replies = list(batch.replies_for(session=job.session, unit=job.unit, user=job.requested_by))
    jobs = batch.jobs_for(replies, with_forms=job.with_forms)
    mine.update(status=BatchStatus.RUNNING, total=len(jobs), done=0, heartbeat_at=timezone.now())

    def progress(done, total):
        mine.update(done=done, heartbeat_at=timezone.now())

    try:
        data = batch.build(
            jobs,
            limit=settings.BANLI_PDF_BATCH_MAX,
            site_url=site_url(),
            workers=batch.default_workers(),
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
    updated = mine.update(status=BatchStatus.DONE, file=job.file.name, done=len(jobs), finished_at=timezone.now())
    if not updated:
        job.file.delete(save=False)  # another worker has the job now; its file will be the one kept
