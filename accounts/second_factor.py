"""The second factor (django-otp): an authenticator app (TOTP) with recovery codes (static tokens).

Required for supervisors, committee offices and administrators (superusers); for clerks and
signers when BANLI_SECOND_FACTOR_FOR_UNIT_STAFF is on. Whoever has enrolled a device is asked for
it at every sign-in, required or not. The admin always requires a verified device.

A signed-in user who must verify and has not is held by `SecondFactorMiddleware` to the pages
that let them do it (verify, enrol, sign out).
"""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from proposals import access

from .backends import HAS_DEVICE

RECOVERY_CODES = 10
DEVICE_NAME = "authenticator"
RECOVERY_NAME = "recovery"


def required_for(user):
    if not settings.BANLI_SECOND_FACTOR or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    scope = access.scope_of(user)
    if scope.oversees_any:  # supervisors and the committee offices
        return True
    if settings.BANLI_SECOND_FACTOR_FOR_UNIT_STAFF and scope.unit_ids:
        return True
    return False


def has_device(user):
    """A confirmed device of any kind; read with the request's user (accounts.backends), else asked."""
    known = getattr(user, HAS_DEVICE, None)
    return known if known is not None else user_has_device(user, confirmed=True)


def is_verified(user):
    return bool(getattr(user, "is_verified", None) and user.is_verified())


def needs_verification(user):
    """Signed in with a password (or SSO) but the second factor still to come."""
    if not settings.BANLI_SECOND_FACTOR or not user.is_authenticated or is_verified(user):
        return False
    return required_for(user) or has_device(user)


def totp_device(user, confirmed=True):
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).first()


def recovery_device(user):
    return StaticDevice.objects.filter(user=user, name=RECOVERY_NAME).first()


def new_recovery_codes(user):
    """Replace the user's recovery codes with fresh ones; returns them (shown once)."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def unused_recovery_codes(user):
    device = recovery_device(user)
    return device.token_set.count() if device else 0


def reset(user, *, by=None, request=None):
    """Remove every device of the user and end their sessions (a lost or stolen phone)."""
    from . import sessions
    from .models import EndReason, LoginEvent, LoginEventKind

    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    sessions.end_all(user, EndReason.BY_USER)
    note = f"by {by.get_username()}" if by is not None else "manage.py"
    LoginEvent.objects.record(kind=LoginEventKind.OTP_RESET, request=request, user=user, note=note)


# Reachable before the second factor: the pages that give it, and signing out.
OPEN_URL_NAMES = {
    "accounts:verify",
    "accounts:enrol",
    "accounts:recovery_codes",
    "logout",
    "set_language",
}


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        match = request.resolver_match
        name = f"{match.namespace}:{match.url_name}" if match and match.namespace else (match and match.url_name)
        if name in OPEN_URL_NAMES:
            return None
        in_admin = match is not None and match.app_name == "admin"
        # Kept for the top bar of the page this request renders (accounts.context_processors).
        request.banli_owes_second_factor = owed = needs_verification(user)
        if owed or (in_admin and settings.BANLI_SECOND_FACTOR and not is_verified(user)):
            next_url = request.get_full_path()
            if has_device(user):
                target = reverse("accounts:verify")
            else:
                target = reverse("accounts:enrol")
                messages.info(request, _("您的岗位须启用两步验证：请用手机验证器扫码完成设置。"))
            return redirect(f"{target}?{urlencode({'next': next_url})}")
        return None
