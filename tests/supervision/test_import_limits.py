"""An .xlsx that would unpack to too much, or hold too many rows, is refused from the zip's own
directory and a streamed count, before any XML is parsed (bench/xlsx_bombs.py measures the
time and memory it takes on the full-size bombs)."""

import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from supervision import importer
from tests import factories as f

from .test_import import workbook


def with_part(data, name, content):
    """The .xlsx `data` with one part replaced (or added), deflated as Excel does."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != name:
                target.writestr(info, source.read(info))
        target.writestr(name, content)
    return out.getvalue()


def sheet(rows_xml):
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + rows_xml
        + "</sheetData></worksheet>"
    ).encode()


def huge_shared_string():
    base = workbook([["会次"] * 8])
    strings = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>'
        + "A" * (importer.MAX_SHARED_STRINGS_BYTES + 1)
        + "</t></si></sst>"
    )
    return with_part(base, "xl/sharedStrings.xml", strings.encode())


def blank_rows(count):
    return with_part(
        workbook([]), "xl/worksheets/sheet1.xml", sheet("".join(f'<row r="{n}"/>' for n in range(1, count + 1)))
    )


def one_far_row():
    return with_part(workbook([]), "xl/worksheets/sheet1.xml", sheet('<row r="1"/><row r="1048576"/>'))


def unpacking_too_large():
    padding = "<!-- " + " " * (importer.MAX_UNZIPPED_BYTES + 1) + " -->"
    return with_part(workbook([]), "docProps/padding.xml", padding.encode())


BOMBS = {
    "a shared string over the limit": (huge_shared_string, "文字内容超过"),
    "more blank rows than any list": (lambda: blank_rows(importer.MAX_SHEET_ROWS + 1), "行（含空行）超过"),
    "a row numbered 1,048,576": (one_far_row, "行（含空行）超过"),
    "parts that unpack too large": (unpacking_too_large, "解压后超过"),
}


@pytest.fixture
def no_parsing(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the workbook must not be parsed")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


@pytest.mark.parametrize("name", BOMBS)
def test_a_bomb_is_refused_before_its_xml_is_parsed(no_parsing, name):
    build, message = BOMBS[name]
    data = build()
    assert len(data) < 200 * 1024  # small on the wire
    with pytest.raises(importer.ImportFileError) as error:
        importer.read_rows(data)
    assert message in str(error.value)


def test_a_list_of_the_largest_size_allowed_is_still_read():
    rows = [
        ["黄石市政协测试会议", n, f"关于第{n}件事的提案", "提案", "程玮", "", "市经信局", "2026-03-10"]
        for n in range(1, 3)
    ]
    data = with_part(
        workbook(rows),
        "xl/worksheets/sheet1.xml",
        zipfile.ZipFile(io.BytesIO(workbook(rows)))
        .read("xl/worksheets/sheet1.xml")
        .replace(
            b"</sheetData>",
            b"".join(f'<row r="{n}"/>'.encode() for n in range(4, importer.MAX_SHEET_ROWS)) + b"</sheetData>",
        ),
    )
    assert [number for number, _values in importer.read_rows(data)] == [2, 3]


def test_the_import_page_explains_the_refusal_next_to_the_file(client, db):
    client.force_login(f.supervisor())
    upload = SimpleUploadedFile("bomb.xlsx", blank_rows(importer.MAX_SHEET_ROWS + 1))
    response = client.post(reverse("supervision:import"), {"file": upload})
    assert response.status_code == 200
    assert "行（含空行）超过" in response.content.decode()
