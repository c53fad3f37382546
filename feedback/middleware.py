"""Refuse an upload that is too large before any of it is read or stored.

A view opts in with the `limit_upload(bytes_setting)` decorator. The check runs in
process_view, placed before CsrfViewMiddleware: CSRF reads request.POST, which would
otherwise spool the whole body (50 MB) to a temporary file first.
"""

from functools import wraps

from django.conf import settings
from django.shortcuts import render

# Room for the other fields of the form (opinion text, a drawn signature) besides the file.
FORM_OVERHEAD = 512 * 1024


def limit_upload(setting_name):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            return view(request, *args, **kwargs)

        wrapped.upload_limit_setting = setting_name
        return wrapped

    return decorator


class UploadLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        setting_name = getattr(view_func, "upload_limit_setting", None)
        if setting_name is None or request.method != "POST":
            return None
        limit = getattr(settings, setting_name)
        try:
            length = int(request.headers.get("content-length") or 0)
        except ValueError:
            length = 0
        if length > limit + FORM_OVERHEAD:
            response = render(
                request,
                "feedback/upload_too_large.html",
                {"limit_mb": round(limit / 1024 / 1024, 1)},
                status=413,
            )
            # The unread body must not be taken for the next request on a kept-alive connection.
            response["Connection"] = "close"
            return response
        return None
