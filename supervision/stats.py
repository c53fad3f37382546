"""The 督查室's figures, computed by the database in one GROUP BY query over the tally.

Everything starts from a Q on Assignment (the user's scope and the filters). Each assignment
carries its own figures (first issued reply, latest class, contacts, forms by satisfaction,
first co-handling opinion), which database triggers keep equal to its rows (supervision/figures.py),
and the tally (supervision/tally.py) adds them up by session, unit, role, months and open
deadline, also kept by triggers. So one query sums the matching tally rows by unit, role, month
of the deadline and month of the first reply (`_facts`); the per-unit table, the headline
figures (the per-unit rows added up), the overdue/due-soon counts, the months' deadlines and the
first replies by month all come from it. Nothing here loops over assignments or replies, and no
query runs per row: at 100,000 proposals the dashboard reads a few thousand rows, not every
assignment, without its cache (bench/lists.py).

The definitions below are shown on the dashboard next to the figures (DEFINITIONS), so the
page and the arithmetic never disagree.
"""

import datetime
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db.models import BigIntegerField, ExpressionWrapper, F, Func, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from proposals.models import AssignmentRole, AssignmentStatus
from replies.models import ResultClass

from . import commitments
from .models import Tally

DEFINITIONS = [
    (
        pgettext_lazy("assigned", "交办"),
        _("交办给承办单位的件数（已退回的不计）。总体数字只计主办和分办（须正式答复的件），会办在分单位表中单列。"),
    ),
    (_("签收率"), _("已签收件数 ÷ 交办件数。")),
    (_("办复率"), _("已办复件数 ÷ 交办件数。主办、分办以发出答复函为办复；会办以提交会办意见为办复。")),
    (
        _("按期办复率"),
        _(
            "首次答复在首轮办理期限（含批准的延期）内的件数 ÷ 交办件数；答复函以成文日期计。"
            "重办的期限另行记录，不影响首次答复是否按期。"
        ),
    ),
    (_("沟通率"), _("至少有一条沟通记录的件数 ÷ 交办件数。")),
    (_("反馈回收率"), _("收到至少一份已签名征询意见表的已办复件数 ÷ 已办复件数。")),
    (_("满意率"), _("（满意 + 基本满意）份数 ÷ 收回的征询意见表份数。")),
    (_("不满意"), _("评价为“不满意”的征询意见表份数。")),
    (
        _("未表态"),
        _(
            "已收回但办理评价未勾选或无法认定（如纸质表多选）、尚未与委员核实更正的征询意见表份数；核实更正后按核实结果计。"
        ),
    ),
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


def semijoined(queryset, q, *, outermost=True):
    """`queryset.filter(q)`, with the lookups that go through a foreign key (`proposal__session__body`)
    turned into `proposal_id IN (<the matching proposals>)`, and so on down the keys.

    The database then picks the few matching rows of the small tables once, instead of joining
    every assignment to its proposal and its session. The outermost key is compared as
    `proposal_id + 0` so that SQLite reads it from the dashboard's covering index rather than
    fetching tens of thousands of assignments one by one through the key's own index (three
    times slower at 100,000 proposals). A many-to-one key points at one row, so both say the
    same. Anything but a plain AND of lookups is applied as it is.
    """
    if q.connector != Q.AND or q.negated:
        return queryset.filter(q)
    model, own, through = queryset.model, [], {}
    for child in q.children:
        head, _sep, tail = child[0].partition("__") if isinstance(child, tuple) else ("", "", "")
        field = next((f for f in model._meta.fields if f.name == head and f.many_to_one), None)
        if tail and field and tail.split("__")[0] in {f.name for f in field.related_model._meta.fields} | {"pk"}:
            through.setdefault(field, []).append((tail, child[1]))
        else:
            own.append(child)
    queryset = queryset.filter(*own)
    for field, lookups in through.items():
        related = semijoined(field.related_model._base_manager.all(), Q(*lookups), outermost=False).values("pk")
        if not outermost:
            queryset = queryset.filter(**{f"{field.name}__in": related})
            continue
        key = ExpressionWrapper(F(field.attname) + Value(0), output_field=BigIntegerField())
        queryset = queryset.alias(**{f"{field.name}_key": key}).filter(**{f"{field.name}_key__in": related})
    return queryset


def tally_criteria(criteria):
    """The Q on Assignment `criteria` (scope and filters: session, body, kind, unit, role) as a Q
    on the tally, whose rows carry the session, the kind, the unit and the role themselves."""
    if not criteria:
        return Q()
    if criteria.connector != Q.AND or criteria.negated:
        raise ValueError(f"The tally cannot filter by {criteria!r}")
    lookups = []
    for child in criteria.children:
        if isinstance(child, Q):
            lookups.append(tally_criteria(child))
            continue
        key, value = child
        key = key.removeprefix("proposal__")
        if key == "pk__in" and not list(value):
            lookups.append(Q(pk__in=[]))  # nothing matches
        elif key.split("__")[0] in {"session", "session_id", "kind", "is_key", "unit", "unit_id", "role"}:
            lookups.append(Q(**{key: value}))
        else:
            raise ValueError(f"The tally cannot filter by {child!r}")
    return Q(*lookups)


def unit_by_key(queryset, criteria):
    """`queryset.filter(criteria)` (a Q on Assignment) with the unit compared as `unit_id + 0`: the
    database then starts from another index (the deadline's, a status's) and checks the unit row
    by row, where an index of the unit's would have it read or sort all of that unit's assignments."""
    key = ExpressionWrapper(F("unit_id") + Value(0), output_field=BigIntegerField())
    return queryset.alias(unit_key=key).filter(_unit_as_key(criteria))


def _unit_as_key(q):
    children = []
    for child in q.children:
        if isinstance(child, Q):
            children.append(_unit_as_key(child))
            continue
        key, value = child
        head, _sep, rest = key.partition("__")
        if head in ("unit", "unit_id") and rest in ("", "in", "exact"):
            value = [getattr(v, "pk", v) for v in value] if rest == "in" else getattr(value, "pk", value)
            key = f"unit_key__{rest}" if rest else "unit_key"
        children.append((key, value))
    return Q(*children, _connector=q.connector, _negated=q.negated)


def list_count(criteria, which, today=None):
    """How many assignments matching `criteria` the list `which` holds (overdue, due_soon or all),
    in one query over the tally; "all" adds the returned assignments, which the tally leaves out."""
    from proposals.models import Assignment

    today = today or timezone.localdate()
    rows = Tally.objects.filter(tally_criteria(criteria))
    if which == "overdue":
        rows = rows.filter(open_due_on__lt=today)
    elif which == "due_soon":
        horizon = today + datetime.timedelta(days=settings.BANLI_DUE_SOON_DAYS)
        rows = rows.filter(open_due_on__gte=today, open_due_on__lte=horizon)
    count = Coalesce(Sum("n"), 0)
    if which == "all":
        # Few are returned: read by their status, each joined to its proposal for the filters.
        returned = unit_by_key(Assignment.objects, criteria).filter(status=AssignmentStatus.RETURNED)
        count += Coalesce(Subquery(returned.order_by().values(n=Func(F("pk"), function="COUNT"))), 0)
    return rows.order_by().aggregate(n=count)["n"]


def _facts(criteria, today=None):
    """Every count of the dashboard, grouped by ((unit, its short name), role, month the first round falls due,
    month of the first issued reply), for the assignments matching `criteria` (a Q on Assignment:
    scope and filters).

    One query over the tally (supervision/tally.py), which the database keeps: a few thousand rows
    each counting the assignments that share these facts, with their figures (first issued reply,
    latest class, contacts, forms by satisfaction, first co-handling opinion) added up.
    Exactness: "an issued reply by the deadline" is "the earliest issued reply by the
    deadline", so comparing the earliest date suffices. The deadline is the first round's,
    extensions included (`first_due_on`), never a later 重办 round's: a member's dissatisfaction
    does not make a late first reply on time, nor an on-time one late. Overdue and due soon
    are about the deadline in force now (`due_on`) of what is still open.
    """
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=settings.BANLI_DUE_SOON_DAYS)
    counts = {
        "assigned": Sum("n"),
        "signed": Sum("signed"),
        "replied": Sum("replies") + Sum("opinions"),
        "on_time": Sum("replies_on_time") + Sum("opinions_on_time"),
        "contacted": Sum("contacted"),
        "returned": Sum("returned"),
        "forms": Sum("forms"),
        "satisfied": Sum("satisfied"),
        "basically": Sum("basically"),
        "dissatisfied": Sum("dissatisfied"),
        "silent": Sum("silent"),
        **{f"class_{code}": Sum(f"class_{code.lower()}") for code in ResultClass.values},
        "overdue": Sum("n", filter=Q(open_due_on__lt=today)),
        "due_soon": Sum("n", filter=Q(open_due_on__gte=today, open_due_on__lte=horizon)),
        "replies_on_time": Sum("replies_on_time"),
        "replies_late": Sum("replies_late"),
    }
    rows = (
        Tally.objects.filter(tally_criteria(criteria))
        .values_list("unit_id", "unit__short_name", "role", "due_month", "reply_month")
        .annotate(**counts)
        .order_by()
    )
    names = list(counts)
    # The unit is keyed with its short name: (id, short name).
    return {
        ((unit, short_name), role, due_month, reply_month): {
            name: int(n or 0) for name, n in zip(names, values, strict=True)
        }
        for unit, short_name, role, due_month, reply_month, *values in rows
    }


def _by_unit(facts):
    """{(unit, role): counts}, the months added up."""
    units = {}
    for (unit, role, _month, _reply_month), counts in facts.items():
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
    facts = _by_unit(_facts(criteria, today) if facts is None else facts)
    role_labels = dict(AssignmentRole.choices)
    role_order = {role: i for i, role in enumerate(AssignmentRole.values)}
    rows, totals = [], {}
    summary = dict.fromkeys(COUNTS + ["overdue", "due_soon"], 0)
    for ((unit_id, short_name), role), counts in facts.items():
        summary["overdue"] += counts["overdue"]
        summary["due_soon"] += counts["due_soon"]
        rows.append(
            with_rates(
                {"unit_id": unit_id, "unit": short_name, "role": role, "role_label": role_labels[role], **counts}
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


def _due_by_month(facts):
    """{"YYYY-MM": answering (主办/分办) assignments falling due that month} from the dashboard's facts."""
    due = {}
    for (_unit, role, month, _reply_month), counts in facts.items():
        if role != AssignmentRole.CO:
            due[month] = due.get(month, 0) + counts["assigned"]
    return due


def timeline(criteria, months=12, facts=None):
    """Per month: how many answering assignments fell due, and how many first replies went out on time and late."""
    facts = _facts(criteria) if facts is None else facts
    due = _due_by_month(facts)
    # Each answering assignment's first issued reply, by the month it was written.
    sent = {}
    for (_unit, role, _month, reply_month), counts in facts.items():
        if role != AssignmentRole.CO and reply_month:
            row = sent.setdefault(reply_month, {"on_time": 0, "late": 0})
            row["on_time"] += counts["replies_on_time"]
            row["late"] += counts["replies_late"]
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
        "commitments": commitments.for_assignments(criteria, today=today),
        "computed_at": timezone.now(),
    }
    if seconds:
        cache.set(key, result, seconds)
    return result
