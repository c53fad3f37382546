"""A person logs in through the real login page and lands on their own list."""

import pytest

from proposals.models import Body
from tests import factories as f
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_member_logs_in_and_sees_only_their_proposal(page):
    session = f.session(Body.CPPCC)
    user, alice = f.member_user("程玮", username="chengwei")
    mine = f.proposal(session, lead=alice, title="关于促进中小企业健康快速发展的提案")
    other = f.proposal(session, title="关于别人的提案")
    login(page, "chengwei")
    # `/` sends a member to their own portal (/me/); the proposal list stays at /proposals/.
    assert page.url.endswith("/me/")
    page.goto(f"{page.base_url}/proposals/")
    screenshot(page, "login-member-list")
    assert page.locator("h1").inner_text() == "建议提案"
    assert page.get_by_text(mine.title).is_visible()
    assert page.get_by_text(other.title).count() == 0


def test_a_wrong_password_shows_a_chinese_message_and_keeps_the_username(page):
    f.user("clerkx")
    login(page, "clerkx", password="wrong")
    assert page.get_by_role("alert").inner_text() == "用户名或密码不正确，请重新输入。"
    assert page.input_value("#id_username") == "clerkx"
