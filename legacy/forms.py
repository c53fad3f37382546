from django import forms
from django.utils.translation import gettext_lazy as _

from proposals.limits import LETTER
from proposals.models import HandlingUnit
from replies.models import DocNumber, Reply, ResultClass

MAX_FILES = 50


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".txt,.docx"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        # Empty or unreadable files are not form errors: the importer explains each one by name.
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(files) > MAX_FILES:
            raise forms.ValidationError(_("一次最多导入 %(n)s 个文件。"), params={"n": MAX_FILES})
        return files


class UploadForm(forms.Form):
    files = MultipleFileField(
        label=_("答复文件"),
        help_text=_("可多选；支持 .txt（UTF-8 或 GB18030）与 .docx，每个文件不超过 5 MB。"),
        error_messages={"required": _("请选择要导入的文件。")},
    )


class ReviewForm(forms.Form):
    """What a person checks against the source text; saved into the draft reply and proposal."""

    proposal_title = forms.CharField(label=_("案由"), max_length=200)
    proposal_number = forms.CharField(label=_("建议提案编号"), max_length=60, required=False)
    addressees = forms.CharField(label=_("主送"), max_length=300, help_text=_("如：程玮、王秋红委员；第一位为领衔人。"))
    unit = forms.ModelChoiceField(label=_("承办单位"), queryset=HandlingUnit.objects.order_by("name"))
    reply_title = forms.CharField(label=_("答复标题"), max_length=200)
    doc_number = forms.CharField(label=_("文号"), max_length=60, required=False)
    written_on = forms.DateField(
        label=_("成文日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    result_class = forms.ChoiceField(
        label=_("答复类别"), choices=[("", _("（未标注）")), *ResultClass.choices], required=False
    )
    contact_person = forms.CharField(label=_("联系人"), max_length=40, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=40, required=False)
    body = forms.CharField(label=_("答复正文"), max_length=LETTER, widget=forms.Textarea(attrs={"rows": 12}))

    PROPOSAL_FIELDS = ("proposal_title", "proposal_number", "addressees")
    ASSIGNMENT_FIELDS = ("unit",)
    REPLY_FIELDS = (
        "reply_title",
        "doc_number",
        "written_on",
        "result_class",
        "contact_person",
        "contact_phone",
        "body",
    )

    def __init__(self, *args, proposal, reply, editable_proposal, editable_assignment, editable_reply, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposal, self.reply = proposal, reply
        for names, editable in (
            (self.PROPOSAL_FIELDS, editable_proposal),
            (self.ASSIGNMENT_FIELDS, editable_assignment),
            (self.REPLY_FIELDS, editable_reply),
        ):
            for name in names:
                self.fields[name].disabled = not editable

    def clean_proposal_number(self):
        number = self.cleaned_data["proposal_number"].strip()
        if self.fields["proposal_number"].disabled or not number or self.proposal is None:
            return number
        taken = (
            type(self.proposal)
            .objects.filter(session=self.proposal.session, number=number)
            .exclude(pk=self.proposal.pk)
            .exists()
        )
        if taken:
            raise forms.ValidationError(_("本会次已有编号为“%(number)s”的建议提案。"), params={"number": number})
        return number

    def clean_doc_number(self):
        """A 文号 is borne by one letter: not one the register gave, nor another letter's."""
        number = self.cleaned_data["doc_number"].strip()
        if self.fields["doc_number"].disabled or not number:
            return number
        others = Reply.objects.filter(doc_number=number)
        if self.reply is not None:
            others = others.exclude(pk=self.reply.pk)
        if DocNumber.objects.filter(number=number).exists() or others.exists():
            raise forms.ValidationError(
                _("文号“%(number)s”已由另一份答复函使用，请与原件核对。"), params={"number": number}
            )
        return number

    def clean_addressees(self):
        from .extract import parse_addressees

        line = self.cleaned_data["addressees"].strip().rstrip("：:")
        if not parse_addressees(line)["people"]:
            raise forms.ValidationError(_("请写出至少一位代表委员或单位的名称。"))
        return line


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("不导入的原因"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请写明原因，例如“这是工作报告，不是答复函”。")},
    )
