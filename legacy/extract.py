"""Read an old reply letter (text or DOCX) and pull out what the records need.

Pure functions: bytes → text (`read_document`), text → `Extraction` (`extract`). Nothing here
touches the database. Every field comes back with a confidence ("high", "medium", "low") or
"missing", so a person reviewing the import knows what to check first.

Written for reply letters in general (版头, 文号, 答复类别 mark, title, 主送, numbered body,
联系人/电话 附注, 落款 and date, a government-portal header, an attached feedback form), not
for the three seed files; see tests/legacy/ for the variants it is tested on.

Layouts it reads (tests/legacy/samples.py and test_extract.py): the three seeds; a letter with
文号 line, "（B类）" mark, "尊敬的…代表：", session words, （1） items, a one-line 附注 and a
Chinese-numeral date; a portal page (info box, breadcrumb, copyright) addressed to 市工商联; a
title wrapped over two lines; a name printed "程 玮"; "第一，" items; organisations and a member
addressed together; "答复类别：B" at the end; a missing colon after the addressee; dotted dates;
HTML paragraphs; a joint reply to two proposals (flagged low).

Known limits: a unit named only as "我局" (no 落款, 版头 or 发布机构) stays missing; a proposal
number without 提案/建议 next to it is not taken (so a cited 惠政办〔2022〕4号 is never mistaken
for one); paragraphs broken by hard line ends are kept as separate lines; scanned PDFs and old
.doc files are refused (save as .docx first).
"""

import datetime
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath

from django.utils.translation import gettext as _

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


@dataclass
class Field:
    value: object = None
    confidence: str = MISSING
    source: str = ""

    def as_json(self):
        if self.confidence == MISSING:
            return {"value": None, "confidence": MISSING}
        data = {"value": self.value, "confidence": self.confidence}
        if self.source:
            data["source"] = self.source
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
    "sections",
    "reply_body",
    "portal_header",
    "contacts",
    "feedback_form",
]


@dataclass
class Extraction:
    fields: dict = field(default_factory=dict)
    refusal: str = ""  # why this is not a reply letter; empty when it is one

    @property
    def is_reply(self):
        return not self.refusal

    def __getitem__(self, name):
        return self.fields.get(name) or Field()

    def value(self, name, default=None):
        f = self[name]
        return default if f.confidence == MISSING else f.value

    def as_json(self):
        return {name: self[name].as_json() for name in FIELD_NAMES}


# --- patterns ---------------------------------------------------------------------------

CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5}
CN_DIGITS.update({"六": 6, "七": 7, "八": 8, "九": 9})
CN_NUM = "一二三四五六七八九十"

FURNITURE = re.compile(
    r"^(扫一扫在手机打开当前页|扫一扫|内容纠错|我要纠错|打印本页|【?打印】?|关闭窗口|【?关闭】?|收藏|分享到[:：]?.*|"
    r"字号[:：]?\s*[【\[]?大.*小.*|当前位置[:：].*|首页\s*[>＞›»].*|.*(版权所有|Copyright|©|ICP备|网站标识码|公网安备|技术支持[:：]).*|"
    r".*转载.*(侵权|联系删除|注明出处).*|本文由转载于.*|浏览次数[:：].*|访问量[:：].*|上一篇[:：].*|下一篇[:：].*|相关链接.*)$",
    re.IGNORECASE,
)
PORTAL_KEYS = [
    "索引号",
    "信息索引号",
    "主题分类",
    "组配分类",
    "发布机构",
    "成文日期",
    "发文日期",
    "发布日期",
    "公开方式",
    "公开范围",
    "发文字号",
    "文号",
    "有效性",
    "标题",
    "名称",
]
PORTAL_KEY_RE = re.compile(r"({})\s*[:：]".format("|".join(sorted(PORTAL_KEYS, key=len, reverse=True))))
DATE_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
CN_DATE_RE = re.compile(
    r"([〇零○Ｏ一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日"
)
ISO_DATE_RE = re.compile(r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})")
DATE_LINE_RE = re.compile(
    r"^(\d{4}[.\-/]\d{1,2}[.\-/]\d{1,2}|\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[〇零○Ｏ一二三四五六七八九]{4}年[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日)$"
)
UNIT_END = r"(局|委员会|委|办公室|办|厅|院|政府|中心|集团|公司|管委会|街道办事处|所|站|队|处|科|会)"
UNIT_LINE_RE = re.compile(r"^[\u4e00-\u9fa5（）()]{3,40}" + UNIT_END + r"$")
RESULT_CLASS_RE = re.compile(r"^(?:答复类别|办理类别|类别)?\s*[:：]?\s*[（(\[【]?\s*([ABCD])\s*类?\s*[)）\]】]?\s*类?$")
NUMBER_RE = re.compile(
    r"((?:委员|代表|政协|人大)?(?:提案|建议))\s*[〔\[［【(（]\s*(\d{4})\s*[〕\]］】)）]\s*(?:第\s*)?(\d{1,5})\s*号"
)
SERIAL_RE = re.compile(r"(?:(提案|建议)\s*)?第\s*(\d{1,5})\s*号\s*(提案|建议)?")
DOC_NUMBER_RE = re.compile(r"^([\u4e00-\u9fa5]{1,10})\s*[〔\[［【]\s*(\d{4})\s*[〕\]］】]\s*(\d{1,5})\s*号$")
SESSION_RE = re.compile(
    r"((?:[\u4e00-\u9fa5]{0,8}?[省市区县州旗])?(?:政协|人大|人民代表大会)?第?[一二三四五六七八九十]{1,3}届"
    r"(?:人民代表大会|人大|政协|委员会)?第?[一二三四五六七八九十]{1,3}次(?:全体)?会议)"
)
CONTACT_PERSON_RE = re.compile(r"联\s*系\s*人\s*[:：]\s*([\u4e00-\u9fa5·]{2,6}?)(?=[\s，,；;。（(]|电话|联系|$)")
CONTACT_PHONE_RE = re.compile(r"(?:联系)?电\s*话\s*[:：]\s*([0-9０-９][0-9０-９\-－—()（）\s]{4,24}[0-9０-９])")
REPLY_WORDS_RE = re.compile(r"答复|办复|复函|回复")
STRONG_REPLY_RE = re.compile(r"答复如下|现答复|特此答复|收悉|专此函复|此复")
ADDRESSED_RE = re.compile(r"(您|你们|你|贵单位|贵会|贵党派)(?:所|们)?(?:提出|领衔提出|联名提出)的")
REPORT_RE = re.compile(r"常委会|工作报告|情况的报告|的报告$|报告如下")
NEWS_RE = re.compile(r"来源[:：]|记者|责任编辑|编辑[:：]|通讯员|新闻|讯[（(]|发布时间[:：]")
ORG_WORDS_RE = re.compile(
    r"工商联|民革|民盟|民建|民进|农工党|致公党|九三学社|台盟|委员会|协会|商会|联合会|界别|小组|党派|支部|妇联|总工会|科协|侨联|台联|团[市区县]委|代表团"
)
AUDIENCE_RE = re.compile(r"各位|主任|秘书长|常委会|同志们")
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


def cn_number(text):
    """一 → 1, 十二 → 12, 二十 → 20 (small numbers as used in headings and dates)."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _ten, units = text.partition("十")
        return (CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (CN_DIGITS.get(units, 0) if units else 0)
    value = 0
    for ch in text:
        value = value * 10 + CN_DIGITS.get(ch, 0)
    return value


def parse_date(text):
    """The first date written in `text` (2021年9月6日, 二〇二一年九月六日, 2021-09-06), or None."""
    for regex, convert in ((DATE_RE, int), (CN_DATE_RE, cn_number), (ISO_DATE_RE, int)):
        m = regex.search(text)
        if m:
            try:
                return datetime.date(*(convert(g) for g in m.groups()))
            except ValueError:
                continue
    return None


def strip_tags(text):
    return re.sub(r"<[^>]+>", " ", text)


def clean_line(line):
    line = line.replace("\u3000", " ").replace("\xa0", " ")
    return re.sub(r"[ \t]+", lambda m: "\t" if "\t" in m.group() else " ", line).strip()


# --- extraction -------------------------------------------------------------------------


def extract(text):
    """Everything a reply letter says about itself, field by field."""
    raw_lines = [clean_line(line) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines = [line for line in raw_lines if line and not FURNITURE.match(strip_tags(line).strip())]
    result = Extraction()
    f = result.fields

    form_lines, lines = split_feedback_form(lines)
    form = parse_feedback_form(form_lines) if form_lines else None
    if form:
        f["feedback_form"] = Field(form, HIGH if not form["conflicts"] else MEDIUM, "征询意见表")

    header, lines = split_portal_header(lines)
    if header:
        f["portal_header"] = Field(header, HIGH, "网站信息栏")
    lines = [strip_tags(line).strip() for line in lines]
    lines = [line for line in lines if line]
    letter = parse_letter(lines)

    # Addressees and which body they belong to.
    if letter["addressee_line"]:
        f["addressees"] = Field(parse_addressees(letter["addressee_line"]), HIGH, "主送行")
    elif form and form.get("member"):
        names = [form["member"]]
        f["addressees"] = Field(
            {"line": form["member"], "kind": "", "people": [{"name": n, "kind": ""} for n in names]},
            MEDIUM,
            "征询意见表",
        )
    full_text = "\n".join(lines)
    f["body"] = guess_body(result, full_text)

    refusal = refusal_reason(lines, letter, full_text, result)
    if refusal:
        result.refusal = refusal
        return result

    if letter["title"]:
        f["reply_title"] = Field(letter["title"], HIGH, "标题行")
    if letter["doc_number"]:
        f["doc_number"] = Field(letter["doc_number"], HIGH, "文号行")
    if letter["result_class"]:
        f["result_class"] = Field(letter["result_class"], HIGH, "类别标记")

    f["proposal_title"] = find_title(full_text, letter["title"], form)
    f["proposal_number"] = find_number(full_text, form)
    # "贵单位在市政协五届二次会议上" → "市政协五届二次会议": cut what precedes the place name.
    sessions = [re.split(r"[在于对据经按从向将的和与及]", m)[-1] for m in SESSION_RE.findall(full_text)]
    if sessions:
        f["session"] = Field(sessions[0], HIGH if len(set(sessions)) == 1 else MEDIUM, "正文")

    f["unit"] = find_unit(letter, header, form)
    if letter["date"]:
        f["reply_date"] = Field(letter["date"].isoformat(), HIGH, "落款日期")
    elif header and parse_date(header.get("成文日期", "") or header.get("发文日期", "")):
        f["reply_date"] = Field(
            parse_date(header.get("成文日期") or header.get("发文日期")).isoformat(), MEDIUM, "网站信息栏"
        )

    person = letter["contact_person"] or _search(CONTACT_PERSON_RE, full_text)
    phone = letter["contact_phone"] or _search(CONTACT_PHONE_RE, full_text)
    if person:
        f["contact_person"] = Field(person, HIGH if letter["contact_person"] else MEDIUM, "附注")
    if phone:
        f["contact_phone"] = Field(re.sub(r"\s+", "", phone), HIGH if letter["contact_phone"] else MEDIUM, "附注")

    body_lines = letter["body"]
    f["reply_body"] = Field("\n".join(body_lines), HIGH if letter["addressee_line"] else MEDIUM, "正文")
    sections = parse_sections(body_lines)
    if sections:
        f["sections"] = Field(sections, HIGH, "正文")
    reply_date = result.value("reply_date")
    contacts = find_contacts(body_lines, datetime.date.fromisoformat(reply_date) if reply_date else None, full_text)
    if contacts:
        f["contacts"] = Field(contacts, min((c["confidence"] for c in contacts), key=CONFIDENCE_ORDER.index), "正文")
    return result


CONFIDENCE_ORDER = [LOW, MEDIUM, HIGH]


def _search(regex, text):
    m = regex.search(text)
    return m.group(1).strip() if m else ""


def split_feedback_form(lines):
    """The embedded 征询意见表 (as a block of lines) and the rest of the document."""
    marks = [i for i, line in enumerate(lines) if FORM_LINE_RE.search(line)]
    if len(marks) < 3:
        return [], lines
    start, end = marks[0], marks[-1]
    # The footnote ("注: 请各单位…附上此表…") belongs to the form.
    if end + 1 < len(lines) and re.match(r"^注\s*[:：]", lines[end + 1]) and "此表" in lines[end + 1]:
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


def split_portal_header(lines):
    """Fields of a government portal's info box (索引号, 成文日期, …) and the lines left."""
    header, rest = {}, []
    for line in lines:
        keys = list(PORTAL_KEY_RE.finditer(line))
        limit = 40 if line.startswith("文号") else 200  # "文号：…" alone on a short line
        if keys and keys[0].start() == 0 and len(line) < limit:
            for i, key in enumerate(keys):
                end = keys[i + 1].start() if i + 1 < len(keys) else len(line)
                value = line[key.end() : end].strip(" \t|｜;；")
                name = "索引号" if key.group(1) == "信息索引号" else key.group(1)
                if value:
                    header[name] = value
            continue
        rest.append(line)
    # Only a real info box counts: a letter with a stray "标题：" line is not a portal page.
    if len(header) < 2:
        return {}, lines
    return header, rest


def parse_letter(lines):
    """The parts of a reply letter by position: head (版头/文号/类别/标题), 主送, body, 附注 and 落款."""
    letter = {
        "letterhead": "",
        "doc_number": "",
        "result_class": "",
        "title": "",
        "addressee_line": "",
        "body": [],
        "closing": "",
        "date": None,
        "contact_person": "",
        "contact_phone": "",
        "cc": "",
    }
    addressee_at = None
    for i, line in enumerate(lines[:12]):
        if looks_like_addressee(line):
            addressee_at = i
            letter["addressee_line"] = re.sub(r"^尊敬的", "", line.rstrip("：:").strip())
            break
    head_end = addressee_at if addressee_at is not None else 0
    if addressee_at is None:
        # No 主送: the head ends at the first paragraph that reads like the letter itself.
        for i, line in enumerate(lines[:8]):
            if ADDRESSED_RE.search(line) or len(line) > 40:
                head_end = i
                break
    for i, line in enumerate(lines[:head_end]):
        if RESULT_CLASS_RE.match(line):
            letter["result_class"] = RESULT_CLASS_RE.match(line).group(1)
        elif DOC_NUMBER_RE.match(line):
            m = DOC_NUMBER_RE.match(line)
            letter["doc_number"] = "{}〔{}〕{}号".format(*m.groups())
        elif REPLY_WORDS_RE.search(line) and not letter["title"]:
            letter["title"] = line
            # A long title wraps: "关于对市政协十三届五次会议" / "第58号提案的答复".
            before = lines[i - 1] if i > 0 else ""
            if before.startswith("关于") and not REPLY_WORDS_RE.search(before) and len(before) < 40:
                letter["title"] = before + line
                if letter["letterhead"] == before:
                    letter["letterhead"] = ""
        elif UNIT_LINE_RE.match(line) and not letter["letterhead"] and not letter["title"]:
            letter["letterhead"] = re.sub(r"(文件|函|便函)$", "", line)
    body_start = addressee_at + 1 if addressee_at is not None else head_end

    # The tail, read backwards: date, 落款, 联系人/电话, 抄送 — until the body begins.
    end = len(lines)
    i = len(lines) - 1
    while i >= body_start and len(lines) - i <= 10:
        line = lines[i]
        date = parse_date(line) if DATE_LINE_RE.match(line) or (len(line) < 40 and DATE_RE.search(line)) else None
        person = CONTACT_PERSON_RE.search(line)
        phone = CONTACT_PHONE_RE.search(line)
        if (
            date
            and not letter["date"]
            and (DATE_LINE_RE.match(line) or UNIT_LINE_RE.match(DATE_RE.sub("", line).strip()))
        ):
            letter["date"] = date
            rest = DATE_RE.sub("", line).strip()
            if rest and UNIT_LINE_RE.match(rest):
                letter["closing"] = rest
        elif (person or phone) and len(line) < 80:
            letter["contact_person"] = letter["contact_person"] or (person.group(1) if person else "")
            letter["contact_phone"] = letter["contact_phone"] or (re.sub(r"\s", "", phone.group(1)) if phone else "")
        elif line.startswith("抄送"):
            letter["cc"] = line.split("：", 1)[-1].split(":", 1)[-1].strip()
        elif UNIT_LINE_RE.match(re.sub(r"[（(]?盖章[)）]?", "", line)) and not letter["closing"]:
            letter["closing"] = re.sub(r"[（(]?盖章[)）]?", "", line)
        elif re.fullmatch(r"[（(](此件|本件)[^)）]*[)）]", line) or RESULT_CLASS_RE.match(line):
            if RESULT_CLASS_RE.match(line) and not letter["result_class"]:
                letter["result_class"] = RESULT_CLASS_RE.match(line).group(1)
        else:
            break
        end = i
        i -= 1
    letter["body"] = lines[body_start:end]
    return letter


def looks_like_addressee(line):
    if re.fullmatch(r"(尊敬的)?[\u4e00-\u9fa5、，, ]{2,60}(委员|代表)", line):
        return True  # "孙磊委员" on its own line, the colon forgotten
    if not re.search(r"[：:]$", line) or len(line) > 120:
        return False
    if PORTAL_KEY_RE.match(line) or re.match(r"^(联系人|联系电话|电话|抄送|附件|注|对办理情况的意见)", line):
        return False
    name_part = re.sub(r"^尊敬的", "", line.rstrip("：:"))
    return not re.search(r"[，,。；;！？“”《》]", name_part) and not re.match(
        r"^[一二三四五六七八九十\d（(]", name_part
    )


def parse_addressees(line):
    """'程玮、王秋红委员' → each person with their kind (委员/代表/organisation)."""
    people = []
    kind_of_line = ""
    m = re.search(r"(委员|代表)(同志)?$", line)
    if m:
        kind_of_line = m.group(1)
    parts = []
    for chunk in re.split(r"[、，,；;]+", line):
        pieces = chunk.split()
        # "程 玮委员": a two-character name printed with a space; "程玮 王秋红委员": two names.
        if len(pieces) > 1 and all(len(re.sub(r"(委员|代表|同志)$", "", p)) == 1 for p in pieces[:-1]):
            pieces = ["".join(pieces)]
        parts.extend(p for p in pieces if p)
    for part in parts:
        suffix = re.search(r"(委员|代表)(同志)?$", part)
        name = part[: suffix.start()] if suffix else re.sub(r"同志$", "", part)
        if not name:
            continue
        if ORG_WORDS_RE.search(name) or (len(name) > 4 and not suffix):
            kind = "organisation"
        else:
            kind = suffix.group(1) if suffix else kind_of_line
        people.append({"name": name, "kind": kind})
    # Names listed before the one carrying the suffix share it ("程玮、王秋红委员").
    kinds = {p["kind"] for p in people if p["kind"] != "organisation"}
    return {"line": line, "kind": kind_of_line or (kinds.pop() if len(kinds) == 1 else ""), "people": people}


def guess_body(result, text):
    people = result.value("addressees", {}) or {}
    kinds = {p["kind"] for p in people.get("people", [])}
    if "委员" in kinds and "代表" not in kinds:
        return Field("cppcc", HIGH, "主送行")
    if "代表" in kinds and "委员" not in kinds:
        return Field("npc", HIGH, "主送行")
    m = NUMBER_RE.search(text)
    if m:
        return Field("cppcc" if "提案" in m.group(1) else "npc", HIGH, "编号")
    if "提案" in text or "政协" in text:
        return Field("cppcc", MEDIUM, "正文")
    if "代表" in text or "人大" in text:
        return Field("npc", MEDIUM, "正文")
    return Field()


def refusal_reason(lines, letter, text, result):
    """Why this document is not a reply letter, in Chinese; empty when it is one."""
    addressee = letter["addressee_line"]
    audience = bool(addressee and AUDIENCE_RE.search(addressee))
    named = bool(addressee) and not audience
    addressed = named or bool(ADDRESSED_RE.search(text))
    strong = bool(STRONG_REPLY_RE.search(text))
    head = "\n".join(lines[:6])
    if addressed and strong and not audience:
        return ""
    reasons = []
    if audience or REPORT_RE.search(head):
        why = _("开头称呼“%(addressee)s”") % {"addressee": addressee} if audience else _("标题或开头有“报告”“常委会”")
        reasons.append(_("它像是一份工作报告（%(why)s），不是写给代表委员的答复") % {"why": why})
    elif NEWS_RE.search(head) or NEWS_RE.search(text[-400:]):
        reasons.append(_("它像是一篇新闻网页（有“来源”“记者”“编辑”等字样），不是答复函"))
    if not named:
        reasons.append(_("没有主送行（如“程玮委员：”）"))
    if not REPLY_WORDS_RE.search(text):
        reasons.append(_("全文没有“答复”字样"))
    elif not strong:
        reasons.append(_("没有“现答复如下”“……收悉”这类答复用语"))
    if not ADDRESSED_RE.search(text) and not named:
        reasons.append(_("也没有“您提出的……”这样对代表委员说的话"))
    return _("这不是答复函，未导入：%(reasons)s。") % {"reasons": "；".join(reasons)}


def find_title(text, reply_title, form):
    if form and form.get("proposal_title"):
        return Field(form["proposal_title"], HIGH, "征询意见表")
    m = re.search(r"提出的\s*《([^》]{4,120})》", text)
    if m:
        return Field(m.group(1), HIGH, "正文")
    m = re.search(r"提出的\s*“(关于[^”]{2,120})”", text)
    if m:
        return Field(m.group(1), HIGH, "正文")
    m = re.search(
        r"提出的\s*(关于[^，,。；;（(]{2,120}?(?:提案|建议|议案))(?:[（(][^)）]*[)）])?\s*(?:已?收悉|，|,|。)", text
    )
    if m:
        return Field(m.group(1), HIGH if "的" in m.group(1)[-4:] else MEDIUM, "正文")
    if reply_title:
        m = re.search(r"《([^》]{4,120})》", reply_title)
        if m:
            return Field(m.group(1), MEDIUM, "标题行")
        m = re.match(r"^关于(?:对)?(.{4,120}?)的?(?:答复|复函)(?:函)?$", reply_title)
        if m:
            title = m.group(1)
            return Field(title if title.startswith("关于") else "关于" + title, LOW, "标题行")
    return Field()


def normalise_number(prefix, year, serial):
    return f"{prefix}〔{year}〕{int(serial)}号"


def find_number(text, form):
    found = [
        (m.group(0), normalise_number(m.group(1), m.group(2), m.group(3)), int(m.group(2)), int(m.group(3)))
        for m in NUMBER_RE.finditer(text)
    ]
    if form and form.get("proposal_number"):
        m = NUMBER_RE.search(form["proposal_number"])
        if m:
            found.insert(0, (form["proposal_number"], normalise_number(*m.groups()), int(m.group(2)), int(m.group(3))))
    if found:
        printed, normal, year, serial = found[0]
        agree = all(item[1] == normal for item in found)
        value = {"printed": printed, "normalized": normal, "year": year, "serial": serial}
        if not agree:
            value["variants"] = sorted({item[1] for item in found})
        return Field(value, HIGH if agree else LOW, "征询意见表" if form and form.get("proposal_number") else "正文")
    for m in SERIAL_RE.finditer(text):
        if m.group(1) or m.group(3):
            # "第12号、第15号提案": a joint reply answers several; take the first, flag the rest.
            nearby = re.findall(r"第\s*(\d{1,5})\s*号", text[max(0, m.start() - 30) : m.end()])
            serials = list(dict.fromkeys(int(n) for n in nearby))
            if len(serials) > 1:
                return Field(
                    {
                        "printed": "、".join(f"第{n}号" for n in serials),
                        "normalized": f"第{serials[0]}号",
                        "year": None,
                        "serial": serials[0],
                        "variants": [f"第{n}号" for n in serials],
                    },
                    LOW,
                    "正文",
                )
            serial = int(m.group(2))
            return Field(
                {"printed": m.group(0).strip(), "normalized": f"第{serial}号", "year": None, "serial": serial},
                MEDIUM,
                "正文",
            )
    return Field()


def unit_name_from_closing(closing):
    """'黄石市经济和信息化局办公室' → '黄石市经济和信息化局': a unit's office signs for the unit."""
    m = re.match(r"^(.{3,}(?:局|委员会|委|厅|政府))办公室$", closing)
    return m.group(1) if m else closing


def find_unit(letter, header, form):
    closing = letter["closing"]
    letterhead = letter["letterhead"]
    publisher = (header or {}).get("发布机构", "")
    short = (form or {}).get("unit", "")
    name, confidence, source = "", MISSING, ""
    if closing:
        name, confidence, source = unit_name_from_closing(closing), MEDIUM, "落款"
    if letterhead:
        if name and (letterhead.endswith(name) or name.endswith(letterhead)):
            confidence, source = HIGH, "落款与版头"
        elif not name:
            name, confidence, source = re.sub(r"^[\u4e00-\u9fa5]{2,3}省(?=.{4,})", "", letterhead), MEDIUM, "版头"
    if publisher:
        if not name:
            name, confidence, source = publisher, MEDIUM, "发布机构"
        elif publisher == name:
            confidence = HIGH
    if not name:
        return (
            Field({"name": "", "short_name": short, "letterhead": "", "closing": ""}, LOW, "征询意见表")
            if short
            else Field()
        )
    return Field({"name": name, "short_name": short, "letterhead": letterhead, "closing": closing}, confidence, source)


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
    """Talks with the member the letter mentions ("7月30日…与您进行了电话、微信沟通")."""
    years = [int(y) for y in re.findall(r"((?:19|20)\d{2})\s*年", text)]
    this_year = datetime.date.today().year
    years = [y for y in years if y <= this_year]
    found = {}
    for sentence in re.split(r"(?<=[。！？!?])", "\n".join(body_lines)):
        sentence = sentence.strip()
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
            summary = sentence if len(sentence) <= 200 else sentence[:200] + "……"
            contact = {"date": date.isoformat(), "method": method, "summary": summary, "confidence": confidence}
            previous = found.get(contact["date"])
            if previous is None or (previous["method"] == "other" and method != "other"):
                found[contact["date"]] = contact
    return [found[key] for key in sorted(found)]
