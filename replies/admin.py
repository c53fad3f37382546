from django.contrib import admin

from proposals import access
from proposals.admin import AccessAdmin, AccessInline, AssignmentAdmin

from .models import CoHandlingOpinion, ContactRecord, Reply


def unit_staff_or_supervisor(user, assignment):
    return access.can_supervise(user) or access.can_work_on(user, assignment)


class ContactRecordInline(AccessInline):
    model = ContactRecord
    fields = ["contacted_on", "method", "participants", "summary"]

    def parent_can_change(self, request, obj):
        return obj is not None and unit_staff_or_supervisor(request.user, obj)


class ReplyInline(AccessInline):
    model = Reply
    fields = ["round", "doc_number", "title", "result_class", "status", "written_on"]
    show_change_link = True

    def parent_can_change(self, request, obj):
        return False  # replies are edited on their own page, where issued ones are locked


AssignmentAdmin.extra_inlines += [ContactRecordInline, ReplyInline]


@admin.register(ContactRecord)
class ContactRecordAdmin(AccessAdmin):
    list_display = ["assignment", "contacted_on", "method", "participants"]
    list_filter = ["method"]
    search_fields = ["assignment__proposal__number", "assignment__proposal__title", "summary", "participants"]
    autocomplete_fields = ["assignment"]
    list_select_related = ["assignment__proposal", "assignment__unit"]
    date_hierarchy = "contacted_on"

    def can_change(self, user, obj):
        if obj is None:
            return access.scope_of(user).everything or bool(access.scope_of(user).unit_ids)
        return unit_staff_or_supervisor(user, obj.assignment)


@admin.register(Reply)
class ReplyAdmin(AccessAdmin):
    list_display = ["title", "doc_number", "assignment", "round", "result_class", "status", "written_on"]
    list_filter = ["status", "result_class", "publication"]
    search_fields = ["title", "doc_number", "addressees", "assignment__proposal__number"]
    autocomplete_fields = ["assignment"]
    list_select_related = ["assignment__proposal", "assignment__unit"]
    date_hierarchy = "written_on"
    readonly_fields = ["version", "delivered_at"]

    def save_model(self, request, obj, form, change):
        # An admin edit is an edit like any other: the workspace's optimistic lock must see it.
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "signer":
            # Only signers of units the user works for (all signers for a supervisor).
            from django.contrib.auth import get_user_model

            from proposals.models import RoleKind

            signers = get_user_model().objects.filter(banli_roles__kind=RoleKind.SIGNER)
            scope = access.scope_of(request.user)
            if not scope.everything:
                signers = signers.filter(banli_roles__unit_id__in=scope.unit_ids)
            kwargs["queryset"] = signers.distinct()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def can_change(self, user, obj):
        if obj is None:
            return access.scope_of(user).everything or bool(access.scope_of(user).unit_ids)
        # An issued reply is never edited in place: a change is a new round.
        return not obj.is_issued and unit_staff_or_supervisor(user, obj.assignment)


@admin.register(CoHandlingOpinion)
class CoHandlingOpinionAdmin(AccessAdmin):
    list_display = ["assignment", "submitted_by", "submitted_at"]
    search_fields = ["assignment__proposal__number", "body"]
    autocomplete_fields = ["assignment"]

    def get_queryset(self, request):
        from proposals.models import Assignment

        # The lead unit reads every co-unit's opinion on its proposals.
        visible = Assignment.objects.visible_to(request.user)
        scope = access.scope_of(request.user)
        lead_proposals = visible.filter(unit_id__in=scope.unit_ids).values("proposal_id")
        return CoHandlingOpinion.objects.filter(assignment__in=visible) | CoHandlingOpinion.objects.filter(
            assignment__proposal_id__in=lead_proposals
        )

    def can_change(self, user, obj):
        if obj is None:
            return bool(access.scope_of(user).unit_ids)
        return access.can_work_on(user, obj.assignment)
