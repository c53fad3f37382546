"""The member's home (`/me/`): their proposals, the replies, the forms still to fill."""

from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from proposals import access
from proposals.models import Assignment, AssignmentRole, AssignmentStatus, Deadline, DeadlineKind, Proposal
from replies.models import Reply

from ..filters import PortalFilter
from ..models import (
    Feedback,
    evaluation,
    expected_members,
    is_superseded,
)
from .common import member_of, refuse, reply_qs


@never_cache
def portal(request):
    member = member_of(request)
    if member is None:
        raise Http404
    proposals = list(
        Proposal.objects.filter(Q(lead=member) | Q(cosigner_links__member=member))
        .distinct()
        .select_related("session", "lead")
        .prefetch_related(
            "cosigner_links__member",
            Prefetch("assignments", queryset=Assignment.objects.select_related("unit").order_by("role", "pk")),
            Prefetch(
                "assignments__deadlines",
                queryset=Deadline.objects.filter(kind=DeadlineKind.REDO).order_by("-round"),
                to_attr="redos",
            ),
            Prefetch("assignments__replies", queryset=Reply.objects.issued().order_by("round"), to_attr="issued"),
            Prefetch(
                "assignments__issued__feedback",
                queryset=Feedback.objects.submitted().select_related("member").prefetch_related("corrections"),
                to_attr="submitted",
            ),
        )
        .order_by("-session__year", "-serial")
    )
    rows, waiting = [], []
    for proposal in proposals:
        lead = next(
            (
                a
                for a in proposal.assignments.all()
                if a.role == AssignmentRole.LEAD and a.status != AssignmentStatus.RETURNED
            ),
            None,
        )
        replies = []
        for assignment in proposal.assignments.all():
            latest = max((r.round for r in assignment.issued), default=0)
            for reply in assignment.issued:
                reply.assignment = assignment
                assignment.proposal = proposal
                expected = expected_members(reply)
                mine = next((f for f in reply.submitted if f.member_id == member.pk), None)
                is_expected = any(m.pk == member.pk for m in expected)
                entry = {"reply": reply, "evaluation": evaluation(expected, reply.submitted), "mine": mine}
                entry["waiting"] = is_expected and mine is None and reply.round == latest
                replies.append(entry)
                if entry["waiting"]:
                    waiting.append(entry)
        redo = lead.redos[0] if lead is not None and lead.status == AssignmentStatus.REDO and lead.redos else None
        rows.append(
            {
                "proposal": proposal,
                "is_lead": proposal.lead_id == member.pk,
                "lead": lead,
                "replies": replies,
                "redo": redo,
            }
        )
    # The filters narrow the list; the counts and the forms waiting stay the member's whole picture.
    f = PortalFilter(
        request.GET or None, queryset=Proposal.objects.filter(pk__in=[p.pk for p in proposals]), member=member
    )
    shown = set(f.qs.values_list("pk", flat=True)) if f.is_bound and f.is_valid() else None
    context = {
        "member": member,
        "rows": [row for row in rows if shown is None or row["proposal"].pk in shown],
        "waiting": waiting,
        "reply_count": sum(len(row["replies"]) for row in rows),
        "proposal_count": len(rows),
        "filter": f,
        "filtered": shown is not None,
    }
    return render(request, "feedback/portal.html", context)


@never_cache
def reply_detail(request, pk):
    """The reply letter, read in the browser, with where the feedback stands."""
    try:
        reply = reply_qs().visible_to(request.user).get(pk=pk)
    except Reply.DoesNotExist:
        refuse(request, "reply", pk)
    expected = expected_members(reply)
    submitted = list(
        Feedback.objects.submitted().filter(reply=reply).select_related("member").prefetch_related("corrections")
    )
    scope = access.scope_of(request.user)
    # A co-handling unit reads the reply it received (抄送), not the members' forms on it.
    sees_forms = (
        scope.is_staff_role and Assignment.objects.visible_to(request.user).filter(pk=reply.assignment_id).exists()
    )
    mine = next((f for f in submitted if f.member_id == scope.member_id), None)
    assignment = reply.assignment
    redo = None
    if assignment.status == AssignmentStatus.REDO:
        # 重办 after this reply: the member reads why and by when the next answer is due.
        redo = assignment.deadlines.filter(kind=DeadlineKind.REDO, round=reply.round + 1).first()
    context = {
        "redo": redo,
        "reply": reply,
        "proposal": reply.assignment.proposal,
        "evaluation": evaluation(expected, submitted),
        "mine": mine,
        "can_answer": scope.member_id in {m.pk for m in expected} and mine is None and not is_superseded(reply),
        "submitted": submitted if sees_forms else [],
        "print_forms": access.can_send_out(request.user, reply.assignment),
    }
    return render(request, "feedback/reply_detail.html", context)
