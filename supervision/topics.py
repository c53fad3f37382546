"""A 重点督办 topic's progress: its proposals, each unit's share with its state, deadline and
督办 level, and the counts the topic page opens with."""

from dataclasses import dataclass, field

from django.db.models import Case, Prefetch, Value, When
from django.utils import timezone

from proposals.models import FINISHED, Assignment, AssignmentRole, AssignmentStatus, ProposalStatus

from .escalation import with_current_rank
from .models import EscalationLevel

# 主办 first, then 分办, then 会办.
ROLE_ORDER = Case(
    When(role=AssignmentRole.LEAD, then=Value(0)), When(role=AssignmentRole.SEPARATE, then=Value(1)), default=Value(2)
)


@dataclass
class Progress:
    proposals: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)


def progress(topic, today=None):
    today = today or timezone.localdate()
    assignments = with_current_rank(
        Assignment.objects.select_related("unit").exclude(status=AssignmentStatus.RETURNED).order_by(ROLE_ORDER, "pk")
    )
    proposals = list(
        topic.proposals.select_related("lead")
        .prefetch_related(Prefetch("assignments", queryset=assignments))
        .order_by("serial")
    )
    level_names = dict(EscalationLevel.objects.filter(session=topic.session_id).values_list("rank", "name"))
    counts = {
        "proposals": len(proposals),
        "closed": 0,
        "assignments": 0,
        "replied": 0,
        "open": 0,
        "overdue": 0,
        "due_soon": 0,
        "escalated": 0,
    }
    for proposal in proposals:
        counts["closed"] += proposal.status == ProposalStatus.CLOSED
        for a in proposal.assignments.all():
            counts["assignments"] += 1
            a.state = a.deadline_state(today)
            a.left_days = a.days_left(today) if a.is_open else None
            a.wait_days = -a.left_days if a.state == "overdue" else 0
            a.level_name = level_names.get(a.current_rank, "")
            counts["replied"] += a.status in FINISHED
            counts["open"] += a.is_open
            counts["overdue"] += a.state == "overdue"
            counts["due_soon"] += a.state == "due_soon"
            counts["escalated"] += bool(a.current_rank)
    counts["replied_rate"] = round(100 * counts["replied"] / counts["assignments"]) if counts["assignments"] else None
    return Progress(proposals=proposals, counts=counts)
