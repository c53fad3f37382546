"""Per-address limits on the public pages that take a secret in the URL: one-time feedback links
(/f/<token>/) and verification codes (/verify/<code>/).

Only misses count (an unknown or used link, a code that matches no form): a member opening their
own link, or an office checking a pile of real forms, never runs into the limit, while someone
trying tokens or codes gets 429 after BANLI_LINK_MISSES misses in ten minutes. Signed-in users
are counted by account, not address. Counted in the shared cache.
"""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render

from .addresses import client_address
from .throttle import count, over_limit

LIMITED = {"feedback:link", "feedback:verify", "feedback:verify_signature"}
WINDOW_SECONDS = 600


def _key(request):
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"links:user:{user.pk}"
    return f"links:ip:{client_address(request)}"


class LinkLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or match.view_name not in LIMITED:
            return None
        key = _key(request)
        if over_limit(key, settings.BANLI_LINK_MISSES, WINDOW_SECONDS):
            return render(request, "accounts/too_many.html", {"minutes": WINDOW_SECONDS // 60}, status=429)
        try:
            response = view_func(request, *view_args, **view_kwargs)
        except Http404:
            count(key, WINDOW_SECONDS)
            raise
        if getattr(response, "status_code", 200) == 404:
            count(key, WINDOW_SECONDS)
        return response
