"""The 督办通知单: typeset by Typst from the record, its fields on the page (text read back with
pdfplumber), what the supervisor wrote printed as text (never run as Typst), and downloaded only
by those who follow the session or the unit it is addressed to."""

import datetime
import io

import pdfplumber
from django.test import TestCase
from django.urls import reverse

from printing import documents
from proposals.models import AssignmentStatus, Body
from supervision import escalation, services
from tests import factories as f

HOSTILE = [
    '#read("/etc/passwd")',
    '#eval("1+1")',
    '] #set page(paper: "a5") [',
    "*粗体*",
    "$x^2$",
    "<label> @ref",
    "#{panic()}",
]


def pdf_text(data):
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "".join(page.extract_text() or "" for page in pdf.pages), len(pdf.pages), pdf.pages[0].height


def squash(text):
    return "".join(text.split())


class EscalationNoticeTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.session = f.session(Body.CPPCC, number_format="委员提案〔{year}〕{serial}号")
        escalation.install_default_ladder(cls.session)
        cls.unit = f.unit(name="黄石市经济和信息化局", short_name="市经信局")
        cls.other_unit = f.unit()
        cls.proposal = f.proposal(
            cls.session, serial=110, title="关于加快老旧小区加装电梯的提案", lead=f.member(name="程玮")
        )
        cls.assignment = f.assignment(
            cls.proposal,
            cls.unit,
            assigned_on=datetime.date(2026, 3, 2),
            due_on=datetime.date(2026, 5, 31),
            status=AssignmentStatus.HANDLING,
        )
        cls.supervisor = f.supervisor()
        cls.record = services.escalate(
            assignment=cls.assignment,
            level=cls.session.escalation_levels.get(name="重点督办"),
            by=cls.supervisor,
            reason="\n".join(HOSTILE),
            leader="市政府副市长 李明",
        )
        cls.url = reverse("printing:escalation_notice", args=[cls.record.pk])
        cls.office = f.office(Body.CPPCC)
        cls.npc_office = f.office(Body.NPC)
        cls.clerk = f.clerk(cls.unit)
        cls.other_clerk = f.clerk(cls.other_unit)
        cls.member_user = cls.proposal.lead.user = f.user()
        cls.proposal.lead.save()

    def test_the_notice_shows_its_fields_and_prints_user_text_literally(self):
        text, pages, height = pdf_text(documents.escalation_notice(self.record).render())
        printed = squash(text)
        for field in [
            "市人民政府督查室",
            "督办通知单",
            self.record.number,
            "黄石市经济和信息化局（主办）",
            "委员提案〔2026〕110号",
            "关于加快老旧小区加装电梯的提案",
            "程玮",
            "2026年3月2日",
            "2026年5月31日",
            "重点督办",
            "市政府副市长李明",
        ]:
            self.assertIn(squash(field), printed, field)
        for piece in HOSTILE:
            self.assertIn(squash(piece), printed, piece)
        self.assertNotIn("root:", printed)
        self.assertEqual(pages, 1)
        self.assertAlmostEqual(height, 841.89, delta=0.5)  # still A4: the `#set page` was text

    def test_an_automatic_notice_names_its_rule(self):
        other = f.assignment(
            f.proposal(self.session),
            self.unit,
            assigned_on=datetime.date(2026, 3, 2),
            due_on=datetime.date(2026, 5, 31),
        )
        escalation.run(today=datetime.date(2026, 6, 7))
        record = other.escalations.get()
        text, _pages, _h = pdf_text(documents.escalation_notice(record).render())
        self.assertIn("超期7天", squash(text))
        self.assertIn("督办通知", squash(text))

    def test_who_downloads_it(self):
        for user in (self.supervisor, self.office, self.clerk):
            self.client.force_login(user)
            response = self.client.get(self.url)
            self.assertEqual(response.status_code, 200, user)
            self.assertEqual(response["Content-Type"], "application/pdf")
        for user in (self.npc_office, self.other_clerk, self.member_user):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.url).status_code, 404, user)

    def test_the_escalation_page_links_it(self):
        self.client.force_login(self.supervisor)
        page = self.client.get(reverse("supervision:escalations", args=[self.assignment.pk]))
        self.assertContains(page, self.url)
