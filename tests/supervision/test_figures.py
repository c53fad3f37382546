"""Each assignment's figures (supervision/figures.py) follow every write, whoever makes it.

The dashboard reads replies, forms, contacts and opinions only through these fields, so a
figure that lags one write is a wrong number on the supervisor's page.
"""

import datetime
import functools
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from feedback.models import Channel, Feedback, Satisfaction
from proposals.models import CONTACT_FIGURES, FIGURES, Assignment, AssignmentRole, Body
from replies.models import CoHandlingOpinion, ContactMethod, ContactRecord, Reply, ReplyStatus, ResultClass
from supervision import figures, tally
from tests import factories as f
from tests.concurrency import at_once

FIELDS = FIGURES + CONTACT_FIGURES


def figures_of(assignment):
    return dict(Assignment.objects.filter(pk=assignment.pk).values(*FIELDS).get())


def counted(assignment):
    """The same figures, counted afresh in Python from the rows themselves."""
    issued = sorted(
        Reply.objects.filter(assignment=assignment, status=ReplyStatus.ISSUED), key=lambda r: (r.round, r.result_class)
    )
    forms = list(Feedback.objects.filter(reply__in=issued, submitted_at__isnull=False).prefetch_related("corrections"))
    opinions = [timezone.localtime(o.submitted_at).date() for o in assignment.co_opinions.all()]
    first_round = [d.due_on for d in assignment.deadlines.filter(round=1)]
    assignment.refresh_from_db(fields=["assigned_on"])
    since = [c for c in assignment.contacts.all() if c.contacted_on >= assignment.assigned_on]
    face = [c for c in since if c.method in (ContactMethod.VISIT, ContactMethod.MEETING, ContactMethod.FORUM)]
    return {
        "first_due_on": max(first_round, default=None),
        "first_reply_on": min((r.written_on for r in issued), default=None),
        "first_opinion_on": min(opinions, default=None),
        "latest_class": issued[-1].result_class if issued else "",
        "contact_count": assignment.contacts.count(),
        "form_count": len(forms),
        "satisfied_count": sum(fb.effective_satisfaction == Satisfaction.SATISFIED for fb in forms),
        "basically_count": sum(fb.effective_satisfaction == Satisfaction.BASICALLY for fb in forms),
        "dissatisfied_count": sum(fb.effective_satisfaction == Satisfaction.DISSATISFIED for fb in forms),
        "silent_count": sum(fb.effective_satisfaction == "" for fb in forms),
        "first_contact_on": min((c.contacted_on for c in since), default=None),
        "first_meeting_on": min((c.contacted_on for c in face), default=None),
    }


@pytest.fixture
def assignment(db):
    return f.assignment(f.proposal(f.session(Body.CPPCC)), f.unit(), assigned_on=datetime.date(2026, 3, 1))


def test_a_new_assignment_has_nothing_counted_but_its_deadline(assignment):
    assert (
        figures_of(assignment)
        == counted(assignment)
        == {
            **dict.fromkeys(FIELDS, 0),
            "first_due_on": assignment.due_on,
            "first_reply_on": None,
            "first_opinion_on": None,
            "latest_class": "",
            "first_contact_on": None,
            "first_meeting_on": None,
        }
    )


def test_issuing_replies_and_a_second_round_update_the_date_and_the_class(assignment):
    draft = f.reply(assignment, status=ReplyStatus.DRAFT, result_class=ResultClass.B)
    assert figures_of(assignment)["first_reply_on"] is None  # a draft is not a reply yet

    Reply.objects.filter(pk=draft.pk).update(  # as signing off does, without the model's help
        status=ReplyStatus.ISSUED, written_on=datetime.date(2026, 5, 20), issued_at=timezone.now()
    )
    assert figures_of(assignment)["first_reply_on"] == datetime.date(2026, 5, 20)
    assert figures_of(assignment)["latest_class"] == ResultClass.B

    f.reply(assignment, round=2, result_class=ResultClass.A, written_on=datetime.date(2026, 7, 1))
    assert figures_of(assignment)["first_reply_on"] == datetime.date(2026, 5, 20)
    assert figures_of(assignment)["latest_class"] == ResultClass.A
    assert figures_of(assignment) == counted(assignment)


def test_forms_are_counted_by_satisfaction_only_once_signed(assignment):
    reply = f.reply(assignment)
    members = [f.member() for _ in range(4)]
    waiting = f.feedback(reply, members[0], submitted_at=None)
    f.feedback(reply, members[1], satisfaction=Satisfaction.BASICALLY)
    bulk = [
        Feedback(reply=reply, member=members[2], channel=Channel.ONLINE, by_visit=True, handling_effect="solved",
                 satisfaction=Satisfaction.DISSATISFIED, publish_consent=True, submitted_at=timezone.now()),
        Feedback(reply=reply, member=members[3], channel=Channel.PAPER, handling_effect="", satisfaction="",
                 needs_attention="多选", submitted_at=timezone.now()),
    ]  # fmt: skip
    for form in bulk:
        form.seal_now()
    Feedback.objects.bulk_create(bulk)  # bulk_create skips model signals; the database still counts
    assert figures_of(assignment) | {"first_reply_on": None} == counted(assignment) | {"first_reply_on": None}
    assert figures_of(assignment)["form_count"] == 3
    assert (figures_of(assignment)["basically_count"], figures_of(assignment)["dissatisfied_count"]) == (1, 1)
    assert figures_of(assignment)["silent_count"] == 1

    waiting.satisfaction, waiting.submitted_at = Satisfaction.SATISFIED, timezone.now()
    waiting.seal_now()
    waiting.save()
    assert figures_of(assignment)["form_count"] == 4
    assert figures_of(assignment)["satisfied_count"] == 1


def test_forms_on_an_unissued_reply_do_not_count(assignment):
    reply = f.reply(assignment, status=ReplyStatus.IN_REVIEW, written_on=datetime.date(2026, 5, 20))
    f.feedback(reply)
    assert figures_of(assignment)["form_count"] == 0
    assert figures_of(assignment)["first_reply_on"] is None


def test_contacts_are_counted_as_they_come_and_go(assignment):
    contact = ContactRecord.objects.create(
        assignment=assignment, contacted_on=datetime.date(2026, 3, 5), method=ContactMethod.PHONE, summary="电话"
    )
    ContactRecord.objects.create(
        assignment=assignment, contacted_on=datetime.date(2026, 3, 9), method=ContactMethod.VISIT, summary="走访"
    )
    assert figures_of(assignment)["contact_count"] == 2
    assert (figures_of(assignment)["first_contact_on"], figures_of(assignment)["first_meeting_on"]) == (
        datetime.date(2026, 3, 5),
        datetime.date(2026, 3, 9),
    )
    contact.delete()
    assert figures_of(assignment)["contact_count"] == 1
    assert figures_of(assignment)["first_contact_on"] == datetime.date(2026, 3, 9)
    assert figures_of(assignment) == counted(assignment)


def test_the_first_contacts_count_from_the_assignments_own_date(assignment):
    ContactRecord.objects.create(
        assignment=assignment, contacted_on=datetime.date(2026, 3, 5), method=ContactMethod.VISIT, summary="走访"
    )
    ContactRecord.objects.create(
        assignment=assignment, contacted_on=datetime.date(2026, 3, 20), method=ContactMethod.PHONE, summary="电话"
    )
    # A contact changed to another day and way, and the 交办 date corrected, both around the model.
    ContactRecord.objects.filter(method=ContactMethod.VISIT).update(method=ContactMethod.LETTER)
    assert figures_of(assignment)["first_meeting_on"] is None
    Assignment.objects.filter(pk=assignment.pk).update(assigned_on=datetime.date(2026, 3, 10))
    assert figures_of(assignment)["first_contact_on"] == datetime.date(2026, 3, 20)
    assert figures_of(assignment) == counted(assignment)


def test_a_contact_moved_to_another_assignment_leaves_the_first(assignment):
    other = f.assignment(f.proposal(assignment.proposal.session), f.unit())
    contact = ContactRecord.objects.create(
        assignment=assignment, contacted_on=datetime.date(2026, 3, 5), method=ContactMethod.PHONE, summary="电话"
    )
    ContactRecord.objects.filter(pk=contact.pk).update(assignment=other)
    assert (figures_of(assignment)["contact_count"], figures_of(other)["contact_count"]) == (0, 1)


def test_an_opinion_half_an_hour_after_midnight_in_beijing_counts_for_the_new_day(db):
    lead = f.assignment(f.proposal(f.session(Body.NPC)), f.unit())
    co = f.assignment(lead.proposal, f.unit(), role=AssignmentRole.CO)
    # 2026-06-30 16:30 UTC is 2026-07-01 00:30 in Beijing: the opinion came on 1 July.
    CoHandlingOpinion.objects.create(
        assignment=co,
        body="会办意见",
        submitted_by=f.user(),
        submitted_at=datetime.datetime(2026, 6, 30, 16, 30, tzinfo=datetime.UTC),
    )
    assert figures_of(co)["first_opinion_on"] == datetime.date(2026, 7, 1)
    assert figures_of(co) == counted(co)


def test_refresh_all_repairs_figures_written_around_the_triggers(assignment):
    f.feedback(f.reply(assignment))
    Assignment.objects.filter(pk=assignment.pk).update(form_count=99, latest_class="D")
    figures.refresh_all()
    assert figures_of(assignment) == counted(assignment)
    assert figures_of(assignment)["form_count"] == 1


def test_the_demo_data_is_counted_right(db):
    from django.core.management import call_command

    call_command("load_demo", verbosity=0)
    for a in Assignment.objects.all():
        assert figures_of(a) == counted(a), a


@pytest.mark.django_db(transaction=True)
def test_forms_signed_at_the_same_moment_for_one_assignment_are_all_counted():
    """Several members of one proposal signing at once: each trigger counts after the others commit."""
    assignment = f.assignment(f.proposal(f.session(Body.CPPCC)), f.unit())
    reply = f.reply(assignment)
    members = [f.member() for _ in range(8)]
    barrier = threading.Barrier(len(members))

    def sign(member):
        barrier.wait(timeout=30)
        with transaction.atomic():
            f.feedback(reply, member)

    assert at_once(*(functools.partial(sign, m) for m in members)) == []
    assert figures_of(assignment)["form_count"] == 8 == Feedback.objects.filter(reply=reply).count()


@pytest.mark.django_db
def test_every_figures_and_tally_trigger_plans_its_statements_once_per_connection():
    """A form's submission fires these triggers; planned afresh at each call, they took longer
    than running them (bench/submit_profile.py). A trigger version that forgets the setting fails here."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite plans a trigger with the statement that fires it")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT p.proname, p.proconfig FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE NOT t.tgisinternal AND (p.proname LIKE '%%\\_figures' OR p.proname LIKE '%%\\_tally\\_%%')"
        )
        functions = dict(cursor.fetchall())
    assert sorted(functions) == sorted(figures.function_names() + tally.function_names())
    assert {
        name: config for name, config in functions.items() if config != ["plan_cache_mode=force_generic_plan"]
    } == {}
