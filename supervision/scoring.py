"""Unit scoring (承办单位考评): each unit's points for a year by a published scheme, with the
breakdown of every point, separately for 主办 (lead and separate units, who answer the member)
and 会办 (co-handling units, who give their opinion to the lead unit).

The scheme is data (`ScoringScheme`, one per year, edited as reference data; DEFAULT_RULES when a
year has none). Each group's rules give the points of five rates and two deductions:

- 按期办复 `on_time`: first replies (会办: first opinions) issued by the first round's deadline,
  its extensions included (`Assignment.first_due_on`, from the deadline history): a 重办 round's
  later deadline never changes it. ÷ the assignments (those returned not counted).
- 见面/沟通 `contact`: assignments with at least one contact with the member (ContactRecord) ÷ assignments.
- 满意度 `satisfaction`: (满意 + `basically` × 基本满意) ÷ feedback forms received.
- 承诺兑现 `commitments`: commitments closed ÷ commitments that fell due (supervision.commitments),
  for the commitments the unit made on that year's proposals.
- 督办 received `escalations`: `per` points off for each 督办 (Escalation, counted by the 督办 line
  each writes on its assignment's timeline) the unit received, at most `max`.
- 答复要件 misses `elements`: `per` points off for each reply returned at review for a missing
  required element, at most `max`.

A rate with nothing to measure (no assignment, no form, no commitment due) earns its full points
and says so. A score is never below zero. All figures come from a few aggregate queries however
many proposals the year has: the assignments' from the tally the database keeps
(supervision/tally.py), the small tables' from their own side.
"""

import hashlib
import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import Case, Count, F, Q, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from proposals.models import AssignmentRole, Event, EventVerb, HandlingUnit, Session

from . import commitments
from .models import Commitment, ScoringScheme, Tally
from .scheme import CO, DEDUCTIONS, DEFAULT_RULES, GROUPS, LEAD, RATES


def scheme_for(year):
    """The year's scheme: its row, or the default rules (an unsaved scheme) when it has none."""
    scheme = ScoringScheme.objects.filter(year=year).first()
    return scheme or ScoringScheme(year=year, name=str(_("默认考评办法")), rules=DEFAULT_RULES)


def _points(value):
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class Line:
    key: str
    label: str
    measure: str  # what was counted, "12/15"
    rate: float | None  # percent, None when nothing to measure
    weight: str  # the rule as read: "30 分 × 比率", "每次扣 2 分，最多 10 分"
    points: Decimal


@dataclass
class Score:
    unit: HandlingUnit
    group: str
    assigned: int
    lines: list = field(default_factory=list)

    @property
    def group_label(self):
        return GROUPS[self.group]

    @property
    def total(self):
        return max(_points(0), sum((line.points for line in self.lines), _points(0)))

    def line(self, key):
        return next(line for line in self.lines if line.key == key)


def _rate_line(key, rule, part, whole, *, measure=None):
    points = Decimal(str(rule.get("points", 0)))
    if whole:
        got = _points(points * Decimal(str(part)) / Decimal(whole))
        rate = round(100 * part / whole, 1)
    else:
        got, rate = _points(points), None
    return Line(
        key=key,
        label=str(RATES[key]),
        measure=measure or f"{part}/{whole}",
        rate=rate,
        weight=str(_("%(points)s 分 × 比率") % {"points": rule.get("points", 0)}),
        points=got,
    )


def _deduction_line(key, rule, count):
    per, most = Decimal(str(rule.get("per", 0))), Decimal(str(rule.get("max", 0)))
    return Line(
        key=key,
        label=str(DEDUCTIONS[key]),
        measure=str(count),
        rate=None,
        weight=str(_("每次扣 %(per)s 分，最多 %(max)s 分") % {"per": rule.get("per", 0), "max": rule.get("max", 0)}),
        points=-_points(min(per * count, most)),
    )


def _group(role):
    return CO if role == AssignmentRole.CO else LEAD


def year_sessions(year, body=None):
    sessions = Session.objects.filter(year=year)
    if body:
        sessions = sessions.filter(body=body)
    return list(sessions.values_list("pk", flat=True))


def unit_scores(year, *, body=None, unit=None, today=None, sessions=None):
    """(scheme, [Score]) for the year's sessions (of one body, if given; or the `sessions` ids the
    caller already has), best total first; a unit appears once per group it handled assignments
    in. `unit` limits it to one unit."""
    today = today or timezone.localdate()
    scheme = scheme_for(year)
    sessions = year_sessions(year, body) if sessions is None else sessions
    # Kept with the dashboard's figures for as long (BANLI_DASHBOARD_CACHE_SECONDS): they move as
    # slowly, and several people opening the table should not each rescan the year.
    seconds = settings.BANLI_DASHBOARD_CACHE_SECONDS
    rules = json.dumps(scheme.rules, sort_keys=True)
    key = (
        "supervision:scores:"
        + hashlib.sha256(f"{year}|{sorted(sessions)}|{getattr(unit, 'pk', None)}|{today}|{rules}".encode()).hexdigest()
    )
    if seconds and (cached := cache.get(key)) is not None:
        return scheme, cached
    scores = _scores(scheme, sessions, unit, today)
    if seconds:
        cache.set(key, scores, seconds)
    return scheme, scores


def _scores(scheme, sessions, unit, today):
    # The assignments' figures from the tally the database keeps (supervision/tally.py), which
    # leaves the returned ones out: a few thousand rows, not every assignment of the year.
    tally = Tally.objects.filter(session__in=sessions)
    if unit is not None:
        tally = tally.filter(unit=unit)
    rows = (
        tally.values_list("unit_id", "unit__name", "unit__short_name", "role")
        .annotate(
            assigned=Sum("n"),
            on_time=Sum("replies_on_time") + Sum("opinions_on_time"),
            contacted=Sum("contacted"),
            forms=Sum("forms"),
            satisfied=Sum("satisfied"),
            basically=Sum("basically"),
        )
        .order_by()
    )
    facts, units = {}, {}
    names = ["assigned", "on_time", "contacted", "forms", "satisfied", "basically"]
    for unit_id, name, short_name, role, *values in rows:
        units[unit_id] = HandlingUnit(pk=unit_id, name=name, short_name=short_name)
        row = facts.setdefault((unit_id, _group(role)), dict.fromkeys(names, 0))
        for name, value in zip(names, values, strict=True):
            row[name] += int(value or 0)

    # The small tables are grouped by session too and read from their own side (a filter through
    # the proposal would make the database start from the proposals); the year is picked here.
    wanted = set(sessions)
    session_of = "assignment__proposal__session_id"
    kept = {}
    made = Commitment.objects.all() if unit is None else Commitment.objects.filter(unit=unit)
    # A unit that promised on another unit's reply (a co-handling unit named in the lead's letter)
    # answers for it as a 会办 unit.
    own_role = Case(When(unit_id=F("assignment__unit_id"), then=F("assignment__role")), default=Value(CO))
    for unit_id, role, session_id, closed, overdue in (
        made.order_by()
        .annotate(own_role=own_role)
        .values_list("unit_id", "own_role", session_of)
        .annotate(
            closed=Count("pk", filter=Q(status="closed")),
            overdue=Count("pk", filter=Q(status="open", due_on__lt=today)),
        )
    ):
        if session_id in wanted:
            k = kept.setdefault((unit_id, _group(role)), [0, 0])
            k[0] += closed
            k[1] += overdue

    # The 督办 received and the replies returned for missing 答复要件, from the timeline in one
    # query: every 督办 (Escalation) writes one 督办 line on its assignment, every return one
    # 答复要件不全 line (a topic's lines name no assignment and count for nobody).
    lines = Event.objects.filter(verb__in=[EventVerb.ESCALATED, EventVerb.ELEMENTS_MISSING])
    if unit is not None:
        lines = lines.filter(assignment__unit=unit)
    counted = {EventVerb.ESCALATED: {}, EventVerb.ELEMENTS_MISSING: {}}
    for verb, unit_id, role, session_id, n in (
        lines.order_by()
        .values_list("verb", "assignment__unit_id", "assignment__role", session_of)
        .annotate(n=Count("pk"))
    ):
        if unit_id is not None and session_id in wanted:
            bucket = counted[verb]
            bucket[(unit_id, _group(role))] = bucket.get((unit_id, _group(role)), 0) + n
    escalated, missed = counted[EventVerb.ESCALATED], counted[EventVerb.ELEMENTS_MISSING]

    keys = set(facts) | set(kept) | set(escalated) | set(missed)
    if missing := {unit_id for unit_id, _g in keys} - set(units):
        units.update(HandlingUnit.objects.in_bulk(missing))
    scores = []
    for unit_id, group in keys:
        rules = scheme.rules.get(group, DEFAULT_RULES[group])
        f = facts.get((unit_id, group), dict.fromkeys(names, 0))
        closed, overdue = kept.get((unit_id, group), (0, 0))
        basically_weight = (rules.get("satisfaction") or {}).get("basically", 1)
        pleased = f["satisfied"] + basically_weight * f["basically"]
        score = Score(unit=units[unit_id], group=group, assigned=f["assigned"])
        score.lines = [
            _rate_line("on_time", rules["on_time"], f["on_time"], f["assigned"]),
            _rate_line("contact", rules["contact"], f["contacted"], f["assigned"]),
            _rate_line(
                "satisfaction",
                rules["satisfaction"],
                pleased,
                f["forms"],
                measure=f"{f['satisfied']}+{basically_weight}×{f['basically']}/{f['forms']}",
            ),
            _rate_line("commitments", rules["commitments"], closed, closed + overdue),
            _deduction_line("escalations", rules["escalations"], escalated.get((unit_id, group), 0)),
            _deduction_line("elements", rules["elements"], missed.get((unit_id, group), 0)),
        ]
        scores.append(score)
    scores.sort(key=lambda s: (s.group != LEAD, -s.total, s.unit.name))
    return scores


def commitment_rate(year=None, *, body=None, today=None):
    """承诺兑现率 (figures of supervision.commitments) of the commitments made on a year's
    proposals (every year when None), for the annual report."""
    qs = Commitment.objects.all()
    if year is not None:
        qs = qs.filter(assignment__proposal__session__in=year_sessions(year, body))
    elif body:
        qs = qs.filter(assignment__proposal__session__body=body)
    return commitments.fulfilment(qs, today=today)


def scheme_rows(scheme):
    """The scheme as people read it: [(group label, [(item, rule text)])]."""
    rows = []
    for group, label in GROUPS.items():
        rules = scheme.rules.get(group, DEFAULT_RULES[group])
        items = []
        for key, name in RATES.items():
            text = _("%(points)s 分 × 比率") % {"points": rules[key].get("points", 0)}
            if key == "satisfaction":
                text += _("（基本满意按 %(w)s 计）") % {"w": rules[key].get("basically", 1)}
            items.append((name, text))
        for key, name in DEDUCTIONS.items():
            items.append(
                (name, _("每次扣 %(per)s 分，最多 %(max)s 分") % {"per": rules[key]["per"], "max": rules[key]["max"]})
            )
        rows.append((label, items))
    return rows
