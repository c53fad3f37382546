from django.contrib import admin

from proposals.admin import RecordAdmin
from replies.models import Reply

from .models import Feedback, FeedbackCorrection, FeedbackLink, ReceivedNotice


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
    exclude = ["signature", "seal"]  # the signature through the form's page, which checks who may see it

    def can_delete(self, obj):
        return not obj.is_submitted


@admin.register(FeedbackCorrection)
class FeedbackCorrectionAdmin(RecordAdmin):
    """Answers the office confirmed with a member for a 待核实 paper form (made on the resolution page)."""

    scoped = False
    list_display = ["feedback", "satisfaction", "confirmed_via", "confirmed_on", "corrected_by", "corrected_at"]
    list_select_related = ["feedback__member", "feedback__reply", "corrected_by"]

    def get_queryset(self, request):
        return FeedbackCorrection.objects.filter(feedback__in=Feedback.objects.visible_to(request.user))


@admin.register(FeedbackLink)
class FeedbackLinkAdmin(RecordAdmin):
    """Which one-time links exist, for whom, and whether they were used (the token itself is never stored)."""

    scoped = False
    list_display = ["member", "reply", "created_at", "expires_at", "used_at"]
    exclude = ["token_sha256"]

    def get_queryset(self, request):
        return FeedbackLink.objects.filter(reply__in=Reply.objects.visible_to(request.user))


@admin.register(ReceivedNotice)
class ReceivedNoticeAdmin(RecordAdmin):
    """Forms whose unit and office are still to be told they came in (the task worker sends these
    within seconds); a row that stays, with failed attempts, is a notice the worker's log explains."""

    scoped = False
    list_display = ["feedback", "queued_at", "attempts"]
    list_select_related = ["feedback__member", "feedback__reply"]

    def get_queryset(self, request):
        return ReceivedNotice.objects.filter(feedback__in=Feedback.objects.visible_to(request.user))
