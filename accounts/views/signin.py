"""Signing in and out: password (throttled), the second factor, members' one-time codes."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.mail import send_mail
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token

from notifications.sms import send_sms
from proposals.i18n import stored_text
from proposals.limits import typed
from proposals.models import Member

from .. import second_factor, sessions, throttle
from ..forms import CodeForm, CodeRequestForm, TokenForm, normalise_phone
from ..models import CodeChannel, CodeCheck, EndReason, LoginEvent, LoginEventKind, SignInCode, SignInMethod


def _next(request, default="/"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def _staff_password_refused(user):
    """With SSO on and staff passwords off, staff sign in through the identity service only
    (superusers keep theirs: the way in when the identity service is down)."""
    if not settings.BANLI_OIDC_ENABLED or settings.BANLI_OIDC_STAFF_PASSWORDS or user.is_superuser:
        return False
    return sessions.is_staff(user)


def _after_sign_in(request, user, default_next):
    """Where a fresh sign-in goes: the second factor first when it is due."""
    next_url = _next(request, default_next)
    if second_factor.needs_verification(user):
        target = "accounts:verify" if second_factor.has_device(user) else "accounts:enrol"
        return redirect(f"{reverse(target)}?next={next_url}")
    return redirect(next_url)


def _login_page(request, form, status=200, **extra):
    context = {
        "form": form,
        "next": _next(request, ""),
        "sso_enabled": settings.BANLI_OIDC_ENABLED,
        "sso_label": settings.BANLI_OIDC_BUTTON_LABEL,
        "sso_failed": request.GET.get("sso") == "failed",
        "username": "",
        **extra,
    }
    return render(request, "registration/login.html", context, status=status)


@login_not_required
@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login(request):
    if request.method != "POST":
        return _login_page(request, AuthenticationForm(request))
    username = typed(request.POST, "username", 150)
    verdict = throttle.check(request, username)
    if not verdict.allowed:
        kind = LoginEventKind.DELAYED if verdict.reason == "username" else LoginEventKind.ADDRESS_LIMITED
        LoginEvent.objects.record(kind=kind, request=request, username=username)
        form = AuthenticationForm(request, initial={"username": username})
        return _login_page(
            request, form, status=429, throttled=verdict.reason, wait_minutes=verdict.wait_minutes, username=username
        )
    form = AuthenticationForm(request, data=request.POST)
    if not form.is_valid():
        LoginEvent.objects.record(
            kind=LoginEventKind.FAILURE,
            request=request,
            username=username,
            device=verdict.device,
            trusted=verdict.trusted,
        )
        return _login_page(request, form)
    user = form.get_user()
    if _staff_password_refused(user):
        LoginEvent.objects.record(kind=LoginEventKind.PASSWORD_REFUSED, request=request, user=user)
        return _login_page(request, AuthenticationForm(request), password_refused=True)
    sessions.login(request, user, SignInMethod.PASSWORD)
    LoginEvent.objects.record(
        kind=LoginEventKind.SUCCESS, request=request, user=user, device=verdict.device, trusted=verdict.trusted
    )
    response = _after_sign_in(request, user, settings.LOGIN_REDIRECT_URL)
    throttle.set_device_cookie(response, request, user.get_username())
    return response


@require_POST
def logout(request):
    """Sign out here; an SSO session also at the identity service when it offers an end-session endpoint."""
    target = reverse("login")
    if request.session.get("oidc_id_token") and settings.BANLI_OIDC_END_SESSION_ENDPOINT:
        from ..oidc import provider_logout_url

        target = provider_logout_url(request)
    sessions.sign_out(request, EndReason.LOGOUT)
    return redirect(target)


@never_cache
def verify(request):
    """The second factor at sign-in: a code from the authenticator, or one recovery code."""
    user = request.user
    if not second_factor.has_device(user):
        return redirect(f"{reverse('accounts:enrol')}?next={_next(request)}")
    if second_factor.is_verified(user):
        return redirect(_next(request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            recovery = device.persistent_id.startswith("otp_static")
            kind = LoginEventKind.RECOVERY_USED if recovery else LoginEventKind.OTP_SUCCESS
            LoginEvent.objects.record(kind=kind, request=request, user=user)
            if recovery:
                left = second_factor.unused_recovery_codes(user)
                messages.warning(
                    request, _("您用了一个恢复码，还剩 %(n)s 个。可在“账号安全”中重新生成。") % {"n": left}
                )
            return redirect(_next(request))
        LoginEvent.objects.record(kind=LoginEventKind.OTP_FAILURE, request=request, user=user)
        form.add_error("token", _("验证码不正确或已使用，请输入验证器上当前显示的数字。"))
    return render(request, "accounts/verify.html", {"form": form, "next": _next(request, "")})


# --- members: a one-time code instead of a password --------------------------------------------


def _members_for(identifier, channel):
    """Members with an active account whose registered phone or e-mail is this one."""
    qs = Member.objects.filter(user__isnull=False, user__is_active=True).select_related("user")
    if channel == CodeChannel.EMAIL:
        return [m for m in qs.filter(email__iexact=identifier)]
    candidates = qs.filter(Q(phone__contains=identifier[-4:]))
    return [m for m in candidates if normalise_phone(m.phone) == identifier]


def _code_text(code):
    with stored_text():
        minutes = settings.BANLI_MEMBER_CODE_MINUTES
        return f"【办理】您的登录验证码是 {code}，{minutes} 分钟内有效。请勿告诉他人；工作人员不会向您索要验证码。"


def _send_code(request, identifier, channel):
    """Send a code when the identifier is one member's; say nothing different either way."""
    address = throttle.client_address(request)
    window = 3600
    if throttle.over_limit(f"code-ip:{address}", settings.BANLI_MEMBER_CODE_ADDRESS_SENDS, window) or (
        throttle.over_limit(f"code-to:{identifier}", settings.BANLI_MEMBER_CODE_SENDS, window)
    ):
        LoginEvent.objects.record(kind=LoginEventKind.CODE_LIMITED, request=request, username=identifier)
        return False
    throttle.count(f"code-ip:{address}", window)
    throttle.count(f"code-to:{identifier}", window)
    members = _members_for(identifier, channel)
    if len(members) != 1:
        # Unknown, or shared by several members: nothing is sent, and the page says the same as when it is.
        LoginEvent.objects.record(
            kind=LoginEventKind.CODE_FAILURE, request=request, username=identifier, note="no match"
        )
        return True
    user = members[0].user
    _row, code = SignInCode.objects.issue(user=user, channel=channel, sent_to=identifier, ip=address)
    if channel == CodeChannel.SMS:
        send_sms(identifier, _code_text(code))
    else:
        with stored_text():
            subject = "办理 · 登录验证码"
        send_mail(subject, _code_text(code), None, [identifier])
    LoginEvent.objects.record(kind=LoginEventKind.CODE_SENT, request=request, user=user, note=channel)
    return True


@login_not_required
@never_cache
def code_request(request):
    form = CodeRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        identifier = form.cleaned_data["identifier"]
        if not _send_code(request, identifier, form.channel):
            form.add_error("identifier", _("获取验证码过于频繁，请一小时后再试。"))
        else:
            request.session["code_login_to"] = identifier
            return redirect("accounts:code_verify")
    return render(request, "accounts/code_request.html", {"form": form})


def masked(identifier):
    if "@" in identifier:
        name, _at, domain = identifier.partition("@")
        return f"{name[:1]}***@{domain}"
    return f"{identifier[:3]}****{identifier[-4:]}"


@login_not_required
@never_cache
def code_verify(request):
    identifier = request.POST.get("identifier") or request.session.get("code_login_to", "")
    if not identifier:
        return redirect("accounts:code_request")
    form = CodeForm(request.POST or None, initial={"identifier": identifier})
    if request.method == "POST" and form.is_valid():
        identifier = form.cleaned_data["identifier"][:254]
        channel = CodeChannel.EMAIL if "@" in identifier else CodeChannel.SMS
        address = throttle.client_address(request)
        if throttle.over_limit(f"code-check:{address}", settings.BANLI_MEMBER_CODE_ADDRESS_CHECKS, 3600):
            LoginEvent.objects.record(kind=LoginEventKind.CODE_LIMITED, request=request, username=identifier)
            form.add_error("code", _("验证码错误次数过多，请一小时后再试。"))
        else:
            members = _members_for(identifier, channel)
            result = CodeCheck.WRONG
            if len(members) == 1:
                result = SignInCode.objects.check_code(user=members[0].user, code=form.cleaned_data["code"])
            if result == CodeCheck.OK:
                user = members[0].user
                sessions.login(request, user, SignInMethod.CODE, backend="accounts.backends.PasswordBackend")
                LoginEvent.objects.record(kind=LoginEventKind.CODE_SUCCESS, request=request, user=user)
                return redirect("feedback:portal")
            throttle.count(f"code-check:{address}", 3600)
            LoginEvent.objects.record(
                kind=LoginEventKind.CODE_FAILURE,
                request=request,
                username=identifier,
                user=members[0].user if len(members) == 1 else None,
                note=str(result),
            )
            messages_for = {
                CodeCheck.WRONG: _("验证码不正确，请核对短信或邮件中的 6 位数字。"),
                CodeCheck.EXPIRED: _("验证码已过期，请重新获取。"),
                CodeCheck.USED: _("该验证码已使用过，请重新获取。"),
            }
            form.add_error("code", messages_for[result])
    context = {"form": form, "to": masked(identifier), "minutes": settings.BANLI_MEMBER_CODE_MINUTES}
    return render(request, "accounts/code_verify.html", context)
