"""Batch printing: many letters (and their feedback forms) merged into one PDF.

Each document is rendered on its own (so each letter keeps its own page numbers) and
stored like any single download; the batch only merges the stored files. Uncached
documents can be rendered by a process pool, one worker per core.
"""

import io
import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from django.db import connections
from django.utils.translation import gettext as _

from feedback.models import Feedback
from replies.models import Reply

from . import documents
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


def stored_document(job, site_url=""):
    """The RenderedDocument of one job, rendering it if its version is not stored yet."""
    kind, pk = job
    if kind == "reply":
        reply = Reply.objects.select_related("assignment__unit", "assignment__proposal").get(pk=pk)
        printable = documents.reply_letter(reply)
    else:
        fb = Feedback.objects.select_related(
            "reply__assignment__unit", "reply__assignment__proposal", "member", "received_by"
        ).get(pk=pk)
        printable = documents.feedback_form(fb, site_url=site_url)
    return documents.stored_pdf(printable)


def _worker(args):
    job, site_url = args
    return stored_document(job, site_url).pk


def render_all(jobs, *, site_url="", workers=1, progress=None):
    """Stored documents for all jobs, in order; `workers` > 1 renders in a process pool."""
    from .models import RenderedDocument

    if workers > 1 and len(jobs) > 1:
        connections.close_all()  # forked workers open their own connections
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork")) as pool:
            ids = []
            for done, pk in enumerate(pool.map(_worker, [(job, site_url) for job in jobs], chunksize=4), start=1):
                ids.append(pk)
                if progress:
                    progress(done, len(jobs))
        by_pk = RenderedDocument.objects.in_bulk(ids)
        return [by_pk[pk] for pk in ids]
    docs = []
    for done, job in enumerate(jobs, start=1):
        docs.append(stored_document(job, site_url))
        if progress:
            progress(done, len(jobs))
    return docs


def merge(stored_docs):
    """One PDF from the stored files, in order."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for doc in stored_docs:
        with doc.file.open("rb") as fh:
            writer.append(io.BytesIO(fh.read()))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def build(jobs, *, limit, site_url="", workers=1, progress=None):
    if not jobs:
        raise PrintError(_("没有可打印的答复函。"))
    if len(jobs) > limit:
        raise BatchTooLarge(
            _("一次最多打印 %(limit)d 份文件，本次选择了 %(count)d 份，请按承办单位或编号分批打印。")
            % {"limit": limit, "count": len(jobs)}
        )
    return merge(render_all(jobs, site_url=site_url, workers=workers, progress=progress))


def default_workers():
    return max(1, min(os.cpu_count() or 1, 4))
