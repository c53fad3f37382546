"""The 督查室's figures, computed by the database in two GROUP BY queries.

Everything starts from a Q on Assignment (the user's scope and the filters). One query reads
the matching assignments once, each joined to one summary row per assignment of its issued
replies and feedback forms, co-handling opinions and contacts, and counts them by unit, role
and deadline (`_facts`); the per-unit table, the headline figures (the per-unit rows added up),
the overdue/due-soon counts and the months' deadlines all come from it. The second query counts
first replies by the month they were written (`timeline`). Nothing here loops over assignments
or replies in Python, and no query runs per row. At 100,000 proposals this is what keeps the
dashboard fast without its cache (bench/lists.py).

The definitions below are shown on the dashboard next to the figures (DEFINITIONS), so the
page and the arithmetic never disagree.
"""

import datetime
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Case, CharField, Count, F, IntegerField, Max, Min, Q, Value, When
from django.db.models.functions import Cast, Substr, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from feedback.models import Satisfaction
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


CLASS_SLOTS = 16  # more than the number of result classes


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


def _sql(qs):
    sql, params = qs.query.sql_with_params()
    return sql, list(params)


def _facts(criteria, today=None):
    """Every count of the dashboard, grouped by (unit, role, month the assignment falls due),
    for the assignments matching `criteria` (a Q on Assignment: scope and filters).

    One query. Each related table is first boiled down to one row per assignment (first issued
    reply, latest issued round's class, first co-handling opinion, contacts, feedback forms);
    the matching assignments are then read once, each LEFT JOINed to those rows, and counted.
    No related table is joined to the assignments row by row before it is reduced, no
    COUNT(DISTINCT) runs over a join, and the filters (which may reach the proposal and its
    session) are applied once, to the assignments. Exactness: "an issued reply by the deadline"
    is "the earliest issued reply by the deadline", so comparing the earliest date suffices.

    The inner queries are built with the ORM (so the criteria, time zones and types are
    Django's); only the outer SELECT, plain portable SQL, is written here.
    """
    from proposals.models import Assignment

    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=settings.BANLI_DUE_SOON_DAYS)
    criteria = criteria & ~Q(status=AssignmentStatus.RETURNED)
    assignments = (
        Assignment.objects.filter(criteria)
        .values(
            a_id=F("pk"),
            a_unit=F("unit_id"),
            a_role=F("role"),
            a_status=F("status"),
            a_due=F("due_on"),
            a_signed=F("signed_for_on"),
        )
        .order_by()
    )
    # The latest issued round's class: round * CLASS_SLOTS + the class's number, the largest of
    # which is the latest round; its remainder is the class (0 for none). Integer arithmetic,
    # native on both databases.
    class_number = Case(
        *(When(result_class=code, then=Value(i)) for i, code in enumerate(ResultClass.values, start=1)),
        default=Value(0),
    )
    # Per assignment: its issued replies, and the signed feedback forms on them (LEFT JOIN: a reply
    # without forms still counts). Several forms repeat a reply's row, which MIN and MAX ignore.
    submitted = Q(feedback__submitted_at__isnull=False)
    letters = (
        Reply.objects.filter(status=ReplyStatus.ISSUED)
        .values(r_id=F("assignment_id"))
        .annotate(
            first_on=Min("written_on"),
            latest=Max(F("round") * CLASS_SLOTS + class_number, output_field=IntegerField()),
            forms=Count("feedback", filter=submitted),
            satisfied=Count("feedback", filter=submitted & Q(feedback__satisfaction=Satisfaction.SATISFIED)),
            basically=Count("feedback", filter=submitted & Q(feedback__satisfaction=Satisfaction.BASICALLY)),
            dissatisfied=Count("feedback", filter=submitted & Q(feedback__satisfaction=Satisfaction.DISSATISFIED)),
            silent=Count("feedback", filter=submitted & Q(feedback__satisfaction="")),
        )
        .order_by()
    )
    opinions = (
        CoHandlingOpinion.objects.values(o_id=F("assignment_id"))
        .annotate(first_on=Min(TruncDate("submitted_at")))
        .order_by()
    )
    contacts = ContactRecord.objects.values(c_id=F("assignment_id")).annotate(n=Count("pk")).order_by()
    adapt = connection.ops.adapt_datefield_value
    open_ = "a.a_status NOT IN (%s, %s)"
    open_params = [AssignmentStatus.REPLIED.value, AssignmentStatus.CLOSED.value]
    classes = ", ".join(
        f"SUM(CASE WHEN r.latest %% {CLASS_SLOTS} = {i} THEN 1 ELSE 0 END) AS class_{code}"
        for i, code in enumerate(ResultClass.values, start=1)
    )
    try:
        parts = [_sql(q) for q in (assignments, letters, opinions, contacts)]
    except EmptyResultSet:  # criteria that nothing can meet (e.g. an office with no body)
        return {}
    # Only SQL compiled by Django and the constants above go into the text; values are parameters.
    sql = f"""
        SELECT a.a_unit, a.a_role, a.a_due,
            COUNT(*) AS assigned,
            COUNT(a.a_signed) AS signed,
            SUM(CASE WHEN r.r_id IS NULL THEN 0 ELSE 1 END) + SUM(CASE WHEN o.o_id IS NULL THEN 0 ELSE 1 END) AS replied,
            SUM(CASE WHEN r.first_on <= a.a_due THEN 1 ELSE 0 END)
                + SUM(CASE WHEN o.first_on <= a.a_due THEN 1 ELSE 0 END) AS on_time,
            SUM(CASE WHEN c.c_id IS NULL THEN 0 ELSE 1 END) AS contacted,
            SUM(CASE WHEN r.forms > 0 THEN 1 ELSE 0 END) AS returned,
            SUM(COALESCE(r.forms, 0)) AS forms,
            SUM(COALESCE(r.satisfied, 0)) AS satisfied,
            SUM(COALESCE(r.basically, 0)) AS basically,
            SUM(COALESCE(r.dissatisfied, 0)) AS dissatisfied,
            SUM(COALESCE(r.silent, 0)) AS silent,
            {classes},
            SUM(CASE WHEN {open_} AND a.a_due < %s THEN 1 ELSE 0 END) AS overdue,
            SUM(CASE WHEN {open_} AND a.a_due >= %s AND a.a_due <= %s THEN 1 ELSE 0 END) AS due_soon
        FROM ({parts[0][0]}) a
        LEFT JOIN ({parts[1][0]}) r ON r.r_id = a.a_id
        LEFT JOIN ({parts[2][0]}) o ON o.o_id = a.a_id
        LEFT JOIN ({parts[3][0]}) c ON c.c_id = a.a_id
        GROUP BY a.a_unit, a.a_role, a.a_due
    """  # noqa: S608  # nosec B608
    params = [
        *open_params,
        adapt(today),
        *open_params,
        adapt(today),
        adapt(horizon),
        *(p for _sql_text, part_params in parts for p in part_params),
    ]
    names = [*COUNTS, "overdue", "due_soon"]  # the order of the SELECT list above
    with connection.cursor() as cursor:
        cursor.execute(sql.strip(), params)
        rows = cursor.fetchall()
    facts = {}
    for unit, role, due_on, *counts in rows:
        # Grouped by the day (read in index order, no sort), handed on by the month ("YYYY-MM").
        row = facts.setdefault((unit, role, str(due_on)[:7]), dict.fromkeys(names, 0))
        for name, n in zip(names, counts, strict=True):
            row[name] += int(n or 0)
    return facts


def _by_unit(facts):
    """{(unit, role): counts}, the months added up."""
    units = {}
    for (unit, role, _month), counts in facts.items():
        row = units.setdefault((unit, role), dict.fromkeys(counts, 0))
        for name, value in counts.items():
            row[name] += value
    return units


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


def dashboard(criteria, today=None, facts=None):
    """(summary, per-unit rows) for the assignments matching the Q `criteria`.

    The summary adds up the 主办 and 分办 rows: those owe a formal reply. Its `overdue` and
    `due_soon` count every open assignment, co-handling ones included (as the lists do).
    """
    from proposals.models import HandlingUnit

    facts = _by_unit(_facts(criteria, today) if facts is None else facts)
    names = dict(HandlingUnit.objects.filter(pk__in={unit for unit, _role in facts}).values_list("pk", "short_name"))
    role_labels = dict(AssignmentRole.choices)
    role_order = {role: i for i, role in enumerate(AssignmentRole.values)}
    rows, totals = [], {}
    summary = dict.fromkeys(COUNTS + ["overdue", "due_soon"], 0)
    for (unit_id, role), counts in facts.items():
        summary["overdue"] += counts["overdue"]
        summary["due_soon"] += counts["due_soon"]
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


def _due_by_month(facts):
    """{"YYYY-MM": answering (主办/分办) assignments falling due that month} from the dashboard's facts."""
    due = {}
    for (_unit, role, month), counts in facts.items():
        if role != AssignmentRole.CO:
            due[month] = due.get(month, 0) + counts["assigned"]
    return due


def timeline(criteria, months=12, facts=None):
    """Per month: how many answering assignments fell due, and how many first replies went out on time and late."""
    due = _due_by_month(_facts(criteria) if facts is None else facts)
    criteria = criteria & ~Q(status=AssignmentStatus.RETURNED) & ~Q(role=AssignmentRole.CO)
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
    today = today or timezone.localdate()
    seconds = settings.BANLI_DASHBOARD_CACHE_SECONDS
    key = "supervision:figures:" + hashlib.sha256(f"{criteria!r}|{today}".encode()).hexdigest()
    if seconds and (cached := cache.get(key)) is not None:
        return cached
    facts = _facts(criteria, today)
    summary, units = dashboard(criteria, today, facts)
    result = {
        "summary": summary,
        "units": units,
        "months": timeline(criteria, facts=facts),
        "overdue": summary["overdue"],
        "due_soon": summary["due_soon"],
        "computed_at": timezone.now(),
    }
    if seconds:
        cache.set(key, result, seconds)
    return result
