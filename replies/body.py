"""The body of a reply letter as paragraphs with levels, and the normalisation of incoming text.

A body is a list of paragraphs, each a dict `{"level", "heading", "text"}`:

- `h1`: 一、… (黑体); `h2`: （一）… (楷体); `h3`: 1. … (仿宋, its lead-in bold); `p`: a plain paragraph.
- `heading` is the part printed in the level's face: the whole line of a heading on its own
  (“一、支持企业转型”), or the lead-in of a paragraph that runs on after it
  (“1、淘汰落后产能提质。” then the text in the body face). Empty for a plain paragraph.
- `text` is the rest of the paragraph, in the body face.

The web view, the PDF and the DOCX all print from this one structure; no markup is ever
stored in it (the `**…**` of copied letters becomes a bold lead-in). `plain_text()` gives the
one-line-per-paragraph rendition kept for search and history.

Text entering the system (drafts, the legacy import, the demo seeds) goes through
`normalise()`: no spaces between Chinese and digits or Latin letters, full-width punctuation
in Chinese text, and paragraphs that an old page break split in two joined again.
"""

import re

from django.utils.translation import gettext_lazy as _

H1, H2, H3, P = "h1", "h2", "h3", "p"
LEVELS = (H1, H2, H3, P)
# What the clerk picks for a paragraph (the drafting page's level selector).
LEVEL_CHOICES = (
    (P, _("正文")),
    (H1, _("一级标题：一、（黑体）")),
    (H2, _("二级标题：（一）（楷体）")),
    (H3, _("三级标题：1. 加粗引语（仿宋）")),
)
# Bounds of the posted list: paragraphs in a letter, characters in a heading and in a paragraph.
MAX_PARAGRAPHS = 200
HEADING_LENGTH = 100
TEXT_LENGTH = 5_000

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Full-width punctuation and quotes that count as Chinese for the spacing rules.
CJK_PUNCT = "，。、；：？！“”‘’（）《》〈〉【】〔〕…—·"
HAN = f"[{CJK}{CJK_PUNCT}]"

CN_NUMBER = "一二三四五六七八九十百"
H1_START = re.compile(rf"^[{CN_NUMBER}]+、")
H2_START = re.compile(rf"^（[{CN_NUMBER}]+）")
H3_START = re.compile(r"^\d{1,2}[、.．](?!\d)")
# A lead-in: the first sentence of a numbered paragraph, when it is short.
LEAD_IN = re.compile(r"^(.{2,40}?[。：])(?=.)")
BOLD = re.compile(r"\*\*(.+?)\*\*")
# The end of a sentence: a paragraph that does not end so was cut by a page break.
SENTENCE_END = tuple("。！？；：）》…")
HEADING_MAX = 40


def paragraph(level, heading="", text=""):
    return {"level": level, "heading": heading, "text": text}


# --- normalising text ---------------------------------------------------------------------

_SPACE_AFTER_HAN = re.compile(rf"(?<={HAN})[ \t\u00a0\u3000]+(?=[0-9A-Za-z%])")
_SPACE_BEFORE_HAN = re.compile(rf"(?<=[0-9A-Za-z%.])[ \t\u00a0\u3000]+(?={HAN})")
_SPACE_BETWEEN_HAN = re.compile(rf"(?<={HAN})[ \t\u00a0]+(?={HAN})")
_HALF_PUNCT = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！"}
_PUNCT_NEAR_HAN = re.compile(rf"(?<={HAN})[,:;?!]|[,:;?!](?={HAN})")
_PARENS = re.compile(r"\(([^()]*)\)")
_YEAR_BRACKETS = re.compile(rf"(?<=[{CJK}])\[(\d{{4}})\](?=\d)")


def normalise_line(line):
    """One paragraph's text as Chinese documents write it."""
    line = line.strip().replace("\u3000", " ")
    line = _SPACE_AFTER_HAN.sub("", line)
    line = _SPACE_BEFORE_HAN.sub("", line)
    line = _SPACE_BETWEEN_HAN.sub("", line)
    line = _PUNCT_NEAR_HAN.sub(lambda m: _HALF_PUNCT[m.group(0)], line)
    line = _PARENS.sub(_full_width_parens, line)
    line = _YEAR_BRACKETS.sub(r"〔\1〕", line)
    return line


def _full_width_parens(match):
    inner = match.group(1)
    if re.search(f"[{CJK}]", inner) or re.fullmatch(rf"[{CN_NUMBER}]+", inner):
        return f"（{inner}）"
    return match.group(0)


# --- text → structure ----------------------------------------------------------------------


def classify(line):
    """The paragraph of one normalised line: its level, its heading part and the rest."""
    bold = BOLD.match(line)
    if bold:  # a bold run-in heading of a copied letter: **破解用地难方面**，上半年…
        return paragraph(H3, bold.group(1), BOLD.sub(r"\1", line[bold.end() :]))
    line = BOLD.sub(r"\1", line)
    for level, start in ((H1, H1_START), (H2, H2_START), (H3, H3_START)):
        if not start.match(line):
            continue
        if len(line) <= HEADING_MAX and not line.endswith("。"):
            return paragraph(level, line)
        lead = LEAD_IN.match(line)
        if lead:
            return paragraph(level, lead.group(1), line[lead.end() :])
        return paragraph(P, "", line) if level == H3 else paragraph(level, line)
    return paragraph(P, "", line)


def _split_bold_runs(line):
    """A line with **bold** runs inside is several paragraphs, each run starting one."""
    starts = [m.start() for m in BOLD.finditer(line) if m.start() > 0]
    if not starts:
        return [line]
    pieces, previous = [], 0
    for start in starts:
        pieces.append(line[previous:start])
        previous = start
    pieces.append(line[previous:])
    return [piece.strip() for piece in pieces if piece.strip()]


def paragraphs_from_text(text, previous=()):
    """The structure of a body written one paragraph a line (today's text bodies, imports, seeds).

    A paragraph whose text is unchanged from `previous` (the structure before an edit) keeps its
    level and heading as they were; the others are read from their numbering.
    """
    kept = {p["heading"] + p["text"]: p for p in previous or ()}
    lines = [normalise_line(line) for line in str(text).splitlines()]
    lines = [line for line in lines if line]
    result = []
    for line in lines:
        if BOLD.sub(r"\1", line) in kept:
            result.append(dict(kept[BOLD.sub(r"\1", line)]))
            continue
        for piece in _split_bold_runs(line):
            current = classify(piece)
            if result and _continues(result[-1], current):
                result[-1]["text"] += current["text"]
            else:
                result.append(current)
    return result


def _continues(previous, current):
    """Whether `current` is the rest of `previous`, cut off by a page break in the source."""
    if current["level"] != P or current["heading"]:
        return False
    if previous["level"] != P and not previous["text"]:
        return False  # a heading on its own line
    return not _ends_sentence(previous["heading"] + previous["text"])


def _ends_sentence(text):
    if text.endswith(("”", "’")):  # a quotation ends a sentence only with its own 。！？ inside
        return text[-2:-1] in ("。", "！", "？")
    return text.endswith(SENTENCE_END)


def normalise(paragraphs):
    """A structure as stored: known levels, normalised text, no empty paragraphs."""
    result = []
    for item in paragraphs or ():
        level = item.get("level") if item.get("level") in LEVELS else P
        heading = normalise_line(str(item.get("heading", "")))
        text = normalise_line(str(item.get("text", "")))
        if level == P and heading:
            heading, text = "", heading + text
        if heading or text:
            result.append(paragraph(level, heading, text))
    return result


def plain_text(paragraphs):
    """One paragraph a line: the rendition kept for search and history."""
    return "\n".join(p["heading"] + p["text"] for p in paragraphs)


def paragraphs_of(reply):
    """The stored structure of a reply's body (read from its text for a row that has none yet)."""
    return normalise(reply.body_paragraphs) or paragraphs_from_text(reply.body)
