"""In a real browser: the Content-Security-Policy blocks nothing the app needs, and a lockout reads clearly."""

import pytest

from tests import factories as f
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def csp_violations(page):
    seen = []
    page.on("console", lambda msg: seen.append(msg.text) if "Content Security Policy" in msg.text else None)
    return seen


def test_the_admin_works_under_the_content_security_policy(page):
    f.user("boss", is_staff=True, is_superuser=True)
    unit = f.unit()
    member = f.member()
    violations = csp_violations(page)
    login(page, "boss")
    page.goto(f"{page.base_url}/admin/proposals/handlingunit/{unit.pk}/change/")
    # Appears only when the admin's JavaScript ran: the inline "add another" row.
    page.get_by_text("添加另一个 岗位角色").wait_for()
    page.goto(f"{page.base_url}/admin/proposals/session/add/")
    page.get_by_role("link", name="今天").first.wait_for()  # the date shortcuts
    page.goto(f"{page.base_url}/admin/proposals/member/{member.pk}/change/")
    page.locator("#id_user").locator("..").locator(".select2-selection").click()  # the autocomplete widget opens
    page.locator(".select2-search__field").wait_for()
    screenshot(page, "admin-under-csp")
    assert violations == []


def test_the_language_switch_works_without_inline_script(page):
    f.user("member1")
    violations = csp_violations(page)
    login(page, "member1")
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    with page.expect_navigation():
        page.select_option("select[name=language]", "zh-hans")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert violations == []


def test_too_many_wrong_passwords_delay_the_login_with_a_chinese_message(page, settings):
    settings.BANLI_LOGIN_FREE_FAILURES = 2
    f.user("clerkx")
    for _ in range(3):
        login(page, "clerkx", password="wrong")
    alert = page.get_by_role("alert").inner_text()
    screenshot(page, "login-delayed")
    assert "此账号密码错误次数较多" in alert
    assert "1 分钟后再试" in alert
    assert page.input_value("#id_username") == "clerkx"
    login(page, "clerkx")  # the right password does not get through while delayed
    assert "此账号密码错误次数较多" in page.get_by_role("alert").inner_text()
