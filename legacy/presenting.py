"""The extracted fields of an import as rows a reviewer reads: label, text, confidence, where found."""

from collections import Counter

from django.utils.translation import gettext_lazy as _

from replies.models import ContactMethod

CONFIDENCE_LABELS = {"high": _("可信"), "medium": _("请核对"), "low": _("存疑"), "missing": _("未识别")}
KIND_LABELS = {"委员": _("委员"), "代表": _("代表"), "organisation": _("单位"), "": _("未注明")}
BODY_LABELS = {"cppcc": _("政协（提案）"), "npc": _("人大（建议）")}


def _addressees(value):
    kinds = Counter(str(KIND_LABELS.get(p["kind"], p["kind"])) for p in value["people"])
    summary = "、".join(f"{kind} {count}" for kind, count in kinds.items())
    return str(_("%(line)s\n共 %(n)s 位：%(summary)s")) % {
        "line": value["line"],
        "n": len(value["people"]),
        "summary": summary,
    }


def _number(value):
    text = value["normalized"]
    if value.get("printed") and value["printed"] != text:
        text += "（原文：{}）".format(value["printed"])
    if value.get("variants"):
        text += "\n" + str(_("文中编号不一致：")) + "、".join(value["variants"])
    return text


def _unit(value):
    parts = [value.get("name") or "—"]
    for label, key in ((_("简称"), "short_name"), (_("版头"), "letterhead"), (_("落款"), "closing")):
        if value.get(key):
            parts.append(f"{label}：{value[key]}")
    return "\n".join(parts)


def _contacts(value):
    methods = dict(ContactMethod.choices)
    return "\n".join("{} {}：{}".format(c["date"], methods.get(c["method"], c["method"]), c["summary"]) for c in value)


def _form(value):
    lines = [
        "{}：{}".format(_("填表人"), value.get("member") or "—"),
        "{}：{}".format(_("沟通方式"), "、".join(value["methods"]) or "—"),
        "{}：{}".format(_("办理效果"), "、".join(value["effects"]) or "—"),
        "{}：{}".format(_("办理评价"), "、".join(value["satisfaction"]) or "—"),
        "{}：{}".format(_("是否公开"), "、".join(value["publish"]) or "—"),
        "{}：{}".format(_("意见"), value.get("opinion") or "—"),
    ]
    lines += ["⚠ " + c for c in value["conflicts"]]
    return "\n".join(lines)


def _header(value):
    return "\n".join("{}：{}".format(*item) for item in value.items())


def _sections(value):
    return str(_("%(n)s 个一级标题，%(m)s 个二级标题（见下）")) % {
        "n": len(value),
        "m": sum(len(s["children"]) for s in value),
    }


ROWS = [
    ("body", _("届别"), lambda v: str(BODY_LABELS.get(v, v))),
    ("addressees", _("主送"), _addressees),
    ("proposal_title", _("案由"), str),
    ("proposal_number", _("编号"), _number),
    ("session", _("会次"), str),
    ("unit", _("承办单位"), _unit),
    ("reply_title", _("答复标题"), str),
    ("doc_number", _("文号"), str),
    ("reply_date", _("成文日期"), str),
    ("result_class", _("答复类别"), str),
    ("contact_person", _("联系人"), str),
    ("contact_phone", _("联系电话"), str),
    ("sections", _("正文层次"), _sections),
    ("contacts", _("与代表委员沟通"), _contacts),
    ("feedback_form", _("征询意见表"), _form),
    ("portal_header", _("网站信息栏"), _header),
]


def describe(document):
    rows = []
    for name, label, show in ROWS:
        data = document.field(name)
        confidence = data.get("confidence", "missing")
        value = data.get("value")
        rows.append(
            {
                "name": name,
                "label": label,
                "text": show(value) if value not in (None, "", [], {}) else "",
                "confidence": confidence,
                "confidence_label": CONFIDENCE_LABELS.get(confidence, confidence),
                "source": data.get("source", ""),
            }
        )
    return rows


RECORD_LABELS = {
    "members": _("代表委员"),
    "unit": _("承办单位"),
    "session": _("会次"),
    "proposal": _("建议提案"),
    "lead_unit": _("主办单位"),
    "assignment": _("交办"),
    "opinion": _("会办意见"),
    "reply": _("答复函"),
    "contacts": _("沟通记录"),
    "feedback": _("征询意见表"),
}


def record_rows(document):
    """What the import matched or created, one row per kind of record."""
    rows = []
    for key, label in RECORD_LABELS.items():
        entries = document.records.get(key)
        if not entries:
            continue
        entries = entries if isinstance(entries, list) else [entries]
        rows.append(
            {
                "label": label,
                "created": [e["label"] for e in entries if e["action"] == "created"],
                "matched": [e["label"] for e in entries if e["action"] == "matched"],
            }
        )
    return rows
