"""The client's address, as login throttling, the login log and the link limits see it."""

from django.conf import settings


def client_address(request):
    """REMOTE_ADDR, or with BANLI_BEHIND_PROXY the X-Forwarded-For our nginx sets (one proxy, which
    overwrites the header: its last entry is the client)."""
    if request is None:
        return None
    if settings.BEHIND_PROXY:
        forwarded = request.headers.get("x-forwarded-for", "")
        if forwarded:
            return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None
