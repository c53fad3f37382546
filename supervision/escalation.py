"""Graded 督办: a session's ladder, the level an assignment stands at, and the daily run that
raises open assignments by the session's rules (`manage.py escalate`, or the `escalate` task).

Which level is due is a pure function of the deadline in force and the day (`due_level`), so a
test fixes the day and asks; the run records only what is not recorded yet, so running it twice,
or on two servers at once, changes nothing the second time.
"""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from proposals.models import Assignment, Session

from . import services
from .models import Escalation, EscalationLevel, EscalationRule, Notify

# The ladder a session starts from (提醒 → 催办 → 督办通知 → 重点督办) and the days it rises on;
# the supervisor changes both per session.
DEFAULT_LEVELS = [
    (1, "提醒", False),
    (2, "催办", False),
    (3, "督办通知", False),
    (4, "重点督办", True),
]
# Who signs an automatic 重点督办 until the supervisor names the leader of the session.
DEFAULT_LEADER = "分管副市长"
DEFAULT_RULES = [
    (-7, 1, Notify.UNIT),
    (0, 2, Notify.UNIT),
    (7, 3, Notify.UNIT_OFFICE),
    (30, 4, Notify.UNIT_OFFICE_SUPERVISOR),
]


def install_default_ladder(session):
    """Give a session without levels the usual four and their rules; a session that has some keeps them."""
    with transaction.atomic():
        if session.escalation_levels.exists():
            return False
        levels = {
            rank: EscalationLevel.objects.create(
                session=session, rank=rank, name=name, needs_leader=leader, leader=DEFAULT_LEADER if leader else ""
            )
            for rank, name, leader in DEFAULT_LEVELS
        }
        for offset, rank, notify in DEFAULT_RULES:
            EscalationRule.objects.create(session=session, offset_days=offset, level=levels[rank], notify=notify)
    return True


def due_rule(rules, due_on, today):
    """The rule that should stand on `today` for a deadline of `due_on`: of the rules whose day has
    come, the one with the highest level (the latest day among equals); None before the first."""
    reached = [r for r in rules if due_on + datetime.timedelta(days=r.offset_days) <= today]
    if not reached:
        return None
    return max(reached, key=lambda r: (r.level.rank, r.offset_days))


def with_current_rank(qs):
    """Annotate `current_rank`: the highest level recorded for the deadline now in force (None if none)."""
    ranks = (
        Escalation.objects.filter(assignment=OuterRef("pk"), due_on=OuterRef("due_on"))
        .order_by()
        .values("assignment")
        .annotate(top=Max("level__rank"))
        .values("top")
    )
    return qs.annotate(current_rank=Subquery(ranks[:1]))


def current_level(assignment):
    """The level the assignment stands at for its deadline in force, or None."""
    return (
        EscalationLevel.objects.filter(escalations__assignment=assignment, escalations__due_on=assignment.due_on)
        .order_by("-rank")
        .first()
    )


@dataclass
class RunResult:
    raised: int = 0
    checked: int = 0


def candidates(session, rules, today):
    """Open assignments of the session whose first rule's day has come."""
    earliest = min(r.offset_days for r in rules)
    latest_due = today - datetime.timedelta(days=earliest)
    qs = Assignment.objects.open().filter(proposal__session=session, due_on__lte=latest_due)
    return with_current_rank(qs).select_related("proposal__session", "unit").order_by("due_on", "pk")


def run(*, today=None):
    """Raise every open assignment to the level its session's rules say is due today, once.

    Returns how many assignments were looked at and how many 督办 were recorded.
    """
    at = None
    if today is None:
        today = timezone.localdate()
    elif today != timezone.localdate():
        # A run for another day (a test's fixed clock, a catch-up) records its 督办 on that day.
        at = timezone.make_aware(datetime.datetime.combine(today, datetime.time(8, 0)))
    result = RunResult()
    for session in Session.objects.filter(escalation_rules__isnull=False).distinct():
        rules = list(session.escalation_rules.select_related("level"))
        for assignment in candidates(session, rules, today).iterator(chunk_size=500):
            result.checked += 1
            rule = due_rule(rules, assignment.due_on, today)
            if rule is None or (assignment.current_rank or 0) >= rule.level.rank:
                continue
            try:
                with transaction.atomic():
                    # Judged again on the row read under its lock: since the list was read, a reply may
                    # have closed it, an extension moved its deadline, or a 督办 by hand raised it.
                    assignment = assignment.locked()
                    rule = due_rule(rules, assignment.due_on, today)
                    level = current_level(assignment)
                    if not assignment.is_open or rule is None or (level and level.rank >= rule.level.rank):
                        continue
                    services.escalate(assignment=assignment, level=rule.level, rule=rule, at=at)
            except IntegrityError:
                # Another run recorded it in the meantime: nothing to do.
                continue
            result.raised += 1
    return result
