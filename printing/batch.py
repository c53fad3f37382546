"""Batch printing: many letters (and their feedback forms) merged into one PDF.

Each document is rendered on its own (so each letter keeps its own page numbers) and
stored like any single download; a version already stored is not rendered again. The
documents still to render go to a process pool, one worker per core, each worker with
its own FontConfiguration kept warm from one document to the next; this process reads the
records, stores each render as it arrives and merges while the workers render.
"""

import io
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from django.utils.translation import gettext as _

from feedback.models import Feedback
from replies.models import Reply

from . import documents, worker
from .pdf import PrintError


class BatchTooLarge(PrintError):
    pass


def replies_for(*, session=None, unit=None, ids=None, user=None):
    qs = Reply.objects.issued()
    if user is not None:
        qs = qs.visible_to(user)
    if session is not None:
        qs = qs.filter(assignment__proposal__session=session)
    if unit is not None:
        qs = qs.filter(assignment__unit=unit)
    if ids:
        qs = qs.filter(pk__in=ids)
    return qs.select_related("assignment__unit", "assignment__proposal").order_by(
        "assignment__proposal__serial", "assignment__pk", "round"
    )


def jobs_for(replies, *, with_forms=False):
    """(kind, pk) for each document to print, in print order: a letter, then its signed forms."""
    jobs = []
    forms = {}
    if with_forms:
        for fb in Feedback.objects.submitted().filter(reply__in=[r.pk for r in replies]).order_by("pk"):
            forms.setdefault(fb.reply_id, []).append(fb.pk)
    for reply in replies:
        jobs.append(("reply", reply.pk))
        jobs.extend(("feedback", pk) for pk in forms.get(reply.pk, []))
    return jobs


def printable(job, site_url=""):
    """The document of one job, built from the records (in the calling process: it reads the database)."""
    kind, pk = job
    if kind == "reply":
        reply = Reply.objects.select_related("assignment__unit", "assignment__proposal").get(pk=pk)
        return documents.reply_letter(reply)
    fb = Feedback.objects.select_related(
        "reply__assignment__unit", "reply__assignment__proposal", "member", "received_by"
    ).get(pk=pk)
    return documents.feedback_form(fb, site_url=site_url)


def stored_document(job, site_url=""):
    """The RenderedDocument of one job, rendering it if its version is not stored yet."""
    return documents.stored_pdf(printable(job, site_url))


def pdfs(jobs, *, site_url="", workers=1):
    """The PDF bytes of each job, in order, as they become ready.

    A version already stored is read from storage (not rendered again); the others are
    rendered, in a pool of `workers` processes when there are enough of them, and stored
    by this process as each arrives. Workers only render (HTML in, PDF out): they never
    touch the database.
    """
    items = [printable(job, site_url) for job in jobs]
    stored = _stored_versions(items)
    missing = [item for item in items if _version(item) not in stored]
    rendered = _render_many(missing, workers)
    try:
        for item in items:
            data = stored.get(_version(item))
            if data is None:
                data, render_ms = next(rendered)
                documents.store(item, data, render_ms)
            yield data
    finally:
        rendered.close()


def _version(item):
    return (item.kind, item.object_id, item.content_hash)


def _stored_versions(items):
    """{version: PDF bytes} for the items whose current version is stored; a row whose file is gone is dropped."""
    from .models import RenderedDocument

    wanted = {_version(item) for item in items}
    found = {}
    candidates = RenderedDocument.objects.filter(
        object_id__in={item.object_id for item in items}, content_hash__in={item.content_hash for item in items}
    )
    for doc in candidates:
        if (doc.kind, doc.object_id, doc.content_hash) not in wanted:
            continue
        try:
            with doc.file.open("rb") as fh:
                found[(doc.kind, doc.object_id, doc.content_hash)] = fh.read()
        except OSError:
            doc.delete()  # the row outlived its file: render again
    return found


# Below this many documents to render, a pool costs more to start than it saves.
MIN_POOL_JOBS = 8


def _render_many(items, workers):
    """(PDF bytes, render ms) for each item, in order; lazily, so the caller merges while workers render."""
    if workers <= 1 or len(items) < MIN_POOL_JOBS:
        for item in items:
            started = time.perf_counter()
            data = item.render()
            yield data, int((time.perf_counter() - started) * 1000)
        return
    pool = ProcessPoolExecutor(
        max_workers=min(workers, len(items)), mp_context=_pool_context(), initializer=worker.start
    )
    try:
        yield from pool.map(worker.render, [(item.html, item.stylesheet, item.assets) for item in items])
    finally:
        # On an error (or when the caller stops early) drop the renders not started yet.
        pool.shutdown(wait=True, cancel_futures=True)


def _pool_context():
    """fork when this process runs one thread (the command line: workers start warm and at once);
    spawn from a threaded process (the web app's background job), where forking is unsafe."""
    return get_context("fork" if threading.active_count() == 1 else "spawn")


def build(jobs, *, limit, site_url="", workers=1, progress=None):
    """One PDF of all jobs in order, each document with its own page numbers."""
    from pypdf import PdfWriter

    if not jobs:
        raise PrintError(_("没有可打印的答复函。"))
    if len(jobs) > limit:
        raise BatchTooLarge(
            _("一次最多打印 %(limit)d 份文件，本次选择了 %(count)d 份，请按承办单位或编号分批打印。")
            % {"limit": limit, "count": len(jobs)}
        )
    writer = PdfWriter()
    for done, data in enumerate(pdfs(jobs, site_url=site_url, workers=workers), start=1):
        writer.append(io.BytesIO(data))
        if progress:
            progress(done, len(jobs))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def default_workers():
    return max(1, min(os.cpu_count() or 1, 4))
