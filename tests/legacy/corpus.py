"""The importer's test corpus: what a careful reader would fill in from each document.

Letters in corpus/ were written for these tests (none is copied from anywhere); each exercises
variants seen in real replies from government portals: openings ("…的提案(第36号)悉", no
salutation), co-handling opinions (traditional characters, 会办意见), numbers (in the title, "N号"
without 第, 建议第N号, only in a portal header, 【】/[ ] brackets), closings (联系单位, 发布机构
only, "我委" resolved against the unit list), dates (二○一二, 二零一九, 2023.9.5, 成文日期), result
classes ("办复类别:B类", "办理结果 B", in words), portal punctuation and chrome, HTML, a page
break inside a paragraph; and look-alikes that are not replies (an annual 通报, a news item, a
work report, a proposal text, a 督办 notice, a blank feedback form, a reply to a petition).
The three seeds and the layouts of samples.py are graded with them.

`expected`: a field a careful reader leaves empty is None; anything the importer puts there
counts as wrong.
"""

from dataclasses import dataclass, field
from pathlib import Path

from . import samples

CORPUS = Path(__file__).resolve().parent / "corpus"

# The unit list the importer resolves "我局/我委" against (as HandlingUnit rows would give it).
UNITS = [
    ("安康市工业和信息化局", "市工信局"),
    ("安康市财政局", "市财政局"),
    ("安康市发展和改革委员会", "市发改委"),
    ("安康市教育体育局", "市教体局"),
]

GRADED = [
    "addressees",
    "proposal_number",
    "proposal_title",
    "session",
    "unit",
    "reply_date",
    "doc_number",
    "result_class",
    "contact_person",
    "contact_phone",
    "signer",
    "cc",
]
SHORT = {
    "addressees": "主送",
    "proposal_number": "编号",
    "proposal_title": "案由",
    "session": "会次",
    "unit": "单位",
    "reply_date": "日期",
    "doc_number": "文号",
    "result_class": "类别",
    "contact_person": "联系人",
    "contact_phone": "电话",
    "signer": "签发",
    "cc": "抄送",
}


@dataclass
class Case:
    name: str
    kind: str  # "reply", "opinion" or "none"
    expected: dict = field(default_factory=dict)
    text: str = ""

    def source(self):
        return self.text or (CORPUS / self.name).read_text(encoding="utf-8")


def letter(name, kind="reply", text="", **expected):
    unknown = set(expected) - set(GRADED)
    assert not unknown, unknown
    return Case(name, kind, {key: expected.get(key) for key in GRADED}, text)


def not_a_reply(name, text=""):
    return Case(name, "none", {}, text)


def comparable(extraction, name):
    """The value of one field in the form the expectations are written in."""
    value = extraction.value(name)
    if value is None:
        return None
    if name == "addressees":
        names = [p["name"] for p in value["people"]]
        return names + ([f"等{value['count']}位"] if value.get("count") else [])
    if name == "proposal_number":
        return value["normalized"]
    if name == "unit":
        return value["name"] or None
    return value


CASES = [
    letter(
        "seed 000",
        text=samples.SEED_000.read_text(encoding="utf-8"),
        addressees=["程玮", "王秋红", "纪春明", "陈惠群", "王晓燕", "郭盛桂", "熊志红"],
        proposal_number="委员提案〔2021〕110号",
        proposal_title="关于促进黄石市中小企业健康快速发展的提案",
        unit="黄石市经济和信息化局",
        reply_date="2021-09-06",
        result_class="A",
        contact_person="刘文明",
        contact_phone="6288824",
    ),
    letter(
        "seed 002",
        text=samples.SEED_002.read_text(encoding="utf-8"),
        addressees=["何昕"],
        proposal_title="关于“产业强区推动惠济区高质量发展”的提案",
        unit="惠济区科技和工业信息化局",
        reply_date="2023-05-15",
    ),
    letter(
        "seed 004",
        text=samples.SEED_004.read_text(encoding="utf-8"),
        proposal_title="关于扶持本土企业打造本地品牌建议",
        unit="安康市工业和信息化局",  # "市工信局深入学习…", "我局…": resolved against the unit list
    ),
    letter(
        "r01_xi_banli_yijian.txt",
        addressees=["民盟柯城区基层委员会"],
        proposal_number="第36号",
        proposal_title="关于加快发展农村电商的提案",
        session="区政协十届四次会议",
        unit="衢州市柯城区农业农村局",
        reply_date="2020-06-18",
        doc_number="柯农函〔2020〕23号",
        contact_person="徐建华",
        contact_phone="0570-3012345",
    ),
    letter(
        "r02_no_salutation.txt",
        proposal_number="第211号",
        proposal_title="关于加强城区背街小巷路灯建设的建议",
        session="市十五届人大三次会议",
        unit="十堰市城市管理执法局",
        reply_date="2019-07-02",
        contact_person="韩东",
        contact_phone="0719-8861234",
    ),
    letter(
        "o01_co_opinion_traditional.txt",
        kind="opinion",
        addressees=["市交通运输局"],
        proposal_number="第118号",
        proposal_title="关于优化城区公交线网的提案",
        session="市政协十三届二次会议",
        unit="东莞市财政局",
        reply_date="2021-05-10",
        contact_person="郑丽华",
        contact_phone="0769-22801234",
    ),
    letter(
        "o02_huiban_opinion.txt",
        kind="opinion",
        addressees=["市住房和城乡建设局"],
        proposal_number="第56号",
        proposal_title="关于加快老旧小区改造的建议",
        unit="黄石市自然资源和规划局",
        reply_date="2022-04-20",
        contact_person="李强",
        contact_phone="6351234",
    ),
    letter(
        "r03_number_in_title.txt",
        addressees=["刘洋"],
        proposal_number="第182号",
        proposal_title="关于增加城区公办幼儿园学位的建议",
        session="市七届人大三次会议",
        unit="宜昌市教育局",
        reply_date="2023-06-28",
        doc_number="宜市教函〔2023〕41号",
        result_class="B",
        signer="周明",
        cc="市人大常委会代表工作室，市政府督查室",
    ),
    letter(
        "r04_n_hao_without_di.txt",
        addressees=["李红梅"],
        proposal_number="第93号",
        proposal_title="关于规范校外培训机构收费的建议",
        unit="长沙市教育局",
        reply_date="2022-08-09",
        contact_person="魏娜",
        contact_phone="0731-84451234",
    ),
    letter(
        "r05_portal_ascii_chrome.txt",
        addressees=["陈建国", "吴晓梅"],
        proposal_number="第45号",
        proposal_title="关于加强城市内涝治理的提案",
        session="市政协十二届五次会议",
        unit="南阳市住房和城乡建设局",
        reply_date="2021-08-06",
    ),
    letter(
        "r06_header_only.txt",
        addressees=["王建平"],
        proposal_number="第76号",
        proposal_title="关于加强磁湖水质保护的提案",
        session="市政协十四届一次会议",
        unit="黄石市生态环境局",
        reply_date="2022-08-15",
        doc_number="黄环函〔2022〕58号",
    ),
    letter(
        "r07_jianyi_di_number.txt",
        addressees=["王海涛", "等7位"],
        proposal_number="第179号",
        proposal_title="关于改善城乡客运班线服务的建议",
        session="市十八届人大四次会议",
        unit="襄阳市交通运输局",
        reply_date="2024-06-12",
        doc_number="襄交函〔2024〕15号",
        result_class="A",
        contact_person="杜鹏",
        contact_phone="0710-3456789",
    ),
    letter(
        "r08_full_number_brackets.txt",
        addressees=["周立新"],
        proposal_number="委员提案〔2022〕35号",
        proposal_title="关于推动荆州古城文旅融合发展的提案",
        unit="荆州市文化和旅游局",
        reply_date="2022-07-30",
        doc_number="荆文旅函〔2022〕17号",
        result_class="B",
    ),
    letter(
        "r09_banli_jieguo_chinese_date.txt",
        addressees=["李建军"],
        proposal_number="第88号",
        proposal_title="关于加快农村饮水安全工程建设的提案",
        unit="孝感市水利局",
        reply_date="2012-10-08",
        result_class="B",
        contact_person="邹平",
        contact_phone="7123456",
    ),
    letter(
        "r10_lianxi_danwei.txt",
        addressees=["九三学社咸宁市委员会"],
        proposal_number="第203号",
        proposal_title="关于加强中小学生近视防控的提案",
        session="市政协十届三次会议",
        unit="咸宁市卫生健康委员会",
        reply_date="2020-08-20",
        contact_person="邱敏",
        contact_phone="0715-8123456",
    ),
    letter(
        "r11_we_resolved.txt",
        addressees=["刘芳"],
        proposal_number="第64号",
        proposal_title="关于加快安康至西安城际铁路前期工作的建议",
        session="市五届人大二次会议",
        unit="安康市发展和改革委员会",
        reply_date="2021-06-30",
    ),
    letter(
        "r12_page_break_cn_zero.txt",
        addressees=["田维新"],
        proposal_number="第27号",
        proposal_title="关于保护传承土家族摆手舞的提案",
        session="州政协十一届三次会议",
        unit="恩施州民族宗教事务委员会",
        reply_date="2019-07-15",
        result_class="A",
    ),
    letter(
        "r13_spaces_dotted_date.txt",
        addressees=["黄志强"],
        proposal_number="第12号",
        proposal_title="关于增设学校周边交通安全设施的建议",
        session="区十七届人大二次会议",
        unit="广州市天河区人民政府办公室",
        reply_date="2023-09-05",
        contact_person="梁思敏",
        contact_phone="020-38621234",
    ),
    letter(
        "r14_class_by_words_group.txt",
        addressees=["第三代表团"],
        proposal_number="第9号",
        proposal_title="关于加快临港产业园基础设施建设的建议",
        unit="青岛市发展和改革委员会",
        reply_date="2020-05-28",
        result_class="A",
        contact_person="孟凡",
        contact_phone="0532-85912345",
    ),
    letter(
        "r15_signer_cc_class_top.txt",
        addressees=["致公党江岸区支部"],
        proposal_number="第31号",
        proposal_title="关于在老旧社区增设电动自行车集中充电桩的提案",
        session="区政协十四届五次会议",
        unit="武汉市江岸区城市管理执法局",
        reply_date="2021-07-16",
        doc_number="岸城管函〔2021〕9号",
        result_class="C",
        contact_person="钱进",
        contact_phone="027-82771234",
        signer="胡志刚",
        cc="区政协提案委，区政府督查室",
    ),
    letter(
        "r16_html.txt",
        addressees=["赵丽萍"],
        proposal_number="第305号",
        proposal_title="关于加强农贸市场食品安全监管的建议",
        session="市十五届人大一次会议",
        reply_date="2018-09-03",
    ),
    letter(
        "r17_portal_editor_attachment.txt",
        addressees=["民进株洲市委员会"],
        proposal_number="第152号",
        proposal_title="关于加强校园周边食品安全监管的提案",
        session="市政协九届四次会议",
        unit="株洲市市场监督管理局",
        reply_date="2019-08-26",
    ),
    letter(
        "r18_full_session_name.txt",
        addressees=["柯尊平"],
        proposal_number="第67号",
        proposal_title="关于加快城区停车场建设的提案",
        session="政协大冶市第十届委员会第二次会议",
        unit="大冶市人民政府办公室",
        reply_date="2023-08-01",
        doc_number="大政办函〔2023〕22号",
        contact_person="石磊",
        contact_phone="0714-8721234",
    ),
    letter(
        "r19_npc_full_number_header_agrees.txt",
        addressees=["胡建华", "罗丽"],
        proposal_number="代表建议〔2020〕15号",
        proposal_title="关于加强洞庭湖区农村堤防建设的建议",
        unit="益阳市水利局",
        reply_date="2020-07-08",
        signer="熊伟",
    ),
    letter(
        "samples: NPC_VARIANT",
        text=samples.NPC_VARIANT,
        addressees=["张伟", "李娜"],
        proposal_number="第179号",
        proposal_title="关于加快老旧小区改造的建议",
        session="市十六届人大三次会议",
        unit="黄石市住房和城乡建设局",
        reply_date="2024-06-03",
        doc_number="黄建函〔2024〕12号",
        result_class="B",
        contact_person="吴刚",
        contact_phone="0714-6233015",
        cc="市人大代表工委",
    ),
    letter(
        "samples: PORTAL_VARIANT",
        text=samples.PORTAL_VARIANT,
        addressees=["市工商联"],
        proposal_number="第56号",
        proposal_title="关于支持民办职业教育发展的提案",
        session="市政协五届二次会议",
        unit="安康市教育体育局",
        reply_date="2022-07-20",
    ),
    letter(
        "samples: WRAPPED_TITLE",
        text=samples.WRAPPED_TITLE,
        addressees=["程玮"],
        proposal_number="第58号",
        proposal_title="关于降低中小企业融资成本的提案",
        session="市政协十三届五次会议",
        unit="黄石市财政局",
        reply_date="2021-07-02",
        contact_person="周丽",
        contact_phone="6222301",
    ),
    letter(
        "samples: MIXED_ADDRESSEES",
        text=samples.MIXED_ADDRESSEES,
        addressees=["市工商联", "民建黄石市委会", "赵敏"],
        proposal_title="关于优化营商环境的提案",
        unit="黄石市行政审批局",
        reply_date="2022-08-01",
    ),
    letter(
        "samples: CLASS_AT_END",
        text=samples.CLASS_AT_END,
        addressees=["王强"],
        proposal_number="第12号",
        proposal_title="关于加强农村公路养护的建议",
        unit="黄石市交通运输局",
        reply_date="2023-07-20",
        result_class="B",
    ),
    not_a_reply("n01_annual_tongbao.txt"),
    not_a_reply("n02_news.txt"),
    not_a_reply("n03_work_report.txt"),
    not_a_reply("n04_proposal_text.txt"),
    not_a_reply("n05_supervision_notice.txt"),
    not_a_reply("n06_blank_feedback_form.txt"),
    not_a_reply("n07_petition_reply.txt"),
    not_a_reply("samples: WORK_REPORT", text=samples.WORK_REPORT),
    not_a_reply("samples: NEWS_PAGE", text=samples.NEWS_PAGE),
]
