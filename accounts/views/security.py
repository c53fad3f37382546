"""账号安全: the second factor (enrol, recovery codes), the user's sessions and recent sign-ins."""

import base64
import uuid

import segno
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .. import second_factor, sessions
from ..forms import EnrolForm
from ..models import EndReason, LoginEvent, LoginEventKind, UserSession
from .signin import _next


@never_cache
def account(request):
    user = request.user
    context = {
        "has_device": second_factor.has_device(user),
        "required": second_factor.required_for(user),
        "recovery_left": second_factor.unused_recovery_codes(user),
        "sessions": sessions.listed(user)[:50],
        "current_id": uuid.UUID(sessions.current_id(request)) if sessions.current_id(request) else None,
        "events": LoginEvent.objects.filter(user=user)[:20],
        "has_password": user.has_usable_password(),
    }
    return render(request, "accounts/account.html", context)


def _qr_image(url):
    """The otpauth URL as a PNG data URI (the CSP allows data: images; no markup is built)."""
    return segno.make(url, error="m").png_data_uri(scale=6, border=2)


def _grouped(secret):
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
def enrol(request):
    """Scan the QR code with an authenticator app, type the code it shows, get recovery codes once."""
    user = request.user
    if second_factor.has_device(user) and not second_factor.is_verified(user):
        return redirect("accounts:verify")
    device = second_factor.totp_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=second_factor.DEVICE_NAME, confirmed=False)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            codes = second_factor.new_recovery_codes(user)
            LoginEvent.objects.record(kind=LoginEventKind.OTP_ENROLLED, request=request, user=user)
            return render(
                request, "accounts/recovery_codes.html", {"codes": codes, "next": _next(request, ""), "fresh": True}
            )
        form.add_error("token", _("验证码不正确：请确认手机时间准确，再输入验证器上当前显示的 6 位数字。"))
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    context = {
        "form": form,
        "qr": _qr_image(device.config_url),
        "secret": _grouped(secret),
        "next": _next(request, ""),
        "required": second_factor.required_for(user),
    }
    return render(request, "accounts/enrol.html", context)


@require_POST
def recovery_codes(request):
    """New recovery codes (the old ones stop working); needs a verified sign-in."""
    if not second_factor.is_verified(request.user):
        return redirect("accounts:verify")
    codes = second_factor.new_recovery_codes(request.user)
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": "", "fresh": False})


@require_POST
def disable_second_factor(request):
    user = request.user
    if second_factor.required_for(user):
        messages.error(request, _("您的岗位必须使用两步验证，不能停用。"))
        return redirect("accounts:account")
    if not second_factor.is_verified(user):
        return redirect("accounts:verify")
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    LoginEvent.objects.record(kind=LoginEventKind.OTP_RESET, request=request, user=user)
    messages.success(request, _("已停用两步验证。"))
    return redirect("accounts:account")


@require_POST
def end_session(request, pk):
    row = get_object_or_404(UserSession.objects.active(), pk=pk, user=request.user)
    if str(row.pk) == sessions.current_id(request):
        sessions.sign_out(request, EndReason.LOGOUT)
        return redirect("login")
    sessions.end(row, EndReason.BY_USER)
    messages.success(request, _("已结束该会话：那台设备下次操作时需要重新登录。"))
    return redirect("accounts:account")


@require_POST
def sign_out_everywhere(request):
    """在所有设备上退出: every session of this user ends, this one too."""
    sessions.end_all(request.user, EndReason.EVERYWHERE, keep_id=sessions.current_id(request))
    sessions.sign_out(request, EndReason.EVERYWHERE)
    messages.info(request, _("已在所有设备上退出。"))
    return redirect("login")
