from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import access
from .files import UploadSafeModelForm
from .models import (
    Assignment,
    AssignmentRequest,
    Category,
    Cosigner,
    Event,
    HandlingUnit,
    Member,
    Proposal,
    Role,
    Session,
)


class AccessAdmin(admin.ModelAdmin):
    """Admin permissions from `proposals.access`, not from per-model Django permissions.

    Rows are scoped by the model's `visible_to(user)`; `can_change(user, obj)` says who may
    edit. Deleting is for superusers: records of official business are corrected, not removed.
    """

    scoped = True
    form = UploadSafeModelForm  # a full disk is an error next to the file field, not a 500

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.visible_to(request.user) if self.scoped else qs

    def has_module_permission(self, request):
        return access.scope_of(request.user).is_staff_role

    def has_view_permission(self, request, obj=None):
        return access.scope_of(request.user).is_staff_role

    def can_change(self, user, obj):
        return access.can_supervise(user)

    def has_change_permission(self, request, obj=None):
        if not self.has_view_permission(request, obj):
            return False
        if obj is None:
            return self.can_change(request.user, None)
        return self.can_change(request.user, obj)

    def has_add_permission(self, request):
        return self.can_change(request.user, None)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class AccessInline(admin.TabularInline):
    extra = 0

    def has_view_permission(self, request, obj=None):
        return access.scope_of(request.user).is_staff_role

    def has_change_permission(self, request, obj=None):
        return self.parent_can_change(request, obj)

    def has_add_permission(self, request, obj=None):
        return self.parent_can_change(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.parent_can_change(request, obj)

    def parent_can_change(self, request, obj):
        return access.can_supervise(request.user)


class UnscopedAdmin(AccessAdmin):
    scoped = False


@admin.register(Session)
class SessionAdmin(UnscopedAdmin):
    list_display = ["name", "body", "year", "opens_on", "reply_days", "co_opinion_days", "redo_days"]
    list_filter = ["body", "year"]
    search_fields = ["name"]


@admin.register(Category)
class CategoryAdmin(UnscopedAdmin):
    list_display = ["name", "position"]
    search_fields = ["name"]


class RoleInline(admin.TabularInline):
    model = Role
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(HandlingUnit)
class HandlingUnitAdmin(UnscopedAdmin):
    list_display = ["name", "short_name", "doc_prefix", "contact_person", "contact_phone"]
    search_fields = ["name", "short_name"]
    inlines = [RoleInline]

    def get_inlines(self, request, obj):
        return self.inlines if access.can_supervise(request.user) else []


@admin.register(Role)
class RoleAdmin(UnscopedAdmin):
    list_display = ["user", "kind", "unit", "body"]
    list_filter = ["kind", "body", "unit"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "unit__name"]
    autocomplete_fields = ["user", "unit"]

    def has_module_permission(self, request):
        return access.can_supervise(request.user)

    def has_view_permission(self, request, obj=None):
        return access.can_supervise(request.user)


@admin.register(Member)
class MemberAdmin(AccessAdmin):
    list_display = ["name", "body", "kind", "group", "work_unit", "phone", "user"]
    list_filter = ["body", "kind"]
    search_fields = ["name", "group", "work_unit"]
    autocomplete_fields = ["user"]

    def can_change(self, user, obj):
        scope = access.scope_of(user)
        if obj is None:
            return scope.everything or bool(scope.bodies)
        return scope.everything or obj.body in scope.bodies


class CosignerInline(AccessInline):
    model = Cosigner
    autocomplete_fields = ["member"]

    def parent_can_change(self, request, obj):
        return obj is None or access.can_route(request.user, obj)


class AssignmentInline(AccessInline):
    model = Assignment
    fields = ["unit", "role", "status", "assigned_on", "signed_for_on", "due_on"]
    autocomplete_fields = ["unit"]
    show_change_link = True

    def parent_can_change(self, request, obj):
        return obj is None or access.can_route(request.user, obj)

    def get_queryset(self, request):
        # A clerk opening a shared proposal sees only their own unit's share of it.
        return super().get_queryset(request).visible_to(request.user).select_related("unit")


@admin.register(Proposal)
class ProposalAdmin(AccessAdmin):
    list_display = ["number", "title", "lead", "session", "kind", "status", "is_key"]
    list_filter = ["kind", ("session", admin.RelatedOnlyFieldListFilter), "status", "is_key", "period", "category"]
    search_fields = ["number", "title", "lead__name", "cosigners__name"]
    autocomplete_fields = ["lead", "session"]
    list_select_related = ["lead", "session"]
    inlines = [CosignerInline, AssignmentInline]
    date_hierarchy = "submitted_on"

    def can_change(self, user, obj):
        scope = access.scope_of(user)
        if obj is None:
            return scope.everything or bool(scope.bodies)
        return access.can_route(user, obj)


class AssignmentRequestInline(AccessInline):
    model = AssignmentRequest
    fk_name = "assignment"
    fields = ["kind", "reason", "suggested_unit", "requested_due_on", "requested_by", "decision", "decided_by"]
    autocomplete_fields = ["suggested_unit"]
    readonly_fields = ["requested_by", "decided_by"]

    def parent_can_change(self, request, obj):
        return obj is not None and access.can_route(request.user, obj.proposal)


@admin.register(Assignment)
class AssignmentAdmin(AccessAdmin):
    list_display = ["proposal", "unit", "role", "status", "assigned_on", "due_on", "signed_for_on"]
    list_filter = ["role", "status", ("unit", admin.RelatedOnlyFieldListFilter), "proposal__session"]
    search_fields = ["proposal__number", "proposal__title", "unit__name", "unit__short_name"]
    autocomplete_fields = ["proposal", "unit"]
    list_select_related = ["proposal", "unit"]
    readonly_fields = ["assigned_by"]
    # Contact records and replies live in the replies app, which depends on this one;
    # replies/admin.py appends their inlines here.
    extra_inlines = []

    def get_inlines(self, request, obj):
        return [AssignmentRequestInline, *self.extra_inlines]

    def can_change(self, user, obj):
        scope = access.scope_of(user)
        if obj is None:
            return scope.everything or bool(scope.bodies)
        return access.can_route(user, obj.proposal)


@admin.register(AssignmentRequest)
class AssignmentRequestAdmin(AccessAdmin):
    list_display = ["assignment", "kind", "requested_by", "requested_at", "decision", "decided_by"]
    list_filter = ["kind", "decision"]
    search_fields = ["assignment__proposal__number", "assignment__proposal__title", "reason"]
    autocomplete_fields = ["assignment", "suggested_unit"]

    def get_queryset(self, request):
        return AssignmentRequest.objects.filter(assignment__in=Assignment.objects.visible_to(request.user))

    def can_change(self, user, obj):
        return obj is not None and access.can_route(user, obj.assignment.proposal)


@admin.register(Event)
class EventAdmin(AccessAdmin):
    list_display = ["at", "proposal", "assignment", "verb", "actor", "note"]
    list_filter = ["verb"]
    search_fields = ["proposal__number", "verb", "note"]
    list_select_related = ["proposal", "assignment__unit", "actor"]
    verbose_name = _("办理记录")

    def get_queryset(self, request):
        return Event.objects.filter(proposal__in=Proposal.objects.visible_to(request.user))

    def can_change(self, user, obj):
        return False  # the timeline is a record; nobody rewrites it
