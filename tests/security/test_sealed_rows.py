"""What is sealed stays as it is, whoever writes: an issued reply (it still takes its sealed scan
and, once, its delivery time), a submitted feedback form (its receipt, once), a correction, a
文号 given, a publication. The database refuses UPDATE and DELETE (proposals/guards.py)."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from feedback import sealing as feedback_sealing
from replies import sealing as replies_sealing
from replies.models import Reply, ReplyStatus
from tests import factories as f

GUARDS = [*replies_sealing.GUARDS, *feedback_sealing.GUARDS]


def refused(work):
    with pytest.raises(IntegrityError), transaction.atomic():
        work()


@pytest.fixture
def issued(db):
    return f.reply(f.assignment(f.proposal(), f.unit()))


@pytest.mark.parametrize(
    "changes",
    [
        {"title": "改过的标题"},
        {"body": "改过的正文"},
        {"result_class": "D"},
        {"doc_number": "另一个文号"},
        {"written_on": datetime.date(2020, 1, 1)},
        {"status": ReplyStatus.DRAFT},
        {"publication": "private"},
        {"version": 99},
    ],
)
def test_an_issued_reply_refuses_any_change(issued, changes):
    refused(lambda: Reply.objects.filter(pk=issued.pk).update(**changes))


def test_an_issued_reply_cannot_be_deleted(issued):
    refused(lambda: Reply.objects.filter(pk=issued.pk).delete())
    assert Reply.objects.filter(pk=issued.pk).exists()


def test_an_issued_reply_takes_its_scan_and_once_its_delivery(issued):
    issued.sealed_scan.save("scan.pdf", ContentFile(b"%PDF-1.4 scan"), save=False)
    assert Reply.objects.filter(pk=issued.pk).update(sealed_scan=issued.sealed_scan.name) == 1
    assert Reply.objects.filter(pk=issued.pk).update(sealed_scan="replies/scans/again.pdf") == 1  # replaced
    delivered = timezone.now()
    assert Reply.objects.filter(pk=issued.pk).update(delivered_at=delivered) == 1
    refused(lambda: Reply.objects.filter(pk=issued.pk).update(delivered_at=delivered + datetime.timedelta(days=1)))


def test_a_draft_still_changes_and_may_be_removed(db):
    draft = f.reply(f.assignment(f.proposal(), f.unit()), status=ReplyStatus.DRAFT)
    assert Reply.objects.filter(pk=draft.pk).update(title="新标题") == 1
    assert Reply.objects.filter(pk=draft.pk).delete()[0] == 1


def test_issuing_is_allowed_once_and_is_then_final(db):
    draft = f.reply(f.assignment(f.proposal(), f.unit()), status=ReplyStatus.AWAITING_SIGNOFF, written_on=None)
    assert Reply.objects.filter(pk=draft.pk).update(
        status=ReplyStatus.ISSUED, issued_at=timezone.now(), written_on=timezone.localdate()
    )
    refused(lambda: Reply.objects.filter(pk=draft.pk).update(status=ReplyStatus.AWAITING_SIGNOFF))


@pytest.mark.parametrize("guard", GUARDS, ids=[g.table for g in GUARDS])
def test_each_trigger_covers_every_column_of_its_table(db, guard):
    """A column added to a sealed table after its trigger was made would be left open on SQLite;
    the migration that adds it must install the trigger again (proposals/guards.install)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sql FROM sqlite_master WHERE type='trigger' AND name=%s", [f"{guard.name}_update"])
            sql = cursor.fetchone()[0]
            columns = guard.columns(connection)
            unprotected = [c for c in columns if c not in guard.mutable and f'NEW."{c}" IS OLD."{c}"' not in sql]
            assert unprotected == []
            cursor.execute("SELECT 1 FROM sqlite_master WHERE type='trigger' AND name=%s", [f"{guard.name}_delete"])
            assert cursor.fetchone() is not None
        else:
            cursor.execute("SELECT 1 FROM pg_trigger WHERE tgname=%s", [guard.name])
            assert cursor.fetchone() is not None  # compares whole rows: every column, now and later
