"""The tally (supervision/tally.py) follows every write to the assignments it adds up.

The dashboard, the 见面率 and the annual report count only from it, so a tally that misses a
write is a wrong number on the supervisor's page. Each test writes as the app or around it and
then compares the tally with a recount from scratch.
"""

import datetime
import io
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from proposals.models import Assignment, AssignmentRole, AssignmentStatus, Body, Proposal
from replies.models import ContactMethod, ContactRecord, ResultClass
from supervision import tally
from supervision.models import MeetingTally, Tally
from tests import factories as f
from tests.concurrency.test_threads import run_at_once


def rows():
    """Every row of both tallies, every column but the key."""
    return [
        sorted(model.objects.values_list(*(f.attname for f in model._meta.fields if not f.primary_key)))
        for model in (Tally, MeetingTally)
    ]


def assert_recounted():
    kept = rows()
    tally.refresh()
    assert kept == rows()


@pytest.fixture
def assignment(db):
    return f.assignment(f.proposal(f.session(Body.CPPCC)), f.unit(), assigned_on=datetime.date(2026, 3, 1))


def test_a_new_assignment_is_counted_once(assignment):
    (row,) = Tally.objects.all()
    assert (row.n, row.unit_id, row.role) == (1, assignment.unit_id, AssignmentRole.LEAD)
    (row,) = MeetingTally.objects.all()
    assert (row.n, row.assigned_on, row.contact_days) == (1, assignment.assigned_on, 9999)
    assert_recounted()


def test_replies_forms_and_contacts_move_the_assignment_between_rows(assignment):
    ContactRecord.objects.create(
        assignment=assignment, contacted_on=datetime.date(2026, 3, 4), method=ContactMethod.VISIT, summary="走访"
    )
    reply = f.reply(assignment, written_on=datetime.date(2026, 5, 20))
    f.feedback(reply)
    Assignment.objects.filter(pk=assignment.pk).update(status=AssignmentStatus.REPLIED)
    (row,) = Tally.objects.all()
    assert (row.n, row.replies, row.forms, row.contacted, row.reply_month) == (1, 1, 1, 1, "2026-05")
    assert MeetingTally.objects.get().contact_days == MeetingTally.objects.get().meeting_days == 3
    assert_recounted()
    f.reply(assignment, round=2, result_class=ResultClass.A, written_on=datetime.date(2026, 7, 1))
    assert Tally.objects.get().class_a == 1
    assert_recounted()


def test_a_returned_or_deleted_assignment_leaves_no_row(assignment):
    co = f.assignment(assignment.proposal, f.unit(), role=AssignmentRole.CO)
    Assignment.objects.filter(pk=assignment.pk).update(status=AssignmentStatus.RETURNED)
    assert list(Tally.objects.values_list("role", "n")) == [(AssignmentRole.CO, 1)]
    assert not MeetingTally.objects.exists()  # a co-handling share has no 见面率 of its own
    co.delete()
    assert not Tally.objects.exists()
    assert_recounted()


def test_a_proposal_moved_to_another_session_or_made_key_moves_its_assignments(assignment):
    f.assignment(assignment.proposal, f.unit(), role=AssignmentRole.CO)
    other = f.session(Body.CPPCC, name="另一次会议")
    Proposal.objects.filter(pk=assignment.proposal_id).update(session=other, is_key=True)
    assert set(Tally.objects.values_list("session", "n")) == {(other.pk, 1)}
    assert Tally.objects.count() == 2
    assert list(MeetingTally.objects.values_list("session", "is_key", "n")) == [(other.pk, True, 1)]
    assert_recounted()


def test_two_assignments_with_the_same_facts_share_a_row_until_one_changes(assignment):
    twin = f.assignment(f.proposal(assignment.proposal.session), assignment.unit, assigned_on=assignment.assigned_on)
    Assignment.objects.filter(pk=twin.pk).update(due_on=assignment.due_on, signed_for_on=timezone.localdate())
    assert_recounted()
    Assignment.objects.filter(pk=twin.pk).update(signed_for_on=None)
    assert_recounted()


def test_recount_figures_repairs_a_tally_emptied_around_its_sources(assignment):
    from django.core.management import call_command

    f.feedback(f.reply(assignment))
    Tally.objects.all().delete()
    Assignment.objects.filter(pk=assignment.pk).update(form_count=0)  # the triggers take away from nothing
    call_command("recount_figures", stdout=io.StringIO())
    assert Tally.objects.get().forms == 1
    assert_recounted()


def test_the_demo_data_is_counted_right(db):
    from django.core.management import call_command

    call_command("load_demo", verbosity=0)
    assert_recounted()


@pytest.mark.django_db(transaction=True)
def test_forms_signed_at_the_same_moment_on_assignments_of_one_row_are_all_counted():
    """Members of several proposals signing at once: each trigger adds to the same tally row."""
    tally.refresh()  # what an earlier test's flush left (SQLite empties the tables in no set order)
    session, unit = f.session(Body.CPPCC), f.unit()
    assigned_on = datetime.date(2026, 3, 1)
    replies = [
        f.reply(f.assignment(f.proposal(session), unit, assigned_on=assigned_on), written_on=datetime.date(2026, 5, 20))
        for _ in range(8)
    ]
    assert Tally.objects.get(unit=unit).n == 8

    def sign(i):
        with transaction.atomic():
            f.feedback(replies[i])

    _results, errors = run_at_once(len(replies), sign)
    assert not any(errors)
    row = Tally.objects.get(unit=unit)
    assert (row.n, row.forms, row.returned) == (8, 8, 8)
    assert_recounted()


@pytest.mark.django_db(transaction=True)
def test_a_form_does_not_wait_for_another_members_form_to_the_same_unit_still_being_saved():
    """Two members answering two replies of one unit (one tally row): the second form is stored
    while the first member's transaction is still open, and the row counts both once both commit.
    On PostgreSQL the tally row is locked only at the commit (supervision/figures.py, version 4);
    SQLite writes one transaction at a time, whatever the triggers do."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one transaction write at a time")
    tally.refresh()
    session, unit = f.session(Body.CPPCC), f.unit()
    assigned_on = datetime.date(2026, 3, 1)
    first_reply, second_reply = (
        f.reply(f.assignment(f.proposal(session), unit, assigned_on=assigned_on), written_on=datetime.date(2026, 5, 20))
        for _ in range(2)
    )
    first_saved, second_done = threading.Event(), threading.Event()

    def first():
        try:
            with transaction.atomic():
                f.feedback(first_reply)
                first_saved.set()
                second_done.wait(timeout=30)  # still open while the second member submits
        finally:
            first_saved.set()

    def second():
        try:
            first_saved.wait(timeout=30)
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '5s'")  # waiting on the first fails here
                f.feedback(second_reply)
        finally:
            second_done.set()

    _results, errors = run_at_once(2, lambda i: (first, second)[i]())
    assert not any(errors)
    row = Tally.objects.get(unit=unit)
    assert (row.n, row.forms, row.returned) == (2, 2, 2)
    assert [a.form_count for a in Assignment.objects.filter(unit=unit)] == [1, 1]
    assert_recounted()
