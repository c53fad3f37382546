"""Forms of graded 督办: a manual 督办, a session's ladder (levels and rules), 重点督办 topics."""

import re

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.forms import modelformset_factory
from django.utils.translation import gettext_lazy as _

from proposals.forms import DateInput
from proposals.limits import REASON
from proposals.models import HandlingUnit, Proposal, Session

from .models import Commitment, EscalationLevel, EscalationRule, KeyTopic, MeetingRule


class EscalateForm(forms.Form):
    level = forms.ModelChoiceField(label=_("督办级别"), queryset=EscalationLevel.objects.none(), empty_label=None)
    reason = forms.CharField(
        label=_("督办事由"),
        max_length=REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写督办事由。")},
    )
    leader = forms.CharField(
        label=_("督办领导"),
        max_length=60,
        required=False,
        help_text=_("须由领导督办的级别须写明（不填则用该级别设定的督办领导），如：市政府副市长 李明"),
    )

    def __init__(self, *args, session, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        levels = session.escalation_levels.order_by("rank")
        self.fields["level"].queryset = levels
        self.fields["level"].label_from_instance = lambda level: level.name
        # A hand-raised 督办 usually goes one level up from where the share stands.
        if current is not None and "level" not in self.initial:
            self.initial["level"] = (levels.filter(rank__gt=current.rank).first() or current).pk

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("请填写督办事由。"))
        return reason

    def clean(self):
        data = super().clean()
        level = data.get("level")
        if level is not None and level.needs_leader and not (data.get("leader") or level.leader).strip():
            self.add_error("leader", _("%(level)s须写明督办领导。") % {"level": level.name})
        return data


def bounded(field, low, high):
    """Keep a number field within what the database accepts, with the message next to the field."""
    field.validators += [MinValueValidator(low), MaxValueValidator(high)]
    field.widget.attrs.update(min=low, max=high)


class LevelForm(forms.ModelForm):
    class Meta:
        model = EscalationLevel
        fields = ["rank", "name", "needs_leader", "leader"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bounded(self.fields["rank"], 1, 20)


class RuleForm(forms.ModelForm):
    class Meta:
        model = EscalationRule
        fields = ["offset_days", "level", "notify"]

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.session = session
        self.fields["level"].queryset = session.escalation_levels.order_by("rank")
        self.fields["level"].label_from_instance = lambda level: level.name
        bounded(self.fields["offset_days"], -365, 365)


class BaseLadderFormSet(forms.BaseModelFormSet):
    """Rows of one session; what the database keeps unique is checked here first, in Chinese."""

    unique_field = ""
    duplicate_message = ""

    def __init__(self, *args, session, **kwargs):
        self.session = session
        super().__init__(*args, **kwargs)

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.instance.session = self.session
        return form

    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if not form.has_changed() and not form.instance.pk:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            value = form.cleaned_data.get(self.unique_field)
            if value in seen:
                form.add_error(self.unique_field, self.duplicate_message)
            seen.add(value)

    def validate_unique(self):
        # Unique per session: checked in clean() (the session is not a field of these forms).
        return None


class LevelFormSet(BaseLadderFormSet):
    unique_field = "rank"
    duplicate_message = _("级别不能重复。")

    def clean(self):
        super().clean()
        names = [f.cleaned_data.get("name") for f in self.forms if f.cleaned_data and not self._should_delete_form(f)]
        if len([n for n in names if n]) != len({n for n in names if n}):
            raise forms.ValidationError(_("级别名称不能重复。"))


class RuleFormSet(BaseLadderFormSet):
    unique_field = "offset_days"
    duplicate_message = _("同一天只能有一条规则。")

    def get_form_kwargs(self, index):
        return {"session": self.session}


LevelFormSetFactory = modelformset_factory(
    EscalationLevel, form=LevelForm, formset=LevelFormSet, extra=1, can_delete=False, max_num=10, validate_max=True
)
RuleFormSetFactory = modelformset_factory(
    EscalationRule, form=RuleForm, formset=RuleFormSet, extra=1, can_delete=True, max_num=20, validate_max=True
)


TOPIC_MAX_PROPOSALS = 300
NUMBER_SEPARATORS = re.compile(r"[\s,，、；;]+")


class TopicForm(forms.ModelForm):
    """A topic and its proposals, named by their numbers as printed (委员提案〔2026〕12号) or serials (12)."""

    numbers = forms.CharField(
        label=_("建议提案编号"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=6000,
        help_text=_("每行一个，或用顿号、逗号分隔；可写编号全称或序号"),
        error_messages={"required": _("请填写专题包含的建议提案编号。")},
    )

    class Meta:
        model = KeyTopic
        fields = ["session", "title", "leader", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = sessions
        self.fields["session"].empty_label = None
        if self.instance.pk:
            self.fields["session"].disabled = True
            self.fields["numbers"].initial = "\n".join(
                self.instance.proposals.order_by("serial").values_list("number", flat=True)
            )

    def clean_numbers(self):
        tokens = [t for t in NUMBER_SEPARATORS.split(self.cleaned_data["numbers"]) if t]
        if len(tokens) > TOPIC_MAX_PROPOSALS:
            raise forms.ValidationError(_("一个专题最多 %(n)s 件。") % {"n": TOPIC_MAX_PROPOSALS})
        return list(dict.fromkeys(tokens))

    def clean(self):
        data = super().clean()
        session, tokens = data.get("session"), data.get("numbers")
        if not session or not tokens:
            return data
        serials = [int(t) for t in tokens if t.isdigit()]
        named = [t for t in tokens if not t.isdigit()]
        found = list(Proposal.objects.filter(session=session).filter(Q(number__in=named) | Q(serial__in=serials)))
        known = {p.number for p in found} | {str(p.serial) for p in found}
        missing = [t for t in tokens if t not in known]
        if missing:
            self.add_error(
                "numbers",
                _("该会次没有这些编号：%(numbers)s") % {"numbers": "、".join(missing[:20])},
            )
        data["proposals"] = found
        return data


class MeetingRuleForm(forms.ModelForm):
    class Meta:
        model = MeetingRule
        fields = ["first_contact_days", "face_to_face_for_key"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bounded(self.fields["first_contact_days"], 1, 365)


# --- 承诺事项 -------------------------------------------------------------------------------------


class CommitmentForm(forms.ModelForm):
    """A commitment of a reply; the unit is one of those handling the proposal."""

    class Meta:
        model = Commitment
        fields = ["text", "due_on", "unit"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3}), "due_on": DateInput()}
        help_texts = {"text": _("如：2027年6月底前完成老旧小区雨污分流改造一期")}

    def __init__(self, *args, assignment, **kwargs):
        super().__init__(*args, **kwargs)
        units = HandlingUnit.objects.filter(assignments__proposal=assignment.proposal).distinct().order_by("name")
        self.fields["unit"].queryset = units
        self.fields["unit"].empty_label = None
        self.fields["unit"].initial = assignment.unit_id
        self.fields["text"].error_messages["required"] = _("请填写承诺事项。")
        self.fields["due_on"].error_messages["required"] = _("请填写承诺完成时限。")

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError(_("请填写承诺事项。"))
        return text


class CommitmentNoteForm(forms.Form):
    """A progress report, a 销号 note or the reason to reopen: one text (required unless `optional`)."""

    note = forms.CharField(label=_("说明"), max_length=REASON, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, label, optional=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].label = label
        self.fields["note"].required = not optional
        self.fields["note"].error_messages["required"] = _("请填写%(what)s。") % {"what": label}


class CommitmentReopenForm(CommitmentNoteForm):
    due_on = forms.DateField(label=_("新的完成时限"), required=False, widget=DateInput(), help_text=_("不改则留空"))


class CommitmentFilterForm(forms.Form):
    STATES = [
        ("open", _("未销号")),
        ("overdue", _("已超期未销号")),
        ("closed", _("已销号")),
        ("all", _("全部")),
    ]
    state = forms.ChoiceField(label=_("状态"), choices=STATES, required=False)
    unit = forms.ModelChoiceField(label=_("承诺单位"), queryset=HandlingUnit.objects.none(), required=False)
    session = forms.ModelChoiceField(label=_("会次"), queryset=Session.objects.none(), required=False)

    def __init__(self, *args, units, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["session"].queryset = sessions
