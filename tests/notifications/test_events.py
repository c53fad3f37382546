"""Each event of the workflow reaches its people once: in the app, by e-mail to those with an
address, by text message to those with a phone (read back from the file backend), and nobody
twice when the same event is told again."""

import datetime

import pytest
from django.core import mail
from django.test import TestCase
from django.urls import reverse

from notifications import sms
from notifications.models import Delivery, Notification
from notifications.services import Contact, notify
from proposals.models import AssignmentRole, AssignmentStatus, Body, RequestKind
from replies.models import ReplyStatus, RequiredElement
from tests import factories as f


def committed():
    """E-mail and text messages go out after the commit; the test's transaction never commits."""
    return TestCase.captureOnCommitCallbacks(execute=True)


@pytest.fixture
def texts(settings, tmp_path):
    """Text messages through the file backend, as a test server sends them."""
    settings.BANLI_SMS_BACKEND = "notifications.sms.FileBackend"
    settings.BANLI_SMS_FILE_PATH = str(tmp_path / "sms")
    return lambda: sms.read_file_outbox(tmp_path / "sms")


@pytest.fixture
def world(db):
    session = f.session(Body.CPPCC)
    unit = f.unit("X市经济和信息化局", "市经信局", email="jxj@example.org", contact_phone="13900000001")
    co_unit = f.unit("Y市财政局", "市财政局", email="czj@example.org")
    silent_unit = f.unit("Z市教育局", "市教育局")  # no address, no phone, no staff
    member_user, member = f.member_user("程玮")
    member.email, member.phone = "chengwei@example.org", "13800000001"
    member.save()
    proposal = f.proposal(session, lead=member, title="关于促进中小企业发展的提案")
    clerk = f.clerk(unit, username="clerk")
    signer = f.signer(unit, username="signer")
    signer.email = "signer@example.org"
    signer.save()
    co_clerk = f.clerk(co_unit, username="co_clerk")
    office = f.office(Body.CPPCC, username="office")
    return type("World", (), locals())


def to(messages):
    return sorted(address for m in messages for address in ([m.to] if isinstance(m.to, str) else m.to))


def test_assigning_tells_the_unit_once_by_mail_text_and_in_the_app(world, texts):
    with committed():
        assignment = world.proposal.assign(unit=world.unit, role=AssignmentRole.LEAD, by=world.office)
    assert to(mail.outbox) == ["jxj@example.org"]
    assert to(texts()) == ["13900000001"]
    assert world.proposal.number in mail.outbox[0].subject
    assert f"{assignment.due_on:%Y-%m-%d}" in mail.outbox[0].body
    told = Notification.objects.filter(event="assigned").values_list("user__username", flat=True)
    assert sorted(told) == ["clerk", "signer"]
    # told again (a retry, a second worker): nothing new goes out
    from proposals import notices

    with committed():
        notices.assigned(assignment)
    assert len(mail.outbox) == 1 and len(texts()) == 1
    assert Notification.objects.filter(event="assigned").count() == 2


def test_a_unit_without_address_or_phone_gets_no_mail_and_no_text(world, texts):
    with committed():
        world.proposal.assign(unit=world.silent_unit, role=AssignmentRole.LEAD, by=world.office)
    assert mail.outbox == [] and texts() == []
    assert not Delivery.objects.exists() and not Notification.objects.exists()


def test_an_imported_answered_share_tells_nobody(world):
    with committed():
        world.proposal.assign(unit=world.unit, role=AssignmentRole.LEAD, by=world.office, answered=True)
    assert mail.outbox == [] and not Notification.objects.exists()


@pytest.mark.parametrize("kind", [RequestKind.RETURN, RequestKind.EXTENSION])
@pytest.mark.parametrize("approve", [True, False])
def test_a_decision_reaches_the_requester_and_the_unit_once(world, kind, approve):
    assignment = f.assignment(world.proposal, world.unit, status=AssignmentStatus.HANDLING)
    world.clerk.email = "clerk@example.org"
    world.clerk.save()
    later = assignment.due_on + datetime.timedelta(days=30)
    request = assignment.request_change(kind=kind, by=world.clerk, reason="需要协调。", requested_due_on=later)
    with committed():
        request.decide(by=world.office, approve=approve, note="同意" if approve else "请继续办理")
    assert to(mail.outbox) == ["clerk@example.org", "jxj@example.org"]
    assert to(sms.outbox) == ["13900000001"]
    body = mail.outbox[0].body
    assert ("同意" if approve else "请继续办理") in body
    if approve and kind == RequestKind.EXTENSION:
        assert f"{later:%Y-%m-%d}" in body
    assert Notification.objects.filter(event="request_decided", user=world.clerk).count() == 1


def test_a_draft_sent_to_the_signer_tells_the_signers_only_each_time(world):
    assignment = f.assignment(world.proposal, world.unit, status=AssignmentStatus.HANDLING)
    f.assignment(world.proposal, world.co_unit, AssignmentRole.CO, status=AssignmentStatus.REPLIED)
    reply = f.reply(assignment, status=ReplyStatus.DRAFT)
    from replies import notices

    with committed():
        notices.awaiting_signoff(reply)
        notices.awaiting_signoff(reply)
    assert to(mail.outbox) == ["signer@example.org"]
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["signer"]
    reply.version += 1  # sent back and handed in again: a new submission, a new notice
    with committed():
        notices.awaiting_signoff(reply)
    assert len(mail.outbox) == 2


def test_an_issued_reply_is_copied_to_the_co_units_and_the_member_gets_a_link(world, texts, client):
    assignment = f.assignment(world.proposal, world.unit, status=AssignmentStatus.AWAITING_SIGNOFF)
    f.assignment(world.proposal, world.co_unit, AssignmentRole.CO, status=AssignmentStatus.REPLIED)
    reply = f.reply(assignment, status=ReplyStatus.AWAITING_SIGNOFF)
    with committed():
        reply.sign_off(by=world.signer, review=False)
    assert to(mail.outbox) == ["chengwei@example.org", "czj@example.org"]
    assert to(texts()) == ["13800000001"]  # the member; the co-unit has no phone
    co_mail = next(m for m in mail.outbox if m.to == ["czj@example.org"])
    assert "抄送" in co_mail.subject
    assert Notification.objects.get(event="reply_issued_co").user == world.co_clerk
    # the member's text carries their own one-time link, which opens the form
    link = texts()[0].text.split("：")[-1]
    path = "/" + link.split("/", 3)[3]
    assert client.get(path).status_code == 302
    # the member's notification in the app leads to the reply, not to the secret link
    notice = Notification.objects.get(event="reply_issued")
    assert notice.user == world.member_user and "/f/" not in notice.url + notice.text


def test_redo_tells_the_unit_and_the_member_the_reason_and_the_new_deadline(world, texts):
    assignment = f.assignment(world.proposal, world.unit, status=AssignmentStatus.REPLIED)
    f.reply(assignment)
    with committed():
        assignment.start_redo(by=world.member_user, note="答复未回应核心诉求。")
    assignment.refresh_from_db()
    due = f"{assignment.due_on:%Y-%m-%d}"
    assert to(mail.outbox) == ["chengwei@example.org", "jxj@example.org"]
    assert to(texts()) == ["13800000001", "13900000001"]
    assert all("答复未回应核心诉求" in m.body and due in m.body for m in mail.outbox)
    member_notice = Notification.objects.get(event="redo_started", user=world.member_user)
    assert member_notice.url == reverse("feedback:portal")


def test_a_failed_text_is_struck_so_the_next_call_sends_it(world, settings):
    settings.BANLI_SMS_BACKEND = "tests.notifications.test_events.BrokenBackend"
    with committed():
        notify(event="test", key="k1", recipients=[world.member], subject="主题", text="内容")
    assert list(Delivery.objects.values_list("channel", flat=True)) == ["email"]
    settings.BANLI_SMS_BACKEND = "notifications.sms.LocmemBackend"
    with committed():
        notify(event="test", key="k1", recipients=[world.member], subject="主题", text="内容")
    assert to(sms.outbox) == ["13800000001"] and len(mail.outbox) == 1


class BrokenBackend(sms.BaseBackend):
    def send_messages(self, messages):
        raise OSError("provider down")


def test_nothing_goes_out_when_the_work_is_rolled_back(world):
    from django.db import transaction

    with committed():
        try:
            with transaction.atomic():
                notify(event="test", key="k2", recipients=[world.member], subject="主题", text="内容")
                raise RuntimeError
        except RuntimeError:
            pass
    assert mail.outbox == [] and sms.outbox == [] and not Notification.objects.exists()


def test_one_address_shared_by_two_recipients_is_written_to_once(world):
    world.clerk.email = "jxj@example.org"
    world.clerk.save()
    with committed():
        plan = notify(event="test", key="k3", recipients=[world.unit, world.clerk], subject="主题", text="内容")
    assert plan.emails == ["jxj@example.org"] and len(mail.outbox) == 1
    assert Notification.objects.filter(user=world.clerk).count() == 1


def test_a_contact_without_accounts_is_not_shown_in_the_app(world):
    with committed():
        notify(
            event="test",
            key="k4",
            recipients=[Contact(ref="member:x", email="x@example.org")],
            subject="主题",
            text="内容",
            url="/me/",
        )
    assert not Notification.objects.exists()
    assert mail.outbox[0].body.endswith("/me/")  # the link made absolute for the e-mail


def test_inactive_users_are_not_told(world):
    world.signer.is_active = False
    world.signer.save()
    with committed():
        notify(event="test", key="k5", recipients=[world.unit], subject="主题", text="内容")
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["clerk"]
    assert to(mail.outbox) == ["jxj@example.org"]  # the unit's own address still gets the mail


def test_a_draft_handed_back_tells_its_drafter_why_and_a_withdrawn_one_tells_the_signers(world, settings):
    RequiredElement.objects.filter(code="contacted").update(severity="off")
    world.clerk.email = "clerk@example.org"
    world.clerk.save()
    assignment = f.assignment(world.proposal, world.unit, status=AssignmentStatus.AWAITING_SIGNOFF)
    reply = f.reply(assignment, status=ReplyStatus.AWAITING_SIGNOFF, drafter=world.clerk)
    with committed():
        reply.send_back(by=world.signer, note="请补充资金安排。")
    assert to(mail.outbox) == ["clerk@example.org"] and "请补充资金安排" in mail.outbox[0].body
    with committed():
        reply.submit(by=world.clerk)
        reply.withdraw(by=world.clerk, note="数据有误")
    # the signer heard of the submission, then of the withdrawal
    assert [m.subject[:5] for m in mail.outbox if m.to == ["signer@example.org"]] == ["【待签发】", "【撤回送签"]


def test_a_unit_with_a_landline_only_gets_no_text(world):
    world.unit.contact_phone = "0714-6288824"
    world.unit.save()
    with committed():
        world.proposal.assign(unit=world.unit, role=AssignmentRole.LEAD, by=world.office)
    assert sms.outbox == [] and to(mail.outbox) == ["jxj@example.org"]


@pytest.mark.django_db(transaction=True)
def test_told_again_after_a_real_commit_nobody_gets_a_second_mail_and_the_connection_stays_usable():
    """As the task worker sends: no surrounding transaction, each delivery recorded by one INSERT.
    The second call's INSERT clashes with the ledger and sends nothing; what follows still runs."""
    unit = f.unit("X市经济和信息化局", "市经信局", email="jxj@example.org")
    for _ in range(2):
        notify(event="test", key="k-autocommit", recipients=[unit], subject="主题", text="内容")
    assert to(mail.outbox) == ["jxj@example.org"]
    assert Delivery.objects.filter(key="k-autocommit").count() == 1
    notify(event="test", key="k-next", recipients=[unit], subject="主题", text="内容")
    assert len(mail.outbox) == 2
