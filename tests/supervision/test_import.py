"""Import of a 交办清单: dry run vs confirm, bad rows with row numbers, all or nothing, idempotent."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import TestCase
from django.urls import reverse
from openpyxl import Workbook

from proposals.models import Assignment, AssignmentRole, Body, DuplicateNumber, Member, Proposal
from supervision import importer
from tests import factories as f

HEADER = ["会次", "编号", "案由", "类型", "领衔人", "联名人", "承办单位", "交办日期"]


def workbook(rows, header=HEADER):
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


class ImportTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.session = f.session(Body.CPPCC, name="黄石市政协测试会议", number_format="委员提案〔{year}〕{serial}号")
        cls.npc = f.session(Body.NPC, name="黄石市人大测试会议")
        cls.jx = f.unit(name="黄石市经济和信息化局", short_name="市经信局")
        cls.cz = f.unit(name="黄石市财政局", short_name="市财政局")
        cls.chengwei = f.member(name="程玮", body=Body.CPPCC)
        cls.supervisor = f.supervisor(username="dc")
        cls.office = f.office(Body.CPPCC)
        cls.npc_office = f.office(Body.NPC)
        cls.clerk = f.clerk(cls.jx)

    def good_rows(self):
        return [
            [
                "黄石市政协测试会议",
                "委员提案〔2026〕110号",
                "关于促进中小企业发展的提案",
                "提案",
                "程玮",
                "王秋红、李新",
                "市经信局（主办）、市财政局（会办）",
                datetime.datetime(2026, 3, 10),
            ],
            ["黄石市政协测试会议", 111, "关于加强课后服务的提案", "提案", "赵敏", "", "市财政局", "2026-03-12"],
        ]

    def write(self, tmp, data):
        path = tmp / "list.xlsx"
        path.write_bytes(data)
        return str(path)

    @pytest.fixture(autouse=True)
    def _tmp(self, tmp_path):
        self.tmp = tmp_path

    def test_dry_run_writes_nothing_and_confirm_imports(self):
        path = self.write(self.tmp, workbook(self.good_rows()))
        out = io.StringIO()
        call_command("import_assignments", path, "--dry-run", "--user", "dc", stdout=out)
        self.assertIn("新增 2 件", out.getvalue())
        self.assertFalse(Proposal.objects.filter(session=self.session).exists())

        call_command("import_assignments", path, "--user", "dc", stdout=io.StringIO())
        p = Proposal.objects.get(session=self.session, serial=110)
        self.assertEqual(p.number, "委员提案〔2026〕110号")
        self.assertEqual([m.name for m in p.members_in_order], ["程玮", "王秋红", "李新"])
        self.assertEqual(p.lead, self.chengwei)  # found, not duplicated
        lead = p.assignments.get(unit=self.jx)
        self.assertEqual(
            (lead.role, lead.assigned_on, lead.due_on), ("lead", datetime.date(2026, 3, 10), datetime.date(2026, 6, 8))
        )
        self.assertEqual(p.assignments.get(unit=self.cz).due_on, datetime.date(2026, 4, 9))  # 会办: 30 days
        second = Proposal.objects.get(session=self.session, serial=111)
        self.assertEqual(second.number, "委员提案〔2026〕111号")
        self.assertEqual(second.assignments.get().role, AssignmentRole.LEAD)

    def test_reimporting_the_same_file_changes_nothing(self):
        path = self.write(self.tmp, workbook(self.good_rows()))
        call_command("import_assignments", path, "--user", "dc", stdout=io.StringIO())
        counts = (Proposal.objects.count(), Assignment.objects.count(), Member.objects.count())
        out = io.StringIO()
        call_command("import_assignments", path, "--user", "dc", stdout=out)
        self.assertIn("新增建议提案 0 件，交办 0 条", out.getvalue())
        self.assertEqual((Proposal.objects.count(), Assignment.objects.count(), Member.objects.count()), counts)

    def test_bad_rows_are_reported_with_row_numbers_and_nothing_is_imported(self):
        rows = self.good_rows() + [
            ["黄石市政协测试会议", 112, "关于甲的提案", "提案", "程玮", "", "市不存在局", "2026-03-12"],
            ["黄石市政协测试会议", 113, "关于乙的提案", "提案", "程玮", "", "市经信局", "下周一"],
            ["黄石市政协测试会议", 114, "关于丙的建议", "建议", "程玮", "", "市经信局", "2026-03-12"],
            ["不存在的会议", 115, "关于丁的提案", "提案", "程玮", "", "市经信局", "2026-03-12"],
            ["黄石市政协测试会议", 116, "", "提案", "程玮", "", "市经信局", "2026-03-12"],
        ]
        err = io.StringIO()
        with self.assertRaisesMessage(CommandError, "5 行有错误，未导入任何数据"):
            call_command(
                "import_assignments",
                self.write(self.tmp, workbook(rows)),
                "--user",
                "dc",
                stdout=io.StringIO(),
                stderr=err,
            )
        report = err.getvalue()
        self.assertIn("第4行：承办单位“市不存在局”不存在。", report)
        self.assertIn("第5行：交办日期“下周一”不是有效日期", report)
        self.assertIn("第6行：类型“建议”与会次不符", report)
        self.assertIn("第7行：会次“不存在的会议”不存在。", report)
        self.assertIn("第8行：“案由”不能为空。", report)
        self.assertFalse(Proposal.objects.filter(session=self.session).exists())

    def test_a_missing_column_is_refused(self):
        data = workbook([["黄石市政协测试会议", 1, "关于的提案"]], header=["会次", "编号", "案由"])
        with self.assertRaisesMessage(CommandError, "表头缺少列：领衔人、承办单位、交办日期"):
            call_command("import_assignments", self.write(self.tmp, data), "--user", "dc", stdout=io.StringIO())

    def test_a_number_taken_by_another_title_is_an_error(self):
        f.proposal(self.session, serial=110, number="委员提案〔2026〕110号", title="另一件提案")
        with self.assertRaises(CommandError):
            call_command(
                "import_assignments",
                self.write(self.tmp, workbook(self.good_rows())),
                "--user",
                "dc",
                stdout=io.StringIO(),
                stderr=io.StringIO(),
            )

    def test_a_failure_half_way_keeps_nothing(self):
        plan = importer.Planner(self.supervisor).plan(workbook(self.good_rows()))
        self.assertTrue(plan.ok)
        f.proposal(self.session, serial=111, title="同时登记的另一件")  # taken between check and write
        with self.assertRaises(DuplicateNumber):
            importer.apply(plan, user=self.supervisor)
        self.assertFalse(Proposal.objects.filter(session=self.session, serial=110).exists())
        self.assertFalse(Member.objects.filter(name="王秋红").exists())

    # --- the upload page ---

    def upload(self, data, name="list.xlsx"):
        return self.client.post(reverse("supervision:import"), {"file": SimpleUploadedFile(name, data)})

    def test_upload_previews_then_confirm_imports(self):
        self.client.force_login(self.office)
        response = self.upload(workbook(self.good_rows()))
        self.assertContains(response, "全部通过检查")
        self.assertContains(response, "将新建：王秋红、李新")
        self.assertFalse(Proposal.objects.filter(session=self.session).exists())
        sha = response.context["sha"]
        response = self.client.post(reverse("supervision:import"), {"confirm": "1", "sha": sha}, follow=True)
        self.assertContains(response, "新增建议提案 2 件，交办 3 条")
        self.assertEqual(Proposal.objects.filter(session=self.session).count(), 2)

    def test_preview_shows_bad_rows_and_offers_no_confirm(self):
        self.client.force_login(self.office)
        rows = self.good_rows() + [
            ["黄石市政协测试会议", 112, "关于甲的提案", "提案", "程玮", "", "市经信局", "2026-02-30"]
        ]
        response = self.upload(workbook(rows))
        self.assertContains(response, "第4行：")
        self.assertContains(response, "不是有效日期")
        self.assertNotContains(response, "确认导入")

    def test_malformed_file_gets_a_clear_message(self):
        self.client.force_login(self.office)
        response = self.upload(b"this is not a spreadsheet")
        self.assertContains(response, "无法读取该文件")
        response = self.upload(b"a,b", name="list.csv")
        self.assertContains(response, "请上传 .xlsx 格式的 Excel 文件")

    def test_an_office_cannot_import_into_another_body(self):
        self.client.force_login(self.npc_office)
        response = self.upload(workbook(self.good_rows()))
        self.assertContains(response, "无权导入会次“黄石市政协测试会议”")

    def test_clerk_gets_404(self):
        self.client.force_login(self.clerk)
        self.assertEqual(self.client.get(reverse("supervision:import")).status_code, 404)
        self.assertEqual(self.upload(workbook(self.good_rows())).status_code, 404)
