"""Who may see and change what, in one place.

Everything here takes the user and a queryset or an object; views call it through
`Model.objects.visible_to(user)` and the `can_*` helpers, and turn a refusal into 404
(a stranger should not even learn that a proposal exists).

- superuser and 督查室 (supervisor): everything.
- 代表室/提案委 (office): every proposal of their body.
- 经办人/签发人 (clerk, signer): the proposals assigned to their unit, and only their
  unit's assignments.
- 代表/委员 (member): the proposals they lead or co-signed.
"""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q
from django.http import Http404


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    bodies: frozenset = field(default_factory=frozenset)  # office of these bodies
    unit_ids: frozenset = field(default_factory=frozenset)  # clerk or signer of these units
    signer_unit_ids: frozenset = field(default_factory=frozenset)
    member_id: int | None = None

    @property
    def is_staff_role(self):
        return self.everything or bool(self.bodies or self.unit_ids)


def scope_of(user):
    """The user's reach, computed once per request and kept on the user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope()
    cached = getattr(user, "_banli_scope", None)
    if cached is not None:
        return cached
    from .models import Member, RoleKind

    roles = list(user.banli_roles.all())
    kinds = {r.kind for r in roles}
    scope = Scope(
        everything=user.is_superuser or RoleKind.SUPERVISOR in kinds,
        bodies=frozenset(r.body for r in roles if r.kind == RoleKind.OFFICE),
        unit_ids=frozenset(r.unit_id for r in roles if r.kind in (RoleKind.CLERK, RoleKind.SIGNER)),
        signer_unit_ids=frozenset(r.unit_id for r in roles if r.kind == RoleKind.SIGNER),
        member_id=Member.objects.filter(user=user).values_list("pk", flat=True).first(),
    )
    user._banli_scope = scope
    return scope


def _member_proposal_q(member_id):
    from .models import Cosigner

    cosigned = Cosigner.objects.filter(proposal=OuterRef("pk"), member_id=member_id)
    return Q(lead_id=member_id) | Q(Exists(cosigned))


def proposals_visible_to(qs, user):
    from .models import Assignment

    scope = scope_of(user)
    if scope.everything:
        return qs
    q = Q(pk__in=[])
    if scope.bodies:
        q |= Q(session__body__in=scope.bodies)
    if scope.unit_ids:
        q |= Q(Exists(Assignment.objects.filter(proposal=OuterRef("pk"), unit_id__in=scope.unit_ids)))
    if scope.member_id:
        q |= _member_proposal_q(scope.member_id)
    return qs.filter(q)


def assignments_visible_to(qs, user):
    from .models import Cosigner

    scope = scope_of(user)
    if scope.everything:
        return qs
    q = Q(pk__in=[])
    if scope.bodies:
        q |= Q(proposal__session__body__in=scope.bodies)
    if scope.unit_ids:
        q |= Q(unit_id__in=scope.unit_ids)
    if scope.member_id:
        cosigned = Cosigner.objects.filter(proposal=OuterRef("proposal_id"), member_id=scope.member_id)
        q |= Q(proposal__lead_id=scope.member_id) | Q(Exists(cosigned))
    return qs.filter(q)


def members_visible_to(qs, user):
    from .models import Assignment, Cosigner, Proposal

    scope = scope_of(user)
    if scope.everything:
        return qs
    q = Q(pk__in=[])
    if scope.bodies:
        q |= Q(body__in=scope.bodies)
    if scope.unit_ids:
        # A clerk needs the names on their unit's proposals (the addressee line), nobody else's.
        unit_proposals = Assignment.objects.filter(unit_id__in=scope.unit_ids).values("proposal_id")
        q |= Q(Exists(Proposal.objects.filter(pk__in=unit_proposals, lead_id=OuterRef("pk"))))
        q |= Q(Exists(Cosigner.objects.filter(proposal_id__in=unit_proposals, member_id=OuterRef("pk"))))
    if scope.member_id:
        q |= Q(pk=scope.member_id)
    return qs.filter(q)


# --- object-level questions ---------------------------------------------------------


def can_view_proposal(user, proposal):
    from .models import Proposal

    return proposals_visible_to(Proposal.objects.filter(pk=proposal.pk), user).exists()


def can_route(user, proposal):
    """Register, number and 交办 a proposal; decide return requests: its body's office or a supervisor."""
    scope = scope_of(user)
    return scope.everything or proposal.session.body in scope.bodies


def can_work_on(user, assignment):
    """Sign for, log contacts and draft replies: staff of the assigned unit."""
    return assignment.unit_id in scope_of(user).unit_ids


def can_sign_off(user, assignment):
    """Approve (签发) a reply: a signer of the assigned unit."""
    return assignment.unit_id in scope_of(user).signer_unit_ids


def can_supervise(user):
    return scope_of(user).everything


def get_visible_or_404(qs, user, **lookup):
    """Fetch one object from the user's scope; anything outside it is simply not found."""
    try:
        return qs.visible_to(user).get(**lookup)
    except qs.model.DoesNotExist:
        raise Http404 from None
