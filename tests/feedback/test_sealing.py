"""Submitted means sealed: the database refuses changes and deletion; the keyed seal and the code
prove what was signed, and the verify page shows what a printout must match."""

import io

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from feedback import sealing, seals
from feedback.models import Feedback, HandlingEffect, Satisfaction
from tests import factories

from .conftest import form_data


def without_triggers(work):
    """What someone with direct database access could do: drop the triggers, write, put them back."""
    with connection.cursor() as cursor:
        for sql in sealing.FORM.drop_statements(connection.vendor):
            cursor.execute(sql)
        work()
        for sql in sealing.FORM.create_statements(connection):
            cursor.execute(sql)


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
        {"seal": "0" * 64},
        {"seal_key_id": "other"},
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


def test_a_submitted_form_cannot_be_deleted(sealed):
    with pytest.raises(IntegrityError), transaction.atomic():
        Feedback.objects.filter(pk=sealed.pk).delete()
    assert Feedback.objects.filter(pk=sealed.pk).exists()
    assert sealed.signature.storage.exists(sealed.signature.name)


def test_the_triggers_are_installed_for_this_database(db):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            names = [f"{sealing.FORM.name}_update", f"{sealing.FORM.name}_delete"]
            cursor.execute("SELECT name FROM sqlite_master WHERE type='trigger' AND name IN (%s, %s)", names)
            assert len(cursor.fetchall()) == 2
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname=%s", [sealing.FORM.name])
            assert cursor.fetchone() is not None


def test_submitting_stores_a_keyed_seal_and_a_short_code(sealed):
    assert len(sealed.seal) == 64
    assert sealed.seal_key_id == settings.BANLI_SEAL_KEY_ID
    assert len(sealed.verification_code) == 10
    assert sealed.seal == seals.compute(sealed)


def test_the_seal_cannot_be_made_without_the_key(sealed, settings):
    # Someone who can write to the database but does not hold the key computes another seal.
    settings.BANLI_SEAL_KEYS = {settings.BANLI_SEAL_KEY_ID: b"a key that is not the one"}
    assert seals.compute(sealed) != sealed.seal
    assert not sealed.matches_seal()


def test_a_rotated_key_still_verifies_what_it_sealed(sealed, settings):
    old = settings.BANLI_SEAL_KEY_ID
    settings.BANLI_SEAL_KEYS = {"new": b"the key of this year", old: settings.BANLI_SEAL_KEYS[old]}
    settings.BANLI_SEAL_KEY_ID = "new"
    assert sealed.matches_seal()
    settings.BANLI_SEAL_KEYS = {"new": b"the key of this year"}  # the old key dropped: no longer provable
    assert not sealed.matches_seal()


def test_the_seal_covers_the_signature_bytes(sealed):
    before = seals.compute(sealed)
    sealed.signature.storage.delete(sealed.signature.name)
    sealed.signature.storage.save(sealed.signature.name, io.BytesIO(b"other picture"))
    assert seals.compute(sealed) != before


def test_the_verify_page_shows_what_a_printout_must_match_without_login(client, sealed, cast):
    response = client.get(reverse("feedback:verify", args=[sealed.verification_code.lower()]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "系统存档完好" in page
    assert cast.proposal.number in page
    # The ticks as printed, the consent, the start of the opinion, the signature.
    assert "☑满意" in page and "☐不满意" in page
    assert "☑解决或基本解决" in page
    assert "☑是" in page and "☐否" in page
    assert "工作已推进，措施得力" in page
    assert reverse("feedback:verify_signature", args=[sealed.verification_code]) in page
    # Nothing else about the member: the name only as far as matching a printout needs.
    assert "程*" in page and "程玮" not in page
    assert cast.proposal.title not in page


def test_the_signature_thumbnail_is_a_small_png(client, sealed):
    response = client.get(reverse("feedback:verify_signature", args=[sealed.verification_code]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    from PIL import Image

    with Image.open(io.BytesIO(response.content)) as image:
        assert image.width <= 240 and image.height <= 80


def test_a_printout_with_a_changed_tick_does_not_match_the_verify_page(client, sealed):
    """The printout says 满意; the record says what the member signed. Whoever holds a printout whose
    tick was changed (or a record changed behind the triggers) sees the difference."""
    page = client.get(reverse("feedback:verify", args=[sealed.verification_code])).content.decode()
    assert "☑满意" in page and "☐基本满意" in page  # a printout ticked 基本满意 differs from this

    without_triggers(lambda: Feedback.objects.filter(pk=sealed.pk).update(satisfaction=Satisfaction.BASICALLY))
    page = client.get(reverse("feedback:verify", args=[sealed.verification_code])).content.decode()
    assert "与系统存档不一致" in page


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


@pytest.mark.parametrize("code", ["a/b", "\x00", "%00", "x" * 500, "<script>", "ÄÖÜ"])
def test_a_code_that_cannot_be_one_is_a_404_not_an_error(client, db, code):
    response = client.get(reverse("feedback:verify_lookup"), {"code": code})
    assert response.status_code == 404
    assert "验证码格式不对" in response.content.decode()


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
    assert "系统存档完好" in response.content.decode()


def test_probing_codes_through_the_signature_picture_counts_toward_the_limit(client, db, settings):
    settings.BANLI_LINK_MISSES = 3
    statuses = [client.get("/verify/ZZZZZZZZZZ/signature.png").status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]
