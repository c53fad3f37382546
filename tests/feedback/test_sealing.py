"""Submitted means sealed: the database refuses changes; the hash and code prove what was signed."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from feedback import sealing
from feedback.models import Feedback, HandlingEffect, Satisfaction
from tests import factories

from .conftest import form_data


@pytest.fixture
def sealed(client, cast):
    client.force_login(cast.lead_user)
    client.post(reverse("feedback:member_form", args=[cast.reply.pk]), form_data())
    client.logout()
    return Feedback.objects.get()


def refused(**changes):
    def run(feedback):
        with pytest.raises(IntegrityError), transaction.atomic():
            Feedback.objects.filter(pk=feedback.pk).update(**changes)

    return run


@pytest.mark.parametrize(
    "changes",
    [
        {"satisfaction": Satisfaction.DISSATISFIED},
        {"opinion": "改过的意见"},
        {"by_forum": True},
        {"publish_consent": False},
        {"signature": "signatures/other.png"},
        {"content_sha256": "0" * 64},
        {"verification_code": "AAAAAAAAAA"},
        {"submitted_at": None},
    ],
)
def test_a_raw_update_of_a_submitted_form_is_refused_by_the_database(sealed, changes):
    refused(**changes)(sealed)
    sealed.refresh_from_db()
    assert sealed.satisfaction == Satisfaction.SATISFIED
    assert sealed.matches_seal()


def test_save_of_a_submitted_form_is_refused(sealed):
    sealed.opinion = "悄悄改一下"
    with pytest.raises(IntegrityError), transaction.atomic():
        sealed.save()


def test_the_receipt_may_be_filled_in_once(sealed, cast):
    now = timezone.now()
    assert Feedback.objects.filter(pk=sealed.pk).update(received_by=cast.office, received_at=now) == 1
    sealed.refresh_from_db()
    assert sealed.received_by == cast.office
    assert sealed.matches_seal()  # the receipt is not part of what the member signed
    refused(received_by=cast.supervisor, received_at=now)(sealed)
    refused(received_at=None, received_by=None)(sealed)


def test_the_receipt_cannot_ride_along_with_another_change(sealed, cast):
    refused(received_by=cast.office, received_at=timezone.now(), opinion="顺便改")(sealed)


def test_a_form_not_yet_submitted_can_still_change(cast):
    draft = Feedback.objects.create(reply=cast.reply, member=cast.lead)
    assert Feedback.objects.filter(pk=draft.pk).update(opinion="草稿", satisfaction=Satisfaction.BASICALLY) == 1


def test_the_trigger_is_installed_for_this_database(db):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type='trigger' AND name=%s", [sealing.TRIGGER])
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname=%s", [sealing.TRIGGER])
        assert cursor.fetchone() is not None


def test_submitting_stores_a_sha256_and_a_short_code(sealed):
    assert len(sealed.content_sha256) == 64
    assert len(sealed.verification_code) == 10
    assert sealed.content_sha256 == sealed.compute_sha256()


def test_the_hash_covers_the_signature_bytes(sealed):
    before = sealed.compute_sha256()
    sealed.signature.storage.delete(sealed.signature.name)
    sealed.signature.storage.save(sealed.signature.name, __import__("io").BytesIO(b"other picture"))
    assert sealed.compute_sha256() != before


def test_the_verify_page_confirms_an_untouched_record_without_login(client, sealed, cast):
    response = client.get(reverse("feedback:verify", args=[sealed.verification_code.lower()]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "与系统存档一致" in page
    assert cast.proposal.number in page
    assert "程玮" in page
    assert cast.proposal.title not in page  # minimal: number, name, date, match
    assert "工作已推进" not in page


def test_the_verify_page_shows_a_mismatch_after_a_forced_change(client, sealed):
    sealing.uninstall()  # what someone with database access could do; rolled back with the test
    Feedback.objects.filter(pk=sealed.pk).update(satisfaction=Satisfaction.BASICALLY)
    sealing.install()
    response = client.get(reverse("feedback:verify", args=[sealed.verification_code]))
    assert "与系统存档不一致" in response.content.decode()


def test_the_verify_page_shows_a_mismatch_when_the_signature_file_is_swapped(client, sealed):
    storage = sealed.signature.storage
    storage.delete(sealed.signature.name)
    storage.save(sealed.signature.name, __import__("io").BytesIO(b"\x89PNG forged"))
    assert (
        "与系统存档不一致" in client.get(reverse("feedback:verify", args=[sealed.verification_code])).content.decode()
    )


def test_an_unknown_code_says_so(client, db):
    response = client.get(reverse("feedback:verify", args=["ZZZZZZZZZZ"]))
    assert response.status_code == 404
    assert "未找到该验证码" in response.content.decode()


def test_forms_written_directly_as_submitted_are_sealed_too(cast):
    feedback = factories.feedback(cast.reply, handling_effect=HandlingEffect.LATER)
    assert feedback.verification_code and feedback.matches_seal()


def test_the_admin_cannot_change_a_submitted_form(client, cast, sealed):
    admin = factories.user(is_staff=True, is_superuser=True)
    client.force_login(admin)
    url = reverse("admin:feedback_feedback_change", args=[sealed.pk])
    client.post(url, {"opinion": "管理员改"})
    sealed.refresh_from_db()
    assert sealed.opinion == "工作已推进，措施得力。"


def test_a_code_typed_in_by_hand_leads_to_the_verify_page(client, sealed):
    assert "请输入意见表上印的验证码" in client.get(reverse("feedback:verify_lookup")).content.decode()
    code = sealed.verification_code
    typed = f" {code[:5].lower()}-{code[5:]} "
    response = client.get(reverse("feedback:verify_lookup"), {"code": typed}, follow=True)
    assert "与系统存档一致" in response.content.decode()


def test_every_column_of_feedback_is_either_sealed_or_the_receipt():
    # A new column must be added to the SQLite trigger (feedback/sealing.py and a migration).
    columns = {f.column for f in Feedback._meta.concrete_fields}
    assert columns == set(sealing.SEALED_COLUMNS) | set(sealing.RECEIPT_COLUMNS)
