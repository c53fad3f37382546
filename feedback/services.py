"""Writes that span apps: submitting a form (and starting 重办), the office's receipt, paper
entry and the correction of a 待核实 paper form, publishing a reply once every member agreed,
and the e-mails, each sent once through the Notification ledger."""

import contextlib
import datetime
import logging
import secrets
from collections.abc import Iterator
from typing import Any, cast

from django.contrib.auth.models import User
from django.core.files import File
from django.core.files.storage import Storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.fields.files import FieldFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from notifications.services import Contact, Plan, already_notified, contact_of, notify
from proposals.files import UploadError, message_for
from proposals.i18n import in_chinese
from proposals.limits import clip
from proposals.models import (
    Assignment,
    AssignmentStatus,
    Event,
    EventVerb,
    Member,
    Proposal,
    TransitionError,
    office_staff,
)
from proposals.prepared import Param, Prepared
from proposals.site import site_url
from replies.models import Disclosure, Publication, Reply, ReplyStatus

from . import signatures
from .models import (
    Channel,
    Feedback,
    FeedbackCorrection,
    FeedbackDraft,
    FeedbackLink,
    ReceivedNotice,
    Satisfaction,
    expected_members,
)

logger = logging.getLogger("banli.feedback")


class AlreadySubmitted(Exception):
    """The member's form for this reply is already in (double click, second tab, reused link)."""

    def __init__(self, feedback: Feedback) -> None:
        self.feedback = feedback


def _store(field_file: FieldFile, name: str, content: File, stored: list[tuple[Storage, str]]) -> None:
    """Write the file of a row about to be saved and note it in `stored`; a storage error
    (a full disk) becomes UploadError with a message for the user."""
    try:
        field_file.save(name, content, save=False)
    except OSError as exc:
        logger.error("Storing %s failed", name, exc_info=True)
        raise UploadError(message_for(exc)) from exc
    stored.append((field_file.storage, cast(str, field_file.name)))  # saved just now, so named


def _remove(stored: list[tuple[Storage, str]]) -> None:
    """After a failed save: the files written for it go too, so no file outlives its row."""
    for storage, name in stored:
        try:
            storage.delete(name)
        except OSError:
            logger.warning("Could not remove %s after a failed save", name, exc_info=True)


def submit_online(
    *,
    reply: Reply,
    member: Member,
    form: Any,
    by: User | None = None,
    link: FeedbackLink | None = None,
    now: datetime.datetime | None = None,
) -> Feedback:
    """Store the member's answers and signature as one sealed row; exactly one per member and reply.

    Raises UploadError (a message for the member) when the signature cannot be stored; then
    nothing is saved, and a file written before a later failure is removed again.
    """
    moment = now or timezone.now()
    now = moment.replace(microsecond=0)  # the sealed time; the timeline keeps the exact moment
    stored: list[tuple] = []
    with _submitting(reply, member, stored):
        feedback = _unsubmitted_form(reply, member, Channel.ONLINE)
        form.fill(feedback)
        drawn = signatures.as_file(form.signature_png)
        _store(feedback.signature, drawn.name, drawn, stored)
        feedback.submitted_at = now
        feedback.seal_now()
        feedback.save()
        FeedbackLink.objects.filter(reply=reply, member=member, used_at__isnull=True).update(used_at=now)
        FeedbackDraft.objects.filter(reply=reply, member=member).delete()  # the form is in: no draft
        _after_submission(feedback, by=by, at=moment)
    return feedback


@contextlib.contextmanager
def _submitting(reply: Reply, member: Member, stored: list[tuple[Storage, str]]) -> Iterator[None]:
    """The transaction that stores a member's form. Whatever fails in it, the files written for
    it (`stored`) are removed again. When the failure is another request's form for the same
    reply and member, inserted between our read and our write (a double click, a second tab),
    it is AlreadySubmitted: looked up after the rollback, so no savepoint is needed around the write."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError:
        _remove(stored)
        existing = Feedback.objects.submitted().filter(reply=reply, member=member).first()
        if existing is None:
            raise
        raise AlreadySubmitted(existing) from None
    except BaseException:
        _remove(stored)
        raise


def _unsubmitted_form(reply: Reply, member: Member, channel: str) -> Feedback:
    """The member's form for this reply, locked, or a new one; AlreadySubmitted if it is sealed already."""
    existing = _form_to_fill.first(reply=reply, member=member)
    if existing is not None and existing.is_submitted:
        raise AlreadySubmitted(existing)
    feedback = existing or Feedback(reply=reply, member=member)
    feedback.channel = channel
    return feedback


# Both run in every submission: compiled once (proposals/prepared.py).
_form_to_fill: Prepared[Feedback] = Prepared(
    lambda: (
        Feedback.objects.select_for_update()
        .filter(reply=Param("reply", Feedback.reply.field), member=Param("member", Feedback.member.field))
        .order_by()
    )
)
_locked_reply: Prepared[Reply] = Prepared(
    lambda: (
        Reply.objects.select_for_update(of=("self",))
        .select_related("disclosure")
        .filter(pk=Param("pk", Reply._meta.pk))
        .order_by()
    )
)


def enter_paper(
    *,
    reply: Reply,
    member: Member,
    answers: dict[str, Any],
    signed_on: datetime.date,
    scan: File,
    by: User,
    at: datetime.datetime | None = None,
) -> Feedback:
    """The office enters a paper form as ticked, with its scan; ambiguous rows stay empty and flagged.
    `at` is when the office entered (and so received) it, now by default.

    `answers` are the Feedback fields as the member marked them (PaperFeedbackForm.answers()).
    Raises UploadError when the scan cannot be stored (nothing is saved then).
    """
    stored: list[tuple] = []
    with _submitting(reply, member, stored):
        feedback = _unsubmitted_form(reply, member, Channel.PAPER)
        for name, value in answers.items():
            setattr(feedback, name, value)
        extension = {b"%PDF": "pdf", b"\x89PNG": "png"}.get(scan.read(4), "jpg")
        scan.seek(0)
        _store(feedback.paper_scan, f"{secrets.token_hex(16)}.{extension}", scan, stored)
        feedback.entered_by = by
        feedback.submitted_at = timezone.make_aware(datetime.datetime.combine(signed_on, datetime.time(12)))
        # The office holds the paper it enters: entering it is its receipt (签收), no second step.
        at = at or timezone.now()
        feedback.received_by, feedback.received_at = by, at
        feedback.seal_now()
        feedback.save()
        _after_submission(feedback, by=by, at=at)
        _record_receipt(feedback, by=by, at=at)
    return feedback


def record_imported_form(
    *, reply: Reply, member: Member, answers: dict[str, Any], signed_at: datetime.datetime | None, by: User | None
) -> Feedback:
    """A form found in a historical letter (legacy import): kept as the letter shows it, for a person
    to check. It reopens nothing and notifies nobody, unlike a form entered today."""
    feedback = Feedback(reply=reply, member=member, channel=Channel.PAPER, entered_by=by, submitted_at=signed_at)
    for name, value in answers.items():
        setattr(feedback, name, value)
    if signed_at is not None:
        feedback.seal_now()
    feedback.save()
    return feedback


@in_chinese
def _after_submission(feedback: Feedback, *, by: User | None, at: datetime.datetime | None = None) -> None:
    reply = feedback.reply
    assignment = reply.assignment
    proposal = assignment.proposal
    note = (
        f"{feedback.member.name}：{feedback.get_satisfaction_display() or '待核实'}（{feedback.get_channel_display()}）"
    )
    Event.record(proposal=proposal, assignment=assignment, verb=EventVerb.FEEDBACK, actor=by, note=note, at=at)
    Reply.objects.filter(pk=reply.pk, awaiting_form_since__isnull=False).update(awaiting_form_since=None)
    _consequences(feedback, satisfaction=feedback.satisfaction, by=by, at=at, answered=feedback)
    # The e-mails are the task worker's (BANLI_TASKS_BACKEND=database): the member's submission
    # never waits on the mail server. The notice owed is stored with the form; robust: a queue
    # that is down must not turn a stored form into an error page (the next form's wake-up, or
    # remind_feedback, sends what is still owed).
    ReceivedNotice.objects.create(feedback=feedback)
    transaction.on_commit(wake_notice_sender, robust=True)


def _consequences(
    feedback: Feedback,
    *,
    satisfaction: str,
    by: User | None,
    at: datetime.datetime | None = None,
    answered: Feedback | None = None,
) -> None:
    """What a form's answer sets going: 重办 after 不满意, publication once every member agreed.
    `answered`: the form was sealed just now, in this transaction (see publication_agreed)."""
    reply = feedback.reply
    if satisfaction == Satisfaction.DISSATISFIED and reply.assignment.status != AssignmentStatus.REDO:
        # Read again under its lock: another member's 不满意 on this reply, committed since the
        # caller read it, may have started the 重办 already (a second would open a round 3).
        assignment = reply.assignment = reply.assignment.locked()
        latest = assignment.replies.filter(status=ReplyStatus.ISSUED).order_by("-round").first()
        # An answer to an older round reopens nothing.
        if assignment.status != AssignmentStatus.REDO and latest is not None and latest.pk == reply.pk:
            assignment.start_redo(
                by=by,
                note=f"{feedback.member.name}对第{reply.round}轮答复不满意：{clip(feedback.opinion, 200)}",
                at=at,
            )
    publish_if_agreed(reply=reply, by=by, at=at, answered=answered)


def _read_with_proposal_and_unit(reply: Reply) -> bool:
    """Whether the caller's reply holds its assignment with the proposal and unit already read."""
    if not Reply.assignment.is_cached(reply):
        return False
    return Assignment.proposal.is_cached(reply.assignment) and Assignment.unit.is_cached(reply.assignment)


def publication_agreed(reply: Reply, *, answered: Feedback | None = None) -> bool:
    """The rule for the public pages: an issued reply the unit marked 主动公开, and every member
    who answers it (BANLI_FEEDBACK_FROM) has a form in that says 是 (as corrected, if it was).

    `answered`: a form sealed just now, in the caller's transaction. It has no correction yet, so
    its answer counts as ticked, and only the other members' forms are read (none when the lead
    alone answers, as by default)."""
    if reply.status != ReplyStatus.ISSUED or reply.publication != Publication.PUBLIC:
        return False
    expected = expected_members(reply)
    consent = {answered.member_id: answered.publish_consent} if answered is not None else {}
    others = [m.pk for m in expected if m.pk not in consent]
    if others:
        consent.update(
            Feedback.objects.submitted()
            .filter(reply=reply, member_id__in=others)
            .with_counted_consent()
            .values_list("member_id", "counted_consent")
        )
    return bool(expected) and all(consent.get(m.pk) is True for m in expected)


@in_chinese
def publish_if_agreed(
    *,
    reply: Reply,
    by: User | None = None,
    at: datetime.datetime | None = None,
    answered: Feedback | None = None,
) -> Disclosure | None:
    """Publish the reply (with its 索引号) when the rule now holds; withdraw a publication that a
    correction no longer supports. Returns the disclosure in force, or None. `at`: now by default.
    `answered`: a form sealed just now, in this transaction (see publication_agreed)."""
    # The reply's row read afresh, with its disclosure (if any); the caller's copy may be older
    # than this transaction. Locked: two members' forms committed in the same instant would each
    # count the consents without the other's form, and the reply both agreed to publish would
    # never be; the second waits here and counts after the first has committed.
    if _read_with_proposal_and_unit(reply):
        # Those as the caller read them (the lead too, if read; else expected_members reads it):
        # the lock is the reply's, and Disclosure.publish locks the unit itself to number the 索引号.
        assignment = reply.assignment
        reply = _locked_reply.get(pk=reply.pk)
        reply.assignment = assignment
    else:
        reply = (
            Reply.objects.select_for_update(of=("self",))
            .select_related("disclosure", "assignment__proposal__lead", "assignment__unit")
            .get(pk=reply.pk)
        )
    existing = getattr(reply, "disclosure", None)
    if existing is None and reply.publication != Publication.PUBLIC:
        return None  # nothing published, nothing to publish
    agreed = publication_agreed(reply, answered=answered)
    a = reply.assignment
    if agreed and existing is None:
        disclosure = Disclosure.objects.publish(reply=reply, at=at)
        Event.record(
            proposal=a.proposal,
            assignment=a,
            verb=EventVerb.PUBLISHED,
            actor=by,
            note=f"索引号 {disclosure.index_number}",
            at=at,
        )
        return disclosure
    if not agreed and existing is not None and existing.withdrawn_at is None:
        Disclosure.objects.filter(pk=existing.pk).update(withdrawn_at=timezone.now())
        Event.record(
            proposal=a.proposal,
            assignment=a,
            verb=EventVerb.PUBLISHED,
            actor=by,
            note=f"撤回公开（索引号 {existing.index_number}）：更正后的意见表不同意公开",
        )
        return None
    return existing if existing is not None and existing.withdrawn_at is None else None


@in_chinese
def resolve_paper_form(
    *,
    feedback: Feedback,
    by: User,
    handling_effect: str,
    satisfaction: str,
    publish_consent: bool,
    confirmed_via: str,
    confirmed_on: datetime.date,
    note: str,
) -> FeedbackCorrection:
    """The office records the answer it confirmed with the member for a 待核实 paper form: a new
    record (FeedbackCorrection) linked to the form, which stays as it was ticked, with its scan.
    The figures and the publication rule count the correction; 不满意 starts 重办.

    Raises TransitionError when the form is not a submitted paper form waiting for a check, or
    the date is before the form was signed or in the future.
    """
    with transaction.atomic():
        current = (
            Feedback.objects.select_for_update()
            .select_related("reply__assignment__proposal", "member")
            .get(pk=feedback.pk)
        )
        if not current.is_submitted or current.channel != Channel.PAPER or not current.needs_attention:
            raise TransitionError(_("只有待核实的纸质意见表才能核实更正。"))
        if current.corrections.exists():
            raise TransitionError(_("该意见表已核实更正过。"))
        signed_on = timezone.localtime(current.submitted_at).date()
        if confirmed_on > timezone.localdate() or confirmed_on < signed_on:
            raise TransitionError(
                _("核实日期应在委员签名日期（%(day)s）与今天之间。") % {"day": f"{signed_on:%Y-%m-%d}"}
            )
        correction = FeedbackCorrection.objects.create(
            feedback=current,
            handling_effect=handling_effect,
            satisfaction=satisfaction,
            publish_consent=publish_consent,
            confirmed_via=confirmed_via,
            confirmed_on=confirmed_on,
            note=note,
            corrected_by=by,
        )
        a = current.reply.assignment
        Event.record(
            proposal=a.proposal,
            assignment=a,
            verb=EventVerb.FEEDBACK_CORRECTED,
            actor=by,
            note=f"{current.member.name}：{correction.get_satisfaction_display()}"
            f"（{correction.confirmed_on:%Y-%m-%d}{correction.get_confirmed_via_display()}核实）：{note}",
        )
        _consequences(current, satisfaction=satisfaction, by=by)
    return correction


def receive(*, feedback: Feedback, by: User, now: datetime.datetime | None = None) -> bool:
    """The office countersigns receipt (签收) once; returns False if it was already received."""
    updated = Feedback.objects.filter(pk=feedback.pk, submitted_at__isnull=False, received_at__isnull=True).update(
        received_by=by, received_at=now or timezone.now()
    )
    if updated:
        _record_receipt(feedback, by=by, at=now)
    return bool(updated)


def _record_receipt(feedback: Feedback, *, by: User | None, at: datetime.datetime | None = None) -> None:
    Event.record(
        proposal=feedback.reply.assignment.proposal,
        assignment=feedback.reply.assignment,
        verb=EventVerb.FEEDBACK_RECEIVED,
        actor=by,
        note=feedback.member.name,
        at=at,
    )


# --- telling people (notifications.services.notify: in the app, e-mail, text message; each once) ---


def link_url(token: str) -> str:
    return site_url() + reverse("feedback:link", args=[token])


def _reply_issued_texts(
    *, member: Member, reply: Reply, proposal: Proposal, url: str, link: FeedbackLink
) -> tuple[str, str, str]:
    context = {"member": member, "reply": reply, "proposal": proposal, "url": url, "link": link}
    subject = _("【办理】%(number)s已答复，请填写办理情况征询意见表") % {"number": proposal.number}
    mail = render_to_string("feedback/email/reply_issued.txt", context)
    sms = _("【办理】%(name)s%(title)s：您的%(number)s已答复，请在%(date)s前打开链接填写征询意见表：%(url)s") % {
        "name": member.name,
        "title": member.title,
        "number": proposal.number,
        "date": f"{link.expires_at:%Y-%m-%d}",
        "url": url,
    }
    return subject, mail, sms


@in_chinese
def notify_reply_issued(reply: Reply, by: User | None = None) -> None:
    """Each expected member who has not answered gets a one-time link to the form by e-mail and
    text message, and (with an account) a notification leading to the reply; once per member and reply."""
    reply = type(reply).objects.select_related("assignment__proposal__lead__user", "assignment__unit").get(pk=reply.pk)
    proposal = reply.assignment.proposal
    submitted = set(Feedback.objects.submitted().filter(reply=reply).values_list("member_id", flat=True))
    key = f"reply_issued:{reply.pk}"
    for member in expected_members(reply):
        if member.pk in submitted or already_notified(key=key, recipient=member):
            continue
        with transaction.atomic():
            link, token = FeedbackLink.issue(reply=reply, member=member)
            subject, mail, sms = _reply_issued_texts(
                member=member, reply=reply, proposal=proposal, url=link_url(token), link=link
            )
            notify(
                event="reply_issued",
                key=key,
                recipients=[member],
                subject=subject,
                text=_("%(unit)s已就%(number)s《%(title)s》作出第%(round)s轮答复，请阅读并填写办理情况征询意见表。")
                % {
                    "unit": reply.assignment.unit.name,
                    "number": proposal.number,
                    "title": proposal.title,
                    "round": reply.round,
                },
                url=reverse("feedback:reply", args=[reply.pk]),
                mail=mail,
                sms=sms,
            )


@in_chinese
def send_new_link(*, reply: Reply, member: Member, by: User, channel: str = "") -> tuple[str, Plan]:
    """The office sends a fresh link (the old one expired or was lost) by e-mail and text message,
    or by `channel` ("email" or "sms") alone; returns (url, plan): the link is shown once to the
    office when the plan sends nothing."""
    link, token = FeedbackLink.issue(reply=reply, member=member)
    url = link_url(token)
    subject, mail, sms = _reply_issued_texts(
        member=member, reply=reply, proposal=reply.assignment.proposal, url=url, link=link
    )
    contact = member.notification_contact()
    plan = notify(
        event="new_link",
        key=f"new_link:{link.pk}",
        # A link is a secret for e-mail and text message: it never goes into the app's list.
        recipients=[
            Contact(
                ref=contact.ref,
                email=contact.email if channel in ("", "email") else "",
                phone=contact.phone if channel in ("", "sms") else "",
            )
        ],
        subject=subject,
        text=mail,
        mail=mail,
        sms=sms,
    )
    Event.record(
        proposal=reply.assignment.proposal,
        assignment=reply.assignment,
        verb=EventVerb.LINK_SENT,
        actor=by,
        note=member.name,
    )
    return url, plan


# A run sends this many notices in one transaction; then their e-mails, then the next batch.
NOTICE_BATCH = 50
MAX_NOTICE_ATTEMPTS = 3


def wake_notice_sender() -> None:
    """After a form is stored: see that a task will send the notices owed. With the database
    queue one task not yet started is enough, since a run reads what is owed when it starts:
    on a busy day the forms of many seconds share one run, not one task each."""
    if not _sender_waiting():
        tell_forms_received.enqueue()


def send_owed_notices() -> int:
    """The daily sweep (remind_feedback): see that the notices still owed are sent, e.g. those of
    forms that came in while the queue was down. Returns how many were owed."""
    owed = ReceivedNotice.objects.filter(attempts__lt=MAX_NOTICE_ATTEMPTS).count()
    if owed:
        wake_notice_sender()
    return owed


def _sender_waiting() -> bool:
    from django_tasks_db import DatabaseBackend  # the deployed queue (deploy/banli.env)

    backend = tell_forms_received.get_backend()
    if not isinstance(backend, DatabaseBackend):
        return False  # the embedded default runs the task at once: nothing waits
    from django_tasks_db.models import DBTaskResult, TaskResultStatus

    return DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=tell_forms_received.module_path, backend_name=backend.alias
    ).exists()


@task()
def tell_forms_received() -> int:
    """Send the "form received" notices owed, oldest first, in batches; returns how many went.

    A notice that fails stays owed, tried again by the next run (MAX_NOTICE_ATTEMPTS in all);
    the run then ends as failed, so the task list shows it."""
    sent = 0
    failed: list[int] = []  # forms whose notice failed in this run: not tried again by it
    while True:
        with transaction.atomic():
            owed = list(
                ReceivedNotice.objects.select_for_update(skip_locked=True)
                .filter(attempts__lt=MAX_NOTICE_ATTEMPTS)
                .exclude(pk__in=failed)
                .order_by("queued_at", "pk")
                .values_list("pk", flat=True)[:NOTICE_BATCH]
            )
            if not owed:
                break
            forms = list(_received_forms().filter(pk__in=owed))
            try:
                with transaction.atomic():
                    _notify_received(forms)
                told = owed
            except Exception:
                # One of them fails: each on its own, so the others still go out.
                logger.warning("A batch of form notices failed; sending them one at a time", exc_info=True)
                told, failing = [], []
                for feedback in forms:
                    try:
                        with transaction.atomic():
                            _notify_received([feedback])
                        told.append(feedback.pk)
                    except Exception:
                        logger.exception("Could not tell the unit and office of form %s", feedback.pk)
                        failing.append(feedback.pk)
                ReceivedNotice.objects.filter(pk__in=failing).update(attempts=F("attempts") + 1)
                failed += failing
            ReceivedNotice.objects.filter(pk__in=told).delete()
            sent += len(told)
    if failed:
        raise RuntimeError(f"Could not send the notices of forms {failed}; they stay owed")
    return sent


def _received_forms() -> Any:
    """Forms with what their notice names: member, reply, unit, proposal and session."""
    return Feedback.objects.select_related("member", "reply__assignment__proposal__session", "reply__assignment__unit")


def _received_recipients(
    assignment: Assignment, units: dict[int, Contact], offices: dict[str, list[User]]
) -> list[Any]:
    """Who hears that a form came in: the unit that wrote the reply and its body's office staff.
    `units` and `offices` keep what was read, so a batch reads each unit and office once."""
    body = assignment.proposal.session.body
    if assignment.unit_id not in units:
        units[assignment.unit_id] = contact_of(assignment.unit)
    if body not in offices:
        offices[body] = list(office_staff(body))
    return [units[assignment.unit_id], *offices[body]]


def _notify_received(forms: list[Feedback]) -> None:
    """notify_feedback_received for each form, reading each unit's and office's recipients once."""
    units: dict[int, Contact] = {}
    offices: dict[str, list[User]] = {}
    for feedback in forms:
        recipients = _received_recipients(feedback.reply.assignment, units, offices)
        notify_feedback_received(feedback, recipients=recipients)


@task()
def tell_form_received(feedback_id: int) -> None:
    """A task queued before notices were owed rows: that form's notice."""
    notify_feedback_received(_received_forms().get(pk=feedback_id))


@in_chinese
def notify_feedback_received(feedback: Feedback, *, recipients: list[Any] | None = None) -> None:
    """The unit that wrote the reply and the office of the body hear that a form came in.

    `feedback` with its member, reply, unit, proposal and session loaded, as tell_forms_received
    reads it; `recipients`: the unit and its office's staff, when the caller has them already."""
    assignment = feedback.reply.assignment
    subject = (
        _("【办理】%(number)s收到%(name)s的征询意见表（不满意，需重办）")
        if feedback.satisfaction == Satisfaction.DISSATISFIED
        else _("【办理】%(number)s收到%(name)s的征询意见表")
    ) % {"number": assignment.proposal.number, "name": feedback.member.name}
    mail = render_to_string(
        "feedback/email/feedback_received.txt",
        {"feedback": feedback, "assignment": assignment, "site_url": site_url()},
    )
    facts = {
        "name": feedback.member.name,
        "round": feedback.reply.round,
        "satisfaction": feedback.get_satisfaction_display() or _("待核实"),
        "effect": feedback.get_handling_effect_display() or _("待核实"),
    }
    notify(
        event="feedback_received",
        key=f"feedback_received:{feedback.pk}",
        recipients=_received_recipients(assignment, {}, {}) if recipients is None else recipients,
        subject=subject,
        text=_("%(name)s对第%(round)s轮答复的评价：%(satisfaction)s；办理效果：%(effect)s。") % facts,
        url=feedback.get_absolute_url(),
        mail=mail,
    )


def on_reply_issued(sender: Any, reply: Reply, by: User | None = None, **kwargs: Any) -> None:
    """Receiver of replies.signals.reply_issued (connected in FeedbackConfig.ready)."""
    if not reply.is_issued:
        return
    try:
        notify_reply_issued(reply, by=by)
    except Exception:
        # Nothing was recorded for the member who failed, so the next signal or the office's
        # "send a new link" button tries again; issuing the reply itself must not fail.
        logger.exception("Could not notify the members of reply %s", reply.pk)
