"""A member on a phone opens the one-time link from the e-mail, signs with a finger (mouse), submits."""

import re

import pytest
from django.core import mail

from feedback.models import Feedback
from proposals.models import AssignmentStatus, Body
from replies.models import Reply
from replies.signals import reply_issued
from tests import factories as f
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def issued_reply():
    session = f.session(Body.CPPCC, number_format="委员提案〔{year}〕{serial}号")
    user, member = f.member_user("程玮", username="chengwei")
    user.email = "chengwei@example.org"
    user.save()
    proposal = f.proposal(session, lead=member, serial=110, title="关于促进黄石市中小企业健康快速发展的提案")
    unit = f.unit(name="黄石市经济和信息化局", short_name="市经信局", email="jxj@example.org")
    assignment = f.assignment(proposal, unit, status=AssignmentStatus.REPLIED)
    reply = f.reply(
        assignment,
        title="关于对《关于促进黄石市中小企业健康快速发展》提案的答复",
        body="你们提出的提案已收悉，现答复如下：\n一、支持企业转型\n坚持以供给侧结构性改革为主线，全力支持中小企业转型。",
    )
    return reply, member


def draw_signature(page):
    canvas = page.locator("#signature-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(x + w * 0.1, y + h * 0.7)
    page.mouse.down()
    for i in range(1, 21):
        page.mouse.move(x + w * (0.1 + 0.04 * i), y + h * (0.7 - 0.4 * ((i % 5) / 5)), steps=2)
    page.mouse.up()


def fill_sign_and_submit(page, opinion, *, shots="feedback-phone"):
    """On the open form: 走访, 已解决, 满意, may publish, `opinion`, a drawn signature; submit."""
    page.check("input[name=methods][value=visit]")
    page.check("input[name=handling_effect][value=solved]")
    page.check("input[name=satisfaction][value=satisfied]")
    page.check("input[name=publish_consent][value=yes]")
    page.fill("textarea[name=opinion]", opinion)
    draw_signature(page)
    screenshot(page, f"{shots}-1-filled")

    page.click("#submit-feedback")
    page.wait_for_selector("text=征询意见表已提交")
    screenshot(page, f"{shots}-2-confirmation")


def test_a_member_opens_the_link_signs_on_a_phone_and_submits(phone_page, live_server, settings):
    settings.BANLI_SITE_URL = live_server.url
    page = phone_page
    reply, member = issued_reply()
    reply_issued.send(sender=Reply, reply=reply, by=None)
    url = re.search(r"http://\S+/f/\S+/", mail.outbox[0].body).group(0)

    page.goto(url)
    assert page.url.endswith("/f/form/")  # the token is gone from the address bar
    assert page.locator("h1").inner_text() == "办理情况征询意见表"
    fill_sign_and_submit(page, "工作已推进，措施得力。<b>谢谢</b>")

    feedback = Feedback.objects.get()
    assert feedback.member == member and feedback.satisfaction == "satisfied"
    assert page.locator("#verification-code").inner_text() == feedback.verification_code
    assert page.get_by_text("工作已推进，措施得力。<b>谢谢</b>").is_visible()  # shown as typed, escaped
    signature = page.locator("img.signature")
    assert signature.is_visible()
    assert signature.evaluate("img => img.naturalWidth") > 100  # the drawn PNG, served back through the view
    assert "/f/" not in page.url

    page.get_by_role("link", name="验证", exact=True).click()
    page.wait_for_selector("text=系统存档完好")
    screenshot(page, "feedback-phone-3-verify")

    # The same link again (another tab, later): refused with a page that says how to get a new one.
    page.goto(url)
    assert page.get_by_text("这个链接不能再使用").is_visible()
    assert page.get_by_text(reply.assignment.proposal.title).count() == 0
    screenshot(page, "feedback-phone-4-link-used")


def test_the_form_refuses_a_missing_choice_in_chinese_next_to_the_field(phone_page, live_server):
    page = phone_page
    reply, member = issued_reply()
    login(page, "chengwei")
    page.goto(f"{page.base_url}/me/")
    screenshot(page, "feedback-phone-0-portal")
    page.get_by_role("link", name="填写意见表", exact=True).first.click()
    page.check("input[name=methods][value=phone]")
    page.check("input[name=satisfaction][value=dissatisfied]")
    draw_signature(page)
    page.click("#submit-feedback")
    page.wait_for_selector("#row-handling_effect .errorlist")
    assert page.locator("#row-handling_effect .errorlist").inner_text() == "请选择办理效果"
    assert "请写明对办理情况的意见" in page.locator("#row-opinion .errorlist").inner_text()
    screenshot(page, "feedback-phone-5-errors")
    assert not Feedback.objects.exists()

    # Corrected without signing again: the signature drawn before the errors was kept.
    page.check("input[name=handling_effect][value=later]")
    page.check("input[name=publish_consent][value=no]")
    page.fill("textarea[name=opinion]", "希望进一步落实。")
    page.click("#submit-feedback")
    page.wait_for_selector("text=征询意见表已提交")
    assert Feedback.objects.get().satisfaction == "dissatisfied"
