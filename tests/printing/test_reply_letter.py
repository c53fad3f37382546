"""The reply letter measured against GB/T 9704-2012 (信函格式), on every page of the three seed letters.

Positions are read back from the PDF with pdfplumber (tests/printing/layout.py), in mm from the
page's top-left corner; the tolerance is the issue's ±0.5 mm. A "full line" is a body line that
does not end its paragraph (the next line continues it at the left margin).
"""

import io

import pikepdf
import pytest
import rjieba
from django.db import transaction

from printing import documents, typesetting
from tests import factories as f

from . import pdfutil
from .cases import ankang, huangshi, huiji
from .layout import LEFT_ALIGNED, MM, NOT_AT_END, NOT_AT_START, RIGHT_ALIGNED, is_cjk, pages

TOLERANCE = 0.5
LEFT, RIGHT, TOP, BOTTOM = 28.0, 210.0 - 26.0, 37.0, 297.0 - 35.0
CELL = 156.0 / 28
LINES_PER_PAGE = 22


def is_han(char):
    return "\u4e00" <= char <= "\u9fff"


@pytest.fixture(scope="module")
def letters(django_db_setup, django_db_blocker):
    """The three seed letters as printed: (reply, PDF bytes, measured pages)."""
    with django_db_blocker.unblock(), transaction.atomic():
        made = {
            "000": huangshi()["reply"],
            "002": huiji(),
            "004": ankang(),
        }
        result = {}
        for name, reply in made.items():
            data = documents.reply_letter(reply).render()
            result[name] = (reply, data, pages(data))
        yield result
        transaction.set_rollback(True)


def body_lines(reply, measured):
    """[(page number, line)] of the letter's body: from the line after the addressee to the line before the 落款."""
    lines = [(page.number, line) for page in measured for line in page.body_lines()]
    start = next(i for i, (_n, line) in enumerate(lines) if line.text.endswith("：") and line.left < LEFT + 0.5)
    # the addressee may take two lines
    while lines[start + 1][1].left < LEFT + 0.5:
        start += 1
    end = next(i for i, (_n, line) in enumerate(lines) if line.text == reply.closing)
    return lines[start + 1 : end]


def starts_paragraph(line):
    """Indented two characters (an opening bracket there may hang into the indent by up to half its box)."""
    indent = LEFT + 2 * CELL
    if line.chars[0]["text"] in RIGHT_ALIGNED:
        return indent - CELL / 2 - TOLERANCE <= line.left <= indent + TOLERANCE
    return abs(line.left - indent) <= TOLERANCE


def full_lines(reply, measured):
    """Body lines that do not end their paragraph."""
    lines = body_lines(reply, measured)
    return [
        (n, line)
        for (n, line), (_m, following) in zip(lines, lines[1:], strict=False)
        if not starts_paragraph(following)
    ]


def is_flush(line):
    if abs(line.right - RIGHT) <= TOLERANCE:
        return True
    # punctuation set half-width at the line's end: its half box ends at the margin
    return line.chars[-1]["text"] in LEFT_ALIGNED and abs(line.right_half - RIGHT) <= TOLERANCE


SEEDS = ["000", "002", "004"]
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", SEEDS)
def test_every_page_is_a4_with_the_type_area_at_37_35_28_26_mm(letters, name):
    reply, data, measured = letters[name]
    reader = pdfutil.reader(data)
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(595.28, abs=0.5)
        assert float(page.mediabox.height) == pytest.approx(841.89, abs=0.5)
    for page in measured:
        for line in page.body_lines():
            assert line.ink_left >= LEFT - TOLERANCE, (page.number, line.text)
            assert line.ink_right <= RIGHT + TOLERANCE, (page.number, line.text)
            assert line.bottom <= BOTTOM + TOLERANCE, (page.number, line.text)
        if page.number > 1:
            assert page.body_lines()[0].top == pytest.approx(TOP, abs=TOLERANCE), page.number


@pytest.mark.parametrize("name", SEEDS)
def test_full_pages_hold_22_lines_from_the_top_to_the_bottom_margin(letters, name):
    reply, _data, measured = letters[name]
    middle = measured[1:-1]
    assert middle, "the seed letters run over three pages or more"
    full = 0
    for index, page in enumerate(middle, start=1):
        lines = page.body_lines()
        if len(lines) == LINES_PER_PAGE:
            full += 1
            assert lines[-1].bottom == pytest.approx(BOTTOM, abs=TOLERANCE), page.number
            continue
        # Short only where widow/orphan control moved a line on, or a heading went on with its
        # paragraph: the next page then starts a paragraph within its first three lines.
        assert len(lines) >= LINES_PER_PAGE - 2, (page.number, len(lines))
        following = measured[index + 1].body_lines()
        assert any(starts_paragraph(line) for line in following[:3]) or len(following) <= 3, page.number
    assert full >= len(middle) // 2


@pytest.mark.parametrize("name", SEEDS)
def test_full_lines_are_flush_right_on_the_28_character_grid(letters, name):
    reply, _data, measured = letters[name]
    lines = full_lines(reply, measured)
    assert len(lines) > 60
    flush = [line for _n, line in lines if is_flush(line)]
    assert len(flush) / len(lines) >= 0.98, [
        (n, line.text[-6:], round(line.right, 2)) for n, line in lines if not is_flush(line)
    ]
    grid_lines, off_grid = 0, []
    for page_number, line in lines:
        if not all(is_cjk(c["text"]) for c in line.chars):
            continue
        grid_lines += 1
        # Ideographs sit on the 28-character grid, never stretched or squeezed off it (only
        # punctuation is compressed, as clreq allows); a line without punctuation holds 28 exactly.
        indent = 2 if starts_paragraph(line) else 0
        pitches = [
            (following["x0"] - char["x0"]) / MM
            for char, following in zip(line.chars, line.chars[1:], strict=False)
            if is_han(char["text"]) and is_han(following["text"])
        ]
        if any(abs(pitch - CELL) > 0.05 for pitch in pitches):
            off_grid.append((page_number, line.text))
        elif not any(c["text"] in LEFT_ALIGNED | RIGHT_ALIGNED for c in line.chars):
            assert len(line.chars) + indent == 28, (page_number, line.text)
    # Where kinsoku leaves no other way (a line that may end neither before nor after a quote),
    # Typst spreads a line's ideographs: allowed in at most one line in fifty.
    assert len(off_grid) <= 0.02 * grid_lines, off_grid
    assert grid_lines > 20


@pytest.mark.parametrize("name", SEEDS)
def test_no_line_breaks_against_kinsoku(letters, name):
    _reply, _data, measured = letters[name]
    for page in measured:
        for line in page.body_lines():
            assert line.text[0] not in NOT_AT_START, (page.number, line.text)
            assert line.text[-1] not in NOT_AT_END, (page.number, line.text)


@pytest.mark.parametrize("name", SEEDS)
def test_no_lone_last_line_of_a_paragraph_tops_a_page(letters, name):
    reply, _data, measured = letters[name]
    lines = body_lines(reply, measured)
    for (number, line), (_n, second) in zip(lines, lines[1:], strict=False):
        first_on_page = line is next(line_ for n, line_ in lines if n == number)
        if number > 1 and first_on_page and not starts_paragraph(line):
            assert not starts_paragraph(second), (number, line.text)


@pytest.mark.parametrize("name", SEEDS)
def test_page_numbers_are_7_mm_below_the_type_area_odd_right_even_left_none_on_page_1(letters, name):
    _reply, _data, measured = letters[name]
    for page in measured:
        numbers = [line for line in page.lines if abs(line.size - 14) < 0.2]
        if page.number == 1:
            assert numbers == []
            continue
        assert [line.text for line in numbers] == [f"—{page.number}—"]
        number = numbers[0]
        assert number.top == pytest.approx(BOTTOM + 7, abs=TOLERANCE)
        one_character = 14 / MM
        if page.number % 2:
            assert number.right == pytest.approx(RIGHT - one_character, abs=TOLERANCE)
        else:
            assert number.left == pytest.approx(LEFT + one_character, abs=TOLERANCE)


@pytest.mark.parametrize("name", SEEDS)
def test_the_date_is_four_characters_in_the_name_centred_over_it_and_the_note_two_in(letters, name):
    reply, _data, measured = letters[name]
    lines = [(page, line) for page in measured for line in page.body_lines()]
    date_page, date = next((p, line) for p, line in lines if line.text == documents.letters.cn_date(reply.written_on))
    _p, closing = next((p, line) for p, line in lines if line.text == reply.closing)
    assert date.right == pytest.approx(RIGHT - 4 * CELL, abs=TOLERANCE)
    assert (closing.left + closing.right) / 2 == pytest.approx((date.left + date.right) / 2, abs=TOLERANCE)
    if reply.contact_person:
        note_page, note = next((p, line) for p, line in lines if line.text.startswith("（联系人"))
        assert note.left == pytest.approx(LEFT + 2 * CELL, abs=TOLERANCE)
        assert note_page is date_page
    # The signature never stands on a page of its own: body text precedes it on its page.
    before = [line for line in date_page.body_lines() if line.top < closing.top]
    assert before, "the 落款 is alone on its page"


@pytest.mark.parametrize("name", SEEDS)
def test_page_one_has_the_red_head_30_mm_down_and_the_170_mm_rules(letters, name):
    reply, data, measured = letters[name]
    first = measured[0]
    head = next(line for line in first.lines if line.text == reply.assignment.unit.letterhead_name)
    assert head.top == pytest.approx(30, abs=TOLERANCE)
    assert (head.left + head.right) / 2 == pytest.approx(LEFT + 78, abs=1.5)
    assert all(
        c["non_stroking_color"] in ((0.902, 0.0, 0.071), [0.902, 0.0, 0.071]) or c["non_stroking_color"]
        for c in head.chars
    )
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        rules = [r for r in pdf.pages[0].lines + pdf.pages[0].rects if abs((r["x1"] - r["x0"]) / MM - 170) < 0.5]
        assert {round(r["x0"] / MM) for r in rules} == {20}
        tops = sorted(r["top"] / MM for r in rules)
        assert tops[0] < 50 and tops[-1] > 270  # under the head, and 20 mm above the bottom edge
        later = [r for p in pdf.pages[1:] for r in p.lines + p.rects]
        assert later == []  # no rules after page 1
    number = next(line for line in first.body_lines() if line.text == reply.doc_number)
    assert number.right == pytest.approx(RIGHT, abs=TOLERANCE)


@pytest.mark.parametrize("name", SEEDS)
def test_the_title_is_centred_and_broken_only_between_words(letters, name):
    reply, _data, measured = letters[name]
    title = [line for line in measured[0].lines if abs(line.size - 22) < 0.2]
    assert "".join(line.text for line in title) == reply.title
    for line in title:
        assert (line.left + line.right) / 2 == pytest.approx(LEFT + 78, abs=1.0)
    boundaries, at = set(), 0
    for word in rjieba.cut(reply.title):
        at += len(word)
        boundaries.add(at)
    at = 0
    for line in title[:-1]:
        at += len(line.text)
        assert at in boundaries, line.text


def test_the_addressee_line_breaks_only_between_names(letters):
    reply, _data, measured = letters["000"]
    first = measured[0].body_lines()
    start = next(i for i, line in enumerate(first) if line.text.startswith("程玮"))
    addressee = []
    for line in first[start:]:
        addressee.append(line.text)
        if line.text.endswith("："):
            break
    assert "".join(addressee) == reply.addressees + "："
    for text in addressee[:-1]:
        assert text.endswith("、"), addressee


def test_headings_use_their_faces_and_the_bold_lead_in_is_real_bold(letters):
    _reply, data, measured = letters["000"]
    chars = [c for page in measured for line in page.body_lines() for c in line.chars]
    fonts = {c["fontname"].split("+")[-1] for c in chars}
    assert any("NotoSansCJK" in name for name in fonts)  # 一、 黑体
    assert any("NotoSerifCJKsc-Bold" in name for name in fonts)  # 1、 lead-in, the font's bold face
    _r2, _d2, measured2 = letters["002"]
    kai = [c for page in measured2 for line in page.body_lines() for c in line.chars if "WenKai" in c["fontname"]]
    assert "".join(c["text"] for c in kai).startswith("（一）加大对辖区中小企业纾困帮扶力度。")


def test_the_stored_letter_is_pdf_a_2b_with_its_metadata_and_embedded_fonts(letters):
    reply, data, _measured = letters["000"]
    with pikepdf.open(io.BytesIO(data)) as pdf:
        meta = pdf.open_metadata()
        assert meta["pdfaid:part"] == "2"
        assert meta["pdfaid:conformance"] == "B"
        assert meta["dc:title"] == reply.title
        assert "黄石市经济和信息化局" in meta["dc:creator"]
        keywords = meta["pdf:Keywords"]
        assert "黄经信函〔2021〕45号" in keywords and "2021年9月6日" in keywords
        assert "zh-CN" in str(meta.get("dc:language", "")) or pdf.Root.get("/Lang") == "zh-CN"
        fonts = 0
        for page in pdf.pages:
            for font in page.Resources.Font.values():
                fonts += 1
                descendant = font.get("/DescendantFonts")
                descriptor = (descendant[0] if descendant else font).FontDescriptor
                assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), font.BaseFont
        assert fonts


def test_user_text_is_printed_literally_never_run_as_typst():
    hostile = [
        '#read("/etc/passwd")',
        '#import "@preview/cetz:0.3.0": *',
        "$x^2$",
        "*粗体*",
        "<label>",
        "@ref",
        "\\",
        '#eval("1+1")',
        '] #set page(paper: "a5") [',
        "// 注释",
        "#{panic()}",
    ]
    text = "".join(hostile)
    unit = f.unit(name=text[:90], letterhead=text[:90])
    reply = f.reply(
        f.assignment(f.proposal(), unit),
        title=text[:190],
        addressees=text[:290],
        body="\n".join(hostile),
        doc_number='#read("x")',
        closing_name="$y$",
        contact_person="#panic()",
        cc="<cc> @cc",
    )
    data = documents.reply_letter(reply).render()
    printed = pdfutil.squash("".join(pdfutil.page_texts(data)))
    for piece in hostile:
        assert pdfutil.squash(piece) in printed, piece
    assert "root:" not in printed
    reader = pdfutil.reader(data)
    assert float(reader.pages[0].mediabox.height) == pytest.approx(841.89, abs=0.5)  # still A4


def test_the_warm_up_typesets_a_letter_with_every_role_of_font():
    from printing import letters

    data = letters.warm()
    assert data and data.startswith(b"%PDF")
    families = {name.split("+")[-1] for name, _embedded, _subset in pdfutil.fonts(data)}
    resolved = {family.replace(" ", "").lower() for family, _bold in typesetting.resolve_fonts().values()}
    assert resolved <= {name.split("-")[0].lower() for name in families}, (resolved, families)
