"""答复要件: what a reply must carry before it goes to the signer and again when the 督查室 reviews it.

Each element is a check with a code; the office sets each one to block, to warn, or to be skipped
(`RequiredElement`, reference data with history). A missing blocking element refuses 提交签发 and,
at review, returns the reply to its drafter with the reasons; a warning is shown and lets it pass.
The checks read the reply as it is; none of them changes anything.
"""

from dataclasses import dataclass

from django.utils.translation import gettext

from proposals.models import AssignmentRole, AssignmentStatus

SUBMIT = "submit"
REVIEW = "review"


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    blocking: bool


def _result_class(reply, stage):
    if not reply.result_class:
        return gettext("请先选定答复类别（A/B/C/D）。")
    return None


def _body(reply, stage):
    if not reply.body.strip():
        return gettext("答复正文不能为空。")
    return None


def _matches_proposal(reply, stage):
    """The letter names the proposal it answers: its 案由 or its number."""
    proposal = reply.assignment.proposal
    # Letters quote the 案由 with or without its "关于…的建议/提案" frame.
    core = proposal.title.strip().removesuffix("的建议").removesuffix("的提案").removeprefix("关于")
    title = "".join(reply.title.split())
    if (core and "".join(core.split()) in title) or (proposal.number and proposal.number in title):
        return None
    return gettext("答复标题未写明所答复的建议提案（案由或编号）。")


def _addressed_to_lead(reply, stage):
    lead = reply.assignment.proposal.lead
    if lead is not None and lead.name not in reply.addressees:
        return gettext("主送未写领衔人 %(name)s。") % {"name": lead.name}
    return None


def _contacted(reply, stage):
    a = reply.assignment
    if a.role == AssignmentRole.LEAD and not a.contacts.exists():
        return gettext("主办答复提交前，须至少登记一次与代表委员的沟通。")
    return None


def _co_opinions(reply, stage):
    a = reply.assignment
    if a.role != AssignmentRole.LEAD:
        return None
    missing = (
        a.proposal.assignments.filter(role=AssignmentRole.CO)
        .exclude(status=AssignmentStatus.RETURNED)
        .exclude(co_opinions__isnull=False)
        .select_related("unit")
    )
    names = "、".join(str(m.unit) for m in missing)
    if names:
        return gettext("尚有会办单位未提交会办意见：%(units)s。") % {"units": names}
    return None


def _doc_number(reply, stage):
    # The number is given at 签发; before that, the unit must have a register to give it from.
    if stage == REVIEW:
        if not reply.doc_number:
            return gettext("答复没有文号。")
        return None
    if not reply.assignment.unit.doc_prefix:
        return gettext("本单位尚未设置文号前缀，签发时无法编号：请数据管理员在承办单位中填写。")
    return None


def _contact_person(reply, stage):
    if not reply.contact_person.strip() or not reply.contact_phone.strip():
        return gettext("请填写联系人和联系电话。")
    return None


CHECKS = {
    "result_class": _result_class,
    "body": _body,
    "matches_proposal": _matches_proposal,
    "addressed_to_lead": _addressed_to_lead,
    "contacted": _contacted,
    "co_opinions": _co_opinions,
    "doc_number": _doc_number,
    "contact_person": _contact_person,
}


# How strictly each element is enforced until the office says otherwise (the rows the migration
# seeds; an element without a row falls back to this).
DEFAULT_SEVERITY = {
    "result_class": "block",
    "body": "block",
    "matches_proposal": "block",
    "addressed_to_lead": "warn",
    "contacted": "block",
    "co_opinions": "block",
    "doc_number": "warn",
    "contact_person": "warn",
}


def findings(reply, *, severities, stage=SUBMIT):
    """What is missing from the reply, in the order above. `severities` is {code: "block" | "warn" |
    "off"} (RequiredElement.severities()); an element without a row takes its DEFAULT_SEVERITY."""
    found = []
    for code, check in CHECKS.items():
        severity = severities.get(code, DEFAULT_SEVERITY[code])
        if severity == "off":
            continue
        message = check(reply, stage)
        if message:
            found.append(Finding(code=code, message=message, blocking=severity == "block"))
    return found
