"""Submitting: one row per member and reply, 重办 on 不满意, 「未评价」 until every expected form is in."""

import threading

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from feedback import services
from feedback.forms import OnlineFeedbackForm
from feedback.models import Channel, Feedback, evaluation, expected_members
from proposals.models import AssignmentStatus, Event, EventVerb, ProposalStatus

from .conftest import form_data


@pytest.fixture
def lead_client(client, cast):
    client.force_login(cast.lead_user)
    return client


def valid_form(**data):
    form = OnlineFeedbackForm(form_data(**data))
    assert form.is_valid(), form.errors
    return form


def submit(client, reply, **data):
    return client.post(reverse("feedback:member_form", args=[reply.pk]), form_data(**data))


def test_a_submitted_form_is_one_sealed_online_row(lead_client, cast):
    submit(lead_client, cast.reply)
    feedback = Feedback.objects.get()
    assert feedback.member == cast.lead
    assert feedback.channel == Channel.ONLINE
    assert feedback.methods == ["visit", "phone"]
    assert feedback.submitted_at is not None
    assert feedback.matches_seal()
    assert Event.objects.filter(proposal=cast.proposal, verb=EventVerb.FEEDBACK).exists()


def test_a_double_submit_leaves_one_form(lead_client, cast):
    first = submit(lead_client, cast.reply)
    second = submit(lead_client, cast.reply, satisfaction="dissatisfied", opinion="第二次")
    assert Feedback.objects.count() == 1
    feedback = Feedback.objects.get()
    assert feedback.satisfaction == "satisfied"
    assert first["Location"] == second["Location"] == reverse("feedback:detail", args=[feedback.pk])


def test_after_the_form_is_in_an_incomplete_post_goes_to_it_too(lead_client, cast):
    submit(lead_client, cast.reply)
    response = submit(lead_client, cast.reply, satisfaction="", signature_data="")
    assert response.status_code == 302
    assert response["Location"] == reverse("feedback:detail", args=[Feedback.objects.get().pk])
    assert Feedback.objects.count() == 1


def test_a_second_submit_through_the_service_is_refused(cast):
    form = valid_form()
    services.submit_online(reply=cast.reply, member=cast.lead, form=form)
    with pytest.raises(services.AlreadySubmitted):
        services.submit_online(reply=cast.reply, member=cast.lead, form=form)
    assert Feedback.objects.count() == 1


def test_a_form_stored_between_our_read_and_our_write_is_already_submitted_and_leaves_no_file(
    cast, settings, monkeypatch
):
    """The other tab's insert lands after this request looked for a form and before it wrote its
    own: this one ends as AlreadySubmitted, naming the stored form; its signature file is gone."""
    first = services.submit_online(reply=cast.reply, member=cast.lead, form=valid_form())
    signatures_dir = settings.MEDIA_ROOT / "signatures"
    files_before = sorted(signatures_dir.iterdir())
    # As if our read came before the other tab's write: no form found, a new row to insert.
    monkeypatch.setattr(
        services, "_unsubmitted_form", lambda reply, member, channel: Feedback(reply=reply, member=member)
    )
    with pytest.raises(services.AlreadySubmitted) as refused:
        services.submit_online(reply=cast.reply, member=cast.lead, form=valid_form(satisfaction="dissatisfied"))
    assert refused.value.feedback == first
    assert sorted(signatures_dir.iterdir()) == files_before
    assert Feedback.objects.get().satisfaction == "satisfied"
    assert not Event.objects.filter(verb=EventVerb.REDO).exists()  # nothing of the refused form's 不满意 stays


@pytest.mark.django_db(transaction=True)
def test_two_tabs_submitting_at_once_leave_one_form(cast):
    from django.db import connections

    if connection.vendor == "sqlite":
        pytest.skip("SQLite's in-memory test database is one shared cache; real concurrency is tested on PostgreSQL")
    results = []

    def tab():
        try:
            services.submit_online(reply=cast.reply, member=cast.lead, form=valid_form())
            results.append("stored")
        except services.AlreadySubmitted:
            results.append("already")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=tab) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["already", "stored"]
    assert Feedback.objects.count() == 1


def test_dissatisfied_starts_rehandling_on_the_lead_assignment_and_tells_the_unit(
    lead_client, cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submit(lead_client, cast.reply, satisfaction="dissatisfied", opinion="答复未回应核心诉求。")
    cast.assignment.refresh_from_db()
    cast.proposal.refresh_from_db()
    assert cast.assignment.status == AssignmentStatus.REDO
    assert cast.proposal.status == ProposalStatus.REDO
    assert cast.assignment.days_left() == cast.session.redo_days
    event = Event.objects.get(proposal=cast.proposal, verb=EventVerb.REDO)
    assert event.actor == cast.lead_user
    assert "答复未回应核心诉求" in event.note
    unit_mail = sorted((m for m in mail.outbox if "unit@example.org" in m.to), key=lambda m: m.subject)
    # one for the form that came in, one for the 重办 it started (with the reason and the new deadline)
    assert len(unit_mail) == 2
    received, redo = (m for m in unit_mail if "不满意" in m.subject), (m for m in unit_mail if "【重办】" in m.subject)
    assert "重办" in next(received).body
    redo_body = next(redo).body
    assert "答复未回应核心诉求" in redo_body and f"{cast.assignment.due_on:%Y-%m-%d}" in redo_body


@pytest.mark.django_db(transaction=True)
def test_two_members_dissatisfied_at_once_start_one_rehandling(cast, settings):
    """Both members answer 不满意 in the same instant, each page having read the assignment before
    the other's form was in: the unit gets one 重办 (round 2, one deadline), not a round 3 as well."""
    from django.db import connections

    from replies.models import Reply

    if connection.vendor == "sqlite":
        pytest.skip("SQLite's in-memory test database is one shared cache; real concurrency is tested on PostgreSQL")
    settings.BANLI_FEEDBACK_FROM = "all"
    pages_read = threading.Barrier(2)

    def submit_as(member):
        try:
            reply = Reply.objects.select_related("assignment").get(pk=cast.reply.pk)  # as the form page reads it
            pages_read.wait(timeout=5)
            form = valid_form(satisfaction="dissatisfied", opinion=f"{member.name}：未解决。")
            services.submit_online(reply=reply, member=member, form=form)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit_as, args=(member,)) for member in (cast.lead, cast.cosigner)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Feedback.objects.filter(reply=cast.reply).count() == 2
    assert cast.assignment.current_round == 2
    assert Event.objects.filter(proposal=cast.proposal, verb=EventVerb.REDO).count() == 1


def test_satisfied_does_not_start_rehandling(lead_client, cast):
    submit(lead_client, cast.reply)
    cast.assignment.refresh_from_db()
    assert cast.assignment.status == AssignmentStatus.REPLIED
    assert not Event.objects.filter(verb=EventVerb.REDO).exists()


def test_only_the_lead_answers_by_default(client, cast, settings):
    settings.BANLI_FEEDBACK_FROM = "lead"
    assert expected_members(cast.reply) == [cast.lead]
    client.force_login(cast.co_user)
    assert submit(client, cast.reply).status_code == 404
    assert not Feedback.objects.exists()


def test_every_cosigner_answers_when_configured(client, cast, settings):
    settings.BANLI_FEEDBACK_FROM = "all"
    client.force_login(cast.co_user)
    submit(client, cast.reply)
    assert Feedback.objects.get().member == cast.cosigner


def test_the_reply_shows_unrated_until_every_expected_form_is_in(client, cast, settings):
    settings.BANLI_FEEDBACK_FROM = "all"
    client.force_login(cast.lead_user)
    submit(client, cast.reply)
    page = client.get(reverse("feedback:reply", args=[cast.reply.pk])).content.decode()
    assert "未评价" in page
    client.force_login(cast.co_user)
    submit(client, cast.reply, satisfaction="basically")
    page = client.get(reverse("feedback:reply", args=[cast.reply.pk])).content.decode()
    assert "未评价" not in page
    assert "基本满意" in page  # the lowest of the answers


def test_evaluation_takes_the_lowest_satisfaction(cast):
    forms = [
        Feedback(member=cast.lead, satisfaction="satisfied"),
        Feedback(member=cast.cosigner, satisfaction="dissatisfied"),
    ]
    assert str(evaluation([cast.lead, cast.cosigner], forms)) == "不满意"
    assert str(evaluation([cast.lead, cast.cosigner], forms[:1])) == "未评价"


def test_a_reply_not_yet_issued_has_no_form(client, cast):
    from replies.models import ReplyStatus
    from tests import factories

    draft = factories.reply(cast.assignment, status=ReplyStatus.DRAFT, round=2)
    client.force_login(cast.lead_user)
    assert submit(client, draft).status_code == 404


def test_the_submit_costs_a_bounded_number_of_queries(lead_client, cast, django_assert_max_num_queries):
    with django_assert_max_num_queries(30):
        submit(lead_client, cast.reply)
    assert connection.vendor in ("sqlite", "postgresql")
