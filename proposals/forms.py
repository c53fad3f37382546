"""Forms of the proposals app. Each names its fields; unit, status and session rules never come from a POST."""

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import registration
from .limits import REASON
from .models import (
    Assignment,
    AssignmentRequest,
    AssignmentRole,
    AssignmentStatus,
    HandlingUnit,
    Member,
    Proposal,
    Session,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ReturnRequestForm(forms.ModelForm):
    class Meta:
        model = AssignmentRequest
        fields = ["reason", "suggested_unit"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, assignment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["suggested_unit"].queryset = HandlingUnit.objects.exclude(pk=assignment.unit_id)
        self.fields["suggested_unit"].empty_label = _("（不指定）")


class ExtensionRequestForm(forms.ModelForm):
    class Meta:
        model = AssignmentRequest
        fields = ["reason", "requested_due_on"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 3}), "requested_due_on": DateInput()}

    def __init__(self, *args, assignment, **kwargs):
        super().__init__(*args, **kwargs)
        self.assignment = assignment
        self.fields["requested_due_on"].required = True

    def clean_requested_due_on(self):
        day = self.cleaned_data["requested_due_on"]
        if day <= self.assignment.due_on:
            raise forms.ValidationError(
                _("申请延至的日期须晚于现办理期限（%(due)s）。") % {"due": f"{self.assignment.due_on:%Y-%m-%d}"}
            )
        return day


class DecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("决定"),
        choices=[("yes", _("同意")), ("no", _("不同意"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("决定意见"), required=False, max_length=REASON, widget=forms.Textarea(attrs={"rows": 2})
    )


class RegisterForm(forms.ModelForm):
    """The office registers a proposal; the number comes from the session's sequence.

    Co-signers are named in the order they signed (as on the paper form), separated by 、 or
    commas; the page's search fills in the same names, and the import reads its 联名人 column
    through the same `registration.resolve`.
    """

    cosigner_names = forms.CharField(
        label=_("联名人"),
        required=False,
        max_length=2000,
        help_text=_("按联名顺序填写姓名，用顿号或逗号分隔，如：王秋红、纪春明；同名者写明界别，如：王秋红（经济界）"),
    )
    serial = forms.IntegerField(
        label=_("序号"), required=False, min_value=1, help_text=_("留空则自动取本会次的下一个编号")
    )

    class Meta:
        model = Proposal
        fields = ["session", "lead", "title", "body", "category", "period", "is_key", "submitted_on"]
        widgets = {"submitted_on": DateInput(), "body": forms.Textarea(attrs={"rows": 8})}

    field_order = ["session", "serial", "lead", "cosigner_names", "title", "body", "category", "period", "is_key"]

    def __init__(self, *args, bodies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = Session.objects.filter(body__in=bodies)
        self.fields["session"].initial = registration.current_session(bodies)
        self.fields["lead"].queryset = Member.objects.filter(body__in=bodies).order_by("body", "name", "group")
        self.fields["lead"].label_from_instance = lambda m: registration.choice_label(m, bodies=bodies)
        self.fields["category"].empty_label = _("（未分类）")
        self.fields["submitted_on"].initial = timezone.localdate()
        # The page's script turns these into searchable pickers; without it they stay a select and a text box.
        self.fields["lead"].widget.attrs["data-picker"] = "select"
        self.fields["cosigner_names"].widget.attrs.update(
            {"data-picker": "members", "data-search-url": reverse("proposals:member_search"), "autocomplete": "off"}
        )

    def clean(self):
        cleaned = super().clean()
        session, lead = cleaned.get("session"), cleaned.get("lead")
        if session and lead and lead.body != session.body:
            self.add_error("lead", _("领衔人须为本届别的代表或委员。"))
        cleaned["cosigners"] = self._cosigners(session, lead, cleaned.get("cosigner_names", ""))
        serial = cleaned.get("serial")
        if session and serial and Proposal.objects.filter(session=session, serial=serial).exists():
            self.add_error("serial", _("本会次已有该序号的建议提案。"))
        return cleaned

    def number_preview(self):
        """The number the register would give now for the chosen (or pre-selected) session and serial."""
        field = self["session"]
        session = self.fields["session"].queryset.filter(pk=field.value() or 0).first() if field.value() else None
        if session is None:
            return None
        serial = self["serial"].value()
        serial = int(serial) if str(serial or "").isdigit() and int(serial) > 0 else None
        return Proposal.objects.next_number(session, serial=serial)[1]

    def _cosigners(self, session, lead, text):
        names = registration.split_names(text)
        if not names or session is None:
            return []
        found = registration.resolve(session.body, names)
        for message in found.messages():
            self.add_error("cosigner_names", message)
        for message in registration.order_errors(lead, found.members):
            self.add_error("cosigner_names", message)
        return [] if self.has_error("cosigner_names") else found.members


class AssignForm(forms.ModelForm):
    """交办 one unit with its role; the deadline follows the session's rules unless given."""

    class Meta:
        model = Assignment
        fields = ["unit", "role", "assigned_on", "due_on"]
        widgets = {"assigned_on": DateInput(), "due_on": DateInput()}

    def __init__(self, *args, proposal, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposal = proposal
        self.fields["unit"].queryset = HandlingUnit.objects.exclude(assignments__proposal=proposal)
        self.fields["assigned_on"].initial = timezone.localdate()
        self.fields["due_on"].required = False
        self.fields["due_on"].help_text = _("留空则按会次规定自动计算")

    def clean(self):
        cleaned = super().clean()
        role, assigned_on, due_on = cleaned.get("role"), cleaned.get("assigned_on"), cleaned.get("due_on")
        if role and assigned_on and not due_on:
            cleaned["due_on"] = self.proposal.session.due_on(assigned_on, role)
        elif assigned_on and due_on and due_on < assigned_on:
            self.add_error("due_on", _("办理期限不能早于交办日期。"))
        leads = self.proposal.assignments.filter(role=AssignmentRole.LEAD).exclude(status=AssignmentStatus.RETURNED)
        if role == AssignmentRole.LEAD and leads.exists():
            self.add_error("role", _("该件已有主办单位；如需更换，请先退回原主办单位。"))
        return cleaned

    def _post_clean(self):
        self.instance.proposal = self.proposal
        super()._post_clean()


class UnitSettingsForm(forms.ModelForm):
    """What a unit sets for its own letters: the 文号 prefix, its code for 索引号, the 附注 contact."""

    class Meta:
        model = HandlingUnit
        fields = ["doc_prefix", "disclosure_code", "contact_person", "contact_phone"]

    def clean_doc_prefix(self):
        prefix = self.cleaned_data["doc_prefix"].strip()
        if any(mark in prefix for mark in "〔〕[]()（）") or any(c.isdigit() for c in prefix):
            raise forms.ValidationError(_("只填前缀（如：黄经信函），年份和序号在签发时自动加上。"))
        return prefix

    def clean_disclosure_code(self):
        code = self.cleaned_data["disclosure_code"].strip()
        if code and not all(c.isalnum() or c in "-." for c in code):
            raise forms.ValidationError(_("只能使用字母、数字、连字符和点。"))
        return code


class ProposalEditForm(forms.ModelForm):
    """The office corrects a registered proposal: what it says and who proposed it, not its number.

    The co-signers are written as on the registration page (in order, 、 or commas between them)
    and matched the same way (`registration.resolve`)."""

    cosigner_names = forms.CharField(
        label=_("联名人"),
        required=False,
        max_length=2000,
        help_text=_("按联名顺序填写姓名，用顿号或逗号分隔；同名者写明界别，如：王秋红（经济界）"),
    )

    class Meta:
        model = Proposal
        fields = ["lead", *Proposal.AMENDABLE]
        widgets = {"submitted_on": DateInput(), "body": forms.Textarea(attrs={"rows": 8})}

    field_order = ["lead", "cosigner_names", *Proposal.AMENDABLE]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        body = self.instance.session.body
        lead: forms.ModelChoiceField = self.fields["lead"]  # type: ignore[assignment]
        lead.queryset = Member.objects.filter(body=body).order_by("name", "group")
        lead.label_from_instance = lambda m: registration.choice_label(m, bodies=[body])  # type: ignore[method-assign]
        self.fields["category"].empty_label = _("（未分类）")  # type: ignore[attr-defined]
        self.initial.setdefault(
            "cosigner_names",
            "、".join(
                registration.choice_label(link.member, bodies=[body]) for link in self.instance.cosigner_links.all()
            ),
        )

    def clean(self):
        cleaned = super().clean()
        names = registration.split_names(cleaned.get("cosigner_names", ""))
        found = registration.resolve(self.instance.session.body, names) if names else None
        for message in found.messages() if found else ():
            self.add_error("cosigner_names", message)
        members = found.members if found else []
        for message in registration.order_errors(cleaned.get("lead"), members):
            self.add_error("cosigner_names", message)
        cleaned["cosigners"] = members
        return cleaned


class AssignmentEditForm(forms.Form):
    """The office corrects a 交办 the unit has not signed for: another unit, or another role."""

    unit = forms.ModelChoiceField(HandlingUnit.objects.all(), label=_("承办单位"))
    role = forms.ChoiceField(label=_("办理方式"), choices=AssignmentRole.choices)
    reason = forms.CharField(label=_("更正理由"), max_length=REASON, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, assignment, **kwargs):
        kwargs.setdefault("initial", {"unit": assignment.unit_id, "role": assignment.role})
        super().__init__(*args, **kwargs)
        others = Assignment.objects.filter(proposal_id=assignment.proposal_id).exclude(pk=assignment.pk)
        self.fields["unit"].queryset = HandlingUnit.objects.exclude(pk__in=others.values("unit"))  # type: ignore[attr-defined]
