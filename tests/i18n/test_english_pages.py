"""An English-speaking user switches the language and meets an English interface.

The records here are given Latin names and titles, so any Chinese left on a page is
interface text that did not get translated. Reply letters shown on screen are document
content (they stay as written), so `.letter` blocks are left out of the check, as is the
language menu, which names each language in itself (简体中文).
"""

import re
from html.parser import HTMLParser

from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from proposals.models import AssignmentRequest, AssignmentRole, Body, Event, EventVerb, RequestKind
from replies.models import ContactMethod, ContactRecord, ReplyStatus
from tests import factories as f

from .catalogue import ensure_compiled

# Chinese characters, and the full-width punctuation (：（），、。《》) that only Chinese text uses.
CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
LABEL_ATTRS = ("placeholder", "aria-label", "title", "data-label", "alt")


class VisibleText(HTMLParser):
    """Text a user reads (and labels a screen reader or a phone layout shows), minus skipped parts."""

    def __init__(self):
        super().__init__()
        self.stack = []  # (tag, skipping)
        self.chunks = []

    def skipping(self):
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        skip = (
            self.skipping()
            or tag in ("script", "style")
            or (tag == "select" and attrs.get("name") == "language")
            or "letter" in classes
        )
        if not skip:
            self.chunks += [attrs[a] for a in LABEL_ATTRS if attrs.get(a)]
            if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
                self.chunks.append(attrs["value"])
        if tag not in VOID:
            self.stack.append((tag, skip))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if not self.skipping() and data.strip():
            self.chunks.append(data.strip())


def chinese_left(html):
    parser = VisibleText()
    parser.feed(html)
    return [chunk for chunk in parser.chunks if CHINESE.search(chunk)]


class EnglishPagesTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        ensure_compiled()
        session = f.session(Body.CPPCC, name="Fifth Session", number_format="P{year}-{serial}")
        cls.unit = f.unit(name="Bureau of Economy and IT", short_name="Economy Bureau")
        co_unit = f.unit(name="Finance Bureau", short_name="Finance")
        cls.member_user, cls.lead = f.member_user(name="Cheng Wei")
        _u, cosigner = f.member_user(name="Wang Qiuhong")
        cls.proposal = f.proposal(
            session, lead=cls.lead, cosigners=[cosigner], title="On cheaper power for small firms"
        )
        cls.assignment = f.assignment(cls.proposal, cls.unit)
        f.assignment(cls.proposal, co_unit, role=AssignmentRole.CO)
        cls.reply = f.reply(
            cls.assignment, title="Reply on cheaper power", addressees="Cheng Wei", body="Dear member\nWe reply."
        )
        cls.clerk = f.clerk(cls.unit)
        cls.supervisor = f.supervisor()
        cls.office = f.office(Body.CPPCC)
        ContactRecord.objects.create(
            assignment=cls.assignment,
            contacted_on=cls.assignment.assigned_on,
            method=ContactMethod.PHONE,
            summary="Called",
            recorded_by=cls.clerk,
        )
        AssignmentRequest.objects.create(
            assignment=cls.assignment,
            kind=RequestKind.EXTENSION,
            reason="Needs a survey",
            requested_due_on=cls.assignment.due_on + timezone.timedelta(days=30),
            requested_by=cls.clerk,
        )
        for verb in (EventVerb.REGISTERED, EventVerb.ASSIGNED, EventVerb.SIGNED_FOR, EventVerb.EXTENSION_APPROVED):
            Event.record(proposal=cls.proposal, assignment=cls.assignment, verb=verb, actor=cls.clerk)
        other = f.proposal(session, lead=cosigner, title="On school meals")
        f.reply(f.assignment(other, cls.unit), status=ReplyStatus.DRAFT, title="Draft", body="Draft text")

    def english(self, user=None):
        if user:
            self.client.force_login(user)
        response = self.client.post(reverse("set_language"), {"language": "en", "next": "/"})
        self.assertEqual(response.status_code, 302)

    def assertEnglish(self, url, *, expect=()):
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        html = response.content.decode()
        self.assertIn('<html lang="en">', html)
        self.assertEqual(chinese_left(html), [], url)
        for text in expect:
            self.assertIn(text, html, url)
        return html

    def test_the_login_page(self):
        self.english()
        self.assertEnglish(reverse("login"), expect=["Log in", "Username", "Password"])

    def test_the_units_inbox(self):
        self.english(self.clerk)
        html = self.assertEnglish("/", expect=["Workbench", "Lead proposer", "Due on", "Filter and search"])
        self.assertIn("On cheaper power for small firms", html)

    def test_the_proposal_page_and_list(self):
        self.english(self.clerk)
        self.assertEnglish("/proposals/", expect=["Proposals"])
        self.assertEnglish(
            self.proposal.get_absolute_url(),
            expect=["Reply, round 1", "Timeline", "Extension approved", ">Sign for<", "Request return"],
        )

    def test_the_member_portal(self):
        self.english(self.member_user)
        self.assertEnglish(
            reverse("feedback:portal"), expect=["My proposals", "Cheng Wei (member)", "Feedback forms to fill in"]
        )

    def test_the_feedback_form(self):
        self.english(self.member_user)
        self.assertEnglish(
            reverse("feedback:member_form", args=[self.reply.pk]),
            expect=["Handling effect", "Satisfied", "Sign in the box below", "Submit the form"],
        )

    def test_the_dashboard_and_its_lists(self):
        self.english(self.supervisor)
        self.assertEnglish(reverse("supervision:dashboard"), expect=["Handling statistics", "Reply rate", "Export"])
        self.assertEnglish(reverse("supervision:list", args=["all"]), expect=["All assignments"])

    def test_the_escalation_pages(self):
        from supervision import services
        from supervision.models import EscalationLevel, EscalationRule, KeyTopic

        session = self.proposal.session
        low = EscalationLevel.objects.create(session=session, rank=1, name="Reminder")
        top = EscalationLevel.objects.create(session=session, rank=2, name="Key", needs_leader=True, leader="Li Ming")
        EscalationRule.objects.create(session=session, offset_days=7, level=top)
        EscalationRule.objects.create(session=session, offset_days=-3, level=low)
        services.escalate(assignment=self.assignment, level=low, by=self.supervisor, reason="Late")
        topic = KeyTopic.objects.create(
            session=session, title="Urban renewal", leader="Li Ming", created_by=self.supervisor
        )
        topic.proposals.add(self.proposal)
        self.english(self.supervisor)
        self.assertEnglish(reverse("supervision:escalation_overview"), expect=["Recent escalations"])
        self.assertEnglish(
            reverse("supervision:escalations", args=[self.assignment.pk]),
            expect=["Escalation records", "Escalate and notify", "Supervision notice"],
        )
        self.assertEnglish(
            reverse("supervision:ladder", args=[session.pk]),
            expect=["Automatic escalation rules", "First-meeting rule"],
        )
        self.assertEnglish(reverse("supervision:topics"), expect=["Urban renewal"])
        self.assertEnglish(reverse("supervision:topic", args=[topic.pk]), expect=["Progress of each item"])
        self.assertEnglish(reverse("supervision:topic_new"), expect=["New key supervision topic"])

    def test_the_offices_feedback_inbox(self):
        self.english(self.office)
        self.assertEnglish(reverse("feedback:office"), expect=["Replies without feedback yet"])

    def test_chinese_stays_the_default(self):
        self.client.force_login(self.clerk)
        html = self.client.get("/").content.decode()
        self.assertIn('<html lang="zh-CN">', html)
        self.assertIn("工作台", html)
        self.assertNotIn("Workbench", html)

    def test_the_checker_would_notice_untranslated_labels(self):
        page = '<h1>Items</h1><th data-label="状态">x</th><div class="letter">二〇二六年</div><p>办理</p><p>A（1）</p>'
        self.assertEqual(chinese_left(page), ["状态", "办理", "A（1）"])
