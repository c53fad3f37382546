"""The option lists of the workflow, apart from the models so `access` can name roles and
bodies without importing a model (the models import `access`)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Body(models.TextChoices):
    """The two bodies whose members ask the government for answers."""

    NPC = "npc", _("人大")
    CPPCC = "cppcc", _("政协")


class ProposalKind(models.TextChoices):
    SUGGESTION = "suggestion", _("建议")  # from an NPC deputy
    PROPOSAL = "proposal", _("提案")  # from a CPPCC member

    @classmethod
    def for_body(cls, body):
        return cls.SUGGESTION if body == Body.NPC else cls.PROPOSAL


class MemberKind(models.TextChoices):
    PERSON = "person", _("个人")
    ORGANISATION = "organisation", _("单位/党派团体")


class Period(models.TextChoices):
    SESSION = "session", _("大会期间")
    RECESS = "recess", _("闭会期间")


class ProposalStatus(models.TextChoices):
    REGISTERED = "registered", _("已登记")
    ASSIGNED = "assigned", _("已交办")
    HANDLING = "handling", _("办理中")
    REPLIED = "replied", _("已答复")
    REDO = "redo", _("重办")
    CLOSED = "closed", _("已办结")


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("主办")
    CO = "co", _("会办")
    SEPARATE = "separate", _("分办")


class AssignmentStatus(models.TextChoices):
    PENDING = "pending", _("待签收")
    HANDLING = "handling", _("办理中")
    AWAITING_SIGNOFF = "awaiting_signoff", _("待签发")
    IN_REVIEW = "in_review", _("待审核")
    REPLIED = "replied", _("已答复")
    REDO = "redo", _("重办")
    RETURNED = "returned", _("已退回")
    CLOSED = "closed", _("已办结")


# Assignments that no longer wait for anything from their unit.
FINISHED = (AssignmentStatus.REPLIED, AssignmentStatus.RETURNED, AssignmentStatus.CLOSED)


class RequestKind(models.TextChoices):
    RETURN = "return", _("申请退回")
    EXTENSION = "extension", _("申请延期")


class Decision(models.TextChoices):
    PENDING = "pending", _("待决定")
    APPROVED = "approved", _("同意")
    REJECTED = "rejected", _("不同意")


class DeadlineKind(models.TextChoices):
    """Why an assignment has a deadline: each is a fact of its own, never overwritten (Deadline)."""

    ORIGINAL = "original", _("原定期限")
    EXTENSION = "extension", _("批准延期")
    REDO = "redo", _("重办期限")


class RoleKind(models.TextChoices):
    CLERK = "clerk", _("经办人")
    SIGNER = "signer", _("签发人")
    OFFICE = "office", _("代表室/提案委")
    SUPERVISOR = "supervisor", _("督查室")


class EventVerb(models.TextChoices):
    """What a line of the timeline records: stored as a code, shown in the reader's language."""

    REGISTERED = "registered", pgettext_lazy("timeline", "登记")
    ASSIGNED = "assigned", pgettext_lazy("timeline", "交办")
    SIGNED_FOR = "signed_for", pgettext_lazy("timeline", "签收")
    RETURN_REQUESTED = "return_requested", pgettext_lazy("timeline", "申请退回")
    RETURN_APPROVED = "return_approved", pgettext_lazy("timeline", "申请退回：同意")
    RETURN_REJECTED = "return_rejected", pgettext_lazy("timeline", "申请退回：不同意")
    EXTENSION_REQUESTED = "extension_requested", pgettext_lazy("timeline", "申请延期")
    EXTENSION_APPROVED = "extension_approved", pgettext_lazy("timeline", "申请延期：同意")
    EXTENSION_REJECTED = "extension_rejected", pgettext_lazy("timeline", "申请延期：不同意")
    CONTACTED = "contacted", pgettext_lazy("timeline", "沟通")
    CONTACT_AMENDED = "contact_amended", pgettext_lazy("timeline", "修改沟通记录")
    CO_OPINION = "co_opinion", pgettext_lazy("timeline", "会办意见")
    DRAFTED = "drafted", pgettext_lazy("timeline", "起草答复")
    SUBMITTED = "submitted", pgettext_lazy("timeline", "提交签发")
    SENT_BACK = "sent_back", pgettext_lazy("timeline", "退回修改")
    WITHDRAWN = "withdrawn", pgettext_lazy("timeline", "撤回送签")
    SIGNED_OFF = "signed_off", pgettext_lazy("timeline", "签发")
    REVIEWED = "reviewed", pgettext_lazy("timeline", "审核通过")
    ISSUED = "issued", pgettext_lazy("timeline", "答复")
    SCAN_UPLOADED = "scan_uploaded", pgettext_lazy("timeline", "上传盖章件")
    DELIVERED = "delivered", pgettext_lazy("timeline", "送达")
    FEEDBACK = "feedback", pgettext_lazy("timeline", "征询意见")
    FEEDBACK_RECEIVED = "feedback_received", pgettext_lazy("timeline", "签收征询意见表")
    FEEDBACK_CORRECTED = "feedback_corrected", pgettext_lazy("timeline", "核实更正征询意见表")
    PUBLISHED = "published", pgettext_lazy("timeline", "公开答复")
    LINK_SENT = "link_sent", pgettext_lazy("timeline", "发送填表链接")
    REDO = "redo", pgettext_lazy("timeline", "重办")
    URGED = "urged", pgettext_lazy("timeline", "催办")
    ESCALATED = "escalated", pgettext_lazy("timeline", "督办")
    IMPORTED = "imported", pgettext_lazy("timeline", "导入")
    IMPORT_CONFIRMED = "import_confirmed", pgettext_lazy("timeline", "导入核实")
    IMPORT_CORRECTED = "import_corrected", pgettext_lazy("timeline", "导入更正")
    HANDED_OVER = "handed_over", pgettext_lazy("timeline", "工作移交")
    LINKED = "linked", pgettext_lazy("timeline", "关联相似件")
    MERGED = "merged", pgettext_lazy("timeline", "并案")
    PROPOSAL_AMENDED = "proposal_amended", pgettext_lazy("timeline", "修改建议提案")
    ASSIGNMENT_AMENDED = "assignment_amended", pgettext_lazy("timeline", "更正交办")
    COMMITMENT_MADE = "commitment_made", pgettext_lazy("timeline", "承诺事项")
    COMMITMENT_PROGRESS = "commitment_progress", pgettext_lazy("timeline", "承诺进展")
    COMMITMENT_CLOSED = "commitment_closed", pgettext_lazy("timeline", "承诺销号")
    COMMITMENT_REOPENED = "commitment_reopened", pgettext_lazy("timeline", "承诺重新打开")
    ELEMENTS_MISSING = "elements_missing", pgettext_lazy("timeline", "答复要件不全")
    CLASS_CHANGED = "class_changed", pgettext_lazy("timeline", "更改答复类别")


class LinkKind(models.TextChoices):
    """How two similar proposals are tied together by the office."""

    RELATED = "related", _("相关")
    MERGED = "merged", _("并案")


def choice_constraint(field, choices, *, allow_blank=False):
    """A CHECK that keeps `field` within its TextChoices, named after the field."""
    condition = Q(**{f"{field}__in": choices.values})
    if allow_blank:
        condition |= Q(**{field: ""})
    return models.CheckConstraint(condition=condition, name=f"%(app_label)s_%(class)s_{field}_valid")
