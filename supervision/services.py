"""Writes of the supervision app: 催办 (with its reminder e-mail), graded 督办, and the 交办清单
import (importer.apply)."""

from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.services import notify
from proposals.i18n import stored_text
from proposals.limits import clip
from proposals.models import Assignment, Event, EventVerb, TransitionError

from . import notices
from .mail import send_reminder_once
from .models import Escalation, EscalationLevel, EscalationRule, Notify, Urge


def urge(*, assignment: Assignment, by: User, method: str, note: str = "") -> tuple[Urge, bool | None]:
    """催办 one assignment: record it on the timeline and mail the unit once per deadline.

    Returns (urge, sent): sent is True when an e-mail goes out, False when one already went for
    this deadline, None when the unit has no address.
    """
    with transaction.atomic():
        record = Urge.objects.create(
            assignment=assignment, method=method, note=note, due_on=assignment.due_on, urged_by=by
        )
        with stored_text():
            summary = f"{record.get_method_display()} · {assignment.unit.short_name}" + (f"：{note}" if note else "")
        Event.record(proposal=assignment.proposal, assignment=assignment, verb=EventVerb.URGED, actor=by, note=summary)
        sent = send_reminder_once(record)
    return record, sent


def escalate(
    *,
    assignment: Assignment,
    level: EscalationLevel,
    by: User | None = None,
    reason: str = "",
    leader: str = "",
    rule: EscalationRule | None = None,
    at: datetime | None = None,
) -> Escalation:
    """督办 one open assignment at `level`: by a rule of its session (`rule`, no `by`) or by the
    supervisor (`by`, with a reason; a leader's name where the level needs one).

    Records the Escalation, a line on the proposal's timeline and one notification (to whom the
    level's rule names; the unit when no rule names the level), all or nothing.
    """
    reason, leader = (reason or "").strip(), (leader or "").strip()
    if level.needs_leader and not leader:
        leader = level.leader.strip()
    if level.session_id != assignment.proposal.session_id:
        raise TransitionError(_("督办级别不属于该件的会次。"))
    if rule is None and (by is None or not reason):
        raise TransitionError(_("请填写督办事由。"))
    if level.needs_leader and not leader:
        raise TransitionError(_("%(level)s须写明督办领导。") % {"level": level.name})
    with transaction.atomic():
        current = assignment.locked()
        if not current.is_open:
            raise TransitionError(_("该件已办复或已办结，无需督办。"))
        at = at or timezone.now()
        record = Escalation.objects.create(
            assignment=current,
            level=level,
            rule=rule,
            due_on=current.due_on,
            reason=clip(reason),
            leader=leader[:60],
            by=by,
            at=at,
        )
        with stored_text():
            note = f"{level.name} · {current.unit.short_name}"
            if rule is not None:
                note += f"（{rule.day_label}，按规则）"
            if leader:
                note += f" · 督办领导：{leader}"
            if reason:
                note += f"：{reason}"
        Event.record(
            proposal=current.proposal, assignment=current, verb=EventVerb.ESCALATED, actor=by, note=note, at=at
        )
        if rule is not None:
            whom = rule.notify
        else:
            named = level.rules.order_by("offset_days").first()
            whom = named.notify if named else Notify.UNIT
        subject, text = notices.notice_text(record)
        notify(
            event="escalated",
            key=f"escalation:{record.pk}",
            recipients=notices.recipients(current, whom),
            subject=subject,
            text=text,
            url=current.proposal.get_absolute_url(),
        )
    return record
