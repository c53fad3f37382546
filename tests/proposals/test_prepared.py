"""Prepared look-ups (proposals/prepared.py): the same rows and objects as the queryset they are
written as, with each call's values bound, and their SQL compiled once per connection."""

import datetime
import threading
from unittest import mock

import pytest
from django.db import connection, connections, transaction
from django.db.models import Count
from django.db.models.sql.compiler import SQLCompiler
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from feedback.models import FeedbackLink
from proposals.models import Assignment, HandlingUnit, Proposal
from proposals.prepared import Param, Prepared
from replies.models import Reply
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_replies():
    unit = factories.unit(name="市教育局")
    replies = []
    for title in ("关于校园安全的提案", "关于课后服务的提案"):
        proposal = factories.proposal(title=title)
        replies.append(factories.reply(factories.assignment(proposal, unit)))
    return replies


def reply_with_its_parts():
    return Prepared(
        lambda: (
            Reply.objects.select_related("assignment__unit", "assignment__proposal__lead")
            .annotate(assignments_of_proposal=Count("assignment__proposal__assignments"))
            .filter(pk=Param("pk", Reply._meta.pk))
        )
    )


def test_a_prepared_look_up_finds_what_the_queryset_finds_with_its_related_objects(two_replies):
    first, second = two_replies
    lookup = reply_with_its_parts()
    for reply in (first, second, first):
        with CaptureQueriesContext(connection) as queries:
            found = lookup.get(pk=reply.pk)
            # Everything select_related named came in the one query.
            assert found.assignment.proposal.lead.name == reply.assignment.proposal.lead.name
            assert found.assignment.unit.name == "市教育局"
        assert len(queries) == 1
        assert found == reply and found.title == reply.title
        assert found.assignment.proposal.title == reply.assignment.proposal.title
        assert found.assignments_of_proposal == 1  # the annotation, as the queryset names it
        assert found._state.db == "default" and not found._state.adding  # saved in place, like any loaded row
    assert lookup.first(pk=second.pk + 1000) is None
    with pytest.raises(Reply.DoesNotExist):
        lookup.get(pk=second.pk + 1000)


def test_its_sql_is_compiled_once_and_each_call_binds_its_own_values(two_replies):
    lookup = reply_with_its_parts()
    compiles = mock.patch.object(SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql)
    with compiles as as_sql:
        titles = [lookup.get(pk=reply.pk).assignment.proposal.title for reply in [*two_replies, *two_replies]]
    assert titles == ["关于校园安全的提案", "关于课后服务的提案"] * 2
    assert as_sql.call_count == 1


def test_a_datetime_value_is_compared_as_the_database_stores_it(db):
    """SQLite keeps datetimes as text: the value is adapted by the Param's field, as in a filter."""
    reply = factories.reply(factories.assignment(factories.proposal(), factories.unit()))
    member = reply.assignment.proposal.lead
    link, _token = FeedbackLink.issue(reply=reply, member=member)
    usable = Prepared(
        lambda: FeedbackLink.objects.filter(
            pk=Param("pk", FeedbackLink._meta.pk), expires_at__gt=Param("now", FeedbackLink.expires_at.field)
        )
    )
    assert usable.first(pk=link.pk, now=timezone.now()) == link
    assert usable.first(pk=link.pk, now=link.expires_at - datetime.timedelta(seconds=1)) == link
    assert usable.first(pk=link.pk, now=link.expires_at) is None
    assert usable.first(pk=link.pk, now=link.expires_at + datetime.timedelta(days=1)) is None


@pytest.mark.django_db(transaction=True)
def test_each_thread_compiles_on_its_own_connection_and_finds_the_same(two_replies):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's in-memory test database is one shared cache; threads are tested on PostgreSQL")
    lookup = reply_with_its_parts()
    titles = {}

    def look_up(reply):
        try:
            titles[reply.pk] = lookup.get(pk=reply.pk).assignment.proposal.title
        finally:
            connections["default"].close()

    threads = [threading.Thread(target=look_up, args=(reply,)) for reply in two_replies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert titles == {reply.pk: reply.assignment.proposal.title for reply in two_replies}
    assert lookup.get(pk=two_replies[0].pk) == two_replies[0]  # and this thread, on its own connection


def test_every_value_is_named_and_only_those(two_replies):
    lookup = reply_with_its_parts()
    with pytest.raises(TypeError, match="pk"):
        lookup.get()
    with pytest.raises(TypeError, match="round"):
        lookup.get(pk=two_replies[0].pk, round=1)


def test_a_model_instance_stands_for_its_key_and_none_is_refused(two_replies):
    first, _second = two_replies
    of_proposal = Prepared(
        lambda: Assignment.objects.filter(proposal=Param("proposal", Assignment.proposal.field)).order_by("pk")
    )
    assert of_proposal.all(proposal=first.assignment.proposal) == [first.assignment]
    assert of_proposal.all(proposal=first.assignment.proposal_id) == [first.assignment]
    with pytest.raises(ValueError, match="None"):
        of_proposal.all(proposal=None)


def test_more_than_one_row_for_a_single_look_up_is_an_error_not_a_guess(two_replies):
    by_unit = Prepared(lambda: Assignment.objects.filter(unit=Param("unit", Assignment.unit.field)))
    unit = two_replies[0].assignment.unit
    assert len(by_unit.all(unit=unit)) == 2
    with pytest.raises(Assignment.MultipleObjectsReturned):
        by_unit.first(unit=unit)


@pytest.mark.django_db(transaction=True)
def test_a_locking_look_up_runs_only_inside_a_transaction_every_time():
    if not connection.features.has_select_for_update:
        pytest.skip("SQLite locks the whole database: select_for_update is left out of its SQL")
    unit = factories.unit()
    locked = Prepared(
        lambda: HandlingUnit.objects.select_for_update().filter(pk=Param("pk", HandlingUnit._meta.pk)).order_by()
    )
    with pytest.raises(TransactionManagementError):
        locked.get(pk=unit.pk)
    with transaction.atomic():
        assert locked.get(pk=unit.pk) == unit
    # Compiled by now: the check is made on every call, not only when compiling.
    with pytest.raises(TransactionManagementError):
        locked.get(pk=unit.pk)


def test_values_lists_and_prefetching_are_refused():
    with pytest.raises(ValueError, match="model instances"):
        Prepared(lambda: Proposal.objects.filter(pk=Param("pk", Proposal._meta.pk)).values_list("pk")).all(pk=1)
    with pytest.raises(ValueError, match="model instances"):
        Prepared(
            lambda: Proposal.objects.prefetch_related("assignments").filter(pk=Param("pk", Proposal._meta.pk))
        ).all(pk=1)
