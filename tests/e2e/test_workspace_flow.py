"""The office registers and 交办 a proposal; the clerk takes it from 待签收 to issued through the pages alone."""

import pytest
from django.utils import timezone

from proposals.models import AssignmentStatus, Body, Proposal, ProposalStatus
from replies.models import ContactRecord, Reply, ReplyStatus
from tests import factories as f
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

BODY = "\n".join(
    [
        "你们提出的关于促进中小企业发展的提案收悉。现答复如下：",
        "一、加大政策扶持",
        "我局会同有关部门出台了支持中小企业发展的若干措施。",
        "二、下一步工作",
        "我们将继续跟踪落实，并及时向你们通报进展。",
    ]
)


def switch_user(page, username):
    page.context.clear_cookies()
    login(page, username)


def answer_and_sign_off(page, proposal, *, body=BODY, shots="workspace"):
    """The clerk takes `proposal` from 待签收 to a submitted draft through the pages; the signer
    (李局长, username "signer") signs it off. Screenshots <shots>-03 to -07. Returns the reply."""
    # The clerk's home lists it under 待签收 with the button to sign for it.
    switch_user(page, "clerk")
    assert "待签收 1" in page.inner_text(".tabs")
    assert proposal.title in page.inner_text("#queue-pending")
    screenshot(page, f"{shots}-03-clerk-home")
    page.click("#queue-pending button:has-text('签收')")
    assert "已签收" in page.inner_text(".messages")
    screenshot(page, f"{shots}-04-signed-for")

    # A contact with the member, then the draft with its generated frame.
    page.click("text=登记沟通")
    page.select_option("#id_method", value="phone")
    page.fill("#id_participants", "刘文明、程玮")
    page.fill("#id_summary", "电话沟通办理思路，委员同意分步推进。")
    page.click("button[type=submit].primary")
    page.click("text=撰写答复")
    assert page.input_value("#id_title") == "关于对《关于促进中小企业健康快速发展》提案的答复"
    assert page.input_value("#id_addressees") == "程玮、王秋红委员"
    assert page.inner_text("#doc-number") == "签发时编号"  # the 文号 is given at 签发, never held by a draft
    # The body pasted whole, split into paragraphs with levels read from the numbering.
    page.click("text=粘贴整段文字")
    page.fill("#id_body_paste", body)
    page.click("button:has-text('拆分为段落')")
    assert page.locator("#paragraphs > li").count() == len(body.splitlines())
    page.select_option("#id_result_class", value="A")
    page.select_option("#id_signer", label="李局长")
    screenshot(page, f"{shots}-05-drafting")
    page.click("button:has-text('保存草稿')")
    page.click("button:has-text('提交签发')")
    assert "已提交签发人签发" in page.inner_text(".messages")
    screenshot(page, f"{shots}-06-submitted")

    # The signer signs it off (签发); with review off it goes out at once.
    switch_user(page, "signer")
    assert "待签发 1" in page.inner_text(".tabs")
    assert proposal.title in page.inner_text("#queue-to_sign")
    page.click("#queue-to_sign >> text=审阅并签发")
    page.click("text=查看答复函")
    screenshot(page, f"{shots}-07-signer")
    # 签发 cannot be undone: it asks first, in a dialog on the page.
    page.click("a[data-confirm^=sign-off]")
    assert "不能再修改" in page.inner_text("dialog[open]")
    screenshot(page, f"{shots}-07b-sign-off-confirm")
    page.click("dialog[open] button[type=submit]")
    assert "答复已发出" in page.inner_text(".messages")
    return Reply.objects.get(assignment__proposal=proposal)


def test_office_registers_and_clerk_answers_with_the_signers_sign_off(page):
    session = f.session(Body.CPPCC, name="黄石市政协十四届一次会议", number_format="委员提案〔{year}〕{serial}号")
    unit = f.unit(
        "黄石市经济和信息化局", "市经信局", doc_prefix="黄经信函", contact_person="刘文明", contact_phone="6288824"
    )
    f.member(name="程玮")
    f.member(name="王秋红")
    f.office(username="office")
    f.clerk(unit, username="clerk")
    signer = f.signer(unit, username="signer")
    signer.first_name = "李局长"
    signer.save()

    # The committee office registers the proposal with a co-signer and 交办 it to the unit as lead.
    login(page, "office")
    page.click("text=登记建议提案")
    page.select_option("#id_session", label=session.name)
    page.locator(".field:has(#id_lead) .ts-control").click()
    page.keyboard.type("程玮")
    page.locator(".ts-dropdown .option", has_text="程玮").click()
    page.click("#id_cosigner_names-ts-control")
    page.keyboard.type("王秋红")
    page.locator(".ts-dropdown .option", has_text="王秋红").click()
    page.fill("#id_title", "关于促进中小企业健康快速发展的提案")
    page.fill("#id_body", "建议加大对中小企业的扶持力度。")
    screenshot(page, "workspace-01-office-register")
    page.click("button[type=submit].primary")
    assert "已登记为 委员提案〔2026〕1号" in page.inner_text(".messages")
    page.select_option("#id_unit", label="市经信局")
    page.select_option("#id_role", value="lead")
    page.click("button[type=submit].primary")
    screenshot(page, "workspace-02-office-assigned")
    proposal = Proposal.objects.get(title="关于促进中小企业健康快速发展的提案")
    assert proposal.status == ProposalStatus.ASSIGNED

    switch_user(page, "clerk")
    reply = answer_and_sign_off(page, proposal)
    assert reply.status == ReplyStatus.ISSUED
    assert reply.assignment.status == AssignmentStatus.REPLIED
    assert reply.doc_number == f"黄经信函〔{timezone.localdate().year}〕1号"

    # Back to the clerk: the reply is read-only; the sealed scan is uploaded and delivery marked.
    switch_user(page, "clerk")
    page.goto(f"{page.base_url}{proposal.get_absolute_url()}")
    assert page.locator("text=修改草稿").count() == 0
    page.click("text=上传盖章扫描件")
    page.set_input_files("#id_sealed_scan", files=[{"name": "x.txt", "mimeType": "text/plain", "buffer": b"hello"}])
    page.click("button[type=submit].primary")
    assert "只能上传 PDF、JPEG 或 PNG" in page.inner_text(".errorlist")
    screenshot(page, "workspace-08-bad-scan")
    scan = {"name": "sealed.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}
    page.set_input_files("#id_sealed_scan", files=[scan])
    page.click("button[type=submit].primary")
    page.click("a[data-confirm^=delivered]")
    page.click("dialog[open] button[type=submit]")
    page.click("text=修改记录")
    screenshot(page, "workspace-09-issued")
    timeline = page.inner_text("ol.timeline")
    for verb in ["登记", "交办", "签收", "沟通", "起草答复", "提交签发", "签发", "答复", "上传盖章件", "送达"]:
        assert verb in timeline
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.REPLIED


def test_the_inbox_the_proposal_and_the_draft_read_on_a_phone(phone_page):
    session = f.session(Body.CPPCC)
    unit = f.unit("黄石市经济和信息化局", "市经信局", doc_prefix="黄经信函")
    f.clerk(unit, username="clerk")
    assignments = [
        f.assignment(f.proposal(session, title=f"关于第{n}件事的提案"), unit, status=AssignmentStatus.HANDLING)
        for n in range(3)
    ]
    a = assignments[0]
    ContactRecord.objects.create(
        assignment=a,
        contacted_on=a.assigned_on,
        method="visit",
        participants="刘文明、程玮",
        summary="上门走访，听取意见。",
    )
    f.reply(a, status=ReplyStatus.DRAFT, body=BODY)
    login(phone_page, "clerk")
    pages = [("workspace-10-phone-inbox", "/"), ("workspace-11-phone-proposal", a.proposal.get_absolute_url())]
    pages.append(("workspace-12-phone-draft", f"/replies/{a.replies.get().pk}/edit/"))
    for name, path in pages:
        phone_page.goto(f"{phone_page.base_url}{path}")
        screenshot(phone_page, name)
        assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390, name
