"""What a handling unit does with an assignment: talk with the member, and answer in writing."""

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from proposals import access
from proposals.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Event,
    Proposal,
    ProposalKind,
    ProposalStatus,
    choice_constraint,
)


class ContactMethod(models.TextChoices):
    """How the unit talked with the member; the same list appears on the feedback form."""

    VISIT = "visit", _("上门走访")
    MEETING = "meeting", _("约见")
    PHONE = "phone", _("电话联系")
    LETTER = "letter", _("信函")
    FORUM = "forum", _("座谈会")
    OTHER = "other", _("其他")


class ResultClass(models.TextChoices):
    """The result class printed at the top right of a reply (A/B/C/D)."""

    A = "A", _("A 已经解决或基本解决")
    B = "B", _("B 正在解决或列入计划")
    C = "C", _("C 因条件限制暂不能解决")
    D = "D", _("D 留作参考")


class Publication(models.TextChoices):
    PUBLIC = "public", _("主动公开")
    ON_REQUEST = "on_request", _("依申请公开")
    PRIVATE = "private", _("不予公开")


class ReplyStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    AWAITING_SIGNOFF = "awaiting_signoff", _("待签发")
    IN_REVIEW = "in_review", _("待审核")
    ISSUED = "issued", _("已发出")


class TransitionError(Exception):
    """A workflow step that the reply's current state does not allow (e.g. signing a draft twice)."""


class ContactRecordQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(assignment__in=Assignment.objects.visible_to(user))


class ContactRecord(models.Model):
    """One conversation between the unit and the member (沟通); drives the contact rate."""

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("交办"), on_delete=models.CASCADE, related_name="contacts"
    )
    contacted_on = models.DateField(_("沟通日期"))
    method = models.CharField(_("沟通方式"), max_length=16, choices=ContactMethod.choices)
    participants = models.CharField(_("参加人员"), max_length=300, blank=True)
    summary = models.TextField(_("沟通情况"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    objects = ContactRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("沟通记录")
        verbose_name_plural = _("沟通记录")
        ordering = ["contacted_on", "pk"]
        constraints = [choice_constraint("method", ContactMethod)]

    def __str__(self):
        return f"{self.contacted_on} {self.get_method_display()}"


class ReplyQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see replies in their scope; a member sees only what was issued to them."""
        scope = access.scope_of(user)
        if scope.everything:
            return self  # (no subquery over every assignment)
        visible = self.filter(assignment__in=Assignment.objects.visible_to(user))
        if scope.is_staff_role:
            return visible
        return visible.filter(status=ReplyStatus.ISSUED)

    def issued(self):
        return self.filter(status=ReplyStatus.ISSUED)


class Reply(models.Model):
    """The formal reply letter (答复函) of the lead or a separate unit, one per round.

    Round 1 is the first answer; round 2 and later follow a member's dissatisfaction (重办).
    An issued reply is never edited: a change is a new round.
    """

    assignment = models.ForeignKey(Assignment, verbose_name=_("交办"), on_delete=models.PROTECT, related_name="replies")
    round = models.PositiveSmallIntegerField(_("轮次"), default=1)
    doc_number = models.CharField(_("文号"), max_length=60, blank=True, help_text=_("如：黄经信函〔2021〕45号"))
    title = models.CharField(_("标题"), max_length=200)
    addressees = models.CharField(_("主送"), max_length=300, help_text=_("如：程玮、王秋红委员"))
    body = models.TextField(_("正文"), help_text=_("每段一行；标题行如“一、支持企业转型”"))
    result_class = models.CharField(_("答复类别"), max_length=1, choices=ResultClass.choices, blank=True)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签发人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    written_on = models.DateField(_("成文日期"), null=True, blank=True)
    closing_name = models.CharField(_("落款"), max_length=100, blank=True, help_text=_("留空则用承办单位全称"))
    contact_person = models.CharField(_("联系人"), max_length=40, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    cc = models.CharField(_("抄送"), max_length=300, blank=True)
    publication = models.CharField(
        _("公开属性"), max_length=16, choices=Publication.choices, default=Publication.PUBLIC
    )
    index_number = models.CharField(_("索引号"), max_length=60, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=ReplyStatus.choices, default=ReplyStatus.DRAFT)
    issued_at = models.DateTimeField(_("发出时间"), null=True, blank=True)
    sealed_scan = models.FileField(_("盖章扫描件"), upload_to="replies/scans/", blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    # Optimistic lock: every save through the workspace bumps it, and a form that was
    # opened on an older version is refused with a conflict page instead of overwriting.
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = ReplyQuerySet.as_manager()
    # Field-level history (who changed the class, the body, …), shown on the proposal page.
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("答复函")
        verbose_name_plural = _("答复函")
        ordering = ["assignment", "round"]
        constraints = [
            choice_constraint("result_class", ResultClass, allow_blank=True),
            choice_constraint("publication", Publication),
            choice_constraint("status", ReplyStatus),
            models.UniqueConstraint(fields=["assignment", "round"], name="%(app_label)s_%(class)s_unique_round"),
            models.CheckConstraint(condition=Q(round__gte=1), name="%(app_label)s_%(class)s_round_positive"),
            # What goes out must be complete: class, date and a sent time.
            models.CheckConstraint(
                condition=~Q(status=ReplyStatus.ISSUED)
                | (Q(issued_at__isnull=False, written_on__isnull=False) & ~Q(result_class="")),
                name="%(app_label)s_%(class)s_issued_is_complete",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return self.assignment.get_absolute_url()

    @property
    def closing(self):
        return self.closing_name or self.assignment.unit.name

    @property
    def paragraphs(self):
        return [line.strip() for line in self.body.splitlines() if line.strip()]

    @property
    def is_issued(self):
        return self.status == ReplyStatus.ISSUED

    @property
    def is_draft(self):
        return self.status == ReplyStatus.DRAFT

    # --- the workflow: draft → 待签发 → [待审核] → issued ----------------------------------

    def _require(self, *statuses):
        if self.status not in statuses:
            raise TransitionError(self.get_status_display())

    def _move(self, *, status, assignment_status, by, verb, note="", **fields):
        """Change state, mirror it on the assignment and write one timeline line."""
        self.status = status
        for name, value in fields.items():
            setattr(self, name, value)
        self.version += 1
        self._history_user = by
        self.save()
        assignment = self.assignment
        assignment.status = assignment_status
        assignment.save(update_fields=["status"])
        Event.record(proposal=assignment.proposal, assignment=assignment, verb=verb, actor=by, note=note)

    def submit(self, *, by):
        """The clerk hands the draft to the unit's signer (送签)."""
        self._require(ReplyStatus.DRAFT)
        self._move(
            status=ReplyStatus.AWAITING_SIGNOFF,
            assignment_status=AssignmentStatus.AWAITING_SIGNOFF,
            by=by,
            verb="提交签发",
            note=f"第{self.round}轮答复",
        )

    def send_back(self, *, by, note):
        """The signer or the reviewing supervisor returns the draft to the clerk with a note."""
        self._require(ReplyStatus.AWAITING_SIGNOFF, ReplyStatus.IN_REVIEW)
        self._move(
            status=ReplyStatus.DRAFT,
            assignment_status=AssignmentStatus.REDO if self.round > 1 else AssignmentStatus.HANDLING,
            by=by,
            verb="退回修改",
            note=note,
        )

    def sign_off(self, *, by, review):
        """签发 by a signer of the unit; then either the supervisor reviews it or it goes out."""
        self._require(ReplyStatus.AWAITING_SIGNOFF)
        self.signer = by
        if review:
            self._move(
                status=ReplyStatus.IN_REVIEW,
                assignment_status=AssignmentStatus.IN_REVIEW,
                by=by,
                verb="签发",
                note="送督查室审核",
            )
        else:
            Event.record(proposal=self.assignment.proposal, assignment=self.assignment, verb="签发", actor=by)
            self.issue(by=by)

    def review(self, *, by, result_class):
        """The supervisor approves a signed reply, possibly changing its class (kept in history)."""
        self._require(ReplyStatus.IN_REVIEW)
        note = ""
        if result_class and result_class != self.result_class:
            note = f"答复类别由 {self.result_class} 改为 {result_class}"
            self.result_class = result_class
        Event.record(
            proposal=self.assignment.proposal, assignment=self.assignment, verb="审核通过", actor=by, note=note
        )
        self.issue(by=by)

    def issue(self, *, by, today=None):
        """Send the reply to the members: read-only from now on; the feedback app hears of it."""
        from .signals import reply_issued

        self._require(ReplyStatus.AWAITING_SIGNOFF, ReplyStatus.IN_REVIEW)
        today = today or timezone.localdate()
        with transaction.atomic():
            self._move(
                status=ReplyStatus.ISSUED,
                assignment_status=AssignmentStatus.REPLIED,
                by=by,
                verb="答复",
                note=self.title,
                issued_at=timezone.now(),
                written_on=self.written_on or today,
            )
            proposal = self.assignment.proposal
            answering = proposal.assignments.filter(role__in=[AssignmentRole.LEAD, AssignmentRole.SEPARATE]).exclude(
                status=AssignmentStatus.RETURNED
            )
            if not answering.exclude(status__in=[AssignmentStatus.REPLIED, AssignmentStatus.CLOSED]).exists():
                Proposal.objects.filter(pk=proposal.pk).update(status=ProposalStatus.REPLIED)
            transaction.on_commit(lambda: reply_issued.send(sender=Reply, reply=self, by=by))

    @staticmethod
    def title_for(proposal):
        """“关于对《…》提案的答复”, the title every reply letter carries."""
        title = proposal.title.removesuffix("的建议").removesuffix("的提案")
        kind = "建议" if proposal.kind == ProposalKind.SUGGESTION else "提案"
        return f"关于对《{title}》{kind}的答复"

    @classmethod
    def next_doc_number(cls, unit, year):
        """The unit's 文号 prefix with the next sequence of the year: 黄经信函〔2026〕3号."""
        if not unit.doc_prefix:
            return ""
        stem = f"{unit.doc_prefix}〔{year}〕"
        taken = cls.objects.filter(assignment__unit=unit, doc_number__startswith=stem).count()
        return f"{stem}{taken + 1}号"

    @classmethod
    def frame_for(cls, assignment, *, round, today=None):
        """An unsaved draft with the letter frame filled in from the proposal and the unit."""
        today = today or timezone.localdate()
        proposal, unit = assignment.proposal, assignment.unit
        return cls(
            assignment=assignment,
            round=round,
            doc_number=cls.next_doc_number(unit, today.year),
            title=cls.title_for(proposal),
            addressees=proposal.addressee_line(),
            closing_name=unit.name,
            written_on=today,
            contact_person=unit.contact_person,
            contact_phone=unit.contact_phone,
        )


class CoHandlingOpinion(models.Model):
    """A co-handling unit's opinion (会办意见) to the lead unit: input to the reply, not a reply."""

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("会办交办"), on_delete=models.CASCADE, related_name="co_opinions"
    )
    body = models.TextField(_("会办意见"))
    contact_person = models.CharField(_("联系人"), max_length=40, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提交人"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)

    class Meta:
        verbose_name = _("会办意见")
        verbose_name_plural = _("会办意见")
        ordering = ["submitted_at"]

    def __str__(self):
        return f"{self.assignment.unit} 会办意见"
