"""The corpus table: every document recognised as what it is, every field a careful reader would
fill read right, and nothing wrong at "high".

`pytest tests/legacy/test_corpus.py -s` prints the table (documents × recognised × each field).
"""

import pytest

from legacy.extract import HIGH, extract

from .corpus import CASES, GRADED, SHORT, UNITS, comparable

RIGHT, MISSING, WRONG = "✓", "·", "✗"


def grade(case):
    """(recognised as expected, {field: (mark, expected, got, confidence)})."""
    x = extract(case.source(), units=UNITS)
    recognised = x.kind == case.kind
    marks = {}
    if case.kind == "none":
        return x, recognised, marks
    for name in GRADED:
        expected, got = case.expected[name], comparable(x, name)
        if got == expected:
            mark = RIGHT
        elif got is None:
            mark = MISSING
        else:
            mark = WRONG
        marks[name] = (mark, expected, got, x[name].confidence)
    return x, recognised, marks


def table(results):
    header = ["document", "kind", "recognised", *(SHORT[name] for name in GRADED)]
    rows = []
    totals = {RIGHT: 0, MISSING: 0, WRONG: 0}
    for case, x, recognised, marks in results:
        cells = [case.name, case.kind, ("yes" if recognised else "NO") + f" ({x.recognition.score:+d})"]
        for name in GRADED:
            if name in marks:
                mark = marks[name][0]
                totals[mark] += 1
                cells.append(mark)
            else:
                cells.append("")
        rows.append(cells)
    lines = [" | ".join(header), " | ".join("---" for _ in header)]
    lines += [" | ".join(row) for row in rows]
    fields = sum(totals.values())
    recognised = sum(1 for _c, _x, r, _m in results if r)
    graded = [m for _c, _x, _r, marks in results for m in marks.values()]
    filled = [m for m in graded if m[1] is not None]
    lines.append("")
    lines.append(
        f"recognised {recognised}/{len(results)}; fields right {totals[RIGHT]}/{fields}, "
        f"missing {totals[MISSING]}, wrong {totals[WRONG]} ({RIGHT} right, {MISSING} missing, {WRONG} wrong)"
    )
    lines.append(
        f"of the fields a careful reader fills: {sum(1 for m in filled if m[0] == RIGHT)}/{len(filled)} right; "
        f"wrong at high confidence: {sum(1 for m in graded if m[0] == WRONG and m[3] == HIGH)}"
    )
    return "\n".join(lines)


def test_the_corpus_is_read_completely_and_nothing_is_confidently_wrong():
    results = [(case, *grade(case)) for case in CASES]
    print("\n" + table(results))
    misread = [(case.name, x.kind, case.kind) for case, x, recognised, _marks in results if not recognised]
    assert misread == []
    wrong = {
        (case.name, name): (expected, got, confidence)
        for case, _x, _r, marks in results
        for name, (mark, expected, got, confidence) in marks.items()
        if mark != RIGHT
    }
    assert wrong == {}


def test_no_field_is_wrong_at_high_confidence():
    # The stronger promise, kept apart so that a miss above still shows whether a wrong value was "high".
    confident_and_wrong = [
        (case.name, name, got, expected)
        for case in CASES
        for name, (mark, expected, got, confidence) in grade(case)[2].items()
        if mark == WRONG and confidence == HIGH
    ]
    assert confident_and_wrong == []


def test_every_refusal_says_why_with_the_weights():
    for case in CASES:
        if case.kind != "none":
            continue
        x = extract(case.source(), units=UNITS)
        assert x.refusal.startswith("这不是答复函，未导入："), case.name
        assert "证据合计" in x.refusal and "分" in x.refusal
        assert any(signal.weight < 0 for signal in x.recognition.signals) or x.recognition.score < 5


def portal_copy(text):
    """The letter as a portal prints it: ASCII punctuation, CRLF, navigation above and below."""
    for wide, narrow in (("：", ":"), ("，", ","), ("（", "("), ("）", ")"), ("；", ";")):
        text = text.replace(wide, narrow)
    chrome_top = "首页 > 政务公开 > 建议提案办理\n发布时间:2024-01-02  来源:本网  浏览次数:88\n"
    chrome_bottom = "\n【打印本页】【关闭窗口】\n扫一扫在手机打开当前页\n"
    return (chrome_top + text + chrome_bottom).replace("\n", "\r\n")


def traditional_copy(text):
    import opencc

    return opencc.OpenCC("s2t").convert(text)


@pytest.mark.parametrize("variant", [portal_copy, traditional_copy], ids=["portal copy", "traditional characters"])
def test_the_same_letters_copied_differently_read_the_same(variant):
    changed = []
    for case in CASES:
        x = extract(variant(case.source()), units=UNITS)
        if x.kind != case.kind:
            changed.append((case.name, "kind", x.kind))
            continue
        if case.kind == "none":
            continue
        for name in GRADED:
            got = comparable(x, name)
            if name == "reply_date" and case.expected[name] is None and x[name].source == "网站发布日期":
                # A letter with no date of its own: the page's publication date, offered as "low".
                assert x[name].confidence == "low"
                continue
            if got != case.expected[name]:
                changed.append((case.name, name, got, x[name].confidence))
    assert changed == []
