"""The whole story in one browser run: a proposal from 待签收 to the supervisor's PDFs, by clicking.

The clerk signs for it from the home, talks with the member and drafts the reply; the signer
signs it off from the home; issuing mails the member a one-time link (the live server runs in
this process, so the mail is in `mail.outbox`); the member opens it on a phone, ticks, writes,
draws a signature with the mouse and submits; the committee office countersigns receipt (签收)
from its home; the supervisor finds the proposal in the list and downloads the reply letter and
the signed form by clicking, and the PDFs say what happened. The browser is sent to an address
only twice: the sign-in page, and the link read from the e-mail.
"""

import re

import pytest
from django.core import mail

from feedback.models import Feedback
from proposals.models import AssignmentStatus, Body, ProposalStatus
from replies.models import ReplyStatus
from tests import factories as f
from tests.e2e.conftest import SCREENSHOTS, screenshot
from tests.e2e.test_feedback import fill_sign_and_submit
from tests.e2e.test_workspace_flow import answer_and_sign_off, switch_user
from tests.printing import pdfutil

pytestmark = pytest.mark.django_db(transaction=True)

OPINION = "答复内容具体，措施可行，希望按期落实。"
BODY = "\n".join(
    [
        "你们提出的关于促进中小企业发展的提案收悉。现答复如下：",
        "一、加大政策扶持",
        "我局会同有关部门出台了支持中小企业发展的若干措施。",
        "二、下一步工作",
        "我们将继续跟踪落实，并及时向你们通报进展。",
    ]
)


def the_cast():
    """The proposal of 程玮 (co-signed by 王秋红), 交办 to 市经信局 and waiting there to be signed for."""
    session = f.session(Body.CPPCC, name="黄石市政协十四届一次会议", number_format="委员提案〔{year}〕{serial}号")
    unit = f.unit(
        "黄石市经济和信息化局", "市经信局", doc_prefix="黄经信函", contact_person="刘文明", contact_phone="6288824"
    )
    member_user, member = f.member_user("程玮", username="chengwei")
    member_user.email = "chengwei@example.org"
    member_user.save()
    proposal = f.proposal(
        session, lead=member, cosigners=[f.member(name="王秋红")], title="关于促进中小企业健康快速发展的提案"
    )
    assignment = f.assignment(proposal, unit)
    assert assignment.status == AssignmentStatus.PENDING  # 待签收
    proposal.status = ProposalStatus.ASSIGNED
    proposal.save()
    f.clerk(unit, username="clerk")
    signer = f.signer(unit, username="signer")
    signer.first_name = "李局长"
    signer.save()
    f.office(Body.CPPCC, username="office")
    f.supervisor(username="supervisor")
    return proposal, member


def click_pdf(page, selector, keep_as):
    """Click a link to a PDF and come back; the PDF the browser received, as bytes, also kept
    beside the screenshots for a person to open. (The browser shows a PDF in its viewer; the
    bytes are read on their way in.)"""
    received = []

    def keep(route):
        response = route.fetch()
        received.append((response.status, response.headers.get("content-type"), response.body()))
        route.fulfill(response=response)

    pattern = re.compile(r".*(/pdf/|\.pdf)(\?.*)?$")
    page.route(pattern, keep)
    page.click(selector)
    page.wait_for_load_state()
    page.unroute(pattern, keep)
    page.go_back()
    ((status, content_type, data),) = received
    assert status == 200 and content_type == "application/pdf", keep_as
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / keep_as).write_bytes(data)
    return data


def test_from_sign_for_to_the_supervisors_pdfs(page, phone_page, live_server, settings):
    settings.BANLI_SITE_URL = live_server.url
    proposal, member = the_cast()

    # 1. The clerk: 待签收 → signed for → contact → draft → submitted; the signer signs off.
    reply = answer_and_sign_off(page, proposal, body=BODY, shots="story")
    assert reply.status == ReplyStatus.ISSUED

    # 2. Issuing mailed the member a one-time link.
    assert [m.to for m in mail.outbox] == [["chengwei@example.org"]]
    url = re.search(r"http://\S+/f/\S+/", mail.outbox[0].body).group(0)

    # 3. The member, on a phone: opens the link, fills in, signs with the mouse, submits.
    phone_page.goto(url)
    assert phone_page.url.endswith("/f/form/")
    assert proposal.title in phone_page.inner_text("main")
    fill_sign_and_submit(phone_page, OPINION, shots="story-08-phone")
    feedback = Feedback.objects.get(reply=reply, member=member)
    code = phone_page.locator("#verification-code").inner_text()
    assert code == feedback.verification_code and len(code) >= 8
    assert feedback.signature and feedback.received_at is None
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390

    # 4. The committee office countersigns receipt: the form waits on its home.
    switch_user(page, "office")
    assert proposal.title in page.inner_text("#queue-to_receive")
    screenshot(page, "story-09-office-home")
    page.click("#queue-to_receive >> text=查看并签收")
    page.click("form[action$='/receive/'] button:has-text('签收')")
    assert "已签收" in page.inner_text(".messages")
    screenshot(page, "story-10-office-received")
    feedback.refresh_from_db()
    assert feedback.received_by.username == "office" and feedback.received_at is not None

    # 5. The supervisor finds the proposal in the list and downloads both PDFs by clicking.
    switch_user(page, "supervisor")
    page.click(".topbar >> text=建议提案")
    page.click(f"text={proposal.title}")
    screenshot(page, "story-11-supervisor-proposal")
    letter = pdfutil.squash(
        "".join(pdfutil.page_texts(click_pdf(page, "text=打印答复函（PDF）", "story-12-reply.pdf")))
    )
    for line in BODY.splitlines():
        assert pdfutil.squash(line) in letter, line
    assert reply.doc_number in letter
    assert "程玮、王秋红委员" in letter

    form_link = f"a[href='/feedback/{feedback.pk}/pdf/'] >> nth=0"
    form = pdfutil.squash("".join(pdfutil.page_texts(click_pdf(page, form_link, "story-13-form.pdf"))))
    assert OPINION in form
    assert form.count("☑") == 4
    for ticked in ("上门走访☑", "解决或基本解决☑", "满意☑", "是☑"):
        assert ticked in form, ticked
    for blank in ("电话联系☐", "基本满意☐", "不满意☐", "否☐"):
        assert blank in form, blank
    assert code in form
    assert f"/verify/{code}/" in form
    assert proposal.title in form

    # The print preview in the browser: its inline styles apply (the CSP allows them there) and
    # nothing on the page is blocked.
    blocked = []
    page.on("console", lambda msg: blocked.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.click("text=网页打印版 >> nth=0")
    assert page.url.endswith(f"/replies/{reply.pk}/print/")
    screenshot(page, "story-12-print-preview")
    size = page.eval_on_selector(".letterhead", "el => getComputedStyle(el).fontSize")
    assert size != "16px", size  # the letterhead's own size, not the browser default
    assert blocked == []

    # Someone without a session gets no PDF.
    page.context.clear_cookies()
    assert page.request.get(f"{page.base_url}/feedback/{feedback.pk}/pdf/", max_redirects=0).status == 302


def test_a_letter_that_cannot_be_typeset_shows_a_page_saying_so(page):
    """Typst failing: the browser gets the Chinese 503 page, and nothing is stored."""
    from unittest import mock

    import typst

    from printing.models import RenderedDocument
    from tests.e2e.test_workspace_flow import login

    reply = f.reply(f.assignment(f.proposal(), f.unit()))
    f.supervisor(username="supervisor")
    login(page, "supervisor")
    page.goto(f"{page.base_url}/proposals/")
    with mock.patch("typst.Compiler.compile", side_effect=typst.TypstError("测试故障")):
        response = page.goto(f"{page.base_url}/replies/{reply.pk}/pdf/")
    assert response.status == 503
    assert "排版失败：测试故障" in page.inner_text("main")
    screenshot(page, "story-14-pdf-failed")
    assert not RenderedDocument.objects.exists()
    page.click("text=返回")  # back where the user came from (no javascript: URL, which the CSP blocks)
    page.wait_for_url(f"{page.base_url}/proposals/")
