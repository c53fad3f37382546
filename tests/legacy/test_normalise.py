"""Portal text read as the printed letter, and every field traced back to the characters it came from."""

from legacy.extract import extract
from legacy.normalise import read

from .corpus import CORPUS


def texts(source):
    return [line.text for line in read(source).lines]


def test_ascii_punctuation_in_chinese_becomes_full_width_but_times_and_thousands_stay():
    assert texts("程玮委员:\n会议于10:30开始,共1,000人(含列席)。") == [
        "程玮委员：",
        "会议于10:30开始，共1,000人（含列席）。",
    ]


def test_a_space_between_chinese_and_digits_goes_and_two_spaces_stay_a_separator():
    assert texts("全市 4300 公里，第 12 号\n黄石市财政局  2021年7月2日") == [
        "全市4300公里，第12号",
        "黄石市财政局  2021年7月2日",
    ]


def test_traditional_characters_are_read_simplified_and_kept_as_written():
    (line,) = read("貴局主辦的提案收悉").lines
    assert (line.text, line.raw) == ("贵局主办的提案收悉", "貴局主辦的提案收悉")


def test_page_chrome_is_set_aside_and_its_date_noted():
    reading = read("首页 > 政务公开\n发布时间:2021-08-12  来源:本网  浏览次数:356\n正文\n【打印本页】 【关闭窗口】")
    assert [line.text for line in reading.lines] == ["正文"]
    assert reading.page_date[0] == "2021-08-12"


def test_a_paragraph_broken_by_a_page_end_is_one_paragraph_again():
    source = (CORPUS / "r12_page_break_cn_zero.txt").read_text(encoding="utf-8")
    assert any(
        line.text.endswith("建立了传承人档案126份，并为其中32人申报了州级代表性传承人。") for line in read(source).lines
    )


def test_checked_boxes_of_a_web_form_keep_their_state():
    assert texts('满意 (<input checked="" type="checkbox"/>) 不满意 (<input type="checkbox"/>)') == [
        "满意 （☑） 不满意 （☐）"
    ]


def test_each_field_points_at_the_text_it_was_read_from():
    source = (CORPUS / "r05_portal_ascii_chrome.txt").read_text(encoding="utf-8")
    x = extract(source)

    def shown(name):
        return [source[a:b] for a, b in x[name].spans]

    assert shown("addressees") == ["陈建国、吴晓梅委员"]
    assert shown("proposal_number") == ["第45号提案", "第 45 号提案"]
    assert shown("proposal_title") == ["关于加强城市内涝治理的提案"]
    assert shown("unit") == ["南阳市住房和城乡建设局"]
    assert shown("reply_date") == ["2021年8月6日"]
    # The page's publication date is not the letter's.
    assert x.value("reply_date") == "2021-08-06"


def test_the_body_of_a_traditional_letter_is_stored_as_written():
    source = (CORPUS / "o01_co_opinion_traditional.txt").read_text(encoding="utf-8")
    x = extract(source)
    assert x.kind == "opinion"
    assert "協辦意見如下" in x.value("reply_body")
    assert x.value("proposal_title") == "关于优化城区公交线网的提案"  # matched in simplified characters


def test_doc_numbers_with_any_brackets_read_alike():
    for printed in (
        "石财函〔2023〕7号",
        "石财函[2023]7号",
        "石财函【2023】7号",
        "石财函(2023)7号",
        "石财函（2023）第7号",
    ):
        letter = f"黄石市财政局\n{printed}\n关于第12号提案的答复\n程玮委员：\n您提出的《关于加强课后服务的提案》收悉，现答复如下：\n黄石市财政局\n2024年6月1日"
        assert extract(letter).value("doc_number") == "石财函〔2023〕7号", printed
