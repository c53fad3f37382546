"""Many people at once: numbers stay unique, a double submission leaves one form.

Each thread has its own database connection, as each gunicorn worker thread would. On SQLite
the test database is a file (see tests/conftest.py) in WAL mode with BEGIN IMMEDIATE, so
writers queue on the lock; on PostgreSQL `register` locks the session row.
"""

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from feedback.models import Feedback
from proposals.models import Body, Proposal
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)


def run_at_once(count, work):
    """Start `count` threads together on `work(i)`; return (results, errors) in thread order."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, [None] * count

    def target(i):
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as exc:  # collected and asserted on below
            errors[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    return results, errors


def test_the_test_database_is_one_that_threads_can_share():
    if connection.vendor == "sqlite":
        assert not connection.is_in_memory_db()
        assert connection.cursor().execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_fifty_offices_registering_at_once_get_fifty_different_numbers():
    session = f.session(Body.CPPCC, number_format="委员提案〔{year}〕{serial}号", year=2026)
    lead = f.member()

    def register(i):
        return Proposal.objects.register(session=session, lead=lead, title=f"同时登记的提案{i}", by=None).number

    numbers, errors = run_at_once(50, register)

    assert [e for e in errors if e] == []
    assert len(set(numbers)) == 50
    stored = Proposal.objects.filter(session=session)
    assert stored.count() == 50
    assert sorted(stored.values_list("serial", flat=True)) == list(range(1, 51))
    assert set(stored.values_list("number", flat=True)) == set(numbers)


def test_a_feedback_form_submitted_twice_at_once_is_stored_once():
    session = f.session(Body.CPPCC)
    proposal = f.proposal(session)
    reply = f.reply(f.assignment(proposal, f.unit()))
    member = proposal.lead

    def submit(i):
        with transaction.atomic():
            return f.feedback(reply, member, opinion=f"第{i}次提交").pk

    results, errors = run_at_once(8, submit)

    saved = [pk for pk in results if pk]
    assert len(saved) == 1
    assert all(isinstance(e, IntegrityError) for e in errors if e), errors
    assert sum(1 for e in errors if e) == 7
    assert Feedback.objects.filter(reply=reply, member=member).count() == 1


def test_two_clerks_saving_one_draft_at_the_same_moment_one_wins_the_other_gets_the_conflict_page():
    from django.test import Client

    from proposals.models import AssignmentStatus
    from replies.models import Reply, ReplyStatus
    from tests.cast import reply_data

    unit = f.unit("X局", "X局")
    clerks = [f.clerk(unit, username=f"clerk{i}") for i in range(2)]
    assignment = f.assignment(f.proposal(), unit, status=AssignmentStatus.HANDLING)
    draft = f.reply(assignment, status=ReplyStatus.DRAFT, body="起草的正文")
    clients = []
    for clerk in clerks:
        client = Client()
        client.force_login(clerk)
        clients.append(client)
    url = f"/replies/{draft.pk}/edit/"

    for attempt in range(3):  # several rounds: each one a fresh race on the current version
        version = Reply.objects.get(pk=draft.pk).version
        texts = [f"第{attempt}轮甲的正文", f"第{attempt}轮乙的正文"]  # as stored: replies/body.py normalises

        def save(i, version=version, texts=texts):
            response = clients[i].post(url, reply_data(version=version, body=texts[i]))
            return response.status_code, response.content.decode()

        results, errors = run_at_once(2, save)

        assert errors == [None, None]
        statuses = sorted(status for status, _body in results)
        assert statuses == [302, 409], statuses
        winner = next(i for i, (status, _body) in enumerate(results) if status == 302)
        loser = 1 - winner
        saved = Reply.objects.get(pk=draft.pk)
        assert saved.body == texts[winner]
        assert saved.version == version + 1
        conflict_page = results[loser][1]
        assert "保存冲突" in conflict_page
        assert texts[loser] in conflict_page  # what the loser typed is on the page, to merge
        assert texts[winner] in conflict_page  # beside what is now saved
