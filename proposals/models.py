"""Sessions, members, handling units, proposals and their assignments (交办).

Who may see what is decided in `proposals.access`; the querysets here expose it
as `.visible_to(user)` so every list is scoped the same way.
"""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from notifications.services import Contact

from . import access, grams, notices
from .choices import (
    FINISHED,
    AssignmentRole,
    AssignmentStatus,
    Body,
    DeadlineKind,
    Decision,
    EventVerb,
    LinkKind,
    MemberKind,
    Period,
    ProposalKind,
    ProposalStatus,
    RequestKind,
    RoleKind,
    choice_constraint,
)
from .i18n import stored_text
from .limits import LETTER, REASON, clip, length_constraint

__all__ = [
    "FINISHED",
    "AssignmentRole",
    "AssignmentStatus",
    "Body",
    "DeadlineKind",
    "Decision",
    "EventVerb",
    "LinkKind",
    "MemberKind",
    "Period",
    "ProposalKind",
    "ProposalStatus",
    "RequestKind",
    "RoleKind",
    "TransitionError",
    "choice_constraint",
]


class TransitionError(Exception):
    """A workflow step that the record's current state does not allow (signing for twice, …).

    The message, when there is one, is for the user; nothing was changed.
    """


class Session(models.Model):
    """A session (届次/会次) of one body, with the deadline rules that apply to its proposals."""

    body = models.CharField(_("届别"), max_length=8, choices=Body.choices)
    name = models.CharField(_("会议名称"), max_length=100, help_text=_("如：黄石市政协十三届五次会议"))
    year = models.PositiveSmallIntegerField(_("年度"))
    opens_on = models.DateField(_("开幕日期"))
    closes_on = models.DateField(_("闭幕日期"))
    number_format = models.CharField(
        _("编号格式"),
        max_length=60,
        default="第{serial}号",
        help_text=_("可用 {year} 与 {serial}，如：委员提案〔{year}〕{serial}号"),
    )
    reply_days = models.PositiveSmallIntegerField(_("答复期限（天）"), default=90, help_text=_("自交办之日起"))
    co_opinion_days = models.PositiveSmallIntegerField(_("会办意见期限（天）"), default=30)
    redo_days = models.PositiveSmallIntegerField(_("重办期限（天）"), default=30)
    sign_for_days = models.PositiveSmallIntegerField(_("签收期限（天）"), default=5)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("会次")
        verbose_name_plural = _("会次")
        ordering = ["-year", "body", "name"]
        constraints = [
            choice_constraint("body", Body),
            models.UniqueConstraint(fields=["name"], name="%(app_label)s_%(class)s_unique_name"),
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")),
                name="%(app_label)s_%(class)s_closes_after_opening",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def proposal_kind(self):
        return ProposalKind.for_body(self.body)

    def format_number(self, serial):
        return self.number_format.format(year=self.year, serial=serial)

    def due_on(self, assigned_on, role):
        days = self.co_opinion_days if role == AssignmentRole.CO else self.reply_days
        return assigned_on + datetime.timedelta(days=days)


class MemberQuerySet(models.QuerySet):
    def visible_to(self, user):
        """An office sees its body's members; a clerk the names on their unit's proposals; a member themselves."""
        scope = access.scope_of(user)
        if scope.everything:
            return self
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
        return self.filter(q)


class Member(models.Model):
    """A deputy (代表), a member (委员), or an organisation that proposes (e.g. 市工商联)."""

    name = models.CharField(_("姓名/名称"), max_length=100)
    body = models.CharField(_("届别"), max_length=8, choices=Body.choices)
    kind = models.CharField(_("类型"), max_length=16, choices=MemberKind.choices, default=MemberKind.PERSON)
    group = models.CharField(_("代表团/界别"), max_length=100, blank=True)
    work_unit = models.CharField(_("工作单位及职务"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member",
    )

    objects = MemberQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("代表委员")
        verbose_name_plural = _("代表委员")
        ordering = ["body", "name"]
        constraints = [
            choice_constraint("body", Body),
            choice_constraint("kind", MemberKind),
            models.UniqueConstraint(fields=["body", "name", "group"], name="%(app_label)s_%(class)s_unique_name"),
        ]

    def __str__(self):
        return f"{self.name}（{self.get_body_display()}）"

    @property
    def title(self):
        """How a letter addresses them: 代表 for the NPC, 委员 for the CPPCC; an organisation by name only."""
        if self.kind == MemberKind.ORGANISATION:
            return ""
        return _("代表") if self.body == Body.NPC else _("委员")

    def notification_contact(self):
        """Where notifications reach the member: their account, their e-mail (or the account's), their phone."""
        user = self.user
        if user is not None and not user.is_active:
            user = None
        return Contact(
            ref=f"member:{self.pk}",
            users=(user,) if user else (),
            email=self.email or (user.email if user else ""),
            phone=self.phone,
        )


class HandlingUnit(models.Model):
    """A government department or district that answers proposals (承办单位)."""

    name = models.CharField(_("全称"), max_length=100, unique=True, help_text=_("如：黄石市经济和信息化局"))
    short_name = models.CharField(_("简称"), max_length=40, unique=True, help_text=_("如：市经信局"))
    doc_prefix = models.CharField(
        _("文号前缀"),
        max_length=20,
        blank=True,
        help_text=_("如：黄经信函；签发时按年度顺序编号，如 黄经信函〔2026〕3号"),
    )
    disclosure_code = models.CharField(
        _("信息公开机构代码"),
        max_length=20,
        blank=True,
        help_text=_("公开答复的索引号以此开头，如：011043170；留空则用单位编号"),
    )
    letterhead = models.CharField(
        _("版头名称"), max_length=100, blank=True, help_text=_("红头上的机关名称，留空则用全称")
    )
    contact_person = models.CharField(_("联系人"), max_length=40, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    seal = models.ImageField(_("印章图片"), upload_to="seals/", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("承办单位")
        verbose_name_plural = _("承办单位")
        ordering = ["name"]

    def __str__(self):
        return self.short_name or self.name

    @property
    def letterhead_name(self):
        return self.letterhead or self.name

    def notification_contact(self):
        """The unit's own e-mail and phone; in the app, its active clerks and signers."""
        staff = (
            get_user_model()
            .objects.filter(
                is_active=True, banli_roles__unit=self, banli_roles__kind__in=[RoleKind.CLERK, RoleKind.SIGNER]
            )
            .distinct()
        )
        return Contact(ref=f"unit:{self.pk}", users=tuple(staff), email=self.email, phone=self.contact_phone)


class Role(models.Model):
    """What a staff user is in the workflow. A member's role comes from Member.user instead."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="banli_roles"
    )
    kind = models.CharField(_("角色"), max_length=16, choices=RoleKind.choices)
    unit = models.ForeignKey(
        HandlingUnit,
        verbose_name=_("承办单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="roles",
    )
    body = models.CharField(_("届别"), max_length=8, choices=Body.choices, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("岗位角色")
        verbose_name_plural = _("岗位角色")
        constraints = [
            choice_constraint("kind", RoleKind),
            choice_constraint("body", Body, allow_blank=True),
            # A clerk or signer belongs to exactly one unit; an office to one body; a supervisor to neither.
            models.CheckConstraint(
                condition=(
                    Q(kind__in=[RoleKind.CLERK, RoleKind.SIGNER], unit__isnull=False, body="")
                    | Q(kind=RoleKind.OFFICE, unit__isnull=True, body__in=Body.values)
                    | Q(kind=RoleKind.SUPERVISOR, unit__isnull=True, body="")
                ),
                name="%(app_label)s_%(class)s_scope_matches_kind",
            ),
            models.UniqueConstraint(fields=["user", "kind", "unit", "body"], name="%(app_label)s_%(class)s_unique"),
        ]

    def __str__(self):
        scope = self.unit or self.get_body_display() or ""
        return f"{self.user} · {self.get_kind_display()} {scope}".strip()


def office_staff(body):
    """The active users of a body's committee office (代表工委 / 提案委), to notify."""
    return (
        get_user_model()
        .objects.filter(is_active=True, banli_roles__kind=RoleKind.OFFICE, banli_roles__body=body)
        .distinct()
    )


def supervisors():
    """The active users of the supervision office (督查室), to notify."""
    return get_user_model().objects.filter(is_active=True, banli_roles__kind=RoleKind.SUPERVISOR).distinct()


class Category(models.Model):
    """Subject area of a proposal (经济建设, 城乡建设, …): data, so each city keeps its own list."""

    name = models.CharField(_("名称"), max_length=40, unique=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("类别")
        verbose_name_plural = _("类别")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class DuplicateNumber(ValidationError):
    """The session already has a proposal with this serial or number."""


def _member_proposal_q(member_id, proposal_ref="pk"):
    """Proposals the member leads or co-signed; `proposal_ref` names the proposal's key on the queryset's model."""
    lead = "lead_id" if proposal_ref == "pk" else "proposal__lead_id"
    cosigned = Cosigner.objects.filter(proposal=OuterRef(proposal_ref), member_id=member_id)
    return Q(**{lead: member_id}) | Q(Exists(cosigned))


def _shown_value(field, value):
    """A field's value as the timeline writes it: the choice's label, a date, 是/否, a dash for nothing."""
    if value in (None, ""):
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.date):
        return f"{value:%Y-%m-%d}"
    text = str(value)
    return text if len(text) <= 60 else f"{text[:60]}…"


class ProposalQuerySet(models.QuerySet):
    def visible_to(self, user):
        scope = access.scope_of(user)
        if scope.everything:
            return self
        q = Q(pk__in=[])
        if scope.bodies:
            q |= Q(session__body__in=scope.bodies)
        if scope.unit_ids:
            q |= Q(Exists(Assignment.objects.filter(proposal=OuterRef("pk"), unit_id__in=scope.unit_ids)))
        if scope.member_id:
            q |= _member_proposal_q(scope.member_id)
        return self.filter(q)

    def routable_by(self, user):
        """The proposals whose office the user is (every proposal for a supervisor)."""
        scope = access.scope_of(user)
        if scope.everything:
            return self
        return self.filter(session__body__in=scope.bodies)

    def next_number(self, session, *, serial=None, number=None):
        """(serial, number) a registration would get now: the page shows it, register() takes it under the lock."""
        if serial is None:
            last = self.filter(session=session).aggregate(last=models.Max("serial"))["last"]
            serial = (last or 0) + 1
        return serial, number or session.format_number(serial)

    def register(
        self,
        *,
        session,
        lead,
        title,
        by,
        cosigners=(),
        serial=None,
        verb=EventVerb.REGISTERED,
        note=None,
        at=None,
        **fields,
    ):
        """登记: a proposal under the session's next number (or the given serial), with its co-signers,
        registered `at` (now by default; a past moment for records kept elsewhere until now).

        Safe under concurrency: the session row is locked (PostgreSQL) or the write lock taken
        at BEGIN (SQLite, IMMEDIATE), so two offices registering at once get different numbers;
        a serial or number the session already has raises DuplicateNumber.
        """
        with transaction.atomic():
            Session.objects.select_for_update().filter(pk=session.pk).first()
            serial, number = self.next_number(session, serial=serial, number=fields.pop("number", None))
            at = at or timezone.now()
            fields.setdefault("submitted_on", timezone.localdate(at))
            if self.filter(Q(serial=serial) | Q(number=number), session=session).exists():
                raise DuplicateNumber(_("本会次已有编号为 %(number)s 的建议提案。") % {"number": number})
            try:
                with transaction.atomic():
                    proposal = self.create(
                        session=session,
                        kind=ProposalKind.for_body(session.body),
                        serial=serial,
                        number=number,
                        title=title,
                        lead=lead,
                        created_at=at,
                        **fields,
                    )
            except IntegrityError:
                raise DuplicateNumber(_("本会次已有编号为 %(number)s 的建议提案。") % {"number": number}) from None
            Cosigner.objects.bulk_create(
                Cosigner(proposal=proposal, member=member, position=position)
                for position, member in enumerate(cosigners, start=1)
            )
            Event.record(proposal=proposal, verb=verb, actor=by, note=proposal.number if note is None else note, at=at)
            SimilarityGram.objects.index([proposal])
        return proposal


class Proposal(models.Model):
    """A deputy's suggestion (建议) or a member's proposal (提案), as registered by the office."""

    kind = models.CharField(_("类型"), max_length=16, choices=ProposalKind.choices)
    session = models.ForeignKey(Session, verbose_name=_("会次"), on_delete=models.PROTECT, related_name="proposals")
    serial = models.PositiveIntegerField(_("序号"))
    number = models.CharField(_("编号"), max_length=60, help_text=_("按印刷样式，如：委员提案〔2021〕110号"))
    title = models.CharField(_("案由"), max_length=200)
    body = models.TextField(_("内容"), max_length=LETTER, blank=True)
    lead = models.ForeignKey(Member, verbose_name=_("领衔人"), on_delete=models.PROTECT, related_name="led_proposals")
    cosigners: "models.ManyToManyField[Member, Cosigner]" = models.ManyToManyField(
        Member,
        verbose_name=_("联名人"),
        through="Cosigner",
        related_name="cosigned_proposals",
        blank=True,
    )
    category = models.ForeignKey(
        Category, verbose_name=_("类别"), on_delete=models.PROTECT, null=True, blank=True, related_name="proposals"
    )
    period = models.CharField(_("提出时间"), max_length=8, choices=Period.choices, default=Period.SESSION)
    is_key = models.BooleanField(_("重点"), default=False)
    status = models.CharField(
        _("状态"), max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.REGISTERED
    )
    submitted_on = models.DateField(_("提交日期"))
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = ProposalQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("建议提案")
        verbose_name_plural = _("建议提案")
        ordering = ["session", "serial"]
        constraints = [
            choice_constraint("kind", ProposalKind),
            choice_constraint("period", Period),
            choice_constraint("status", ProposalStatus),
            models.UniqueConstraint(fields=["session", "number"], name="%(app_label)s_%(class)s_unique_session_number"),
            models.UniqueConstraint(fields=["session", "serial"], name="%(app_label)s_%(class)s_unique_session_serial"),
            length_constraint("body", LETTER),
        ]
        indexes = [models.Index(fields=["status"]), models.Index(fields=["lead"])]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("proposals:detail", args=[self.pk])

    def clean(self):
        if self.session_id and self.kind and self.kind != self.session.proposal_kind:
            raise ValidationError({"kind": _("人大会议只收建议，政协会议只收提案。")})
        if self.session_id and self.lead_id and self.lead.body != self.session.body:
            raise ValidationError({"lead": _("领衔人须为本届别的代表或委员。")})

    @property
    def members_in_order(self):
        """The lead first, then co-signers in the order they signed: the addressee line of a reply."""
        return [self.lead, *(c.member for c in self.cosigner_links.all())]

    def addressee_line(self):
        """主送 of a reply, as letters write it: a run of people ends with their 委员/代表, an
        organisation stands by its name ("市工商联、程玮、王秋红委员"). Letter text, so Chinese
        whatever language the clerk's screens are in."""
        members = self.members_in_order
        names = []
        with stored_text():
            titles = [str(m.title) for m in members]
            for i, member in enumerate(members):
                run_ends = i + 1 == len(members) or titles[i + 1] != titles[i]
                names.append(member.name + (titles[i] if run_ends else ""))
        return "、".join(names)

    def has_lead(self):
        return self.assignments.filter(role=AssignmentRole.LEAD).exclude(status=AssignmentStatus.RETURNED).exists()

    # What the office may correct on a registered proposal (in the app; the number stays).
    AMENDABLE = ("title", "body", "category", "period", "is_key", "submitted_on")

    def is_answered(self):
        """A unit has answered it in writing: the letters quote its title and number as they were."""
        answered = [AssignmentStatus.REPLIED, AssignmentStatus.REDO, AssignmentStatus.CLOSED]
        return self.assignments.exclude(role=AssignmentRole.CO).filter(status__in=answered).exists()

    def amend(self, *, by, cosigners=None, **fields):
        """The office corrects what was registered (the fields of AMENDABLE, the lead, the co-signers
        in their order), until a unit has answered; the history keeps each version and the timeline
        says what changed. Returns the changes as (name, label, old, new)."""
        unknown = set(fields) - {*self.AMENDABLE, "lead"}
        if unknown:
            raise ValueError(f"not amendable: {sorted(unknown)}")
        with transaction.atomic():
            current = Proposal.objects.select_for_update().get(pk=self.pk)
            if current.is_answered():
                raise TransitionError(_("已有承办单位答复，不能再修改；如需更正，请在重办中说明。"))
            if "lead" in fields and fields["lead"].body != current.session.body:
                raise TransitionError(_("领衔人须为本届别的代表或委员。"))
            changes = []
            with stored_text():
                if cosigners is not None:
                    before = [link.member for link in current.cosigner_links.select_related("member")]
                    if [m.pk for m in before] != [m.pk for m in cosigners]:
                        current.cosigner_links.all().delete()
                        Cosigner.objects.bulk_create(
                            Cosigner(proposal=self, member=m, position=n) for n, m in enumerate(cosigners, start=1)
                        )
                        names = ["、".join(m.name for m in members) or "—" for members in (before, cosigners)]
                        changes.append(("cosigners", str(_("联名人")), *names))
                for name, value in fields.items():
                    old = getattr(current, name)
                    if old != value:
                        field: models.Field = self._meta.get_field(name)  # type: ignore[assignment]
                        label = str(field.verbose_name)
                        changes.append((name, label, _shown_value(field, old), _shown_value(field, value)))
                        setattr(self, name, value)
                note = "；".join(f"{label}：{old} → {new}" for _name, label, old, new in changes)
            if not changes:
                return []
            self._history_user = by
            saved = [name for name, *_rest in changes if name != "cosigners"]
            if saved:
                self.save(update_fields=saved)
            Event.record(proposal=self, verb=EventVerb.PROPOSAL_AMENDED, actor=by, note=note)
            if {"title", "body"} & {name for name, *_rest in changes}:
                SimilarityGram.objects.index([self])
        return changes

    def assign(self, *, unit, role, by, assigned_on=None, due_on=None, note=None, answered=False, at=None):
        """交办: give one unit its share of the proposal, with the deadline the session's rules give.

        `answered` records a share the unit has already answered (a historical letter being
        imported). Raises TransitionError when the unit already has a share or the proposal
        already has a lead unit.
        """
        at = at or timezone.now()
        assigned_on = assigned_on or timezone.localdate(at)
        due_on = due_on or self.session.due_on(assigned_on, role)
        with transaction.atomic():
            # The state as it is now: the caller's copy may predate a return that sent it back to 待交办.
            self.status = Proposal.objects.select_for_update().values_list("status", flat=True).get(pk=self.pk)
            if self.assignments.filter(unit=unit).exists():
                raise TransitionError(_("%(unit)s 已承办该件。") % {"unit": unit})
            if role == AssignmentRole.LEAD and self.has_lead():
                raise TransitionError(_("该件已有主办单位；如需更换，请先退回原主办单位。"))
            assignment = Assignment.objects.create(
                proposal=self,
                unit=unit,
                role=role,
                status=AssignmentStatus.REPLIED if answered else AssignmentStatus.PENDING,
                assigned_on=assigned_on,
                due_on=due_on,
                assigned_by=by,
            )
            Deadline.objects.create(
                assignment=assignment, round=1, kind=DeadlineKind.ORIGINAL, due_on=due_on, set_by=by, set_at=at
            )
            if self.status == ProposalStatus.REGISTERED:
                self.status = ProposalStatus.REPLIED if answered else ProposalStatus.ASSIGNED
                Proposal.objects.filter(pk=self.pk).update(status=self.status)
            if note is None:
                with stored_text():
                    note = f"{unit}（{assignment.get_role_display()}），期限 {due_on:%Y-%m-%d}"
            Event.record(proposal=self, assignment=assignment, verb=EventVerb.ASSIGNED, actor=by, note=note, at=at)
            if not answered:
                notices.assigned(assignment)
        return assignment


class Cosigner(models.Model):
    """A co-signer (联名人) of a proposal, kept in the order they signed."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="cosigner_links")
    member = models.ForeignKey(Member, verbose_name=_("联名人"), on_delete=models.PROTECT, related_name="cosigns")
    position = models.PositiveSmallIntegerField(_("顺序"), default=1)

    class Meta:
        verbose_name = _("联名人")
        verbose_name_plural = _("联名人")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "member"], name="%(app_label)s_%(class)s_unique_member"),
            models.UniqueConstraint(fields=["proposal", "position"], name="%(app_label)s_%(class)s_unique_position"),
        ]

    def __str__(self):
        return self.member.name


class AssignmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        scope = access.scope_of(user)
        if scope.everything:
            return self
        q = Q(pk__in=[])
        if scope.bodies:
            q |= Q(body__in=scope.bodies)
        if scope.unit_ids:
            q |= Q(unit_id__in=scope.unit_ids)
        if scope.member_id:
            q |= _member_proposal_q(scope.member_id, proposal_ref="proposal_id")
        return self.filter(q)

    def workable_by(self, user):
        """The shares of the user's own units: what they sign for, handle and answer."""
        return self.filter(unit_id__in=access.scope_of(user).unit_ids)

    def routed_by(self, user):
        """What the inbox of the office or a supervisor lists: every share of the bodies they oversee."""
        scope = access.scope_of(user)
        if scope.everything:
            return self
        return self.filter(body__in=scope.bodies)

    def open(self):
        # As the rank the inbox indexes hold (FinishedRank): open shares by deadline are a range of them.
        return self.alias(open_rank=FinishedRank()).filter(open_rank=0)

    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.open().filter(due_on__lt=today)

    def due_soon(self, today=None):
        today = today or timezone.localdate()
        horizon = today + datetime.timedelta(days=settings.BANLI_DUE_SOON_DAYS)
        return self.open().filter(due_on__gte=today, due_on__lte=horizon)


# An assignment's figures (see Assignment), in the order the dashboard's index holds them.
FIGURES = [
    "first_due_on",
    "first_reply_on",
    "first_opinion_on",
    "latest_class",
    "contact_count",
    "form_count",
    "satisfied_count",
    "basically_count",
    "dissatisfied_count",
    "silent_count",
]
# When it first reached the member after 交办, and first face to face (the 见面率), kept the same way.
CONTACT_FIGURES = ["first_contact_on", "first_meeting_on"]


@deconstructible(path="proposals.models.FinishedRank")
class FinishedRank(models.Func):
    """0 for an assignment still being handled, 1 for a finished one: the inbox lists open work
    first. The inbox orders by exactly this expression, which an index of Assignment holds.

    The statuses are written into the SQL as literals (they are the code's constants): SQLite
    uses an index on an expression only for the same expression, and a bound parameter is not.
    """

    output_field = models.IntegerField()

    def __init__(self):
        super().__init__(models.F("status"))

    def as_sql(self, compiler, connection, function=None, template=None, arg_joiner=None, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        finished = ", ".join(f"'{status}'" for status in FINISHED)
        return f"CASE WHEN {column} IN ({finished}) THEN 1 ELSE 0 END", params


class Assignment(models.Model):
    """One handling unit's share of a proposal (交办): lead, co-handling or separate."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("建议提案"), on_delete=models.CASCADE, related_name="assignments"
    )
    unit = models.ForeignKey(
        HandlingUnit, verbose_name=_("承办单位"), on_delete=models.PROTECT, related_name="assignments"
    )
    role = models.CharField(_("办理方式"), max_length=16, choices=AssignmentRole.choices)
    status = models.CharField(
        _("状态"), max_length=20, choices=AssignmentStatus.choices, default=AssignmentStatus.PENDING
    )
    assigned_on = models.DateField(_("交办日期"))
    signed_for_on = models.DateField(_("签收日期"), null=True, blank=True)
    due_on = models.DateField(_("办理期限"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("交办人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The body (人大 or 政协) of the proposal's session, kept on the share so that an office's inbox
    # counts and reads the assignments alone; a proposal never changes session. Set when the share
    # is created (save); nullable only so that the column could be added in place.
    body = models.CharField(_("所属"), max_length=8, choices=Body, null=True, blank=True, editable=False)  # noqa: DJ001

    # The assignment's figures for the dashboard, kept by database triggers (supervision/figures.py)
    # from its deadlines, replies, feedback forms, contacts and co-handling opinions. The app never
    # writes them. `due_on` above is the deadline now in force (lists, reminders); `first_due_on`
    # is the first round's, approved extensions included: what the first reply is measured against.
    first_due_on = models.DateField(_("首轮办理期限（含延期）"), null=True, editable=False)
    first_reply_on = models.DateField(_("首次答复日期"), null=True, editable=False)
    first_opinion_on = models.DateField(_("会办意见日期"), null=True, editable=False)
    latest_class = models.CharField(_("答复类别"), max_length=1, blank=True, default="", editable=False)
    contact_count = models.PositiveIntegerField(_("沟通次数"), default=0, editable=False)
    form_count = models.PositiveIntegerField(_("收回征询意见表"), default=0, editable=False)
    satisfied_count = models.PositiveIntegerField(_("满意"), default=0, editable=False)
    basically_count = models.PositiveIntegerField(_("基本满意"), default=0, editable=False)
    dissatisfied_count = models.PositiveIntegerField(_("不满意"), default=0, editable=False)
    silent_count = models.PositiveIntegerField(_("未表态"), default=0, editable=False)
    first_contact_on = models.DateField(_("首次沟通日期"), null=True, editable=False)
    first_meeting_on = models.DateField(_("首次当面沟通日期"), null=True, editable=False)

    objects = AssignmentQuerySet.as_manager()
    # Every version of the share (who changed the unit, the role or the status, and when); the
    # figures the database keeps are left out.
    history = HistoricalRecords(excluded_fields=FIGURES + CONTACT_FIGURES)

    class Meta:
        verbose_name = _("交办")
        verbose_name_plural = _("交办")
        ordering = ["due_on", "pk"]
        constraints = [
            choice_constraint("role", AssignmentRole),
            choice_constraint("status", AssignmentStatus),
            models.UniqueConstraint(fields=["proposal", "unit"], name="%(app_label)s_%(class)s_unique_unit"),
            # One lead unit answers for the proposal; a returned lead makes way for the next.
            models.UniqueConstraint(
                fields=["proposal"],
                condition=Q(role=AssignmentRole.LEAD) & ~Q(status=AssignmentStatus.RETURNED),
                name="%(app_label)s_%(class)s_one_lead",
            ),
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("assigned_on")),
                name="%(app_label)s_%(class)s_due_after_assigned",
            ),
        ]
        indexes = [
            # A unit's shares in one state by deadline (the home's queues): read in order, never sorted.
            models.Index(fields=["unit", "status", "due_on", "id"], name="assignment_unit_status_idx"),
            models.Index(fields=["status", "due_on"]),
            # The dashboard's counts (supervision/stats.py) group by unit, role and deadline and read
            # only these columns (the proposal for filters by body or session, then the figures):
            # in this order from the index alone, without a sort or a visit to the table.
            models.Index(
                fields=["unit", "role", "first_due_on", "due_on", "status", "signed_for_on", "proposal", *FIGURES[1:]],
                name="assignment_dashboard_idx",
            ),
            models.Index(fields=["status", "proposal"], name="assignment_status_proposal_idx"),
            # An office's inbox: its count per state (of one unit and role, when filtered by them), and its
            # page in order, from the body's shares alone.
            models.Index(fields=["body", "status"], name="assignment_body_status_idx"),
            models.Index(fields=["body", "unit", "role", "status"], name="assignment_body_unit_idx"),
            models.Index("body", FinishedRank(), "due_on", "id", name="assignment_body_inbox_idx"),
            # The inbox's order (open work first, then by deadline): a page is read from the index in
            # order, never by sorting every assignment in reach.
            models.Index(FinishedRank(), "due_on", "id", name="assignment_inbox_order_idx"),
            models.Index("unit", FinishedRank(), "due_on", "id", name="assignment_unit_inbox_idx"),
            # The supervision list of every assignment, by deadline (of one unit too: it is checked row by row).
            models.Index(fields=["due_on", "id"], name="assignment_due_order_idx"),
        ]

    def __str__(self):
        return f"{self.proposal.number} → {self.unit}（{self.get_role_display()}）"

    def save(self, *args, **kwargs):
        if not self.body and self.proposal_id:
            self.body = Proposal.objects.filter(pk=self.proposal_id).values_list("session__body", flat=True).first()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return self.proposal.get_absolute_url()

    @property
    def is_open(self):
        return self.status not in FINISHED

    @property
    def status_label(self):
        """The status as the unit reads it: a co-handling unit that answered gave its opinion; it replied to nobody."""
        if self.role == AssignmentRole.CO and self.status == AssignmentStatus.REPLIED:
            return _("已提交会办意见")
        return self.get_status_display()

    def locked(self):
        """This assignment read again under a row lock, inside the caller's transaction."""
        return Assignment.objects.select_for_update().select_related("proposal__session", "unit").get(pk=self.pk)

    def amend(self, *, by, unit, role, reason):
        """The office corrects a 交办 (the unit, or its role) before the unit signed for it; the
        deadline stays as given. The history keeps the old version; the timeline says why."""
        with transaction.atomic():
            Proposal.objects.select_for_update().filter(pk=self.proposal_id).first()
            current = self.locked()
            if current.status != AssignmentStatus.PENDING:
                raise TransitionError(_("承办单位已签收，不能再更正交办；如需改由其他单位办理，请由该单位申请退回。"))
            if unit == current.unit and role == current.role:
                raise TransitionError(_("没有需要更正的内容。"))
            siblings = Assignment.objects.filter(proposal_id=self.proposal_id).exclude(pk=self.pk)
            if siblings.filter(unit=unit).exists():
                raise TransitionError(_("%(unit)s 已承办该件。") % {"unit": unit})
            if (
                role == AssignmentRole.LEAD
                and siblings.filter(role=AssignmentRole.LEAD).exclude(status=AssignmentStatus.RETURNED).exists()
            ):
                raise TransitionError(_("该件已有主办单位；如需更换，请先退回原主办单位。"))
            with stored_text():
                before = f"{current.unit}（{current.get_role_display()}）"
                self.unit, self.role = unit, role
                note = f"{before} → {unit}（{self.get_role_display()}）：{reason}"
            self._history_user = by
            self.save(update_fields=["unit", "role"])
            Event.record(
                proposal=self.proposal, assignment=self, verb=EventVerb.ASSIGNMENT_AMENDED, actor=by, note=note
            )

    def sign_for(self, *, by, on=None, at=None):
        """签收: the unit accepts the assignment and starts handling it (`at` now by default)."""
        with transaction.atomic():
            current = self.locked()
            if current.status != AssignmentStatus.PENDING:
                raise TransitionError(_("该件已不是待签收状态，无需再签收。"))
            self.status = AssignmentStatus.HANDLING
            at = at or timezone.now()
            self.signed_for_on = on or timezone.localdate(at)
            self.save(update_fields=["status", "signed_for_on"])
            Proposal.objects.filter(pk=self.proposal_id, status=ProposalStatus.ASSIGNED).update(
                status=ProposalStatus.HANDLING
            )
            Event.record(proposal=self.proposal, assignment=self, verb=EventVerb.SIGNED_FOR, actor=by, at=at)

    def may_request(self, kind, pending_kinds=None):
        """Whether the unit may ask now: a return before it answers, an extension while open; one pending of each kind."""
        if pending_kinds is None:
            pending_kinds = set(self.requests.filter(decision=Decision.PENDING).values_list("kind", flat=True))
        if kind in pending_kinds:
            return False
        if kind == RequestKind.RETURN:
            return self.status in (AssignmentStatus.PENDING, AssignmentStatus.HANDLING)
        return self.is_open and self.status != AssignmentStatus.PENDING

    def request_change(self, *, kind, by, reason, suggested_unit=None, requested_due_on=None):
        """The unit asks to return the assignment or to extend its deadline; the office or supervisor decides."""
        with transaction.atomic():
            current = self.locked()
            if not current.may_request(kind):
                raise TransitionError(_("当前状态不能提出该申请（或已有待决定的同类申请）。"))
            if kind == RequestKind.EXTENSION and (requested_due_on is None or requested_due_on <= current.due_on):
                raise TransitionError(
                    _("申请延至的日期须晚于现办理期限（%(due)s）。") % {"due": f"{current.due_on:%Y-%m-%d}"}
                )
            request = AssignmentRequest.objects.create(
                assignment=self,
                kind=kind,
                reason=reason,
                suggested_unit=suggested_unit if kind == RequestKind.RETURN else None,
                requested_due_on=requested_due_on if kind == RequestKind.EXTENSION else None,
                requested_by=by,
            )
            note = reason
            if kind == RequestKind.EXTENSION:
                note = f"申请延至 {requested_due_on:%Y-%m-%d}：{reason}"
            verb = EventVerb.EXTENSION_REQUESTED if kind == RequestKind.EXTENSION else EventVerb.RETURN_REQUESTED
            Event.record(proposal=self.proposal, assignment=self, verb=verb, actor=by, note=note)
        return request

    def start_redo(self, *, by=None, note="", at=None):
        """Re-open a replied assignment for another round (重办) with the session's shorter deadline,
        counted from `at` (now by default: the moment the dissatisfaction came in).

        The new round's deadline is a fact of its own (Deadline, kind 重办): the first round's
        deadline and its extensions stay as they were, and so does what the first reply is measured by.
        """
        at = at or timezone.now()
        on = timezone.localdate(at)
        with transaction.atomic():
            current = self.locked()
            round = current.current_round + 1
            self.status = AssignmentStatus.REDO
            self.due_on = on + datetime.timedelta(days=current.proposal.session.redo_days)
            self.save(update_fields=["status", "due_on"])
            Deadline.objects.create(
                assignment=self,
                round=round,
                kind=DeadlineKind.REDO,
                due_on=self.due_on,
                set_by=by,
                set_at=at,
                reason=clip(note),
            )
            Proposal.objects.filter(pk=self.proposal_id).update(status=ProposalStatus.REDO)
            notices.redo_started(self, round=round, reason=note)
            with stored_text():
                note = f"第{round}轮，期限 {self.due_on:%Y-%m-%d}。{note}"
            Event.record(proposal=self.proposal, assignment=self, verb=EventVerb.REDO, actor=by, note=note, at=at)

    @property
    def current_round(self):
        """The round the unit is answering now: 1, then one more for each 重办."""
        return self.deadlines.aggregate(last=models.Max("round"))["last"] or 1

    def deadline_of(self, round):
        """The deadline of one round: its own (original or 重办) or the latest extension granted in it."""
        return self.deadlines.filter(round=round).aggregate(due=models.Max("due_on"))["due"]

    def days_left(self, today=None):
        return (self.due_on - (today or timezone.localdate())).days

    def deadline_state(self, today=None):
        """'overdue', 'due_soon' or '' — how the due date should be shown to a clerk or supervisor."""
        if not self.is_open:
            return ""
        left = self.days_left(today)
        if left < 0:
            return "overdue"
        if left <= settings.BANLI_DUE_SOON_DAYS:
            return "due_soon"
        return ""


class DeadlineQuerySet(models.QuerySet):
    def by_round(self):
        """One row per assignment and round with the deadline in force for it:
        {"assignment": id, "round": n, "due_on": date}. A round's deadline is its own
        (original or 重办) or the latest extension granted in it, whichever is later."""
        return self.order_by().values("assignment", "round").annotate(due_on=models.Max("due_on"))


class Deadline(models.Model):
    """One deadline fact of an assignment: the original one set at 交办, an extension granted, or
    the deadline of a 重办 round. Written only by the steps that set them (`Proposal.assign`,
    `AssignmentRequest.decide`, `Assignment.start_redo`) and never changed; `Assignment.due_on`
    is the one in force now. Round N's deadline is the latest of round N's facts, and each
    reply is measured against the deadline of its own round.
    """

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("交办"), on_delete=models.CASCADE, related_name="deadlines"
    )
    round = models.PositiveSmallIntegerField(_("轮次"), default=1)
    kind = models.CharField(_("类型"), max_length=16, choices=DeadlineKind.choices)
    due_on = models.DateField(_("办理期限"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确定人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    set_at = models.DateTimeField(_("确定时间"), default=timezone.now)
    reason = models.TextField(_("理由"), max_length=REASON, blank=True)
    request = models.OneToOneField(
        "AssignmentRequest",
        verbose_name=_("延期申请"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="granted_deadline",
    )

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        verbose_name = _("办理期限记录")
        verbose_name_plural = _("办理期限记录")
        ordering = ["assignment", "round", "set_at", "pk"]
        constraints = [
            choice_constraint("kind", DeadlineKind),
            models.CheckConstraint(condition=Q(round__gte=1), name="%(app_label)s_%(class)s_round_positive"),
            # The original deadline opens round 1; a 重办 deadline opens every later round.
            models.CheckConstraint(
                condition=Q(kind=DeadlineKind.ORIGINAL, round=1)
                | Q(kind=DeadlineKind.REDO, round__gt=1)
                | Q(kind=DeadlineKind.EXTENSION),
                name="%(app_label)s_%(class)s_kind_fits_round",
            ),
            models.UniqueConstraint(
                fields=["assignment", "round"],
                condition=~Q(kind=DeadlineKind.EXTENSION),
                name="%(app_label)s_%(class)s_one_start_per_round",
            ),
            models.CheckConstraint(
                condition=Q(kind=DeadlineKind.EXTENSION, request__isnull=False) | ~Q(kind=DeadlineKind.EXTENSION),
                name="%(app_label)s_%(class)s_extension_has_request",
            ),
            length_constraint("reason", REASON),
        ]
        indexes = [models.Index(fields=["assignment", "round", "due_on"])]

    def __str__(self):
        return f"{self.assignment} · 第{self.round}轮 {self.get_kind_display()} {self.due_on:%Y-%m-%d}"


class AssignmentRequest(models.Model):
    """A unit's request to return an assignment or to extend its deadline, and the decision on it."""

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("交办"), on_delete=models.CASCADE, related_name="requests"
    )
    kind = models.CharField(_("申请类型"), max_length=16, choices=RequestKind.choices)
    reason = models.TextField(_("理由"), max_length=REASON)
    suggested_unit = models.ForeignKey(
        HandlingUnit,
        verbose_name=_("建议改由"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_due_on = models.DateField(_("申请延至"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decision = models.CharField(_("决定"), max_length=16, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decision_note = models.TextField(_("决定意见"), max_length=REASON, blank=True)

    class Meta:
        verbose_name = _("退回/延期申请")
        verbose_name_plural = _("退回/延期申请")
        ordering = ["-requested_at"]
        constraints = [
            choice_constraint("kind", RequestKind),
            choice_constraint("decision", Decision),
            models.CheckConstraint(
                condition=Q(kind=RequestKind.RETURN) | Q(requested_due_on__isnull=False),
                name="%(app_label)s_%(class)s_extension_has_date",
            ),
            models.CheckConstraint(
                condition=Q(decision=Decision.PENDING) | Q(decided_at__isnull=False),
                name="%(app_label)s_%(class)s_decision_is_dated",
            ),
            # At most one open request of each kind per assignment.
            models.UniqueConstraint(
                fields=["assignment", "kind"],
                condition=Q(decision=Decision.PENDING),
                name="%(app_label)s_%(class)s_one_pending",
            ),
            length_constraint("reason", REASON),
            length_constraint("decision_note", REASON),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.assignment}"

    @property
    def is_pending(self):
        return self.decision == Decision.PENDING

    def decide(self, *, by, approve, note="", at=None):
        """Record the decision; a granted extension moves the deadline, a granted return ends the assignment."""
        with transaction.atomic():
            current = AssignmentRequest.objects.select_for_update().get(pk=self.pk)
            if not current.is_pending:
                raise TransitionError(_("该申请已有决定。"))
            assignment = self.assignment
            self.decision = Decision.APPROVED if approve else Decision.REJECTED
            self.decided_by = by
            self.decided_at = at or timezone.now()
            self.decision_note = note
            self.save(update_fields=["decision", "decided_by", "decided_at", "decision_note"])
            if approve and self.kind == RequestKind.EXTENSION and self.requested_due_on is not None:
                current = assignment.locked()
                if not current.is_open or self.requested_due_on <= current.due_on:
                    raise TransitionError(
                        _("该件已办复，或现办理期限（%(due)s）已不早于申请延至的日期，无需延期。")
                        % {"due": f"{current.due_on:%Y-%m-%d}"}
                    )
                old = current.due_on
                assignment.due_on = self.requested_due_on
                assignment.save(update_fields=["due_on"])
                round = current.current_round
                Deadline.objects.create(
                    assignment=assignment,
                    round=round,
                    kind=DeadlineKind.EXTENSION,
                    due_on=self.requested_due_on,
                    set_by=by,
                    set_at=self.decided_at,
                    reason=clip(self.reason),
                    request=self,
                )
                note = f"第{round}轮办理期限由 {old:%Y-%m-%d} 延至 {self.requested_due_on:%Y-%m-%d}。{note}"
            if approve and self.kind == RequestKind.RETURN:
                # locked() also locks the proposal: another unit's return approved in the same instant
                # would each see the other still answering, and the proposal never go back to 待交办.
                if assignment.locked().status not in (AssignmentStatus.PENDING, AssignmentStatus.HANDLING):
                    # It answered while the request waited: its letter stands, the request is declined.
                    raise TransitionError(_("该单位已作出答复，不能再退回；请驳回该申请。"))
                assignment.status = AssignmentStatus.RETURNED
                assignment.save(update_fields=["status"])
                proposal = assignment.proposal
                answering = proposal.assignments.filter(role__in=[AssignmentRole.LEAD, AssignmentRole.SEPARATE])
                if not answering.exclude(status=AssignmentStatus.RETURNED).exists():
                    # Nobody answers it any more: back with the office, waiting for 交办 again.
                    Proposal.objects.filter(pk=proposal.pk).exclude(status=ProposalStatus.CLOSED).update(
                        status=ProposalStatus.REGISTERED
                    )
            verb = {
                (RequestKind.RETURN, True): EventVerb.RETURN_APPROVED,
                (RequestKind.RETURN, False): EventVerb.RETURN_REJECTED,
                (RequestKind.EXTENSION, True): EventVerb.EXTENSION_APPROVED,
                (RequestKind.EXTENSION, False): EventVerb.EXTENSION_REJECTED,
            }[(RequestKind(self.kind), bool(approve))]
            Event.record(proposal=assignment.proposal, assignment=assignment, verb=verb, actor=by, note=note)
            # The one who asked and their unit are told (in the app now, by mail and text after commit).
            notices.request_decided(self)


class Event(models.Model):
    """One line of a proposal's timeline: who changed what, when, and why."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="events")
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, null=True, blank=True, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, null=True, blank=True
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    verb = models.CharField(_("操作"), max_length=40, choices=EventVerb.choices)
    note = models.TextField(_("说明"), max_length=REASON, blank=True)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["proposal", "at"]),
            # Counting one kind of line per unit (the unit scores' 答复要件 returns) without reading every line.
            models.Index(fields=["verb", "assignment"], name="event_verb_assignment_idx"),
        ]
        constraints = [choice_constraint("verb", EventVerb), length_constraint("note", REASON)]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_verb_display()}"

    @classmethod
    def record(cls, *, proposal, verb, actor=None, assignment=None, note="", at=None):
        """One line of the timeline; every write path above writes its own, in the same transaction."""
        return cls.objects.create(
            proposal=proposal, assignment=assignment, actor=actor, verb=verb, note=clip(note), at=at or timezone.now()
        )


class ProposalLink(models.Model):
    """Two proposals the office tied together after seeing them as similar: related, or 并案 (handled as one)."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("建议提案"), on_delete=models.CASCADE, related_name="links_from"
    )
    other = models.ForeignKey(Proposal, verbose_name=_("相似件"), on_delete=models.CASCADE, related_name="links_to")
    kind = models.CharField(_("关系"), max_length=8, choices=LinkKind)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, null=True, blank=True
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("相似件关联")
        verbose_name_plural = _("相似件关联")
        ordering = ["created_at", "pk"]
        constraints = [
            choice_constraint("kind", LinkKind),
            models.UniqueConstraint(fields=["proposal", "other"], name="%(app_label)s_%(class)s_unique_pair"),
            models.CheckConstraint(condition=~Q(proposal=models.F("other")), name="%(app_label)s_%(class)s_not_itself"),
        ]

    def __str__(self):
        return f"{self.proposal} ↔ {self.other}（{self.get_kind_display()}）"


def _count_grams(deltas):
    """Add each key's change to its frequency (a weight: concurrent writers may race, which only nudges it)."""
    by_delta: dict[int, list[int]] = {}
    for key, delta in deltas.items():
        if delta:
            by_delta.setdefault(delta, []).append(key)
    for delta, all_keys in by_delta.items():
        for start in range(0, len(all_keys), grams.CHUNK):
            keys = all_keys[start : start + grams.CHUNK]
            existing = set(GramFrequency.objects.filter(key__in=keys).values_list("key", flat=True))
            GramFrequency.objects.filter(key__in=existing).update(count=models.F("count") + delta)
            GramFrequency.objects.bulk_create(
                [GramFrequency(key=k, count=max(delta, 0)) for k in keys if k not in existing], ignore_conflicts=True
            )


class SimilarityGramQuerySet(models.QuerySet):
    def index(self, proposals):
        """(Re)index these proposals: their bigrams replace what the index held for them."""
        proposals = list(proposals)
        if not proposals:
            return
        with transaction.atomic():
            old: dict[int, set[int]] = {}
            ids = [p.pk for p in proposals]
            for start in range(0, len(ids), grams.CHUNK):
                pairs = self.filter(proposal__in=ids[start : start + grams.CHUNK]).values_list("proposal", "key")
                for proposal_id, key in pairs:
                    old.setdefault(proposal_id, set()).add(key)
            deltas: dict[int, int] = {}
            rows: list[SimilarityGram] = []
            for p in proposals:
                new = grams.keys_of(p.title, p.body)
                before = old.get(p.pk, set())
                for key in new - before:
                    deltas[key] = deltas.get(key, 0) + 1
                for key in before - new:
                    deltas[key] = deltas.get(key, 0) - 1
                rows.extend(SimilarityGram(key=key, proposal_id=p.pk) for key in new)
                if not before:
                    deltas[grams.TOTAL] = deltas.get(grams.TOTAL, 0) + 1
            for start in range(0, len(ids), grams.CHUNK):
                if any(pk in old for pk in ids[start : start + grams.CHUNK]):
                    self.filter(proposal__in=ids[start : start + grams.CHUNK]).delete()
            self.bulk_create(rows, batch_size=2000)
            _count_grams(deltas)


class SimilarityGram(models.Model):
    """One character bigram of a proposal's title, or of its body's sketch (`proposals.grams`): the
    index that proposals/similar.py searches. Written only by `SimilarityGram.objects.index`."""

    pk = models.CompositePrimaryKey("key", "proposal")
    key = models.BigIntegerField(_("字组"))
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="+")

    objects = SimilarityGramQuerySet.as_manager()

    class Meta:
        verbose_name = _("相似检索字组")
        verbose_name_plural = _("相似检索字组")

    def __str__(self):
        return f"{self.key} {self.proposal_id}"


class GramFrequency(models.Model):
    """How many indexed proposals have a bigram (key 0: how many proposals are indexed): its weight."""

    key = models.BigIntegerField(_("字组"), primary_key=True)
    count = models.PositiveIntegerField(_("件数"), default=0)

    class Meta:
        verbose_name = _("字组频次")
        verbose_name_plural = _("字组频次")

    def __str__(self):
        return f"{self.key}: {self.count}"
