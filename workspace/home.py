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
from django.db.models import Count, Exists, Func, IntegerField, OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from feedback.models import Feedback, FeedbackCorrection
from proposals.access import scope_of
from proposals.models import (
    FINISHED,
    Assignment,
    AssignmentRequest,
    AssignmentRole,
    AssignmentStatus,
    Proposal,
    ProposalStatus,
)
from proposals.views.routing import decidable_requests
from replies.models import Reply, ReplyStatus

SHOWN = 5  # items listed under each queue; the rest are one click away
# A queue counts its items up to this many and then says "99+": the home costs the same however
# much has piled up; the list one click away has the exact number.
COUNTED = 99
COPIES_DAYS = 30  # how far back the co-units' queue of the lead units' replies reaches


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
    more: bool = False  # there are more than `count` (COUNTED reached)


def _due_note(assignment, today):
    if not assignment.due_on:
        return ""
    left = assignment.days_left(today)
    if left < 0:
        return ngettext("超期 %(n)s 天", "超期 %(n)s 天", -left) % {"n": -left}
    if left == 0:
        return _("今天到期")
    return ngettext("剩 %(n)s 天", "剩 %(n)s 天", left) % {"n": left}


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


# What a queue's row never shows: texts and files, left in the database (a queue reads up to a
# hundred rows to count them).
UNSHOWN = {
    Reply: ["body", "body_paragraphs", "assignment__proposal__body"],
    Feedback: ["opinion", "reply__body", "reply__body_paragraphs", "reply__assignment__proposal__body"],
    Proposal: ["body"],
    AssignmentRequest: ["reason", "assignment__proposal__body"],
    Assignment: ["proposal__body"],
}


class _Count(Func):
    """COUNT(column) as a plain function: the database counts, Django adds no GROUP BY."""

    function = "COUNT"
    output_field = IntegerField()


def _first(qs, shown=SHOWN):
    """The first rows and how many there are (up to COUNTED + 1), in one query: every row carries
    the count of at most a hundred matching keys (`_capped_count`)."""
    rows = list(qs.defer(*UNSHOWN.get(qs.model, [])).annotate(queue_count=_capped_count(qs))[:shown])
    return rows, rows[0].queue_count if rows else 0


def _first_keys(querysets):
    """SQL for the first SHOWN keys of each queryset (in its order), all of them: a UNION ALL of
    subqueries, each with its own LIMIT. Written out because the ORM puts no LIMIT inside a
    compound query on SQLite; an OR of `IN (… LIMIT …)` instead makes PostgreSQL scan every row."""
    parts, params = [], []
    for qs in querysets:
        sql, part_params = qs.values("pk")[:SHOWN].query.sql_with_params()
        # Django's compiled SQL, its values kept apart as parameters: no text of a user is in it.
        parts.append(f"SELECT * FROM ({sql}) AS first_keys_{len(parts)}")  # noqa: S608  # nosec B608
        params.extend(part_params)
    return RawSQL(" UNION ALL ".join(parts), params)  # noqa: S611  # nosec B611


def _capped_count(qs):
    """A subquery counting at most COUNTED + 1 rows of `qs`; the database evaluates it once."""
    capped = qs.model.objects.filter(pk__in=Subquery(qs.order_by().values("pk")[: COUNTED + 1]))
    return Subquery(capped.order_by().annotate(n=_Count("pk")).values("n")[:1])


def _first_rows(model, querysets, *, order, matches, related, **annotations):
    """The first rows of several queues of one model, in one query: ({key: rows}, every row read).

    Each queue's first keys come from its own subquery (its index, LIMIT); the rows are read once
    for all and shared out again by `matches` (the queue's rule in Python). A row another queue
    brought in is sorted after that queue's own first rows, so slicing keeps exactly its first.
    """
    rows = []
    if querysets:
        rows = list(
            model.objects.filter(pk__in=_first_keys([qs.order_by(*order) for qs in querysets.values()]))
            .annotate(**annotations)
            .select_related(*related)
            .defer(*UNSHOWN.get(model, []))
        )
    rows.sort(key=lambda r: tuple(getattr(r, name) for name in order))
    return {key: [r for r in rows if matches[key](r)][:SHOWN] for key in querysets}, rows


def _firsts(model, querysets, **options):
    """`_first_rows` with each queue's count (capped at COUNTED + 1) carried by every row."""
    counts = {f"queue_count_{key}": _capped_count(qs) for key, qs in querysets.items()}
    first, rows = _first_rows(model, querysets, **options, **counts)
    return {key: (first[key], getattr(rows[0], f"queue_count_{key}") if rows else 0) for key in querysets}


def _queue(key, title, rows_and_count, more_url, to_item, **extra):
    rows, count = rows_and_count
    return Queue(key, title, min(count, COUNTED), more_url, [to_item(r) for r in rows], more=count > COUNTED, **extra)


def unit_queues(user, scope, today):
    """A clerk's (and a signer's) work in their own units."""
    mine = Assignment.objects.workable_by(user)
    horizon = today + datetime.timedelta(days=settings.BANLI_DUE_SOON_DAYS)
    open_q = ~Q(status__in=FINISHED)
    # COUNT(due_on) (never null), not of the key: PostgreSQL counts from the dashboard's index alone.
    counts = mine.aggregate(
        pending=Count("due_on", filter=Q(status=AssignmentStatus.PENDING)),
        handling=Count("due_on", filter=Q(status=AssignmentStatus.HANDLING) & ~Q(role=AssignmentRole.CO)),
        opinion=Count("due_on", filter=Q(status=AssignmentStatus.HANDLING, role=AssignmentRole.CO)),
        redo=Count("due_on", filter=Q(status=AssignmentStatus.REDO)),
        due_soon=Count("due_on", filter=open_q & Q(due_on__gte=today, due_on__lte=horizon)),
        overdue=Count("due_on", filter=open_q & Q(due_on__lt=today)),
    )
    # Each queue of shares: (key, title, its shares, the same rule in Python).
    # Each queue of shares: its shares in SQL, and the same rule in Python (see _first_rows).
    kinds = {
        "pending": (mine.filter(status=AssignmentStatus.PENDING), lambda a: a.status == AssignmentStatus.PENDING),
        "handling": (
            mine.filter(status=AssignmentStatus.HANDLING).exclude(role=AssignmentRole.CO),
            lambda a: a.status == AssignmentStatus.HANDLING and a.role != AssignmentRole.CO,
        ),
        "opinion": (
            mine.filter(status=AssignmentStatus.HANDLING, role=AssignmentRole.CO),
            lambda a: a.status == AssignmentStatus.HANDLING and a.role == AssignmentRole.CO,
        ),
        "redo": (mine.filter(status=AssignmentStatus.REDO), lambda a: a.status == AssignmentStatus.REDO),
        "due_soon": (
            mine.open().filter(due_on__lte=horizon),
            lambda a: a.status not in FINISHED and a.due_on <= horizon,
        ),
    }
    totals = {**counts, "due_soon": counts["due_soon"] + counts["overdue"]}
    nonempty = {key: kind for key, kind in kinds.items() if totals[key]}
    first, _rows = _first_rows(
        Assignment,
        {key: shares for key, (shares, _m) in nonempty.items()},
        order=("due_on", "pk"),
        matches={key: matches for key, (_s, matches) in nonempty.items()},
        related=["proposal", "unit"],
        draft_pk=_draft_pk(),
    )
    first = {key: first.get(key, []) for key in kinds}
    queues = []

    sign_for = pgettext_lazy("action", "签收")
    queues.append(
        Queue(
            "pending",
            _("待签收"),
            counts["pending"],
            _inbox("pending"),
            [
                _assignment_item(a, today, Action(sign_for, reverse("proposals:sign_for", args=[a.pk]), post=True))
                for a in first["pending"]
            ],
        )
    )

    # The drafts handed back are few in the whole city: read from their own index, each checked
    # for the unit (EXISTS), so the database never walks the unit's shares to find them.
    of_unit = Assignment.objects.filter(pk=OuterRef("assignment_id"), unit_id__in=scope.unit_ids)
    handed_back = Reply.objects.filter(status=ReplyStatus.DRAFT, handed_back_at__isnull=False).filter(Exists(of_unit))
    sent_back = (
        Reply.objects.filter(pk__in=Subquery(handed_back.order_by().values("pk")))
        .select_related("assignment__proposal", "assignment__unit")
        .order_by("assignment__due_on", "pk")
    )
    queue = _queue(
        "sent_back",
        _("退回修改"),
        _first(sent_back),
        "",
        lambda r: _assignment_item(r.assignment, today, Action(_("修改草稿"), reverse("replies:edit", args=[r.pk]))),
        hint=_("签发人或督查室退回的答复，修改后再提交签发。"),
    )
    if queue.count:
        queues.append(queue)

    for key, title, link in (
        ("handling", _("办理中"), _inbox("handling")),
        ("opinion", _("待提出会办意见"), _inbox("handling", role="co")),
        ("redo", _("重办"), _inbox("redo")),
    ):
        if key == "handling" or counts[key]:
            items = [_assignment_item(a, today, _answer_action(a)) for a in first[key]]
            queues.append(Queue(key, title, counts[key], link, items))

    if scope.signer_unit_ids:
        to_sign = Reply.objects.filter(
            assignment__unit_id__in=scope.signer_unit_ids,
            # the assignment mirrors its reply's state, and its index is in deadline order
            assignment__status=AssignmentStatus.AWAITING_SIGNOFF,
            status=ReplyStatus.AWAITING_SIGNOFF,
        ).select_related("assignment__proposal", "assignment__unit")
        queues.insert(
            0,
            _queue(
                "to_sign",
                _("待签发"),
                _first(to_sign.order_by("assignment__due_on", "pk")),
                _inbox("awaiting_signoff"),
                lambda r: _assignment_item(
                    r.assignment,
                    today,
                    Action(_("审阅并签发"), f"{r.assignment.proposal.get_absolute_url()}#reply-{r.pk}"),
                ),
            ),
        )

    items = []
    for a in first["due_soon"]:
        action = None
        if a.status == AssignmentStatus.PENDING:
            action = Action(sign_for, reverse("proposals:sign_for", args=[a.pk]), post=True)
        elif a.status in (AssignmentStatus.HANDLING, AssignmentStatus.REDO):
            action = _answer_action(a)
        items.append(_assignment_item(a, today, action))
    queues.append(
        Queue(
            "due_soon",
            _("即将到期或已超期"),
            totals["due_soon"],
            _inbox(deadline="due_soon"),
            items,
            hint=_("其中已超期 %(n)s 件。") % {"n": counts["overdue"]} if counts["overdue"] else "",
        )
    )

    # The lead units' replies the co-units received lately (抄送), newest first; older ones stay on
    # each proposal's page.
    since = timezone.now() - datetime.timedelta(days=COPIES_DAYS)
    finals = (
        Reply.objects.copied_to(user)
        .filter(issued_at__gte=since)
        .select_related("assignment__proposal", "assignment__unit")
        .order_by("-issued_at", "-pk")
    )
    queue = _queue(
        "finals",
        _("主办单位近期的答复（会办件）"),
        _first(finals),
        "",
        lambda r: Item(
            number=r.assignment.proposal.number,
            title=r.assignment.proposal.title,
            url=r.assignment.proposal.get_absolute_url(),
            note=f"{r.assignment.unit.short_name} · {timezone.localtime(r.issued_at):%Y-%m-%d}",
            action=Action(_("查看答复"), r.assignment.proposal.get_absolute_url()),
        ),
        hint=_("近 %(n)s 天主办单位发出的答复。") % {"n": COPIES_DAYS},
    )
    if queue.count:
        queues.append(queue)
    return queues


def office_queues(user, scope, today):
    """The committee office of a body: 交办, requests to decide, feedback forms to receive and check."""
    bodies = sorted(scope.bodies)
    # Through the session, not the body kept on the share: each queue starts from its own few rows
    # (their index), and the body is checked on those only.
    in_body = Q(reply__assignment__proposal__session__body__in=bodies)
    queues = []
    # Never assigned, or every answering unit was let go (退回): 已登记 again (AssignmentRequest.decide).
    to_route = (
        Proposal.objects.filter(session__body__in=bodies, status=ProposalStatus.REGISTERED)
        .select_related("session")
        .order_by("session__year", "serial", "pk")
    )
    queues.append(
        _queue(
            "to_route",
            _("待交办"),
            _first(to_route),
            reverse("proposals:list") + f"?status={ProposalStatus.REGISTERED}",
            lambda p: Item(
                p.number,
                p.title,
                p.get_absolute_url(),
                action=Action(pgettext_lazy("verb", "交办"), reverse("proposals:assign", args=[p.pk])),
            ),
            hint=_("新的建议提案先登记，再交办承办单位。"),
        )
    )
    queues.append(_requests_queue(user))
    # Both queues of forms in one query (see _firsts): to countersign, and paper forms to check.
    corrected = FeedbackCorrection.objects.filter(feedback=OuterRef("pk"))
    forms = _firsts(
        Feedback,
        {
            "to_receive": Feedback.objects.awaiting_receipt().filter(in_body),
            "to_check": Feedback.objects.to_check().filter(in_body),
        },
        order=("submitted_at", "pk"),
        matches={
            "to_receive": lambda f: f.received_at is None,
            "to_check": lambda f: bool(f.needs_attention) and not f.corrected,
        },
        related=["member", "reply__assignment__proposal", "reply__assignment__unit"],
        corrected=Exists(corrected),
    )
    queues.append(
        _queue(
            "to_receive",
            _("意见表待签收"),
            forms["to_receive"],
            reverse("feedback:office"),
            lambda f: Item(
                f.reply.assignment.proposal.number,
                f.reply.assignment.proposal.title,
                reverse("feedback:detail", args=[f.pk]),
                note=f"{f.member.name} · {f.reply.assignment.unit.short_name}",
                action=Action(_("查看并签收"), reverse("feedback:detail", args=[f.pk])),
            ),
        )
    )
    queue = _queue(
        "to_check",
        _("待核实的纸质表"),
        forms["to_check"],
        reverse("feedback:office"),
        lambda f: Item(
            f.reply.assignment.proposal.number,
            f.reply.assignment.proposal.title,
            reverse("feedback:detail", args=[f.pk]),
            note=f.member.name,
            action=Action(_("核实"), reverse("feedback:resolve", args=[f.pk])),
        ),
    )
    if queue.count:
        queues.append(queue)
    missing = (
        Reply.objects.filter(awaiting_form_since__isnull=False, assignment__proposal__session__body__in=bodies)
        .select_related("assignment__proposal__lead", "assignment__unit")
        .order_by("awaiting_form_since", "pk")
    )
    queues.append(
        _queue(
            "missing",
            _("尚未收到意见表的答复"),
            _first(missing),
            reverse("feedback:office"),
            lambda r: Item(
                r.assignment.proposal.number,
                r.assignment.proposal.title,
                reverse("feedback:reply", args=[r.pk]),
                note=f"{r.assignment.proposal.lead.name} · {r.assignment.unit.short_name}",
                action=Action(_("录入纸质表 / 发送链接"), reverse("feedback:paper_entry", args=[r.pk])),
            ),
        )
    )
    return queues


def _requests_queue(user):
    pending = decidable_requests(user)
    pending = pending.select_related("assignment__proposal", "assignment__unit").order_by("pk")
    return _queue(
        "requests",
        _("退回/延期申请待决定"),
        _first(pending),
        reverse("proposals:requests"),
        lambda r: Item(
            r.assignment.proposal.number,
            r.assignment.proposal.title,
            r.assignment.proposal.get_absolute_url(),
            note=f"{r.get_kind_display()} · {r.assignment.unit.short_name}",
            action=Action(pgettext_lazy("action", "决定"), reverse("proposals:decide_request", args=[r.pk])),
        ),
    )


def supervisor_queues(user, scope, today):
    """The supervision office: replies to review, overdue shares to urge (督办), requests to decide."""
    queues = []
    if settings.BANLI_SUPERVISOR_REVIEW:
        in_review = Reply.objects.filter(
            assignment__status=AssignmentStatus.IN_REVIEW, status=ReplyStatus.IN_REVIEW
        ).select_related("assignment__proposal", "assignment__unit")
        queues.append(
            _queue(
                "review",
                _("待审核"),
                _first(in_review.order_by("assignment__due_on", "pk")),
                _inbox("in_review"),
                lambda r: _assignment_item(
                    r.assignment,
                    today,
                    Action(_("审核"), f"{r.assignment.proposal.get_absolute_url()}#reply-{r.pk}"),
                    with_unit=True,
                ),
            )
        )
    overdue_url = reverse("supervision:list", args=["overdue"])
    overdue = Assignment.objects.overdue(today).select_related("proposal", "unit").order_by("due_on", "pk")
    queues.append(
        _queue(
            "overdue",
            _("逾期未办复"),
            _first(overdue),
            overdue_url,
            # Straight to the share's 督办 page (its record and the form); the full list offers 催办 too.
            lambda a: _assignment_item(
                a, today, Action(_("督办"), reverse("supervision:escalations", args=[a.pk])), with_unit=True
            ),
            hint=_("点“督办”登记督办并通知承办单位；逾期清单中也可直接催办。"),
        )
    )
    due_soon = Assignment.objects.due_soon(today).select_related("proposal", "unit").order_by("due_on", "pk")
    queues.append(
        _queue(
            "due_soon_all",
            _("即将到期"),
            _first(due_soon),
            reverse("supervision:list", args=["due_soon"]),
            lambda a: _assignment_item(a, today, Action(_("查看"), a.proposal.get_absolute_url()), with_unit=True),
        )
    )
    queues.append(_requests_queue(user))
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
