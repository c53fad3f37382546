"""Read the three seed documents in demo/seeds/ into plain dicts for the demo loader.

The seeds are real documents kept as they are; this reads just enough of their
known shape to build records. (A general importer for any reply is a separate feature.)
"""

import re
from pathlib import Path

SEED_DIR = Path(__file__).resolve().parent / "seeds"
HUANGSHI = SEED_DIR / "000_2c1618aac5cf80e6.txt"
HUIJI = SEED_DIR / "002_88f36dbf9b23b2d0.txt"
ANKANG = SEED_DIR / "004_425556da689228ab.txt"

DATE_LINE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")
# Lines a government web portal adds around a document; they are not part of the reply.
PORTAL_FURNITURE = ("扫一扫在手机打开当前页", "内容纠错", "本文由转载于互联网")


def lines_of(path):
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def huangshi_reply():
    """Seed 000: the 市经信局 reply to 委员提案〔2021〕110号, after the feedback form."""
    lines = lines_of(HUANGSHI)
    title_at = next(i for i, line in enumerate(lines) if line.startswith("关于对《") and line.endswith("答复"))
    contact_at = next(i for i, line in enumerate(lines) if line.startswith("联系人"))
    addressee = lines[title_at + 1].rstrip("：:")
    return {
        "letterhead": lines[title_at - 2],
        "result_class": lines[title_at - 1],
        "title": lines[title_at],
        "addressees": addressee,
        "members": addressee.removesuffix("委员").split("、"),
        "paragraphs": lines[title_at + 2 : contact_at],
        "contact_person": lines[contact_at].split("：", 1)[1],
        "contact_phone": lines[contact_at + 1].split("：", 1)[1],
        "closing": lines[contact_at + 2],
        "written_on": lines[contact_at + 3],
    }


def huangshi_feedback():
    """Seed 000, top part: the paper feedback form exactly as ticked."""
    text = HUANGSHI.read_text(encoding="utf-8")
    ticked = re.compile(r"(\S+?)\s*\((<input checked[^)]*)?\)")

    def ticks(label):
        row = next(line for line in text.splitlines() if line.startswith(label))
        return [name for name, mark in ticked.findall(row.split("\t", 1)[1]) if mark]

    opinion = re.search(r"<div[^>]*>\s*(.*?)\s*</div>", text).group(1)
    return {
        "methods": ticks("沟通方式"),
        "effects": ticks("办理效果"),
        "satisfaction": ticks("办理评价"),
        "publish": ticks("是否公开"),
        "opinion": opinion,
    }


def huiji_reply():
    """Seed 002: the 惠济区 reply to 何昕委员; no title or letterhead in the text."""
    lines = lines_of(HUIJI)
    return {
        "addressees": lines[0].rstrip("：:"),
        "paragraphs": lines[1:-2],
        "closing": lines[-2],
        "written_on": lines[-1],
    }


def ankang_reply():
    """Seed 004: an 安康 reply as copied from a portal; no addressee, date or signature."""
    lines = [line for line in lines_of(ANKANG) if not line.startswith(PORTAL_FURNITURE)]
    return {"paragraphs": lines}


def parse_date(text):
    import datetime

    year, month, day = map(int, DATE_LINE.match(text).groups())
    return datetime.date(year, month, day)
