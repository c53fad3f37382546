"""Response hardening: the security rules that apply to every view.

- `SecurityHeadersMiddleware` adds a Content-Security-Policy to HTML pages (own origin only;
  an inline <script> or <style> must carry `nonce="{{ request.csp_nonce }}"`), and marks every
  response to a signed-in user `Cache-Control: private, no-store` so a shared computer's
  browser cache or a proxy never keeps a personal page. `nosniff`, `Referrer-Policy` and
  `X-Frame-Options` come from Django's own SecurityMiddleware and clickjacking settings.
"""

import secrets

from django.conf import settings
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
    "form-action {form_action}; "
    "frame-ancestors 'none'"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if content_type.startswith("text/html") and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = CSP_TEMPLATE.format(
                nonce=request.csp_nonce, form_action=" ".join(["'self'", *settings.BANLI_CSP_FORM_ACTION])
            )
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
