"""Login throttling that fits an office behind one address, without a CAPTCHA.

Counted from the login log (LoginEvent), so every worker and app server sees the same numbers:

- **Per username, across addresses, with a soft delay.** After BANLI_LOGIN_FREE_FAILURES wrong
  passwords for one username (within BANLI_LOGIN_WINDOW_MINUTES, since its last success), each
  further attempt must wait BANLI_LOGIN_DELAY_SECONDS after the last failure, doubling with each
  failure up to BANLI_LOGIN_MAX_DELAY_SECONDS. Guessing slows to a crawl; nobody is locked out
  for long.
- **Per address, across usernames.** After BANLI_LOGIN_ADDRESS_FAILURES wrong passwords from one
  address within the window, that address may not try more until old failures leave the window.
- **Trusted devices** (the OWASP "device cookie"). A browser that signed in as a user gets a
  signed cookie naming that user. Its attempts for that user skip both limits above and are
  counted on their own (BANLI_LOGIN_DEVICE_FAILURES): one person guessing behind the office NAT,
  or someone guessing a colleague's name from anywhere, never keeps the colleagues out of their
  own browsers.

The address is REMOTE_ADDR, or with BANLI_BEHIND_PROXY the X-Forwarded-For that our nginx sets
(one proxy, which overwrites the header).
"""

import datetime
import math
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .addresses import client_address
from .models import LoginEvent, LoginEventKind

DEVICE_COOKIE = "banli_device"
_DEVICE_SALT = "banli.accounts.device"


def _norm(username):
    return (username or "").strip().lower()[:150]


# --- trusted devices -----------------------------------------------------------------------


def set_device_cookie(response, request, username):
    """After a successful sign-in: this browser is trusted for this username from now on."""
    value = signing.dumps({"u": _norm(username), "n": secrets.token_urlsafe(16)}, salt=_DEVICE_SALT)
    response.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=settings.BANLI_DEVICE_COOKIE_DAYS * 86400,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def device_id(request, username):
    """The keyed hash of this browser's device cookie when it is valid for `username`, else ''."""
    raw = request.COOKIES.get(DEVICE_COOKIE)
    if not raw:
        return ""
    try:
        data = signing.loads(raw, salt=_DEVICE_SALT, max_age=settings.BANLI_DEVICE_COOKIE_DAYS * 86400)
    except signing.BadSignature:
        return ""
    if not isinstance(data, dict) or data.get("u") != _norm(username) or not data.get("n"):
        return ""
    return salted_hmac(_DEVICE_SALT, data["n"]).hexdigest()


# --- the verdict -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str = ""  # "username" or "address" when refused
    wait_seconds: int = 0
    device: str = ""  # the trusted device's hash, when the attempt comes from one

    @property
    def trusted(self):
        return bool(self.device)

    @property
    def wait_minutes(self):
        return max(1, math.ceil(self.wait_seconds / 60))


def username_delay(failures):
    """Seconds to wait after the last failure, given the failures counted for the username."""
    free = settings.BANLI_LOGIN_FREE_FAILURES
    if failures < free:
        return 0
    return min(settings.BANLI_LOGIN_DELAY_SECONDS * 2 ** (failures - free), settings.BANLI_LOGIN_MAX_DELAY_SECONDS)


def check(request, username, now=None):
    """May this request try a password for `username` now?"""
    now = now or timezone.now()
    window_start = now - datetime.timedelta(minutes=settings.BANLI_LOGIN_WINDOW_MINUTES)
    failures = LoginEvent.objects.filter(kind=LoginEventKind.FAILURE, at__gte=window_start)
    device = device_id(request, username)
    if device:
        used = failures.filter(device=device).count()
        if used < settings.BANLI_LOGIN_DEVICE_FAILURES:
            return Verdict(True, device=device)
        # A device cookie that keeps failing is just another browser.
    untrusted = failures.filter(trusted=False)

    address = client_address(request)
    if address:
        recent = list(
            untrusted.filter(ip=address)
            .order_by("-at")
            .values_list("at", flat=True)[: settings.BANLI_LOGIN_ADDRESS_FAILURES]
        )
        if len(recent) >= settings.BANLI_LOGIN_ADDRESS_FAILURES:
            free_at = recent[-1] + datetime.timedelta(minutes=settings.BANLI_LOGIN_WINDOW_MINUTES)
            return Verdict(False, "address", math.ceil((free_at - now).total_seconds()))

    name = _norm(username)
    if name:
        last_success = (
            LoginEvent.objects.filter(username=name, kind=LoginEventKind.SUCCESS, at__gte=window_start)
            .aggregate(at=Max("at"))
            .get("at")
        )
        counted = untrusted.filter(username=name)
        if last_success:
            counted = counted.filter(at__gt=last_success)
        tally = counted.aggregate(n=Count("pk"), last=Max("at"))
        delay = username_delay(tally["n"])
        if delay:
            retry_at = tally["last"] + datetime.timedelta(seconds=delay)
            if retry_at > now:
                return Verdict(False, "username", math.ceil((retry_at - now).total_seconds()))
    return Verdict(True)


# --- simple counters on the shared cache (one-time links and the verification page) -------------


def over_limit(key, limit, window_seconds):
    """Whether `key` has already used its `limit` within the current window (fixed windows)."""
    from django.core.cache import cache

    return (cache.get(_window_key(key, window_seconds)) or 0) >= limit


def count(key, window_seconds):
    from django.core.cache import cache

    bucket = _window_key(key, window_seconds)
    if cache.add(bucket, 1, window_seconds):
        return 1
    try:
        return cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.add(bucket, 1, window_seconds)
        return 1


def _window_key(key, window_seconds):
    return f"banli:limit:{key}:{int(timezone.now().timestamp()) // window_seconds}"
