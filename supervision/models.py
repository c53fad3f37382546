"""催办 (urging a unit that is late or nearly late) with the ledger of reminder e-mails sent, and
graded 督办 (levels and rules per session, each 督办 recorded once).

A 催办 (Urge) is one reminder by a chosen means (system message, phone, letter) and sits beside
the graded 督办: it does not change the grade. A 督办 (Escalation) raises an assignment to a level
of its session's ladder, by a rule on the deadline or by the supervisor with a reason.

Every 催办 is recorded (who, when, how); the unit is e-mailed once per deadline: the
ledger row is unique on (assignment, due date), so pressing 催办 again, or two supervisors
pressing it at once, never sends a second e-mail for the same deadline.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from proposals import access
from proposals.i18n import stored_text
from proposals.limits import REASON, clip, length_constraint
from proposals.models import Assignment, Event, EventVerb, Proposal, Session, TransitionError, choice_constraint
from replies.models import Reply

from .scheme import validate_rules


class UrgeMethod(models.TextChoices):
    SYSTEM = "system", _("系统消息")
    PHONE = "phone", _("电话")
    LETTER = "letter", _("函件")


class Urge(models.Model):
    """One 催办 of one assignment."""

    assignment = models.ForeignKey(Assignment, verbose_name=_("交办"), on_delete=models.CASCADE, related_name="urges")
    method = models.CharField(_("催办方式"), max_length=16, choices=UrgeMethod)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    due_on = models.DateField(_("催办时的办理期限"))
    urged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("催办人"), on_delete=models.PROTECT, related_name="+"
    )
    urged_at = models.DateTimeField(_("催办时间"), default=timezone.now)

    class Meta:
        verbose_name = _("催办记录")
        verbose_name_plural = _("催办记录")
        ordering = ["-urged_at", "-pk"]
        constraints = [choice_constraint("method", UrgeMethod)]
        indexes = [models.Index(fields=["assignment", "urged_at"])]

    def __str__(self):
        return f"{self.assignment} · {self.get_method_display()} · {self.urged_at:%Y-%m-%d}"


class ReminderEmail(models.Model):
    """The ledger: one reminder e-mail per assignment and deadline."""

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("交办"), on_delete=models.CASCADE, related_name="reminder_emails"
    )
    due_on = models.DateField(_("办理期限"))
    recipients = models.CharField(_("收件人"), max_length=500)
    urge = models.ForeignKey(Urge, verbose_name=_("催办记录"), on_delete=models.SET_NULL, null=True, related_name="+")
    sent_at = models.DateTimeField(_("发送时间"), default=timezone.now)

    class Meta:
        verbose_name = _("催办邮件")
        verbose_name_plural = _("催办邮件")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "due_on"], name="%(app_label)s_%(class)s_once_per_deadline")
        ]

    def __str__(self):
        return f"{self.assignment} · {self.due_on}"


# --- graded 督办 -------------------------------------------------------------------------------


class EscalationLevel(models.Model):
    """One grade of 督办 in a session's ladder, lowest first: 提醒 → 催办 → 督办通知 → 重点督办.

    Reference data of the session: the supervisor edits the ladder in the app (会次的督办设置), an
    office or supervisor may correct it in the admin. A level that needs a named leader
    (重点督办) is only ever recorded with one: the level's own `leader` when a rule raises it, the
    one the supervisor names (or else the level's) when raised by hand.
    """

    session = models.ForeignKey(
        Session, verbose_name=_("会次"), on_delete=models.CASCADE, related_name="escalation_levels"
    )
    rank = models.PositiveSmallIntegerField(_("级别"), help_text=_("1 为最低，数字越大督办越重"))
    name = models.CharField(_("名称"), max_length=20, help_text=_("如：提醒、催办、督办通知、重点督办"))
    needs_leader = models.BooleanField(_("须由领导督办"), default=False, help_text=_("督办时须写明督办领导"))
    leader = models.CharField(
        _("督办领导"), max_length=60, blank=True, help_text=_("按规则自动督办到此级别时署名的领导")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("督办级别")
        verbose_name_plural = _("督办级别")
        ordering = ["session", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["session", "rank"], name="%(app_label)s_%(class)s_unique_rank"),
            models.UniqueConstraint(fields=["session", "name"], name="%(app_label)s_%(class)s_unique_name"),
            models.CheckConstraint(condition=Q(rank__gte=1), name="%(app_label)s_%(class)s_rank_positive"),
        ]

    def __str__(self):
        return f"{self.rank} {self.name}"

    def clean(self):
        if self.needs_leader and not self.leader.strip():
            raise ValidationError({"leader": _("须由领导督办的级别须写明督办领导。")})


class Notify(models.TextChoices):
    """Who hears of an automatic 督办, beyond the timeline everyone who may see the proposal reads."""

    UNIT = "unit", _("承办单位")
    UNIT_OFFICE = "unit_office", _("承办单位及代表室/提案委")
    UNIT_OFFICE_SUPERVISOR = "all", _("承办单位、代表室/提案委及督查室")


class EscalationRule(models.Model):
    """When the 督办 of an open assignment rises by itself: `offset_days` from the deadline in force
    (negative: that many days before it, 0: on the day, positive: that many days overdue) → `level`.

    The `escalate` command (daily, by cron or the task worker) records for each open assignment the
    highest level whose day has come, once per deadline: an extension starts the ladder again.
    """

    session = models.ForeignKey(
        Session, verbose_name=_("会次"), on_delete=models.CASCADE, related_name="escalation_rules"
    )
    offset_days = models.SmallIntegerField(
        _("相对期限天数"), help_text=_("负数为期限前若干天，0 为到期当日，正数为超期若干天")
    )
    level = models.ForeignKey(
        EscalationLevel, verbose_name=_("督办级别"), on_delete=models.PROTECT, related_name="rules"
    )
    notify = models.CharField(_("通知对象"), max_length=16, choices=Notify, default=Notify.UNIT)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("督办规则")
        verbose_name_plural = _("督办规则")
        ordering = ["session", "offset_days"]
        constraints = [
            choice_constraint("notify", Notify),
            models.UniqueConstraint(fields=["session", "offset_days"], name="%(app_label)s_%(class)s_unique_day"),
            models.CheckConstraint(
                condition=Q(offset_days__gte=-365, offset_days__lte=365),
                name="%(app_label)s_%(class)s_offset_bounded",
            ),
        ]

    def __str__(self):
        return f"{self.day_label} → {self.level.name}"

    def clean(self):
        if self.level_id and self.session_id and self.level.session_id != self.session_id:
            raise ValidationError({"level": _("督办级别须属于同一会次。")})

    @property
    def day_label(self):
        if self.offset_days < 0:
            return _("期限前%(n)s天") % {"n": -self.offset_days}
        if self.offset_days == 0:
            return _("到期当日")
        return _("超期%(n)s天") % {"n": self.offset_days}


class EscalationQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(assignment__in=Assignment.objects.visible_to(user))


class Escalation(models.Model):
    """One 督办 of one assignment at one level: a row for every 督办 the unit received.

    For counting (unit scoring, reports): `Escalation.objects.filter(assignment__unit=unit)` are
    the 督办 a unit received, each once, with `level.rank` / `level.name` as the grade and
    `assignment.role` telling 主办 from 会办. `rule` is set and `by` is empty when the daily run
    raised it (automatic, once per rule and deadline); `by` is the supervisor and `reason` says
    why when it was raised by hand. `due_on` is the deadline in force when it was raised.
    Written only by `supervision.services.escalate`, which also puts it on the proposal's
    timeline and notifies once; never changed afterwards.
    """

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("交办"), on_delete=models.CASCADE, related_name="escalations"
    )
    level = models.ForeignKey(
        EscalationLevel, verbose_name=_("督办级别"), on_delete=models.PROTECT, related_name="escalations"
    )
    rule = models.ForeignKey(
        EscalationRule,
        verbose_name=_("自动督办规则"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="escalations",
    )
    due_on = models.DateField(_("督办时的办理期限"))
    reason = models.TextField(_("督办事由"), max_length=REASON, blank=True)
    leader = models.CharField(_("督办领导"), max_length=60, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("督办人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("空为系统按规则自动督办"),
    )
    at = models.DateTimeField(_("督办时间"), default=timezone.now)

    objects = EscalationQuerySet.as_manager()

    class Meta:
        verbose_name = _("督办记录")
        verbose_name_plural = _("督办记录")
        ordering = ["-at", "-pk"]
        constraints = [
            # The daily run raises each rule once per deadline, however often it runs.
            models.UniqueConstraint(
                fields=["assignment", "rule", "due_on"],
                condition=Q(rule__isnull=False),
                name="%(app_label)s_%(class)s_rule_once_per_deadline",
            ),
            # Raised by a rule or by a person who says why.
            models.CheckConstraint(
                condition=Q(rule__isnull=False) | (Q(by__isnull=False) & ~Q(reason="")),
                name="%(app_label)s_%(class)s_manual_has_reason",
            ),
            length_constraint("reason", REASON),
        ]
        indexes = [models.Index(fields=["assignment", "due_on"])]

    def __str__(self):
        return f"{self.assignment} · {self.level.name} · {self.at:%Y-%m-%d}"

    @property
    def is_automatic(self):
        return self.by_id is None

    @property
    def number(self):
        """The 通知单's number: the year it was raised and the record's own serial."""
        return f"督〔{timezone.localtime(self.at).year}〕{self.pk}号"


# --- 重点督办 topics ----------------------------------------------------------------------------


class KeyTopicQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The 督查室 sees every topic, an office the topics of its body's sessions; nobody else any."""
        scope = access.scope_of(user)
        if scope.everything:
            return self
        return self.filter(session__body__in=scope.bodies)


class KeyTopic(models.Model):
    """A 重点督办 topic: several proposals of one session followed together under a lead leader,
    with their own progress page. The 督查室 opens it and chooses its proposals; each proposal's
    timeline says when it joined or left."""

    session = models.ForeignKey(Session, verbose_name=_("会次"), on_delete=models.PROTECT, related_name="key_topics")
    title = models.CharField(_("专题名称"), max_length=100)
    leader = models.CharField(_("牵头领导"), max_length=60, help_text=_("如：市政府副市长 李明"))
    description = models.TextField(_("督办要求"), max_length=REASON, blank=True)
    proposals = models.ManyToManyField(Proposal, verbose_name=_("建议提案"), related_name="key_topics", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("设立人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("设立时间"), default=timezone.now)

    objects = KeyTopicQuerySet.as_manager()

    class Meta:
        verbose_name = _("重点督办专题")
        verbose_name_plural = _("重点督办专题")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "title"], name="%(app_label)s_%(class)s_unique_title"),
            length_constraint("description", REASON),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("supervision:topic", args=[self.pk])

    def set_proposals(self, proposals, *, by):
        """Make `proposals` (of the topic's session) the topic's; each one that joins or leaves gets a
        line on its timeline."""
        wanted = {p.pk: p for p in proposals}
        if any(p.session_id != self.session_id for p in wanted.values()):
            raise ValueError("A topic's proposals belong to its session.")
        with transaction.atomic():
            current = {p.pk: p for p in self.proposals.all()}
            joined = [p for pk, p in wanted.items() if pk not in current]
            left = [p for pk, p in current.items() if pk not in wanted]
            self.proposals.add(*joined)
            self.proposals.remove(*left)
            with stored_text():
                joined_note = f"列入重点督办专题《{self.title}》，牵头领导：{self.leader}"
                left_note = f"移出重点督办专题《{self.title}》"
            for proposal in joined:
                Event.record(proposal=proposal, verb=EventVerb.ESCALATED, actor=by, note=joined_note)
            for proposal in left:
                Event.record(proposal=proposal, verb=EventVerb.ESCALATED, actor=by, note=left_note)
        return joined, left


# --- 面商 ----------------------------------------------------------------------------------------


class MeetingRule(models.Model):
    """The 面商 rule of a session: the unit's first contact with the member comes within
    `first_contact_days` of 交办, face to face (上门走访, 约见, 座谈会) for a key (重点) proposal.
    A session without its own row follows the defaults of the fields. Drives the 见面率."""

    session = models.OneToOneField(
        Session, verbose_name=_("会次"), on_delete=models.CASCADE, related_name="meeting_rule"
    )
    first_contact_days = models.PositiveSmallIntegerField(
        _("首次面商期限（天）"), default=30, help_text=_("自交办之日起")
    )
    face_to_face_for_key = models.BooleanField(_("重点件须当面沟通"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("面商规则")
        verbose_name_plural = _("面商规则")
        constraints = [
            models.CheckConstraint(
                condition=Q(first_contact_days__gte=1, first_contact_days__lte=365),
                name="%(app_label)s_%(class)s_days_bounded",
            )
        ]

    def __str__(self):
        return f"{self.session} · {self.first_contact_days}"

    @classmethod
    def of(cls, session):
        """The session's rule, or the defaults (unsaved) when it has none."""
        try:
            return session.meeting_rule
        except cls.DoesNotExist:
            return cls(session=session)


# --- 承诺事项 -------------------------------------------------------------------------------------


class CommitmentStatus(models.TextChoices):
    OPEN = "open", _("未销号")
    CLOSED = "closed", _("已销号")


COMMITMENT = 500  # what a commitment promises, in one or two sentences


class CommitmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The 督查室 every commitment, an office its body's, a unit those it answers for or made; members none."""
        scope = access.scope_of(user)
        if scope.everything:
            return self
        q = Q(pk__in=[])
        if scope.bodies:
            q |= Q(assignment__proposal__session__body__in=sorted(scope.bodies))
        if scope.unit_ids:
            q |= Q(unit_id__in=sorted(scope.unit_ids)) | Q(assignment__unit_id__in=sorted(scope.unit_ids))
        return self.filter(q)

    def open(self):
        return self.filter(status=CommitmentStatus.OPEN)

    def overdue(self, today=None):
        return self.open().filter(due_on__lt=today or timezone.localdate())

    def record(self, *, reply, by, text, due_on, unit=None, at=None):
        """A reply's commitment (承诺事项): what will be done, by when, by which unit (the answering
        unit by default, or another unit handling the same proposal). Recorded by the answering
        unit or the office, at any stage of the reply; open until the office closes it (销号)."""
        assignment = reply.assignment
        if not access.can_keep_commitment(by, assignment):
            raise TransitionError(_("只有承办单位或代表室/提案委、督查室才能登记承诺事项。"))
        text = (text or "").strip()
        if not text:
            raise TransitionError(_("请填写承诺事项。"))
        unit = unit or assignment.unit
        if not assignment.proposal.assignments.filter(unit=unit).exists():
            raise TransitionError(_("承诺单位须是该件的承办单位。"))
        at = at or timezone.now()
        with transaction.atomic():
            Reply.objects.select_for_update().filter(pk=reply.pk).first()
            commitment = self.model(
                reply=reply,
                assignment=assignment,
                unit=unit,
                text=text,
                due_on=due_on,
                created_by=by,
                created_at=at,
            )
            commitment._history_user = by
            commitment._history_date = at
            commitment.save()
            with stored_text():
                note = f"{unit.short_name or unit.name}：{text}（{due_on:%Y-%m-%d}前）"
            Event.record(
                proposal=assignment.proposal,
                assignment=assignment,
                verb=EventVerb.COMMITMENT_MADE,
                actor=by,
                note=note,
                at=at,
            )
        return commitment


class Commitment(models.Model):
    """One promise a reply makes (“列入计划”, “正在解决”): what, by when, which unit.

    Open commitments carry across sessions and years until the office or the 督查室 closes them
    (销号); a closed one may be reopened with a reason. The unit reports progress in between.
    Each change is one method below, with its history row and a line on the proposal's timeline.
    """

    reply = models.ForeignKey(
        "replies.Reply", verbose_name=_("答复函"), on_delete=models.PROTECT, related_name="commitments"
    )
    # The reply's assignment, kept on the row so lists filter by session and scope without a join
    # through the reply.
    assignment = models.ForeignKey(
        Assignment, verbose_name=_("交办"), on_delete=models.PROTECT, related_name="commitments"
    )
    unit = models.ForeignKey(
        "proposals.HandlingUnit", verbose_name=_("承诺单位"), on_delete=models.PROTECT, related_name="commitments"
    )
    text = models.TextField(_("承诺事项"), max_length=COMMITMENT)
    due_on = models.DateField(_("承诺完成时限"))
    status = models.CharField(_("状态"), max_length=16, choices=CommitmentStatus, default=CommitmentStatus.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("销号人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    close_note = models.TextField(_("销号说明"), max_length=REASON, blank=True)

    objects = CommitmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("承诺事项")
        verbose_name_plural = _("承诺事项")
        ordering = ["due_on", "pk"]
        constraints = [
            choice_constraint("status", CommitmentStatus),
            length_constraint("text", COMMITMENT),
            length_constraint("close_note", REASON),
            models.CheckConstraint(
                condition=Q(status=CommitmentStatus.OPEN, closed_on__isnull=True)
                | Q(status=CommitmentStatus.CLOSED, closed_on__isnull=False),
                name="%(app_label)s_%(class)s_closed_has_date",
            ),
        ]
        indexes = [
            # The list of open commitments by deadline, and the 兑现率 by unit.
            models.Index(fields=["status", "due_on"], name="commitment_status_due_idx"),
            models.Index(fields=["unit", "status", "due_on"], name="commitment_unit_idx"),
        ]

    def __str__(self):
        return self.text[:40]

    def get_absolute_url(self):
        return reverse("supervision:commitment", args=[self.pk])

    @property
    def is_open(self):
        return self.status == CommitmentStatus.OPEN

    def is_overdue(self, today=None):
        return self.is_open and self.due_on < (today or timezone.localdate())

    def _save(self, *, by, at, fields):
        self._history_user = by
        self._history_date = at
        self.save(update_fields=fields)

    def _event(self, *, verb, by, note, at):
        a = self.assignment
        Event.record(proposal=a.proposal, assignment=a, verb=verb, actor=by, note=note, at=at)

    def report_progress(self, *, by, note, at=None):
        """The unit says how far it got (进展); the commitment stays open."""
        if not access.can_report_commitment(by, self):
            raise TransitionError(_("只有承诺单位才能报告进展。"))
        note = (note or "").strip()
        if not note:
            raise TransitionError(_("请填写进展情况。"))
        at = at or timezone.now()
        with transaction.atomic():
            current = Commitment.objects.select_for_update().get(pk=self.pk)
            if not current.is_open:
                raise TransitionError(_("该承诺事项已销号，不能再报告进展。"))
            progress = CommitmentProgress.objects.create(commitment=self, note=note, reported_by=by, reported_at=at)
            self._event(verb=EventVerb.COMMITMENT_PROGRESS, by=by, note=f"{self.text[:60]}：{note}", at=at)
        return progress

    def close(self, *, by, note="", at=None):
        """销号: the office or the 督查室 finds the promise kept."""
        if not access.can_close_commitment(by, self.assignment):
            raise TransitionError(_("只有代表室/提案委或督查室才能销号。"))
        at = at or timezone.now()
        with transaction.atomic():
            current = Commitment.objects.select_for_update().get(pk=self.pk)
            if not current.is_open:
                raise TransitionError(_("该承诺事项已销号。"))
            self.status = CommitmentStatus.CLOSED
            self.closed_by = by
            self.closed_on = timezone.localdate(at)
            self.close_note = clip((note or "").strip())
            self._save(by=by, at=at, fields=["status", "closed_by", "closed_on", "close_note"])
            self._event(verb=EventVerb.COMMITMENT_CLOSED, by=by, note=f"{self.text[:60]}　{self.close_note}", at=at)

    def reopen(self, *, by, reason, due_on=None, at=None):
        """The office or the 督查室 finds the promise not kept after all: open again, with why
        (and a new time limit, if one is agreed)."""
        if not access.can_close_commitment(by, self.assignment):
            raise TransitionError(_("只有代表室/提案委或督查室才能重新打开承诺事项。"))
        reason = (reason or "").strip()
        if not reason:
            raise TransitionError(_("请填写重新打开的理由。"))
        at = at or timezone.now()
        with transaction.atomic():
            current = Commitment.objects.select_for_update().get(pk=self.pk)
            if current.is_open:
                raise TransitionError(_("该承诺事项尚未销号。"))
            self.status = CommitmentStatus.OPEN
            self.closed_by = None
            self.closed_on = None
            self.close_note = ""
            fields = ["status", "closed_by", "closed_on", "close_note"]
            if due_on is not None:
                self.due_on = due_on
                fields.append("due_on")
            self._save(by=by, at=at, fields=fields)
            with stored_text():
                note = f"{self.text[:60]}：{reason}" + (f"（新时限 {due_on:%Y-%m-%d}）" if due_on else "")
            self._event(verb=EventVerb.COMMITMENT_REOPENED, by=by, note=note, at=at)


class CommitmentProgress(models.Model):
    """One progress report of a commitment by its unit."""

    commitment = models.ForeignKey(
        Commitment, verbose_name=_("承诺事项"), on_delete=models.CASCADE, related_name="progress"
    )
    note = models.TextField(_("进展情况"), max_length=REASON)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("报告人"), on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(_("报告时间"), default=timezone.now)

    class Meta:
        verbose_name = _("承诺进展")
        verbose_name_plural = _("承诺进展")
        ordering = ["reported_at", "pk"]
        constraints = [length_constraint("note", REASON)]

    def __str__(self):
        return f"{self.commitment} · {self.reported_at:%Y-%m-%d}"


# --- 承办单位考评 ---------------------------------------------------------------------------------


class ScoringScheme(models.Model):
    """A year's scoring scheme (考评办法) of the handling units: the points and deductions of each
    item, for 主办 and 会办 (supervision.scoring reads them; DEFAULT_RULES when a year has none).

    Reference data: the 督查室 corrects it in the admin, where it is checked before it is saved.
    """

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    name = models.CharField(_("名称"), max_length=100, help_text=_("如：2026年度建议提案承办单位考评办法"))
    rules = models.JSONField(_("考评规则"), help_text=_("每组（lead 主办、co 会办）各项的分值与扣分，见页面说明"))
    note = models.TextField(_("说明"), max_length=REASON, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("考评办法")
        verbose_name_plural = _("考评办法")
        ordering = ["-year"]
        constraints = [length_constraint("note", REASON)]

    def __str__(self):
        return f"{self.year} {self.name}"

    def clean(self):
        if problems := validate_rules(self.rules):
            raise ValidationError({"rules": problems})


# The tally's "none" values: its grain is a unique key, and NULLs are never equal in one.
TALLY_NOT_OPEN = "9999-12-31"
TALLY_NO_DAYS = 9999


class Tally(models.Model):
    """How many assignments share the same facts (session, unit, role, months, open deadline),
    with their figures added up: the dashboard, the unit scores and the annual report count from
    these few rows instead of every assignment. Kept by database triggers (supervision/tally.py),
    never by the app. Returned assignments are not counted."""

    session = models.ForeignKey(
        Session, verbose_name=_("会次"), on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    kind = models.CharField(_("类型"), max_length=16)
    unit = models.ForeignKey(
        "proposals.HandlingUnit",
        verbose_name=_("承办单位"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    role = models.CharField(_("办理方式"), max_length=16)
    due_month = models.CharField(_("首轮期限月份"), max_length=7)  # "YYYY-MM", "" without a deadline
    open_due_on = models.DateField(_("未办结件的办理期限"))  # TALLY_NOT_OPEN once replied or closed
    reply_month = models.CharField(_("首次答复月份"), max_length=7)  # "" before the first issued reply
    n = models.IntegerField(_("件数"))
    signed = models.IntegerField(_("签收"))
    replies = models.IntegerField(_("已答复"))
    replies_on_time = models.IntegerField(_("按期答复"))
    replies_late = models.IntegerField(_("逾期答复"))
    opinions = models.IntegerField(_("已提交会办意见"))
    opinions_on_time = models.IntegerField(_("按期提交会办意见"))
    contacted = models.IntegerField(_("已沟通"))
    returned = models.IntegerField(_("收到反馈"))
    forms = models.IntegerField(_("意见表份数"))
    satisfied = models.IntegerField(_("满意"))
    basically = models.IntegerField(_("基本满意"))
    dissatisfied = models.IntegerField(_("不满意"))
    silent = models.IntegerField(_("未表态"))
    class_a = models.IntegerField("A")
    class_b = models.IntegerField("B")
    class_c = models.IntegerField("C")
    class_d = models.IntegerField("D")

    class Meta:
        verbose_name = _("统计汇总")
        verbose_name_plural = _("统计汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "unit", "role", "kind", "due_month", "open_due_on", "reply_month"],
                name="%(app_label)s_%(class)s_grain",
            )
        ]

    def __str__(self):
        return f"{self.session_id}/{self.unit_id}/{self.role}: {self.n}"


class MeetingTally(models.Model):
    """How many answering (主办/分办) assignments share a session, unit, key flag, 交办 date and
    days from it to their first contact and first face-to-face contact: the 见面率 counts from
    these rows. Kept by database triggers (supervision/tally.py), never by the app. Returned
    assignments are not counted."""

    session = models.ForeignKey(
        Session, verbose_name=_("会次"), on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    kind = models.CharField(_("类型"), max_length=16)
    unit = models.ForeignKey(
        "proposals.HandlingUnit",
        verbose_name=_("承办单位"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    role = models.CharField(_("办理方式"), max_length=16)
    is_key = models.BooleanField(_("重点"))
    assigned_on = models.DateField(_("交办日期"))
    contact_days = models.IntegerField(_("首次沟通天数"))  # from 交办; TALLY_NO_DAYS without one
    meeting_days = models.IntegerField(_("首次当面沟通天数"))
    n = models.IntegerField(_("件数"))

    class Meta:
        verbose_name = _("见面率汇总")
        verbose_name_plural = _("见面率汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "unit", "role", "kind", "is_key", "assigned_on", "contact_days", "meeting_days"],
                name="%(app_label)s_%(class)s_grain",
            )
        ]

    def __str__(self):
        return f"{self.session_id}/{self.unit_id}/{self.assigned_on}: {self.n}"
