"""A reply's body as paragraphs with levels: text entering the system is normalised, the seed
letters read into the structure they have on paper, and an edit keeps what it did not touch."""

from django.test import TestCase

from demo import seeds
from replies import body
from tests import factories as f
from tests.printing.cases import huangshi


def test_spaces_between_chinese_and_digits_go_and_punctuation_becomes_full_width():
    assert body.normalise_line("关停“五小”企业 1000 多家，《2021 年全市") == "关停“五小”企业1000多家，《2021年全市"
    assert (
        body.normalise_line("区委区政府高度重视,坚持稳中求进:真抓实干") == "区委区政府高度重视，坚持稳中求进：真抓实干"
    )
    assert body.normalise_line("(一)加大力度(不含贴现)") == "（一）加大力度（不含贴现）"
    assert body.normalise_line("委员提案[2021]110号") == "委员提案〔2021〕110号"
    # numbers keep their own punctuation
    assert body.normalise_line("余额782.08亿元，增长8.92%，共1,000户") == "余额782.08亿元，增长8.92%，共1,000户"


def test_levels_are_read_from_the_numbering_with_the_lead_in_as_heading():
    paragraphs = body.paragraphs_from_text(
        "一、支持企业转型\n（一）加大力度。制定出台意见。\n1、淘汰落后产能提质。关停企业。\n现答复如下："
    )
    assert [(p["level"], p["heading"], p["text"]) for p in paragraphs] == [
        ("h1", "一、支持企业转型", ""),
        ("h2", "（一）加大力度。", "制定出台意见。"),
        ("h3", "1、淘汰落后产能提质。", "关停企业。"),
        ("p", "", "现答复如下："),
    ]


def test_the_huangshi_seed_loses_its_markup_and_its_page_break_splits():
    paragraphs = body.paragraphs_from_text("\n".join(seeds.huangshi_reply()["paragraphs"]))
    text = body.plain_text(paragraphs)
    assert "**" not in text
    bold = [p for p in paragraphs if p["heading"] == "破解用地难方面"]
    assert bold and bold[0]["level"] == "h3" and bold[0]["text"].startswith("，上半年")
    # "…总投资超 1000 亿元，" / "一大批传统产业…" was one paragraph cut by a page break
    assert any("总投资超1000亿元，一大批传统产业" in p["text"] for p in paragraphs)
    assert any("由“重审批轻监管”向“轻审批重监管”转变。" in p["text"] for p in paragraphs)
    assert not any(p["text"].startswith(("一大批", "下降近", "转变")) for p in paragraphs)


def test_an_edit_keeps_the_levels_of_the_paragraphs_it_did_not_change():
    before = [body.paragraph("h3", "破解用地难方面", "，上半年完成出让38宗。"), body.paragraph("p", "", "其他。")]
    after = body.paragraphs_from_text("破解用地难方面，上半年完成出让38宗。\n其他内容有改动。", previous=before)
    assert after[0] == before[0]  # no numbering tells its level: kept from before
    assert after[1] == body.paragraph("p", "", "其他内容有改动。")


def test_a_stored_structure_is_cleaned_of_unknown_levels_and_empty_paragraphs():
    stored = [{"level": "h9", "heading": "x", "text": "正文 1 段"}, {"level": "p", "heading": "", "text": " "}]
    assert body.normalise(stored) == [body.paragraph("p", "", "x正文1段")]


class WebViewTests(TestCase):
    def test_the_reply_on_its_page_shows_the_structure_never_the_old_markup(self):
        case = huangshi()
        clerk = f.clerk(case["unit"])
        self.client.force_login(clerk)
        response = self.client.get(case["reply"].get_absolute_url())
        self.assertContains(response, '<p class="para h3"><span class="heading">破解用地难方面</span>')
        self.assertContains(response, '<p class="para h1"><span class="heading">一、支持企业转型</span>')
        self.assertNotContains(response, "**")
