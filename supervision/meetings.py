"""面商 and 见面率: did each unit meet the member in time?

An assignment that answers the member (主办 or 分办; not one that was returned) meets the rule of
its session (`MeetingRule`) when a contact was logged on a day from 交办 to `first_contact_days`
after it; for a key (重点) proposal, when the session asks for it, only a face-to-face contact
(上门走访, 约见, 座谈会) counts. It is due once that window has closed, or earlier once met:

    见面率 = met ÷ due, per unit

An assignment whose window is still open and which has no qualifying contact yet is counted
nowhere. Units below 100% are named on the dashboard.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    BooleanField,
    DateField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from proposals.models import AssignmentRole
from replies.models import ContactMethod

from .models import MeetingRule, MeetingTally
from .stats import tally_criteria

FACE_TO_FACE = (ContactMethod.VISIT, ContactMethod.MEETING, ContactMethod.FORUM)
ROLES = (AssignmentRole.LEAD, AssignmentRole.SEPARATE)


def _rule(field):
    """The session's own value of a MeetingRule field, or the field's default."""
    default = MeetingRule._meta.get_field(field).default
    return Coalesce(F(f"session__meeting_rule__{field}"), Value(default))


class DaysBetween(Func):
    """Whole days from the first date to the second (negative when the second is earlier)."""

    arity = 2
    output_field = IntegerField()
    template = "(%(expressions)s)"
    arg_joiner = " - "

    def as_sql(self, compiler, connection, **extra_context):
        # PostgreSQL: date - date is an integer of days. Reversed so it reads start → end.
        end, start = self.source_expressions[1], self.source_expressions[0]
        end_sql, end_params = compiler.compile(end)
        start_sql, start_params = compiler.compile(start)
        return f"({end_sql} - {start_sql})", (*end_params, *start_params)

    def as_sqlite(self, compiler, connection, **extra_context):
        end_sql, end_params = compiler.compile(self.source_expressions[1])
        start_sql, start_params = compiler.compile(self.source_expressions[0])
        return f"CAST(julianday({end_sql}) - julianday({start_sql}) AS INTEGER)", (*end_params, *start_params)


def _met():
    """Whether the assignments of a MeetingTally row had their first contact in time: a contact from 交办
    to the end of the window, face to face where the proposal is key and its session asks for it.
    The tally keeps the days from 交办 to the first contact and to the first face-to-face contact
    (TALLY_NO_DAYS, past any window, when there is none), so no contact is read here."""
    any_way = Q(contact_days__lte=F("window")) & (Q(is_key=False) | Q(face_rule=False))
    face = Q(meeting_days__lte=F("window"))
    return ExpressionWrapper(any_way | face, output_field=BooleanField())


def unit_rates(criteria=None, today=None):
    """[{unit, due, met, missed, rate, full}] for the assignments matching `criteria` (a Q on
    Assignment), best rate first; `rate` is a whole percentage, None when nothing is due. One query.
    Returned assignments are not counted (MeetingTally leaves them out)."""
    today = today or timezone.localdate()
    criteria = criteria if criteria is not None else Q()
    seconds = settings.BANLI_DASHBOARD_CACHE_SECONDS
    key = "supervision:meetings:" + hashlib.sha256(f"{criteria!r}|{today}".encode()).hexdigest()
    if seconds and (cached := cache.get(key)) is not None:
        return cached
    elapsed = DaysBetween(F("assigned_on"), Value(today, output_field=DateField()))
    # The answering shares counted by session, unit, key flag, 交办 date and days to the first
    # contacts (MeetingTally, kept by the database: supervision/tally.py), each row with its session's rule.
    rows = (
        MeetingTally.objects.filter(tally_criteria(criteria), assigned_on__lte=today)
        .annotate(window=_rule("first_contact_days"), face_rule=_rule("face_to_face_for_key"), elapsed=elapsed)
        .annotate(met=_met())
        .filter(Q(elapsed__gte=F("window")) | Q(met=True))
        .order_by()
        .values("unit_id", "unit__short_name")
        .annotate(due=Sum("n"), met_count=Sum("n", filter=Q(met=True)))
    )
    result = []
    for row in rows:
        due, met = row["due"], row["met_count"] or 0
        result.append(
            {
                "unit": row["unit__short_name"],
                "due": due,
                "met": met,
                "missed": due - met,
                # Whole percent, rounded down: 199 of 200 is 99%, never shown as 100%.
                "rate": 100 * met // due if due else None,
                "full": met == due,
            }
        )
    result.sort(key=lambda e: (-(e["met"] / e["due"]) if e["due"] else 0, e["unit"]))
    if seconds:
        cache.set(key, result, seconds)
    return result


def below_full(rates):
    """The units below 100%, as the dashboard names them."""
    return [e for e in rates if e["due"] and not e["full"]]
