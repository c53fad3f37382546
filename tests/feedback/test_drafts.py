"""Forms that forgive: what a member types is kept as a draft (bounded, theirs alone) and put
back into the form when they come back, even after their link session ran out."""

import datetime
import re

from django.urls import reverse
from django.utils import timezone

from feedback.models import FeedbackDraft, FeedbackLink
from feedback.views.form import DRAFT_MAX_BYTES

from .conftest import form_data

OPINION = "第三条措施尚未落实，希望明年再议。"


def draft_url(reply):
    return reverse("feedback:member_draft", args=[reply.pk])


def open_link(client, cast):
    _link, token = FeedbackLink.issue(reply=cast.reply, member=cast.lead)
    client.logout()
    client.get(reverse("feedback:link", args=[token]))


def test_a_members_answers_are_kept_and_put_back_into_the_form(client, cast):
    client.force_login(cast.lead_user)
    response = client.post(
        draft_url(cast.reply), {"satisfaction": "basically", "methods": ["visit"], "opinion": OPINION}
    )
    assert response.status_code == 200 and "saved_at" in response.json()
    page = client.get(reverse("feedback:member_form", args=[cast.reply.pk])).content.decode()
    assert OPINION in page
    assert re.search(r'<input[^>]*name="satisfaction" value="basically"[^>]*checked', page)
    assert re.search(r'<input[^>]*name="methods" value="visit"[^>]*checked', page)
    assert "已恢复您" in page


def test_a_draft_survives_an_expired_link_session_and_returns_with_the_next_link(client, cast):
    open_link(client, cast)
    assert client.post(reverse("feedback:link_draft"), {"opinion": OPINION}).status_code == 200
    # the hour is up: the session is gone, the next autosave is refused, the draft stays
    client.cookies.clear()
    assert client.post(reverse("feedback:link_draft"), {"opinion": "更多"}).status_code == 404
    assert FeedbackDraft.objects.get().data["opinion"] == OPINION
    open_link(client, cast)  # the office sends a new link, or the reminder does
    page = client.get(reverse("feedback:link_form")).content.decode()
    assert OPINION in page
    assert "data-expires-at=" in page  # the page warns before this session ends


def test_submitting_removes_the_draft_and_later_autosaves_are_refused(client, cast):
    client.force_login(cast.lead_user)
    client.post(draft_url(cast.reply), {"opinion": OPINION})
    client.post(reverse("feedback:member_form", args=[cast.reply.pk]), form_data())
    assert not FeedbackDraft.objects.exists()
    assert client.post(draft_url(cast.reply), {"opinion": "迟到的"}).status_code == 409
    assert not FeedbackDraft.objects.exists()


def test_a_draft_is_bounded(client, cast):
    client.force_login(cast.lead_user)
    too_long = client.post(draft_url(cast.reply), {"opinion": "长" * 5001})
    assert too_long.status_code == 400 and too_long.json()["fields"] == ["opinion"]
    two = client.post(draft_url(cast.reply), {"satisfaction": "nonsense"})
    assert two.status_code == 400
    huge = client.post(
        draft_url(cast.reply), data="x" * (DRAFT_MAX_BYTES + 1), content_type="application/x-www-form-urlencoded"
    )
    assert huge.status_code == 413
    assert not FeedbackDraft.objects.exists()


def test_nobody_else_keeps_or_reads_a_members_draft(client, cast):
    FeedbackDraft.keep(reply=cast.reply, member=cast.lead, data={"opinion": OPINION})
    for user in (cast.clerk, cast.office, cast.outsider_user):
        client.force_login(user)
        assert client.post(draft_url(cast.reply), {"opinion": "x"}).status_code == 404
    assert FeedbackDraft.objects.get().data == {"opinion": OPINION}
    client.force_login(cast.co_user)  # a co-signer does not answer (BANLI_FEEDBACK_FROM=lead)
    assert client.post(draft_url(cast.reply), {"opinion": "x"}).status_code == 404


def test_an_old_link_session_cannot_autosave(client, cast):
    open_link(client, cast)
    FeedbackLink.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert client.post(reverse("feedback:link_draft"), {"opinion": OPINION}).status_code == 404
