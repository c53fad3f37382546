"""English in a real browser on a phone: the key pages switch language and fit 390 px without sideways scrolling."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from proposals.models import AssignmentRole, AssignmentStatus, Body
from replies.models import ContactMethod, ContactRecord
from tests import factories as f
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def build():
    cache.clear()
    unit = f.unit(name="黄石市经济和信息化局", short_name="市经信局")
    session = f.session(Body.CPPCC)
    today = timezone.localdate()
    member_user, lead = f.member_user(name="程玮", username="cw")
    f.clerk(unit, username="jx")
    f.supervisor(username="dc")
    late = f.assignment(
        f.proposal(session, lead=lead, title="关于推进工业固废综合利用的提案"),
        unit,
        assigned_on=today - datetime.timedelta(days=120),
        status=AssignmentStatus.HANDLING,
        signed_for_on=today - datetime.timedelta(days=119),
    )
    ContactRecord.objects.create(
        assignment=late, contacted_on=today, method=ContactMethod.PHONE, summary="电话沟通办理思路。"
    )
    f.assignment(late.proposal, f.unit(short_name="市财政局"), role=AssignmentRole.CO)
    replied = f.assignment(
        f.proposal(session, lead=lead, title="关于降低中小企业用电成本的提案"),
        unit,
        assigned_on=today - datetime.timedelta(days=60),
        status=AssignmentStatus.REPLIED,
    )
    f.reply(replied)
    return late


def fits(page):
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def to_english(page):
    page.goto(f"{page.base_url}/login/")
    # Choosing a language submits the form from a script: wait for that navigation itself.
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.locator("h1").inner_text() == "Log in"


@pytest.mark.parametrize(
    ("username", "paths", "heading"),
    [
        ("jx", ["/", "/proposals/", "{detail}"], "Our unit's items"),
        ("cw", ["/me/"], "My proposals"),
        ("dc", ["/dashboard/", "/dashboard/list/overdue/"], "Handling statistics"),
    ],
)
def test_english_pages_fit_a_phone(phone_page, username, paths, heading):
    late = build()
    to_english(phone_page)
    login(phone_page, username)
    for i, path in enumerate(paths):
        phone_page.goto(phone_page.base_url + path.format(detail=late.proposal.get_absolute_url()))
        assert phone_page.locator("html").get_attribute("lang") == "en"
        if i == 0:
            assert heading in phone_page.locator("h1").first.inner_text()
        name = f"english-{username}-{path.strip('/').replace('/', '-').strip('{}') or 'home'}"
        screenshot(phone_page, name)
        assert fits(phone_page), f"{path} is wider than the phone (see test-output/screenshots/{name}.png)"


def test_the_reply_editor_numbers_paragraphs_in_the_page_language(page):
    late = build()
    login(page, "jx")
    label = "getComputedStyle(document.querySelector('.paragraph-tools'), '::before').content"
    page.goto(f"{page.base_url}/assignments/{late.pk}/reply/")
    # Chromium reports the rule, counters unresolved: '"第" counter(para) "段"'.
    assert page.evaluate(label).startswith('"第"')
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.locator("h1").inner_text().startswith("Write the reply")
    assert page.evaluate(label).startswith('"Paragraph "')
    assert page.locator("#id_addressees").input_value() == "程玮委员"


def test_contacts_read_as_labelled_lines_on_a_phone(phone_page):
    # A four-column table squeezed the summary into a sliver at 390 px.
    late = build()
    to_english(phone_page)
    login(phone_page, "jx")
    phone_page.goto(phone_page.base_url + late.proposal.get_absolute_url())
    contacts = phone_page.locator("table.contacts")
    assert contacts.locator("thead").evaluate("e => getComputedStyle(e).display") == "none"
    summary = contacts.locator("td[data-label]").nth(3)
    assert summary.get_attribute("data-label") == "Summary"
    assert summary.inner_text() == "电话沟通办理思路。"
    assert summary.bounding_box()["width"] > 300
    assert fits(phone_page)
