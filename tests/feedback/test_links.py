"""One-time links: bound to one member and one reply, expiring, spent on submit, token never kept in the URL."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback.models import Feedback, FeedbackLink
from tests import factories

from .conftest import form_data


@pytest.fixture
def link(cast):
    return FeedbackLink.issue(reply=cast.reply, member=cast.lead)


def open_link(client, token):
    return client.get(reverse("feedback:link", args=[token]))


def test_a_link_is_exchanged_for_a_session_and_a_clean_url(client, link):
    _, token = link
    response = open_link(client, token)
    assert response.status_code == 302
    assert response["Location"] == reverse("feedback:link_form")
    assert token not in response["Location"]
    assert response["Referrer-Policy"] == "no-referrer"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "办理情况征询意见表" in page.content.decode()
    assert token not in page.content.decode()


def test_opening_a_link_never_keeps_the_session_key_the_browser_came_with(client, cast, link):
    _, token = link
    open_link(client, token)
    first = client.cookies["sessionid"].value
    _, second_token = FeedbackLink.issue(reply=cast.reply, member=cast.lead)
    open_link(client, second_token)
    assert client.cookies["sessionid"].value != first
    assert client.get(reverse("feedback:link_form")).status_code == 200


def test_only_a_hash_of_the_token_is_stored(link):
    obj, token = link
    assert token not in obj.token_sha256
    assert obj.token_sha256 == FeedbackLink.hash_token(token)


def test_the_link_expires_after_the_configured_days(cast, settings):
    settings.BANLI_FEEDBACK_LINK_DAYS = 30
    obj, _ = FeedbackLink.issue(reply=cast.reply, member=cast.lead)
    assert obj.expires_at - obj.created_at == datetime.timedelta(days=30)


def assert_invalid_page(response, cast):
    assert response.status_code == 404
    page = response.content.decode()
    assert "这个链接不能再使用" in page
    assert "如何获得新链接" in page
    assert "政协提案委" in page
    for secret in (cast.proposal.number, cast.proposal.title, cast.lead.name, cast.unit.name, cast.reply.title):
        assert secret not in page


def test_a_tampered_link_shows_a_clear_page_and_nothing_about_the_proposal(client, cast, link):
    _, token = link
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    response = open_link(client, tampered)
    assert_invalid_page(response, cast)
    assert response["Referrer-Policy"] == "no-referrer"
    assert client.get(reverse("feedback:link_form")).status_code == 404


def test_the_token_page_never_sends_a_referer(client, link):
    _, token = link
    assert open_link(client, token)["Referrer-Policy"] == "no-referrer"
    assert open_link(client, "forged-token")["Referrer-Policy"] == "no-referrer"


def test_an_expired_link_is_refused(client, cast):
    obj, token = FeedbackLink.issue(
        reply=cast.reply, member=cast.lead, now=timezone.now() - datetime.timedelta(days=31)
    )
    assert_invalid_page(open_link(client, token), cast)


def test_a_link_is_refused_after_the_form_is_submitted(client, cast, link):
    _, token = link
    open_link(client, token)
    client.post(reverse("feedback:link_form"), form_data())
    assert Feedback.objects.get().member == cast.lead
    other_browser = client.__class__()
    assert_invalid_page(open_link(other_browser, token), cast)


def test_submitting_through_the_link_needs_no_account_and_shows_the_confirmation(client, cast, link):
    _, token = link
    open_link(client, token)
    response = client.post(reverse("feedback:link_form"), form_data(), follow=True)
    feedback = Feedback.objects.get()
    assert response.redirect_chain[-1][0] == reverse("feedback:detail", args=[feedback.pk])
    page = response.content.decode()
    assert "征询意见表已提交" in page
    assert feedback.verification_code in page
    assert FeedbackLink.objects.get().used_at is not None


def test_the_link_session_sees_only_its_own_form(client, cast, link):
    other_reply = factories.reply(factories.assignment(factories.proposal(lead=cast.lead), cast.unit))
    others = factories.feedback(other_reply, member=cast.lead)
    _, token = link
    open_link(client, token)
    assert client.get(reverse("feedback:detail", args=[others.pk])).status_code == 404
    assert client.get(reverse("feedback:signature", args=[others.pk])).status_code == 404
    assert client.get(reverse("feedback:reply", args=[other_reply.pk])).status_code == 302  # login page
    assert client.get(reverse("feedback:portal")).status_code == 302


def test_a_link_session_ends_with_the_session_setting(client, cast, link, settings):
    settings.BANLI_FEEDBACK_LINK_SESSION_SECONDS = 900
    _, token = link
    open_link(client, token)
    assert client.session.get_expiry_age() == 900


def test_a_link_bound_to_a_cosigner_fills_the_cosigners_form(client, cast, settings):
    settings.BANLI_FEEDBACK_FROM = "all"
    _, token = FeedbackLink.issue(reply=cast.reply, member=cast.cosigner)
    open_link(client, token)
    client.post(reverse("feedback:link_form"), form_data())
    assert Feedback.objects.get().member == cast.cosigner
