from django.contrib import admin

from proposals import access
from proposals.admin import RecordAdmin
from replies.models import Reply

from .models import Feedback, FeedbackLink, Notification


@admin.register(Feedback)
class FeedbackAdmin(RecordAdmin):
    """Forms are filled by members (or entered from paper by the office) on their pages; a sealed
    form is never changed or removed, and a correction is a new record with history."""

    list_display = [
        "member",
        "reply",
        "channel",
        "handling_effect",
        "satisfaction",
        "publish_consent",
        "submitted_at",
        "received_at",
    ]
    list_filter = ["channel", "satisfaction", "handling_effect", "publish_consent"]
    search_fields = ["member__name", "reply__title", "reply__assignment__proposal__number", "opinion"]
    list_select_related = ["member", "reply"]
    exclude = ["signature"]  # shown through the form's page, which checks who may see it

    def can_delete(self, obj):
        return not obj.is_submitted


@admin.register(FeedbackLink)
class FeedbackLinkAdmin(RecordAdmin):
    """Which one-time links exist, for whom, and whether they were used (the token itself is never stored)."""

    scoped = False
    list_display = ["member", "reply", "created_at", "expires_at", "used_at"]
    exclude = ["token_sha256"]

    def get_queryset(self, request):
        return FeedbackLink.objects.filter(reply__in=Reply.objects.visible_to(request.user))


@admin.register(Notification)
class NotificationAdmin(RecordAdmin):
    """The e-mail ledger, read-only, for supervisors: what was sent to whom, and when."""

    scoped = False
    list_display = ["sent_at", "kind", "recipients", "subject", "note"]
    list_filter = ["kind"]
    search_fields = ["recipients", "subject", "key"]

    def has_module_permission(self, request):
        return access.can_supervise(request.user)

    def has_view_permission(self, request, obj=None):
        return access.can_supervise(request.user)
