"""Small builders for test data: the cast of every permission test and the records they touch.

Each helper creates what it needs and returns it; pass what matters to the test and let the
rest default. Shared by every app's tests.
"""

import datetime
import itertools

from django.contrib.auth import get_user_model
from django.utils import timezone

from feedback.models import Channel, Feedback, HandlingEffect, Satisfaction
from proposals.models import (
    Assignment,
    AssignmentRole,
    Body,
    Cosigner,
    Deadline,
    DeadlineKind,
    HandlingUnit,
    Member,
    Proposal,
    ProposalKind,
    ProposalStatus,
    Role,
    RoleKind,
    Session,
)
from replies.models import Reply, ReplyStatus, ResultClass

_seq = itertools.count(1)


def user(username=None, **extra):
    username = username or f"user{next(_seq)}"
    return get_user_model().objects.create_user(username=username, password="pw-for-tests", **extra)


def session(body=Body.CPPCC, name=None, year=2026, **extra):
    opens_on = extra.pop("opens_on", datetime.date(year, 1, 6))
    return Session.objects.create(
        body=body,
        name=name or f"测试会议{next(_seq)}",
        year=year,
        opens_on=opens_on,
        closes_on=opens_on + datetime.timedelta(days=4),
        **extra,
    )


def unit(name=None, short_name=None, **extra):
    n = next(_seq)
    return HandlingUnit.objects.create(name=name or f"测试单位{n}", short_name=short_name or f"测{n}", **extra)


def member(name=None, body=Body.CPPCC, user=None, **extra):
    return Member.objects.create(name=name or f"委员{next(_seq)}", body=body, user=user, **extra)


def proposal(session=None, lead=None, cosigners=(), serial=None, title=None, **extra):
    session = session or globals()["session"]()
    lead = lead or member(body=session.body)
    serial = serial or next(_seq)
    p = Proposal.objects.create(
        kind=ProposalKind.for_body(session.body),
        session=session,
        serial=serial,
        number=extra.pop("number", session.format_number(serial)),
        title=title or f"关于测试事项{serial}的{ProposalKind.for_body(session.body).label}",
        lead=lead,
        submitted_on=extra.pop("submitted_on", session.opens_on),
        **extra,
    )
    for position, m in enumerate(cosigners, start=1):
        Cosigner.objects.create(proposal=p, member=m, position=position)
    return p


def assignment(proposal, unit, role=AssignmentRole.LEAD, assigned_on=None, **extra):
    """An assignment as 交办 leaves it: with its original deadline recorded (Deadline)."""
    assigned_on = assigned_on or timezone.localdate()
    a = Assignment.objects.create(
        proposal=proposal,
        unit=unit,
        role=role,
        assigned_on=assigned_on,
        due_on=extra.pop("due_on", proposal.session.due_on(assigned_on, role)),
        **extra,
    )
    Deadline.objects.create(assignment=a, round=1, kind=DeadlineKind.ORIGINAL, due_on=a.due_on)
    if role != AssignmentRole.CO and proposal.status == ProposalStatus.REGISTERED:
        proposal.status = ProposalStatus.ASSIGNED  # as 交办 leaves it: someone answers it now
        Proposal.objects.filter(pk=proposal.pk).update(status=proposal.status)
    return a


def reply(assignment, status=ReplyStatus.ISSUED, round=1, **extra):
    issued = status == ReplyStatus.ISSUED
    if issued:
        # As issuing leaves it: this round's form is awaited, an earlier round's no longer.
        Reply.objects.filter(assignment=assignment, round__lt=round).update(awaiting_form_since=None)
        extra.setdefault("issued_at", timezone.now())
        extra.setdefault("awaiting_form_since", extra["issued_at"])
    return Reply.objects.create(
        assignment=assignment,
        round=round,
        title=extra.pop("title", f"关于对《{assignment.proposal.title}》的答复"),
        addressees=extra.pop("addressees", assignment.proposal.addressee_line()),
        body=extra.pop("body", "现答复如下：\n一、基本情况\n正在推进。"),
        result_class=extra.pop("result_class", ResultClass.A),
        written_on=extra.pop("written_on", timezone.localdate() if issued else None),
        issued_at=extra.pop("issued_at", timezone.now() if issued else None),
        status=status,
        **extra,
    )


def feedback(reply, member=None, **extra):
    defaults = {
        "channel": Channel.ONLINE,
        "by_visit": True,
        "handling_effect": HandlingEffect.SOLVED,
        "satisfaction": Satisfaction.SATISFIED,
        "publish_consent": True,
        "submitted_at": timezone.now(),
    }
    defaults.update(extra)
    form = Feedback(reply=reply, member=member or reply.assignment.proposal.lead, **defaults)
    if form.submitted_at is not None:
        form.seal_now()  # as the submitting write paths do (feedback.services)
    form.save()
    if form.submitted_at is not None:
        Reply.objects.filter(pk=reply.pk).update(awaiting_form_since=None)
    return form


def staff(kind, unit=None, body="", username=None, is_staff=True):
    u = user(username, is_staff=is_staff)
    Role.objects.create(user=u, kind=kind, unit=unit, body=body)
    return u


def clerk(unit, **kw):
    return staff(RoleKind.CLERK, unit=unit, **kw)


def signer(unit, **kw):
    return staff(RoleKind.SIGNER, unit=unit, **kw)


def office(body=Body.CPPCC, **kw):
    return staff(RoleKind.OFFICE, body=body, **kw)


def supervisor(**kw):
    return staff(RoleKind.SUPERVISOR, **kw)


def member_user(name=None, body=Body.CPPCC, username=None):
    u = user(username)
    return u, member(name=name, body=body, user=u)
