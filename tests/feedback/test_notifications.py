"""E-mail and text messages: the member when a reply is issued (with a one-time link), the unit
and the office when feedback arrives; each once."""

import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse

from feedback.models import Feedback, FeedbackLink, ReceivedNotice
from notifications import sms
from notifications.models import Delivery, Notification
from replies.models import Reply
from replies.signals import reply_issued

from .conftest import form_data


def committed():
    """Mail goes out after the commit; the test's own transaction never commits, so run what waits for it."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def issue(reply, by=None):
    with committed():
        reply_issued.send(sender=Reply, reply=reply, by=by)


def test_issuing_a_reply_mails_the_lead_a_working_one_time_link(client, cast, settings):
    settings.BANLI_SITE_URL = "https://banli.example.org"
    issue(cast.reply, by=cast.clerk)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["chengwei@example.org"]
    assert cast.proposal.number in message.subject
    url = re.search(r"https://banli\.example\.org(/f/[\w-]+/)", message.body).group(1)
    assert FeedbackLink.objects.get().member == cast.lead
    response = client.get(url)
    assert response.status_code == 302
    assert "办理情况征询意见表" in client.get(response["Location"]).content.decode()


def test_the_signal_twice_sends_once_and_makes_one_link(cast):
    issue(cast.reply)
    issue(cast.reply)
    assert len(mail.outbox) == 1
    assert FeedbackLink.objects.count() == 1
    assert Delivery.objects.filter(event="reply_issued").count() == 1
    assert Notification.objects.filter(event="reply_issued", user=cast.lead_user).count() == 1


def test_every_cosigner_gets_a_link_when_all_give_feedback(cast, settings):
    settings.BANLI_FEEDBACK_FROM = "all"
    issue(cast.reply)
    assert sorted(m.to[0] for m in mail.outbox) == ["chengwei@example.org", "wang@example.org"]
    assert {link.member for link in FeedbackLink.objects.all()} == {cast.lead, cast.cosigner}


def test_a_member_without_an_address_is_told_in_the_app_only(cast):
    cast.lead_user.email = ""
    cast.lead_user.save()
    issue(cast.reply)
    assert mail.outbox == [] and sms.outbox == []
    assert not Delivery.objects.exists()
    assert Notification.objects.get().user == cast.lead_user


def test_a_member_with_a_phone_gets_one_text_message_with_a_working_link(client, cast):
    cast.lead.phone = "13800000001"
    cast.lead.save()
    issue(cast.reply)
    issue(cast.reply)
    assert [m.to for m in sms.outbox] == ["13800000001"]
    url = re.search(r"https?://[^/\s]+(/f/[\w-]+/)", sms.outbox[0].text).group(1)
    assert client.get(url).status_code == 302
    assert len(mail.outbox) == 1


def test_a_draft_reply_sends_nothing(cast):
    cast.reply.status = "draft"
    issue(cast.reply)
    assert mail.outbox == []
    assert not FeedbackLink.objects.exists()


def test_the_unit_and_the_office_hear_once_when_feedback_arrives(client, cast):
    cast.office.email = "office@example.org"
    cast.office.save()
    client.force_login(cast.lead_user)
    with committed():
        client.post(reverse("feedback:member_form", args=[cast.reply.pk]), form_data())
    assert sorted(m.to[0] for m in mail.outbox) == ["office@example.org", "unit@example.org"]
    assert all("程玮" in m.subject for m in mail.outbox)
    # in the app: the unit's clerk and the office (the NPC office hears nothing of a CPPCC proposal)
    told = set(Notification.objects.filter(event="feedback_received").values_list("user__username", flat=True))
    assert told == {"clerk", "office"}
    from feedback import services

    with committed():
        services.notify_feedback_received(Feedback.objects.get())
    assert len(mail.outbox) == 2


def test_a_mail_failure_does_not_lose_the_form(client, cast, monkeypatch):
    from django.core.mail import EmailMessage

    def broken(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(EmailMessage, "send", broken)
    client.force_login(cast.lead_user)
    with committed():
        response = client.post(reverse("feedback:member_form", args=[cast.reply.pk]), form_data())
    assert response.status_code == 302
    assert Feedback.objects.count() == 1
    assert not Delivery.objects.exists()  # not recorded, so it can be sent later


@pytest.mark.parametrize("who", ["office"])
def test_the_office_can_send_a_new_link(client, cast, who):
    client.force_login(getattr(cast, who))
    with committed():
        response = client.post(reverse("feedback:send_link", args=[cast.reply.pk, cast.lead.pk]))
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["chengwei@example.org"]


@pytest.mark.parametrize("who", ["clerk", "npc_office", "lead_user"])
def test_others_cannot_send_links(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.post(reverse("feedback:send_link", args=[cast.reply.pk, cast.lead.pk])).status_code == 404
    assert mail.outbox == []


def test_supervisors_read_the_ledger_in_the_admin_and_others_do_not(client, cast):
    issue(cast.reply)
    url = reverse("admin:notifications_delivery_changelist")
    client.force_login(cast.supervisor)
    response = client.get(url)
    assert response.status_code == 200 and "chengwei@example.org" in response.content.decode()
    client.force_login(cast.office)
    assert client.get(url).status_code == 403
    client.force_login(cast.clerk)
    assert client.get(url).status_code == 302  # unit staff have no admin at all


@pytest.mark.parametrize("channel", ["sms", "email"])
def test_the_office_sends_a_new_link_by_text_or_by_mail_from_its_inbox(client, cast, channel):
    cast.lead.phone = "13800000001"
    cast.lead.save()
    client.force_login(cast.office)
    inbox = client.get(reverse("feedback:office")).content.decode()
    assert 'value="sms"' in inbox and 'value="email"' in inbox
    with committed():
        response = client.post(
            reverse("feedback:send_link", args=[cast.reply.pk, cast.lead.pk]), {"channel": channel, "next": "inbox"}
        )
    assert response["Location"] == reverse("feedback:office")
    if channel == "sms":
        assert [m.to for m in sms.outbox] == ["13800000001"] and mail.outbox == []
    else:
        assert [m.to for m in mail.outbox] == [["chengwei@example.org"]] and sms.outbox == []
    assert not Notification.objects.exists()  # a link is a secret: never in the app's list


def test_a_member_without_a_mobile_gets_no_text_button_and_the_link_is_shown_once(client, cast):
    client.force_login(cast.office)
    page = client.get(reverse("feedback:paper_entry", args=[cast.reply.pk])).content.decode()
    assert 'value="email"' in page and 'value="sms"' not in page
    with committed():
        response = client.post(
            reverse("feedback:send_link", args=[cast.reply.pk, cast.lead.pk]), {"channel": "sms"}, follow=True
        )
    assert "没有登记手机号" in response.content.decode() and "/f/" in response.content.decode()
    assert sms.outbox == [] and mail.outbox == []


def test_the_member_reads_why_and_by_when_the_reply_is_redone(client, cast):
    client.force_login(cast.lead_user)
    with committed():
        client.post(
            reverse("feedback:member_form", args=[cast.reply.pk]),
            form_data(satisfaction="dissatisfied", opinion="答复未回应核心诉求。"),
        )
    cast.assignment.refresh_from_db()
    due = cast.assignment.due_on
    for url in (reverse("feedback:portal"), reverse("feedback:reply", args=[cast.reply.pk])):
        page = client.get(url).content.decode()
        assert "重新办理中（第2轮）" in page, url
        assert f"{due.year}年{due.month}月{due.day}日" in page and "答复未回应核心诉求" in page, url
    # and was told so by mail, with the same facts
    redo = next(m for m in mail.outbox if "【重办】" in m.subject and m.to == ["chengwei@example.org"])
    assert f"{due:%Y-%m-%d}" in redo.body


def _worker_queue(settings, monkeypatch):
    """Tasks queued in the database, as deploy/banli.env has it, for `_run_worker` to run."""
    from django_tasks_db.management.commands import db_worker

    # The worker drops stale connections between tasks; the test's own connection must stay open.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _run_worker():
    with committed():
        call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", verbosity=0)


def _submit_as(client, user, reply):
    client.force_login(user)
    with committed():
        response = client.post(reverse("feedback:member_form", args=[reply.pk]), form_data())
    assert response.status_code == 302


def test_with_a_task_worker_the_submission_waits_for_no_mail_and_the_worker_sends_it(
    client, cast, settings, monkeypatch
):
    _worker_queue(settings, monkeypatch)
    cast.office.email = "office@example.org"
    cast.office.save()
    client.force_login(cast.lead_user)
    with committed():
        response = client.post(reverse("feedback:member_form", args=[cast.reply.pk]), form_data())
    assert response.status_code == 302 and Feedback.objects.count() == 1
    assert mail.outbox == []  # nothing sent while the member waited
    assert not Notification.objects.filter(event="feedback_received").exists()
    _run_worker()
    assert sorted(m.to[0] for m in mail.outbox) == ["office@example.org", "unit@example.org"]
    told = set(Notification.objects.filter(event="feedback_received").values_list("user__username", flat=True))
    assert told == {"clerk", "office"}


def test_forms_that_come_in_while_the_worker_is_busy_share_one_task_and_each_is_told(
    client, cast, settings, monkeypatch
):
    from django_tasks_db.models import DBTaskResult

    _worker_queue(settings, monkeypatch)
    settings.BANLI_FEEDBACK_FROM = "all"  # the lead and the co-signer each answer
    _submit_as(client, cast.lead_user, cast.reply)
    _submit_as(client, cast.co_user, cast.reply)
    assert DBTaskResult.objects.count() == 1  # the second form found a task not yet started
    assert ReceivedNotice.objects.count() == 2
    _run_worker()
    told = sorted(m.subject for m in mail.outbox if m.to == ["unit@example.org"])
    assert len(told) == 2 and "程玮" in told[0] + told[1] and "王秋红" in told[0] + told[1]
    assert not ReceivedNotice.objects.exists()


def test_a_form_that_comes_in_while_the_notices_are_being_sent_gets_a_task_of_its_own(
    client, cast, settings, monkeypatch
):
    from django_tasks_db.models import DBTaskResult, TaskResultStatus

    _worker_queue(settings, monkeypatch)
    settings.BANLI_FEEDBACK_FROM = "all"
    _submit_as(client, cast.lead_user, cast.reply)
    # The worker has taken that task and read what is owed: the next form must not count on it.
    DBTaskResult.objects.update(status=TaskResultStatus.RUNNING)
    _submit_as(client, cast.co_user, cast.reply)
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1
    _run_worker()
    assert sorted(m.to[0] for m in mail.outbox) == ["unit@example.org", "unit@example.org"]


@pytest.mark.parametrize("mode", [[], ["--enqueue"]], ids=["run", "enqueued"])
def test_a_queue_that_is_down_loses_no_notice_the_daily_run_sends_it(client, cast, monkeypatch, mode):
    from django_tasks.backends.immediate import ImmediateBackend

    def down(*args, **kwargs):
        raise ConnectionError("queue down")

    monkeypatch.setattr(ImmediateBackend, "enqueue", down)
    _submit_as(client, cast.lead_user, cast.reply)  # the member's form is stored all the same
    assert Feedback.objects.count() == 1 and mail.outbox == []
    assert ReceivedNotice.objects.count() == 1
    monkeypatch.undo()
    with committed():
        call_command("remind_feedback", *mode, stdout=io.StringIO())
    assert [m.to for m in mail.outbox] == [["unit@example.org"]]
    assert not ReceivedNotice.objects.exists()


def test_a_notice_that_fails_does_not_hold_up_the_others_and_stays_owed(client, cast, settings, monkeypatch):
    from django_tasks.backends.immediate import ImmediateBackend

    from feedback import services

    settings.BANLI_FEEDBACK_FROM = "all"
    monkeypatch.setattr(ImmediateBackend, "enqueue", lambda *args, **kwargs: None)  # sent below, by hand
    _submit_as(client, cast.lead_user, cast.reply)
    _submit_as(client, cast.co_user, cast.reply)
    told = services.notify_feedback_received

    def broken_for_the_lead(feedback, **kwargs):
        if feedback.member == cast.lead:
            raise ValueError("a template error")
        told(feedback, **kwargs)

    monkeypatch.setattr(services, "notify_feedback_received", broken_for_the_lead)
    with pytest.raises(RuntimeError, match="stay owed"), committed():
        services.tell_forms_received.call()
    assert len(mail.outbox) == 1 and "王秋红" in mail.outbox[0].subject
    owed = ReceivedNotice.objects.get()
    assert owed.feedback.member == cast.lead and owed.attempts == 1


def test_a_notice_task_queued_for_one_form_still_tells_its_unit(client, cast, settings, monkeypatch):
    from feedback import services

    _submit_as(client, cast.lead_user, cast.reply)
    mail.outbox.clear()
    _worker_queue(settings, monkeypatch)
    with committed():
        services.tell_form_received.enqueue(Feedback.objects.get().pk)  # as the queue may hold it from before
    _run_worker()
    assert [m.to for m in mail.outbox] == []  # told once already: the key sends nothing twice
    Delivery.objects.all().delete()
    Notification.objects.all().delete()
    with committed():
        services.tell_form_received.enqueue(Feedback.objects.get().pk)
    _run_worker()
    assert [m.to for m in mail.outbox] == [["unit@example.org"]]


def test_failures_in_later_batches_count_once_against_each_form(client, cast, settings, monkeypatch):
    from django_tasks.backends.immediate import ImmediateBackend

    from feedback import services

    settings.BANLI_FEEDBACK_FROM = "all"
    monkeypatch.setattr(ImmediateBackend, "enqueue", lambda *args, **kwargs: None)
    _submit_as(client, cast.lead_user, cast.reply)
    _submit_as(client, cast.co_user, cast.reply)

    def broken(feedback, **kwargs):
        raise ValueError("a template error")

    monkeypatch.setattr(services, "notify_feedback_received", broken)
    monkeypatch.setattr(services, "NOTICE_BATCH", 1)  # each form a batch of its own
    with pytest.raises(RuntimeError, match="stay owed"), committed():
        services.tell_forms_received.call()
    assert sorted(ReceivedNotice.objects.values_list("attempts", flat=True)) == [1, 1]
