from django.contrib import admin

from proposals.admin import RecordAdmin

from .models import ImportedDocument


@admin.register(ImportedDocument)
class ImportedDocumentAdmin(RecordAdmin):
    """Read-only: imports are made and reviewed on /imports/, where the rules live."""

    list_display = ["file_name", "status", "body", "proposal", "uploaded_by", "uploaded_at", "reviewed_by"]
    list_filter = ["status", "body"]
    search_fields = ["file_name", "sha256", "proposal__number", "proposal__title"]
    list_select_related = ["proposal", "uploaded_by", "reviewed_by"]
