"""Forms of the replies app. Each names its fields; unit, status and round never come from a POST."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from proposals.forms import DateInput
from proposals.limits import REASON
from proposals.models import RoleKind

from . import body
from .models import CoHandlingOpinion, ContactRecord, ParagraphTemplate, Reply, ResultClass, contact_date_problem


class ContactForm(forms.ModelForm):
    class Meta:
        model = ContactRecord
        fields = ["contacted_on", "method", "participants", "summary"]
        widgets = {"contacted_on": DateInput(), "summary": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, assignment, **kwargs):
        super().__init__(*args, **kwargs)
        self.assignment = assignment

    def clean_contacted_on(self):
        day = self.cleaned_data["contacted_on"]
        if problem := contact_date_problem(self.assignment, day):
            raise forms.ValidationError(problem)
        return day


class NoteForm(forms.Form):
    note = forms.CharField(label=_("退回意见"), max_length=REASON, widget=forms.Textarea(attrs={"rows": 3}))


class WithdrawForm(forms.Form):
    note = forms.CharField(
        label=_("撤回理由"), required=False, max_length=REASON, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReviewForm(forms.Form):
    result_class = forms.ChoiceField(label=_("答复类别"), choices=ResultClass.choices)


class ReplyForm(forms.ModelForm):
    """The draft letter. `version` is the optimistic lock: a stale one leads to the conflict page."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = Reply
        fields = [
            "title",
            "addressees",
            "body",
            "result_class",
            "signer",
            "written_on",
            "closing_name",
            "contact_person",
            "contact_phone",
            "cc",
            "publication",
        ]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 16}),
            "written_on": DateInput(),
        }

    def __init__(self, *args, assignment, **kwargs):
        super().__init__(*args, **kwargs)
        User = get_user_model()
        self.fields["signer"].queryset = User.objects.filter(
            banli_roles__kind=RoleKind.SIGNER, banli_roles__unit=assignment.unit
        ).distinct()
        self.fields["signer"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["signer"].empty_label = _("（签发时确定）")
        self.fields["result_class"].choices = [("", _("（待定）")), *ResultClass.choices]
        self.fields["version"].initial = self.instance.version
        self.fields["publication"].help_text = _(
            "主动公开的答复，须所有答复对象均同意公开后才会公开，并在公开时自动编排索引号。"
        )
        self.fields["body"].help_text = _(
            "每段一行。以“一、”“（一）”“1.”开头的段落按一、二、三级标题排版，其后第一句为标题、接着写正文；"
            "段落间的空格与半角标点会按公文习惯整理。"
        )
        if self.instance.pk and not self.is_bound:
            self.initial["body"] = body.plain_text(self.instance.structure)

    def clean_body(self):
        """The text as paragraphs with levels; unchanged paragraphs keep the levels they had."""
        previous = self.instance.structure
        self.body_paragraphs = body.paragraphs_from_text(self.cleaned_data["body"], previous=previous)
        if not self.body_paragraphs:
            raise forms.ValidationError(_("请填写正文。"))
        return body.plain_text(self.body_paragraphs)

    def reply_fields(self):
        """What the steps (Reply.objects.start_draft, Reply.save_draft) write: the fields and the structure."""
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields}
        fields["body_paragraphs"] = self.body_paragraphs
        return fields


class CoOpinionForm(forms.ModelForm):
    class Meta:
        model = CoHandlingOpinion
        fields = ["body", "contact_person", "contact_phone"]
        widgets = {"body": forms.Textarea(attrs={"rows": 10})}


SCAN_SIGNATURES = {
    b"%PDF-": "pdf",
    b"\xff\xd8\xff": "jpeg",
    b"\x89PNG\r\n\x1a\n": "png",
}


class ScanForm(forms.ModelForm):
    class Meta:
        model = Reply
        fields = ["sealed_scan"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sealed_scan"].required = True
        self.fields["sealed_scan"].widget = forms.FileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"})

    def clean_sealed_scan(self):
        upload = self.cleaned_data["sealed_scan"]
        if upload.size > settings.BANLI_SCAN_MAX_BYTES:
            raise forms.ValidationError(
                _("文件过大：不能超过 %(mb)s MB。") % {"mb": settings.BANLI_SCAN_MAX_BYTES // (1024 * 1024)}
            )
        head = upload.read(16)
        upload.seek(0)
        if not any(head.startswith(magic) for magic in SCAN_SIGNATURES):
            raise forms.ValidationError(_("只能上传 PDF、JPEG 或 PNG 格式的盖章扫描件。"))
        return upload


class ParagraphTemplateForm(forms.ModelForm):
    class Meta:
        model = ParagraphTemplate
        fields = ["title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}
