"""What a handling unit does with an assignment: talk with the member, and answer in writing."""

from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from proposals import access
from proposals.i18n import stored_text
from proposals.limits import LETTER, PARAGRAPH, SUMMARY, length_constraint
from proposals.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Deadline,
    Event,
    EventVerb,
    HandlingUnit,
    Proposal,
    ProposalKind,
    ProposalStatus,
    Role,
    RoleKind,
    TransitionError,
    choice_constraint,
)
from proposals.prepared import Param, Prepared

from . import elements, notices
from .body import paragraphs_of
from .signals import reply_issued

__all__ = ["TransitionError"]


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


class StaleDraft(TransitionError):
    """The draft was saved by someone else since this form was opened: both texts must be seen."""

    def __init__(self, current):
        super().__init__()
        self.current = current


ANSWERING_ROLES = (AssignmentRole.LEAD, AssignmentRole.SEPARATE)
# The steps that hand a draft back to its clerk to change (Reply.handed_back_at).
HANDED_BACK = (EventVerb.SENT_BACK, EventVerb.ELEMENTS_MISSING)


def may_log_contact(assignment):
    """Contacts are logged once the unit has signed for the assignment, and not after it was returned."""
    return assignment.status not in (AssignmentStatus.PENDING, AssignmentStatus.RETURNED)


def may_give_opinion(assignment):
    """A co-handling unit gives its opinion once, after signing for the assignment."""
    return assignment.role == AssignmentRole.CO and assignment.status == AssignmentStatus.HANDLING


def contact_date_problem(assignment, day, today=None):
    """Why a contact cannot be dated `day` (before 交办, or in the future); None when it can."""
    today = today or timezone.localdate()
    if day > today:
        return _("沟通日期不能晚于今天。")
    if day < assignment.assigned_on:
        return _("沟通日期不能早于交办日期（%(day)s）。") % {"day": f"{assignment.assigned_on:%Y-%m-%d}"}
    return None


@contextmanager
def history_dated(instance, at):
    """The history row a save writes carries `at` when one is given (a step recorded after the
    fact), then the instance's later saves are dated as they happen again."""
    if at is not None:
        instance._history_date = at
    try:
        yield
    finally:
        instance.__dict__.pop("_history_date", None)


def _lock_drafter(user, unit):
    """The drafter's account and roles in the unit, locked and still there: a hand-over of their work
    (accounts.services) in the same instant would otherwise miss the draft being started."""
    if not get_user_model().objects.select_for_update(no_key=True).filter(pk=user.pk, is_active=True).exists():
        raise TransitionError(_("该账号已停用。"))
    roles = Role.objects.select_for_update(no_key=True).filter(
        user=user, unit=unit, kind__in=[RoleKind.CLERK, RoleKind.SIGNER]
    )
    if not list(roles):
        raise TransitionError(_("此人不在%(unit)s。") % {"unit": unit})


def next_round(assignment, replies=None):
    """The round a new draft of this assignment would be, or None when none may be started now.

    A lead or separate unit writes round 1 once it has signed for the assignment, and round N+1
    after round N was issued and the member's dissatisfaction reopened it (重办).
    """
    if assignment.role not in ANSWERING_ROLES:
        return None
    if assignment.status not in (AssignmentStatus.HANDLING, AssignmentStatus.REDO):
        return None
    replies = list(assignment.replies.order_by("round")) if replies is None else replies
    if not replies:
        return 1
    last = replies[-1]
    if last.is_issued and assignment.status == AssignmentStatus.REDO:
        return last.round + 1
    return None


class ContactRecordQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(assignment__in=Assignment.objects.visible_to(user))

    def log(self, *, assignment, by, contacted_on, method, summary, participants="", at=None):
        """沟通: the unit records a conversation with the member, once it has signed for the assignment
        (recorded `at`, now by default).

        Refused for a day before 交办 or after today (see `contact_date_problem`).
        """
        with transaction.atomic():
            current = assignment.locked()
            if not may_log_contact(current):
                raise TransitionError(_("签收后才能登记沟通情况。"))
            if problem := contact_date_problem(current, contacted_on):
                raise TransitionError(problem)
            contact = self.model(
                assignment=assignment,
                contacted_on=contacted_on,
                method=method,
                summary=summary,
                participants=participants,
                recorded_by=by,
                created_at=at or timezone.now(),
            )
            contact._history_user = by
            with history_dated(contact, at):
                contact.save()
            with stored_text():
                note = f"{contact.contacted_on:%Y-%m-%d} {contact.get_method_display()}"
            Event.record(
                proposal=assignment.proposal,
                assignment=assignment,
                verb=EventVerb.CONTACTED,
                actor=by,
                note=note,
                at=contact.created_at,
            )
        return contact


class ContactRecord(models.Model):
    """One conversation between the unit and the member (沟通); drives the contact rate."""

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("交办"), on_delete=models.CASCADE, related_name="contacts"
    )
    contacted_on = models.DateField(_("沟通日期"))
    method = models.CharField(_("沟通方式"), max_length=16, choices=ContactMethod)
    participants = models.CharField(_("参加人员"), max_length=300, blank=True)
    summary = models.TextField(_("沟通情况"), max_length=SUMMARY)
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
    # Every version of the record (who changed the date, the method, the summary, and when).
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("沟通记录")
        verbose_name_plural = _("沟通记录")
        ordering = ["contacted_on", "pk"]
        constraints = [choice_constraint("method", ContactMethod), length_constraint("summary", SUMMARY)]

    def __str__(self):
        return f"{self.contacted_on} {self.get_method_display()}"

    def is_locked(self):
        """A contact is part of what an issued reply answered once that reply went out: kept as it was."""
        return self.assignment.replies.filter(status=ReplyStatus.ISSUED, issued_at__gte=self.created_at).exists()

    def amend(self, *, by, **fields):
        """Correct a contact record, until the reply it led to is issued; refused for a day before
        交办 or in the future. The history keeps every version; the timeline says who changed what."""
        with transaction.atomic():
            current = ContactRecord.objects.select_for_update().get(pk=self.pk)
            if current.is_locked():
                raise TransitionError(_("答复已发出，此前的沟通记录不能再修改。"))
            if "contacted_on" in fields and (
                problem := contact_date_problem(current.assignment, fields["contacted_on"])
            ):
                raise TransitionError(problem)
            with stored_text():
                before = f"{current.contacted_on:%Y-%m-%d} {current.get_method_display()}"
            for name, value in fields.items():
                setattr(self, name, value)
            self._history_user = by
            self.save(update_fields=list(fields))
            with stored_text():
                note = f"{before} → {self.contacted_on:%Y-%m-%d} {self.get_method_display()}"
            a = self.assignment
            Event.record(proposal=a.proposal, assignment=a, verb=EventVerb.CONTACT_AMENDED, actor=by, note=note)


class ReplyQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see replies in their scope; a member sees only what was issued to them."""
        scope = access.scope_of(user)
        if scope.everything:
            return self  # (no subquery over every assignment)
        visible = Q(assignment__in=Assignment.objects.visible_to(user))
        if scope.unit_ids:
            visible |= self.copied_q(scope.unit_ids)
        visible_rows = self.filter(visible)
        if scope.is_staff_role:
            return visible_rows
        return visible_rows.filter(status=ReplyStatus.ISSUED)

    @staticmethod
    def copied_q(unit_ids):
        """抄送: the issued replies of a proposal reach the units that co-handled it (会办)."""
        co_share = Assignment.objects.filter(
            proposal=OuterRef("assignment__proposal"), unit_id__in=unit_ids, role=AssignmentRole.CO
        )
        return Q(status=ReplyStatus.ISSUED, assignment__role__in=ANSWERING_ROLES) & Q(Exists(co_share))

    def copied_to(self, user):
        """The issued replies the user's units received as co-handling units (抄送), not their own."""
        unit_ids = access.scope_of(user).unit_ids
        if not unit_ids:
            return self.none()
        return self.filter(self.copied_q(unit_ids)).exclude(assignment__unit_id__in=unit_ids)

    def workable_by(self, user):
        """Replies of the user's own units: the ones they draft, sign and send."""
        return self.filter(assignment__unit_id__in=access.scope_of(user).unit_ids)

    def handled_by(self, user):
        """The replies a user sends out and prints: a supervisor every one, an office its body's, a
        unit its own (not the ones it received as a co-handling unit)."""
        scope = access.scope_of(user)
        if scope.everything:
            return self
        return self.filter(
            Q(assignment__proposal__session__body__in=scope.bodies) | Q(assignment__unit_id__in=scope.unit_ids)
        )

    def issued(self):
        return self.filter(status=ReplyStatus.ISSUED)

    def with_round_deadline(self):
        """Each reply with the deadline of its own round (`round_due_on`): round 1 against the
        original deadline and the extensions granted in it, a 重办 round against its own."""
        due = (
            Deadline.objects.filter(assignment=OuterRef("assignment"), round=OuterRef("round"))
            .order_by()
            .values("assignment")
            .annotate(latest=Max("due_on"))
            .values("latest")
        )
        return self.annotate(round_due_on=Subquery(due))

    def start_draft(self, *, assignment, by, at=None, **fields):
        """Start the next round's draft (round 1, or round N+1 after 重办) with the fields the clerk wrote."""
        drafter = fields.setdefault("drafter", by)
        with transaction.atomic():
            if drafter is not None:
                _lock_drafter(drafter, assignment.unit)
            current = assignment.locked()
            round = next_round(current)
            if round is None:
                raise TransitionError(_("当前状态不能起草新的答复。"))
            reply = self.model(assignment=assignment, round=round, status=ReplyStatus.DRAFT, **fields)
            if at is not None:
                reply.created_at = at
            reply._history_user = by
            with history_dated(reply, at):
                reply.save()
            Event.record(
                proposal=assignment.proposal,
                assignment=assignment,
                verb=EventVerb.DRAFTED,
                actor=by,
                note=f"第{round}轮",
                at=at,
            )
        return reply

    def record_imported(self, *, assignment, by, **fields):
        """A historical letter read by the legacy import: kept as the next round's draft for a person to check."""
        last = assignment.replies.aggregate(last=models.Max("round"))["last"] or 0
        reply = self.model(assignment=assignment, round=last + 1, status=ReplyStatus.DRAFT, **fields)
        reply._history_user = by
        reply.save()
        return reply


class Reply(models.Model):
    """The formal reply letter (答复函) of the lead or a separate unit, one per round.

    Round 1 is the first answer; round 2 and later follow a member's dissatisfaction (重办).
    An issued reply is never edited: a change is a new round.
    """

    assignment = models.ForeignKey(Assignment, verbose_name=_("交办"), on_delete=models.PROTECT, related_name="replies")
    round = models.PositiveSmallIntegerField(_("轮次"), default=1)
    # Given at 签发 from the unit's register (DocNumber); a historical letter keeps the one it bears.
    doc_number = models.CharField(_("文号"), max_length=60, blank=True, help_text=_("如：黄经信函〔2021〕45号"))
    title = models.CharField(_("标题"), max_length=200)
    addressees = models.CharField(_("主送"), max_length=300, help_text=_("如：程玮、王秋红委员"))
    body = models.TextField(_("正文"), max_length=LETTER, help_text=_("每段一行；标题行如“一、支持企业转型”"))
    # The body as paragraphs with levels (replies/body.py), what every view, PDF and DOCX prints;
    # `body` keeps its plain-text rendition for search and history.
    body_paragraphs = models.JSONField(_("正文结构"), default=list, blank=True)
    result_class = models.CharField(_("答复类别"), max_length=1, choices=ResultClass, blank=True)
    # 拟稿人: who writes this draft; the reply goes back to them when sent back. Handed to a
    # colleague when they leave the unit (accounts.services).
    drafter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("拟稿人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
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
    publication = models.CharField(_("公开属性"), max_length=16, choices=Publication, default=Publication.PUBLIC)
    # The 索引号 a historical letter bore (legacy import); a reply published here gets its own
    # from the scheme when it is published (Disclosure).
    index_number = models.CharField(_("原索引号"), max_length=60, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=ReplyStatus, default=ReplyStatus.DRAFT)
    issued_at = models.DateTimeField(_("发出时间"), null=True, blank=True)
    sealed_scan = models.FileField(_("盖章扫描件"), upload_to="replies/scans/", blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    # When the signer or the reviewing 督查室 last handed this draft back (退回修改, 答复要件不全);
    # cleared when it is submitted again. The clerk's home lists such drafts first.
    handed_back_at = models.DateTimeField(_("退回时间"), null=True, blank=True, editable=False)
    # Issued, the latest round, and no member has sent its form back yet: what the office chases,
    # since the reply went out. Cleared by the first form submitted on it (feedback.services) or
    # when a later round goes out. Bookkeeping, not the letter: it may change on an issued reply.
    awaiting_form_since = models.DateTimeField(_("待收意见表"), null=True, blank=True, editable=False)
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
            length_constraint("body", LETTER),
        ]
        indexes = [
            # No index leads with the state: SQLite would then answer a search over "the unit's replies
            # or the issued ones copied to it" by reading every issued reply. The drafts handed back
            # are found by their own partial index; replies to sign or review by the assignment's
            # mirrored state.
            models.Index(
                fields=["assignment"], condition=Q(handed_back_at__isnull=False), name="reply_handed_back_idx"
            ),
            # The lead units' recent replies that reach the co-units (抄送), newest first.
            models.Index(fields=["issued_at", "id"], name="reply_issued_idx"),
            models.Index(
                fields=["awaiting_form_since", "id"],
                condition=Q(awaiting_form_since__isnull=False),
                name="reply_awaiting_form_idx",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return f"{self.assignment.get_absolute_url()}#reply-{self.pk}"

    @property
    def closing(self):
        return self.closing_name or self.assignment.unit.name

    @property
    def annotation(self):
        """附注 under the date: the contact person and phone, as the letter prints them (Chinese)."""
        with stored_text():
            fields = ((gettext("联系人"), self.contact_person), (gettext("联系电话"), self.contact_phone))
            parts = [f"{label}：{value}" for label, value in fields if value]
        return f"（{'；'.join(parts)}）" if parts else ""

    @property
    def structure(self):
        """The body's paragraphs with their levels (replies/body.py)."""
        return paragraphs_of(self)

    @property
    def paragraphs(self):
        return [p["heading"] + p["text"] for p in self.structure]

    @property
    def is_issued(self):
        return self.status == ReplyStatus.ISSUED

    @property
    def is_draft(self):
        return self.status == ReplyStatus.DRAFT

    # --- the workflow: draft → 待签发 → [待审核] → issued ----------------------------------
    # Every change of a reply's status goes through `_move`, called only from the steps below.

    def locked(self):
        """This reply read again under a row lock, inside the caller's transaction."""
        return Reply.objects.select_for_update().get(pk=self.pk)

    def _lock(self, *statuses):
        """Lock the row, read it afresh into this object and check the step is allowed from its state."""
        self.refresh_from_db(from_queryset=Reply.objects.select_for_update())
        self._require(*statuses)

    def _require(self, *statuses):
        if self.status not in statuses:
            raise TransitionError(
                gettext("答复当前状态为“%(status)s”，不能进行此操作。") % {"status": self.get_status_display()}
            )

    def _move(self, *, status, assignment_status, by, verb, note="", at=None, **fields):
        """Change state, mirror it on the assignment and write one timeline line (`at`, now by default)."""
        self.status = status
        if verb in HANDED_BACK:
            self.handed_back_at = at or timezone.now()
        elif verb == EventVerb.SUBMITTED:
            self.handed_back_at = None
        for name, value in fields.items():
            setattr(self, name, value)
        self.version += 1
        self._history_user = by
        with history_dated(self, at):
            self.save()
        assignment = self.assignment
        assignment.status = assignment_status
        assignment.save(update_fields=["status"])
        Event.record(proposal=assignment.proposal, assignment=assignment, verb=verb, actor=by, note=note, at=at)

    def save_draft(self, *, by, version, **fields):
        """Save the clerk's edit of a draft under an optimistic lock.

        Raises StaleDraft (with the current row) when someone saved since `version` was read,
        and TransitionError when the draft has meanwhile gone to the signer.
        """
        with transaction.atomic():
            current = self.locked()
            current._require(ReplyStatus.DRAFT)
            if version != current.version:
                raise StaleDraft(current)
            for name, value in fields.items():
                setattr(self, name, value)
            self.status = ReplyStatus.DRAFT
            self.version = current.version + 1
            self._history_user = by
            self.save()

    def missing_elements(self, stage=elements.SUBMIT, *, severities=None):
        """The 答复要件 this reply lacks (replies.elements.Finding), blocking or to be pointed out.
        `severities`: RequiredElement.severities(), read once by a page showing several replies."""
        if severities is None:
            severities = RequiredElement.severities()
        return elements.findings(self, stage=stage, severities=severities)

    def submit_blockers(self):
        """Why this draft cannot go to the signer yet (the blocking 答复要件 it lacks); empty when it can."""
        return [f.message for f in self.missing_elements() if f.blocking]

    def submit(self, *, by, at=None):
        """The clerk hands the draft to the unit's signer (送签); refused while something is missing."""
        with transaction.atomic():
            self._lock(ReplyStatus.DRAFT)
            problems = self.submit_blockers()
            if problems:
                raise TransitionError(" ".join(problems))
            self._move(
                status=ReplyStatus.AWAITING_SIGNOFF,
                assignment_status=AssignmentStatus.AWAITING_SIGNOFF,
                by=by,
                verb=EventVerb.SUBMITTED,
                note=f"第{self.round}轮答复",
                at=at,
            )
            notices.awaiting_signoff(self)

    def send_back(self, *, by, note):
        """The signer or the reviewing supervisor returns the draft to the clerk with a note."""
        with transaction.atomic():
            self._lock(ReplyStatus.AWAITING_SIGNOFF, ReplyStatus.IN_REVIEW)
            if self.status == ReplyStatus.AWAITING_SIGNOFF and not access.can_sign_off(by, self.assignment):
                raise TransitionError(gettext("只有本单位的签发人才能退回待签发的答复。"))
            if self.status == ReplyStatus.IN_REVIEW and not access.can_supervise(by):
                raise TransitionError(gettext("只有督查室才能退回待审核的答复。"))
            self._move(
                status=ReplyStatus.DRAFT,
                assignment_status=AssignmentStatus.REDO if self.round > 1 else AssignmentStatus.HANDLING,
                by=by,
                verb=EventVerb.SENT_BACK,
                note=note,
            )
            notices.handed_back(self, by=by, note=note)

    def may_withdraw(self, user):
        """撤回: the drafter (the unit's clerks when the draft names none) takes back a draft waiting for
        签发; the signer hands a draft back with 退回修改 instead."""
        if self.status != ReplyStatus.AWAITING_SIGNOFF or not access.can_work_on(user, self.assignment):
            return False
        if self.drafter_id is None:
            return not access.can_sign_off(user, self.assignment)
        return self.drafter_id == user.pk

    def withdraw(self, *, by, note=""):
        """The drafter takes the draft back from the signer to change it (撤回); the timeline says why."""
        with transaction.atomic():
            self._lock(ReplyStatus.AWAITING_SIGNOFF)
            if not self.may_withdraw(by):
                raise TransitionError(gettext("只有拟稿人才能撤回待签发的答复。"))
            self._move(
                status=ReplyStatus.DRAFT,
                assignment_status=AssignmentStatus.REDO if self.round > 1 else AssignmentStatus.HANDLING,
                by=by,
                verb=EventVerb.WITHDRAWN,
                note=note,
            )
            notices.withdrawn(self, by=by, note=note)

    def sign_off(self, *, by, review=None, at=None):
        """签发 by a signer of the unit; then either the supervisor reviews it or it goes out.

        Only a signer of the assigned unit may sign (whoever calls this); `review` defaults to
        the BANLI_SUPERVISOR_REVIEW setting.
        """
        if not access.can_sign_off(by, self.assignment):
            raise TransitionError(gettext("只有本单位的签发人才能签发。"))
        review = settings.BANLI_SUPERVISOR_REVIEW if review is None else review
        with transaction.atomic():
            self._lock(ReplyStatus.AWAITING_SIGNOFF)
            self.signer = by
            # The 文号 is given now, from the unit's register, in this transaction: a draft never
            # holds a number, and a number given is never given again.
            entry = DocNumber.objects.allocate(reply=self, by=by, at=at)
            if entry is not None:
                self.doc_number = entry.number
            if review:
                self._move(
                    status=ReplyStatus.IN_REVIEW,
                    assignment_status=AssignmentStatus.IN_REVIEW,
                    by=by,
                    verb=EventVerb.SIGNED_OFF,
                    note="送督查室审核",
                    at=at,
                )
            else:
                Event.record(
                    proposal=self.assignment.proposal,
                    assignment=self.assignment,
                    verb=EventVerb.SIGNED_OFF,
                    actor=by,
                    at=at,
                )
                self._issue(by=by, at=at)

    def change_class(self, *, by, result_class, reason="", at=None):
        """The reviewing 督查室 changes the result class of a reply waiting for its review (the
        history keeps the old one; the timeline says from what to what, and why)."""
        if not access.can_change_class(by):
            raise TransitionError(gettext("只有督查室才能更改答复类别。"))
        if result_class not in ResultClass.values:
            raise TransitionError(gettext("请选择答复类别。"))
        with transaction.atomic():
            self._lock(ReplyStatus.IN_REVIEW)
            self._set_class(by=by, result_class=result_class, reason=reason, at=at)

    def _set_class(self, *, by, result_class, reason="", at=None):
        if not result_class or result_class == self.result_class:
            return
        note = f"{self.result_class or '—'} → {result_class}" + (f"：{reason}" if reason else "")
        self.result_class = result_class
        self._history_user = by
        with history_dated(self, at):
            self.save(update_fields=["result_class", "updated_at"])
        a = self.assignment
        Event.record(proposal=a.proposal, assignment=a, verb=EventVerb.CLASS_CHANGED, actor=by, note=note, at=at)

    def review(self, *, by, result_class="", at=None):
        """The supervisor approves a signed reply, possibly changing its class first (`change_class`).

        The 答复要件 are checked again first: when a blocking one is missing the reply goes back to
        its drafter with the reasons instead of going out (a 答复要件不全 line on the timeline, which
        the unit scores count), and the missing ones are returned.
        """
        if not access.can_supervise(by):
            raise TransitionError(gettext("只有督查室才能审核答复。"))
        with transaction.atomic():
            self._lock(ReplyStatus.IN_REVIEW)
            self._set_class(by=by, result_class=result_class, at=at)
            missing = [f.message for f in self.missing_elements(elements.REVIEW) if f.blocking]
            if missing:
                self._move(
                    status=ReplyStatus.DRAFT,
                    assignment_status=AssignmentStatus.REDO if self.round > 1 else AssignmentStatus.HANDLING,
                    by=by,
                    verb=EventVerb.ELEMENTS_MISSING,
                    note=" ".join(missing),
                    at=at,
                )
                notices.handed_back(self, by=by, note="答复要件不全：" + " ".join(missing))
                return missing
            Event.record(
                proposal=self.assignment.proposal,
                assignment=self.assignment,
                verb=EventVerb.REVIEWED,
                actor=by,
                at=at,
            )
            self._issue(by=by, at=at)
            return []

    def _issue(self, *, by, today=None, at=None):
        """Send the reply to the members: read-only from now on; the feedback app hears of it.

        Reached only through 签发 (sign_off) or the supervisor's review.
        """
        at = at or timezone.now()
        today = today or timezone.localdate(at)
        self._move(
            status=ReplyStatus.ISSUED,
            assignment_status=AssignmentStatus.REPLIED,
            by=by,
            verb=EventVerb.ISSUED,
            note=self.title,
            at=at,
            issued_at=at,
            written_on=self.written_on or today,
            # (A historical letter may come with its member's form already recorded.)
            awaiting_form_since=None if self.feedback.filter(submitted_at__isnull=False).exists() else at,
        )
        # An earlier round's form is no longer asked for: this round replaces it.
        Reply.objects.filter(
            assignment=self.assignment, round__lt=self.round, awaiting_form_since__isnull=False
        ).update(awaiting_form_since=None)
        proposal = self.assignment.proposal
        # Counted under the proposal's lock: another unit issuing in the same instant would each see
        # the other still open, and nobody would mark it 已答复. No-key: our timeline line holds a key share.
        Proposal.objects.select_for_update(no_key=True).filter(pk=proposal.pk).first()
        answering = proposal.assignments.filter(role__in=ANSWERING_ROLES).exclude(status=AssignmentStatus.RETURNED)
        if not answering.exclude(status__in=[AssignmentStatus.REPLIED, AssignmentStatus.CLOSED]).exists():
            Proposal.objects.filter(pk=proposal.pk).update(status=ProposalStatus.REPLIED)
        notices.issued_to_co_units(self)
        transaction.on_commit(lambda: reply_issued.send(sender=Reply, reply=self, by=by))

    def attach_scan(self, *, by, scan):
        """The sealed, signed paper letter scanned after issue (盖章扫描件); a new upload replaces the last."""
        with transaction.atomic():
            self._lock(ReplyStatus.ISSUED)
            self.sealed_scan = scan
            self._history_user = by
            self.save(update_fields=["sealed_scan", "updated_at"])
            a = self.assignment
            Event.record(proposal=a.proposal, assignment=a, verb=EventVerb.SCAN_UPLOADED, actor=by)

    def mark_delivered(self, *, by, at=None):
        """送达: the sealed letter reached the members; needs the scan, and happens once."""
        with transaction.atomic():
            current = self.locked()
            current._require(ReplyStatus.ISSUED)
            if not current.sealed_scan or current.delivered_at is not None:
                raise TransitionError(gettext("请先上传盖章扫描件；已送达的不必重复标记。"))
            self.delivered_at = at or timezone.now()
            self._history_user = by
            self.save(update_fields=["delivered_at", "updated_at"])
            a = self.assignment
            Event.record(proposal=a.proposal, assignment=a, verb=EventVerb.DELIVERED, actor=by)

    @staticmethod
    def title_for(proposal):
        """“关于对《…》提案的答复”, the title every reply letter carries."""
        title = proposal.title.removesuffix("的建议").removesuffix("的提案")
        kind = "建议" if proposal.kind == ProposalKind.SUGGESTION else "提案"
        return f"关于对《{title}》{kind}的答复"

    @classmethod
    def frame_for(cls, assignment, *, round, today=None):
        """An unsaved draft with the letter frame filled in from the proposal and the unit."""
        today = today or timezone.localdate()
        proposal, unit = assignment.proposal, assignment.unit
        return cls(
            assignment=assignment,
            round=round,
            title=cls.title_for(proposal),
            addressees=proposal.addressee_line(),
            closing_name=unit.name,
            written_on=today,
            contact_person=unit.contact_person,
            contact_phone=unit.contact_phone,
        )


def format_doc_number(prefix, year, serial):
    """黄经信函〔2026〕3号"""
    return f"{prefix}〔{year}〕{serial}号"


class DocNumberQuerySet(models.QuerySet):
    def allocate(self, *, reply, by, today=None, at=None):
        """The reply's 文号: the one it was given before (signed again after being sent back), or the
        unit's next of the year. None when the unit has no 文号 prefix.

        Call inside the 签发 transaction. The unit's row is locked first (PostgreSQL; SQLite holds
        the write lock from BEGIN IMMEDIATE), so two 签发 at once get consecutive numbers; the
        unique constraints stop anything that slips past. A number already borne by an imported
        letter is skipped.
        """
        existing = self.filter(reply=reply).first()
        if existing is not None:
            return existing
        unit = _locked_unit.get(pk=reply.assignment.unit_id)
        if not unit.doc_prefix:
            return None
        at = at or timezone.now()
        year = (today or timezone.localdate(at)).year
        serial = (self.filter(unit=unit, year=year).aggregate(last=models.Max("serial"))["last"] or 0) + 1
        while True:
            number = format_doc_number(unit.doc_prefix, year, serial)
            taken = self.filter(number=number).exists() or Reply.objects.filter(doc_number=number).exists()
            if not taken:
                break
            serial += 1
        try:
            with transaction.atomic():
                return self.create(
                    unit=unit, year=year, serial=serial, number=number, reply=reply, allocated_by=by, allocated_at=at
                )
        except IntegrityError:
            raise TransitionError(_("文号分配冲突，请重试签发。")) from None


class DocNumber(models.Model):
    """The 文号 register of a unit: one row per number given, at 签发. Never removed, never given twice."""

    unit = models.ForeignKey(
        HandlingUnit, verbose_name=_("承办单位"), on_delete=models.PROTECT, related_name="doc_numbers"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    serial = models.PositiveIntegerField(_("序号"))
    number = models.CharField(_("文号"), max_length=60)
    reply = models.OneToOneField(
        "Reply", verbose_name=_("答复函"), on_delete=models.PROTECT, related_name="doc_number_entry"
    )
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签发人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    allocated_at = models.DateTimeField(_("编号时间"), default=timezone.now)

    objects = DocNumberQuerySet.as_manager()

    class Meta:
        verbose_name = _("文号登记")
        verbose_name_plural = _("文号登记")
        ordering = ["unit", "year", "serial"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "serial"], name="%(app_label)s_%(class)s_unique_serial"),
            models.UniqueConstraint(fields=["number"], name="%(app_label)s_%(class)s_unique_number"),
            models.CheckConstraint(condition=Q(serial__gte=1), name="%(app_label)s_%(class)s_serial_positive"),
        ]

    def __str__(self):
        return self.number


def format_index_number(unit, year, serial):
    """The 索引号 of a published reply from the configured scheme (BANLI_INDEX_NUMBER_FORMAT)."""
    code = unit.disclosure_code or f"{unit.pk:06d}"
    return settings.BANLI_INDEX_NUMBER_FORMAT.format(code=code, year=year, serial=serial)


# Locked to number a 文号 or a 索引号 (in every submission that publishes): compiled once (proposals/prepared.py).
_locked_unit: Prepared[HandlingUnit] = Prepared(
    lambda: HandlingUnit.objects.select_for_update().filter(pk=Param("pk", HandlingUnit._meta.pk)).order_by()
)


class DisclosureQuerySet(models.QuerySet):
    def shown(self):
        return self.filter(withdrawn_at__isnull=True)

    def publish(self, *, reply, at=None):
        """Publish an issued reply with the unit's next 索引号 of the year; once (a second call
        returns the first disclosure). Whether it may be published is the caller's rule
        (feedback.services.publish_if_agreed: 主动公开 and every member agreed)."""
        at = at or timezone.now()
        try:
            return reply.disclosure  # no query when the caller read it with the reply (publish_if_agreed)
        except self.model.DoesNotExist:
            pass
        unit = _locked_unit.get(pk=reply.assignment.unit_id)
        year = timezone.localtime(at).year
        serial = (self.filter(unit=unit, year=year).aggregate(last=models.Max("serial"))["last"] or 0) + 1
        try:
            # No savepoint: a failure here fails the caller's transaction too (it holds the unit's
            # lock, so a clash means something is badly wrong, not a race to retry).
            with transaction.atomic(savepoint=False):
                return self.create(
                    reply=reply,
                    unit=unit,
                    year=year,
                    serial=serial,
                    index_number=format_index_number(unit, year, serial),
                    published_at=at,
                )
        except IntegrityError:
            raise TransitionError(_("索引号分配冲突，请重试。")) from None


class Disclosure(models.Model):
    """An issued reply on the public pages (主动公开), with the 索引号 it was given then.

    Made only when the rule holds (the unit marked the reply 主动公开 and every member who
    answers it agreed); withdrawn, never deleted, if a correction of a member's form says
    otherwise, so its 索引号 is never given again.
    """

    reply = models.OneToOneField("Reply", verbose_name=_("答复函"), on_delete=models.PROTECT, related_name="disclosure")
    unit = models.ForeignKey(HandlingUnit, verbose_name=_("承办单位"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    serial = models.PositiveIntegerField(_("序号"))
    index_number = models.CharField(_("索引号"), max_length=60)
    published_at = models.DateTimeField(_("公开时间"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)

    objects = DisclosureQuerySet.as_manager()

    class Meta:
        verbose_name = _("公开记录")
        verbose_name_plural = _("公开记录")
        ordering = ["-published_at"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "serial"], name="%(app_label)s_%(class)s_unique_serial"),
            models.UniqueConstraint(fields=["index_number"], name="%(app_label)s_%(class)s_unique_index_number"),
        ]

    def __str__(self):
        return self.index_number


class CoHandlingOpinionQuerySet(models.QuerySet):
    def give(self, *, assignment, by, body, contact_person="", contact_phone="", at=None):
        """会办意见: a co-handling unit sends its opinion to the lead unit; its share is then answered."""
        with transaction.atomic():
            if not may_give_opinion(assignment.locked()):
                raise TransitionError(_("签收后、提交前才能填写会办意见。"))
            opinion = self.create(
                assignment=assignment,
                body=body,
                contact_person=contact_person,
                contact_phone=contact_phone,
                submitted_by=by,
                submitted_at=at or timezone.now(),
            )
            assignment.status = AssignmentStatus.REPLIED
            assignment.save(update_fields=["status"])
            Event.record(
                proposal=assignment.proposal,
                assignment=assignment,
                verb=EventVerb.CO_OPINION,
                actor=by,
                at=opinion.submitted_at,
            )
        return opinion


class CoHandlingOpinion(models.Model):
    """A co-handling unit's opinion (会办意见) to the lead unit: input to the reply, not a reply."""

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("会办交办"), on_delete=models.CASCADE, related_name="co_opinions"
    )
    body = models.TextField(_("会办意见"), max_length=LETTER)
    contact_person = models.CharField(_("联系人"), max_length=40, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提交人"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)

    objects = CoHandlingOpinionQuerySet.as_manager()

    class Meta:
        verbose_name = _("会办意见")
        verbose_name_plural = _("会办意见")
        ordering = ["submitted_at"]
        constraints = [length_constraint("body", LETTER)]

    def __str__(self):
        return f"{self.assignment.unit} 会办意见"


class ElementSeverity(models.TextChoices):
    BLOCKING = "block", _("必须具备（缺少则不能提交、审核时自动退回）")
    WARNING = "warn", _("提示（缺少时提醒，仍可提交）")
    OFF = "off", _("不检查")


class ElementCode(models.TextChoices):
    RESULT_CLASS = "result_class", _("答复类别")
    BODY = "body", _("答复正文")
    MATCHES_PROPOSAL = "matches_proposal", _("与建议提案对应（标题写明案由或编号）")
    ADDRESSED_TO_LEAD = "addressed_to_lead", _("主送领衔人")
    CONTACTED = "contacted", _("已与代表委员沟通（主办）")
    CO_OPINIONS = "co_opinions", _("会办意见已收齐（主办）")
    DOC_NUMBER = "doc_number", _("文号（提交时：本单位已设文号前缀；审核时：已编文号）")
    CONTACT_PERSON = "contact_person", _("联系人及联系电话")


class RequiredElement(models.Model):
    """One 答复要件 and how strictly it is enforced (replies.elements holds the checks)."""

    code = models.CharField(_("要件"), max_length=32, choices=ElementCode, unique=True)
    severity = models.CharField(_("要求"), max_length=8, choices=ElementSeverity, default=ElementSeverity.BLOCKING)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("答复要件")
        verbose_name_plural = _("答复要件")
        ordering = ["pk"]
        constraints = [choice_constraint("code", ElementCode), choice_constraint("severity", ElementSeverity)]

    def __str__(self):
        return f"{self.get_code_display()}：{self.get_severity_display()}"

    @classmethod
    def severities(cls):
        return dict(cls.objects.values_list("code", "severity"))


class ParagraphTemplateQuerySet(models.QuerySet):
    def for_units(self, unit_ids):
        return self.filter(unit_id__in=unit_ids)


class ParagraphTemplate(models.Model):
    """A paragraph a unit reuses across replies (段落模板): an opening, a closing, a standard policy text."""

    unit = models.ForeignKey(
        HandlingUnit, verbose_name=_("承办单位"), on_delete=models.CASCADE, related_name="paragraph_templates"
    )
    title = models.CharField(_("名称"), max_length=60, help_text=_("如：开头语、结束语"))
    body = models.TextField(_("段落内容"), max_length=PARAGRAPH)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("修改时间"), default=timezone.now)

    objects = ParagraphTemplateQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        # Made in the workspace app first; the table keeps its name.
        db_table = "workspace_paragraphtemplate"
        verbose_name = _("段落模板")
        verbose_name_plural = _("段落模板")
        ordering = ["unit", "title"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "title"], name="workspace_paragraphtemplate_unique_title"),
            length_constraint("body", PARAGRAPH),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("replies:template_edit", args=[self.pk])
