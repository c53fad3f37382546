"""Upload old replies, and review what was read from each one next to its source text.

Only a committee office (代表室/提案委) or the supervision office (督查室) may import; anyone
else gets 404, as everywhere in Banli.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from proposals.access import get_visible_or_404
from proposals.views.similar import candidates

from . import services
from .extract import DocumentError, check_size
from .forms import RefuseForm, ReviewForm, UploadForm
from .models import ImportedDocument, can_import
from .presenting import describe, recognition, record_rows, source_segments

STATUS_LEVEL = {"imported": messages.SUCCESS, "already_imported": messages.INFO}


class ImportAccessMixin:
    def dispatch(self, request, *args, **kwargs):
        if not can_import(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class ImportListView(ImportAccessMixin, ListView):
    paginate_by = 50
    template_name = "legacy/import_list.html"
    context_object_name = "documents"

    def get_queryset(self):
        return ImportedDocument.objects.visible_to(self.request.user).select_related(
            "uploaded_by", "reviewed_by", "proposal", "reply"
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(form=kwargs.pop("form", None) or UploadForm(), **kwargs)


@require_POST
def upload(request):
    if not can_import(request.user):
        raise Http404
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        view = ImportListView()
        view.setup(request)
        view.object_list = view.get_queryset()
        return render(request, view.template_name, view.get_context_data(form=form))
    outcomes = []
    for upload in form.cleaned_data["files"]:
        try:
            check_size(upload.size)  # before reading: a 1 GB upload is refused unread
        except DocumentError as error:
            messages.error(request, f"{upload.name}：{error}")
            continue
        outcome = services.import_document(file_name=upload.name, data=upload.read(), user=request.user)
        outcomes.append(outcome)
        level = STATUS_LEVEL.get(outcome.status, messages.ERROR)
        messages.add_message(request, level, f"{upload.name}：{outcome.message}")
    if len(outcomes) == 1 and outcomes[0].document and outcomes[0].document.needs_review:
        return redirect(outcomes[0].document)
    return redirect("legacy:list")


def review(request, pk):
    if not can_import(request.user):
        raise Http404
    document = get_visible_or_404(
        ImportedDocument.objects.select_related("reply__assignment__unit", "opinion__assignment__unit"),
        request.user,
        pk=pk,
    )
    reply, proposal = document.reply, document.proposal
    form = None
    if document.needs_review and document.is_opinion:
        # An opinion has no reply draft to correct: the reviewer confirms it or refuses the import.
        if request.method == "POST" and request.POST.get("action") == "confirm":
            services.confirm_import(document=document, user=request.user)
            messages.success(request, _("已核实：%(name)s") % {"name": document.file_name})
            return redirect("legacy:list")
    elif document.needs_review:
        editable = {
            "editable_proposal": services.created_by_import(document, proposal),
            "editable_assignment": reply is not None and services.created_by_import(document, reply.assignment),
            "editable_reply": reply is not None and reply.status == "draft",
        }
        initial = initial_values(document)
        if request.method == "POST":
            form = ReviewForm(request.POST, initial=initial, proposal=proposal, reply=reply, **editable)
            if form.is_valid():
                changed = services.apply_corrections(document=document, data=form.cleaned_data, user=request.user)
                if request.POST.get("action") == "confirm":
                    services.confirm_import(document=document, user=request.user)
                    messages.success(request, _("已核实：%(name)s") % {"name": document.file_name})
                    return redirect("legacy:list")
                if changed:
                    messages.success(request, _("已保存更正：%(what)s") % {"what": "、".join(changed)})
                else:
                    messages.info(request, _("没有改动。"))
                return redirect(document)
        else:
            form = ReviewForm(initial=initial, proposal=proposal, reply=reply, **editable)
    context = {
        "document": document,
        "rows": describe(document),
        "record_rows": record_rows(document),
        "sections": document.field("sections").get("value") or [],
        "segments": source_segments(document),
        # The imported proposal may repeat one already registered: 并案 candidates, as at registration.
        "similar": candidates(request, proposal) if proposal is not None else None,
        "recognition": recognition(document),
        "form": form,
        "refuse_form": RefuseForm(),
    }
    return render(request, "legacy/import_review.html", context)


@require_POST
def refuse(request, pk):
    if not can_import(request.user):
        raise Http404
    document = get_visible_or_404(ImportedDocument.objects, request.user, pk=pk)
    form = RefuseForm(request.POST)
    if not document.needs_review:
        messages.error(request, _("这份文件已处理过，不能再退回。"))
        return redirect(document)
    if not form.is_valid():
        messages.error(request, form.errors["reason"][0])
        return redirect(document)
    kept = services.refuse_import(document=document, user=request.user, reason=form.cleaned_data["reason"])
    note = _("；以下记录已被使用，保留未删：%(kept)s") % {"kept": "、".join(kept)} if kept else ""
    messages.success(
        request, _("已退回“%(name)s”，导入时新建的记录已删除%(note)s。") % {"name": document.file_name, "note": note}
    )
    return redirect("legacy:list")


def initial_values(document):
    reply, proposal = document.reply, document.proposal
    initial = {}
    if proposal is not None:
        initial.update(
            proposal_title=proposal.title,
            proposal_number=proposal.number,
            addressees=reply.addressees if reply else proposal.addressee_line(),
        )
    if reply is not None:
        initial.update(
            unit=reply.assignment.unit,
            reply_title=reply.title,
            doc_number=reply.doc_number,
            written_on=reply.written_on,
            result_class=reply.result_class,
            contact_person=reply.contact_person,
            contact_phone=reply.contact_phone,
            body=reply.body,
        )
    return initial
