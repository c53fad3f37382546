from django.contrib import admin

from proposals.admin import RecordAdmin
from proposals.models import Assignment

from .models import Urge


@admin.register(Urge)
class UrgeAdmin(RecordAdmin):
    """The 催办 ledger, read-only: 催办 is done from the overdue lists."""

    scoped = False
    list_display = ["urged_at", "assignment", "method", "due_on", "urged_by", "note"]
    list_filter = ["method"]
    search_fields = ["assignment__proposal__number", "assignment__unit__name", "note"]
    list_select_related = ["assignment__proposal", "assignment__unit", "urged_by"]

    def get_queryset(self, request):
        return Urge.objects.filter(assignment__in=Assignment.objects.visible_to(request.user))
