"""The annual 办理情况通报 as data: the dashboard's own figures, read through the same functions
for the same criteria, plus what an office writes around them (units commended and named by a
stated rule, typical cases chosen by rule). printing.report typesets it (Typst) and writes it as
Word; the office edits the Word draft before it is issued.
"""

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from feedback.models import Feedback, Satisfaction
from proposals.i18n import in_chinese
from proposals.models import Assignment, AssignmentRole, HandlingUnit
from replies.models import Reply, ResultClass

from . import meetings, stats

# The rules the draft states in its own words (COMMEND_RULE / NAME_RULE), so a reader knows why a
# unit is listed.
COMMEND_MIN_ASSIGNED = 2
TYPICAL_CASES = 3


def _commended(rows):
    """Units whose every answering assignment was replied on time and whose every form was satisfied."""
    return [
        r["unit"]
        for r in rows
        if r["assigned"] >= COMMEND_MIN_ASSIGNED
        and r["on_time"] == r["assigned"]
        and r["forms"]
        and r["satisfied"] + r["basically"] == r["forms"]
    ]


def _named(rows):
    """Units with an overdue item, a reply sent after its deadline, or a dissatisfied member; with why.
    (Items not yet due count against nobody.)"""
    named = []
    for r in rows:
        reasons = []
        if r["overdue"]:
            reasons.append(_("%(n)s件逾期未办复") % {"n": r["overdue"]})
        if late := r["replied"] - r["on_time"]:
            reasons.append(_("%(n)s件超过期限才办复") % {"n": late})
        if r["dissatisfied"]:
            reasons.append(_("%(n)s份征询意见表评价不满意") % {"n": r["dissatisfied"]})
        if reasons:
            named.append({"unit": r["unit"], "reasons": "，".join(reasons)})
    return named


def _by_unit(rows):
    """The answering (主办/分办) rows added up per unit (a unit may hold both roles), under the
    unit's full name as a 通报 writes it."""
    names = dict(HandlingUnit.objects.filter(pk__in={r["unit_id"] for r in rows}).values_list("pk", "name"))
    units = {}
    for r in rows:
        if r["role"] == AssignmentRole.CO:
            continue
        row = units.setdefault(
            r["unit_id"], {"unit": names[r["unit_id"]], **dict.fromkeys([*stats.COUNTS, "overdue"], 0)}
        )
        for name in [*stats.COUNTS, "overdue"]:
            row[name] += r[name]
    return [stats.with_rates(row) for row in sorted(units.values(), key=lambda r: (-r["assigned"], r["unit"]))]


def _typical_cases(criteria):
    """Class A replies a member was satisfied with, key proposals first: the office's 典型案例 to write up."""
    satisfied = Feedback.objects.filter(reply=OuterRef("pk"), satisfaction=Satisfaction.SATISFIED)
    replies = (
        Reply.objects.issued()
        .filter(assignment__in=stats.semijoined(Assignment.objects, criteria).values("pk"))
        .filter(result_class=ResultClass.A, round=1)
        .filter(Exists(satisfied))
        .select_related("assignment__unit", "assignment__proposal")
        .order_by("-assignment__proposal__is_key", "written_on", "pk")[:TYPICAL_CASES]
    )
    return [
        {
            "number": r.assignment.proposal.number,
            "title": r.assignment.proposal.title,
            "unit": r.assignment.unit.name,
            "doc_number": r.doc_number,
            "excerpt": _excerpt(r),
        }
        for r in replies
    ]


def _excerpt(reply, limit=120):
    """The first paragraph that says what was done (after the opening 现答复如下), cut at a sentence."""
    paragraphs = [p.strip() for p in reply.body.splitlines() if p.strip()]
    opening = ("收悉", "答复如下", "现将", "感谢")
    text = next(
        (p for p in paragraphs if len(p) > 20 and not any(word in p for word in opening)),
        paragraphs[0] if paragraphs else "",
    )
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = max(cut.rfind("。"), cut.rfind("；"))
    return cut[: end + 1] if end > limit // 2 else cut + "……"


@in_chinese
def report_figures(criteria, *, scope_label, today=None):
    """Everything the draft says, for the assignments matching `criteria` (the dashboard's Q)."""
    today = today or timezone.localdate()
    figures = stats.figures(criteria, today)
    summary, rows = figures["summary"], figures["units"]
    units = _by_unit(rows)
    classes = [
        {
            "code": code,
            "count": summary[f"class_{code}"],
            "share": stats._rate(summary[f"class_{code}"], summary["replied"]),
        }
        for code in ResultClass.values
    ]
    meeting_rates = meetings.unit_rates(criteria, today)
    return {
        "scope": scope_label,
        "today": today,
        "summary": summary,
        "commitments": figures["commitments"],
        "classes": classes,
        "units": units,
        "co_units": [r for r in rows if r["role"] == AssignmentRole.CO],
        "commended": _commended(units),
        "named": _named(units),
        "meetings_below": meetings.below_full(meeting_rates),
        "typical": _typical_cases(criteria),
        "rules": {
            "commend": _("交办%(n)s件以上、全部按期办复且收回的征询意见表均为满意或基本满意的单位。")
            % {"n": COMMEND_MIN_ASSIGNED},
            "name": _("有逾期未办复件、超过期限才办复的件，或有代表委员评价不满意的单位。"),
        },
    }
