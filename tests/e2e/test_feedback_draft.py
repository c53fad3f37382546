"""A member's answers outlive the link session: typed on a phone, the hour runs out (here a few
seconds), the page warned before; a new link (read from the text-message outbox) brings the
form back with everything typed, on the same phone from its browser and on another device
from the server's draft."""

import pytest
from playwright.sync_api import expect

from feedback import services
from feedback.models import Feedback, FeedbackDraft
from notifications import sms
from replies.models import Reply
from replies.signals import reply_issued
from tests.e2e.conftest import login, screenshot
from tests.e2e.test_feedback import draw_signature, issued_reply

pytestmark = pytest.mark.django_db(transaction=True)

FIRST = "第三条措施尚未落实，"
LATER = "希望明年列入计划。"


def link_from_sms(outbox_dir):
    return sms.read_file_outbox(outbox_dir)[-1].text.rsplit("：", 1)[-1]


def test_an_expired_link_session_loses_nothing(browser, phone_page, live_server, settings, tmp_path):
    settings.BANLI_SITE_URL = live_server.url
    settings.BANLI_SMS_BACKEND = "notifications.sms.FileBackend"
    settings.BANLI_SMS_FILE_PATH = str(tmp_path / "sms")
    settings.BANLI_FEEDBACK_LINK_SESSION_SECONDS = 6
    settings.BANLI_FEEDBACK_EXPIRY_WARNING_SECONDS = 4
    reply, member = issued_reply()
    member.phone = "13800000101"
    member.save()
    reply_issued.send(sender=Reply, reply=reply, by=None)
    page = phone_page

    page.goto(link_from_sms(tmp_path / "sms"))
    page.check("input[name=satisfaction][value=basically]")
    page.fill("textarea[name=opinion]", FIRST)
    page.wait_for_selector("#draft-status:has-text('已自动保存')")
    assert FeedbackDraft.objects.get().data["opinion"] == FIRST
    page.wait_for_selector("#session-warning:has-text('到期')")  # warned before the end
    screenshot(page, "feedback-draft-1-warning")

    page.wait_for_timeout(4500)  # the session is over; the member goes on typing
    page.fill("textarea[name=opinion]", FIRST + LATER)
    page.wait_for_selector("#session-warning:has-text('已到期')")
    screenshot(page, "feedback-draft-2-expired")

    # The office sends a new link by text message; the same phone opens it.
    services.send_new_link(reply=reply, member=member, by=None, channel="sms")
    settings.BANLI_FEEDBACK_LINK_SESSION_SECONDS = 3600
    page.goto(link_from_sms(tmp_path / "sms"))
    opinion = page.locator("textarea[name=opinion]")
    expect(opinion).to_have_value(FIRST + LATER)  # the browser's copy, newer than the server's
    assert page.locator("input[name=satisfaction][value=basically]").is_checked()
    screenshot(page, "feedback-draft-3-restored")
    expect(page.locator("#draft-status")).to_contain_text("已自动保存")  # and saved to the server again

    # Another device has no browser copy: the server's draft fills its form.
    other = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    desk = other.new_page()
    services.send_new_link(reply=reply, member=member, by=None, channel="sms")
    desk.goto(link_from_sms(tmp_path / "sms"))
    assert desk.locator("textarea[name=opinion]").input_value() == FIRST + LATER
    assert desk.locator(".draft-restored").is_visible()
    other.close()

    # Signed and submitted on the phone: the form is in, both copies of the draft are gone.
    page.check("input[name=methods][value=visit]")
    page.check("input[name=handling_effect][value=in_progress]")
    page.check("input[name=publish_consent][value=yes]")
    draw_signature(page)
    page.click("#submit-feedback")
    page.wait_for_selector("text=征询意见表已提交")
    assert Feedback.objects.get().opinion == FIRST + LATER
    assert not FeedbackDraft.objects.exists()
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('banli-feedback-draft'))") == []


def test_the_autosave_notice_does_not_move_the_submit_button(phone_page, live_server):
    """A member pressing 提交 just as "已自动保存" appears must still hit the button."""
    page = phone_page
    issued_reply()
    login(page, "chengwei")
    page.goto(f"{page.base_url}/me/")
    page.get_by_role("link", name="填写意见表", exact=True).first.click()
    where = "b => b.getBoundingClientRect().top + window.scrollY"  # on the page, not in the viewport
    before = page.locator("#submit-feedback").evaluate(where)
    page.check("input[name=satisfaction][value=satisfied]")
    page.wait_for_selector("#draft-status:has-text('已自动保存')")
    assert page.locator("#submit-feedback").evaluate(where) == before
