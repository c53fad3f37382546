"""Each signed-in browser as a row (UserSession), so that a user's sessions can be listed and ended
on the database session store and on Redis alike, and the idle and absolute timeouts hold for
every way of signing in.

- Every sign-in (password, SSO, code, the admin, the test client) goes through
  `django.contrib.auth.login`, whose `user_logged_in` signal creates the row (`record_login`).
  The sign-in views say how (`login(request, user, method)`).
- The session itself carries its row's id, the sign-in time and the last time it was seen, so a
  request costs no query: the middleware reads them from the session, ends it past the absolute
  limit or (staff) after being idle too long, and writes the last-seen time at most once a minute.
- Ending a session elsewhere (from the session list, "sign out everywhere", deactivation)
  deletes it from the session store by its key, kept encrypted in the row: that browser is
  signed out at its next request, whichever store holds the session.
"""

import base64
import datetime
import hashlib
from importlib import import_module

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals import access

from .addresses import client_address
from .models import EndReason, LoginEvent, LoginEventKind, SignInMethod, UserSession

ROW_KEY = "_banli_session"
LOGIN_AT_KEY = "_banli_login_at"
SEEN_AT_KEY = "_banli_seen_at"
# How stale the last-seen time may grow before a request writes it again (once a minute, not every request).
TOUCH_SECONDS = 60


def _fernet():
    key = hashlib.sha256(f"banli.accounts.sessions:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def _seal(session_key):
    return _fernet().encrypt(session_key.encode()).decode() if session_key else ""


def _unseal(sealed):
    try:
        return _fernet().decrypt(sealed.encode()).decode() if sealed else ""
    except InvalidToken:  # the secret key changed: those sessions are void anyway
        return ""


def login(request, user, method, backend=None):
    """Sign the user in, recording how (the row is made by the login signal below)."""
    request.banli_sign_in_method = method
    auth.login(request, user, backend=backend)


@receiver(user_logged_in, dispatch_uid="banli.accounts.sessions.record_login")
def record_login(sender, request, user, **kwargs):
    """Bookkeeping only: the row that lets this session be listed and ended."""
    if request is None or not hasattr(request, "session"):
        return
    _start(request, user, getattr(request, "banli_sign_in_method", SignInMethod.OTHER))


def _start(request, user, method):
    now = timezone.now()
    if not request.session.session_key:
        request.session.save()
    row = UserSession.objects.create(
        user=user,
        method=method,
        created_at=now,
        last_seen_at=now,
        ip=client_address(request),
        user_agent=request.headers.get("User-Agent", "")[:200],
        session_key=_seal(request.session.session_key),
    )
    request.session[ROW_KEY] = str(row.pk)
    request.session[LOGIN_AT_KEY] = now.timestamp()
    request.session[SEEN_AT_KEY] = now.timestamp()
    return row


def current_id(request):
    return request.session.get(ROW_KEY)


def is_staff(user):
    return user.is_superuser or access.scope_of(user).is_staff_role


def end(row, reason):
    """End one session: its row, and its data in the session store."""
    row.end(reason)
    key = _unseal(row.session_key)
    if key:
        store = import_module(settings.SESSION_ENGINE).SessionStore
        store(session_key=key).delete()


def end_all(user, reason, keep_id=None):
    rows = UserSession.objects.active().filter(user=user)
    if keep_id:
        rows = rows.exclude(pk=keep_id)
    for row in rows:
        end(row, reason)


def listed(user):
    """The user's sessions that may still be alive (past the absolute limit they are not)."""
    oldest = timezone.now() - datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    return UserSession.objects.active().filter(user=user, created_at__gte=oldest).order_by("-last_seen_at")


def sign_out(request, reason):
    """End this browser's session: its row, the store's data and the login."""
    row_id = current_id(request)
    user = request.user if request.user.is_authenticated else None
    auth.logout(request)
    if row_id:
        row = UserSession.objects.filter(pk=row_id).first()
        if row is not None:
            row.end(reason)
    if user is not None:
        kind = LoginEventKind.LOGOUT if reason == EndReason.LOGOUT else LoginEventKind.SESSION_ENDED
        note = "" if reason == EndReason.LOGOUT else str(EndReason(reason).label)
        LoginEvent.objects.record(kind=kind, request=request, user=user, note=note)


TIMEOUT_MESSAGES = {
    EndReason.IDLE: lambda: _("您已长时间未操作，为安全起见已自动退出，请重新登录。"),
    EndReason.EXPIRED: lambda: _("登录时间已到上限，请重新登录。"),
}


class SessionMiddleware:
    """After authentication: end a session past its absolute limit or, for staff, idle too long;
    otherwise note (at most once a minute) that it was seen."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            reason = self._check(request, user)
            if reason:
                sign_out(request, reason)
                messages.info(request, TIMEOUT_MESSAGES[reason]())
        return self.get_response(request)

    def _check(self, request, user):
        session = request.session
        now = timezone.now()
        if ROW_KEY not in session:  # signed in before the rows existed: adopt it
            _start(request, user, SignInMethod.OTHER)
            return ""
        login_at = session.get(LOGIN_AT_KEY, 0)
        seen_at = session.get(SEEN_AT_KEY, 0)
        stamp = now.timestamp()
        if stamp - login_at > settings.SESSION_COOKIE_AGE:
            return EndReason.EXPIRED
        idle = settings.BANLI_STAFF_IDLE_MINUTES * 60
        if idle and stamp - seen_at > idle and is_staff(user):
            return EndReason.IDLE
        if stamp - seen_at > TOUCH_SECONDS:
            session[SEEN_AT_KEY] = stamp
            UserSession.objects.filter(pk=session[ROW_KEY]).update(
                last_seen_at=now, session_key=_seal(session.session_key)
            )
        return ""
