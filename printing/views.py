"""Downloads: reply letters (PDF, print preview, DOCX), feedback forms, batch printing.

Every view fetches its object through `.visible_to(request.user)`: what a user may not
see is 404. PDFs come from storage when their version was rendered before (ETag,
If-None-Match → 304); a render failure shows a Chinese error page and stores nothing.
"""

import io

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from feedback.models import Feedback
from proposals import access
from replies.models import Reply
from supervision import report as supervision_report
from supervision.models import Escalation
from supervision.views import dashboard_criteria, report_scope_label

from . import batch, documents, report, tasks
from .docx import reply_docx, safe_filename
from .forms import BatchForm
from .models import BatchJob, BatchStatus
from .pdf import PrintError

REPLY_RELATED = ("assignment__unit", "assignment__proposal__lead", "assignment__proposal__session", "signer")


def _reply(request, pk):
    return access.get_visible_or_404(Reply.objects.select_related(*REPLY_RELATED), request.user, pk=pk)


def _error(request, message, status=503):
    return render(request, "printing/error.html", {"message": message}, status=status)


def pdf_response(request, printable, *, download_name=None):
    # A browser that has this version already gets 304: the hash is known before any render.
    not_modified = get_conditional_response(request, etag=f'"{printable.content_hash}"')
    if not_modified is not None:
        not_modified["Cache-Control"] = "private, no-cache"
        return not_modified
    try:
        stored = documents.stored_pdf(printable)
    except PrintError as exc:
        return _error(request, str(exc))
    response = FileResponse(
        stored.file.open("rb"), content_type="application/pdf", filename=download_name or printable.filename
    )
    response.block_size = 256 * 1024
    response["Content-Length"] = stored.size
    response["ETag"] = stored.etag
    response["Cache-Control"] = "private, no-cache"
    return response


@require_GET
def reply_pdf(request, pk):
    reply = _reply(request, pk)
    return pdf_response(request, documents.reply_letter(reply), download_name=f"{reply.title}.pdf")


@require_GET
def reply_print(request, pk):
    reply = _reply(request, pk)
    return HttpResponse(documents.reply_letter_preview(reply, csp_nonce=getattr(request, "csp_nonce", "")))


@require_GET
def reply_docx_view(request, pk):
    reply = _reply(request, pk)
    return FileResponse(
        io.BytesIO(reply_docx(reply)),
        as_attachment=True,
        filename=f"{safe_filename(reply.title)}.docx",
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


@require_GET
def reply_feedback_form(request, pk):
    """The paper form to send with a reply, pre-filled for its lead member (or ?member= one of its members)."""
    reply = _reply(request, pk)
    members = reply.assignment.proposal.members_in_order
    member = members[0]
    wanted = request.GET.get("member", "")
    if wanted:
        member = next((m for m in members if str(m.pk) == wanted), None)
        if member is None:
            raise Http404
    return pdf_response(request, documents.reply_form(reply, member))


@require_GET
def reply_packet(request, pk):
    """The mailing packet of an issued reply: the letter and the pre-filled forms, one PDF."""
    reply = _reply(request, pk)
    if not reply.is_issued:
        raise Http404
    if not access.can_send_out(request.user, reply.assignment):
        raise PermissionDenied
    try:
        data = batch.packet(reply)
    except PrintError as exc:
        return _error(request, str(exc))
    return FileResponse(
        io.BytesIO(data), filename=f"{safe_filename(reply.title)}-邮寄套件.pdf", content_type="application/pdf"
    )


@require_GET
def blank_feedback_form(request):
    return pdf_response(request, documents.blank_form())


@require_GET
def feedback_pdf(request, pk):
    feedback = access.get_visible_or_404(
        Feedback.objects.select_related(
            "reply__assignment__unit", "reply__assignment__proposal", "member", "received_by"
        ),
        request.user,
        pk=pk,
    )
    return pdf_response(request, documents.feedback_form(feedback, site_url=request.build_absolute_uri("/")))


def batch_print(request):
    """Ask for the issued replies of a session (optionally one unit) as one PDF, built in the
    background: a supervisor every unit's, an office its body's, a unit its own."""
    if not access.can_batch_print(request.user):
        raise Http404
    form = BatchForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        replies = list(batch.replies_for(session=data["session"], unit=data["unit"], user=request.user))
        count = batch.count(replies, with_forms=data["with_forms"], packets=data["packets"])
        if count == 0:
            form.add_error(None, _("所选范围内没有已发出的答复函。"))
        elif count > settings.BANLI_PDF_BATCH_MAX:
            form.add_error(
                None,
                _("一次最多打印 %(limit)d 份文件，本次选择了 %(count)d 份，请按承办单位分批打印。")
                % {"limit": settings.BANLI_PDF_BATCH_MAX, "count": count},
            )
        else:
            job = form.save(commit=False)
            job.requested_by = request.user
            job.total = count
            job.save()
            tasks.start(job)
            return redirect("printing:batch_detail", pk=job.pk)
    recent = BatchJob.objects.visible_to(request.user).select_related("session", "unit")[:10]
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "jobs": recent, "limit": settings.BANLI_PDF_BATCH_MAX}
    return render(request, "printing/batch.html", context, status=status)


def _job(request, pk):
    return access.get_visible_or_404(BatchJob.objects.select_related("session", "unit"), request.user, pk=pk)


@require_GET
def batch_detail(request, pk):
    job = _job(request, pk)
    if job.is_stale:
        job.status, job.error = BatchStatus.FAILED, _("生成中断（服务器曾重启），请重新生成。")
    return render(request, "printing/batch_detail.html", {"job": job})


@require_GET
def batch_status(request, pk):
    job = _job(request, pk)
    if job.is_stale:
        job.status, job.error = BatchStatus.FAILED, _("生成中断（服务器曾重启），请重新生成。")
    return JsonResponse(
        {
            "status": job.status,
            "status_display": job.get_status_display(),
            "done": job.done,
            "total": job.total,
            "percent": job.percent,
            "error": job.error,
            "download_url": reverse("printing:batch_download", args=[job.pk]) if job.status == BatchStatus.DONE else "",
        }
    )


@require_GET
def batch_download(request, pk):
    job = _job(request, pk)
    if job.status != BatchStatus.DONE or not job.file:
        raise Http404
    name = f"{job.session.name}{'-' + job.unit.short_name if job.unit else ''}.pdf"
    response = FileResponse(job.file.open("rb"), as_attachment=True, filename=name, content_type="application/pdf")
    response.block_size = 256 * 1024
    return response


@require_GET
def escalation_notice_pdf(request, pk):
    """The 督办通知单: for whoever follows the session (督查室, the body's office) and the unit it is addressed to."""
    related = ("assignment__unit", "assignment__proposal__lead", "assignment__proposal__session", "level", "rule")
    escalation = access.get_visible_or_404(Escalation.objects.select_related(*related), request.user, pk=pk)
    assignment = escalation.assignment
    if not (
        access.can_follow(request.user, assignment.proposal.session) or access.can_work_on(request.user, assignment)
    ):
        raise Http404
    return pdf_response(request, documents.escalation_notice(escalation))


def _annual_report(request):
    """The 通报 figures for the dashboard's filter as the user sees it (their scope, their choices)."""
    f, criteria, _qs = dashboard_criteria(request)
    return supervision_report.report_figures(criteria, scope_label=report_scope_label(f))


@require_GET
def annual_report_pdf(request):
    """The 办理情况通报 draft, typeset; made fresh each time (the figures move)."""
    figures = _annual_report(request)
    try:
        pdf = report.report_pdf(figures)
    except PrintError as exc:
        return _error(request, str(exc))
    return HttpResponse(
        pdf,
        content_type="application/pdf",
        headers={"Content-Disposition": content_disposition_header(False, f"{report.title(figures)}.pdf")},
    )


@require_GET
def annual_report_docx(request):
    """The same draft as Word, for the office to edit before it issues the 通报."""
    figures = _annual_report(request)
    return HttpResponse(
        report.report_docx(figures),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        headers={"Content-Disposition": content_disposition_header(True, f"{report.title(figures)}.docx")},
    )
