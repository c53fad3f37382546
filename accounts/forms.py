"""Forms of the accounts app: sign-in steps, enrolment, staff joining and leaving."""

import re

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from proposals.models import HandlingUnit, RoleKind

UNIT_ROLES = [(RoleKind.CLERK.value, RoleKind.CLERK.label), (RoleKind.SIGNER.value, RoleKind.SIGNER.label)]


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("验证码或恢复码"),
        max_length=16,
        # Not inputmode=numeric: recovery codes have letters.
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "autofocus": True}),
    )

    def clean_token(self):
        return re.sub(r"\s+", "", self.cleaned_data["token"])


class EnrolForm(forms.Form):
    token = forms.CharField(
        label=_("验证器显示的 6 位数字"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_token(self):
        token = re.sub(r"\s+", "", self.cleaned_data["token"])
        if not token.isdigit():
            raise forms.ValidationError(_("请输入验证器上显示的数字。"))
        return token


def normalise_phone(value):
    """Digits of a mainland mobile number (11 digits starting with 1), or ''."""
    digits = re.sub(r"\D", "", value or "")
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits if re.fullmatch(r"1\d{10}", digits) else ""


class CodeRequestForm(forms.Form):
    identifier = forms.CharField(
        label=_("登记的手机号码或电子邮箱"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )

    def clean_identifier(self):
        value = self.cleaned_data["identifier"].strip()
        if "@" in value:
            try:
                validate_email(value)
            except forms.ValidationError:
                raise forms.ValidationError(_("请输入正确的电子邮箱地址。")) from None
            self.channel = "email"
            return value.lower()
        phone = normalise_phone(value)
        if not phone:
            raise forms.ValidationError(_("请输入 11 位手机号码或电子邮箱地址。"))
        self.channel = "sms"
        return phone


class CodeForm(forms.Form):
    identifier = forms.CharField(widget=forms.HiddenInput, max_length=254)
    code = forms.CharField(
        label=_("验证码"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise forms.ValidationError(_("验证码是 6 位数字。"))
        return code


class AddStaffForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("承办单位"), queryset=HandlingUnit.objects.all())
    kind = forms.ChoiceField(label=_("角色"), choices=UNIT_ROLES)
    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        help_text=_("已有账号填其用户名；新人员填新用户名（与统一身份认证的登录名一致时，单点登录直接对应）。"),
    )
    full_name = forms.CharField(label=_("姓名"), max_length=150, required=False, help_text=_("新账号必填"))
    email = forms.EmailField(label=_("电子邮箱"), required=False)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if not re.fullmatch(r"[\w.@+-]+", username):
            raise forms.ValidationError(_("用户名只能包含字母、数字和 @.+-_。"))
        return username

    def clean(self):
        data = super().clean()
        username = data.get("username")
        if username and not data.get("full_name"):
            if not get_user_model().objects.filter(username=username).exists():
                self.add_error("full_name", _("新账号须填写姓名。"))
        return data


class SuccessorForm(forms.Form):
    """Who takes over the open work; the choices are the colleagues who could."""

    successor = forms.ModelChoiceField(label=_("工作移交给"), queryset=get_user_model().objects.none(), required=False)
    note = forms.CharField(label=_("说明"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, colleagues, need_successor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = colleagues
        self.fields["successor"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["successor"].required = need_successor
        self.fields["successor"].empty_label = _("（请选择）")
