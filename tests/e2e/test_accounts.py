"""Signing in as people do, in Chromium: single sign-on through a real OpenID Connect provider,
setting up and using the second factor on a phone, a member's sign-in by text-message code."""

import base64
import re
import time

import pytest
from django_otp.oath import totp

from notifications import sms
from proposals.models import Body
from tests import factories as f
from tests.accounts.oidc import Provider
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def provider(live_server):
    p = Provider([live_server.url])
    yield p
    p.stop()


def test_a_clerk_signs_in_and_out_through_the_identity_service(page, provider, settings):
    for name, value in provider.settings().items():
        setattr(settings, name, value)
    unit = f.unit("X市经济和信息化局", "X局")
    proposal = f.proposal(f.session(Body.CPPCC), title="关于促进中小企业健康快速发展的提案")
    f.assignment(proposal, unit)
    other = f.proposal(proposal.session, title="关于别的单位事项的提案")
    f.assignment(other, f.unit("Y市财政局", "Y局"))

    page.goto(f"{page.base_url}/login/")
    screenshot(page, "sso-login-page")
    page.click("text=统一身份认证登录")
    page.wait_for_url(re.compile(rf"^{provider.base}/accounts/login/"))
    page.fill("#id_username", "zhangsan")
    page.fill("#id_password", "sso-pass-1")
    page.click("button[type=submit]")  # the provider's own page
    page.wait_for_url(f"{page.base_url}/")
    # The claims made the account and placed it in its unit as 签发人: the unit's home shows the
    # proposal (in each queue it waits in), another unit's not at all.
    assert page.locator(".who").inner_text() == "张三"
    assert page.get_by_text(proposal.title).count() >= 1
    assert page.get_by_text(other.title).count() == 0
    screenshot(page, "sso-signed-in-inbox")

    page.click("text=退出")
    page.wait_for_url(f"{page.base_url}/login/")
    # Signed out at the provider too: signing in again asks for the password there.
    page.click("text=统一身份认证登录")
    page.wait_for_url(re.compile(rf"^{provider.base}/accounts/login/"))


def secret_of(page):
    return page.locator("code.secret").inner_text().replace(" ", "")


def code_for(secret, drift=0):
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key, drift=drift):06d}"


def unused_code(secret, username):
    """A code the device still accepts: a step after the one used at enrolment (a code counts once),
    the current one if time has moved on since (a slow machine may take more than one 30 s step)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__username=username)
    now = int((time.time() - device.t0) // device.step)
    return code_for(secret, drift=max(0, device.last_t + 1 - now))


def test_a_supervisor_sets_up_the_second_factor_on_a_phone_and_signs_in_with_it(phone_page, settings):
    settings.BANLI_SECOND_FACTOR = True
    page = phone_page
    f.supervisor(username="duchashi")

    login(page, "duchashi")
    assert "/account/2fa/enrol/" in page.url
    assert page.locator("h1").inner_text() == "设置两步验证"
    assert page.locator(".qr img").is_visible()
    screenshot(page, "phone-2fa-enrol")
    secret = secret_of(page)
    page.fill("#id_token", code_for(secret))
    page.click("main button[type=submit]")
    assert page.locator("h1").inner_text() == "恢复码"
    assert page.locator("ol.codes li").count() == 10
    screenshot(page, "phone-2fa-recovery-codes")
    page.click("text=我已保存，继续")
    page.goto(f"{page.base_url}/dashboard/")
    assert page.url.endswith("/dashboard/")

    page.click("header >> text=退出")
    login(page, "duchashi")
    assert "/login/verify/" in page.url
    screenshot(page, "phone-2fa-verify")
    page.fill("#id_token", "000000")
    page.click("main button[type=submit]")
    assert "验证码不正确" in page.get_by_role("alert").inner_text()
    # django-otp refuses any code for a second after a wrong one (then 2 s, 4 s, …): a person retypes slower.
    page.wait_for_timeout(1500)
    page.fill("#id_token", unused_code(secret, "duchashi"))
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "/login/verify/" not in page.url
    page.goto(f"{page.base_url}/admin/")
    assert page.locator("#site-name").count() == 1  # the admin, reached with a verified device


def test_a_member_signs_in_with_a_code_sent_to_their_phone(phone_page):
    page = phone_page
    session = f.session(Body.CPPCC)
    _user, member = f.member_user("程玮", username="chengwei")
    member.phone = "13907140001"
    member.save()
    mine = f.proposal(session, lead=member, title="关于促进中小企业健康快速发展的提案")

    page.goto(f"{page.base_url}/login/")
    page.click("text=代表、委员：用手机或邮箱验证码登录")
    page.fill("#id_identifier", "139 0714 0001")
    screenshot(page, "phone-code-request")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{page.base_url}/login/code/verify/")
    assert "139****0001" in page.locator("main").inner_text()
    code = re.search(r"\d{6}", sms.outbox[-1].text).group(0)
    page.fill("#id_code", "000000" if code != "000000" else "111111")
    page.click("main button[type=submit]")
    assert "验证码不正确" in page.get_by_role("alert").inner_text()
    screenshot(page, "phone-code-wrong")
    page.fill("#id_code", code)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{page.base_url}/me/")
    assert page.get_by_text(mine.title).count() >= 1
    screenshot(page, "phone-code-signed-in")


def test_the_office_deactivates_a_clerk_and_hands_the_draft_to_a_colleague(page):
    from replies.models import Reply, ReplyStatus

    unit = f.unit("X市经济和信息化局", "X局")
    f.office(Body.CPPCC, username="office")
    leaver = f.clerk(unit, username="liuwm")
    leaver.first_name = "刘文明"
    leaver.save()
    colleague = f.clerk(unit, username="zhaoli")
    colleague.first_name = "赵丽"
    colleague.save()
    proposal = f.proposal(f.session(Body.CPPCC), title="关于促进中小企业健康快速发展的提案")
    draft = f.reply(f.assignment(proposal, unit), status=ReplyStatus.DRAFT, drafter=leaver)

    login(page, "office")
    page.click("header >> text=人员管理")
    page.click("text=刘文明")
    assert page.get_by_text(draft.title).count() >= 1
    page.select_option("#id_successor", label="赵丽")
    page.fill("#id_note", "调任市财政局")
    screenshot(page, "staff-before-deactivation")
    page.click("text=停用并移交")
    assert "已停用该账号" in page.locator(".messages").inner_text()
    screenshot(page, "staff-after-deactivation")
    assert Reply.objects.get(pk=draft.pk).drafter == colleague
    page.goto(f"{page.base_url}{proposal.get_absolute_url()}")
    assert page.get_by_text("工作移交").count() >= 1
