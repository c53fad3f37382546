from django.contrib import admin

from proposals import access
from proposals.admin import AccessAdmin

from .models import Feedback, Notification


@admin.register(Feedback)
class FeedbackAdmin(AccessAdmin):
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
    autocomplete_fields = ["reply", "member"]
    list_select_related = ["member", "reply"]
    readonly_fields = ["entered_by", "received_by", "received_at"]

    def can_change(self, user, obj):
        scope = access.scope_of(user)
        if obj is None:
            return scope.everything or bool(scope.bodies)
        if obj.is_submitted:
            return False  # a submitted form is sealed; corrections are a new record with history
        return scope.everything or obj.reply.assignment.proposal.session.body in scope.bodies


@admin.register(Notification)
class NotificationAdmin(AccessAdmin):
    """The e-mail ledger, read-only, for supervisors: what was sent to whom, and when."""

    scoped = False
    list_display = ["sent_at", "kind", "recipients", "subject", "note"]
    list_filter = ["kind"]
    search_fields = ["recipients", "subject", "key"]

    def has_module_permission(self, request):
        return access.can_supervise(request.user)

    def has_view_permission(self, request, obj=None):
        return access.can_supervise(request.user)

    def can_change(self, user, obj):
        return False
