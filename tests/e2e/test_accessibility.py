"""Every main page of every role, on the demo data, has no serious or critical accessibility fault.

axe-core (installed from npm by `make setup-dev`, see package.json) is evaluated in the page
through the browser's debugging protocol, so the page's CSP does not stop it. Pages with form
errors are checked too (the errors are lists announced to screen readers). The counts per page
are written to test-output/axe.txt.
"""

import itertools
from pathlib import Path

import pytest
from django.core.management import call_command

from feedback.models import Feedback
from proposals.models import Proposal, Role
from replies.models import Reply, ReplyStatus
from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
REPORT = ROOT / "test-output" / "axe.txt"
BAD = ("serious", "critical")
ROLES = ("anonymous", "clerk", "signer", "office", "supervisor", "member")


def violations(page):
    page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate(
        """() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ({
            id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3)})))"""
    )
    return found


def pages_of(role):
    """(label, path, the steps to take on the page before checking, or None)."""
    p110 = Proposal.objects.get(number="委员提案〔2021〕110号")
    reply = Reply.objects.filter(assignment__proposal=p110, status=ReplyStatus.ISSUED).first()
    feedback = Feedback.objects.filter(reply=reply).first()
    member_waiting = (
        Reply.objects.issued()
        .filter(assignment__proposal__lead__user__username="member")
        .exclude(feedback__isnull=False)
    ).first()
    draft = Reply.objects.filter(status=ReplyStatus.DRAFT, assignment__unit__short_name="市经信局").first()
    signed = Feedback.objects.exclude(signature="").exclude(verification_code="").first()
    unit_clerk = Role.objects.filter(unit__short_name="市经信局").select_related("user").first().user
    submit = ["main form[method=post] button[type=submit] >> nth=-1"]
    common = [
        ("search", "/search/?q=企业", None),
        ("account", "/account/", None),
        ("notifications", "/notifications/", None),
    ]
    return {
        "anonymous": [
            ("login", "/login/", None),
            (
                "login with errors",
                "/login/",
                [("#id_username", "nobody"), ("#id_password", "wrong"), "button[type=submit]"],
            ),
            ("member code", "/login/code/", None),
            ("public", "/public/", None),
            ("verify", "/verify/", None),
            ("verified form", f"/verify/{signed.verification_code}/", None),
        ],
        "clerk": [
            ("home", "/", None),
            ("proposals", "/proposals/", None),
            ("proposal", p110.get_absolute_url(), None),
            ("draft", f"/replies/{draft.pk}/edit/", None) if draft else None,
            ("paragraphs", "/paragraphs/", None),
            ("commitments", "/commitments/", None),
            ("print view", f"/replies/{reply.pk}/print/", None),
            *common,
        ],
        "signer": [("home", "/", None), ("proposals", "/proposals/", None)],
        "office": [
            ("home", "/", None),
            ("feedback inbox", "/office/feedback/", None),
            ("register", "/office/register/", None),
            ("register with errors", "/office/register/", submit),
            ("requests", "/office/requests/", None),
            ("assign", f"/proposals/{p110.pk}/assign/", None),
            ("paper entry", f"/office/replies/{reply.pk}/paper/", None),
            ("feedback", f"/feedback/{feedback.pk}/", None),
            ("dashboard", "/dashboard/", None),
            ("overdue", "/dashboard/list/overdue/", None),
            ("import", "/dashboard/import/", None),
            ("legacy imports", "/imports/", None),
            ("escalations", "/escalations/", None),
            ("topics", "/escalations/topics/", None),
            ("commitments", "/commitments/", None),
            ("scoring", "/scoring/", None),
            ("staff", "/staff/", None),
            ("staff member", f"/staff/{unit_clerk.pk}/", None),
            *common,
        ],
        "supervisor": [
            ("home", "/", None),
            ("dashboard", "/dashboard/", None),
            ("batch print", "/printing/batch/", None),
            ("login log", "/staff/logins/", None),
            ("escalations", "/escalations/", None),
            ("scoring", "/scoring/", None),
            *common,
        ],
        "member": [
            ("home", "/me/", None),
            ("reply", f"/me/replies/{reply.pk}/", None),
            ("form", f"/me/replies/{member_waiting.pk}/feedback/", None) if member_waiting else None,
            (
                "form with errors",
                f"/me/replies/{member_waiting.pk}/feedback/",
                ["form#feedback-form button[type=submit]"],
            )
            if member_waiting
            else None,
            ("proposal", p110.get_absolute_url(), None),
            *common,
        ],
    }[role]


def act(page, steps):
    """A (selector, value) pair fills a field; a bare selector is a button that sends the form."""
    for step in steps:
        if isinstance(step, tuple):
            page.fill(*step)
        else:
            # The server's own messages are the ones checked, not the browser's required-field bubbles.
            page.evaluate("document.querySelectorAll('form').forEach(f => f.noValidate = true)")
            with page.expect_navigation():
                page.click(step)


def test_no_serious_or_critical_violations_on_any_main_page(page, settings):
    assert AXE.exists(), "axe-core is missing: run `make setup-dev` (npm ci)"
    call_command("load_demo", stdout=open("/dev/null", "w"))
    lines, failures = [], []
    for role in ROLES:
        page.context.clear_cookies()
        if role != "anonymous":
            login(page, role, password="banli-demo")
        for entry in pages_of(role):
            if entry is None:
                continue
            label, path, step = entry
            page.goto(f"{page.base_url}{path}")
            if step:
                act(page, step)
                assert page.locator(".errorlist, .form-errors, p.error").count(), f"{role} {label}: no error shown"
            found = violations(page)
            bad = [v for v in found if v["impact"] in BAD]
            counts = {
                impact: sum(1 for v in found if v["impact"] == impact)
                for impact in ("critical", "serious", "moderate", "minor")
            }
            lines.append(
                f"{role:<10} {label:<22} {path:<40} "
                + " ".join(f"{k}={n}" for k, n in counts.items())
                + (f"  [{', '.join(v['id'] for v in bad)}]" if bad else "")
            )
            failures += [f"{role} {label} ({path}): {v['id']} ({v['impact']}) at {v['nodes']}" for v in bad]
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("axe-core violations per page (rules violated, by impact)\n" + "\n".join(lines) + "\n")
    assert not failures, "\n".join(failures)


def test_every_main_page_fits_a_phone_without_sideways_scrolling(phone_page):
    """390 px wide: a wide table scrolls inside its own box or reads as labelled lines; the page itself
    never needs scrolling sideways (a member reads and signs on a phone; staff look things up on one)."""
    call_command("load_demo", stdout=open("/dev/null", "w"))
    page, wider = phone_page, []
    for language, role in itertools.product(("zh-hans", "en"), ROLES):
        page.context.clear_cookies()
        if role != "anonymous":
            login(page, role, password="banli-demo")
        if language == "en":  # English labels are longer: the same pages again
            page.goto(f"{page.base_url}/")
            with page.expect_navigation():
                page.select_option("select[name=language]", "en")
        for entry in pages_of(role):
            if entry is None or entry[2]:
                continue
            label, path, _steps = entry
            page.goto(f"{page.base_url}{path}")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > page.viewport_size["width"]:
                wider.append(f"{language} {role} {label} ({path}): {width} px")
    assert not wider, "wider than the phone:\n" + "\n".join(wider)
