"""The office registers a proposal in a real browser: the current session already chosen, the
number shown before saving, co-signers found by typing part of a name (organisations too)."""

import datetime

import pytest
from django.utils import timezone

from proposals.models import Body, MemberKind, Proposal
from tests import factories as f
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_office_registers_with_co_signers_picked_by_search(page):
    today = timezone.localdate()
    f.session(Body.CPPCC, name="往年会议", year=today.year - 1, opens_on=today - datetime.timedelta(days=400))
    session = f.session(
        Body.CPPCC,
        name="本年会议",
        year=today.year,
        opens_on=today - datetime.timedelta(days=30),
        number_format="委员提案〔{year}〕{serial}号",
    )
    f.proposal(session, serial=1)
    lead = f.member(name="程玮")
    wang = f.member(name="王秋红", group="经济界")
    f.member(name="王秋红", group="教育界")
    org = f.member(name="市工商联", kind=MemberKind.ORGANISATION)
    f.office(Body.CPPCC, username="tiwei")

    login(page, "tiwei")
    page.click("text=登记建议提案")
    assert page.locator("#id_session option:checked").inner_text() == "本年会议"
    assert page.locator("#number-preview [data-number]").inner_text() == f"委员提案〔{today.year}〕2号"

    # The pickers are drawn by register.js, which then listens to the serial: typing before it
    # has run would ask nothing.
    page.locator(".field:has(#id_lead) .ts-control").wait_for()
    page.fill("#id_serial", "1")
    page.get_by_text("该序号已被占用").wait_for()
    page.fill("#id_serial", "")
    page.get_by_text(f"委员提案〔{today.year}〕2号").wait_for()

    page.locator(".field:has(#id_lead) .ts-control").click()
    page.keyboard.type("程")
    page.locator(".ts-dropdown .option", has_text="程玮").click()

    page.click("#id_cosigner_names-ts-control")
    page.keyboard.type("秋红")
    page.locator(".ts-dropdown .option", has_text="经济界").click()
    page.keyboard.type("工商")
    page.locator(".ts-dropdown .option", has_text="市工商联").click()
    screenshot(page, "register-picked")
    page.fill("#id_title", "关于促进中小企业发展的提案")
    page.click("button[type=submit].primary")
    page.get_by_text(f"已登记为 委员提案〔{today.year}〕2号").wait_for()

    proposal = Proposal.objects.get(session=session, serial=2)
    assert proposal.members_in_order == [lead, wang, org]
