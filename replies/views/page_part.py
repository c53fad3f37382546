"""The replies app's part of the proposal page: contacts, replies and their buttons, opinions."""

from types import SimpleNamespace

from django.conf import settings
from django.db.models import Prefetch, prefetch_related_objects
from django.utils.translation import gettext as _

from proposals.access import can_route, can_sign_off, can_supervise, can_work_on, scope_of
from proposals.models import Assignment, AssignmentRole, AssignmentStatus, Event, EventVerb
from proposals.page_parts import PagePart

from .. import elements
from ..models import (
    CoHandlingOpinion,
    ContactRecord,
    Reply,
    ReplyStatus,
    RequiredElement,
    ResultClass,
    may_give_opinion,
    may_log_contact,
    next_round,
)
from .steps import sign_off_message


def reply_actions(user, r):
    a = r.assignment
    work = can_work_on(user, a)
    handles = work or can_route(user, a.proposal)
    return SimpleNamespace(
        edit=work and r.status == ReplyStatus.DRAFT,
        # Printing: the letter (PDF and Word) to whoever sees it; the paper forms and the mailing
        # packet to those who send the letter out (the unit, the office).
        print_forms=handles and r.is_issued,
        sign_off=can_sign_off(user, a) and r.status == ReplyStatus.AWAITING_SIGNOFF,
        withdraw=r.may_withdraw(user),
        review=can_supervise(user) and r.status == ReplyStatus.IN_REVIEW,
        scan=work and r.is_issued,
        deliver=work and r.is_issued and bool(r.sealed_scan) and r.delivered_at is None,
    )


def _shown(field, value):
    """A history value as a person reads it: choice labels, names for people, a dash for nothing."""
    if value in (None, ""):
        return "—"
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if field.is_relation:
        obj = field.related_model._default_manager.filter(pk=value).first()
        return str(obj.get_full_name() or obj) if hasattr(obj, "get_full_name") else str(obj or "—")
    return value


def reply_history(reply):
    """Field-level changes of a reply, newest first: [(when, who, [(field label, old, new)])]."""
    records = list(reply.history.select_related("history_user").order_by("history_date", "history_id"))
    rows = []
    for previous, record in zip([None, *records], records, strict=False):
        if previous is None:
            rows.append(SimpleNamespace(at=record.history_date, who=record.history_user, changes=None))
            continue
        delta = record.diff_against(previous, excluded_fields=["version", "updated_at"])
        changes = []
        for change in delta.changes:
            field = Reply._meta.get_field(change.field)
            if change.field == "body":
                changes.append((field.verbose_name, _("（正文已修改）"), ""))
            else:
                changes.append((field.verbose_name, _shown(field, change.old), _shown(field, change.new)))
        if changes:
            rows.append(SimpleNamespace(at=record.history_date, who=record.history_user, changes=changes))
    return list(reversed(rows))


def co_unit_rows(proposal):
    """The proposal's co-handling units (会办) with their deadline and opinion, for the lead unit and the office."""
    rows = list(
        Assignment.objects.filter(proposal=proposal, role=AssignmentRole.CO)
        .exclude(status=AssignmentStatus.RETURNED)
        .select_related("unit")
        .prefetch_related(Prefetch("co_opinions", queryset=CoHandlingOpinion.objects.select_related("submitted_by")))
        .order_by("pk")
    )
    for row in rows:
        row.opinion = next(iter(row.co_opinions.all()), None)
    return rows


def prepare(request, proposal, assignments):
    user = request.user
    scope = scope_of(user)
    replies = Reply.objects.visible_to(user).select_related("signer", "drafter").order_by("round")
    prefetch_related_objects(
        assignments,
        Prefetch("contacts", queryset=ContactRecord.objects.select_related("recorded_by")),
        Prefetch("replies", queryset=replies),
    )
    lead_staff = any(a.role == AssignmentRole.LEAD and can_work_on(user, a) for a in assignments)
    sees_co_units = lead_staff or can_route(user, proposal)
    co_units = co_unit_rows(proposal) if sees_co_units else []
    handed_back = (
        list(
            Event.objects.filter(
                proposal=proposal, verb__in=[EventVerb.SENT_BACK, EventVerb.WITHDRAWN, EventVerb.ELEMENTS_MISSING]
            )
            .select_related("actor")
            .order_by("at", "pk")
        )
        if scope.unit_ids
        else []
    )
    copies = list(
        Reply.objects.copied_to(user)
        .filter(assignment__proposal=proposal)
        .select_related("assignment__unit", "signer")
        .order_by("assignment__pk", "round")
    )
    severities = None  # the office's 答复要件 settings, read once for every draft on the page
    for a in assignments:
        work = a.actions.work
        a.actions.new_round = next_round(a, list(a.replies.all())) if work else None
        a.actions.contact = work and may_log_contact(a)
        a.actions.opinion = work and may_give_opinion(a)
        # The lead unit sees each 会办 unit, its deadline and its opinion before it asks for 签发.
        a.co_units = co_units if a.role == AssignmentRole.LEAD else []
        # 抄送: a co-handling unit receives the issued reply of the unit that answers.
        a.copies = copies if a.role == AssignmentRole.CO and work else []
        for r in a.replies.all():
            r.actions = reply_actions(user, r)
            if r.actions.edit:
                severities = RequiredElement.severities() if severities is None else severities
                found = r.missing_elements(severities=severities)
                r.blockers = [x.message for x in found if x.blocking]
                r.warnings = [x.message for x in found if not x.blocking]
                # Why the draft came back (退回修改 by the signer, or the drafter's own 撤回), to the one who fixes it.
                r.returned = next(
                    (e for e in reversed(handed_back) if e.assignment_id == a.pk and e.at >= r.created_at), None
                )
            if r.actions.review:
                # What the 督查室 checks before it sends the letter out (blocking ones send it back).
                severities = RequiredElement.severities() if severities is None else severities
                r.review_findings = r.missing_elements(elements.REVIEW, severities=severities)
            r.changes = reply_history(r) if scope.is_staff_role else []
        # A contact stays as it was once a reply issued after it went out (ContactRecord.is_locked).
        issued = [r.issued_at for r in a.replies.all() if r.is_issued and r.issued_at]
        for c in a.contacts.all():
            c.locked = any(at >= c.created_at for at in issued)
    # Co-handling opinions are internal: the lead unit and the routing office see them all, a
    # co-unit its own, a member none (they read the reply).
    if lead_staff or can_route(user, proposal):
        opinions = CoHandlingOpinion.objects.filter(assignment__proposal=proposal)
    elif scope.is_staff_role:
        opinions = CoHandlingOpinion.objects.filter(assignment__in=[a.pk for a in assignments])
    else:
        opinions = CoHandlingOpinion.objects.none()
    return {
        "opinions": opinions.select_related("assignment__unit", "submitted_by"),
        "result_classes": ResultClass.choices,
        "sign_off_message": sign_off_message(settings.BANLI_SUPERVISOR_REVIEW),
    }


PART = PagePart(
    name="replies",
    prepare=prepare,
    actions="replies/parts/actions.html",
    assignment="replies/parts/assignment.html",
    page="replies/parts/opinions.html",
)
