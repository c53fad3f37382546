"""Refuse an upload that is too large before any of it is read or stored.

Every POST is held to the largest upload the app accepts (a sealed or paper scan); a view
that takes less says so with the `limit_upload(bytes_setting)` decorator. The check runs in
process_view, placed before CsrfViewMiddleware: CSRF reads request.POST, which would
otherwise spool the whole body (50 MB) to a temporary file first.

The answer is the 413 page, in the user's language. The unread body is not taken for the
next request: the development server reads it away after the answer, and gunicorn either
closes the connection (deploy/gunicorn.conf.py keeps none alive) or skips the rest of the body
before reading the next request. (An application may not set `Connection: close` itself: the
development server refuses hop-by-hop headers with an error, and gunicorn ignores them.)
"""

from django.conf import settings
from django.shortcuts import render

# Room for the other fields of the form (opinion text, a drawn signature) besides the file.
FORM_OVERHEAD = 512 * 1024


def limit_upload(setting_name):
    """Hold the view's POSTs to the size in `setting_name` (bytes) plus FORM_OVERHEAD."""

    def decorator(view):
        view.upload_limit_setting = setting_name
        return view

    return decorator


def default_limit():
    """The largest upload any page takes: a scan of a sealed letter or of a paper form."""
    return max(settings.BANLI_SCAN_MAX_BYTES, settings.BANLI_PAPER_SCAN_MAX_BYTES)


def too_large(request, limit=None):
    """The 413 page; `limit` in bytes, when known, is said in MB."""
    context = {"limit_mb": round(limit / 1024 / 1024, 1) if limit else None}
    return render(request, "413.html", context, status=413)


class UploadLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method not in ("POST", "PUT", "PATCH"):
            return None
        setting_name = getattr(view_func, "upload_limit_setting", None)
        limit = getattr(settings, setting_name) if setting_name else default_limit()
        try:
            length = int(request.headers.get("content-length") or 0)
        except ValueError:
            length = 0
        if length > limit + FORM_OVERHEAD:
            return too_large(request, limit)
        return None
