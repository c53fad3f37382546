"""Each signed-in browser as a row (UserSession), so that sessions can be listed and ended on the
database and on Redis alike, and the idle and absolute timeouts hold for every way of signing in.

`start()` is called by every sign-in view right after `django.contrib.auth.login`; the
middleware adopts a session that has no row yet (one made by the test client or an older release).
"""

import datetime

from django.conf import settings
from django.contrib import auth
from django.utils import timezone

from proposals import access

from .models import EndReason, LoginEvent, LoginEventKind, SignInMethod, UserSession
from .throttle import client_address

SESSION_KEY = "_banli_session"
# How stale last_seen_at may grow before a request writes it again (one write a minute, not one a request).
TOUCH_SECONDS = 60


def start(request, user, method):
    row = UserSession.objects.create(
        user=user,
        method=method,
        ip=client_address(request),
        user_agent=request.headers.get("User-Agent", "")[:200],
    )
    request.session[SESSION_KEY] = str(row.pk)
    request.banli_session = row
    return row


def current(request):
    """This browser's row, or None."""
    return getattr(request, "banli_session", None)


def is_staff(user):
    return user.is_superuser or access.scope_of(user).is_staff_role


def _timed_out(row, user, now):
    if now - row.created_at > datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE):
        return EndReason.EXPIRED
    idle = settings.BANLI_STAFF_IDLE_MINUTES
    if idle and is_staff(user) and now - row.last_seen_at > datetime.timedelta(minutes=idle):
        return EndReason.IDLE
    return ""


def sign_out(request, reason):
    """End this browser's session: its row, the store's data and the login."""
    row = current(request)
    if row is not None:
        row.end(reason)
    user = request.user if request.user.is_authenticated else None
    auth.logout(request)
    if user is not None:
        kind = LoginEventKind.LOGOUT if reason == EndReason.LOGOUT else LoginEventKind.SESSION_ENDED
        note = "" if reason == EndReason.LOGOUT else EndReason(reason).label
        LoginEvent.objects.record(kind=kind, request=request, user=user, note=str(note))


class SessionMiddleware:
    """After authentication: find this browser's row; sign it out if it was ended elsewhere, has been
    idle too long (staff) or has lasted too long; otherwise note that it was seen."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            ended = self._check(request, user)
            if ended:
                sign_out(request, ended)
                request.banli_signed_out = ended
        return self.get_response(request)

    def _check(self, request, user):
        now = timezone.now()
        row = None
        key = request.session.get(SESSION_KEY)
        if key:
            row = UserSession.objects.filter(pk=key, user=user).first()
        if row is None:
            row = start(request, user, SignInMethod.OTHER)
            return ""
        request.banli_session = row
        if row.ended_at is not None:
            return row.end_reason or EndReason.BY_USER
        reason = _timed_out(row, user, now)
        if reason:
            return reason
        if (now - row.last_seen_at).total_seconds() > TOUCH_SECONDS:
            UserSession.objects.filter(pk=row.pk).update(last_seen_at=now)
            row.last_seen_at = now
        return ""
