"""Response hardening and the login lockout page: the security rules that apply to every view.

- `SecurityHeadersMiddleware` adds a Content-Security-Policy to HTML pages (own origin only;
  an inline <script> or <style> must carry `nonce="{{ request.csp_nonce }}"`), and marks every
  response to a signed-in user `Cache-Control: private, no-store` so a shared computer's
  browser cache or a proxy never keeps a personal page. `nosniff`, `Referrer-Policy` and
  `X-Frame-Options` come from Django's own SecurityMiddleware and clickjacking settings.
- `lockout_response` is what django-axes shows after too many failed logins: the login page
  again, with a Chinese message saying how long to wait (HTTP 429).
"""

import secrets

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render
from django.utils.cache import patch_cache_control

CSP_TEMPLATE = (
    "default-src 'self'; "
    "script-src 'self' 'nonce-{nonce}'; "
    "style-src 'self' 'nonce-{nonce}'; "
    # data:/blob: for a signature preview drawn on a canvas; nothing from other origins.
    "img-src 'self' data: blob:; "
    "font-src 'self'; "
    "connect-src 'self'; "
    "object-src 'none'; "
    "base-uri 'self'; "
    "form-action 'self'; "
    "frame-ancestors 'none'"
)


def csp_with_inline_styles(request):
    """The same policy, but inline styles allowed: for the reply letter's print preview, whose
    template is the PDF's (WeasyPrint takes the configured fonts and the letterhead size as
    inline styles). Scripts stay locked to our own files."""
    nonce = request.csp_nonce
    return CSP_TEMPLATE.format(nonce=nonce).replace(
        f"style-src 'self' 'nonce-{nonce}'", "style-src 'self' 'unsafe-inline'"
    )


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if content_type.startswith("text/html") and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = CSP_TEMPLATE.format(nonce=request.csp_nonce)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response


def lockout_response(request, original_response=None, credentials=None):
    """The login page again, locked: the username kept, the wait spelled out in minutes."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    cooloff = settings.AXES_COOLOFF_TIME
    context = {
        "form": form,
        "locked_out": True,
        "cooloff_minutes": int(cooloff.total_seconds() // 60) if cooloff else None,
        "next": request.POST.get("next", request.GET.get("next", "")),
    }
    return render(request, "registration/login.html", context, status=429)
