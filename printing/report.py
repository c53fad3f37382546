"""The annual 办理情况通报 draft: typeset by Typst (printing/typst/report.typ) and written as Word.

Both are made from the same paragraphs and tables (`sections`), which put supervision.report's
figures into the sentences an office writes every year; the office edits the Word file before
it issues the 通报. Figures are the dashboard's, so the draft and the dashboard always agree.
"""

import io
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from proposals.i18n import in_chinese

from . import typesetting
from .templatetags.printing import cn_date

TEMPLATE = "report.typ"


def _pct(value: object) -> str:
    return "—" if value is None else f"{value}%"


@in_chinese
def sections(report: dict[str, Any]) -> list[tuple[str, list[str], dict[str, Any] | None]]:
    """[(heading, [paragraph, …], table or None)] of the draft, in order."""
    s = report["summary"]
    classes = "，".join(
        _("%(code)s类%(n)s件（%(share)s）") % {"code": c["code"], "n": c["count"], "share": _pct(c["share"])}
        for c in report["classes"]
        if c["count"]
    )
    overview = _(
        "%(scope)s共交办承办单位主办、分办件%(assigned)s件，已签收%(signed)s件，签收率%(signed_rate)s；"
        "已办复%(replied)s件，办复率%(replied_rate)s；按期办复%(on_time)s件，按期办复率%(on_time_rate)s；"
        "与代表委员沟通%(contacted)s件，沟通率%(contact_rate)s。"
    ) % {
        "scope": report["scope"],
        "assigned": s["assigned"],
        "signed": s["signed"],
        "signed_rate": _pct(s["signed_rate"]),
        "replied": s["replied"],
        "replied_rate": _pct(s["replied_rate"]),
        "on_time": s["on_time"],
        "on_time_rate": _pct(s["on_time_rate"]),
        "contacted": s["contacted"],
        "contact_rate": _pct(s["contact_rate"]),
    }
    if classes:
        overview += _("答复类别中，%(classes)s。") % {"classes": classes}
    feedback = _(
        "收回征询意见表%(forms)s份，其中满意%(satisfied)s份、基本满意%(basically)s份、不满意%(dissatisfied)s份，"
        "满意率%(rate)s。"
    ) % {
        "forms": s["forms"],
        "satisfied": s["satisfied"],
        "basically": s["basically"],
        "dissatisfied": s["dissatisfied"],
        "rate": _pct(s["satisfied_rate"]),
    }
    c = report["commitments"]
    if c["total"]:
        feedback += _(
            "答复中作出承诺%(total)s项，已销号%(closed)s项、逾期未兑现%(overdue)s项，承诺兑现率%(rate)s。"
        ) % {"total": c["total"], "closed": c["closed"], "overdue": c["overdue"], "rate": _pct(c["rate"])}
    if s["overdue"]:
        feedback += _("截至%(day)s，尚有%(n)s件逾期未办复。") % {"day": cn_date(report["today"]), "n": s["overdue"]}
    unit_table = {
        "columns": [_("承办单位"), _("交办"), _("办复"), _("按期办复率"), _("沟通率"), _("满意率"), _("逾期")],
        "rows": [
            [
                u["unit"],
                str(u["assigned"]),
                str(u["replied"]),
                _pct(u["on_time_rate"]),
                _pct(u["contact_rate"]),
                _pct(u["satisfied_rate"]),
                str(u["overdue"]),
            ]
            for u in report["units"]
        ],
    }
    typical = [
        _("%(unit)s办理%(number)s《%(title)s》（%(doc)s）：%(excerpt)s")
        % {
            "unit": c["unit"],
            "number": c["number"],
            "title": c["title"],
            "doc": c["doc_number"] or _("未编文号"),
            "excerpt": c["excerpt"],
        }
        for c in report["typical"]
    ] or [_("（本期没有符合条件的典型案例，请办公室补充。）")]
    commended = [
        _("评选规则：%(rule)s") % {"rule": report["rules"]["commend"]},
        "、".join(report["commended"]) + "。" if report["commended"] else _("（本期没有符合条件的单位。）"),
    ]
    named = [_("通报规则：%(rule)s") % {"rule": report["rules"]["name"]}]
    named += [f"{n['unit']}：{n['reasons']}。" for n in report["named"]] or [_("（本期没有需要通报的单位。）")]
    if report["meetings_below"]:
        named.append(
            _("首次见面沟通未全部按时完成的单位：%(units)s。")
            % {"units": "、".join(f"{m['unit']}（{m['rate']}%）" for m in report["meetings_below"])}
        )
    return [
        (_("一、基本情况"), [overview, feedback], None),
        (_("二、各承办单位办理情况"), [_("各承办单位主办、分办件办理情况如下表（会办件另行统计）。")], unit_table),
        (_("三、典型案例"), typical, None),
        (_("四、表扬的单位"), commended, None),
        (_("五、通报的单位"), named, None),
        (
            _("六、下一步工作"),
            [_("（请办公室根据本期办理情况撰写下一步工作要求。）")],
            None,
        ),
    ]


def title(report: dict[str, Any]) -> str:
    return _("关于%(scope)s建议提案办理情况的通报") % {"scope": report["scope"]}


@in_chinese
def typst_data(report: dict[str, Any]) -> dict[str, Any]:
    chart = [
        {"unit": u["unit"], "assigned": u["assigned"], "on_time": u["on_time"], "late": u["replied"] - u["on_time"]}
        for u in report["units"][:12]
    ]
    today = report["today"]
    return {
        "fonts": typesetting.fonts_data(),
        "meta": {
            "title": title(report),
            "author": [settings.BANLI_SUPERVISION_OFFICE],
            "keywords": [_("办理情况通报"), report["scope"]],
            "description": title(report),
            "date": [today.year, today.month, today.day],
        },
        "title": title(report),
        "draft": _("（草稿）"),
        "date": cn_date(today),
        "sections": [
            {"heading": heading, "paragraphs": paragraphs, "table": table}
            for heading, paragraphs, table in sections(report)
        ],
        "chart": {
            "caption": _("图：各承办单位按期与逾期办复件数（主办、分办）"),
            "legend": [_("按期办复"), _("逾期办复"), _("未办复")],
            "bars": chart,
        },
    }


def report_pdf(report: dict[str, Any]) -> bytes:
    return typesetting.compile_pdf(TEMPLATE, typst_data(report))


@in_chinese
def report_docx(report: dict[str, Any]) -> bytes:
    """The same draft as an editable Word file: A4, 仿宋-sized body, headings, the unit table."""
    fonts = typesetting.fonts_data()
    body_font, title_font, heading_font = fonts["body"][0], fonts["title"][0], fonts["heading1"][0]
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)

    def para(
        text: str, *, font: str = body_font, size: int = 16, align: Any = None, indent: bool = True, bold: bool = False
    ) -> Any:
        p = doc.add_paragraph()
        if align is not None:
            p.alignment = align
        if indent:
            p.paragraph_format.first_line_indent = Pt(size * 2)
        run = p.add_run(text)
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.name = font
        run._element.get_or_add_rPr().get_or_add_rFonts().set(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia", font
        )
        return p

    para(title(report), font=title_font, size=22, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    para(_("（草稿）"), size=16, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    for heading, paragraphs, table in sections(report):
        para(heading, font=heading_font, indent=True)
        for text in paragraphs:
            para(text)
        if table:
            grid = doc.add_table(rows=1, cols=len(table["columns"]))
            grid.style = "Table Grid"
            for cell, text in zip(grid.rows[0].cells, table["columns"], strict=True):
                cell.text = text
            for row in table["rows"]:
                for cell, text in zip(grid.add_row().cells, row, strict=True):
                    cell.text = text
    para(cn_date(report["today"]), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
