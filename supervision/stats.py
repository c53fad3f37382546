"""The 督查室's figures, computed by the database in a handful of GROUP BY queries.

Everything starts from an Assignment queryset already scoped with `.visible_to(user)` and
filtered. Each query counts one kind of fact (assignments, issued replies, contacts,
co-handling opinions, feedback forms) grouped by unit and role; the per-unit table is those
counts side by side, and the headline figures are the per-unit rows added up. Nothing here
loops over assignments or replies in Python, and no query runs per row.

The definitions below are shown on the dashboard next to the figures (DEFINITIONS), so the
page and the arithmetic never disagree.
"""

import datetime
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db.models import CharField, Count, Exists, F, OuterRef, Q
from django.db.models.functions import Cast, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from feedback.models import Feedback, Satisfaction
from proposals.models import AssignmentRole, AssignmentStatus
from replies.models import CoHandlingOpinion, ContactRecord, Reply, ReplyStatus, ResultClass

DEFINITIONS = [
    (
        pgettext_lazy("assigned", "交办"),
        _("交办给承办单位的件数（已退回的不计）。总体数字只计主办和分办（须正式答复的件），会办在分单位表中单列。"),
    ),
    (_("签收率"), _("已签收件数 ÷ 交办件数。")),
    (_("办复率"), _("已办复件数 ÷ 交办件数。主办、分办以发出答复函为办复；会办以提交会办意见为办复。")),
    (_("按期办复率"), _("在办理期限（含批准的延期）内办复的件数 ÷ 交办件数；答复函以成文日期计。")),
    (_("沟通率"), _("至少有一条沟通记录的件数 ÷ 交办件数。")),
    (_("反馈回收率"), _("收到至少一份已签名征询意见表的已办复件数 ÷ 已办复件数。")),
    (_("满意率"), _("（满意 + 基本满意）份数 ÷ 收回的征询意见表份数。")),
    (_("不满意"), _("评价为“不满意”的征询意见表份数。")),
    (_("未表态"), _("已收回但办理评价未勾选或无法认定（如纸质表多选）的征询意见表份数。")),
    (_("A/B/C/D"), _("各件最新一轮已发出答复函的答复类别。")),
]

COUNTS = [
    "assigned",
    "signed",
    "replied",
    "on_time",
    "contacted",
    "returned",
    "forms",
    "satisfied",
    "basically",
    "dissatisfied",
    "silent",
    *(f"class_{code}" for code in ResultClass.values),
]


def prefixed(q, prefix):
    """The same condition, seen from a model that reaches Assignment through `prefix` ("assignment__")."""
    clone = Q(_connector=q.connector, _negated=q.negated)
    for child in q.children:
        if isinstance(child, Q):
            clone.children.append(prefixed(child, prefix))
        else:
            lookup, value = child
            clone.children.append((prefix + lookup, value))
    return clone


def _grouped(qs, prefix, **aggregates):
    """{(unit_id, role): {name: count}} for a queryset related to Assignment through `prefix`."""
    unit, role = f"{prefix}unit_id", f"{prefix}role"
    rows = qs.values(unit, role).annotate(**aggregates).order_by()
    return {(r.pop(unit), r.pop(role)): r for r in rows}


def _facts(criteria):
    """Every count of the dashboard, grouped by (unit, role), for the assignments matching `criteria`.

    `criteria` is a Q on Assignment (scope and filters); the related tables join to the
    assignment and apply it there, rather than testing membership in a list of ids.
    """
    from proposals.models import Assignment

    criteria = criteria & ~Q(status=AssignmentStatus.RETURNED)
    via_assignment = prefixed(criteria, "assignment__")
    issued = Reply.objects.filter(via_assignment, status=ReplyStatus.ISSUED)
    later = Reply.objects.filter(
        status=ReplyStatus.ISSUED, assignment_id=OuterRef("assignment_id"), round__gt=OuterRef("round")
    )
    parts = [
        _grouped(
            Assignment.objects.filter(criteria),
            "",
            assigned=Count("pk"),
            signed=Count("pk", filter=Q(signed_for_on__isnull=False)),
        ),
        # A lead or separate unit has replied when a reply went out, on time if one went out by the deadline.
        _grouped(
            issued,
            "assignment__",
            replied=Count("assignment", distinct=True),
            on_time=Count("assignment", distinct=True, filter=Q(written_on__lte=F("assignment__due_on"))),
        ),
        # The result class of each assignment's latest issued round.
        _grouped(
            issued.exclude(Exists(later)),
            "assignment__",
            **{f"class_{code}": Count("pk", filter=Q(result_class=code)) for code in ResultClass.values},
        ),
        # A co-handling unit has replied when it sent its opinion to the lead unit.
        _grouped(
            CoHandlingOpinion.objects.filter(via_assignment),
            "assignment__",
            replied=Count("assignment", distinct=True),
            on_time=Count("assignment", distinct=True, filter=Q(submitted_at__date__lte=F("assignment__due_on"))),
        ),
        _grouped(
            ContactRecord.objects.filter(via_assignment), "assignment__", contacted=Count("assignment", distinct=True)
        ),
        _grouped(
            Feedback.objects.filter(
                prefixed(criteria, "reply__assignment__"), submitted_at__isnull=False, reply__status=ReplyStatus.ISSUED
            ),
            "reply__assignment__",
            returned=Count("reply__assignment", distinct=True),
            forms=Count("pk"),
            satisfied=Count("pk", filter=Q(satisfaction=Satisfaction.SATISFIED)),
            basically=Count("pk", filter=Q(satisfaction=Satisfaction.BASICALLY)),
            dissatisfied=Count("pk", filter=Q(satisfaction=Satisfaction.DISSATISFIED)),
            silent=Count("pk", filter=Q(satisfaction="")),
        ),
    ]
    facts = {}
    for part in parts:
        for key, counts in part.items():
            row = facts.setdefault(key, dict.fromkeys(COUNTS, 0))
            for name, value in counts.items():
                row[name] += value
    return facts


def _rate(part, whole):
    return None if not whole else round(100 * part / whole, 1)


def with_rates(row):
    """Add the percentages to a dict of counts (None where the denominator is zero)."""
    row["signed_rate"] = _rate(row["signed"], row["assigned"])
    row["replied_rate"] = _rate(row["replied"], row["assigned"])
    row["on_time_rate"] = _rate(row["on_time"], row["assigned"])
    row["contact_rate"] = _rate(row["contacted"], row["assigned"])
    row["returned_rate"] = _rate(row["returned"], row["replied"])
    row["satisfied_rate"] = _rate(row["satisfied"] + row["basically"], row["forms"])
    return row


def dashboard(criteria):
    """(summary, per-unit rows) for the assignments matching the Q `criteria`.

    The summary adds up the 主办 and 分办 rows: those owe a formal reply.
    """
    from proposals.models import HandlingUnit

    facts = _facts(criteria)
    names = dict(HandlingUnit.objects.filter(pk__in={unit for unit, _role in facts}).values_list("pk", "short_name"))
    role_labels = dict(AssignmentRole.choices)
    role_order = {role: i for i, role in enumerate(AssignmentRole.values)}
    rows, totals = [], {}
    summary = dict.fromkeys(COUNTS, 0)
    for (unit_id, role), counts in facts.items():
        rows.append(
            with_rates(
                {"unit_id": unit_id, "unit": names[unit_id], "role": role, "role_label": role_labels[role], **counts}
            )
        )
        totals[unit_id] = totals.get(unit_id, 0) + counts["assigned"]
        if role != AssignmentRole.CO:
            for name in COUNTS:
                summary[name] += counts[name]
    rows.sort(key=lambda r: (-totals[r["unit_id"]], r["unit"], role_order[r["role"]]))
    return with_rates(summary), rows


def summary(criteria):
    return dashboard(criteria)[0]


def per_unit(criteria):
    return dashboard(criteria)[1]


def _month(field):
    # "YYYY-MM" from the ISO text of a date: native on both databases (no Python date functions in SQLite).
    return Substr(Cast(field, output_field=CharField()), 1, 7)


def timeline(criteria, months=12):
    """Per month: how many answering assignments fell due, and how many first replies went out on time and late."""
    from proposals.models import Assignment

    criteria = criteria & ~Q(status=AssignmentStatus.RETURNED) & ~Q(role=AssignmentRole.CO)
    due = dict(
        Assignment.objects.filter(criteria)
        .annotate(month=_month("due_on"))
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    replies = (
        Reply.objects.filter(prefixed(criteria, "assignment__"), status=ReplyStatus.ISSUED, round=1)
        .annotate(month=_month("written_on"))
        .values("month")
        .annotate(
            on_time=Count("pk", filter=Q(written_on__lte=F("assignment__due_on"))),
            late=Count("pk", filter=Q(written_on__gt=F("assignment__due_on"))),
        )
        .order_by()
    )
    sent = {r["month"]: r for r in replies}
    keys = sorted(k for k in set(due) | set(sent) if k)
    if not keys:
        return []
    # The last `months` calendar months up to the latest month with data, gaps included.
    year, month = int(keys[-1][:4]), int(keys[-1][5:7])
    firsts = []
    for _step in range(months):
        firsts.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    firsts.reverse()
    return [
        {
            "month": first,
            "due": due.get(first.strftime("%Y-%m"), 0),
            "on_time": sent.get(first.strftime("%Y-%m"), {}).get("on_time", 0),
            "late": sent.get(first.strftime("%Y-%m"), {}).get("late", 0),
        }
        for first in firsts
    ]


def figures(criteria, today=None):
    """Everything the dashboard shows, for the assignments matching `criteria`.

    Kept in the cache for BANLI_DASHBOARD_CACHE_SECONDS (Redis in production, so every app
    server shares it): the figures cover whole sessions and move slowly, and several people
    opening the same dashboard should not each rescan every assignment. 0 turns it off.
    """
    from proposals.models import Assignment

    today = today or timezone.localdate()
    seconds = settings.BANLI_DASHBOARD_CACHE_SECONDS
    key = "supervision:figures:" + hashlib.sha256(f"{criteria!r}|{today}".encode()).hexdigest()
    if seconds and (cached := cache.get(key)) is not None:
        return cached
    summary, units = dashboard(criteria)
    assignments = Assignment.objects.filter(criteria)
    result = {
        "summary": summary,
        "units": units,
        "months": timeline(criteria),
        "overdue": assignments.overdue(today).count(),
        "due_soon": assignments.due_soon(today).count(),
        "computed_at": timezone.now(),
    }
    if seconds:
        cache.set(key, result, seconds)
    return result
