"""A document's text as the importer reads it, every character traced back to the original.

Letters copied from portals differ from the printed ones in ways that do not change what they
say: ASCII `: , ( )` for full-width punctuation, spaces between Chinese and digits, traditional
characters, 【】 or [ ] in 文号, HTML tags, paragraphs broken at a page end, and the page's
navigation around the letter. `lines(source)` gives the letter's lines with all of that folded
away for reading (`Line.text`), the same characters as written for keeping (`Line.raw`), and
the offset in `source` of each character (`Line.pos`), so a field can say where it came from.
"""

import html
import re
import unicodedata
from dataclasses import dataclass

from proposals.text import simplified

CJK = r"\u3400-\u9fff\uf900-\ufaff"
CJK_RE = re.compile(f"[{CJK}]")
# Characters that count as "Chinese text" around a punctuation mark or a space.
WIDE = f"{CJK}\u3000-\u303f\uff00-\uffef\u2018-\u201f\u2026\u2014"
FOLD_PUNCT = {":": "：", ",": "，", ";": "；", "(": "（", ")": "）", "!": "！", "?": "？"}
EXTRA_FOLD = {"﹝": "〔", "﹞": "〕", "\u3000": " ", "\xa0": " "}

# Lines of a web page around the letter: navigation, counters, sharing, print/close buttons.
CHROME_RE = re.compile(
    r"^(?:扫一扫在手机(?:上)?打开当前页|扫一扫|手机扫一扫|内容纠错|我要纠错|打印本页|打印|【?打印(?:本页)?】?|关闭窗口|【?关闭(?:窗口)?】?|"
    r"收藏|【?收藏】?|返回顶部|分享到[:：]?.*|.*字[号体]\s*[:：]?\s*[【\[]?\s*大\s*[】\]]?\s*[【\[]?\s*中.*小.*|"
    r"当前位置[:：].*|您现在的位置[:：].*|首页\s*[>＞›»/].*|.*[>＞›»]\s*(?:正文|详情)$|"
    r".*(?:版权所有|Copyright|©|ICP备|网站标识码|公网安备|技术支持[:：]|主办单位[:：].*承办).*|"
    r".*转载.*(?:侵权|联系删除|注明出处).*|本文由转载于.*|(?:浏览|阅读|点击)(?:次数|量)?[:：]\s*\d*.*|访问量[:：].*|"
    r"上一篇[:：]?.*|(?:责任编辑|编辑|审核|校对)[:：].{0,10}|下一篇[:：]?.*|相关链接.*|相关阅读.*|附件下载[:：]?$|【?(?:打印|关闭|返回)[】\]]?\s*【?(?:打印|关闭|返回)?[】\]]?.*|"
    r".*(?:发布时间|发布日期|信息来源|来源|作者|浏览次数|字号)[:：].*(?:来源|浏览|次数|字号|作者|点击)[:：]?.*)$",
    re.IGNORECASE,
)
# A page's "发布时间：2023-06-01 来源：本网 浏览次数：12" line: kept out of the letter, its date noted.
PAGE_DATE_RE = re.compile(r"(?:发布时间|发布日期)[:：]\s*(\d{4}[-./年]\d{1,2}[-./月]\d{1,2})")
MARKER_RE = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}\s*[、，.．]|第[一二三四五六七八九十]{1,3}\s*[、，,．：:]|[（(]\s*[一二三四五六七八九十\d]{1,3}\s*[)）]|"
    r"\d{1,2}\s*(?:[、，．]|\.(?!\d))|[①②③④⑤⑥⑦⑧⑨⑩]|[一二三四五六七八九十]是)"
)
TAIL_START_RE = re.compile(
    r"^(?:联\s*系|电\s*话|抄\s*送|附\s*件|签发人|[（(]?此件|答复类别|办复类别|办理结果|\d{4}\s*年|[〇零○O一二]{4}年)"
)
LABEL_RE = re.compile(r"^[^，。；！？]{1,10}：")
SENTENCE_END = "。！？；：…"
CLOSE_QUOTES = "”’」』"


@dataclass
class Line:
    text: str  # folded for reading
    raw: str  # as written (tags stripped, spaces tidied)
    pos: list  # offset in the source of each character

    def span(self, start=0, end=None):
        """The (start, end) offsets in the source of text[start:end]."""
        end = len(self.text) if end is None else end
        if end <= start:
            return None
        return (self.pos[start], self.pos[end - 1] + 1)

    def __str__(self):
        return self.text


@dataclass
class Reading:
    lines: list  # the letter's lines, chrome removed, broken paragraphs rejoined
    chrome: list  # the page furniture that was removed (Line objects)
    page_date: tuple | None  # (text, span) of a page's 发布时间, if any


def _substitute(chars, pos, pattern, replace):
    """Regex substitution on a string whose characters carry positions; replacements keep the match's."""
    out, out_pos, last = [], [], 0
    for m in pattern.finditer(chars):
        out.append(chars[last : m.start()])
        out_pos.extend(pos[last : m.start()])
        new = replace(m) if callable(replace) else replace
        if len(new) == m.end() - m.start():
            out_pos.extend(pos[m.start() : m.end()])
        else:
            out_pos.extend([pos[m.start()]] * len(new))
        out.append(new)
        last = m.end()
    out.append(chars[last:])
    out_pos.extend(pos[last:])
    return "".join(out), out_pos


CHECKBOX_RE = re.compile(r"<input\b[^<>]{0,300}type=[\"']?checkbox[^<>]{0,300}>", re.IGNORECASE)
TAG_RE = re.compile(r"</?[a-zA-Z][^<>]{0,500}>")
ENTITY_RE = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});")
SPACE_RUN_RE = re.compile(r"[ \t\u3000\xa0\u2002-\u200b\ufeff]+")
# One space between Chinese and a digit or Latin letter ("全市 4300 公里", "第 12 号") is a
# typesetting habit, not a separator; two or more spaces separate columns and stay (as one).
CJK_DIGIT_SPACE_RE = re.compile(f"(?<=[{WIDE}]) (?=[0-9A-Za-z%])|(?<=[0-9A-Za-z%]) (?=[{WIDE}])")


def _one_space(m):
    run = m.group()
    return "\t" if "\t" in run else ("  " if len(run) > 1 else " ")


def _tidy(chars, pos):
    # A web form's tick boxes keep their state as ☑/☐ (the feedback form reads them).
    chars, pos = _substitute(chars, pos, CHECKBOX_RE, lambda m: "☑" if re.search(r"\bchecked\b", m.group()) else "☐")
    chars, pos = _substitute(chars, pos, TAG_RE, " ")
    chars, pos = _substitute(chars, pos, ENTITY_RE, lambda m: html.unescape(m.group()))
    chars, pos = _substitute(chars, pos, SPACE_RUN_RE, _one_space)
    chars, pos = _substitute(chars, pos, CJK_DIGIT_SPACE_RE, "")
    start, end = 0, len(chars)
    while start < end and chars[start] in " \t":
        start += 1
    while end > start and chars[end - 1] in " \t":
        end -= 1
    return chars[start:end], pos[start:end]


def _fold_char(ch):
    if "\uff01" <= ch <= "\uff5e":
        ch = unicodedata.normalize("NFKC", ch)
    return EXTRA_FOLD.get(ch, ch)


def _ascii(ch):
    return ch is not None and " " < ch < "\x7f"


def fold(raw):
    """Full-width letters/digits to ASCII, punctuation in Chinese text to full-width, simplified characters."""
    chars = [_fold_char(ch) for ch in simplified(raw)]
    for i, ch in enumerate(chars):
        if ch not in FOLD_PUNCT:
            continue
        before = next((c for c in reversed(chars[:i]) if c != " "), None)
        after = next((c for c in chars[i + 1 :] if c != " "), None)
        # "10:30", "1,000", "Copyright (c)": ASCII on both sides stays ASCII.
        if not (_ascii(before) and _ascii(after)):
            chars[i] = FOLD_PUNCT[ch]
    return "".join(chars)


def _ends_open(text):
    """A line that stops mid-sentence: no full stop (or closing quote after one) at its end."""
    if not text or text[-1] in SENTENCE_END:
        return False
    return not (text[-1] in CLOSE_QUOTES + "）)" and len(text) > 1 and text[-2] in SENTENCE_END)


def _labelled(text):
    """ "发布机构：…", "联系人：…", "程玮委员：": a line that starts with a label or is a salutation."""
    return bool(LABEL_RE.match(text)) or (len(text) < 40 and text.endswith("："))


def _continues(line):
    text = line.text
    if not text or MARKER_RE.match(text) or TAIL_START_RE.match(text) or "\t" in text or _labelled(text):
        return False
    return bool(CJK_RE.match(text) or text[0] in "“‘《0123456789")


def _rejoin(lines):
    """Paragraphs broken by a page end or a hard line wrap, joined again."""
    joined = []
    for line in lines:
        if joined:
            prev = joined[-1]
            long_enough = len(prev.text) >= 40 or (len(prev.text) >= 20 and prev.text[-1] in "，、")
            if long_enough and not _labelled(prev.text) and _ends_open(prev.text) and _continues(line):
                joined[-1] = Line(prev.text + line.text, prev.raw + line.raw, prev.pos + line.pos)
                continue
        joined.append(line)
    return joined


LINE_BREAK_RE = re.compile(r"\r\n|[\n\r\f\v\u2028\u2029\x85]")


def read(source):
    """The letter's lines, page chrome set aside, paragraphs broken by a page end rejoined."""
    lines, chrome, page_date = [], [], None
    start = 0
    breaks = [*LINE_BREAK_RE.finditer(source), None]
    for m in breaks:
        end = m.start() if m else len(source)
        chars, pos = _tidy(source[start:end], list(range(start, end)))
        start = m.end() if m else len(source)
        if not chars.strip():
            continue
        line = Line(fold(chars), chars, pos)
        if CHROME_RE.match(line.text):
            chrome.append(line)
            found = PAGE_DATE_RE.search(line.text)
            if found and page_date is None:
                page_date = (found.group(1), line.span(found.start(1), found.end(1)))
            continue
        lines.append(line)
    return Reading(_rejoin(lines), chrome, page_date)
