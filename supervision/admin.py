from django.contrib import admin

from notifications.models import Delivery
from proposals import access
from proposals.admin import RecordAdmin, ReferenceAdmin
from proposals.models import Assignment

from .models import Escalation, EscalationLevel, EscalationRule, KeyTopic, MeetingRule, ScoringScheme, Urge


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


class SessionReferenceAdmin(ReferenceAdmin):
    """A session's 督办 ladder: the office of its body or a supervisor corrects it."""

    scoped = False
    list_select_related = ["session"]
    list_filter = ["session"]

    def can_change(self, user, obj):
        scope = access.scope_of(user)
        return scope.oversees_any if obj is None else scope.oversees(obj.session.body)


@admin.register(EscalationLevel)
class EscalationLevelAdmin(SessionReferenceAdmin):
    list_display = ["session", "rank", "name", "needs_leader"]


@admin.register(EscalationRule)
class EscalationRuleAdmin(SessionReferenceAdmin):
    list_display = ["session", "offset_days", "level", "notify"]
    list_select_related = ["session", "level"]


@admin.register(MeetingRule)
class MeetingRuleAdmin(SessionReferenceAdmin):
    list_display = ["session", "first_contact_days", "face_to_face_for_key"]


@admin.register(Escalation)
class EscalationAdmin(RecordAdmin):
    """The 督办 ledger, read-only: 督办 is raised by the daily run or from the assignment's 督办 page."""

    list_display = ["at", "assignment", "level", "due_on", "by", "leader", "reason"]
    list_filter = ["level__name"]
    search_fields = ["assignment__proposal__number", "assignment__unit__name", "reason", "leader"]
    list_select_related = ["assignment__proposal", "assignment__unit", "level", "by"]


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


@admin.register(KeyTopic)
class KeyTopicAdmin(RecordAdmin):
    """重点督办 topics, read-only: opened and changed on their pages by the 督查室."""

    list_display = ["title", "session", "leader", "created_at"]
    list_filter = ["session"]
    search_fields = ["title", "leader"]


@admin.register(ScoringScheme)
class ScoringSchemeAdmin(ReferenceAdmin):
    """A year's 考评办法: the 督查室 sets it (checked by ScoringScheme.clean); offices read it."""

    scoped = False
    list_display = ["year", "name"]

    def can_change(self, user, obj):
        return access.can_supervise(user)
