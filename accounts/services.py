"""Staff joining and leaving units: each change one function, recorded in the staff history, and
every piece of open work that moves recorded on its proposal's timeline.

**Open work of a person** is what the records tie to that person rather than to their unit:

- the replies they are writing (拟稿人, `Reply.drafter`) that are not issued yet (draft, waiting
  for 签发, in review: a reply sent back goes back to its drafter);
- the replies that name them as the one to sign (签发人, `Reply.signer`) and are not signed
  yet (draft, waiting for 签发).

Assignments (交办), co-handling shares (会办) and return or extension requests belong to the
unit: its other staff already see and work them, so they stay where they are, and a person
leaves a unit only with a colleague left in it to carry them. What was done (contacts logged,
opinions given, requests made, the timeline) keeps its author: history never moves.
"""

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from proposals.i18n import stored_text
from proposals.models import Event, EventVerb, Role, RoleKind, TransitionError
from replies.models import Reply, ReplyStatus

from . import sessions
from .models import EndReason, StaffChange, StaffChangeKind

UNIT_ROLES = (RoleKind.CLERK, RoleKind.SIGNER)
DRAFTING = (ReplyStatus.DRAFT, ReplyStatus.AWAITING_SIGNOFF, ReplyStatus.IN_REVIEW)
UNSIGNED = (ReplyStatus.DRAFT, ReplyStatus.AWAITING_SIGNOFF)


def open_work(user, unit_ids=None):
    """The person's open work (see above), in the given units or all of them: two querysets."""
    drafting = Reply.objects.filter(drafter=user, status__in=DRAFTING)
    signing = Reply.objects.filter(signer=user, status__in=UNSIGNED)
    if unit_ids is not None:
        drafting = drafting.filter(assignment__unit_id__in=unit_ids)
        signing = signing.filter(assignment__unit_id__in=unit_ids)
    related = ("assignment__proposal", "assignment__unit")
    return {"drafting": drafting.select_related(*related), "signing": signing.select_related(*related)}


def colleagues(user, unit_ids):
    """Active people holding a role in each of these units, other than `user`: who may take over."""
    User = get_user_model()
    qs = User.objects.filter(is_active=True).exclude(pk=user.pk)
    for unit_id in unit_ids:
        qs = qs.filter(pk__in=Role.objects.filter(unit_id=unit_id, kind__in=UNIT_ROLES).values("user_id"))
    return qs.order_by("username")


def _hand_over(*, user, successor, by, unit_ids, note):
    """Move the open work in these units to `successor`; return how many replies moved."""
    work = open_work(user, unit_ids)
    drafting = list(work["drafting"].select_for_update(of=("self",)))
    signing = list(work["signing"].select_for_update(of=("self",)))
    if not drafting and not signing:
        return 0
    if successor is None:
        raise TransitionError(_("此人尚有未完成的答复，须指定接手的同事。"))
    if not successor.is_active or successor.pk == user.pk:
        raise TransitionError(_("接手人须是另一位在岗人员。"))
    for reply in drafting + signing:
        unit_id = reply.assignment.unit_id
        kinds = set(Role.objects.filter(user=successor, unit_id=unit_id).values_list("kind", flat=True))
        if not kinds & set(UNIT_ROLES):
            raise TransitionError(
                _("接手人不是%(unit)s的人员，不能接手该单位的答复。") % {"unit": reply.assignment.unit}
            )
        if reply in signing and RoleKind.SIGNER not in kinds:
            raise TransitionError(
                _("接手人不是%(unit)s的签发人，不能接手待其签发的答复。") % {"unit": reply.assignment.unit}
            )
    old_name, new_name = user.get_full_name() or user.username, successor.get_full_name() or successor.username
    moved = {}
    for reply in drafting:
        moved.setdefault(reply.pk, [reply, []])[1].append("drafter")
    for reply in signing:
        moved.setdefault(reply.pk, [reply, []])[1].append("signer")
    for reply, fields in moved.values():
        for name in fields:
            setattr(reply, name, successor)
        reply._history_user = by
        reply.save(update_fields=fields)
        with stored_text():
            roles = "、".join("拟稿人" if f == "drafter" else "签发人" for f in fields)
            line = f"第{reply.round}轮答复的{roles}由 {old_name} 移交给 {new_name}"
        a = reply.assignment
        Event.record(
            proposal=a.proposal, assignment=a, verb=EventVerb.HANDED_OVER, actor=by, note=f"{line}。{note}".strip()
        )
    with stored_text():
        summary = f"{len(moved)} 件答复移交。{note}".strip()
    StaffChange.objects.create(kind=StaffChangeKind.HANDED_OVER, user=user, actor=by, successor=successor, note=summary)
    return len(moved)


def add_to_unit(*, unit, kind, by, username, full_name="", email="", via_sso=False):
    """A person joins a unit as 经办人 or 签发人: an existing account, or a new one (no password
    yet: they sign in through the identity service, or an administrator sets one).

    Returns (user, created).
    """
    if kind not in UNIT_ROLES:
        raise TransitionError(_("单位人员只能是经办人或签发人。"))
    User = get_user_model()
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        created = user is None
        if created:
            first = full_name or ""
            user = User(username=username, first_name=first[:150], email=email)
            user.set_unusable_password()
            user.save()
        if not user.is_active:
            raise TransitionError(_("该账号已停用，请先恢复。"))
        if Role.objects.filter(user=user, unit=unit, kind=kind).exists():
            raise TransitionError(
                _("%(name)s 已是%(unit)s的%(kind)s。")
                % {"name": user.get_full_name() or user.username, "unit": unit, "kind": RoleKind(kind).label}
            )
        role = Role(user=user, unit=unit, kind=kind)
        role._history_user = by
        role.save()
        StaffChange.objects.create(
            kind=StaffChangeKind.SSO_JOINED if via_sso else StaffChangeKind.JOINED,
            user=user,
            actor=by,
            unit=unit,
            role=kind,
        )
    return user, created


def remove_from_unit(*, user, unit, by, successor=None, note=""):
    """A person leaves one unit (every role they held there); their open work there goes to `successor`."""
    with transaction.atomic():
        roles = list(Role.objects.select_for_update().filter(user=user, unit=unit))
        if not roles:
            raise TransitionError(_("此人不在%(unit)s。") % {"unit": unit})
        _hand_over(user=user, successor=successor, by=by, unit_ids=[unit.pk], note=note)
        for role in roles:
            role._history_user = by
            role.delete()
            StaffChange.objects.create(
                kind=StaffChangeKind.LEFT,
                user=user,
                actor=by,
                unit=unit,
                role=role.kind,
                successor=successor,
                note=note,
            )


def deactivate(*, user, by, successor=None, note=""):
    """停用: the person can no longer sign in, every session of theirs ends at once, and their open
    work in every unit goes to `successor`. Their roles stay on record (restored with the account)."""
    with transaction.atomic():
        User = get_user_model()
        user = User.objects.select_for_update().get(pk=user.pk)
        if not user.is_active:
            raise TransitionError(_("该账号已停用。"))
        if user.pk == by.pk:
            raise TransitionError(_("不能停用自己的账号。"))
        unit_ids = list(Role.objects.filter(user=user, unit__isnull=False).values_list("unit_id", flat=True))
        _hand_over(user=user, successor=successor, by=by, unit_ids=unit_ids, note=note)
        user.is_active = False
        user.save(update_fields=["is_active"])
        transaction.on_commit(lambda: sessions.end_all(user, EndReason.DEACTIVATED))
        StaffChange.objects.create(
            kind=StaffChangeKind.DEACTIVATED, user=user, actor=by, successor=successor, note=note
        )
    return user


def reactivate(*, user, by, note=""):
    with transaction.atomic():
        user = get_user_model().objects.select_for_update().get(pk=user.pk)
        if user.is_active:
            raise TransitionError(_("该账号未停用。"))
        user.is_active = True
        user.save(update_fields=["is_active"])
        StaffChange.objects.create(kind=StaffChangeKind.REACTIVATED, user=user, actor=by, note=note)
    return user


def initial_password(user):
    """A one-off password for a new local account, shown once to the person adding it."""
    password = "-".join(secrets.token_hex(2) for _ in range(4))
    user.set_password(password)
    user.save(update_fields=["password"])
    return password
