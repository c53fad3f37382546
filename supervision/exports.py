"""Excel (openpyxl) and CSV downloads of a table: Chinese headers, and no cell that a
spreadsheet would run as a formula.

A text cell that begins with = + - @, a tab or a carriage return is written as text:
in .xlsx as a string cell with Excel's quote prefix (never a formula cell); in .csv with a
leading apostrophe, the OWASP recommendation for CSV injection.
"""

import csv
import datetime
import io

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

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


def _xlsx_value(ws, value):
    if value is None or isinstance(value, int | float | datetime.date) and not isinstance(value, bool):
        return value
    if isinstance(value, bool):
        value = "是" if value else "否"
    value = str(value)
    if not is_dangerous(value):
        return value
    # openpyxl makes any string starting with "=" a formula cell: force a text cell, with
    # Excel's quote prefix so that editing the cell later keeps it text.
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def xlsx_bytes(sheets):
    """sheets: [(title, headers, rows)] → the bytes of an .xlsx workbook (streamed, write-only)."""
    wb = Workbook(write_only=True)
    for title, headers, rows in sheets:
        ws = wb.create_sheet(title=str(title)[:31])
        for i, header in enumerate(headers, start=1):
            ws.column_dimensions[get_column_letter(i)].width = max(10, min(40, len(str(header)) * 2 + 4))
        ws.freeze_panes = "A2"
        header_cells = []
        for header in headers:
            cell = WriteOnlyCell(ws, value=str(header))
            cell.data_type = "s"
            cell.font = Font(bold=True)
            header_cells.append(cell)
        ws.append(header_cells)
        for row in rows:
            ws.append([_xlsx_value(ws, value) for value in row])
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


def download(fmt, filename, sheets):
    """An HttpResponse with the sheets as .xlsx, or the first sheet as .csv (UTF-8 with BOM for Excel)."""
    if fmt == "csv":
        title, headers, rows = sheets[0]
        response = HttpResponse("\ufeff" + csv_text(headers, rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(True, f"{filename}.csv")
        return response
    response = HttpResponse(xlsx_bytes(sheets), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"{filename}.xlsx")
    return response
