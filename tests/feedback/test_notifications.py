"""E-mail: the member when a reply is issued (with a one-time link), the unit when feedback arrives; each once."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from feedback.models import Feedback, FeedbackLink, Notification, NotificationKind
from replies.models import Reply
from replies.signals import reply_issued

from .conftest import form_data


def issue(reply, by=None):
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
    assert Notification.objects.filter(kind=NotificationKind.REPLY_ISSUED).count() == 1


def test_every_cosigner_gets_a_link_when_all_give_feedback(cast, settings):
    settings.BANLI_FEEDBACK_FROM = "all"
    issue(cast.reply)
    assert sorted(m.to[0] for m in mail.outbox) == ["chengwei@example.org", "wang@example.org"]
    assert {link.member for link in FeedbackLink.objects.all()} == {cast.lead, cast.cosigner}


def test_a_member_without_an_address_is_recorded_not_mailed(cast):
    cast.lead_user.email = ""
    cast.lead_user.save()
    issue(cast.reply)
    assert mail.outbox == []
    assert "无邮箱" in Notification.objects.get().note


def test_a_draft_reply_sends_nothing(cast):
    cast.reply.status = "draft"
    issue(cast.reply)
    assert mail.outbox == []
    assert not FeedbackLink.objects.exists()


def test_the_unit_is_mailed_once_when_feedback_arrives(client, cast, django_capture_on_commit_callbacks):
    client.force_login(cast.lead_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("feedback:member_form", args=[cast.reply.pk]), form_data())
    messages = [m for m in mail.outbox if "unit@example.org" in m.to]
    assert len(messages) == 1
    assert set(messages[0].to) == {"unit@example.org", "clerk@example.org"}
    assert "程玮" in messages[0].subject
    from feedback import services

    services.notify_feedback_received(Feedback.objects.get())
    assert len([m for m in mail.outbox if "unit@example.org" in m.to]) == 1


def test_a_mail_failure_does_not_lose_the_form(client, cast, django_capture_on_commit_callbacks, monkeypatch):
    from feedback import services

    def broken(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(services, "send_mail", broken)
    client.force_login(cast.lead_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("feedback:member_form", args=[cast.reply.pk]), form_data())
    assert response.status_code == 302
    assert Feedback.objects.count() == 1
    assert not Notification.objects.exists()  # not recorded, so it can be sent later


@pytest.mark.parametrize("who", ["office"])
def test_the_office_can_send_a_new_link(client, cast, who):
    client.force_login(getattr(cast, who))
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
    url = reverse("admin:feedback_notification_changelist")
    client.force_login(cast.supervisor)
    response = client.get(url)
    assert response.status_code == 200 and "chengwei@example.org" in response.content.decode()
    client.force_login(cast.office)
    assert client.get(url).status_code == 403
    client.force_login(cast.clerk)
    assert client.get(url).status_code == 302  # unit staff have no admin at all
