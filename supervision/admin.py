from django.contrib import admin

from notifications.models import Delivery
from proposals import access
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


@admin.register(Delivery)
class DeliveryAdmin(RecordAdmin):
    """The ledger of e-mails and text messages, read-only, for supervisors: what went to whom, and when."""

    scoped = False
    list_display = ["sent_at", "event", "channel", "recipient", "address", "subject", "note"]
    list_filter = ["event", "channel"]
    search_fields = ["address", "subject", "key", "recipient"]

    def has_module_permission(self, request):
        return access.can_supervise(request.user)

    def has_view_permission(self, request, obj=None):
        return access.can_supervise(request.user)
