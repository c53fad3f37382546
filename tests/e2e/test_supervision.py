"""The 督查室 in a real browser: the dashboard with its charts, and one-click 催办 from the overdue list."""

import datetime

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from proposals.models import AssignmentStatus, Body
from supervision.models import Urge
from tests import factories as f
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def build():
    cache.clear()
    unit = f.unit(short_name="市经信局", email="jx@example.gov.cn")
    session = f.session(Body.CPPCC)
    today = timezone.localdate()
    late = f.assignment(
        f.proposal(session, title="关于推进工业固废综合利用的提案"),
        unit,
        assigned_on=today - datetime.timedelta(days=120),
        status=AssignmentStatus.HANDLING,
        signed_for_on=today - datetime.timedelta(days=119),
    )
    replied = f.assignment(
        f.proposal(session, title="关于降低中小企业用电成本的提案"),
        unit,
        assigned_on=today - datetime.timedelta(days=60),
        status=AssignmentStatus.REPLIED,
    )
    f.feedback(f.reply(replied))
    f.supervisor(username="dc")
    return late


def test_supervisor_reads_the_dashboard_and_urges_a_late_unit(page, settings):
    late = build()
    login(page, "dc")
    page.goto(f"{page.base_url}/dashboard/")
    assert page.locator("h1").inner_text() == "办理情况统计"
    assert page.locator("svg[role=img]").count() == 2
    assert page.get_by_text("（满意 + 基本满意）份数 ÷ 收回的征询意见表份数。").is_visible()
    screenshot(page, "supervision-dashboard")

    page.click("a.stat.warn")
    assert page.locator("h1").inner_text() == "逾期未办复"
    assert page.get_by_text(late.proposal.title).is_visible()
    page.select_option("form.urge select", "phone")
    page.click("form.urge button")
    page.wait_for_load_state()
    assert "已催办市经信局，并已发送提醒邮件" in page.locator(".messages").inner_text()
    assert "已催办 1 次" in page.locator("table.list").inner_text()
    screenshot(page, "supervision-urged")
    assert Urge.objects.get().method == "phone"
    assert len(mail.outbox) == 1


def test_dashboard_fits_a_phone(phone_page):
    build()
    login(phone_page, "dc")
    phone_page.goto(f"{phone_page.base_url}/dashboard/")
    screenshot(phone_page, "supervision-dashboard-phone")
    overflow = phone_page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
