"""Downloads: reply letters (PDF, print preview, DOCX), feedback forms, batch printing.

Every view fetches its object through `.visible_to(request.user)`: what a user may not
see is 404. PDFs come from storage when their version was rendered before (ETag,
If-None-Match → 304); a render failure shows a Chinese error page and stores nothing.
"""

from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from feedback.models import Feedback
from proposals import access
from proposals.models import HandlingUnit, Session
from replies.models import Reply

from . import batch, documents
from .docx import reply_docx, safe_filename
from .pdf import PrintError

REPLY_RELATED = ("assignment__unit", "assignment__proposal__lead", "signer")


def _reply(request, pk):
    return access.get_visible_or_404(Reply.objects.select_related(*REPLY_RELATED), request.user, pk=pk)


def _etag_matches(request, etag):
    header = request.headers.get("If-None-Match", "")
    return etag in [tag.strip() for tag in header.split(",")] or header.strip() == "*"


def _error(request, message, status=503):
    return render(request, "printing/error.html", {"message": message}, status=status)


def pdf_response(request, printable, *, download_name=None):
    etag = f'"{printable.content_hash}"'
    if _etag_matches(request, etag):
        response = HttpResponseNotModified()
        response["ETag"] = etag
        return response
    try:
        stored = documents.stored_pdf(printable)
    except PrintError as exc:
        return _error(request, str(exc))
    response = FileResponse(stored.file.open("rb"), content_type="application/pdf")
    response["Content-Length"] = stored.size
    response["ETag"] = stored.etag
    response["Cache-Control"] = "private, no-cache"
    name = download_name or printable.filename
    response["Content-Disposition"] = f"inline; filename=\"{printable.filename}\"; filename*=UTF-8''{quote(name)}"
    return response


@require_GET
def reply_pdf(request, pk):
    reply = _reply(request, pk)
    return pdf_response(request, documents.reply_letter(reply), download_name=f"{reply.title}.pdf")


@require_GET
def reply_print(request, pk):
    reply = _reply(request, pk)
    return HttpResponse(documents.reply_letter(reply, for_screen=True).html)


@require_GET
def reply_docx_view(request, pk):
    reply = _reply(request, pk)
    response = HttpResponse(
        reply_docx(reply), content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    name = f"{safe_filename(reply.title)}.docx"
    response["Content-Disposition"] = f"attachment; filename=\"reply-{reply.pk}.docx\"; filename*=UTF-8''{quote(name)}"
    return response


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


@require_GET
def batch_print(request):
    """Supervisors: the issued replies of a session (optionally one unit), with their signed forms, as one PDF."""
    if not access.can_supervise(request.user):
        raise Http404
    sessions = Session.objects.all()
    units = HandlingUnit.objects.all()
    context = {"sessions": sessions, "units": units, "limit": settings.BANLI_PDF_BATCH_MAX, "values": request.GET}
    if "session" not in request.GET:
        return render(request, "printing/batch.html", context)
    session = sessions.filter(pk=request.GET["session"]).first() if request.GET["session"].isdigit() else None
    unit_id = request.GET.get("unit", "")
    unit = units.filter(pk=unit_id).first() if unit_id.isdigit() else None
    if session is None or (unit_id and unit is None):
        context["error"] = _("请选择会次。") if session is None else _("承办单位不存在。")
        return render(request, "printing/batch.html", context, status=400)
    replies = list(batch.replies_for(session=session, unit=unit, user=request.user))
    jobs = batch.jobs_for(replies, with_forms=bool(request.GET.get("with_forms")))
    try:
        data = batch.build(jobs, limit=settings.BANLI_PDF_BATCH_MAX, site_url=request.build_absolute_uri("/"))
    except PrintError as exc:
        context["error"] = str(exc)
        return render(request, "printing/batch.html", context, status=400)
    response = HttpResponse(data, content_type="application/pdf")
    name = f"{session.name}{'-' + unit.short_name if unit else ''}.pdf"
    response["Content-Disposition"] = f"attachment; filename=\"batch-{session.pk}.pdf\"; filename*=UTF-8''{quote(name)}"
    return response
