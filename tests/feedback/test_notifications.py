"""E-mail and text messages: the member when a reply is issued (with a one-time link), the unit
and the office when feedback arrives; each once."""

import re

import pytest
from django.core import mail
from django.test import TestCase
from django.urls import reverse

from feedback.models import Feedback, FeedbackLink
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
