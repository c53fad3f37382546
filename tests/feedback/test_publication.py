"""Publication by rule: a reply is public only once every member who answers it said 是 and the unit
marked it 主动公开; it gets its 索引号 then, from the configured scheme."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from feedback import services
from feedback.forms import OnlineFeedbackForm
from feedback.models import Feedback
from proposals.models import AssignmentStatus
from replies.models import Disclosure, Publication
from tests import factories

from .conftest import form_data


def submit(client, user, reply, **answers):
    client.force_login(user)
    client.post(reverse("feedback:member_form", args=[reply.pk]), form_data(**answers))
    client.logout()


def public_titles(client):
    return [item["title"] for item in client.get(reverse("supervision:public")).context["items"]]


@pytest.fixture
def every_member_answers(settings):
    settings.BANLI_FEEDBACK_FROM = "all"


@pytest.fixture
def coded(cast):
    cast.unit.disclosure_code = "011043170"
    cast.unit.save()
    return cast


def test_one_members_yes_publishes_nothing_while_another_is_pending(client, coded, every_member_answers):
    cast = coded
    submit(client, cast.lead_user, cast.reply, publish_consent="yes")
    assert Feedback.objects.count() == 1
    assert public_titles(client) == []
    assert client.get(reverse("supervision:public_detail", args=[cast.reply.pk])).status_code == 404

    submit(client, cast.co_user, cast.reply, publish_consent="yes")
    assert public_titles(client) == [cast.reply.title]
    page = client.get(reverse("supervision:public")).content.decode()
    assert f"011043170/{timezone.localdate().year}-00001" in page  # given at publication, from the scheme


def test_one_no_keeps_it_off_the_public_pages(client, coded, every_member_answers):
    cast = coded
    submit(client, cast.lead_user, cast.reply, publish_consent="yes")
    submit(client, cast.co_user, cast.reply, publish_consent="no")
    assert public_titles(client) == []


def test_only_the_lead_answers_by_default_and_their_yes_publishes(client, coded):
    submit(client, coded.lead_user, coded.reply, publish_consent="yes")
    assert public_titles(client) == [coded.reply.title]


def test_a_reply_the_unit_did_not_mark_for_publication_stays_off_whatever_the_members_say(client, cast):
    reply = factories.reply(
        factories.assignment(factories.proposal(cast.session, lead=cast.lead), factories.unit()),
        publication=Publication.ON_REQUEST,
    )
    submit(client, cast.lead_user, reply, publish_consent="yes")
    assert public_titles(client) == []


def test_index_numbers_follow_the_units_sequence_and_the_configured_scheme(client, cast, settings):
    from replies.models import Disclosure

    settings.BANLI_INDEX_NUMBER_FORMAT = "HS-{code}-{year}-{serial:04d}"
    cast.unit.disclosure_code = "JXJ"
    cast.unit.save()
    second = factories.reply(factories.assignment(factories.proposal(cast.session, lead=cast.lead), cast.unit))
    submit(client, cast.lead_user, cast.reply, publish_consent="yes")
    submit(client, cast.lead_user, second, publish_consent="yes")
    year = timezone.localdate().year
    assert list(Disclosure.objects.order_by("serial").values_list("index_number", flat=True)) == [
        f"HS-JXJ-{year}-0001",
        f"HS-JXJ-{year}-0002",
    ]


def test_the_public_page_masks_the_contact_details(client, cast):
    reply = factories.reply(
        factories.assignment(factories.proposal(cast.session, lead=cast.lead), cast.unit),
        body="现答复如下：\n如有疑问请致电13912345678，微信号：hs_jx2021。",
    )
    submit(client, cast.lead_user, reply, publish_consent="yes")
    page = client.get(reverse("supervision:public_detail", args=[reply.pk])).content.decode()
    assert "13912345678" not in page and "hs_jx2021" not in page
    assert "[已隐去]" in page


@pytest.mark.django_db(transaction=True)
def test_the_last_two_yeses_arriving_at_once_still_publish(coded, every_member_answers, monkeypatch):
    """A proposal with three members: the lead has answered 是, and the two co-signers answer 是 in
    the same instant. Each submission reads the consents before the other's form is committed;
    unless one waits for the other, each sees a form missing, and the reply that all three agreed
    to publish never is."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's in-memory test database is one shared cache; real concurrency is tested on PostgreSQL")
    cast = coded
    _, third = factories.member_user(name="李华", username="lihua")
    proposal = factories.proposal(session=cast.session, lead=cast.lead, cosigners=[cast.cosigner, third])
    reply = factories.reply(factories.assignment(proposal, cast.unit, status=AssignmentStatus.REPLIED))
    checked = threading.Barrier(2)
    agreed = services.publication_agreed

    def reading_together(reply, **kwargs):
        """Both submissions read the consents before either commits, if nothing stops them."""
        result = agreed(reply, **kwargs)
        try:
            checked.wait(timeout=2)
        except threading.BrokenBarrierError:
            pass  # the other submission waits for this one to commit: it reads after it
        return result

    def submit_as(member):
        try:
            form = OnlineFeedbackForm(form_data(publish_consent="yes"))
            assert form.is_valid()
            services.submit_online(reply=reply, member=member, form=form)
        finally:
            connections.close_all()

    submit_as(cast.lead)
    monkeypatch.setattr(services, "publication_agreed", reading_together)
    threads = [threading.Thread(target=submit_as, args=(member,)) for member in (cast.cosigner, third)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Feedback.objects.submitted().filter(reply=reply).count() == 3
    assert Disclosure.objects.filter(reply=reply, withdrawn_at__isnull=True).count() == 1
    assert public_titles(Client()) == [reply.title]
