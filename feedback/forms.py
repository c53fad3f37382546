"""The feedback form as the member fills it in online, and as the office enters a paper form.

Plain forms rather than ModelForms: the printed form's rows (a row of method boxes, one
choice per row) do not map one-to-one onto the model's columns; `fill()` does that mapping.
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from proposals.forms import DateInput
from proposals.i18n import in_chinese
from proposals.limits import REASON, SUMMARY
from replies.models import ContactMethod

from . import signatures
from .models import HandlingEffect, Satisfaction

PUBLISH_CHOICES = [("yes", _("是")), ("no", _("否"))]
METHOD_FIELDS = {
    ContactMethod.VISIT: "by_visit",
    ContactMethod.MEETING: "by_meeting",
    ContactMethod.PHONE: "by_phone",
    ContactMethod.LETTER: "by_letter",
    ContactMethod.FORUM: "by_forum",
    ContactMethod.OTHER: "by_other",
}
OPINION_MAX_LENGTH = SUMMARY
ONLY_ONE = _("只能选择一项")


class StrictRadioSelect(forms.RadioSelect):
    """Hands every submitted value to the field, so two values are seen instead of silently taking one."""

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        values = [v for v in values if v not in (None, "")]
        if len(values) > 1:
            return values
        return values[0] if values else None


class SingleChoiceField(forms.ChoiceField):
    """Exactly one of the choices; a POST carrying two is refused with 「只能选择一项」."""

    widget = StrictRadioSelect

    def to_python(self, value):
        if isinstance(value, list):
            raise ValidationError(ONLY_ONE, code="only_one")
        return super().to_python(value)


class FeedbackContentForm(forms.Form):
    methods = forms.MultipleChoiceField(
        label=_("沟通方式"),
        choices=ContactMethod.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少选择一种沟通方式")},
    )
    other_method = forms.CharField(label=_("其他方式（选“其他”时填写）"), max_length=100, required=False)
    handling_effect = SingleChoiceField(
        label=_("办理效果"), choices=HandlingEffect.choices, error_messages={"required": _("请选择办理效果")}
    )
    satisfaction = SingleChoiceField(
        label=_("办理评价"), choices=Satisfaction.choices, error_messages={"required": _("请选择办理评价")}
    )
    publish_consent = SingleChoiceField(
        label=_("是否公开"), choices=PUBLISH_CHOICES, error_messages={"required": _("请选择是否公开")}
    )
    opinion = forms.CharField(
        label=_("对办理情况的意见"),
        required=False,
        max_length=OPINION_MAX_LENGTH,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"max_length": _("意见不能超过 %(limit_value)d 字（现有 %(show_value)d 字）")},
    )

    def clean(self):
        data = super().clean()
        if ContactMethod.OTHER in data.get("methods", []) and not data.get("other_method", "").strip():
            self.add_error("other_method", _("选择“其他”时请写明沟通方式"))
        if data.get("satisfaction") == Satisfaction.DISSATISFIED and not data.get("opinion", "").strip():
            self.add_error("opinion", _("选择“不满意”时，请写明对办理情况的意见"))
        return data

    def fill(self, feedback):
        data = self.cleaned_data
        for method, field in METHOD_FIELDS.items():
            setattr(feedback, field, method in data["methods"])
        feedback.other_method = data["other_method"].strip() if ContactMethod.OTHER in data["methods"] else ""
        feedback.handling_effect = data["handling_effect"]
        feedback.satisfaction = data["satisfaction"]
        feedback.publish_consent = data["publish_consent"] == "yes"
        feedback.opinion = data["opinion"]


class OnlineFeedbackForm(FeedbackContentForm):
    """What the member submits: the content plus a signature, drawn or uploaded."""

    signature_data = forms.CharField(required=False, widget=forms.HiddenInput)
    signature_file = forms.FileField(
        label=_("或上传签名图片"),
        required=False,
        help_text=_("PNG 或 JPEG，不超过 2 MB"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )

    def clean_signature_file(self):
        upload = self.cleaned_data.get("signature_file")
        if upload and upload.size > settings.BANLI_SIGNATURE_MAX_BYTES:
            raise ValidationError(_("签名图片不能超过 2 MB"), code="too_large")
        return upload

    def clean(self):
        data = super().clean()
        upload = data.get("signature_file")
        drawn = data.get("signature_data", "")
        if "signature_file" in self.errors:
            return data
        try:
            if upload:
                upload.seek(0)
                self.signature_png = signatures.reencode(upload.read(settings.BANLI_SIGNATURE_MAX_BYTES + 1))
            elif drawn:
                self.signature_png = signatures.reencode(signatures.from_data_url(drawn), drawn=True)
            else:
                raise ValidationError(_("请在签名框内签名，或上传签名图片"), code="required")
        except ValidationError as error:
            self.add_error("signature_file" if upload else "signature_data", error)
        return data


class DraftForm(forms.Form):
    """A draft as the page saves it while the member types: the same fields, none required, each
    bounded as in the form itself (a single choice may be blank, never two)."""

    methods = forms.MultipleChoiceField(choices=ContactMethod.choices, required=False)
    other_method = forms.CharField(max_length=100, required=False, strip=False)
    handling_effect = forms.ChoiceField(choices=[("", ""), *HandlingEffect.choices], required=False)
    satisfaction = forms.ChoiceField(choices=[("", ""), *Satisfaction.choices], required=False)
    publish_consent = forms.ChoiceField(choices=[("", ""), *PUBLISH_CHOICES], required=False)
    opinion = forms.CharField(max_length=OPINION_MAX_LENGTH, required=False, strip=False)

    def initial_for_form(self):
        """The saved answers as the form's `initial` (blank ones left out)."""
        return {name: value for name, value in self.cleaned_data.items() if value not in ("", [], None)}


class ResolveForm(forms.Form):
    """The answer the office confirmed with the member for a 待核实 paper form, and how."""

    handling_effect = forms.ChoiceField(label=_("办理效果"), choices=HandlingEffect.choices, widget=forms.RadioSelect)
    satisfaction = forms.ChoiceField(label=_("办理评价"), choices=Satisfaction.choices, widget=forms.RadioSelect)
    publish_consent = forms.TypedChoiceField(
        label=_("是否公开"), choices=PUBLISH_CHOICES, coerce=lambda value: value == "yes", widget=forms.RadioSelect
    )
    confirmed_via = forms.ChoiceField(label=_("核实方式"), choices=ContactMethod.choices)
    confirmed_on = forms.DateField(label=_("核实日期"), widget=DateInput())
    note = forms.CharField(
        label=_("核实情况"),
        max_length=REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("与谁、如何核实，委员本人的确认意见"),
    )

    def __init__(self, *args, feedback, **kwargs):
        super().__init__(*args, **kwargs)
        # Start from what the member ticked without doubt; the doubtful rows stay to be chosen.
        effect, satisfaction, consent = feedback.handling_effect, feedback.satisfaction, feedback.publish_consent
        self.initial.setdefault("handling_effect", effect or None)
        self.initial.setdefault("satisfaction", satisfaction or None)
        self.initial.setdefault("publish_consent", {True: "yes", False: "no"}.get(consent))
        self.initial.setdefault("confirmed_on", timezone.localdate())


class PaperFeedbackForm(forms.Form):
    """The office types in a paper form exactly as ticked; two ticks in a row are kept as a question."""

    member = forms.ModelChoiceField(label=_("代表委员"), queryset=None, empty_label=None)
    methods = forms.MultipleChoiceField(
        label=_("沟通方式"), choices=ContactMethod.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    other_method = forms.CharField(label=_("其他方式"), max_length=100, required=False)
    handling_effect = forms.MultipleChoiceField(
        label=_("办理效果"), choices=HandlingEffect.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    satisfaction = forms.MultipleChoiceField(
        label=_("办理评价"), choices=Satisfaction.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    publish_consent = forms.MultipleChoiceField(
        label=_("是否公开"), choices=PUBLISH_CHOICES, widget=forms.CheckboxSelectMultiple, required=False
    )
    opinion = forms.CharField(
        label=_("对办理情况的意见"), required=False, max_length=OPINION_MAX_LENGTH, strip=False, widget=forms.Textarea
    )
    signed_on = forms.DateField(
        label=_("委员签名日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("请填写纸质表上委员签名的日期。")},
    )
    paper_scan = forms.FileField(
        label=_("纸质表扫描件"),
        error_messages={"required": _("请上传纸质表的扫描件（原件存档）。")},
        help_text=_("PDF、PNG 或 JPEG，不超过 10 MB"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members

    def clean_paper_scan(self):
        scan = self.cleaned_data["paper_scan"]
        if scan.size > settings.BANLI_PAPER_SCAN_MAX_BYTES:
            raise ValidationError(_("扫描件不能超过 10 MB"), code="too_large")
        head = scan.read(8)
        scan.seek(0)
        if not (
            head.startswith(b"%PDF-") or head.startswith(signatures.PNG_SIGNATURE) or head.startswith(b"\xff\xd8\xff")
        ):
            raise ValidationError(_("扫描件只能是 PDF、PNG 或 JPEG 文件"), code="format")
        return scan

    @in_chinese
    def attention_note(self):
        data, notes = self.cleaned_data, []
        for name in ("handling_effect", "satisfaction", "publish_consent"):
            ticked = data[name]
            label = self.fields[name].label
            if len(ticked) > 1:
                labels = "、".join(f"“{dict(self.fields[name].choices)[t]}”" for t in ticked)
                notes.append(_("纸质表“%(row)s”同时勾选了%(ticks)s，需与委员核实。") % {"row": label, "ticks": labels})
            elif not ticked:
                notes.append(_("纸质表未勾选“%(row)s”。") % {"row": label})
        return "".join(str(n) for n in notes)

    def answers(self):
        """The form as ticked, as Feedback fields: a row with no tick or several stays empty and is flagged."""
        data = self.cleaned_data
        consent = data["publish_consent"]
        return {
            **{field: method in data["methods"] for method, field in METHOD_FIELDS.items()},
            "other_method": data["other_method"].strip(),
            "handling_effect": data["handling_effect"][0] if len(data["handling_effect"]) == 1 else "",
            "satisfaction": data["satisfaction"][0] if len(data["satisfaction"]) == 1 else "",
            "publish_consent": (consent[0] == "yes") if len(consent) == 1 else None,
            "opinion": data["opinion"],
            "needs_attention": self.attention_note(),
        }
