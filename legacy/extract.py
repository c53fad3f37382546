"""Read an old reply letter (text or DOCX): is it a reply, a co-handling opinion or neither, and
what does it say about itself, field by field.

Pure functions: bytes → text (`read_document`), text → `Extraction` (`extract`). Nothing here
touches the database; the caller may pass the known units so that "我局" can be resolved.

- **Recognition by evidence** (`recognise`): independent signals, each with a weight: addressed
  to members, an organisation or a lead unit; refers to a numbered 建议/提案 or to its title;
  answers it (答复/回复/函复/办理意见/协办意见, 收悉/悉); a closing unit and date; and, against
  it, the genre words of reports, 通报/通知, news items and proposal texts. The signals and the
  score travel with the result, so a refusal says why.
- **Normalised before reading** (`legacy.normalise`): full-width/ASCII punctuation, traditional
  characters, CJK–digit spaces, 文号 brackets, HTML, page chrome, paragraphs broken at a page end.
- **Fields from every place they appear**, each with a confidence ("high", "medium", "low" or
  "missing"), the place it was read from and the spans of the source text it came from. "high"
  means read from a place that leaves no doubt, or two places agreeing; a field read from one
  weaker place is "medium", conflicting places "low" — a person checks those on the review page.

The variants it is tested on are the corpus in tests/legacy/corpus/ (its table test prints
recognition and per-field accuracy). Known limits: scanned PDFs and old .doc files are refused
(save as .docx first); a letter naming its unit only as "我局" needs the unit list to say which.
"""

import datetime
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath

from django.utils.translation import gettext as _

from . import normalise

MAX_BYTES = 5 * 1024 * 1024  # a reply letter is a few KB; a DOCX with a scan inside, a few MB
MAX_DOCX_UNPACKED = 50 * 1024 * 1024


class DocumentError(ValueError):
    """The file cannot be read as a document at all (empty, binary, too large, wrong type)."""


# --- reading files ----------------------------------------------------------------------


def read_document(filename, data):
    """The text of a .txt (UTF-8 or GB18030) or .docx file, and the encoding it was read with."""
    check_size(len(data))
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".docx":
        text, encoding = docx_text(data), "docx"
    elif suffix in (".txt", ".text", ""):
        text, encoding = decode_text(data)
    else:
        raise DocumentError(
            _("只能导入 .txt 或 .docx 文件（旧版 .doc、PDF 请先另存为 .docx）；收到的是“%(suffix)s”。")
            % {"suffix": suffix}
        )
    if not text.strip():
        raise DocumentError("文件里没有文字。")
    return text, encoding


def check_size(size):
    """Refuse empty and oversized files before reading them (an upload is checked by its declared size)."""
    if not size:
        raise DocumentError(_("文件是空的（0 字节）。"))
    if size > MAX_BYTES:
        raise DocumentError(
            _("文件太大（%(size).1f MB），上限为 %(limit)d MB；一份答复函通常只有几十 KB。")
            % {"size": size / 1024 / 1024, "limit": MAX_BYTES // 1024 // 1024}
        )


def decode_text(data):
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    elif b"\x00" in data[:8192]:
        raise DocumentError("这不是文本文件（含有二进制内容）；请上传 .txt 或 .docx。")
    else:
        candidates = ["utf-8-sig", "gb18030"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\r\n\f")
        if controls > max(3, len(text) // 200):
            break
        return text, encoding.replace("-sig", "")
    raise DocumentError(_("无法识别文件的文字编码（既不是 UTF-8 也不是 GB18030），或者它不是文本文件。"))


def docx_text(data):
    """Paragraphs and table rows of a DOCX in document order; table cells joined by tabs."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_DOCX_UNPACKED:
                raise DocumentError(_("这个 DOCX 解压后过大，无法导入。"))
        from docx import Document
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = Document(io.BytesIO(data))
    except DocumentError:
        raise
    except Exception:  # python-docx raises many kinds on a damaged or non-Word file
        raise DocumentError(_("无法读取这个 DOCX 文件（可能已损坏，或不是 Word 文档）。")) from None
    lines = []
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(block, document).text)
        elif tag == "tbl":
            for row in Table(block, document).rows:
                cells = []
                for cell in row.cells:
                    if not cells or cells[-1] != cell.text:  # merged cells repeat
                        cells.append(cell.text)
                lines.append("\t".join(cells))
    return "\n".join(lines)


# --- the result -------------------------------------------------------------------------

HIGH, MEDIUM, LOW, MISSING = "high", "medium", "low", "missing"
CONFIDENCE_ORDER = [LOW, MEDIUM, HIGH]
REPLY, OPINION, NOT_A_REPLY = "reply", "opinion", "none"


@dataclass
class Field:
    value: object = None
    confidence: str = MISSING
    source: str = ""
    spans: list = field(default_factory=list)  # (start, end) offsets in the source text

    def as_json(self):
        if self.confidence == MISSING:
            return {"value": None, "confidence": MISSING}
        data = {"value": self.value, "confidence": self.confidence}
        if self.source:
            data["source"] = self.source
        if self.spans:
            data["spans"] = [list(span) for span in self.spans]
        return data


FIELD_NAMES = [
    "body",
    "addressees",
    "proposal_title",
    "proposal_number",
    "session",
    "unit",
    "reply_title",
    "doc_number",
    "reply_date",
    "result_class",
    "contact_person",
    "contact_phone",
    "signer",
    "cc",
    "sections",
    "reply_body",
    "portal_header",
    "contacts",
    "feedback_form",
]


@dataclass
class Signal:
    """One piece of evidence for or against "this is a reply", with its weight."""

    key: str
    weight: int
    label: str
    span: tuple | None = None

    def as_json(self):
        data = {"key": self.key, "weight": self.weight, "label": self.label}
        if self.span:
            data["span"] = list(self.span)
        return data


@dataclass
class Recognition:
    kind: str
    score: int
    signals: list

    def as_json(self):
        return {"kind": self.kind, "score": self.score, "signals": [s.as_json() for s in self.signals]}


@dataclass
class Extraction:
    fields: dict = field(default_factory=dict)
    recognition: Recognition | None = None
    refusal: str = ""  # why this is not a reply letter; empty when it is one

    @property
    def kind(self):
        return self.recognition.kind if self.recognition else NOT_A_REPLY

    @property
    def is_reply(self):
        return not self.refusal

    @property
    def is_opinion(self):
        return self.kind == OPINION

    def __getitem__(self, name):
        return self.fields.get(name) or Field()

    def value(self, name, default=None):
        f = self[name]
        return default if f.confidence == MISSING else f.value

    def as_json(self):
        data = {name: self[name].as_json() for name in FIELD_NAMES}
        if self.recognition:
            data["recognition"] = self.recognition.as_json()
        return data


# --- patterns (on folded text: simplified characters, full-width punctuation) ------------

CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "O": 0, "o": 0, "0": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5}
CN_DIGITS.update({"六": 6, "七": 7, "八": 8, "九": 9})
BRA, KET = r"[〔\[【（(［﹝{]", r"[〕\]】）)］﹞}]"

DATE_RE = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
CN_DATE_RE = re.compile(
    r"([〇零○O一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*日"
)
ISO_DATE_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})[-./](\d{1,2})[-./](\d{1,2})(?!\d)")
DATE_ONLY_RE = re.compile(
    r"^[（(]?\s*(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[〇零○O一二三四五六七八九]{4}\s*年[一二三四五六七八九十]{1,3}\s*月[一二三四五六七八九十]{1,3}\s*日|"
    r"\d{4}[-./]\d{1,2}[-./]\d{1,2})\s*[)）]?\s*(?:印发|发|签发)?$"
)
UNIT_END = (
    r"(?:局|委员会|委|办公室|办|厅|院|政府|中心|集团|公司|管委会|管理委员会|街道办事处|所|站|队|处|科|署|馆|会|社|团)"
)
UNIT_NAME = r"[\u4e00-\u9fff（）()·]{2,40}?" + UNIT_END
UNIT_LINE_RE = re.compile(rf"^({UNIT_NAME})(?:\s*[（(]\s*(?:盖章|印章|章)\s*[)）])?$")
LETTERHEAD_RE = re.compile(rf"^({UNIT_NAME})\s*(?:文件|函|便函|公函)?$")
GOV_UNIT_RE = re.compile(r"(?:局|委|办|厅|院|政府|中心|办公室|管委会|管理委员会|署|馆|公司|集团|所)$")

CLASS_WORDS = {
    "已经解决或基本解决": "A",
    "已解决或基本解决": "A",
    "正在解决或列入计划": "B",
    "正在解决或已列入计划": "B",
    "因条件限制暂不能解决": "C",
    "因条件限制暂时不能解决": "C",
    "留作参考": "D",
}
CLASS_LABEL = r"(?:答复类别|办复类别|办理类别|办理结果类别|办理结果|结果类别|答复类型|办理类型|类别|分类)"
CLASS_MARK_RE = re.compile(r"^[（(\[【]?\s*([ABCD])\s*类?\s*[)）\]】]?$")
CLASS_LABELLED_RE = re.compile(CLASS_LABEL + r"\s*[：:为是]?\s*[（(\[【]?\s*([ABCD])(?![A-Za-z])\s*类?")
CLASS_WORDS_RE = re.compile(
    CLASS_LABEL + r"\s*[：:为是]?\s*[（(\[【]?\s*(?:[ABCD]\s*类?\s*[，、（(]?\s*)?(" + "|".join(CLASS_WORDS) + ")"
)

# A place before the session ("黄石市", "政协大冶市"), never a phrase ending in one ("市政府共承办市").
PLACE = r"(?:(?:(?![在于对据经按从向将的和与及共承办提出间府])[\u4e00-\u9fff]){0,8}?[省市区县州旗])?"
SESSION_RE = re.compile(
    rf"({PLACE}(?:政协|人大|人民代表大会)?{PLACE}"
    r"第?[一二三四五六七八九十]{1,3}届(?:人民代表大会|人大|政协|委员会)?第?[一二三四五六七八九十]{1,3}次(?:全体)?会议)"
)
SESSION_CUT_RE = re.compile(r"^.*[在于对据经按从向将的和与及]")

# Proposal numbers: 委员提案〔2021〕110号; 第182号建议; 建议第179号; 182号建议; （第56号）after a title.
FULL_NUMBER_RE = re.compile(
    rf"((?:委员|代表|政协|人大|党派|团体)?(?:提案|建议))\s*{BRA}\s*((?:19|20)\d{{2}})\s*{KET}\s*(?:第\s*)?(\d{{1,5}})\s*号"
)
SERIAL_PATTERNS = [
    # (pattern, strong): strong when 第…号 sits right against 提案/建议, or a title is followed by its number.
    (re.compile(r"(?:提案|建议|议案)\s*(?:编号\s*[：:为]?\s*)?第\s*(\d{1,5})\s*号"), True),
    (
        re.compile(r"第\s*(\d{1,5})\s*号\s*(?:重点|人大代表|政协委员|代表|委员|党派|团体|集体)?\s*(?:提案|建议|议案)"),
        True,
    ),
    (re.compile(rf"(?:提案|建议|议案|》)\s*{BRA}\s*第\s*(\d{{1,5}})\s*号\s*(?:提案|建议)?\s*{KET}"), True),
    (
        re.compile(r"(?<![\d第〕\]】）)])(\d{1,5})\s*号\s*(?:重点|人大代表|政协委员|代表|委员)?\s*(?:提案|建议|议案)"),
        False,
    ),
    (re.compile(rf"(?:提案|建议|议案|》)\s*{BRA}\s*(\d{{1,5}})\s*号\s*{KET}"), False),
    (re.compile(r"(?:提案|建议)(?:编号|号)\s*[：:为]\s*(?:第\s*)?(\d{1,5})\s*号?"), False),
]
LIST_OF_NUMBERS_RE = re.compile(r"第?\s*(\d{1,5})\s*号\s*[、，和及与]\s*(?:第\s*)?(\d{1,5})\s*号")
DOC_NUMBER_RE = re.compile(
    rf"(?:^|文号\s*[：:]\s*|发文字号\s*[：:]\s*)([\u4e00-\u9fff]{{1,12}}?)\s*{BRA}\s*((?:19|20)\d{{2}})\s*{KET}\s*(?:第\s*)?(\d{{1,5}})\s*号"
)
SIGNER_RE = re.compile(r"签\s*发\s*人?\s*[：:]\s*([\u4e00-\u9fff·]{2,4}(?:\s*[、，]\s*[\u4e00-\u9fff·]{2,4})*)")
CC_RE = re.compile(r"^抄\s*送\s*[：:]\s*(.+?)[。.]?$", re.MULTILINE)
PERSON_RE = re.compile(
    r"(?:联\s*系\s*人|经\s*办\s*人|承\s*办\s*人)(?:及(?:联系)?电话)?\s*[：:]\s*([\u4e00-\u9fff·]{2,4}?)"
    r"(?=[\s，,；;。（(、：:]|电话|联系|手机|座机|\d|同志|$)"
)
PHONE_LABEL_RE = re.compile(
    r"(?:联系电话|联系方式|办公电话|电\s*话|手\s*机|联系人及电话|联系人及联系电话|Tel)\s*[：:]?", re.IGNORECASE
)
PHONE_RE = re.compile(r"(?<![\d-])((?:[(（]\s*0\d{2,3}\s*[)）]\s*|0\d{2,3}\s*[-－—–]\s*)?\d{7,8}|1[3-9]\d{9})(?![\d])")
CONTACT_UNIT_RE = re.compile(rf"联系单位\s*[：:]\s*({UNIT_NAME})(?=[\s，,；;。（(]|联系|电话|$)")

YOU_RE = re.compile(
    r"(?:您|你们|你|贵单位|贵会|贵委员会|贵委|贵党派|贵组织|贵社|贵团体|贵代表团|贵小组|贵界别)"
    r"(?:在[^，。；]{0,40}?)?(?:所|们)?(?:领衔|联名|牵头|共同)?(?:提出|所提|提交|提)的?"
)
LEAD_UNIT_RE = re.compile(r"贵(?:局|委|办|厅|院|中心|单位|公司)(?:主办|牵头办理|承办)")
ANSWER_STRONG_RE = re.compile(
    r"答复如下|现答复|现将.{0,30}?(?:答复|函复|回复)|特此答复|特此函复|函复如下|专此函复|此复|回复如下|现回复|答复你们|答复您|"
    r"[收获]悉|[）)》”」]\s*悉|(?:提案|建议)\s*悉|办理意见如下|提出(?:如下)?办理意见|(?:协办|会办)意见"
)
ANSWER_WEAK_RE = re.compile(r"答复|回复|复函|办复|函复")
OPINION_RE = re.compile(
    r"(?:协办|会办)意见(?:如下|函告|报告|函|的函)|提出(?:如下|以下)?(?:协办|会办)意见|作为(?:协办|会办)单位|现将.{0,12}(?:协办|会办)意见|"
    r"关于.{0,60}的(?:协办|会办)意见"
)
THANKS_RE = re.compile(
    r"感谢(?:您|你们|贵单位|贵会|贵委员会|贵党派).{0,30}?(?:关心|关注|支持|重视)|欢迎.{0,12}(?:多提|继续提出|提出).{0,6}(?:宝贵)?(?:意见|建议)|"
    r"敬请.{0,12}(?:关注|支持|指导)|恳请.{0,12}(?:指导|支持)"
)
REPORT_RE = re.compile(r"报告如下|请予审议|请审议|工作报告|情况的报告|情况报告|工作情况汇报|汇报如下")
NOTICE_RE = re.compile(r"通报如下|现将.{0,40}通报|的通报|情况通报|通知如下|现将.{0,30}通知|的通知$|特此通知|特此通报")
ORDER_RE = re.compile(
    r"请(?:你|各|贵)(?:单位|们)?.{0,30}?(?:于|在).{0,20}(?:前|之前).{0,20}(?:答复|办理|报送|反馈)|督办|请各.{0,20}(?:认真|抓紧|按时|务必)"
)
NEWS_RE = re.compile(r"本报讯|本台讯|记者|通讯员|责任编辑|编辑[：:]|新华社|日电|讯[（(]|编者按|报道")
PROPOSAL_TEXT_RE = re.compile(
    r"^(?:案由|提案人|领衔人|联名人|附议人|提出人|建议人|提案者|提案单位|所在代表团)\s*[：:]|"
    r"^(?:理由|办法|建议|措施|对策)(?:和|及|与)?(?:理由|办法|建议|措施|对策)?\s*[：:]|"
    r"现提出如下建议|特提出如下建议|提出以下建议|提出如下建议|建议如下[：:]",
    re.MULTILINE,
)
# Headings a proposal text has; a reply may have one too, so they weigh little.
PROPOSAL_HEADING_RE = re.compile(
    r"^[一二三四五六]、(?:存在的?问题|问题及原因|主要问题|现状及问题|对策建议|几点建议|具体建议|建议)$", re.MULTILINE
)
PETITION_RE = re.compile(r"来信|来访|信访|反映的[^。；]{0,30}问题|投诉|举报|申请复查|申请复核")
PROPOSAL_MENTION_RE = re.compile(
    r"(?:提出|所提|领衔|联名|提交)的?[^。；]{0,80}?(?:建议|提案|议案)|(?:建议|提案|议案)\s*(?:已?收悉|悉)"
)
AUDIENCE_RE = re.compile(r"^(?:尊敬的)?(?:各位|各|全体)|常委会|主任|秘书长|同志们|各.{0,12}(?:单位|部门|政府)")
ORG_WORDS_RE = re.compile(
    r"工商联|民革|民盟|民建|民进|农工党|致公党|九三学社|台盟|协会|商会|联合会|界别|小组|党派|支部|妇联|总工会|科协|侨联|台联|团[市区县]委|代表团|青联|文联|社科联|无党派"
)
MEMBER_SUFFIX_RE = re.compile(r"(委员|代表)(?:同志|们)?$")
COUNT_RE = re.compile(r"等\s*(\d{1,3}|[一二三四五六七八九十]{1,3})\s*(?:位|名|人)?\s*(委员|代表)?$")
HEADER_KEYS = [
    "索引号",
    "信息索引号",
    "主题分类",
    "组配分类",
    "体裁分类",
    "服务对象分类",
    "发布机构",
    "发文机关",
    "成文日期",
    "发文日期",
    "发布日期",
    "生成日期",
    "公开方式",
    "公开范围",
    "公开时限",
    "发文字号",
    "文号",
    "有效性",
    "标题",
    "名称",
    "主题词",
    "信息来源",
]
HEADER_KEY_RE = re.compile(r"({})\s*[：:]".format("|".join(sorted(HEADER_KEYS, key=len, reverse=True))))
PUBLICATION_NOTE_RE = re.compile(r"^[（(]?\s*(?:此件|本件)[^)）]{0,20}[)）]?$|^公开(?:方式|属性|类型)\s*[：:]")


def cn_number(text):
    """一 → 1, 十二 → 12, 二十 → 20, 二〇二一 → 2021 (numbers as written in headings and dates)."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _ten, units = text.partition("十")
        return (CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (CN_DIGITS.get(units, 0) if units else 0)
    value = 0
    for ch in text:
        value = value * 10 + CN_DIGITS.get(ch, 0)
    return value


def find_date(text):
    """The first date written in `text` and where: (date, start, end), or None."""
    for regex, convert in ((DATE_RE, int), (CN_DATE_RE, cn_number), (ISO_DATE_RE, int)):
        for m in regex.finditer(text):
            try:
                return datetime.date(*(convert(g) for g in m.groups())), m.start(), m.end()
            except ValueError:
                continue
    return None


def parse_date(text):
    """The first date written in `text` (2021年9月6日, 二〇二一年九月六日, 二○一二年, 2021-09-06), or None."""
    found = find_date(normalise.fold(text))
    return found[0] if found else None


SECTION_STYLES = [
    ("cn", re.compile(r"^([一二三四五六七八九十]{1,3})\s*[、，.．]\s*")),
    ("di", re.compile(r"^第([一二三四五六七八九十]{1,3})\s*[、，,.．：:]\s*")),
    ("paren_cn", re.compile(r"^[（(]\s*([一二三四五六七八九十]{1,3})\s*[)）]\s*[、.．]?\s*")),
    ("arabic", re.compile(r"^(\d{1,2})\s*(?:[、，．]|\.(?!\d))\s*")),
    ("paren_arabic", re.compile(r"^[（(]\s*(\d{1,2})\s*[)）]\s*")),
    ("circled", re.compile(r"^([①②③④⑤⑥⑦⑧⑨⑩])\s*")),
]
FORM_LABELS = {"沟通方式": "methods", "办理效果": "effects", "办理评价": "satisfaction", "是否公开": "publish"}
FORM_SINGLE_CHOICE = {"effects": "办理效果", "satisfaction": "办理评价", "publish": "是否公开"}
FORM_LINE_RE = re.compile(
    r"征询意见表|沟通方式|办理效果|办理评价|是否公开|对办理情况的意见|签收人|签收时间|代表姓名|委员姓名|建议提案标题|建议提案编号|<input"
)
TICK_MARKS = re.compile(r"checked|[√✓✔☑■☒xX✗]")
OPTION_SUFFIX_RE = re.compile(r"([\u4e00-\u9fa5]+)\s*(?:[(（]\s*([^()（）]*?)\s*[)）]|([☑☐□■☒]))")
OPTION_PREFIX_RE = re.compile(r"([☑☐□■☒])\s*([\u4e00-\u9fa5]+)")
CONTACT_WORDS = [
    ("visit", re.compile(r"上门|走访|登门|拜访|实地")),
    ("forum", re.compile(r"座谈")),
    ("meeting", re.compile(r"约见|面谈|见面|面商|当面")),
    ("phone", re.compile(r"电话|微信|手机|视频")),
    ("letter", re.compile(r"信函|书面|函告|邮件")),
    ("other", re.compile(r"沟通|交流|联系|征求")),
]
MONTH_DAY_RE = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日")
MEMBER_REF_RE = re.compile(r"您|你们|委员|代表")


def strip_tags(text):
    return re.sub(r"<[^>]+>", " ", text)


# --- the document as read ------------------------------------------------------------------


class Doc:
    """Lines joined into one text (for patterns that cross lines), positions kept."""

    def __init__(self, lines):
        self.lines = lines
        parts, pos, self.starts = [], [], []
        offset = 0
        for line in lines:
            self.starts.append(offset)
            parts.append(line.text + "\n")
            pos.extend(line.pos)
            pos.append(line.pos[-1] + 1 if line.pos else 0)
            offset += len(line.text) + 1
        self.text = "".join(parts)
        self.pos = pos

    def span(self, start, end):
        if end <= start:
            return None
        return (self.pos[start], self.pos[end - 1] + 1)

    def line_at(self, offset):
        """Index of the line holding text offset `offset`."""
        index = 0
        for i, start in enumerate(self.starts):
            if start > offset:
                break
            index = i
        return index


def _spans(*spans):
    return [s for s in spans if s]


def _field(value, confidence, source, *spans):
    return Field(value, confidence, source, _spans(*spans))


def _agree(candidates, same=lambda a, b: a == b):
    """From (value, strong, source, span) candidates: one Field, "high" when strong or confirmed, "low" on conflict."""
    if not candidates:
        return Field()
    first = candidates[0][0]
    agreeing = [c for c in candidates if same(c[0], first)]
    spans = [c[3] for c in agreeing if c[3]]
    sources = list(dict.fromkeys(c[2] for c in agreeing))
    if len(agreeing) < len(candidates):
        return Field(first, LOW, "、".join(sources), spans)
    confirmed = any(c[1] for c in candidates) or len({c[2] for c in candidates}) > 1
    return Field(first, HIGH if confirmed else MEDIUM, "、".join(sources), spans)


# --- the parts of a letter ------------------------------------------------------------------


def split_portal_header(lines):
    """A government portal's info box (索引号, 发布机构, 成文日期, …): {key: (value, span)} and the lines left."""
    header, rest = {}, []
    for line in lines:
        text = line.text
        keys = list(HEADER_KEY_RE.finditer(text))
        limit = 60 if text.startswith(("文号", "标题", "名称")) else 240
        if keys and keys[0].start() == 0 and len(text) < limit:
            for i, key in enumerate(keys):
                end = keys[i + 1].start() if i + 1 < len(keys) else len(text)
                start = key.end()
                while start < end and text[start] in " \t":
                    start += 1
                stop = end
                while stop > start and text[stop - 1] in " \t|｜;；":
                    stop -= 1
                name = {"信息索引号": "索引号", "发文机关": "发布机构", "名称": "标题"}.get(key.group(1), key.group(1))
                if stop > start and name not in header:
                    header[name] = (text[start:stop], line.span(start, stop))
            continue
        rest.append(line)
    # Only a real info box counts: a letter with a stray "标题：" line is not a portal page.
    if len(header) < 2:
        return {}, lines
    return header, rest


@dataclass
class Letter:
    head: list  # Line objects before the addressee (or before the body)
    addressee: tuple | None  # (line, start, end) of the names on the salutation line
    body: list
    tail: list  # closing lines: contact, unit, date, 抄送, marks
    title: tuple | None  # (text, spans)


def _addressee_part(line):
    """(start, end) of the names in a salutation line ("尊敬的程玮委员：" → "程玮委员"), or None."""
    text = line.text
    if len(text) > 120:
        return None
    m = re.match(r"^(?:尊敬的)?\s*", text)
    start = m.end()
    end = len(text)
    colon = text.endswith(("：", ":"))
    if colon:
        end -= 1
    names = text[start:end].strip()
    if not names or HEADER_KEY_RE.match(text) or TAIL_LABEL_RE.match(text):
        return None
    if re.match(r"^(?:关于|现将|根据|经|为|按照|对|我|您|你|贵|\d|[（(])", names) or normalise.MARKER_RE.match(names):
        return None
    if re.search(r"[。；！？《》“”\t]|[\d]{3,}", names):
        return None
    chunks = [c.strip() for c in re.split(r"[、，,；;]+", names) if c.strip()]
    if not chunks or any(len(c) > 30 for c in chunks):
        return None
    if not colon:
        # "孙磊委员" on its own line, the colon forgotten: only a line of names with a member suffix.
        if not (MEMBER_SUFFIX_RE.search(names) and len(names) <= 60 and all(len(c) <= 12 for c in chunks)):
            return None
    elif not colon or re.search(r"(?:的|是|在|了|将|已|和市|如下|情况)", names) and not ORG_WORDS_RE.search(names):
        return None
    return start, start + len(names)


TAIL_LABEL_RE = re.compile(
    r"^(?:联\s*系|电\s*话|手\s*机|抄\s*送|附\s*件|附\s*[：:]|注\s*[：:]|签\s*发|经\s*办|承\s*办人|对办理情况的意见|发布|来源|标题|文号|索引号)"
)


def _is_title(text):
    return bool(
        len(text) <= 90
        and not text.endswith(("：", ":", "。"))
        and (
            re.search(r"(?:答复|复函|回复|办理意见|协办意见|会办意见|意见的函|的函)$", text)
            or re.match(r"^(?:关于|对).{2,80}(?:答复|复函|回复|意见)", text)
        )
    )


def parse_letter(lines):
    """The parts of a letter by position: head (版头/文号/类别/标题), 主送, body, tail (附注, 落款, 抄送)."""
    addressee_at = None
    for i, line in enumerate(lines[:15]):
        part = _addressee_part(line)
        if part:
            addressee_at = i
            addressee = (line, *part)
            break
    if addressee_at is not None:
        head_end, body_start = addressee_at, addressee_at + 1
    else:
        addressee = None
        head_end = 0
        # No 主送: the head ends at the first paragraph that reads like the letter itself.
        for i, line in enumerate(lines[:10]):
            if YOU_RE.search(line.text) or len(line.text) > 40 or ANSWER_STRONG_RE.search(line.text):
                head_end = i
                break
        body_start = head_end
    head = lines[:head_end]

    # The title: a head line that names the answer; a long title wraps over two lines.
    title = None
    for i, line in enumerate(head):
        if _is_title(line.text):
            spans = [line.span()]
            text = line.text
            if i > 0 and head[i - 1].text.startswith(("关于", "对")) and not _is_title(head[i - 1].text):
                text = head[i - 1].text + text
                spans.insert(0, head[i - 1].span())
            elif (
                i + 1 < len(head)
                and text.startswith("关于")
                and re.fullmatch(r".{0,20}(?:答复|复函|意见)", head[i + 1].text)
            ):
                text += head[i + 1].text
                spans.append(head[i + 1].span())
            title = (text, spans)
            break
    if title is None:
        for i, line in enumerate(head[:-1]):
            # "关于对市政协十三届五次会议" / "第58号提案的答复": neither half alone reads as a title.
            joined = line.text + head[i + 1].text
            if line.text.startswith(("关于", "对")) and _is_title(joined):
                title = (joined, [line.span(), head[i + 1].span()])
                break

    # The tail, read backwards: date, 落款, 联系人/电话, 抄送, marks — until the body begins.
    end = len(lines)
    i = len(lines) - 1
    while i >= body_start and len(lines) - i <= 16:
        text = lines[i].text
        if _is_tail_line(text):
            end = i
            i -= 1
            continue
        break
    return Letter(head, addressee, lines[body_start:end], lines[end:], title)


def _is_tail_line(text):
    if len(text) > 90:
        return False
    if DATE_ONLY_RE.match(text) or TAIL_LABEL_RE.match(text) or PUBLICATION_NOTE_RE.match(text):
        return True
    if CLASS_MARK_RE.match(text) or CLASS_LABELLED_RE.match(text) or CLASS_WORDS_RE.match(text):
        return True
    if re.match(r"^[（(].{0,60}(?:联系人|电话).{0,60}[)）]$", text):
        return True
    if PERSON_RE.search(text) or (PHONE_LABEL_RE.search(text) and PHONE_RE.search(text)):
        return True
    rest = text
    found = find_date(text)
    if found:
        rest = (text[: found[1]] + text[found[2] :]).strip(" （）()")
        rest = re.sub(r"(?:印发|发)$", "", rest).strip()
        if not rest:
            return True
    rest = re.sub(r"\s+", "", rest)
    return bool(UNIT_LINE_RE.match(rest)) and len(rest) <= 40


# --- extraction -------------------------------------------------------------------------


def extract(text, *, units=()):
    """Everything a letter says about itself, field by field, and whether it is a reply at all.

    `units`: (name, short_name) pairs of the known handling units, to resolve "我局".
    """
    reading = normalise.read(text)
    result = Extraction()
    f = result.fields

    form_lines, lines = split_feedback_form(reading.lines)
    form = parse_feedback_form([line.text for line in form_lines]) if form_lines else None
    if form:
        form["spans"] = {
            key: _span_of(form_lines, form[key]) for key in ("member", "proposal_title", "proposal_number")
        }
        form_span = (form_lines[0].pos[0], form_lines[-1].pos[-1] + 1)
        f["feedback_form"] = Field(form, HIGH if not form["conflicts"] else MEDIUM, "征询意见表", [form_span])

    header, lines = split_portal_header(lines)
    if header:
        f["portal_header"] = Field(
            {key: value for key, (value, _span) in header.items()},
            HIGH,
            "网站信息栏",
            [span for _value, span in header.values() if span],
        )
    letter = parse_letter(lines)
    doc = Doc(lines)
    head_doc, tail_doc = Doc(letter.head), Doc(letter.tail)

    if letter.title:
        f["reply_title"] = Field(letter.title[0], HIGH, "标题行", letter.title[1])
    elif "标题" in header and _is_title(header["标题"][0]):
        f["reply_title"] = _field(header["标题"][0], MEDIUM, "网站信息栏", header["标题"][1])
    f["addressees"] = find_addressees(letter, form)
    opinion_words = OPINION_RE.search(doc.text) or (
        result.value("reply_title") and re.search(r"(?:协办|会办)意见", result.value("reply_title"))
    )
    f["body"] = guess_body(result, doc.text)
    f["proposal_number"] = find_number(doc, header, form)
    f["proposal_title"] = find_title(doc, result.value("reply_title") or "", form)
    f["session"] = find_session(doc, header)
    f["doc_number"] = find_doc_number(head_doc, tail_doc, header)
    f["result_class"] = find_result_class(head_doc, tail_doc, doc)
    f["reply_date"] = find_reply_date(tail_doc, header, reading.page_date)
    f["unit"] = find_unit(letter, head_doc, tail_doc, doc, header, form, units, bool(opinion_words))
    f["signer"] = _one(SIGNER_RE, [head_doc, tail_doc], "签发人", lambda v: re.sub(r"\s", "", v))
    f["cc"] = _one(CC_RE, [tail_doc, head_doc], "抄送", str.strip)
    person, phone = find_contact(tail_doc, doc)
    f["contact_person"], f["contact_phone"] = person, phone

    body_lines = letter.body
    if body_lines:
        f["reply_body"] = Field(
            "\n".join(line.raw for line in body_lines),
            HIGH if letter.addressee else MEDIUM,
            "正文",
            [(body_lines[0].pos[0], body_lines[-1].pos[-1] + 1)],
        )
    sections = parse_sections([line.raw for line in body_lines])
    if sections:
        f["sections"] = Field(sections, HIGH, "正文")
    reply_date = result.value("reply_date")
    contacts = find_contacts(body_lines, datetime.date.fromisoformat(reply_date) if reply_date else None, doc.text)
    if contacts:
        f["contacts"] = Field(contacts, min((c["confidence"] for c in contacts), key=CONFIDENCE_ORDER.index), "正文")

    result.recognition = recognise(doc, letter, result, reading.chrome, bool(opinion_words))
    if result.recognition.kind == NOT_A_REPLY:
        result.refusal = refusal_message(result.recognition)
    return result


def _span_of(lines, value):
    """Where `value` (a form cell) is written among `lines`."""
    if not value:
        return None
    for line in lines:
        at = line.text.find(value)
        if at >= 0:
            return line.span(at, at + len(value))
    return None


def _one(regex, docs, source, clean):
    for d in docs:
        m = regex.search(d.text)
        if m:
            return _field(clean(m.group(1)), HIGH, source, d.span(m.start(1), m.end(1)))
    return Field()


# --- recognition ----------------------------------------------------------------------------

THRESHOLD = 5


def recognise(doc, letter, result, chrome, opinion_words):
    """Reply, co-handling opinion or neither, from independent signals with weights."""
    signals = []
    text = doc.text
    head_text = "\n".join(line.text for line in letter.head) + "\n" + (result.value("reply_title") or "")
    first_lines = "\n".join(line.text for line in doc.lines[:4])

    def add(key, weight, label, span=None):
        signals.append(Signal(key, weight, str(label), span))

    people = (result.value("addressees") or {}).get("people", [])
    kinds = {p["kind"] for p in people}
    line = (result.value("addressees") or {}).get("line", "")
    audience = bool(line and AUDIENCE_RE.search(line))
    addressee_span = result["addressees"].spans[0] if result["addressees"].spans else None
    to_members = bool(kinds & {"委员", "代表", "organisation", ""}) and not audience
    to_unit = "unit" in kinds and not audience
    if audience:
        add("audience", -3, _("称呼“%(line)s”是会议或下级单位，不是代表委员") % {"line": line}, addressee_span)
    elif to_members:
        add("addressed", 3, _("主送代表委员或组织：“%(line)s”") % {"line": line}, addressee_span)
    elif to_unit:
        weight = 3 if opinion_words else 1
        add("addressed_unit", weight, _("主送一个单位：“%(line)s”") % {"line": line}, addressee_span)
    else:
        add("no_addressee", 0, _("没有主送行"))

    m = YOU_RE.search(text) or LEAD_UNIT_RE.search(text)
    if m:
        add(
            "you",
            2,
            _("对代表委员（或主办单位）说话：“%(words)s”") % {"words": m.group()},
            doc.span(m.start(), m.end()),
        )
    number, title = result["proposal_number"], result["proposal_title"]
    if number.confidence != MISSING:
        add("numbered", 2, _("提到编号的建议提案：%(n)s") % {"n": number.value["printed"]}, _first(number.spans))
    if title.confidence != MISSING:
        add("titled", 1, _("提到建议提案的标题：《%(t)s》") % {"t": title.value}, _first(title.spans))
    mention = PROPOSAL_MENTION_RE.search(text)
    refers = number.confidence != MISSING or title.confidence != MISSING or mention
    if not refers:
        add("no_reference", 0, _("没有提到所答复的建议或提案（编号、标题或“您提出的……建议”）"))
    strong = ANSWER_STRONG_RE.search(text)
    weak = ANSWER_WEAK_RE.search(text) or ANSWER_WEAK_RE.search(head_text)
    if strong:
        add(
            "answers", 3, _("答复用语：“%(words)s”") % {"words": strong.group()}, doc.span(strong.start(), strong.end())
        )
    elif weak:
        add(
            "answers_weakly",
            1,
            _("只有“%(words)s”一词，没有“现答复如下”“……收悉”这类答复用语") % {"words": weak.group()},
        )
    else:
        add("no_answer", 0, _("全文没有“答复”“回复”“办理意见”等字样"))
    if result["unit"].confidence != MISSING and any(s in result["unit"].source for s in ("落款", "联系单位")):
        add(
            "closing_unit",
            1,
            _("落款单位：%(unit)s") % {"unit": result.value("unit")["name"]},
            _first(result["unit"].spans),
        )
    if result["reply_date"].confidence != MISSING and result["reply_date"].source == "落款日期":
        add(
            "closing_date",
            1,
            _("落款日期：%(date)s") % {"date": result.value("reply_date")},
            _first(result["reply_date"].spans),
        )
    m = THANKS_RE.search(text)
    if m:
        add("thanks", 1, _("答复函的结束语：“%(words)s”") % {"words": m.group()}, doc.span(m.start(), m.end()))

    for key, regex, where, weight, label in (
        ("report", REPORT_RE, text, -4, _("工作报告的用语：“%(words)s”")),
        ("notice", NOTICE_RE, head_text + "\n" + text, -4, _("通报或通知的用语：“%(words)s”")),
        ("order", ORDER_RE, text, -2, _("交办或督办的用语：“%(words)s”")),
        ("petition", PETITION_RE, text, -3, _("信访答复的用语：“%(words)s”")),
        ("news", NEWS_RE, first_lines + "\n" + text[-300:], -4, _("新闻稿的用语：“%(words)s”")),
        # A portal prints "责任编辑" under replies too: on the page's furniture it weighs little.
        ("news_page", NEWS_RE, "\n".join(c.text for c in chrome), -1, _("网页上有新闻稿的用语：“%(words)s”")),
        ("proposal_text", PROPOSAL_TEXT_RE, text, -4, _("建议提案原文的格式：“%(words)s”")),
        ("proposal_heading", PROPOSAL_HEADING_RE, text, -1, _("建议提案原文常见的标题：“%(words)s”")),
    ):
        m = regex.search(where)
        if m:
            span = doc.span(m.start(), m.end()) if where is text else None
            add(key, weight, label % {"words": m.group().strip()}, span)
    stats = set(re.findall(r"办结率|答复率|满意率|见面率|沟通率|共(?:承办|收到|交办|办理|立案)[^。；]{0,20}件", text))
    if len(stats) >= 2:
        add("statistics", -2, _("办理情况统计：%(words)s") % {"words": "、".join(sorted(stats))})

    score = sum(s.weight for s in signals)
    answered = strong or (weak and (to_members or to_unit or YOU_RE.search(text)))
    if score < THRESHOLD or not answered or not refers:
        kind = NOT_A_REPLY
    elif opinion_words and not to_members:
        kind = OPINION
    else:
        kind = REPLY
    return Recognition(kind, score, signals)


def _first(spans):
    return spans[0] if spans else None


GENRES = {
    "report": _("它像是一份工作报告"),
    "notice": _("它像是一份通报或通知"),
    "news": _("它像是一篇新闻稿"),
    "proposal_text": _("它像是建议提案的原文"),
    "order": _("它像是一份交办或督办通知"),
    "audience": _("它不是写给代表委员的"),
    "petition": _("它像是一份信访答复"),
}


def refusal_message(recognition):
    against = sorted((s for s in recognition.signals if s.weight < 0), key=lambda s: s.weight)
    missing = [s for s in recognition.signals if s.weight == 0]
    verdict = next((GENRES[s.key] for s in against if s.key in GENRES), _("答复函的证据不足"))
    reasons = "；".join(f"{s.label}（{s.weight:+d}）" if s.weight else s.label for s in against + missing)
    return _(
        "这不是答复函，未导入：%(verdict)s。依据：%(reasons)s。证据合计 %(score)s 分，答复函至少 %(threshold)s 分。"
    ) % {
        "verdict": verdict,
        "reasons": reasons or _("没有反对的证据，但支持的证据不够"),
        "score": recognition.score,
        "threshold": THRESHOLD,
    }


# --- fields ---------------------------------------------------------------------------------


def find_addressees(letter, form):
    if letter.addressee:
        line, start, end = letter.addressee
        value = parse_addressees(line.text[start:end])
        return Field(value, HIGH, "主送行", [line.span(start, end)])
    if form and form.get("member"):
        return Field(
            {"line": form["member"], "kind": "", "people": [{"name": form["member"], "kind": ""}], "count": None},
            MEDIUM,
            "征询意见表",
            _spans(form["spans"].get("member")),
        )
    return Field()


def parse_addressees(line):
    """'程玮、王秋红委员' → each person with their kind (委员/代表/organisation/unit); '等5位' → count."""
    people = []
    count = None
    line = line.strip().rstrip("：:")
    m = COUNT_RE.search(line)
    body = line
    kind_of_line = ""
    if m:
        count = cn_number(m.group(1))
        kind_of_line = m.group(2) or ""
        body = line[: m.start()]
    m = re.search(r"(委员|代表)(?:同志|们)?$", body)
    if m:
        kind_of_line = m.group(1)
    parts = []
    for chunk in re.split(r"[、，,；;]+", body):
        pieces = chunk.split()
        # "程 玮委员": a two-character name printed with a space; "程玮 王秋红委员": two names.
        if len(pieces) > 1 and all(len(MEMBER_SUFFIX_RE.sub("", p)) == 1 for p in pieces[:-1]):
            pieces = ["".join(pieces)]
        parts.extend(p for p in pieces if p)
    for part in parts:
        suffix = MEMBER_SUFFIX_RE.search(part)
        name = part[: suffix.start()] if suffix else re.sub(r"同志$", "", part)
        name = re.sub(r"^尊敬的", "", name)
        if not name:
            continue
        if ORG_WORDS_RE.search(name):
            kind = "organisation"
        elif not suffix and len(name) > 4 and GOV_UNIT_RE.search(name):
            kind = "unit"
        elif not suffix and len(name) > 4:
            kind = "organisation"
        else:
            kind = suffix.group(1) if suffix else kind_of_line
        people.append({"name": name, "kind": kind})
    kinds = {p["kind"] for p in people if p["kind"] not in ("organisation", "unit")}
    return {
        "line": line,
        "kind": kind_of_line or (kinds.pop() if len(kinds) == 1 else ""),
        "people": people,
        "count": count,
    }


def guess_body(result, text):
    people = result.value("addressees", {}) or {}
    kinds = {p["kind"] for p in people.get("people", [])}
    if "委员" in kinds and "代表" not in kinds:
        return Field("cppcc", HIGH, "主送行")
    if "代表" in kinds and "委员" not in kinds:
        return Field("npc", HIGH, "主送行")
    m = FULL_NUMBER_RE.search(text)
    if m and re.search(r"提案|建议", m.group(1)):
        return Field("cppcc" if "提案" in m.group(1) else "npc", HIGH, "编号")
    proposals, suggestions = len(re.findall(r"提案|政协", text)), len(re.findall(r"建议|人大|代表", text))
    if re.search(r"政协|提案", text) and not re.search(r"人大|代表建议", text):
        return Field("cppcc", MEDIUM, "正文")
    if re.search(r"人大|代表", text) and not re.search(r"政协|提案", text):
        return Field("npc", MEDIUM, "正文")
    if proposals or suggestions:
        return Field("cppcc" if proposals >= suggestions else "npc", LOW, "正文")
    return Field()


def _number_value(printed, serial, year=None, prefix=None):
    normalized = f"{prefix}〔{year}〕{serial}号" if prefix and year else f"第{serial}号"
    return {"printed": printed, "normalized": normalized, "year": year, "serial": serial}


def find_number(doc, header, form):
    """The proposal's number from every place it is written; several different numbers → "low"."""
    found = []  # (value, strong, source, span)
    if form and form.get("proposal_number"):
        m = FULL_NUMBER_RE.search(normalise.fold(form["proposal_number"]))
        if m:
            found.append(
                (
                    _number_value(m.group(0), int(m.group(3)), int(m.group(2)), m.group(1)),
                    True,
                    "征询意见表",
                    form["spans"].get("proposal_number"),
                )
            )
    places = [(doc, "正文")]
    if "标题" in header:
        places.append((None, "网站信息栏"))
    for d, source in places:
        text = d.text if d else header["标题"][0]
        span = (lambda a, b, d=d: d.span(a, b)) if d else (lambda a, b: header["标题"][1])
        taken = []
        for m in FULL_NUMBER_RE.finditer(text):
            found.append(
                (
                    _number_value(m.group(0), int(m.group(3)), int(m.group(2)), m.group(1)),
                    True,
                    source,
                    span(m.start(), m.end()),
                )
            )
            taken.append((m.start(), m.end()))
        for regex, strong in SERIAL_PATTERNS:
            for m in regex.finditer(text):
                if any(a <= m.start(1) < b for a, b in taken):
                    continue
                taken.append((m.start(), m.end()))
                found.append(
                    (_number_value(m.group(0).strip(), int(m.group(1))), strong, source, span(m.start(), m.end()))
                )
        for m in LIST_OF_NUMBERS_RE.finditer(text):
            # "第12号、第15号提案": a joint reply; the first number is not taken by the patterns above.
            if any(a <= m.start(1) < b for a, b in taken):
                continue
            found.append((_number_value(m.group(0), int(m.group(1))), False, source, span(m.start(1), m.end(1))))
    if not found:
        return Field()
    found.sort(key=lambda c: (c[2] != "征询意见表", c[2], c[3] or (0, 0)))
    # The full form (with its year) gives the value; several different serials make it "low".
    full = [c for c in found if c[0]["year"]]
    serials = list(dict.fromkeys(c[0]["serial"] for c in found))
    best = full[0][0] if full else found[0][0]
    same = [c for c in found if c[0]["serial"] == best["serial"]]
    spans = [c[3] for c in same if c[3]]
    sources = "、".join(dict.fromkeys(c[2] for c in same))
    if len(serials) > 1:
        value = dict(best, variants=[f"第{n}号" for n in serials])
        return Field(value, LOW, sources, spans)
    years = {c[0]["year"] for c in found if c[0]["year"]}
    if len(years) > 1:
        return Field(dict(best, variants=sorted(c[0]["normalized"] for c in full)), LOW, sources, spans)
    confirmed = any(c[1] for c in same) or len({c[2] for c in same}) > 1 or len(same) > 1
    return Field(best, HIGH if confirmed else MEDIUM, sources, spans)


TITLE_LEAD = r"(?:提出|所提|提交|领衔提出|联名提出|牵头提出|共同提出|主办|承办)的\s*"
TITLE_PATTERNS = [
    # (pattern, strong)
    (re.compile(r"《(关于[^《》\n]{2,120}?(?:提案|建议|议案))》"), True),
    (re.compile(TITLE_LEAD + r"《([^《》\n]{4,120})》"), True),
    (re.compile(TITLE_LEAD + r"“(关于[^“”\n]{2,120}?(?:提案|建议|议案))”"), True),
    (
        re.compile(
            TITLE_LEAD
            + r"(关于[^，。；：\n《》]{2,120}?的(?:提案|建议|议案))(?=\s*(?:[（(]|已?收悉|悉|收到|，|。|中|等|$))"
        ),
        True,
    ),
    (
        re.compile(
            TITLE_LEAD + r"(关于[^，。；：\n《》]{2,120}?(?:提案|建议|议案))(?=\s*(?:[（(]|已?收悉|悉|收到|，|。|$))"
        ),
        False,
    ),
    (
        re.compile(
            r"(?:^|[，。；\n])(?:对|就)?(关于[^，。；：\n《》]{2,120}?的(?:提案|建议|议案))(?=\s*(?:[（(]第?\d|已?收悉|悉))"
        ),
        True,
    ),
]


def find_title(doc, reply_title, form):
    """The proposal's title (案由), never the letter's own title."""
    found = []  # (value, strong, source, span)
    if form and form.get("proposal_title"):
        found.append((form["proposal_title"].strip(), True, "征询意见表", form["spans"].get("proposal_title")))
    for regex, strong in TITLE_PATTERNS:
        for m in regex.finditer(doc.text):
            title = m.group(1).strip()
            if re.search(r"(?:答复|复函|回复|意见|的函)$", title) or title == reply_title:
                continue
            found.append((title, strong, "正文", doc.span(m.start(1), m.end(1))))
    if not found and reply_title:
        m = re.search(r"《([^《》]{4,120})》", reply_title)
        if m:
            found.append((m.group(1), False, "标题行", None))
        else:
            m = re.match(
                r"^关于(?:对)?(.{4,120}?的(?:提案|建议))的?(?:答复|复函|回复|办理意见|协办意见|会办意见)(?:函)?$",
                reply_title,
            )
            if m and not re.search(r"第\s*\d+\s*号|会议", m.group(1)):
                title = m.group(1) if m.group(1).startswith("关于") else "关于" + m.group(1)
                return Field(title, LOW, "标题行")
    if not found:
        return Field()
    strongest = sorted(found, key=lambda c: (not c[1],))
    titles = list(dict.fromkeys(_title_key(c[0]) for c in found))
    best = strongest[0]
    same = [c for c in found if _title_key(c[0]) == _title_key(best[0])]
    spans = [c[3] for c in same if c[3]]
    sources = "、".join(dict.fromkeys(c[2] for c in same))
    if len(titles) > 1 and not all(_title_key(t) in _title_key(best[0]) for t in titles):
        return Field(best[0], LOW, sources, spans)
    return Field(best[0], HIGH if best[1] else MEDIUM, sources, spans)


def _title_key(title):
    return re.sub(r"[《》“”\"'「」\s]", "", title)


def find_session(doc, header):
    found = []
    for m in SESSION_RE.finditer(doc.text):
        cut = SESSION_CUT_RE.match(m.group(1))
        start = m.start(1) + (cut.end() if cut else 0)
        found.append((doc.text[start : m.end(1)], True, "正文", doc.span(start, m.end(1))))
    if "标题" in header:
        for m in SESSION_RE.finditer(header["标题"][0]):
            cut = SESSION_CUT_RE.match(m.group(1))
            found.append((m.group(1)[cut.end() if cut else 0 :], True, "网站信息栏", header["标题"][1]))
    if not found:
        return Field()
    distinct = list(dict.fromkeys(c[0] for c in found))
    # "市十六届人大三次会议" and "黄石市十六届人大三次会议" are one session, said twice.
    same = all(distinct[0].endswith(d) or d.endswith(distinct[0]) for d in distinct)
    value = max(distinct, key=len) if same else distinct[0]
    spans = [c[3] for c in found if c[3]]
    return Field(value, HIGH if same else LOW, "、".join(dict.fromkeys(c[2] for c in found)), spans)


def find_doc_number(head_doc, tail_doc, header):
    candidates = []
    for d, source in ((head_doc, "文号行"), (tail_doc, "文末")):
        for line_start in d.starts:
            line = d.text[line_start : d.text.index("\n", line_start)]
            m = DOC_NUMBER_RE.search(line)
            if m and not re.search(r"提案|建议", m.group(1)):
                value = f"{m.group(1)}〔{m.group(2)}〕{int(m.group(3))}号"
                candidates.append(
                    (value, source == "文号行", source, d.span(line_start + m.start(1), line_start + m.end()))
                )
    for key in ("发文字号", "文号"):
        if key in header:
            m = DOC_NUMBER_RE.search(header[key][0])
            if m and not re.search(r"提案|建议", m.group(1)):
                value = f"{m.group(1)}〔{m.group(2)}〕{int(m.group(3))}号"
                candidates.append((value, False, "网站信息栏", header[key][1]))
    return _agree(candidates)


def find_result_class(head_doc, tail_doc, doc):
    candidates = []
    for d, source in ((head_doc, "类别标记"), (tail_doc, "文末类别")):
        for _i, line in enumerate(d.lines):
            text = line.text
            m = CLASS_MARK_RE.match(text)
            if m:
                candidates.append((m.group(1), True, source, line.span()))
                continue
            m = CLASS_LABELLED_RE.search(text) if len(text) <= 60 else None
            if m:
                candidates.append((m.group(1), True, source, line.span(m.start(1), m.end(1))))
                continue
            m = CLASS_WORDS_RE.search(text) if len(text) <= 60 else None
            if m:
                candidates.append((CLASS_WORDS[m.group(1)], True, source, line.span(m.start(1), m.end(1))))
    if not candidates:
        for regex, words in ((CLASS_LABELLED_RE, False), (CLASS_WORDS_RE, True)):
            m = regex.search(doc.text)
            if m:
                value = CLASS_WORDS[m.group(1)] if words else m.group(1)
                candidates.append((value, False, "正文", doc.span(m.start(1), m.end(1))))
                break
    return _agree(candidates)


def find_reply_date(tail_doc, header, page_date):
    candidates = []
    for line in reversed(tail_doc.lines):
        found = find_date(line.text)
        if found and (DATE_ONLY_RE.match(line.text) or _is_tail_line(line.text)) and not PERSON_RE.search(line.text):
            candidates.append((found[0].isoformat(), True, "落款日期", line.span(found[1], found[2])))
            break
    for key in ("成文日期", "发文日期"):
        if key in header:
            found = find_date(header[key][0])
            if found:
                candidates.append((found[0].isoformat(), False, "网站信息栏", header[key][1]))
                break
    if candidates:
        return _agree(candidates)
    for key in ("发布日期", "生成日期"):
        if key in header:
            found = find_date(header[key][0])
            if found:
                return _field(found[0].isoformat(), LOW, "网站发布日期", header[key][1])
    if page_date:
        found = find_date(page_date[0])
        if found:
            return _field(found[0].isoformat(), LOW, "网站发布日期", page_date[1])
    return Field()


def _unit_core(name):
    """'湖北省黄石市经济和信息化局办公室' → '黄石市经济和信息化局': for comparing names."""
    name = re.sub(r"^[\u4e00-\u9fff]{2,3}省(?=.{4,})", "", name)
    return unit_name_from_closing(name)


def unit_name_from_closing(closing):
    """'黄石市经济和信息化局办公室' → '黄石市经济和信息化局': a bureau's office signs for the bureau."""
    m = re.match(r"^(.{3,}(?:局|委员会|委|厅))办公室$", closing)
    return m.group(1) if m else closing


def _same_unit(a, b):
    a, b = _unit_core(a), _unit_core(b)
    return a == b or (len(a) >= 4 and len(b) >= 4 and (a.endswith(b) or b.endswith(a)))


def find_unit(letter, head_doc, tail_doc, doc, header, form, units, opinion):
    """Who wrote the letter: 落款, 版头, 联系单位, 发布机构, or "我局" among the known units."""
    candidates = []  # (name, strong, source, span)
    closing = letterhead = ""
    for line in reversed(letter.tail):
        text = line.text
        found = find_date(text)
        rest = (text[: found[1]] + text[found[2] :]) if found else text
        rest_clean = re.sub(r"\s+|[（(](?:盖章|印章|章)[)）]", "", rest)
        m = UNIT_LINE_RE.match(rest_clean)
        if m and not TAIL_LABEL_RE.match(text) and not PERSON_RE.search(text):
            closing = m.group(1)
            start = text.find(closing[:2])
            candidates.append(
                (
                    unit_name_from_closing(closing),
                    False,
                    "落款",
                    line.span(max(start, 0), max(start, 0) + len(rest.strip())),
                )
            )
            break
    m = CONTACT_UNIT_RE.search(tail_doc.text) or CONTACT_UNIT_RE.search(doc.text)
    if m:
        d = tail_doc if CONTACT_UNIT_RE.search(tail_doc.text) else doc
        candidates.append((m.group(1), False, "联系单位", d.span(m.start(1), m.end(1))))
    for line in letter.head:
        text = re.sub(r"\s+", "", line.text)
        m = LETTERHEAD_RE.match(text)
        if m and not _is_title(text) and not CLASS_MARK_RE.match(text):
            letterhead = m.group(1)
            candidates.append((_unit_core(letterhead), False, "版头", line.span()))
            break
    if "发布机构" in header and re.search(UNIT_END + "$", header["发布机构"][0]):
        candidates.append((header["发布机构"][0], False, "发布机构", header["发布机构"][1]))
    if not candidates and units:
        resolved = resolve_we(doc, units)
        if resolved:
            name, span = resolved
            candidates.append((name, False, "我局（单位名录）", span))
    short = (form or {}).get("unit", "")
    if not candidates:
        if short:
            return Field({"name": "", "short_name": short, "letterhead": "", "closing": ""}, LOW, "征询意见表")
        return Field()
    # Order: a closing names the writer most surely; then 联系单位, 版头, 发布机构.
    name = candidates[0][0]
    agreeing = [c for c in candidates if _same_unit(c[0], name)]
    others = [c for c in candidates if not _same_unit(c[0], name)]
    known = _known_unit(name, units)
    if known:
        name = known[0]
        short = short or known[1]
    if others:
        confidence = LOW
    elif len(agreeing) > 1 or known:
        confidence = HIGH
    else:
        confidence = MEDIUM
    value = {"name": name, "short_name": short, "letterhead": letterhead, "closing": closing}
    return Field(value, confidence, "、".join(c[2] for c in agreeing), [c[3] for c in agreeing if c[3]])


def _known_unit(name, units):
    core = _unit_core(name)
    for full, short in units:
        if core in (full, short) or name in (full, short):
            return full, short
    return None


def resolve_we(doc, units):
    """ "我局…": the one known unit with that ending that the letter names on its own (not in a list of others)."""
    m = re.search(r"我(局|委|办|厅|院|中心)", doc.text)
    if not m:
        return None
    suffix = m.group(1)
    hits = {}
    for full, short in units:
        for alias in {full, short} - {""}:
            if not alias.endswith(suffix):
                continue
            for mm in re.finditer(re.escape(alias), doc.text):
                before = doc.text[max(0, mm.start() - 1) : mm.start()]
                after = doc.text[mm.end() : mm.end() + 1]
                if before in "与和同及、向请会对" and before or after in ("、", "和", "及", "与"):
                    continue  # named among others: not the writer
                hits.setdefault(full, []).append(doc.span(mm.start(), mm.end()))
    if len(hits) != 1:
        return None
    name, spans = next(iter(hits.items()))
    return name, spans[0]


def find_contact(tail_doc, doc):
    person = phone = Field()
    for d, confidence, source in ((tail_doc, HIGH, "附注"), (doc, MEDIUM, "正文")):
        if person.confidence == MISSING:
            m = PERSON_RE.search(d.text)
            if m:
                person = _field(m.group(1), confidence, source, d.span(m.start(1), m.end(1)))
        if phone.confidence == MISSING:
            for label in PHONE_LABEL_RE.finditer(d.text):
                m = PHONE_RE.search(d.text, label.end(), label.end() + 30)
                if m:
                    number = re.sub(r"\s", "", m.group(1))
                    number = re.sub(r"[（(](0\d{2,3})[)）]", r"\1-", number)
                    number = re.sub(r"[－—–]", "-", number)
                    phone = _field(number, confidence, source, d.span(m.start(1), m.end(1)))
                    break
    return person, phone


# --- the feedback form, sections and contacts ----------------------------------------


def split_feedback_form(lines):
    """The embedded 征询意见表 (as a block of lines) and the rest of the document."""
    marks = [i for i, line in enumerate(lines) if FORM_LINE_RE.search(line.text)]
    if len(marks) < 3:
        return [], lines
    start, end = marks[0], marks[-1]
    # The footnote ("注: 请各单位…附上此表…") belongs to the form.
    if end + 1 < len(lines) and re.match(r"^注\s*[:：]", lines[end + 1].text) and "此表" in lines[end + 1].text:
        end += 1
    # A form is a compact block: do not swallow a letter that merely mentions 沟通方式.
    if end - start > 25:
        return [], lines
    return lines[start : end + 1], lines[:start] + lines[end + 1 :]


def parse_feedback_form(lines):
    form = {"title": "", "member": "", "unit": "", "proposal_title": "", "proposal_number": ""}
    form.update({key: [] for key in FORM_LABELS.values()})
    form["opinion"] = ""
    form["conflicts"] = []
    text = "\n".join(lines)
    for line in lines:
        if "征询意见表" in line and not form["title"]:
            form["title"] = re.sub(r"\s+", "", strip_tags(line))
        cells = [c.strip() for c in line.split("\t")]
        for i, cell in enumerate(cells[:-1]):
            value = strip_tags(cells[i + 1]).strip()
            if re.fullmatch(r"(代表|委员|代表委员|建议人|提案人)?姓名", cell):
                form["member"] = re.sub(r"\s+", "", value)
            elif cell == "承办单位":
                form["unit"] = value
            elif cell in ("建议提案标题", "标题", "案由", "建议标题", "提案标题"):
                form["proposal_title"] = value
            elif cell in ("建议提案编号", "编号", "建议编号", "提案编号"):
                form["proposal_number"] = value.strip("()（） ")
        for label, key in FORM_LABELS.items():
            if line.startswith(label):
                rest = re.sub(r"[(（][^()（）]*勾选[^()（）]*[)）]", "", line[len(label) :])
                form[key] = ticked_options(rest, exclude=label)
    m = re.search(r"对办理情况的意见\s*[:：]?(.*?)(?:\n|$)", text)
    if m:
        form["opinion"] = re.sub(r"\s+", " ", strip_tags(m.group(1))).strip()
    for key, label in FORM_SINGLE_CHOICE.items():
        if len(form[key]) > 1:
            form["conflicts"].append(
                "“{}”同时勾选了{}，只能选一项，需与代表委员核实。".format(label, "和".join(f"“{o}”" for o in form[key]))
            )
    return form


def ticked_options(text, exclude=""):
    options = [(name, bool(TICK_MARKS.search(mark or box or ""))) for name, mark, box in OPTION_SUFFIX_RE.findall(text)]
    if not options:
        options = [(name, box in "☑■☒") for box, name in OPTION_PREFIX_RE.findall(text)]
    return [name for name, ticked in options if ticked and name != exclude]


def parse_sections(lines):
    """Numbered headings (一、 (一) 1、 1. (1) ①) as a tree; levels follow the order styles first appear."""
    levels = []
    root = []
    stack = []  # (level, node)
    for line in lines:
        match = None
        for style, regex in SECTION_STYLES:
            m = regex.match(line)
            if m and line[m.end() :].strip():
                match = (style, m)
                break
        if not match:
            if stack:
                stack[-1][1]["paragraphs"].append(line)
            continue
        style, m = match
        if style not in levels:
            levels.append(style)
        level = levels.index(style) + 1
        rest = line[m.end() :].strip()
        heading = re.split(r"(?<=[。；;！？])", rest, maxsplit=1)[0].rstrip("。；;")
        node = {
            "marker": m.group(0).strip(),
            "number": cn_number(m.group(1)) if style != "circled" else "①②③④⑤⑥⑦⑧⑨⑩".index(m.group(1)) + 1,
            "level": level,
            "heading": heading[:80],
            "paragraphs": [line],
            "children": [],
        }
        while stack and stack[-1][0] >= level:
            stack.pop()
        (stack[-1][1]["children"] if stack else root).append(node)
        stack.append((level, node))
    return root


def find_contacts(body_lines, reply_date, text):
    """Talks with the member the letter mentions ("7月30日…与您进行了电话、微信沟通"); the summary as written."""
    years = [int(y) for y in re.findall(r"((?:19|20)\d{2})\s*年", text)]
    this_year = datetime.date.today().year
    years = [y for y in years if y <= this_year]
    found = {}
    folded = "\n".join(line.text for line in body_lines)
    raw = "\n".join(line.raw for line in body_lines)  # same length: folding is character for character
    start = 0
    for piece in re.split(r"(?<=[。！？])", folded):
        stop = start + len(piece)
        sentence, as_written = piece.strip(), raw[start:stop].strip()
        start = stop
        if not MEMBER_REF_RE.search(sentence):
            continue
        for m in MONTH_DAY_RE.finditer(sentence):
            window = sentence[max(0, m.start() - 10) : m.end() + 40]
            method = next((key for key, regex in CONTACT_WORDS if regex.search(window)), None)
            if not method:
                continue
            month, day = int(m.group(2)), int(m.group(3))
            if m.group(1):
                year, confidence = int(m.group(1)), HIGH
            elif reply_date:
                year = reply_date.year if (month, day) <= (reply_date.month, reply_date.day) else reply_date.year - 1
                confidence = MEDIUM
            elif years:
                year, confidence = max(years), LOW
            else:
                continue
            try:
                date = datetime.date(year, month, day)
            except ValueError:
                continue
            summary = as_written if len(as_written) <= 200 else as_written[:200] + "……"
            contact = {"date": date.isoformat(), "method": method, "summary": summary, "confidence": confidence}
            previous = found.get(contact["date"])
            if previous is None or (previous["method"] == "other" and method != "other"):
                found[contact["date"]] = contact
    return [found[key] for key in sorted(found)]
