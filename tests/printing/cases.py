"""The seed 000 case (委员提案〔2021〕110号) built with the factories, for printing tests."""

from django.utils import timezone

from demo import seeds
from feedback.models import Channel
from proposals.models import Body
from replies.models import ReplyStatus
from tests import factories as f


def huangshi(*, status=ReplyStatus.ISSUED, body_suffix=""):
    """The 市经信局 reply to 委员提案〔2021〕110号 and its paper feedback form, as in the seed
    (`body_suffix` added to the letter's body before it is issued)."""
    letter = seeds.huangshi_reply()
    form = seeds.huangshi_feedback()
    unit = f.unit(name="黄石市经济和信息化局", short_name="市经信局", letterhead="湖北省黄石市经济和信息化局")
    session = f.session(body=Body.CPPCC, year=2021, number_format="委员提案〔{year}〕{serial}号")
    members = [f.member(name=name) for name in letter["members"]]
    proposal = f.proposal(
        session=session,
        lead=members[0],
        cosigners=members[1:],
        serial=110,
        title="关于促进黄石市中小企业健康快速发展的提案",
    )
    assignment = f.assignment(proposal, unit)
    written_on = seeds.parse_date(letter["written_on"])
    reply = f.reply(
        assignment,
        status=status,
        title=letter["title"],
        addressees=letter["addressees"],
        body="\n".join(letter["paragraphs"]) + body_suffix,
        result_class=letter["result_class"],
        written_on=written_on,
        closing_name=letter["closing"],
        contact_person=letter["contact_person"],
        contact_phone=letter["contact_phone"],
        doc_number="黄经信函〔2021〕45号",
    )
    feedback = None
    if status == ReplyStatus.ISSUED:
        feedback = f.feedback(
            reply,
            members[0],
            channel=Channel.PAPER,
            by_visit="上门走访" in form["methods"],
            handling_effect="solved",
            satisfaction="",  # both 满意 and 不满意 ticked on paper: recorded as blank
            publish_consent=None,
            opinion=form["opinion"],
            needs_attention="纸质表“办理评价”同时勾选了“满意”、“不满意”，需与委员核实。",
            submitted_at=timezone.now(),
        )
    return {
        "unit": unit,
        "members": members,
        "proposal": proposal,
        "reply": reply,
        "feedback": feedback,
        "letter": letter,
    }


def huiji():
    """Seed 002: the 惠济区 reply to 何昕委员 (half-width punctuation in the source)."""
    letter = seeds.huiji_reply()
    unit = f.unit(
        name="郑州市惠济区科技和工业信息化局", short_name="区科工信局", letterhead="郑州市惠济区科技和工业信息化局"
    )
    proposal = f.proposal(lead=f.member(name="何昕"), title="关于“产业强区推动惠济区高质量发展”的提案")
    return f.reply(
        f.assignment(proposal, unit),
        title="关于“产业强区推动惠济区高质量发展”提案的答复",
        addressees=letter["addressees"],
        body="\n".join(letter["paragraphs"]),
        result_class="B",
        written_on=seeds.parse_date(letter["written_on"]),
        closing_name=letter["closing"],
        doc_number="惠科工信函〔2023〕12号",
    )


def ankang():
    """Seed 004: the 安康 reply as copied from a portal (no addressee, date or signature in the text)."""
    letter = seeds.ankang_reply()
    unit = f.unit(name="安康市工业和信息化局", short_name="安康市工信局", letterhead="安康市工业和信息化局")
    proposal = f.proposal(title="关于扶持本土企业打造本地品牌的提案")
    import datetime

    return f.reply(
        f.assignment(proposal, unit),
        title="关于扶持本土企业打造本地品牌提案的答复",
        addressees="委员",
        body="\n".join(letter["paragraphs"]),
        result_class="B",
        written_on=datetime.date(2021, 8, 16),
        closing_name="安康市工业和信息化局",
        contact_person="张明",
        contact_phone="0915-3261234",
        doc_number="安工信函〔2021〕88号",
    )
