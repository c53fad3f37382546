"""The extracted fields of an import as rows a reviewer reads (label, text, confidence, where
found), and the source text cut into segments so the page can mark the spans each field came from."""

from collections import Counter
from itertools import pairwise

from django.utils.translation import gettext_lazy as _

from replies.models import ContactMethod

CONFIDENCE_LABELS = {"high": _("可信"), "medium": _("请核对"), "low": _("存疑"), "missing": _("未识别")}
KIND_LABELS = {
    "委员": _("委员"),
    "代表": _("代表"),
    "organisation": _("组织"),
    "unit": _("承办单位"),
    "": _("未注明"),
}
BODY_LABELS = {"cppcc": _("政协（提案）"), "npc": _("人大（建议）")}


def _addressees(value):
    kinds = Counter(str(KIND_LABELS.get(p["kind"], p["kind"])) for p in value["people"])
    summary = "、".join(f"{kind} {count}" for kind, count in kinds.items())
    return str(_("%(line)s\n共 %(n)s 位：%(summary)s")) % {
        "line": value["line"],
        "n": value.get("count") or len(value["people"]),  # "张伟等5位代表": five, one of them named
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
    ("signer", _("签发人"), str),
    ("cc", _("抄送"), str),
    ("sections", _("正文层次"), _sections),
    ("contacts", _("与代表委员沟通"), _contacts),
    ("feedback_form", _("征询意见表"), _form),
    ("portal_header", _("网站信息栏"), _header),
]


COLOURS = 8  # highlight colours in the stylesheet (.hl-0 … .hl-7), given to fields in row order


def _colour(name):
    return next(i for i, (row, _label, _show) in enumerate(ROWS) if row == name) % COLOURS


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
                "colour": _colour(name),
                "anchor": f"src-{name}" if data.get("spans") else "",
            }
        )
    return rows


def source_segments(document):
    """The source text in pieces, each with the fields read from it (none for most of the text).

    Spans are offsets into the text as stored; a piece covered by several fields lists them all
    and takes the colour of the first. The first piece of each field carries its anchor.
    """
    text = document.source_text
    labels = {name: str(label) for name, label, _show in ROWS}
    marks = []
    for name, _label, _show in ROWS:
        for start, end in document.field(name).get("spans") or []:
            start, end = max(0, int(start)), min(len(text), int(end))
            if start < end:
                marks.append((start, end, name))
    cuts = sorted({0, len(text), *(m[0] for m in marks), *(m[1] for m in marks)})
    segments, anchored = [], set()
    for start, end in pairwise(cuts):
        names = [name for a, b, name in marks if a <= start and end <= b]
        names = list(dict.fromkeys(names))
        if segments and segments[-1]["fields"] == names and not names:
            segments[-1]["text"] += text[start:end]
            continue
        anchor = ""
        first_seen = next((n for n in names if n not in anchored), None)
        if first_seen:
            anchor = f"src-{first_seen}"
            anchored.add(first_seen)
        segments.append(
            {
                "text": text[start:end],
                "fields": names,
                "labels": "、".join(labels[n] for n in names),
                "colour": _colour(names[0]) if names else None,
                "anchor": anchor,
            }
        )
    return segments


KIND_LABELS = {"reply": _("答复函"), "opinion": _("会办意见"), "none": _("不是答复函")}


def recognition(document):
    """Why the importer took this document for a reply, an opinion or neither: the signals and their weights."""
    data = (document.extracted or {}).get("recognition")
    if not data:
        return None
    return {
        "kind": data["kind"],
        "kind_label": KIND_LABELS.get(data["kind"], data["kind"]),
        "score": data["score"],
        "signals": data["signals"],
    }


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
