"""The member portal, reading replies, and the committee office's receipt and paper entry."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from feedback.models import Channel, Feedback
from proposals.models import AssignmentRole, Event, EventVerb
from tests import factories

from .conftest import form_data


def test_the_portal_lists_proposals_led_and_cosigned_with_state_deadline_and_waiting_forms(client, cast):
    cosigned = factories.proposal(
        session=cast.session, lead=cast.outsider, cosigners=[cast.lead], title="关于联名事项的提案"
    )
    factories.assignment(cosigned, cast.unit)
    client.force_login(cast.lead_user)
    page = client.get(reverse("feedback:portal")).content.decode()
    assert "关于促进中小企业发展的提案" in page and "关于联名事项的提案" in page
    assert "领衔" in page and "联名" in page
    assert "待填写的征询意见表" in page
    assert reverse("feedback:member_form", args=[cast.reply.pk]) in page
    assert cast.assignment.due_on.strftime("%Y年").lstrip("0") in page
    assert "未评价" in page


def test_the_portal_does_not_list_other_members_proposals(client, cast):
    client.force_login(cast.outsider_user)
    page = client.get(reverse("feedback:portal")).content.decode()
    assert "关于促进中小企业发展的提案" not in page


def test_staff_without_a_member_get_404_on_the_portal(client, cast):
    client.force_login(cast.clerk)
    assert client.get(reverse("feedback:portal")).status_code == 404


def test_the_portal_query_count_does_not_grow_with_proposals(client, cast, django_assert_num_queries):
    client.force_login(cast.lead_user)
    client.get(reverse("feedback:portal"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("feedback:portal"))
    for _ in range(5):
        p = factories.proposal(session=cast.session, lead=cast.lead, cosigners=[cast.cosigner])
        factories.reply(factories.assignment(p, cast.unit))
    with django_assert_num_queries(len(few)):
        client.get(reverse("feedback:portal"))


def test_the_member_reads_the_reply_in_the_browser(client, cast):
    client.force_login(cast.lead_user)
    page = client.get(reverse("feedback:reply", args=[cast.reply.pk])).content.decode()
    assert cast.reply.title in page
    assert "正在推进" in page


@pytest.mark.parametrize("who", ["outsider_user", "other_clerk", "npc_office"])
def test_another_members_or_outsiders_ids_give_404_and_are_logged(client, cast, who, caplog):
    feedback = factories.feedback(cast.reply)
    client.force_login(getattr(cast, who))
    with caplog.at_level("WARNING", logger="banli.access"):
        for url in (
            reverse("feedback:reply", args=[cast.reply.pk]),
            reverse("feedback:member_form", args=[cast.reply.pk]),
            reverse("feedback:detail", args=[feedback.pk]),
            reverse("feedback:signature", args=[feedback.pk]),
        ):
            assert client.get(url).status_code == 404, url
    assert caplog.text.count("refused") == 4


def test_the_owner_clerk_and_office_see_the_submitted_form(client, cast):
    feedback = factories.feedback(cast.reply)
    for user in (cast.lead_user, cast.clerk, cast.office, cast.supervisor):
        client.force_login(user)
        assert client.get(reverse("feedback:detail", args=[feedback.pk])).status_code == 200


def test_the_confirmation_links_the_signed_pdf_and_verify_page(client, cast):
    client.force_login(cast.lead_user)
    response = client.post(reverse("feedback:member_form", args=[cast.reply.pk]), form_data(), follow=True)
    feedback = Feedback.objects.get()
    page = response.content.decode()
    assert f"/feedback/{feedback.pk}/pdf/" in page
    assert reverse("feedback:verify", args=[feedback.verification_code]) in page


# --- receipt ------------------------------------------------------------------------------


@pytest.fixture
def submitted(cast):
    return factories.feedback(cast.reply)


def test_the_office_of_the_body_countersigns_receipt_once(client, cast, submitted):
    client.force_login(cast.office)
    client.post(reverse("feedback:receive", args=[submitted.pk]))
    submitted.refresh_from_db()
    assert submitted.received_by == cast.office and submitted.received_at
    first = submitted.received_at
    client.post(reverse("feedback:receive", args=[submitted.pk]))
    submitted.refresh_from_db()
    assert submitted.received_at == first
    assert submitted.matches_seal()


@pytest.mark.parametrize("who", ["npc_office", "clerk", "lead_user", "outsider_user"])
def test_others_cannot_countersign(client, cast, submitted, who):
    client.force_login(getattr(cast, who))
    assert client.post(reverse("feedback:receive", args=[submitted.pk])).status_code == 404
    submitted.refresh_from_db()
    assert submitted.received_at is None


def test_receipt_needs_post(client, cast, submitted):
    client.force_login(cast.office)
    assert client.get(reverse("feedback:receive", args=[submitted.pk])).status_code == 405


def test_the_office_inbox_lists_forms_to_receive_and_replies_still_missing_forms(client, cast, submitted):
    other = factories.proposal(session=cast.session, title="关于尚未反馈事项的提案")
    factories.reply(factories.assignment(other, cast.unit, role=AssignmentRole.LEAD))
    client.force_login(cast.office)
    page = client.get(reverse("feedback:office")).content.decode()
    assert "程玮" in page
    assert other.number in page


def test_the_inbox_is_for_offices_only(client, cast):
    client.force_login(cast.clerk)
    assert client.get(reverse("feedback:office")).status_code == 404


# --- paper forms -----------------------------------------------------------------------------


def paper(**overrides):
    data = {
        "methods": ["visit"],
        "handling_effect": ["solved"],
        "satisfaction": ["satisfied", "dissatisfied"],
        "publish_consent": [],
        "opinion": "工作已推进 措施得力",
        "signed_on": "2021-09-16",
        "paper_scan": SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
    }
    data.update(overrides)
    return data


def test_a_paper_form_with_two_ticks_is_stored_empty_and_flagged(client, cast):
    client.force_login(cast.office)
    response = client.post(reverse("feedback:paper_entry", args=[cast.reply.pk]), {"member": cast.lead.pk, **paper()})
    feedback = Feedback.objects.get()
    assert response["Location"] == reverse("feedback:detail", args=[feedback.pk])
    assert feedback.channel == Channel.PAPER
    assert feedback.satisfaction == ""
    assert feedback.handling_effect == "solved"
    assert "“满意”、“不满意”" in feedback.needs_attention
    assert "是否公开" in feedback.needs_attention
    assert feedback.publish_consent is None
    assert feedback.entered_by == cast.office
    assert feedback.submitted_at.date() == datetime.date(2021, 9, 16)
    assert re.fullmatch(r"feedback/scans/[0-9a-f]{32}\.pdf", feedback.paper_scan.name)
    assert feedback.matches_seal()


def test_a_paper_form_the_office_entered_counts_as_received(client, cast):
    client.force_login(cast.office)
    client.post(reverse("feedback:paper_entry", args=[cast.reply.pk]), {"member": cast.lead.pk, **paper()})
    feedback = Feedback.objects.get()
    assert feedback.received_by == cast.office
    assert feedback.received_at is not None
    assert Event.objects.filter(verb=EventVerb.FEEDBACK_RECEIVED, note=cast.lead.name).count() == 1
    # No second 签收 click: the form page offers none, and the inbox does not wait for one.
    page = client.get(reverse("feedback:detail", args=[feedback.pk])).content.decode()
    assert reverse("feedback:receive", args=[feedback.pk]) not in page
    assert not Feedback.objects.awaiting_receipt().exists()


def test_a_paper_scan_must_be_pdf_or_image(client, cast):
    client.force_login(cast.office)
    bad = SimpleUploadedFile("scan.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    response = client.post(
        reverse("feedback:paper_entry", args=[cast.reply.pk]), {"member": cast.lead.pk, **paper(paper_scan=bad)}
    )
    assert "paper_scan" in response.context["form"].errors
    assert not Feedback.objects.exists()


def test_a_paper_form_without_its_date_or_scan_says_which_and_keeps_the_ticks(client, cast):
    client.force_login(cast.office)
    data = {"member": cast.lead.pk, **paper(signed_on="")}
    del data["paper_scan"]
    page = client.post(reverse("feedback:paper_entry", args=[cast.reply.pk]), data).content.decode()
    assert "请填写纸质表上委员签名的日期。" in page
    assert "请上传纸质表的扫描件（原件存档）。" in page
    assert "请按提示修改后再提交，尚未保存任何内容。" in page  # said at the top of a long form too
    assert "工作已推进 措施得力" in page
    assert re.search(r'<input[^>]*value="visit"[^>]*checked', page)
    # The browser leaves the check to the page, so the messages above are what the office sees.
    assert re.search(r"<form[^>]*novalidate", page)
    assert not Feedback.objects.exists()


def test_paper_entry_is_for_the_office_of_the_body(client, cast):
    for user in (cast.npc_office, cast.clerk, cast.lead_user):
        client.force_login(user)
        assert client.get(reverse("feedback:paper_entry", args=[cast.reply.pk])).status_code == 404


def test_a_member_who_answered_online_is_not_offered_for_paper_entry(client, cast):
    client.force_login(cast.lead_user)
    client.post(reverse("feedback:member_form", args=[cast.reply.pk]), form_data())
    client.force_login(cast.office)
    response = client.post(reverse("feedback:paper_entry", args=[cast.reply.pk]), {"member": cast.lead.pk, **paper()})
    assert "member" in response.context["form"].errors
    assert Feedback.objects.count() == 1


# --- rounds -------------------------------------------------------------------------------


def test_a_superseded_round_asks_for_no_feedback(client, cast):
    round2 = factories.reply(cast.assignment, round=2)
    client.force_login(cast.lead_user)
    page = client.get(reverse("feedback:portal")).content.decode()
    assert reverse("feedback:member_form", args=[round2.pk]) in page
    assert reverse("feedback:member_form", args=[cast.reply.pk]) not in page
    response = client.post(reverse("feedback:member_form", args=[cast.reply.pk]), form_data())
    assert response["Location"] == reverse("feedback:portal")
    assert not Feedback.objects.exists()


def test_a_link_to_a_superseded_round_is_refused(client, cast):
    from feedback.models import FeedbackLink

    _, token = FeedbackLink.issue(reply=cast.reply, member=cast.lead)
    factories.reply(cast.assignment, round=2)
    client.get(reverse("feedback:link", args=[token]))
    assert client.get(reverse("feedback:link_form")).status_code == 404


def test_the_office_inbox_lists_only_the_current_round(client, cast):
    round2 = factories.reply(cast.assignment, round=2)
    client.force_login(cast.office)
    page = client.get(reverse("feedback:office")).content.decode()
    assert reverse("feedback:paper_entry", args=[round2.pk]) in page
    assert reverse("feedback:paper_entry", args=[cast.reply.pk]) not in page


def test_the_paper_entry_page_offers_a_new_link_for_each_member_still_missing(client, cast, settings):
    settings.BANLI_FEEDBACK_FROM = "all"
    factories.feedback(cast.reply, member=cast.lead)
    client.force_login(cast.office)
    page = client.get(reverse("feedback:paper_entry", args=[cast.reply.pk])).content.decode()
    assert reverse("feedback:send_link", args=[cast.reply.pk, cast.cosigner.pk]) in page
    assert reverse("feedback:send_link", args=[cast.reply.pk, cast.lead.pk]) not in page
    response = client.post(reverse("feedback:send_link", args=[cast.reply.pk, cast.cosigner.pk]), follow=True)
    assert "新的填表链接已发送给 王秋红" in response.content.decode()


def test_the_paper_scan_is_served_to_the_office_and_the_member_only(client, cast):
    client.force_login(cast.office)
    client.post(reverse("feedback:paper_entry", args=[cast.reply.pk]), {"member": cast.lead.pk, **paper()})
    feedback = Feedback.objects.get()
    url = reverse("feedback:paper_scan", args=[feedback.pk])
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    client.force_login(cast.lead_user)
    assert client.get(url).status_code == 200
    client.force_login(cast.outsider_user)
    assert client.get(url).status_code == 404
