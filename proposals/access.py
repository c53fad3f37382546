"""Who may see and change what, in one place.

`scope_of(user)` says how far a user reaches; the querysets turn it into rows
(`Model.objects.visible_to(user)`, `.workable_by(user)`), and the named predicates below answer
the questions views and the admin ask about one object. A refusal to see becomes 404 (a
stranger should not even learn that a proposal exists); a refusal to act on something one may
see becomes 403.

- superuser and 督查室 (supervisor): everything.
- 代表室/提案委 (office): every proposal of their body.
- 经办人/签发人 (clerk, signer): the proposals assigned to their unit, and only their
  unit's assignments.
- 代表/委员 (member): the proposals they lead or co-signed.

This module imports no model (the models import it), only the option lists.
"""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404

from .choices import Body, RequestKind, RoleKind

if TYPE_CHECKING:
    # The auth models cannot be imported while the app registry loads this module.
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.auth.models import User as Account

# Whoever a request carries. The model objects the predicates take stay untyped (Any): the models
# import this module, so naming them here would close an import circle.
User: TypeAlias = "Account | AnonymousUser"


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    bodies: frozenset = field(default_factory=frozenset)  # office of these bodies
    unit_ids: frozenset = field(default_factory=frozenset)  # clerk or signer of these units
    signer_unit_ids: frozenset = field(default_factory=frozenset)
    member_id: int | None = None

    @property
    def is_staff_role(self) -> bool:
        return self.everything or bool(self.bodies or self.unit_ids)

    @property
    def oversees_any(self) -> bool:
        """A supervisor, or the office of at least one body: registers, routes and follows proposals."""
        return self.everything or bool(self.bodies)

    def oversees(self, body: str) -> bool:
        return self.everything or body in self.bodies

    @property
    def oversight_bodies(self) -> list[str]:
        """The bodies whose proposals this user registers and follows (every body for a supervisor)."""
        return list(Body.values) if self.everything else sorted(self.bodies)


def scope_of(user: User) -> Scope:
    """The user's reach, computed once per request and kept on the user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope()
    cached = getattr(user, "_banli_scope", None)
    if cached is not None:
        return cached
    account: Any = user  # roles and member are reverse relations the stubs cannot see
    # A request's user comes with its roles already read (accounts.backends.request_user).
    roles = getattr(account, "banli_roles_read", None)
    if roles is None:
        roles = list(account.banli_roles.all())
    kinds = {r.kind for r in roles}
    try:
        member_id = account.member.pk
    except ObjectDoesNotExist:
        member_id = None
    scope = Scope(
        everything=account.is_superuser or RoleKind.SUPERVISOR in kinds,
        bodies=frozenset(r.body for r in roles if r.kind == RoleKind.OFFICE),
        unit_ids=frozenset(r.unit_id for r in roles if r.kind in (RoleKind.CLERK, RoleKind.SIGNER)),
        signer_unit_ids=frozenset(r.unit_id for r in roles if r.kind == RoleKind.SIGNER),
        member_id=member_id,
    )
    account._banli_scope = scope
    return scope


# --- questions about one object ----------------------------------------------------------


def can_supervise(user: User) -> bool:
    """The 督查室 (and superusers): decides extensions, reviews replies, sees every unit."""
    return scope_of(user).everything


def can_escalate(user: User) -> bool:
    """Raise a 督办 by hand and set a session's 督办 ladder and its 重点督办 topics: the 督查室 only."""
    return scope_of(user).everything


def can_follow(user: User, session: Any) -> bool:
    """Read a session's 督办 (levels, records, topics, 通知单): a supervisor or the office of its body."""
    return scope_of(user).oversees(session.body)


def can_route(user: User, proposal: Any) -> bool:
    """Register, number and 交办 a proposal, decide return requests: its body's office or a supervisor."""
    return scope_of(user).oversees(proposal.session.body)


def can_work_on(user: User, assignment: Any) -> bool:
    """Sign for, log contacts and draft replies: staff of the assigned unit."""
    return assignment.unit_id in scope_of(user).unit_ids


def can_sign_off(user: User, assignment: Any) -> bool:
    """Approve (签发) a reply: a signer of the assigned unit."""
    return assignment.unit_id in scope_of(user).signer_unit_ids


def can_keep_commitment(user: User, assignment: Any) -> bool:
    """Record a reply's commitments (承诺事项): the unit that answers, or the body's office or a supervisor."""
    return can_work_on(user, assignment) or can_route(user, assignment.proposal)


def can_report_commitment(user: User, commitment: Any) -> bool:
    """Report a commitment's progress: staff of the unit that promised."""
    return commitment.unit_id in scope_of(user).unit_ids


def can_close_commitment(user: User, assignment: Any) -> bool:
    """销号 a commitment, or reopen it: the body's office or a supervisor."""
    return can_route(user, assignment.proposal)


def can_change_class(user: User) -> bool:
    """Change a reply's result class while reviewing it: the 督查室 (the reviewing office)."""
    return scope_of(user).everything


def can_configure_unit(user: User, unit: Any) -> bool:
    """Set the unit's 文号 prefix and its code for 索引号: a signer (head) of the unit, or an office or supervisor."""
    scope = scope_of(user)
    return unit.pk in scope.signer_unit_ids or scope.oversees_any


def can_decide(user: User, request: Any) -> bool:
    """Return requests: the committee office of the body or a supervisor. Extensions: a supervisor."""
    if request.kind == RequestKind.EXTENSION:
        return can_supervise(user)
    return can_route(user, request.assignment.proposal)


def can_receive(user: User, feedback: Any) -> bool:
    """Countersign receipt of a feedback form, enter paper forms: the office of the proposal's body."""
    return feedback.reply.assignment.proposal.session.body in scope_of(user).bodies


def can_batch_print(user: User) -> bool:
    """Print many replies at once: a supervisor (every unit), an office (its body's), unit staff (their unit's)."""
    scope = scope_of(user)
    return scope.oversees_any or bool(scope.unit_ids)


def can_send_out(user: User, assignment: Any) -> bool:
    """Print the paper forms and the mailing packet of a reply: the unit that answers, or the office or a supervisor."""
    return can_work_on(user, assignment) or can_route(user, assignment.proposal)


def can_use_admin(user: User) -> bool:
    """The admin corrects reference data: offices, supervisors and superusers; unit staff and members never."""
    return bool(getattr(user, "is_active", False) and user.is_staff and scope_of(user).oversees_any)


def can_link_accounts(user: User) -> bool:
    """Linking a login account to a member lets it read and answer as that member: supervisors only."""
    return scope_of(user).everything


def get_visible_or_404(qs: Any, user: User, **lookup: Any) -> Any:
    """Fetch one object from the user's scope; anything outside it is simply not found.

    `qs` is one of the project's querysets with `visible_to()`, which the stubs cannot name here."""
    try:
        return qs.visible_to(user).get(**lookup)
    except qs.model.DoesNotExist:
        raise Http404 from None
