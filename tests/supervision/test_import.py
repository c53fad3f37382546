"""Import of a 交办清单: dry run vs confirm, bad rows with row numbers, all or nothing, idempotent;
members matched as the registration form matches them, created only on a row that asks."""

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

HEADER = ["会次", "编号", "案由", "类型", "领衔人", "联名人", "承办单位", "交办日期", "新建人员"]


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
                "是",
            ],
            ["黄石市政协测试会议", 111, "关于加强课后服务的提案", "提案", "赵敏", "", "市财政局", "2026-03-12", "是"],
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
        self.assertContains(response, "将新建人员：王秋红、李新")
        self.assertContains(response, "<td>王秋红、李新</td>", html=True)  # the 联名人 column
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
        response = self.client.post(reverse("supervision:import"), {})  # no file chosen
        self.assertContains(response, "请选择要导入的交办清单文件。")

    def test_an_office_cannot_import_into_another_body(self):
        self.client.force_login(self.npc_office)
        response = self.upload(workbook(self.good_rows()))
        self.assertContains(response, "无权导入会次“黄石市政协测试会议”")

    def test_clerk_gets_404(self):
        self.client.force_login(self.clerk)
        self.assertEqual(self.client.get(reverse("supervision:import")).status_code, 404)
        self.assertEqual(self.upload(workbook(self.good_rows())).status_code, 404)


class ImportMembersTest(TestCase):
    """Names in a sheet are matched like names typed on the registration form."""

    @classmethod
    def setUpTestData(cls):
        cls.session = f.session(Body.CPPCC, name="黄石市政协测试会议", number_format="委员提案〔{year}〕{serial}号")
        f.session(Body.NPC, name="黄石市人大测试会议")
        cls.jx = f.unit(name="黄石市经济和信息化局", short_name="市经信局")
        cls.chengwei = f.member(name="程玮", body=Body.CPPCC)
        cls.wang_econ = f.member(name="王秋红", group="经济界")
        cls.wang_edu = f.member(name="王秋红", group="教育界")
        cls.office = f.office(Body.CPPCC)

    def row(self, cosigners, create=""):
        return ["黄石市政协测试会议", 110, "关于甲的提案", "提案", "程玮", cosigners, "市经信局", "2026-03-10", create]

    def plan(self, *rows):
        return importer.Planner(self.office).plan(workbook(list(rows)))

    def test_an_unknown_member_is_refused_with_the_forms_message(self):
        plan = self.plan(self.row("新委员甲"))
        self.assertFalse(plan.ok)
        self.assertEqual(
            plan.rows[0].errors,
            ["找不到这些代表委员：新委员甲。", "如确需新建这些人员，请在该行“新建人员”列填写“是”。"],
        )
        # The registration form says the same of the same name.
        from proposals.forms import RegisterForm

        form = RegisterForm(
            {"session": self.session.pk, "lead": self.chengwei.pk, "title": "关于甲的提案", "period": "session"}
            | {"submitted_on": "2026-03-10", "cosigner_names": "新委员甲"},
            bodies=[Body.CPPCC],
        )
        self.assertIn("找不到这些代表委员：新委员甲。", form.errors["cosigner_names"])

    def test_a_refused_row_on_the_page_creates_nobody(self):
        self.client.force_login(self.office)
        upload = SimpleUploadedFile("list.xlsx", workbook([self.row("新委员甲")]))
        response = self.client.post(reverse("supervision:import"), {"file": upload})
        self.assertContains(response, "第2行：找不到这些代表委员：新委员甲。")
        self.assertNotContains(response, "确认导入")
        self.assertNotContains(response, "将新建人员")
        self.assertFalse(Member.objects.filter(name="新委员甲").exists())

    def test_a_row_that_says_so_creates_the_member(self):
        plan = self.plan(self.row("新委员甲", create="是"))
        self.assertTrue(plan.ok)
        self.assertEqual(plan.rows[0].new_members, ["新委员甲"])
        importer.apply(plan, user=self.office)
        proposal = Proposal.objects.get(session=self.session, serial=110)
        self.assertEqual([m.name for m in proposal.members_in_order], ["程玮", "新委员甲"])

    def test_a_file_without_the_column_creates_nobody(self):
        header = HEADER[:-1]
        data = workbook([self.row("新委员甲")[:-1]], header=header)
        plan = importer.Planner(self.office).plan(data)
        self.assertIn("找不到这些代表委员：新委员甲。", plan.rows[0].errors)

    def test_anything_but_yes_or_no_in_the_column_is_an_error(self):
        plan = self.plan(self.row("", create="可以"))
        self.assertEqual(plan.rows[0].errors, ["“新建人员”应填“是”或“否”（留空即为否）。"])

    def test_namesakes_are_told_apart_by_their_group_as_on_the_form(self):
        self.assertIn("有同名的代表委员，请写明界别", self.plan(self.row("王秋红")).rows[0].errors[0])
        plan = self.plan(self.row("王秋红（教育界）"))
        self.assertTrue(plan.ok)
        self.assertEqual(plan.rows[0].cosigners, [self.wang_edu])
        # A namesake is never "created" to get around the question.
        self.assertFalse(self.plan(self.row("王秋红", create="是")).ok)

    def test_the_preview_shows_the_cosigners(self):
        self.client.force_login(self.office)
        upload = SimpleUploadedFile("list.xlsx", workbook([self.row("王秋红（经济界）")]))
        response = self.client.post(reverse("supervision:import"), {"file": upload})
        self.assertContains(response, "<th>联名人</th>", html=True)
        self.assertContains(response, "<td>王秋红</td>", html=True)


class ImportTemplateTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.session = f.session(Body.CPPCC, name="黄石市政协测试会议")
        cls.npc = f.session(Body.NPC, name="黄石市人大测试会议")
        f.unit(name="黄石市经济和信息化局", short_name="市经信局")
        f.member(name="程玮")
        cls.office = f.office(Body.CPPCC)

    def download(self):
        self.client.force_login(self.office)
        response = self.client.get(reverse("supervision:import_template"))
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        self.assertIn(".xlsx", response["Content-Disposition"])
        from openpyxl import load_workbook

        return load_workbook(io.BytesIO(b"".join(response.streaming_content)))

    def test_the_import_page_links_to_the_template(self):
        self.client.force_login(self.office)
        response = self.client.get(reverse("supervision:import"))
        self.assertContains(response, reverse("supervision:import_template"))

    def test_the_template_opens_with_the_importers_headers_and_the_offices_sessions(self):
        wb = self.download()
        sheet = wb.worksheets[0]
        self.assertEqual([c.value for c in sheet[1]], list(importer.COLUMNS.values()))
        self.assertEqual(sheet.max_row, 1)  # nothing to delete before filling it in
        choices = [row[0] for row in wb.worksheets[1].iter_rows(min_row=2, values_only=True) if row[0]]
        self.assertEqual(choices, ["黄石市政协测试会议"])  # not the NPC's session
        self.assertEqual(len(wb.worksheets[2]["A"]), len(importer.COLUMNS) + 1)  # every column explained

    def test_a_filled_in_template_imports(self):
        wb = self.download()
        wb.worksheets[0].append(
            ["黄石市政协测试会议", 7, "关于乙的提案", "提案", "程玮", "", "市经信局", datetime.date(2026, 3, 10), ""]
        )
        buffer = io.BytesIO()
        wb.save(buffer)
        plan = importer.Planner(self.office).plan(buffer.getvalue())
        self.assertTrue(plan.ok, plan.rows[0].errors)

    def test_unit_staff_cannot_download_it(self):
        self.client.force_login(f.clerk(f.unit()))
        self.assertEqual(self.client.get(reverse("supervision:import_template")).status_code, 404)
