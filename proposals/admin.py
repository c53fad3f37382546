"""The admin of the proposals app, and the two kinds of admin every app uses.

- `ReferenceAdmin`: reference data an office or supervisor corrects (sessions, units, members'
  contact details, categories), with the history of every change (django-simple-history).
- `RecordAdmin`: rows the workflow owns (proposals, assignments, replies, feedback, …): shown,
  never written here. Each change has its page and its one function in the app; the admin is
  not a way around them. Only a superuser may delete, and only what `can_delete` allows.

Who gets into the admin at all is `access.can_use_admin` (proposals.admin_site). Rows are
scoped by the model's `visible_to(user)`.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

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


class ScopedMixin:
    """Rows from the user's scope (`visible_to`), unless the model is the same for everyone."""

    scoped = True

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.visible_to(request.user) if self.scoped else qs


class ReferenceAdmin(ScopedMixin, SimpleHistoryAdmin):
    """Reference data: offices and supervisors correct it, each change kept in its history."""

    form = UploadSafeModelForm  # a full disk is an error next to the file field, not a 500

    def can_change(self, user, obj):
        return access.scope_of(user).oversees_any

    def has_view_permission(self, request, obj=None):
        return access.can_use_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj) and self.can_change(request.user, obj)

    def has_add_permission(self, request):
        return self.has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        # Reference rows are referred to by official records (PROTECT): corrected, not removed.
        return request.user.is_superuser

    def has_module_permission(self, request):
        return access.can_use_admin(request.user)


class RecordAdmin(ScopedMixin, admin.ModelAdmin):
    """A record of the workflow: read here, written only through the app's own pages and functions."""

    def has_view_permission(self, request, obj=None):
        return access.can_use_admin(request.user)

    def has_module_permission(self, request):
        return access.can_use_admin(request.user)

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def can_delete(self, obj):
        """Whether this record may be removed at all (never an issued reply or a sealed form)."""
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and obj is not None and self.can_delete(obj)


class RecordInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_view_permission(self, request, obj=None):
        return access.can_use_admin(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Session)
class SessionAdmin(ReferenceAdmin):
    scoped = False
    list_display = ["name", "body", "year", "opens_on", "reply_days", "co_opinion_days", "redo_days"]
    list_filter = ["body", "year"]
    search_fields = ["name"]

    def can_change(self, user, obj):
        scope = access.scope_of(user)
        return scope.oversees_any if obj is None else scope.oversees(obj.body)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "body":
            bodies = access.scope_of(request.user).oversight_bodies
            kwargs["choices"] = [(value, label) for value, label in db_field.choices if value in bodies]
        return super().formfield_for_choice_field(db_field, request, **kwargs)


@admin.register(Category)
class CategoryAdmin(ReferenceAdmin):
    scoped = False
    list_display = ["name", "position"]
    search_fields = ["name"]


class RoleInline(admin.TabularInline):
    model = Role
    extra = 0
    autocomplete_fields = ["user"]

    def has_view_permission(self, request, obj=None):
        return access.can_supervise(request.user)

    has_change_permission = has_add_permission = has_delete_permission = has_view_permission


@admin.register(HandlingUnit)
class HandlingUnitAdmin(ReferenceAdmin):
    scoped = False
    list_display = ["name", "short_name", "doc_prefix", "contact_person", "contact_phone", "email"]
    search_fields = ["name", "short_name"]
    inlines = [RoleInline]

    def get_inlines(self, request, obj):
        return self.inlines if access.can_supervise(request.user) else []


@admin.register(Role)
class RoleAdmin(ReferenceAdmin):
    """Who is a clerk, signer, office or supervisor: the supervisor's to decide."""

    scoped = False
    list_display = ["user", "kind", "unit", "body"]
    list_filter = ["kind", "body", "unit"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "unit__name"]
    autocomplete_fields = ["user", "unit"]

    def has_module_permission(self, request):
        return access.can_supervise(request.user)

    def has_view_permission(self, request, obj=None):
        return access.can_supervise(request.user)


@admin.register(Member)
class MemberAdmin(ReferenceAdmin):
    """Members' names and contact details. Linking a login account lets that account read and
    answer as the member, so only a supervisor may set it; the history says who did."""

    list_display = ["name", "body", "kind", "group", "work_unit", "phone", "user"]
    list_filter = ["body", "kind"]
    search_fields = ["name", "group", "work_unit"]
    autocomplete_fields = ["user"]

    def can_change(self, user, obj):
        scope = access.scope_of(user)
        return scope.oversees_any if obj is None else scope.oversees(obj.body)

    def get_readonly_fields(self, request, obj=None):
        return [] if access.can_link_accounts(request.user) else ["user"]

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "body":
            bodies = access.scope_of(request.user).oversight_bodies
            kwargs["choices"] = [(value, label) for value, label in db_field.choices if value in bodies]
        return super().formfield_for_choice_field(db_field, request, **kwargs)


class CosignerInline(RecordInline):
    model = Cosigner
    fields = ["position", "member"]
    readonly_fields = fields


class AssignmentInline(RecordInline):
    model = Assignment
    fields = ["unit", "role", "status", "assigned_on", "signed_for_on", "due_on"]
    readonly_fields = fields
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user).select_related("unit")


# What the office may still correct on a registered proposal: nothing a rule, a number or a
# deadline depends on (session, number, lead and status follow the workflow).
PROPOSAL_CORRECTABLE = ["title", "body", "category", "period", "is_key"]


@admin.register(Proposal)
class ProposalAdmin(ReferenceAdmin):
    """Proposals are registered on the office's page; here the office corrects a wording or a category."""

    list_display = ["number", "title", "lead", "session", "kind", "status", "is_key"]
    list_filter = ["kind", ("session", admin.RelatedOnlyFieldListFilter), "status", "is_key", "period", "category"]
    search_fields = ["number", "title", "lead__name", "cosigners__name"]
    list_select_related = ["lead", "session"]
    inlines = [CosignerInline, AssignmentInline]
    date_hierarchy = "submitted_on"
    fields = ["number", "session", "kind", "lead", "status", "submitted_on", *PROPOSAL_CORRECTABLE]
    readonly_fields = ["number", "session", "kind", "lead", "status", "submitted_on"]

    def can_change(self, user, obj):
        return obj is not None and access.can_route(user, obj)

    def has_add_permission(self, request):
        return False  # registration numbers the proposal and records it: the office's page does it

    def get_readonly_fields(self, request, obj=None):
        # Once a unit has answered, the letters quote the proposal as it was: nothing is corrected.
        if obj is not None and obj.is_answered():
            return [*self.readonly_fields, *PROPOSAL_CORRECTABLE]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        """A correction goes through the same write path as the app's 修改 page (history, timeline, the rule)."""
        if not change:
            return super().save_model(request, obj, form, change)
        changed = {name: getattr(obj, name) for name in form.changed_data if name in Proposal.AMENDABLE}
        if changed:
            obj.amend(by=request.user, **changed)


@admin.register(Assignment)
class AssignmentAdmin(RecordAdmin):
    list_display = ["proposal", "unit", "role", "status", "assigned_on", "due_on", "signed_for_on"]
    list_filter = ["role", "status", ("unit", admin.RelatedOnlyFieldListFilter), "proposal__session"]
    search_fields = ["proposal__number", "proposal__title", "unit__name", "unit__short_name"]
    list_select_related = ["proposal", "unit"]
    # Contact records and replies live in the replies app, which depends on this one;
    # replies/admin.py appends their inlines here.
    extra_inlines: list = []

    def get_inlines(self, request, obj):
        return [AssignmentRequestInline, *self.extra_inlines]


class AssignmentRequestInline(RecordInline):
    model = AssignmentRequest
    fk_name = "assignment"
    fields = ["kind", "reason", "suggested_unit", "requested_due_on", "requested_by", "decision", "decided_by"]
    readonly_fields = fields


@admin.register(AssignmentRequest)
class AssignmentRequestAdmin(RecordAdmin):
    list_display = ["assignment", "kind", "requested_by", "requested_at", "decision", "decided_by"]
    list_filter = ["kind", "decision"]
    search_fields = ["assignment__proposal__number", "assignment__proposal__title", "reason"]

    def get_queryset(self, request):
        return AssignmentRequest.objects.filter(assignment__in=Assignment.objects.visible_to(request.user))


@admin.register(Event)
class EventAdmin(RecordAdmin):
    list_display = ["at", "proposal", "assignment", "verb", "actor", "note"]
    list_filter = ["verb"]
    search_fields = ["proposal__number", "note"]
    list_select_related = ["proposal", "assignment__unit", "actor"]
    verbose_name = _("办理记录")

    def get_queryset(self, request):
        return Event.objects.filter(proposal__in=Proposal.objects.visible_to(request.user))
