"""What a reply letter prints, as the data the Typst template reads (printing/typst/letter.typ).

Built from the records only. The title is broken into lines between words (a Chinese word
segmenter, rjieba) in a balanced shape; the addressee line into names that are never split;
the body is the reply's paragraph structure (replies/body.py).
"""

import contextlib
import io
import json
import logging
import math
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from proposals.i18n import in_chinese
from replies import body

from . import typesetting
from .templatetags.printing import cn_date

logger = logging.getLogger(__name__)

TEMPLATE = "letter.typ"
# 二号 (22 pt) characters that fit the 156 mm line, with a little air on both sides.
TITLE_MAX = 20
OPENING = "（《“‘〔【〈"
CLOSING = "）》”’〕】〉，。、；：？！"
# The extra cost of a break inside a book title or quotation (《…》, “…”).
INSIDE_QUOTE_COST = 30.0


def text_width(text):
    """Width in em: Chinese characters and full-width punctuation 1, digits and Latin letters half."""
    return sum(0.5 if ord(char) < 0x2E80 and char not in "—…“”‘’" else 1.0 for char in text)


def _words(text):
    """The title's words, with opening punctuation kept on the next word and closing on the previous."""
    import rjieba

    words: list[str] = []
    pending = ""
    for word in rjieba.cut(text):
        if word and all(char in OPENING for char in word):
            pending += word
        elif word and all(char in CLOSING for char in word) and words:
            words[-1] += word
        else:
            words.append(pending + word)
            pending = ""
    if pending:
        words.append(pending)
    return words


def title_lines(title, max_width=TITLE_MAX):
    """The title broken between words into as few lines as fit, as even as possible, longer lines first."""
    title = title.strip()
    if text_width(title) <= max_width:
        return [title]
    words = _words(title)
    depth, inside = 0, []
    for word in words:  # whether a break after this word falls inside 《…》 or “…”
        depth += sum(word.count(c) for c in "《“") - sum(word.count(c) for c in "》”")
        inside.append(depth > 0)
    count = math.ceil(text_width(title) / max_width)
    while count <= len(words):
        best = _best_breaks(words, inside, count, max_width)
        if best is not None:
            return best
        count += 1
    return [title]


def _best_breaks(words, inside, count, max_width):
    """The lines of the cheapest way to cut `words` into `count` lines no wider than `max_width`."""
    widths = [text_width(w) for w in words]
    target = sum(widths) / count
    n = len(words)
    # best[k][i]: (cost, previous cut) of the first i words set in k lines
    best: list[list[Any]] = [[None] * (n + 1) for _ in range(count + 1)]
    best[0][0] = (0.0, None)
    for k in range(1, count + 1):
        for i in range(1, n + 1):
            for j in range(i):
                if best[k - 1][j] is None:
                    continue
                width = sum(widths[j:i])
                if width > max_width:
                    continue
                cost = best[k - 1][j][0] + (width - target) ** 2
                if i < n and inside[i - 1]:
                    cost += INSIDE_QUOTE_COST
                if k > 1 and width > sum(widths[_start(best, k - 1, j) : j]) + 0.01:
                    cost += 1.0  # a longer line under a shorter one: an inverted trapezoid
                if best[k][i] is None or cost < best[k][i][0]:
                    best[k][i] = (cost, j)
    if best[count][n] is None:
        return None
    cuts, i = [], n
    for k in range(count, 0, -1):
        j = best[k][i][1]
        cuts.append("".join(words[j:i]))
        i = j
    return cuts[::-1]


def _start(best, k, i):
    return best[k][i][1] if best[k][i] is not None else 0


def addressee_parts(addressees):
    """The addressee line in pieces that are never split: each name with its 、, the last with its title and ：."""
    line = addressees.strip().rstrip("：:") + "："
    parts, current = [], ""
    for char in line:
        current += char
        if char in "、，,":
            parts.append(current)
            current = ""
    if current:
        parts.append(current)
    return parts


def letterhead_size(name):
    """Point size of the red unit name so that it fits the 156 mm type area on one line."""
    return max(16, min(30, int(400 / max(len(name), 1))))


def _seal(unit):
    """The unit's seal as PNG bytes (a list of ints for JSON), or None."""
    from .pdf import Asset

    asset = Asset.from_image_file("seal", unit.seal) if unit.seal else None
    data = asset.data if asset is not None else None
    return list(data) if data else None


@in_chinese
def letter_data(reply):
    """One letter's entry in the template's `letters` list."""
    unit = reply.assignment.unit
    return {
        "letterhead": unit.letterhead_name,
        "letterhead_size": letterhead_size(unit.letterhead_name),
        "class_mark": reply.result_class,
        "doc_number": reply.doc_number,
        "title_lines": title_lines(reply.title),
        "addressee_parts": addressee_parts(reply.addressees),
        "body": body.paragraphs_of(reply),
        "closing": reply.closing,
        "date": cn_date(reply.written_on),
        "note": reply.annotation,
        "cc_label": f"{_('抄送')}：",
        "cc": reply.cc,
        "seal": _seal(unit),
    }


@in_chinese
def document_data(replies, letters=None):
    """The template's data for one or more letters: fonts, the PDF's metadata, the letters
    (`letters`: their `letter_data`, when already made)."""
    letters = letters if letters is not None else [letter_data(reply) for reply in replies]
    first = replies[0]
    unit = first.assignment.unit.name
    if len(replies) == 1:
        meta = {
            "title": first.title,
            "author": [unit],
            "keywords": [k for k in (first.doc_number, cn_date(first.written_on), _("答复函")) if k],
            "description": _("%(unit)s 答复函 %(number)s，成文日期 %(date)s")
            % {"unit": unit, "number": first.doc_number or "—", "date": cn_date(first.written_on) or "—"},
        }
    else:
        meta = {
            "title": _("答复函（%(count)d 份）") % {"count": len(replies)},
            "author": sorted({r.assignment.unit.name for r in replies}),
            "keywords": [_("答复函")],
            "description": _("答复函 %(count)d 份") % {"count": len(replies)},
        }
    day = first.written_on if len(replies) == 1 and first.written_on else timezone.localdate()
    meta["date"] = [day.year, day.month, day.day]
    return {"fonts": typesetting.fonts_data(), "meta": meta, "letters": letters}


def render_with_starts(replies):
    """(PDF/A-2b bytes of the letters one after another, each with its own page numbers,
    the index of each letter's first page)."""
    data = typesetting.compile_pdf(TEMPLATE, document_data(replies))
    return data, first_pages(data)


def first_pages(data):
    """The index of each letter's first page: the pages labelled 1 (the template numbers each
    letter's pages from 1 and Typst writes the numbers as the PDF's page labels)."""
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as document:
        return [i for i, page in enumerate(document.pages) if page.label == "1"]


@contextlib.contextmanager
def typesetter(replies):
    """For a batch: `render(chunk)` of the replies' letters as `render_with_starts` does, on a
    compiler of the batch's own whose fonts hold only the characters these letters print; the
    memory of each chunk's layout is given back before the next."""
    replies = list(replies)
    prepared = {reply.pk: letter_data(reply) for reply in replies}
    text = json.dumps(document_data(replies, list(prepared.values())), ensure_ascii=False)
    with typesetting.subset_compiler(TEMPLATE, text) as compiler:

        def render(chunk):
            data = document_data(chunk, [prepared[reply.pk] for reply in chunk])
            try:
                pdf = typesetting.compile_pdf(TEMPLATE, data, compiler=compiler)
            finally:
                typesetting.release_memory()
            return pdf, first_pages(pdf)

        yield render


def warm():
    """Typeset a sample letter in this process (a web worker at boot): Typst reads its fonts, the
    word segmenter loads its dictionary, so that the first download does not wait for them."""
    sample = {
        "letterhead": "答复函单位",
        "letterhead_size": letterhead_size("答复函单位"),
        "class_mark": "A",
        "doc_number": "〔2026〕1号",
        "title_lines": title_lines("关于对《关于促进中小企业健康快速发展的提案》的答复"),
        "addressee_parts": addressee_parts("委员："),
        "body": [
            body.paragraph(body.P, "", "现答复如下："),
            body.paragraph(body.H1, "一、基本情况", ""),
            body.paragraph(body.H2, "（一）工作进展。", "正在推进。"),
            body.paragraph(body.H3, "1.下一步。", "继续推进。"),
        ],
        "closing": "答复函单位",
        "date": "2026年1月1日",
        "note": "（联系人：某某）",
        "cc_label": "抄送：",
        "cc": "办公室",
        "seal": None,
    }
    meta = {"title": "", "author": [], "keywords": [], "description": "", "date": [2026, 1, 1]}
    try:
        return typesetting.compile_pdf(TEMPLATE, {"fonts": typesetting.fonts_data(), "meta": meta, "letters": [sample]})
    except typesetting.TypesetError:  # the worker still serves; the download will say what is wrong
        logger.exception("Warming up the letter template failed")
        return None
