from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from proposals import access
from proposals.admin import AssignmentAdmin, RecordAdmin, RecordInline, ReferenceAdmin
from proposals.models import Assignment

from .models import CoHandlingOpinion, ContactRecord, Disclosure, DocNumber, ParagraphTemplate, Reply, RequiredElement


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
class ContactRecordAdmin(RecordAdmin, SimpleHistoryAdmin):
    """Contacts are logged and corrected on the proposal page (with their history, shown here too)."""

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
    # The paragraphs' stored structure (JSON) says nothing the body above it does not.
    exclude = ["body_paragraphs"]

    def can_delete(self, obj):
        return obj.is_draft and not DocNumber.objects.filter(reply=obj).exists()


@admin.register(DocNumber)
class DocNumberAdmin(RecordAdmin):
    """The 文号 register: given at 签发, never changed or removed (the database refuses too)."""

    list_display = ["number", "unit", "year", "serial", "reply", "allocated_by", "allocated_at"]
    list_filter = ["year", ("unit", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["number", "reply__title"]
    list_select_related = ["unit", "reply", "allocated_by"]

    def get_queryset(self, request):
        return DocNumber.objects.filter(reply__in=Reply.objects.visible_to(request.user))


@admin.register(Disclosure)
class DisclosureAdmin(RecordAdmin):
    """Replies published on the public pages, with their 索引号 (published by rule, never by hand)."""

    list_display = ["index_number", "reply", "unit", "published_at", "withdrawn_at"]
    list_filter = ["year", ("unit", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["index_number", "reply__title"]
    list_select_related = ["unit", "reply"]

    def get_queryset(self, request):
        return Disclosure.objects.filter(reply__in=Reply.objects.visible_to(request.user))


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


@admin.register(RequiredElement)
class RequiredElementAdmin(ReferenceAdmin):
    """答复要件: the office sets how strictly each is enforced; the elements themselves are fixed."""

    scoped = False
    list_display = ["code", "severity"]
    list_editable = ["severity"]
    fields = ["code", "severity"]
    readonly_fields = ["code"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
