"""The supervision app's part of the proposal page: each assignment's 督办 (with its 督办通知单) and
承诺事项, and where the user may record them, a link per reply."""

from django.utils import timezone

from proposals import access
from proposals.models import AssignmentRole
from proposals.page_parts import PagePart
from replies.models import Reply

from .models import Commitment, Escalation


def prepare(request, proposal, assignments):
    user = request.user
    if not access.scope_of(user).is_staff_role:
        for a in assignments:
            a.commitments_shown, a.commitment_replies, a.escalations_shown = [], [], []
        return {}
    # 督办 of an assignment: for its own unit and for whoever follows the session (as the notice's download).
    follows = access.can_follow(user, proposal.session)
    shown = [a.pk for a in assignments if follows or access.can_work_on(user, a)]
    escalations = list(Escalation.objects.filter(assignment__in=shown).select_related("level").order_by("at", "pk"))
    today = timezone.localdate()
    rows = list(
        Commitment.objects.visible_to(user)
        .filter(assignment__proposal=proposal)
        .select_related("unit", "reply")
        .order_by("due_on", "pk")
    )
    replies = list(
        Reply.objects.filter(assignment__proposal=proposal)
        .exclude(assignment__role=AssignmentRole.CO)
        .only("pk", "round", "assignment_id")
        .order_by("round")
    )
    for a in assignments:
        a.escalations_shown = [e for e in escalations if e.assignment_id == a.pk]
        a.commitments_shown = [c for c in rows if c.assignment_id == a.pk]
        for c in a.commitments_shown:
            c.overdue = c.is_overdue(today)
        keeps = access.can_keep_commitment(user, a)
        a.commitment_replies = [r for r in replies if r.assignment_id == a.pk] if keeps else []
    return {}


PART = PagePart(name="commitments", prepare=prepare, assignment="supervision/parts/commitments.html")
