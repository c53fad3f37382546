from django.contrib import admin

from proposals import access
from proposals.admin import AssignmentAdmin, RecordAdmin, RecordInline, ReferenceAdmin
from proposals.models import Assignment

from .models import CoHandlingOpinion, ContactRecord, ParagraphTemplate, Reply


class ContactRecordInline(RecordInline):
    model = ContactRecord
    fields = ["contacted_on", "method", "participants", "summary", "recorded_by"]
    readonly_fields = fields


class ReplyInline(RecordInline):
    model = Reply
    fields = ["round", "doc_number", "title", "result_class", "status", "written_on"]
    readonly_fields = fields
    show_change_link = True


AssignmentAdmin.extra_inlines += [ContactRecordInline, ReplyInline]


@admin.register(ContactRecord)
class ContactRecordAdmin(RecordAdmin):
    list_display = ["assignment", "contacted_on", "method", "participants"]
    list_filter = ["method"]
    search_fields = ["assignment__proposal__number", "assignment__proposal__title", "summary", "participants"]
    list_select_related = ["assignment__proposal", "assignment__unit"]
    date_hierarchy = "contacted_on"


@admin.register(Reply)
class ReplyAdmin(RecordAdmin):
    """Replies are drafted, signed and issued on the proposal page; an issued one is never removed."""

    list_display = ["title", "doc_number", "assignment", "round", "result_class", "status", "written_on"]
    list_filter = ["status", "result_class", "publication"]
    search_fields = ["title", "doc_number", "addressees", "assignment__proposal__number"]
    list_select_related = ["assignment__proposal", "assignment__unit"]
    date_hierarchy = "written_on"

    def can_delete(self, obj):
        return obj.is_draft


@admin.register(CoHandlingOpinion)
class CoHandlingOpinionAdmin(RecordAdmin):
    list_display = ["assignment", "submitted_by", "submitted_at"]
    search_fields = ["assignment__proposal__number", "body"]

    def get_queryset(self, request):
        # The lead unit reads every co-unit's opinion on its proposals; offices their body's.
        visible = Assignment.objects.visible_to(request.user)
        lead_proposals = visible.filter(unit_id__in=access.scope_of(request.user).unit_ids).values("proposal_id")
        return CoHandlingOpinion.objects.filter(assignment__in=visible) | CoHandlingOpinion.objects.filter(
            assignment__proposal_id__in=lead_proposals
        )


@admin.register(ParagraphTemplate)
class ParagraphTemplateAdmin(ReferenceAdmin):
    """Units keep their templates on their own page; the office may correct one here."""

    scoped = False
    list_display = ["title", "unit", "updated_at"]
    list_filter = [("unit", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "body"]
