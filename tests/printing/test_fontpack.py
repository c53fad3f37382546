"""Embedded fonts: one subsetting pass, bare CFF with only the glyphs drawn, the same pages as
WeasyPrint's own subsetting, and plain WeasyPrint left alone outside our renders."""

import io

import pytest
from django.test import override_settings
from fontTools.cffLib import CFFFontSet

from printing import fontpack, pdf

from . import pdfutil

TEXT = "国家政府人民经济发展建设工作企业社会管理服务创新改革城市产业项目资金政策"


def page(body, family="Noto Serif CJK SC"):
    return f"""<html lang="zh-CN"><head><style>
        @page {{ size: A4; margin: 20mm }}
        body {{ font-family: "{family}"; font-size: 16pt }}
        h1 {{ font-family: "Noto Sans CJK SC" }}
        </style></head><body><h1>办理情况</h1><p>{body}</p><p><b>{body[:10]}</b></p></body></html>"""


def font_file_subtypes(data):
    return [subtype for subtype, _program in font_programs(data)]


def embedded_cid_fonts(data):
    """[(glyph ids the page content uses (from /W), CIDs of the embedded CFF program)] per CID font."""
    reader = pdfutil.reader(data)
    found = []
    for pg in reader.pages:
        for font in pg["/Resources"]["/Font"].values():
            cid_font = font.get_object()["/DescendantFonts"][0].get_object()
            descriptor = cid_font["/FontDescriptor"].get_object()
            if "/FontFile3" not in descriptor:
                continue
            stream = descriptor["/FontFile3"].get_object()
            assert stream["/Subtype"] == "/CIDFontType0C"
            widths = list(cid_font["/W"])
            used = set()
            for first, run in zip(widths[::2], widths[1::2], strict=False):
                used.update(range(int(first), int(first) + len(run)))
            cff = CFFFontSet()
            cff.decompile(io.BytesIO(stream.get_data()), None)
            top = cff.topDictIndex[0]
            cids = [0 if name == ".notdef" else int(name[3:]) for name in top.charset]
            found.append((used, cids, stream.get_data()))
    return found


def test_cjk_fonts_are_embedded_as_bare_cff_holding_just_the_glyphs_drawn():
    fontpack.cache.clear()
    data = pdf.render_pdf(page(TEXT))
    assert font_file_subtypes(data) == ["/CIDFontType0C"] * 3  # serif, serif bold, sans
    fonts = embedded_cid_fonts(data)
    for used, cids, _program in fonts:
        assert used <= set(cids)  # every glyph drawn is there, under its own glyph id as CID
        assert cids == sorted(cids)
        assert len(cids) <= len(used) + 8  # .notdef and a few variants, not 65,535 slots


def test_our_parser_reads_the_charset_fonttools_reads():
    for _used, cids, program in embedded_cid_fonts(pdf.render_pdf(page(TEXT))):
        assert fontpack.cid_charset(program) == cids


def test_a_render_from_the_subset_cache_is_the_same_pdf():
    fontpack.cache.clear()
    first = pdf.render_pdf(page(TEXT))
    misses = fontpack.cache.misses
    again = pdf.render_pdf(page(TEXT))
    assert fontpack.cache.misses == misses and fontpack.cache.hits >= 3
    assert again == first


def test_new_text_subsets_again_and_draws_it():
    first = pdf.render_pdf(page(TEXT))
    other = pdf.render_pdf(page("黄石市经济和信息化局答复函"))
    assert other != first
    assert "黄石市经济和信息化局答复函" in pdfutil.squash("".join(pdfutil.page_texts(other)))


def test_the_cache_stays_within_its_byte_budget():
    cache = fontpack._SubsetCache(max_bytes=100)
    for n in range(10):
        cache.put(n, (b"x" * 30, b"y" * 10))
    assert cache.size <= 100
    assert cache.get(9) is not None and cache.get(0) is None


@pytest.mark.parametrize("family", ["Noto Serif CJK SC", "DejaVu Sans"])
def test_pages_look_the_same_as_with_weasyprints_own_subsetting(family):
    """DejaVu is TrueType: WeasyPrint subsets it itself (reading the font file lazily)."""
    html = page("☑ 是 ☐ 否 " + TEXT, family=family)
    compact = pdf.render_pdf(html)
    with override_settings(BANLI_PDF_COMPACT_FONTS=False):
        full = pdf.render_pdf(html)
    assert len(compact) < len(full)
    assert pdfutil.page_pixels(compact, 0) == pdfutil.page_pixels(full, 0)
    for name, embedded, subset in pdfutil.fonts(compact):
        assert embedded and subset, name


def font_programs(data):
    """Each embedded font file, parsed by fontTools (raises if one is not a font): [(subtype, font)]."""
    from fontTools.ttLib import TTFont

    programs = []
    for pg in pdfutil.reader(data).pages:
        for font in pg["/Resources"]["/Font"].values():
            descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            for key in ("/FontFile2", "/FontFile3"):
                if key in descriptor:
                    stream = descriptor[key].get_object()
                    subtype = stream.get("/Subtype", key)
                    if subtype == "/CIDFontType0C":
                        program = CFFFontSet()
                        program.decompile(io.BytesIO(stream.get_data()), None)
                    else:
                        program = TTFont(io.BytesIO(stream.get_data()))
                    programs.append((subtype, program))
    return programs


def test_plain_weasyprint_is_left_alone_outside_our_renders():
    """The benchmark's naive side and any other caller get WeasyPrint as it ships: whole
    OpenType files, read as copies (our renders read them in place, see the next test)."""
    from weasyprint import HTML

    pdf.render_pdf(page(TEXT))
    data = HTML(string=page(TEXT)).write_pdf()
    assert font_file_subtypes(data) == ["/OpenType"] * 3
    assert pdfutil.fonts(data) and all(embedded and subset for _n, embedded, subset in pdfutil.fonts(data))


def test_every_embedded_font_file_is_a_font_when_files_are_read_in_place():
    """Within our renders WeasyPrint reads font files as views of HarfBuzz's copy; what it then
    embeds without our subset (DejaVu is TrueType: WeasyPrint subsets it) is the font itself."""
    data = pdf.render_pdf(page("☑ 是 ☐ 否 " + TEXT, family="DejaVu Sans"))
    subtypes = font_file_subtypes(data)
    assert "/CIDFontType0C" in subtypes and "/FontFile2" in subtypes, subtypes
