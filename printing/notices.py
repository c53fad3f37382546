"""The 督办通知单 of one Escalation, as data for printing/typst/escalation_notice.typ.

What the notice says comes from the record alone: the unit, the proposal, its deadline, the
level, the leader and the reason as the supervisor wrote them (printed as text, never markup).
"""

from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals.i18n import in_chinese

from . import typesetting
from .templatetags.printing import cn_date

if TYPE_CHECKING:
    from supervision.models import Escalation, EscalationRule

TEMPLATE = "escalation_notice.typ"


def _when(escalation: "Escalation") -> str:
    left = (escalation.due_on - timezone.localdate(escalation.at)).days
    if left < 0:
        return _("已超期%(n)s天") % {"n": -left}
    if left == 0:
        return _("今日到期")
    return _("距期限还有%(n)s天") % {"n": left}


@in_chinese
def notice_data(escalation: "Escalation") -> dict[str, Any]:
    assignment = escalation.assignment
    proposal = assignment.proposal
    office = settings.BANLI_SUPERVISION_OFFICE
    raised_on = timezone.localdate(escalation.at)
    rows = [
        (_("承办单位"), f"{assignment.unit.name}（{assignment.get_role_display()}）"),
        (_("编号"), proposal.number),
        (_("案由"), proposal.title),
        (_("领衔人"), proposal.lead.name),
        (_("交办日期"), cn_date(assignment.assigned_on)),
        (_("办理期限"), f"{cn_date(escalation.due_on)}（{_when(escalation)}）"),
        (_("督办级别"), escalation.level.name),
    ]
    if escalation.leader:
        rows.append((_("督办领导"), escalation.leader))
    # A record without a reason was raised by a rule of the session.
    rule = cast("EscalationRule", escalation.rule)
    rows.append((_("督办事由"), escalation.reason or _("按督办规则（%(rule)s）自动督办") % {"rule": rule.day_label}))
    title = _("督办通知单")
    return {
        "fonts": typesetting.fonts_data(),
        "meta": {
            "title": f"{title} {escalation.number}",
            "author": [office],
            "keywords": [escalation.number, proposal.number, title],
            "description": _("%(office)s 督办通知单 %(number)s：%(unit)s，%(proposal)s")
            % {
                "office": office,
                "number": escalation.number,
                "unit": assignment.unit.name,
                "proposal": proposal.number,
            },
            "date": [raised_on.year, raised_on.month, raised_on.day],
        },
        "notice": {
            "office": office,
            "title": title,
            "number": escalation.number,
            "rows": [{"label": label, "value": value} for label, value in rows],
            "addressee": f"{assignment.unit.name}：",
            "requirements": [
                _("请贵单位高度重视，主要负责同志亲自过问，抓紧办理、按时答复代表委员，并将办理情况报送%(office)s。")
                % {"office": office},
                _("办理中确有困难的，请及时说明情况，依程序申请延期。"),
            ],
            "date": cn_date(raised_on),
        },
    }
