"""The 交办清单 import: upload and preview, confirm, and the blank template to fill in."""

import hashlib
import re

from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from proposals.models import DuplicateNumber, TransitionError

from . import importer
from .filters import ImportForm
from .views import oversight_scope

SHA = re.compile(r"^[0-9a-f]{64}$")


def _import_path(sha):
    return f"imports/{sha}.xlsx"


def import_assignments(request):
    oversight_scope(request.user)
    context = {"form": ImportForm()}
    if request.method == "POST" and "confirm" in request.POST:
        sha = request.POST.get("sha", "")
        if not SHA.match(sha) or not default_storage.exists(_import_path(sha)):
            messages.error(request, _("找不到待确认的文件，请重新上传。"))
            return redirect("supervision:import")
        with default_storage.open(_import_path(sha), "rb") as fh:
            data = fh.read()
        try:
            plan = importer.Planner(request.user).plan(data)
        except importer.ImportFileError as exc:
            messages.error(request, str(exc))
            return redirect("supervision:import")
        if not plan.ok:
            context.update(plan=plan, sha=sha)
            messages.error(request, _("清单有错误，未导入任何数据。"))
            return render(request, "supervision/import.html", context)
        try:
            created = importer.apply(plan, user=request.user)
        except (IntegrityError, DuplicateNumber, TransitionError):
            # Someone registered the same numbers (or assigned the same units) between the check
            # and the write: nothing was kept.
            messages.error(request, _("导入期间数据已发生变化，未导入任何数据，请重新上传预览。"))
            return redirect("supervision:import")
        default_storage.delete(_import_path(sha))
        messages.success(
            request,
            _("导入完成：新增建议提案 %(p)s 件，交办 %(a)s 条。")
            % {"p": created["proposals"], "a": created["assignments"]},
        )
        return redirect("supervision:import")
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            data = form.cleaned_data["file"].read()
            try:
                plan = importer.Planner(request.user).plan(data)
            except importer.ImportFileError as exc:
                form.add_error("file", str(exc))
            else:
                sha = hashlib.sha256(data).hexdigest()
                if plan.ok and not default_storage.exists(_import_path(sha)):
                    default_storage.save(_import_path(sha), ContentFile(data))
                context.update(plan=plan, sha=sha)
    return render(request, "supervision/import.html", context)


@require_GET
def import_template(request):
    """A blank 交办清单 with the importer's own headers, and the office's sessions and units to pick from."""
    scope = oversight_scope(request.user)
    data = importer.template(bodies=scope.oversight_bodies)
    return FileResponse(data, as_attachment=True, filename=_("交办清单模板.xlsx"))
