"""The committee office imports an old reply, reads the fields next to the source, corrects and confirms."""

import datetime

import pytest

from legacy.models import ImportedDocument, ImportStatus
from proposals.models import Body
from tests import factories as f
from tests.e2e.conftest import login, screenshot
from tests.legacy import samples

pytestmark = pytest.mark.django_db(transaction=True)


def test_office_imports_seed_004_corrects_it_and_confirms(page):
    f.office(body=Body.CPPCC, username="office")
    f.unit(name="安康市工业和信息化局", short_name="安康市工信局")
    login(page, "office")
    page.goto(f"{page.base_url}/imports/")
    page.set_input_files("input[type=file]", str(samples.SEED_004))
    page.click("form.upload button[type=submit]")
    page.wait_for_load_state()
    assert "已导入为待核实的答复草稿" in page.locator(".messages").inner_text()
    assert page.get_by_text("7月30日,我局承办提案办复工作人员与您进行了电话、微信沟通", exact=False).first.is_visible()
    screenshot(page, "legacy-review-seed-004")

    page.fill("#id_addressees", "王秋红委员")
    page.select_option("#id_unit", label="安康市工信局")
    page.fill("#id_written_on", "2021-08-16")
    page.select_option("#id_result_class", "B")
    page.click("button[value=confirm]")
    page.wait_for_load_state()
    doc = ImportedDocument.objects.get()
    assert doc.status == ImportStatus.CONFIRMED
    assert doc.reply.written_on == datetime.date(2021, 8, 16)
    assert doc.reply.assignment.unit.short_name == "安康市工信局"
    assert doc.proposal.lead.name == "王秋红"
    assert page.locator(".import-status.confirmed").first.is_visible()


def test_review_page_on_a_phone_shows_fields_then_source(phone_page):
    f.supervisor(username="supervisor")
    from legacy.services import import_document

    doc = import_document(file_name="000.txt", data=samples.SEED_000.read_bytes()).document
    login(phone_page, "supervisor")
    phone_page.goto(f"{phone_page.base_url}{doc.get_absolute_url()}")
    screenshot(phone_page, "legacy-review-seed-000-phone")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    assert phone_page.locator("pre.source").is_visible()
