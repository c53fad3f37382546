"""Members who have not answered are reminded once, N days after their first link, with a fresh link."""

import datetime
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from feedback.models import FeedbackLink
from feedback.reminders import remind_unanswered
from notifications import sms
from replies.models import Reply
from replies.signals import reply_issued
from tests import factories as f

from .conftest import form_data


def committed():
    return TestCase.captureOnCommitCallbacks(execute=True)


@pytest.fixture
def sent_long_ago(cast, settings):
    """The reply went out (with its link) 15 days ago; reminders are due after 14."""
    settings.BANLI_FEEDBACK_REMINDER_DAYS = 14
    cast.lead.phone = "13800000001"
    cast.lead.save()
    with committed():
        reply_issued.send(sender=Reply, reply=cast.reply)
    FeedbackLink.objects.update(created_at=timezone.now() - datetime.timedelta(days=15))
    mail.outbox.clear()
    sms.outbox.clear()
    return cast


def test_a_member_who_has_not_answered_is_reminded_once_by_mail_and_text(sent_long_ago, client):
    with committed():
        assert remind_unanswered() == 1
        assert remind_unanswered() == 0
    assert [m.to for m in mail.outbox] == [["chengwei@example.org"]]
    assert "提醒" in mail.outbox[0].subject
    assert [m.to for m in sms.outbox] == ["13800000001"]
    path = re.search(r"https?://[^/\s]+(/f/[\w-]+/)", sms.outbox[0].text).group(1)
    assert client.get(path).status_code == 302  # the fresh link works


def test_a_member_who_answered_is_not_reminded(sent_long_ago, client):
    client.force_login(sent_long_ago.lead_user)
    client.post(f"/me/replies/{sent_long_ago.reply.pk}/feedback/", form_data())
    mail.outbox.clear()
    with committed():
        assert remind_unanswered() == 0
    assert mail.outbox == [] and sms.outbox == []


def test_nobody_is_reminded_before_the_days_have_passed(cast, settings):
    settings.BANLI_FEEDBACK_REMINDER_DAYS = 14
    with committed():
        reply_issued.send(sender=Reply, reply=cast.reply)
        assert remind_unanswered() == 0


def test_replies_never_sent_through_the_system_are_not_reminded_of(cast, settings):
    """An imported old reply has no link: its members are not suddenly asked about it."""
    settings.BANLI_FEEDBACK_REMINDER_DAYS = 1
    f.reply(f.assignment(f.proposal(lead=cast.lead), f.unit()), issued_at=timezone.now() - datetime.timedelta(days=400))
    with committed():
        assert remind_unanswered() == 0


def test_the_command_runs_the_reminders(sent_long_ago, capsys):
    with committed():
        call_command("remind_feedback")
    assert "1" in capsys.readouterr().out
    assert len(mail.outbox) == 1


def test_the_command_can_hand_the_reminders_to_the_task_worker(sent_long_ago, capsys):
    # The embedded default runs tasks at once (BANLI_TASKS_BACKEND=immediate).
    with committed():
        call_command("remind_feedback", "--enqueue")
    assert "后台任务" in capsys.readouterr().out
    assert len(mail.outbox) == 1
