"""A 待核实 paper form (the seed's double tick) is resolved by the office with the member: the answer
confirmed is a new record linked to the form, which stays as it was ticked, with its scan."""

import datetime
import re

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from feedback.models import Feedback
from proposals.models import Assignment, AssignmentStatus, Event, EventVerb

from .test_portal_and_office import paper


@pytest.fixture
def pending(client, cast):
    """The seed's form: 满意 and 不满意 both ticked, 是否公开 left blank, entered from paper."""
    client.force_login(cast.office)
    client.post(
        reverse("feedback:paper_entry", args=[cast.reply.pk]),
        {"member": cast.lead.pk, **paper(signed_on=str(timezone.localdate() - datetime.timedelta(days=3)))},
    )
    client.logout()
    return Feedback.objects.get()


def resolution(**overrides):
    data = {
        "handling_effect": "solved",
        "satisfaction": "satisfied",
        "publish_consent": "yes",
        "confirmed_via": "phone",
        "confirmed_on": str(timezone.localdate()),
        "note": "电话联系程玮委员本人，确认为“满意”，同意公开。",
    }
    data.update(overrides)
    return data


def test_the_office_sees_the_form_as_ticked_and_its_scan_and_records_the_confirmed_answer(client, cast, pending):
    assert pending.is_pending_check
    client.force_login(cast.office)
    url = reverse("feedback:resolve", args=[pending.pk])
    page = client.get(url).content.decode()
    assert pending.needs_attention in page
    assert reverse("feedback:paper_scan", args=[pending.pk]) in page

    response = client.post(url, resolution())

    assert response["Location"] == reverse("feedback:detail", args=[pending.pk])
    form = Feedback.objects.get()
    correction = form.corrections.get()
    assert (correction.satisfaction, correction.publish_consent, correction.corrected_by) == (
        "satisfied",
        True,
        cast.office,
    )
    # The form itself is as the member ticked it, and still proves it.
    assert (form.satisfaction, form.publish_consent) == ("", None)
    assert form.matches_seal()
    assert not form.is_pending_check
    # Counted as confirmed: no longer 未表态, and published now that the member agreed.
    figures = Assignment.objects.values("satisfied_count", "silent_count").get(pk=cast.assignment.pk)
    assert figures == {"satisfied_count": 1, "silent_count": 0}
    assert client.get(reverse("supervision:public_detail", args=[cast.reply.pk])).status_code == 200
    event = Event.objects.get(verb=EventVerb.FEEDBACK_CORRECTED)
    assert event.actor == cast.office and "电话联系" in event.note
    detail = client.get(reverse("feedback:detail", args=[form.pk])).content.decode()
    assert "核实更正" in detail and "纸质表原有疑问" in detail


def test_a_confirmed_dissatisfaction_starts_a_new_round(client, cast, pending):
    client.force_login(cast.office)
    url = reverse("feedback:resolve", args=[pending.pk])
    # 重办 cannot be taken back: the page asks once more, with what was entered kept.
    asked = client.post(url, resolution(satisfaction="dissatisfied")).content.decode()
    assert "转入重办" in asked and 'name="confirmed" value="redo"' in asked
    assert re.search(r'value="dissatisfied"[^>]*checked', asked)
    cast.assignment.refresh_from_db()
    assert cast.assignment.status != AssignmentStatus.REDO
    assert not pending.corrections.exists()
    client.post(url, resolution(satisfaction="dissatisfied", confirmed="redo"))
    cast.assignment.refresh_from_db()
    assert cast.assignment.status == AssignmentStatus.REDO
    assert cast.assignment.dissatisfied_count == 1


def test_a_reply_published_on_the_ticked_consent_is_withdrawn_when_the_office_confirms_no(client, cast):
    """Only the satisfaction needs a check, and the member ticked 是: the reply goes public at once.
    When the member tells the office 否 after all, the confirmed answer counts and it is withdrawn."""
    client.force_login(cast.office)
    signed_on = str(timezone.localdate() - datetime.timedelta(days=3))
    client.post(
        reverse("feedback:paper_entry", args=[cast.reply.pk]),
        {"member": cast.lead.pk, **paper(publish_consent=["yes"], signed_on=signed_on)},
    )
    form = Feedback.objects.get()
    assert form.is_pending_check and form.publish_consent is True
    public = reverse("supervision:public_detail", args=[cast.reply.pk])
    assert client.get(public).status_code == 200

    client.post(reverse("feedback:resolve", args=[form.pk]), resolution(publish_consent="no"))

    assert form.corrections.get().publish_consent is False
    assert client.get(public).status_code == 404
    withdrawn = Event.objects.get(verb=EventVerb.PUBLISHED, note__startswith="撤回公开")
    assert withdrawn.actor == cast.office


def test_a_date_before_the_form_was_signed_or_in_the_future_is_explained(client, cast, pending):
    client.force_login(cast.office)
    url = reverse("feedback:resolve", args=[pending.pk])
    for day in (timezone.localdate() - datetime.timedelta(days=30), timezone.localdate() + datetime.timedelta(days=1)):
        response = client.post(url, resolution(confirmed_on=str(day)))
        assert response.status_code == 200
        assert "核实日期应在委员签名日期" in response.content.decode()
    assert not pending.corrections.exists()


def test_only_the_office_of_the_body_resolves_and_only_once(client, cast, pending):
    for user in (cast.clerk, cast.npc_office, cast.supervisor, cast.lead_user):
        client.force_login(user)
        assert client.get(reverse("feedback:resolve", args=[pending.pk])).status_code == 404
    client.force_login(cast.office)
    client.post(reverse("feedback:resolve", args=[pending.pk]), resolution())
    again = client.post(reverse("feedback:resolve", args=[pending.pk]), resolution(satisfaction="dissatisfied"))
    assert again.status_code == 302
    assert pending.corrections.count() == 1


def test_a_correction_is_never_changed_or_deleted(client, cast, pending):
    client.force_login(cast.office)
    client.post(reverse("feedback:resolve", args=[pending.pk]), resolution())
    correction = pending.corrections.get()
    for change in (
        lambda: type(correction).objects.filter(pk=correction.pk).update(satisfaction="dissatisfied"),
        lambda: type(correction).objects.filter(pk=correction.pk).delete(),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            change()


def test_the_verify_page_shows_the_form_as_ticked_and_the_confirmed_answer(client, cast, pending):
    client.force_login(cast.office)
    client.post(reverse("feedback:resolve", args=[pending.pk]), resolution())
    client.logout()
    page = client.get(reverse("feedback:verify", args=[pending.verification_code])).content.decode()
    assert "系统存档完好" in page
    assert "核实更正" in page
