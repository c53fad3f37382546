"""The site's own address, for links that leave the site (e-mails, the QR code on a printed form).

Production sets BANLI_SITE_URL (https; `check --deploy` insists). In development it is unset
and the address is the one the current request came in on, so a link mailed from a laptop's
runserver points back to it. `SiteURLMiddleware` keeps that address for the request's thread
(work done after it in `transaction.on_commit`, such as the e-mails of an issued reply, runs in
the same thread); outside any request (a management command) the fallback is the development
server's usual address.
"""

import contextvars

from django.conf import settings
from django.core.exceptions import DisallowedHost

DEVELOPMENT_FALLBACK = "http://127.0.0.1:8000"

_request_origin = contextvars.ContextVar("banli_request_origin", default="")


def site_url(request=None):
    """The address without a trailing slash: the setting, or the request's, or the fallback."""
    if settings.BANLI_SITE_URL:
        return settings.BANLI_SITE_URL
    if request is not None:
        return f"{request.scheme}://{request.get_host()}"
    return _request_origin.get() or DEVELOPMENT_FALLBACK


class SiteURLMiddleware:
    """Remembers the request's address for `site_url()` while the request is handled."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = None
        if not settings.BANLI_SITE_URL:
            try:
                token = _request_origin.set(f"{request.scheme}://{request.get_host()}")
            except DisallowedHost:  # CommonMiddleware answers it with a 400
                token = None
        try:
            return self.get_response(request)
        finally:
            if token is not None:
                _request_origin.reset(token)
