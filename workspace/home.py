"""What waits for the signed-in person, queue by queue, each item with its next step.

A queue is a count and its first few items; the count comes from one aggregate per kind of
object and the items from one query per non-empty queue, so the page's cost does not grow with
the number of proposals. Which queues a person sees follows from their scope: unit staff (clerk,
and signer of their unit), the committee office of a body, the supervision office.
"""

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from feedback.models import Feedback, superseded_q
from proposals.access import scope_of
from proposals.models import (
    FINISHED,
    Assignment,
    AssignmentRequest,
    AssignmentRole,
    AssignmentStatus,
    Decision,
    Event,
    EventVerb,
    Proposal,
    ProposalStatus,
    RequestKind,
)
from replies.models import Reply, ReplyStatus

SHOWN = 5  # items listed under each queue; the rest are one click away


@dataclass
class Action:
    label: str
    url: str
    post: bool = False  # a button that changes state (a form with the CSRF token)


@dataclass
class Item:
    number: str
    title: str
    url: str
    note: str = ""
    state: str = ""  # the deadline state (overdue, due_soon) for the row's colour
    action: Action | None = None


@dataclass
class Queue:
    key: str
    title: str
    count: int
    more_url: str = ""
    items: list[Item] = field(default_factory=list)
    hint: str = ""


def _due_note(assignment, today):
    if not assignment.due_on:
        return ""
    left = (assignment.due_on - today).days
    if left < 0:
        return _("超期 %(n)s 天") % {"n": -left}
    if left == 0:
        return _("今天到期")
    return _("剩 %(n)s 天") % {"n": left}


def _assignment_item(a, today, action=None, with_unit=False):
    note = _due_note(a, today) if a.status not in FINISHED else ""
    if with_unit:
        note = f"{a.unit.short_name} · {note}" if note else a.unit.short_name
    return Item(
        number=a.proposal.number,
        title=a.proposal.title,
        url=a.proposal.get_absolute_url(),
        note=note,
        state=a.deadline_state(today) if a.status not in FINISHED else "",
        action=action,
    )


def _draft_pk():
    return Subquery(
        Reply.objects.filter(assignment=OuterRef("pk"), status=ReplyStatus.DRAFT).order_by("-round").values("pk")[:1]
    )


def _inbox(state="", **params):
    query = urlencode(({"state": state} if state else {}) | params)
    return reverse("workspace:inbox") + (f"?{query}" if query else "")


def _answer_action(a):
    """The next step on a signed-for share: the opinion of a co-unit, else the reply (or its draft)."""
    if a.role == AssignmentRole.CO:
        return Action(_("填写会办意见"), reverse("replies:opinion_create", args=[a.pk]))
    if a.draft_pk:
        return Action(_("修改草稿"), reverse("replies:edit", args=[a.draft_pk]))
    if a.status == AssignmentStatus.REDO:
        return Action(_("撰写重办答复"), reverse("replies:create", args=[a.pk]))
    return Action(_("撰写答复"), reverse("replies:create", args=[a.pk]))


def _first(qs, shown=SHOWN):
    """The first rows and the total, with no COUNT when the rows already say it."""
    rows = list(qs[: shown + 1])
    return rows[:shown], (len(rows) if len(rows) <= shown else qs.count())


def unit_queues(user, scope, today):
    """A clerk's (and a signer's) work in their own units."""
    mine = Assignment.objects.workable_by(user)
    horizon = today + datetime.timedelta(days=settings.BANLI_DUE_SOON_DAYS)
    open_q = ~Q(status__in=FINISHED)
    counts = mine.aggregate(
        pending=Count("pk", filter=Q(status=AssignmentStatus.PENDING)),
        handling=Count("pk", filter=Q(status=AssignmentStatus.HANDLING) & ~Q(role=AssignmentRole.CO)),
        opinion=Count("pk", filter=Q(status=AssignmentStatus.HANDLING, role=AssignmentRole.CO)),
        redo=Count("pk", filter=Q(status=AssignmentStatus.REDO)),
        due_soon=Count("pk", filter=open_q & Q(due_on__gte=today, due_on__lte=horizon)),
        overdue=Count("pk", filter=open_q & Q(due_on__lt=today)),
    )
    related = ["proposal", "unit"]
    queues = []

    if counts["pending"]:
        rows = mine.filter(status=AssignmentStatus.PENDING).select_related(*related).order_by("due_on", "pk")[:SHOWN]
        items = [
            _assignment_item(
                a, today, Action(pgettext_lazy("action", "签收"), reverse("proposals:sign_for", args=[a.pk]), post=True)
            )
            for a in rows
        ]
    else:
        items = []
    queues.append(Queue("pending", _("待签收"), counts["pending"], _inbox("pending"), items))

    last_step = (
        Event.objects.filter(
            assignment=OuterRef("assignment"), verb__in=[EventVerb.SUBMITTED, EventVerb.SENT_BACK, EventVerb.WITHDRAWN]
        )
        .order_by("-at", "-pk")
        .values("verb")[:1]
    )
    sent_back = (
        Reply.objects.workable_by(user)
        .filter(status=ReplyStatus.DRAFT)
        .annotate(last_step=Subquery(last_step))
        .filter(last_step=EventVerb.SENT_BACK)
        .select_related("assignment__proposal", "assignment__unit")
        .order_by("assignment__due_on", "pk")
    )
    rows, count = _first(sent_back)
    if count:
        queues.append(
            Queue(
                "sent_back",
                _("退回修改"),
                count,
                "",
                [
                    _assignment_item(r.assignment, today, Action(_("修改草稿"), reverse("replies:edit", args=[r.pk])))
                    for r in rows
                ],
                hint=_("签发人或督查室退回的答复，修改后再提交签发。"),
            )
        )

    for key, title, status_q, more in (
        ("handling", _("办理中"), Q(status=AssignmentStatus.HANDLING) & ~Q(role=AssignmentRole.CO), _inbox("handling")),
        (
            "opinion",
            _("待提出会办意见"),
            Q(status=AssignmentStatus.HANDLING, role=AssignmentRole.CO),
            _inbox("handling", role="co"),
        ),
        ("redo", _("重办"), Q(status=AssignmentStatus.REDO), _inbox("redo")),
    ):
        items = []
        if counts[key]:
            rows = (
                mine.filter(status_q).annotate(draft_pk=_draft_pk()).select_related(*related).order_by("due_on", "pk")
            )
            items = [_assignment_item(a, today, _answer_action(a)) for a in rows[:SHOWN]]
        if key == "handling" or counts[key]:
            queues.append(Queue(key, title, counts[key], more, items))

    if scope.signer_unit_ids:
        to_sign = Reply.objects.filter(
            assignment__unit_id__in=scope.signer_unit_ids, status=ReplyStatus.AWAITING_SIGNOFF
        ).select_related("assignment__proposal", "assignment__unit")
        rows, count = _first(to_sign.order_by("assignment__due_on", "pk"))
        queues.insert(
            0,
            Queue(
                "to_sign",
                _("待签发"),
                count,
                _inbox("awaiting_signoff"),
                [
                    _assignment_item(
                        r.assignment,
                        today,
                        Action(_("审阅并签发"), f"{r.assignment.proposal.get_absolute_url()}#reply-{r.pk}"),
                    )
                    for r in rows
                ],
            ),
        )

    soon = counts["due_soon"] + counts["overdue"]
    items = []
    if soon:
        rows = mine.filter(open_q, due_on__lte=horizon).annotate(draft_pk=_draft_pk()).select_related(*related)
        for a in rows.order_by("due_on", "pk")[:SHOWN]:
            action = None
            if a.status == AssignmentStatus.PENDING:
                action = Action(pgettext_lazy("action", "签收"), reverse("proposals:sign_for", args=[a.pk]), post=True)
            elif a.status in (AssignmentStatus.HANDLING, AssignmentStatus.REDO):
                action = _answer_action(a)
            items.append(_assignment_item(a, today, action))
    queues.append(
        Queue(
            "due_soon",
            _("即将到期或已超期"),
            soon,
            _inbox(deadline="due_soon"),
            items,
            hint=_("其中已超期 %(n)s 件。") % {"n": counts["overdue"]} if counts["overdue"] else "",
        )
    )

    finals = (
        Reply.objects.copied_to(user)
        .select_related("assignment__proposal", "assignment__unit")
        .order_by("-issued_at", "-pk")
    )
    rows, count = _first(finals)
    if count:
        queues.append(
            Queue(
                "finals",
                _("主办单位已答复（会办件）"),
                count,
                "",
                [
                    Item(
                        number=r.assignment.proposal.number,
                        title=r.assignment.proposal.title,
                        url=r.assignment.proposal.get_absolute_url(),
                        note=f"{r.assignment.unit.short_name} · {timezone.localtime(r.issued_at):%Y-%m-%d}",
                        action=Action(_("查看答复"), r.assignment.proposal.get_absolute_url()),
                    )
                    for r in rows
                ],
            )
        )
    return queues


def office_queues(user, scope, today):
    """The committee office of a body: 交办, requests to decide, feedback forms to receive and check."""
    bodies = sorted(scope.bodies)
    queues = []
    # Nobody answers it: never assigned, or its lead unit's 退回 was approved and no other took it.
    answering = Assignment.objects.filter(
        proposal=OuterRef("pk"), role__in=[AssignmentRole.LEAD, AssignmentRole.SEPARATE]
    ).exclude(status=AssignmentStatus.RETURNED)
    to_route = (
        Proposal.objects.filter(session__body__in=bodies)
        .exclude(status=ProposalStatus.CLOSED)
        .exclude(Exists(answering))
        .select_related("session")
        .order_by("session__year", "serial", "pk")
    )
    rows, count = _first(to_route)
    queues.append(
        Queue(
            "to_route",
            _("待交办"),
            count,
            reverse("proposals:list") + f"?status={ProposalStatus.REGISTERED}",
            [
                Item(
                    p.number,
                    p.title,
                    p.get_absolute_url(),
                    action=Action(pgettext_lazy("verb", "交办"), reverse("proposals:assign", args=[p.pk])),
                )
                for p in rows
            ],
            hint=_("新的建议提案先登记，再交办承办单位。"),
        )
    )
    queues.append(_requests_queue(user, today))
    received = (
        Feedback.objects.awaiting_receipt()
        .filter(reply__assignment__proposal__session__body__in=bodies)
        .select_related("member", "reply__assignment__proposal", "reply__assignment__unit")
        .order_by("submitted_at", "pk")
    )
    rows, count = _first(received)
    queues.append(
        Queue(
            "to_receive",
            _("意见表待签收"),
            count,
            reverse("feedback:office"),
            [
                Item(
                    f.reply.assignment.proposal.number,
                    f.reply.assignment.proposal.title,
                    reverse("feedback:detail", args=[f.pk]),
                    note=f"{f.member.name} · {f.reply.assignment.unit.short_name}",
                    action=Action(_("查看并签收"), reverse("feedback:detail", args=[f.pk])),
                )
                for f in rows
            ],
        )
    )
    to_check = (
        Feedback.objects.submitted()
        .filter(reply__assignment__proposal__session__body__in=bodies, corrections__isnull=True)
        .exclude(needs_attention="")
        .select_related("member", "reply__assignment__proposal")
        .order_by("submitted_at", "pk")
    )
    rows, count = _first(to_check)
    if count:
        queues.append(
            Queue(
                "to_check",
                _("待核实的纸质表"),
                count,
                reverse("feedback:office"),
                [
                    Item(
                        f.reply.assignment.proposal.number,
                        f.reply.assignment.proposal.title,
                        reverse("feedback:detail", args=[f.pk]),
                        note=f.member.name,
                        action=Action(_("核实"), reverse("feedback:resolve", args=[f.pk])),
                    )
                    for f in rows
                ],
            )
        )
    missing = (
        Reply.objects.issued()
        .filter(assignment__proposal__session__body__in=bodies)
        .exclude(superseded_q())
        .exclude(Exists(Feedback.objects.submitted().filter(reply=OuterRef("pk"))))
        .select_related("assignment__proposal__lead", "assignment__unit")
        .order_by("issued_at", "pk")
    )
    rows, count = _first(missing)
    queues.append(
        Queue(
            "missing",
            _("尚未收到意见表的答复"),
            count,
            reverse("feedback:office"),
            [
                Item(
                    r.assignment.proposal.number,
                    r.assignment.proposal.title,
                    reverse("feedback:reply", args=[r.pk]),
                    note=f"{r.assignment.proposal.lead.name} · {r.assignment.unit.short_name}",
                    action=Action(_("录入纸质表 / 发送链接"), reverse("feedback:paper_entry", args=[r.pk])),
                )
                for r in rows
            ],
        )
    )
    return queues


def _requests_queue(user, today):
    pending = AssignmentRequest.objects.filter(decision=Decision.PENDING)
    scope = scope_of(user)
    if not scope.everything:
        pending = pending.filter(kind=RequestKind.RETURN, assignment__proposal__session__body__in=scope.bodies)
    pending = pending.select_related("assignment__proposal", "assignment__unit").order_by("pk")
    rows, count = _first(pending)
    return Queue(
        "requests",
        _("退回/延期申请待决定"),
        count,
        reverse("proposals:requests"),
        [
            Item(
                r.assignment.proposal.number,
                r.assignment.proposal.title,
                r.assignment.proposal.get_absolute_url(),
                note=f"{r.get_kind_display()} · {r.assignment.unit.short_name}",
                action=Action(pgettext_lazy("action", "决定"), reverse("proposals:decide_request", args=[r.pk])),
            )
            for r in rows
        ],
    )


def supervisor_queues(user, scope, today):
    """The supervision office: replies to review, overdue shares to urge (督办), requests to decide."""
    queues = []
    if settings.BANLI_SUPERVISOR_REVIEW:
        in_review = Reply.objects.filter(status=ReplyStatus.IN_REVIEW).select_related(
            "assignment__proposal", "assignment__unit"
        )
        rows, count = _first(in_review.order_by("assignment__due_on", "pk"))
        queues.append(
            Queue(
                "review",
                _("待审核"),
                count,
                _inbox("in_review"),
                [
                    _assignment_item(
                        r.assignment,
                        today,
                        Action(_("审核"), f"{r.assignment.proposal.get_absolute_url()}#reply-{r.pk}"),
                        with_unit=True,
                    )
                    for r in rows
                ],
            )
        )
    overdue = Assignment.objects.overdue(today).select_related("proposal", "unit").order_by("due_on", "pk")
    rows, count = _first(overdue)
    queues.append(
        Queue(
            "overdue",
            _("逾期未办复"),
            count,
            reverse("supervision:list", args=["overdue"]),
            [
                _assignment_item(
                    a,
                    today,
                    Action(_("督办"), reverse("supervision:list", args=["overdue"]) + f"?unit={a.unit_id}"),
                    with_unit=True,
                )
                for a in rows
            ],
            hint=_("在逾期清单中登记催办（督办），并向承办单位发送提醒。"),
        )
    )
    due_soon = Assignment.objects.due_soon(today).select_related("proposal", "unit").order_by("due_on", "pk")
    rows, count = _first(due_soon)
    queues.append(
        Queue(
            "due_soon_all",
            _("即将到期"),
            count,
            reverse("supervision:list", args=["due_soon"]),
            [
                _assignment_item(
                    a,
                    today,
                    Action(_("查看"), a.proposal.get_absolute_url()),
                    with_unit=True,
                )
                for a in rows
            ],
        )
    )
    queues.append(_requests_queue(user, today))
    return queues


def queues_for(user):
    """The queues of everyone the user is: unit staff, office, supervisor (in that order of detail)."""
    scope = scope_of(user)
    today = timezone.localdate()
    queues = []
    if scope.everything:
        queues += supervisor_queues(user, scope, today)
    elif scope.bodies:
        queues += office_queues(user, scope, today)
    if scope.unit_ids:
        queues += unit_queues(user, scope, today)
    queues.sort(key=lambda q: q.count == 0)  # what waits first; empty queues stay, at the end
    return queues
