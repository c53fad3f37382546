"""The member's feedback form (办理情况征询意见表) on a reply, and its receipt by the office.

Also the one-time links that let a member answer without an account (FeedbackLink).
"""

import datetime
import hashlib
import json
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from proposals import access
from proposals.limits import REASON, SUMMARY, length_constraint
from proposals.models import Assignment, Member, choice_constraint
from proposals.prepared import Param, Prepared
from replies.models import ContactMethod, Reply, ReplyStatus

from . import seals


class HandlingEffect(models.TextChoices):
    SOLVED = "solved", _("解决或基本解决")
    IN_PROGRESS = "in_progress", _("正在解决")
    LATER = "later", _("以后解决")
    UNSOLVABLE = "unsolvable", _("无法解决")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class Channel(models.TextChoices):
    ONLINE = "online", _("网上填报")
    PAPER = "paper", _("纸质表录入")


class FeedbackQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see the forms in their scope; a member sees only their own."""
        scope = access.scope_of(user)
        if scope.everything:
            return self  # (no subquery over every reply)
        # The forms stay with the unit that answered: a co-handling unit receives the reply (抄送), not its forms.
        visible = self.filter(reply__assignment__in=Assignment.objects.visible_to(user))
        if scope.is_staff_role:
            return visible
        return visible.filter(member_id=scope.member_id, reply__status=ReplyStatus.ISSUED)

    def submitted(self):
        return self.filter(submitted_at__isnull=False)

    def with_counted_consent(self):
        """Each form's `counted_consent`: Feedback.effective_consent as a column (the latest
        correction's answer, if the office corrected the form, else the form's)."""
        corrected = FeedbackCorrection.objects.filter(feedback=models.OuterRef("pk")).order_by("-pk")
        return self.annotate(
            counted_consent=Coalesce(models.Subquery(corrected.values("publish_consent")[:1]), "publish_consent")
        )

    def awaiting_receipt(self):
        return self.submitted().filter(received_at__isnull=True)

    def to_check(self):
        """待核实: paper forms whose entry noted something for a person to confirm with the member,
        not yet corrected."""
        return self.submitted().filter(NeedsAttention(), corrections__isnull=True)


@deconstructible(path="feedback.models.NeedsAttention")
class NeedsAttention(models.Func):
    """A form whose entry noted something for a person to check (`needs_attention` not empty).

    The empty string is written into the SQL, not bound: SQLite uses a partial index only for a
    condition it can read in the query, and a bound parameter is not one.
    """

    output_field = models.BooleanField()

    def __init__(self):
        super().__init__(models.F("needs_attention"))

    def as_sql(self, compiler, connection, function=None, template=None, arg_joiner=None, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        return f"{column} <> ''", params


class Feedback(models.Model):
    """One member's answer to one reply round, as on the seed form.

    Online forms must carry exactly one effect and one satisfaction. A paper form is
    entered as the member marked it; when it is ambiguous (two boxes ticked) the office
    leaves the field empty and writes what it saw in `needs_attention`, for a person to
    resolve with the member: the answer confirmed then is a FeedbackCorrection, and the
    form itself stays as it was entered.

    Once submitted the row is sealed (feedback/seals.py) by the function that submits it,
    and the database refuses to change it (except the office's receipt, once) or delete it.
    """

    reply = models.ForeignKey(Reply, verbose_name=_("答复函"), on_delete=models.PROTECT, related_name="feedback")
    member = models.ForeignKey(Member, verbose_name=_("代表委员"), on_delete=models.PROTECT, related_name="feedback")
    channel = models.CharField(_("填报渠道"), max_length=8, choices=Channel, default=Channel.ONLINE)

    # 沟通方式: one box each, as printed on the form.
    by_visit = models.BooleanField(ContactMethod.VISIT.label, default=False)
    by_meeting = models.BooleanField(ContactMethod.MEETING.label, default=False)
    by_phone = models.BooleanField(ContactMethod.PHONE.label, default=False)
    by_letter = models.BooleanField(ContactMethod.LETTER.label, default=False)
    by_forum = models.BooleanField(ContactMethod.FORUM.label, default=False)
    by_other = models.BooleanField(ContactMethod.OTHER.label, default=False)
    other_method = models.CharField(_("其他沟通方式"), max_length=100, blank=True)

    handling_effect = models.CharField(_("办理效果"), max_length=16, choices=HandlingEffect, blank=True)
    satisfaction = models.CharField(_("办理评价"), max_length=16, choices=Satisfaction, blank=True)
    publish_consent = models.BooleanField(_("是否公开"), null=True, blank=True)
    opinion = models.TextField(_("对办理情况的意见"), max_length=SUMMARY, blank=True)
    signature = models.ImageField(_("签名"), upload_to="signatures/", blank=True)
    submitted_at = models.DateTimeField(_("签名时间"), null=True, blank=True)

    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签收人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    received_at = models.DateTimeField(_("签收时间"), null=True, blank=True)

    paper_scan = models.FileField(_("纸质表扫描件"), upload_to="feedback/scans/", blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    needs_attention = models.TextField(_("待核实问题"), max_length=REASON, blank=True)
    # Set when the form is submitted: the HMAC over the canonical content and the files, the id
    # of the key it was made with, and the short code printed on the signed PDF that
    # /verify/<code>/ checks (feedback/seals.py).
    seal = models.CharField(_("封存签章"), max_length=64, blank=True, editable=False)
    seal_key_id = models.CharField(_("签章密钥编号"), max_length=16, blank=True, editable=False)
    verification_code = models.CharField(_("验证码"), max_length=16, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        verbose_name = _("征询意见表")
        verbose_name_plural = _("征询意见表")
        ordering = ["-submitted_at", "pk"]
        constraints = [
            choice_constraint("channel", Channel),
            choice_constraint("handling_effect", HandlingEffect, allow_blank=True),
            choice_constraint("satisfaction", Satisfaction, allow_blank=True),
            models.UniqueConstraint(fields=["reply", "member"], name="%(app_label)s_%(class)s_one_per_member"),
            models.UniqueConstraint(
                fields=["verification_code"],
                condition=~Q(verification_code=""),
                name="%(app_label)s_%(class)s_unique_verification_code",
            ),
            # A form submitted online carries exactly one effect and one satisfaction.
            models.CheckConstraint(
                condition=~Q(channel=Channel.ONLINE)
                | Q(submitted_at__isnull=True)
                | (~Q(handling_effect="") & ~Q(satisfaction="")),
                name="%(app_label)s_%(class)s_online_is_complete",
            ),
            # A paper form with a blank answer must say why a person has to look at it.
            models.CheckConstraint(
                condition=~Q(channel=Channel.PAPER)
                | Q(submitted_at__isnull=True)
                | (~Q(handling_effect="") & ~Q(satisfaction=""))
                | ~Q(needs_attention=""),
                name="%(app_label)s_%(class)s_paper_gap_is_flagged",
            ),
            models.CheckConstraint(
                condition=Q(received_at__isnull=True) | Q(received_by__isnull=False),
                name="%(app_label)s_%(class)s_receipt_has_receiver",
            ),
            # What is submitted is sealed (by the function that submits it).
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True) | (~Q(seal="") & ~Q(seal_key_id="") & ~Q(verification_code="")),
                name="%(app_label)s_%(class)s_submitted_is_sealed",
            ),
            length_constraint("opinion", SUMMARY),
            length_constraint("needs_attention", REASON),
        ]
        indexes = [
            # The office's forms to countersign, oldest first, read in order from the few that wait.
            models.Index(
                fields=["submitted_at", "id"],
                condition=Q(submitted_at__isnull=False, received_at__isnull=True),
                name="feedback_awaiting_receipt_idx",
            ),
            # The paper forms a person must check, oldest first, from the few there are.
            models.Index(
                fields=["submitted_at", "id"],
                condition=Q(NeedsAttention(), submitted_at__isnull=False),
                name="feedback_to_check_idx",
            ),
        ]

    def __str__(self):
        return f"{self.member.name} · {self.reply}"

    def get_absolute_url(self):
        return reverse("feedback:detail", args=[self.pk])

    # --- sealing and verification --------------------------------------------------

    def canonical_content(self, version=2):
        """The signed content as canonical JSON bytes: sorted keys, UTF-8, times in UTC.
        Version 1 (plain SHA-256 seals of before) did not include the verification code."""
        content = {
            "reply": self.reply_id,
            "member": self.member_id,
            "channel": self.channel,
            "methods": [str(m) for m in self.methods],
            "other_method": self.other_method,
            "handling_effect": self.handling_effect,
            "satisfaction": self.satisfaction,
            "publish_consent": self.publish_consent,
            "opinion": self.opinion,
            "needs_attention": self.needs_attention,
            "entered_by": self.entered_by_id,
            "submitted_at": self.submitted_at.astimezone(datetime.UTC).isoformat() if self.submitted_at else None,
        }
        if version >= 2:
            content["verification_code"] = self.verification_code
        return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()

    def seal_now(self):
        """Give the form its verification code and seal: called by each function that submits a
        form, just before its write (feedback.services), never by save()."""
        seals.seal(self, taken=lambda code: _code_holder.first(code=code) is not None)

    def matches_seal(self):
        """Does the stored record (row and files) still give its seal? False if not, or unreadable."""
        return seals.verify(self)

    @property
    def current_correction(self):
        """The office's latest correction of this form (a 待核实 paper form resolved), or None.
        Uses prefetched `corrections` when there are."""
        if self.pk is None:
            return None
        corrections = list(self.corrections.all())
        return max(corrections, key=lambda c: c.pk) if corrections else None

    @property
    def answers(self):
        """(handling_effect, satisfaction, publish_consent) as they count: the latest correction's, or the form's."""
        c = self.current_correction
        if c is not None:
            return c.handling_effect, c.satisfaction, c.publish_consent
        return self.handling_effect, self.satisfaction, self.publish_consent

    @property
    def effective_satisfaction(self):
        return self.answers[1]

    @property
    def effective_consent(self):
        return self.answers[2]

    @property
    def is_pending_check(self):
        """A paper form with a question for the office (待核实) that nobody has resolved yet."""
        return bool(self.needs_attention) and self.current_correction is None

    def get_verify_url(self):
        return reverse("feedback:verify", args=[self.verification_code])

    @property
    def is_submitted(self):
        return self.submitted_at is not None

    @property
    def methods(self):
        """The ticked communication methods, in the order of the printed form."""
        ticks = {
            ContactMethod.VISIT: self.by_visit,
            ContactMethod.MEETING: self.by_meeting,
            ContactMethod.PHONE: self.by_phone,
            ContactMethod.LETTER: self.by_letter,
            ContactMethod.FORUM: self.by_forum,
            ContactMethod.OTHER: self.by_other,
        }
        return [method for method, ticked in ticks.items() if ticked]


class FeedbackCorrection(models.Model):
    """The answer the office confirmed with the member for a sealed form: how, when, who, and why.

    A new record linked to the form, which stays as the member ticked it (with its scan); the
    figures and the publication rule count the latest correction's answers. Never changed or
    deleted (a database trigger refuses both).
    """

    feedback = models.ForeignKey(
        Feedback, verbose_name=_("征询意见表"), on_delete=models.PROTECT, related_name="corrections"
    )
    handling_effect = models.CharField(_("办理效果"), max_length=16, choices=HandlingEffect)
    satisfaction = models.CharField(_("办理评价"), max_length=16, choices=Satisfaction)
    publish_consent = models.BooleanField(_("是否公开"))
    confirmed_via = models.CharField(_("核实方式"), max_length=16, choices=ContactMethod.choices)
    confirmed_on = models.DateField(_("核实日期"))
    note = models.TextField(_("核实情况"), max_length=REASON)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("核实人"), on_delete=models.PROTECT, related_name="+"
    )
    corrected_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        verbose_name = _("意见表核实更正")
        verbose_name_plural = _("意见表核实更正")
        ordering = ["feedback", "pk"]
        constraints = [
            choice_constraint("handling_effect", HandlingEffect),
            choice_constraint("satisfaction", Satisfaction),
            choice_constraint("confirmed_via", ContactMethod),
            length_constraint("note", REASON),
            models.CheckConstraint(condition=~Q(note=""), name="%(app_label)s_%(class)s_says_why"),
        ]

    def __str__(self):
        return f"{self.feedback} · {self.get_satisfaction_display()}"


class FeedbackLinkQuerySet(models.QuerySet):
    def usable(self, now=None):
        return self.filter(used_at__isnull=True, expires_at__gt=now or timezone.now())


class FeedbackLink(models.Model):
    """A one-time link (/f/<token>/) bound to one member and one reply round.

    Only a SHA-256 of the token is stored, so a copy of the database opens no forms.
    The link is spent when the form is submitted, and expires after
    BANLI_FEEDBACK_LINK_DAYS days.
    """

    reply = models.ForeignKey(Reply, verbose_name=_("答复函"), on_delete=models.CASCADE, related_name="feedback_links")
    member = models.ForeignKey(Member, verbose_name=_("代表委员"), on_delete=models.CASCADE, related_name="+")
    token_sha256 = models.CharField(_("令牌摘要"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("失效时间"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    objects = FeedbackLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("填表链接")
        verbose_name_plural = _("填表链接")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.member.name} · {self.reply}"

    @staticmethod
    def hash_token(token):
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, *, reply, member, now=None):
        """Create a link and return (link, token); the token exists only in the e-mail."""
        now = now or timezone.now()
        token = secrets.token_urlsafe(32)
        link = cls.objects.create(
            reply=reply,
            member=member,
            token_sha256=cls.hash_token(token),
            created_at=now,
            expires_at=now + datetime.timedelta(days=settings.BANLI_FEEDBACK_LINK_DAYS),
        )
        return link, token

    @classmethod
    def find_usable(cls, token, now=None):
        if not token or len(token) > 100:
            return None
        return _usable_link.first(token=cls.hash_token(token), now=now or timezone.now())


class FeedbackDraft(models.Model):
    """What a member has typed into a form not yet submitted, kept while they fill it in, so a
    link session that runs out (or a closed tab) loses nothing; gone once the form is submitted.
    Only the answers, never the signature: a draft is not a signed form."""

    reply = models.ForeignKey(Reply, verbose_name=_("答复函"), on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Member, verbose_name=_("代表委员"), on_delete=models.CASCADE, related_name="+")
    data = models.JSONField(_("已填内容"), default=dict)
    saved_at = models.DateTimeField(_("保存时间"), default=timezone.now)

    class Meta:
        verbose_name = _("意见表草稿")
        verbose_name_plural = _("意见表草稿")
        constraints = [
            models.UniqueConstraint(fields=["reply", "member"], name="%(app_label)s_%(class)s_one_per_member"),
        ]

    def __str__(self):
        return f"{self.member} · {self.reply_id}"

    @classmethod
    def keep(cls, *, reply, member, data, now=None):
        """Save the member's answers so far (one draft per reply and member, the latest wins)."""
        draft, _created = cls.objects.update_or_create(
            reply=reply, member=member, defaults={"data": data, "saved_at": now or timezone.now()}
        )
        return draft

    @classmethod
    def of(cls, *, reply, member):
        return _draft.first(reply=reply, member=member)


# Looked up on every visit of a form: compiled once (proposals/prepared.py).
_usable_link: Prepared[FeedbackLink] = Prepared(
    lambda: (
        FeedbackLink.objects.usable(Param("now", FeedbackLink.expires_at.field))
        .select_related("reply", "member")
        .filter(token_sha256=Param("token", FeedbackLink.token_sha256.field))
        .order_by()
    )
)
# Asked in every submission (Feedback.seal_now): whether a verification code is given already.
_code_holder: Prepared[Feedback] = Prepared(
    lambda: (
        Feedback.objects.filter(verification_code=Param("code", Feedback.verification_code.field)).only("pk").order_by()
    )
)
_draft: Prepared[FeedbackDraft] = Prepared(
    lambda: FeedbackDraft.objects.filter(
        reply=Param("reply", FeedbackDraft.reply.field), member=Param("member", FeedbackDraft.member.field)
    )
)


# --- who answers, and what the reply shows ------------------------------------------


def expected_members(reply):
    """The members who give feedback on a reply: the lead only, or everyone (BANLI_FEEDBACK_FROM)."""
    proposal = reply.assignment.proposal
    if settings.BANLI_FEEDBACK_FROM == "all":
        return proposal.members_in_order
    return [proposal.lead]


def later_round_issued(outer=""):
    """True when a later round of the reply's assignment is issued; `outer` leads to the reply ("reply__" from a link)."""
    later = Reply.objects.issued().filter(
        assignment=models.OuterRef(f"{outer}assignment"), round__gt=models.OuterRef(f"{outer}round")
    )
    return models.Exists(later)


def superseded_q():
    """Issued replies that a later issued round of the same assignment replaced: no feedback is asked on them."""
    return Q(later_round_issued())


def is_superseded(reply):
    return Reply.objects.issued().filter(assignment_id=reply.assignment_id, round__gt=reply.round).exists()


def evaluation(expected, submitted):
    """What a reply shows: 「未评价」 until every expected form is in, then the lowest satisfaction."""
    by_member = {f.member_id: f for f in submitted}
    if not expected or any(m.pk not in by_member for m in expected):
        return _("未评价")
    order = [Satisfaction.DISSATISFIED, Satisfaction.BASICALLY, Satisfaction.SATISFIED]
    given = [by_member[m.pk].effective_satisfaction for m in expected if by_member[m.pk].effective_satisfaction]
    if not given:
        return _("待核实")
    worst = min(given, key=order.index)
    return Satisfaction(worst).label


class ReceivedNotice(models.Model):
    """A form whose unit and office have not yet been told it came in (the "form received"
    e-mail and notification). Written in the form's own transaction, so a stored form is a
    notice owed even when the queue is down; the task worker sends what is owed, a batch at a
    time (services.tell_forms_received), and deletes the row."""

    feedback = models.OneToOneField(
        Feedback, verbose_name=_("意见表"), primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    queued_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    # Failed sends so far; after MAX_NOTICE_ATTEMPTS the row stays, for a person to look at.
    attempts = models.PositiveSmallIntegerField(_("失败次数"), default=0)

    class Meta:
        verbose_name = _("待发送的意见表到达通知")
        verbose_name_plural = _("待发送的意见表到达通知")
        indexes = [models.Index(fields=["attempts", "queued_at"], name="feedback_notice_owed")]

    def __str__(self):
        return f"{self.feedback_id}"
