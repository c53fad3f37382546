"""What the extractor reads from reply letters: the three seeds exactly, and variants of other layouts."""

import datetime

import pytest

from legacy.extract import DocumentError, extract, read_document

from . import samples


def extract_file(path):
    text, _encoding = read_document(path.name, path.read_bytes())
    return extract(text)


def headings(sections):
    return [(s["marker"], s["heading"], [c["heading"] for c in s["children"]]) for s in sections]


class TestSeed000:
    @pytest.fixture
    def x(self):
        return extract_file(samples.SEED_000)

    def test_it_is_a_reply(self, x):
        assert x.is_reply

    def test_addressees_are_the_lead_and_six_cosigners_all_members(self, x):
        addressees = x.value("addressees")
        assert addressees["line"] == "程玮、王秋红、纪春明、陈惠群、王晓燕、郭盛桂、熊志红委员"
        assert [p["name"] for p in addressees["people"]] == [
            "程玮",
            "王秋红",
            "纪春明",
            "陈惠群",
            "王晓燕",
            "郭盛桂",
            "熊志红",
        ]
        assert {p["kind"] for p in addressees["people"]} == {"委员"}
        assert x.value("body") == "cppcc"

    def test_number_title_and_unit(self, x):
        assert x.value("proposal_number")["normalized"] == "委员提案〔2021〕110号"
        assert x["proposal_number"].confidence == "high"  # the form's 〔〕 and the letter's [] agree
        assert x.value("proposal_title") == "关于促进黄石市中小企业健康快速发展的提案"
        assert x.value("reply_title") == "关于对《关于促进黄石市中小企业健康快速发展》提案的答复"
        assert x.value("unit") == {
            "name": "黄石市经济和信息化局",
            "short_name": "市经信局",
            "letterhead": "湖北省黄石市经济和信息化局",
            "closing": "黄石市经济和信息化局办公室",
        }
        assert x["unit"].confidence == "high"

    def test_date_class_and_contact(self, x):
        assert x.value("reply_date") == "2021-09-06"
        assert x.value("result_class") == "A"
        assert x.value("contact_person") == "刘文明"
        assert x.value("contact_phone") == "6288824"

    def test_body_sections(self, x):
        # The issue text says "four numbered sections"; the letter has three (一、二、三),
        # holding 4, 3 and 4 numbered items.
        assert headings(x.value("sections")) == [
            ("一、", "支持企业转型", ["淘汰落后产能提质", "狠抓技术改造提效", "培育产业集群提品", "坚持融合发展提能"]),
            ("二、", "强化科技策源", ["借势发展", "借智创新", "借网发力"]),
            (
                "三、",
                "着力优化营商环境",
                ["强化政策支持", "深化“双千”服务", "深化“放管服”改革", "组织开展权益保护服务"],
            ),
        ]
        body = x.value("reply_body")
        assert body.startswith("你们提出的《关于促进黄石市中小企业健康快速发展的提案》")
        assert body.endswith("为小微企业提供法律服务")
        assert "联系人" not in body and "征询意见表" not in body

    def test_feedback_form_keeps_both_ticks_and_flags_them(self, x):
        form = x.value("feedback_form")
        assert form["member"] == "程玮"
        assert form["unit"] == "市经信局"
        assert form["methods"] == ["上门走访"]
        assert form["effects"] == ["解决或基本解决"]
        assert form["satisfaction"] == ["满意", "不满意"]
        assert form["publish"] == []
        assert form["opinion"] == "工作已推进 措施得力"
        assert form["conflicts"] == ["“办理评价”同时勾选了“满意”和“不满意”，只能选一项，需与代表委员核实。"]
        assert x["feedback_form"].confidence == "medium"

    def test_absent_fields_are_marked_missing(self, x):
        data = x.as_json()
        for name in ("session", "doc_number", "portal_header", "contacts"):
            assert data[name] == {"value": None, "confidence": "missing"}


class TestSeed002:
    @pytest.fixture
    def x(self):
        return extract_file(samples.SEED_002)

    def test_fields(self, x):
        assert x.is_reply
        assert x.value("addressees")["people"] == [{"name": "何昕", "kind": "委员"}]
        assert x.value("proposal_title") == "关于“产业强区推动惠济区高质量发展”的提案"
        assert x.value("unit")["name"] == "惠济区科技和工业信息化局"
        assert x.value("reply_date") == "2023-05-15"
        assert x.value("proposal_number") is None
        assert x.value("result_class") is None

    def test_sections(self, x):
        assert [s["heading"] for s in x.value("sections")] == [
            "坚持多措并举,深入开展“万人助万企”活动",
            "坚持政策引导,加大企业纾困帮扶力度",
            "坚持梯度培育,鼓励中小企业走“专精特新”发展之路",
            "支持企业集聚发展,谋划建设小微企业园",
            "下步工作计划",
        ]
        assert [len(s["children"]) for s in x.value("sections")] == [0, 4, 3, 3, 3]
        assert x.value("sections")[1]["children"][0]["marker"] == "(一)"


class TestSeed004:
    @pytest.fixture
    def x(self):
        return extract_file(samples.SEED_004)

    def test_contact_on_30_july_by_phone_and_wechat(self, x):
        contacts = x.value("contacts")
        assert len(contacts) == 1
        assert contacts[0]["date"] == "2021-07-30"  # year from the letter: the latest year it mentions
        assert contacts[0]["method"] == "phone"
        assert contacts[0]["summary"].startswith("7月30日,我局承办提案办复工作人员与您进行了电话、微信沟通")
        assert contacts[0]["confidence"] == "low"

    def test_page_furniture_is_dropped(self, x):
        body = x.value("reply_body")
        assert body.endswith("再次感谢您对支持,敬请持续关注支持并提出宝贵建议。")
        for furniture in ("扫一扫", "内容纠错", "转载"):
            assert furniture not in body

    def test_what_the_portal_copy_lacks_is_missing(self, x):
        assert x.is_reply
        for name in ("addressees", "unit", "reply_date", "proposal_number"):
            assert x[name].confidence == "missing"
        assert x.value("proposal_title") == "关于扶持本土企业打造本地品牌建议"
        assert [s["marker"] for s in x.value("sections")] == ["1、", "2.", "3、", "4."]


class TestVariants:
    def test_npc_letter_with_doc_number_chinese_date_and_paren_items(self):
        x = extract(samples.NPC_VARIANT)
        assert x.is_reply
        assert x.value("body") == "npc"
        assert x.value("addressees")["people"] == [{"name": "张伟", "kind": "代表"}, {"name": "李娜", "kind": "代表"}]
        assert x.value("doc_number") == "黄建函〔2024〕12号"
        assert x.value("result_class") == "B"
        assert x.value("session") == "市十六届人大三次会议"
        assert x.value("proposal_number")["normalized"] == "第179号"
        assert x.value("proposal_title") == "关于加快老旧小区改造的建议"
        assert x.value("unit")["name"] == "黄石市住房和城乡建设局"
        assert x["unit"].confidence == "high"
        assert x.value("reply_date") == "2024-06-03"
        assert x.value("contact_person") == "吴刚"
        assert x.value("contact_phone") == "0714-6233015"
        assert headings(x.value("sections")) == [
            ("一、", "基本情况", []),
            ("二、", "下一步工作", ["加快项目前期手续办理", "加大资金争取力度"]),
        ]
        assert x.value("contacts") == [
            {
                "date": "2024-05-08",
                "method": "visit",
                "summary": "5月8日，我局分管负责同志带队上门走访了张伟代表，当面听取意见。",
                "confidence": "medium",
            }
        ]
        assert "抄送" not in x.value("reply_body")

    def test_portal_copy_with_info_box_and_organisation_addressee(self):
        x = extract(samples.PORTAL_VARIANT)
        assert x.is_reply
        assert x.value("portal_header") == {
            "索引号": "011-2022-0415",
            "主题分类": "建议提案",
            "发布机构": "安康市教育体育局",
            "成文日期": "2022-07-20",
            "公开方式": "主动公开",
            "标题": "对市政协五届二次会议第56号提案的答复",
        }
        assert x.value("addressees")["people"] == [{"name": "市工商联", "kind": "organisation"}]
        assert x.value("body") == "cppcc"
        assert x.value("session") == "市政协五届二次会议"
        assert x.value("proposal_number")["normalized"] == "第56号"
        assert x.value("proposal_title") == "关于支持民办职业教育发展的提案"
        assert x.value("unit")["name"] == "安康市教育体育局"
        assert x["unit"].source == "发布机构"
        assert x.value("reply_date") == "2022-07-20"
        assert x["reply_date"].confidence == "medium"
        assert [s["heading"] for s in x.value("sections")] == ["加强规划引导", "落实扶持政策"]
        body = x.value("reply_body")
        assert "首页" not in body and "版权所有" not in body and "字号" not in body

    def test_gb18030_reads_like_utf8(self):
        text = samples.SEED_002.read_text(encoding="utf-8")
        decoded, encoding = read_document("reply.txt", text.encode("gb18030"))
        assert encoding == "gb18030"
        assert decoded == text


class TestRefusals:
    def test_work_report_to_the_standing_committee(self):
        x = extract(samples.WORK_REPORT)
        assert not x.is_reply
        assert x.refusal.startswith("这不是答复函，未导入：")
        assert "工作报告" in x.refusal

    def test_news_page(self):
        x = extract(samples.NEWS_PAGE)
        assert not x.is_reply
        assert "新闻" in x.refusal
        assert "没有主送行" in x.refusal


class TestUnreadableFiles:
    def test_empty_file(self):
        with pytest.raises(DocumentError, match="文件是空的"):
            read_document("a.txt", b"")

    def test_binary_file(self):
        with pytest.raises(DocumentError, match="不是文本文件"):
            read_document("a.txt", bytes(range(256)) * 10)

    def test_ten_megabyte_text(self):
        with pytest.raises(DocumentError, match="文件太大（10.0 MB），上限为 5 MB"):
            read_document("a.txt", "答".encode() * (10 * 1024 * 1024 // 3 + 1))

    def test_other_formats(self):
        with pytest.raises(DocumentError, match="只能导入 .txt 或 .docx"):
            read_document("a.pdf", b"%PDF-1.4")

    def test_damaged_docx(self):
        with pytest.raises(DocumentError, match="无法读取这个 DOCX"):
            read_document("a.docx", b"PK\x03\x04 not really a zip")


def test_dates_in_chinese_numerals():
    from legacy.extract import parse_date

    assert parse_date("二〇二一年九月六日") == datetime.date(2021, 9, 6)
    assert parse_date("2023年5月15日") == datetime.date(2023, 5, 15)


class TestMoreLayouts:
    def test_wrapped_title_spaced_name_and_di_yi_items(self):
        x = extract(samples.WRAPPED_TITLE)
        assert x.value("reply_title") == "关于对市政协十三届五次会议第58号提案的答复"
        assert x.value("addressees")["people"] == [{"name": "程玮", "kind": "委员"}]
        assert x.value("session") == "市政协十三届五次会议"
        assert x.value("proposal_number")["normalized"] == "第58号"
        assert x.value("proposal_title") == "关于降低中小企业融资成本的提案"
        assert x.value("unit")["name"] == "黄石市财政局"
        assert x.value("reply_date") == "2021-07-02"
        assert (x.value("contact_person"), x.value("contact_phone")) == ("周丽", "6222301")
        assert [s["heading"] for s in x.value("sections")] == ["加大贴息力度", "扩大担保规模"]

    def test_organisations_and_a_member_addressed_together(self):
        x = extract(samples.MIXED_ADDRESSEES)
        assert x.value("addressees")["people"] == [
            {"name": "市工商联", "kind": "organisation"},
            {"name": "民建黄石市委会", "kind": "organisation"},
            {"name": "赵敏", "kind": "委员"},
        ]
        assert x.value("proposal_title") == "关于优化营商环境的提案"
        assert x.value("reply_date") == "2022-08-01"
        assert [s["marker"] for s in x.value("sections")] == ["（一）", "（二）"]

    def test_class_mark_at_the_end_and_nested_paren_items(self):
        x = extract(samples.CLASS_AT_END)
        assert x.value("result_class") == "B"
        assert x.value("body") == "npc"
        assert x.value("proposal_number")["normalized"] == "第12号"
        assert headings(x.value("sections")) == [("1.", "基本情况", ["养护资金", "养护队伍"]), ("2.", "下一步打算", [])]
        assert x.value("contacts")[0] | {"summary": ""} == {
            "date": "2023-06-12",
            "method": "phone",
            "summary": "",
            "confidence": "medium",
        }


@pytest.mark.parametrize(
    ("text", "field", "expected"),
    [
        # The colon after the addressee forgotten.
        (
            "孙磊委员\n您提出的《关于加强课后服务的提案》收悉，现答复如下：\n黄石市教育局\n2024年6月1日",
            "addressees",
            "孙磊委员",
        ),
        # A dotted closing date.
        (
            "孙磊委员：\n您提出的《关于加强课后服务的提案》收悉，现答复如下：\n黄石市教育局\n2024.6.1",
            "reply_date",
            "2024-06-01",
        ),
        # HTML paragraphs pasted from a web page.
        (
            "<p>孙磊委员：</p>\n<p>您提出的《关于加强课后服务的提案》收悉，现答复如下：</p>\n<p>黄石市教育局</p>",
            "unit",
            "黄石市教育局",
        ),
    ],
)
def test_small_layout_differences(text, field, expected):
    value = extract(text).value(field)
    if isinstance(value, dict):
        value = value.get("line") or value.get("name")
    assert value == expected


def test_a_joint_reply_to_two_proposals_keeps_both_numbers_and_says_low():
    x = extract("赵敏、孙磊委员：\n你们提出的第12号、第15号提案收悉，现合并答复如下：\n黄石市财政局\n2024年6月1日")
    assert x.value("proposal_number")["variants"] == ["第12号", "第15号"]
    assert x["proposal_number"].confidence == "low"


def test_a_letter_that_only_says_we_bureau_has_no_unit():
    # Known limit: "我局" without a 落款, 版头 or portal box does not name the unit; a person picks it.
    x = extract("孙磊委员：\n您提出的《关于加强课后服务的提案》收悉，我局高度重视，现答复如下：\n2024年6月1日")
    assert x["unit"].confidence == "missing"
