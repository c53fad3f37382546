"""承诺事项 beyond one row: the 承诺兑现率 (for the dashboard, the unit scores and the annual
report) and the warnings of commitments coming due or overdue.

承诺兑现率 = commitments closed (销号) ÷ commitments that fell due: those closed plus those
still open past their time limit. A commitment not yet due and still open counts in neither.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.services import notify
from proposals.i18n import stored_text
from proposals.models import RoleKind

from .models import Commitment, CommitmentStatus


def rate(part, whole):
    return None if not whole else round(100 * part / whole, 1)


def _counts(today):
    return {
        "total": Count("pk"),
        "open": Count("pk", filter=Q(status=CommitmentStatus.OPEN)),
        "closed": Count("pk", filter=Q(status=CommitmentStatus.CLOSED)),
        "overdue": Count("pk", filter=Q(status=CommitmentStatus.OPEN, due_on__lt=today)),
    }


def _with_rate(row):
    row["due"] = row["closed"] + row["overdue"]
    row["rate"] = rate(row["closed"], row["due"])
    return row


def fulfilment(qs=None, *, today=None):
    """{total, open, closed, overdue, due, rate} of the commitments in `qs` (all by default), in one query."""
    today = today or timezone.localdate()
    qs = Commitment.objects.all() if qs is None else qs
    return _with_rate(qs.order_by().aggregate(**_counts(today)))


def for_assignments(criteria, *, today=None):
    """The figures of the commitments made on the assignments matching `criteria` (a Q on Assignment)."""
    qs = Commitment.objects.all()
    if criteria:
        # Read from the few commitments through their assignment, not from every matching assignment.
        qs = qs.filter(_through_assignment(criteria))
    return fulfilment(qs, today=today)


def _through_assignment(q):
    """The Q on Assignment `q` as a Q on Commitment (each lookup prefixed by `assignment__`)."""
    children = [
        _through_assignment(child) if isinstance(child, Q) else (f"assignment__{child[0]}", child[1])
        for child in q.children
    ]
    return Q(*children, _connector=q.connector, _negated=q.negated)


def fulfilment_by_unit(qs=None, *, today=None):
    """{unit_id: {total, open, closed, overdue, due, rate}}, in one query."""
    today = today or timezone.localdate()
    qs = Commitment.objects.all() if qs is None else qs
    rows = qs.order_by().values("unit").annotate(**_counts(today))
    return {row.pop("unit"): _with_rate(row) for row in rows}


@dataclass
class WarnResult:
    due_soon: int = 0
    overdue: int = 0


def _office_staff(body):
    User = get_user_model()
    return list(
        User.objects.filter(is_active=True, banli_roles__kind=RoleKind.OFFICE, banli_roles__body=body).distinct()
    )


def warn(*, today=None):
    """Tell each unit of its open commitments coming due (within BANLI_DUE_SOON_DAYS) and, with the
    body's office, of those overdue: once per commitment, time limit and kind of warning, so a
    daily run (or a second run the same day) repeats nothing, and a new time limit warns again."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=settings.BANLI_DUE_SOON_DAYS)
    result = WarnResult()
    rows = (
        Commitment.objects.open()
        .filter(due_on__lte=horizon)
        .select_related("unit", "assignment__proposal__session")
        .order_by("due_on", "pk")
    )
    offices = {}
    for c in rows.iterator(chunk_size=500):
        overdue = c.due_on < today
        proposal = c.assignment.proposal
        recipients = [c.unit]
        with stored_text():
            if overdue:
                body = proposal.session.body
                if body not in offices:
                    offices[body] = _office_staff(body)
                recipients += offices[body]
                subject = _("【承诺事项超期】%(number)s") % {"number": proposal.number}
                text = _(
                    "%(unit)s在答复%(number)s《%(title)s》时承诺：%(text)s，时限%(due)s，已超期%(n)s天，尚未销号。"
                ) % {
                    "unit": c.unit.name,
                    "number": proposal.number,
                    "title": proposal.title,
                    "text": c.text,
                    "due": f"{c.due_on:%Y-%m-%d}",
                    "n": (today - c.due_on).days,
                }
            else:
                subject = _("【承诺事项即将到期】%(number)s") % {"number": proposal.number}
                text = _(
                    "%(unit)s在答复%(number)s《%(title)s》时承诺：%(text)s，时限%(due)s，请按时兑现并报告进展。"
                ) % {
                    "unit": c.unit.name,
                    "number": proposal.number,
                    "title": proposal.title,
                    "text": c.text,
                    "due": f"{c.due_on:%Y-%m-%d}",
                }
        kind = "overdue" if overdue else "due"
        with transaction.atomic():
            notify(
                event=f"commitment_{kind}",
                key=f"commitment:{kind}:{c.pk}:{c.due_on:%Y%m%d}",
                recipients=recipients,
                subject=subject,
                text=text,
                url=c.get_absolute_url(),
            )
        if overdue:
            result.overdue += 1
        else:
            result.due_soon += 1
    return result
