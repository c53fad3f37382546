"""The 办理情况通报 draft: its figures are the dashboard's for the same filter, it commends and names
units by the rule it states, picks typical cases by rule, prints user text literally, and is
the supervisor's and the offices' (each its own body) only."""

import datetime
import io

import pdfplumber
from django.db.models import Q
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from docx import Document

from feedback.models import Satisfaction
from proposals.models import AssignmentStatus, Body
from tests import factories as f


def pdf_text(content):
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return "".join("".join((page.extract_text() or "").split()) for page in pdf.pages)


class AnnualReportTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        today = timezone.localdate()
        long_ago = today - datetime.timedelta(days=200)
        cls.session = f.session(Body.CPPCC, name="测试市政协十三届五次会议")
        cls.npc_session = f.session(Body.NPC, name="测试市人大十七届五次会议")
        cls.good = f.unit("测试市交通运输局", "交通局")
        cls.late = f.unit("测试市住建局", "住建局")
        cls.npc_unit = f.unit("测试市水利局", "水利局")
        member = f.member("程玮")
        # 交通局: two proposals answered in time, class A, both members satisfied.
        for n, title in enumerate(["关于建设智慧停车系统的提案", '关于#read("/etc/passwd")与*粗体*的提案']):
            p = f.proposal(cls.session, lead=member, title=title, is_key=(n == 1))
            a = f.assignment(p, cls.good, assigned_on=long_ago, status=AssignmentStatus.REPLIED)
            reply = f.reply(
                a,
                written_on=long_ago + datetime.timedelta(days=30),
                doc_number=f"交函〔2026〕{n + 1}号",
                body="你们提出的提案收悉，现答复如下：\n近年来，我局新建停车泊位三千个，智慧停车平台上线运行，群众停车难得到缓解。",
            )
            f.feedback(reply, member, satisfaction=Satisfaction.SATISFIED)
        # 住建局: one proposal past its deadline with no reply.
        p = f.proposal(cls.session, lead=member, title="关于老旧小区加装电梯的提案")
        f.assignment(p, cls.late, assigned_on=long_ago, status=AssignmentStatus.HANDLING)
        # A deputy's suggestion in the other body: the CPPCC office never sees it.
        p = f.proposal(cls.npc_session, lead=f.member("张伟", body=Body.NPC), title="关于河道治理的建议")
        f.assignment(p, cls.npc_unit, assigned_on=long_ago, status=AssignmentStatus.HANDLING)
        cls.supervisor = f.supervisor(username="supervisor")
        cls.office = f.office(Body.CPPCC, username="office")
        cls.clerk = f.clerk(cls.good, username="clerk")

    def get(self, user, name, query=""):
        self.client.force_login(user)
        return self.client.get(reverse(name) + query)

    def test_the_dashboard_links_the_draft_with_its_filter(self):
        page = self.get(self.supervisor, "supervision:dashboard", f"?session={self.session.pk}").content.decode()
        self.assertIn(f"/dashboard/report.pdf?session={self.session.pk}", page)
        self.assertIn(f"/dashboard/report.docx?session={self.session.pk}", page)

    def test_the_figures_are_the_dashboards_and_units_are_commended_and_named_by_the_stated_rule(self):
        query = f"?session={self.session.pk}"
        summary = self.get(self.supervisor, "supervision:dashboard", query).context["summary"]
        self.assertEqual((summary["assigned"], summary["replied"], summary["on_time"]), (3, 2, 2))
        response = self.get(self.supervisor, "printing:annual_report_pdf", query)
        self.assertEqual(response["Content-Type"], "application/pdf")
        text = pdf_text(response.content)
        self.assertIn("关于测试市政协十三届五次会议建议提案办理情况的通报", text)
        self.assertIn(f"共交办承办单位主办、分办件{summary['assigned']}件", text)
        self.assertIn(f"办复率{summary['replied_rate']}%", text)
        self.assertIn(f"按期办复率{summary['on_time_rate']}%", text)
        self.assertIn(f"满意率{summary['satisfied_rate']}%", text)
        self.assertIn("A类2件（100.0%）", text)
        commended = text.split("四、表扬的单位")[1].split("五、通报的单位")[0]
        named = text.split("五、通报的单位")[1].split("六、下一步工作")[0]
        self.assertIn("测试市交通运输局", commended)
        self.assertNotIn("住建局", commended)
        self.assertIn("测试市住建局：1件逾期未办复", named)
        self.assertNotIn("交通运输局", named)

    def test_typical_cases_are_class_a_replies_a_member_was_satisfied_with_key_ones_first_printed_literally(self):
        text = pdf_text(self.get(self.supervisor, "printing:annual_report_pdf", f"?session={self.session.pk}").content)
        cases = text.split("三、典型案例")[1].split("四、表扬的单位")[0]
        self.assertIn('《关于#read("/etc/passwd")与*粗体*的提案》（交函〔2026〕2号）', cases)
        self.assertLess(cases.index("交函〔2026〕2号"), cases.index("交函〔2026〕1号"))
        self.assertIn("我局新建停车泊位三千个", cases)  # the substance, not the opening "收悉"
        self.assertNotIn("收悉", cases)

    def test_the_word_draft_says_the_same_and_holds_the_unit_table(self):
        response = self.get(self.supervisor, "printing:annual_report_docx", f"?session={self.session.pk}")
        self.assertIn("attachment", response["Content-Disposition"])
        doc = Document(io.BytesIO(response.content))
        texts = [p.text for p in doc.paragraphs]
        self.assertEqual(texts[0], "关于测试市政协十三届五次会议建议提案办理情况的通报")
        self.assertTrue(any("共交办承办单位主办、分办件3件" in t for t in texts))
        (table,) = doc.tables
        rows = [[c.text for c in row.cells] for row in table.rows]
        self.assertEqual(rows[0][:3], ["承办单位", "交办", "办复"])
        self.assertIn(["测试市交通运输局", "2", "2", "100.0%", "0.0%", "100.0%", "0"], rows)

    def test_an_office_reports_on_its_own_body_and_a_clerk_gets_nothing(self):
        text = pdf_text(self.get(self.office, "printing:annual_report_pdf").content)
        self.assertIn("测试市交通运输局", text)
        self.assertNotIn("水利局", text)
        self.assertIn("水利局", pdf_text(self.get(self.supervisor, "printing:annual_report_pdf").content))
        for name in ("printing:annual_report_pdf", "printing:annual_report_docx"):
            self.assertEqual(self.get(self.clerk, name).status_code, 404)


class ReportCommitmentsTests(TestCase):
    def test_the_draft_states_the_commitments_and_their_rate_as_the_dashboard_counts_them(self):
        from printing.report import sections
        from supervision import report as supervision_report
        from supervision.models import Commitment

        today = timezone.localdate()
        session = f.session(Body.CPPCC, name="测试会议")
        unit = f.unit("测试市民政局", "民政局")
        a = f.assignment(f.proposal(session, title="关于社区养老的提案"), unit, status=AssignmentStatus.REPLIED)
        reply = f.reply(a, result_class="B")
        clerk = f.clerk(unit)
        kept = Commitment.objects.record(reply=reply, by=clerk, text="新建养老服务站", due_on=today)
        kept.close(by=f.supervisor(), note="已建成")
        late = today - datetime.timedelta(days=1)
        Commitment.objects.record(reply=reply, by=clerk, text="完善助餐服务", due_on=late)
        figures = supervision_report.report_figures(Q(), scope_label="测试会议")
        self.assertEqual(figures["commitments"]["rate"], 50.0)
        overview = " ".join(sections(figures)[0][1])
        self.assertIn("作出承诺2项，已销号1项、逾期未兑现1项，承诺兑现率50.0%", overview)
