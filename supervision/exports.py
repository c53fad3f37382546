"""Excel (openpyxl) and CSV downloads of a table: Chinese headers, and no cell that a
spreadsheet would run as a formula.

A text cell that begins with = + - @, a tab or a carriage return is written as text:
in .xlsx as a string cell with Excel's quote prefix (never a formula cell); in .csv with a
leading apostrophe, the OWASP recommendation for CSV injection.
"""

import csv
import datetime
import io
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def is_dangerous(value):
    return isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES)


def csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    value = str(value) if not isinstance(value, str) else value
    return "'" + value if is_dangerous(value) else value


def xlsx_bytes(sheets):
    """sheets: [(title, headers, rows)] → the bytes of an .xlsx workbook."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, headers, rows in sheets:
        ws = wb.create_sheet(title=str(title)[:31])
        ws.append([str(h) for h in headers])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for r, row in enumerate(rows, start=2):
            for c, value in enumerate(row, start=1):
                cell = ws.cell(row=r, column=c)
                if isinstance(value, bool):
                    value = "是" if value else "否"
                elif value is not None and not isinstance(value, str | int | float | datetime.date):
                    value = str(value)
                cell.value = value
                if isinstance(value, str):
                    # openpyxl turns any string starting with "=" into a formula cell: force text.
                    cell.data_type = "s"
                    if is_dangerous(value):
                        cell.quotePrefix = True
                elif isinstance(value, datetime.date):
                    cell.number_format = "yyyy-mm-dd"
        for column, header in zip(ws.columns, headers, strict=False):
            ws.column_dimensions[column[0].column_letter].width = max(10, min(40, len(str(header)) * 2 + 4))
        ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def csv_text(headers, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_cell(str(h)) for h in headers])
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return buffer.getvalue()


def _disposition(filename):
    # RFC 6266: an ASCII fallback plus the UTF-8 name for browsers that read it.
    return f"attachment; filename=\"export.{filename.rsplit('.', 1)[-1]}\"; filename*=UTF-8''{quote(filename)}"


def download(fmt, filename, sheets):
    """An HttpResponse with the sheets as .xlsx, or the first sheet as .csv (UTF-8 with BOM for Excel)."""
    if fmt == "csv":
        title, headers, rows = sheets[0]
        response = HttpResponse("\ufeff" + csv_text(headers, rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = _disposition(f"{filename}.csv")
        return response
    response = HttpResponse(xlsx_bytes(sheets), content_type=XLSX_TYPE)
    response["Content-Disposition"] = _disposition(f"{filename}.xlsx")
    return response
