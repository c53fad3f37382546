"""Exports re-read with openpyxl and csv: Chinese headers, and formula-like text stays text."""

import csv
import datetime
import io
import zipfile

from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from proposals.models import Body
from supervision.exports import csv_text, xlsx_bytes
from tests import factories as f

DANGEROUS = ['=HYPERLINK("http://evil.example","点我")', "+1+2", "-3+4", "@SUM(A1)", "\tTAB", "\rCR"]


class EscapingTest(TestCase):
    def test_xlsx_writes_formula_like_text_as_text(self):
        data = xlsx_bytes([("表", ["内容", "数"], [[value, -5] for value in DANGEROUS])])
        ws = load_workbook(io.BytesIO(data)).active
        self.assertEqual(ws["A1"].value, "内容")
        for row, value in enumerate(DANGEROUS, start=2):
            cell = ws.cell(row=row, column=1)
            self.assertEqual(cell.data_type, "s")
            self.assertEqual(cell.value, value)
            self.assertTrue(cell.quotePrefix)
            self.assertEqual(ws.cell(row=row, column=2).value, -5)  # numbers stay numbers
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            sheet = z.read("xl/worksheets/sheet1.xml").decode()
        self.assertNotIn("<f>", sheet)

    def test_csv_prefixes_formula_like_text(self):
        rows = list(csv.reader(io.StringIO(csv_text(["内容"], [[v] for v in DANGEROUS]), newline="")))
        self.assertEqual(rows[0], ["内容"])
        self.assertEqual([r[0] for r in rows[1:]], ["'" + v for v in DANGEROUS])


class ExportViewsTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.unit = f.unit(short_name="经信")
        lead = f.member(name="@陈某", body=Body.CPPCC)
        cls.proposal = f.proposal(f.session(Body.CPPCC), lead=lead, title=DANGEROUS[0])
        f.assignment(cls.proposal, cls.unit, assigned_on=timezone.localdate() - datetime.timedelta(days=100))
        cls.supervisor = f.supervisor()
        cls.clerk = f.clerk(cls.unit)

    def test_overdue_list_exports_to_xlsx_with_chinese_headers(self):
        self.client.force_login(self.supervisor)
        response = self.client.get(reverse("supervision:list", args=["overdue"]), {"export": "xlsx"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment;", response["Content-Disposition"])
        ws = load_workbook(io.BytesIO(response.content)).active
        headers = [c.value for c in ws[1]]
        self.assertEqual(headers[:3], ["编号", "案由", "会次"])
        title, lead = ws["B2"], ws["D2"]
        self.assertEqual((title.value, title.data_type), (DANGEROUS[0], "s"))
        self.assertEqual((lead.value, lead.data_type), ("@陈某", "s"))

    def test_overdue_list_exports_to_csv(self):
        self.client.force_login(self.supervisor)
        response = self.client.get(reverse("supervision:list", args=["overdue"]), {"export": "csv"})
        text = response.content.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        self.assertEqual(rows[0][1], "案由")
        self.assertEqual(rows[1][1], "'" + DANGEROUS[0])
        self.assertEqual(rows[1][3], "'@陈某")

    def test_dashboard_tables_export(self):
        self.client.force_login(self.supervisor)
        response = self.client.get(reverse("supervision:dashboard"), {"export": "xlsx"})
        wb = load_workbook(io.BytesIO(response.content))
        self.assertEqual(wb.sheetnames, ["总体", "分单位"])
        self.assertEqual(wb["总体"]["A2"].value, "交办")
        self.assertEqual(wb["总体"]["B2"].value, 1)
        self.assertEqual([c.value for c in wb["分单位"][2]][:3], ["经信", "主办", 1])

    def test_clerk_cannot_export(self):
        self.client.force_login(self.clerk)
        response = self.client.get(reverse("supervision:list", args=["overdue"]), {"export": "xlsx"})
        self.assertEqual(response.status_code, 404)
