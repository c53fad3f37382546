"""The unread count in the top bar: read with the request's user (accounts.backends), else
counted here, only if a template shows it."""

from django.utils.functional import SimpleLazyObject

from .models import UNREAD_COUNT, Notification


def unread(request):
    def count():
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return 0
        known = getattr(user, UNREAD_COUNT, None)
        if known is not None:
            return known
        return Notification.objects.of(user).unread().count()

    return {"unread_notifications": SimpleLazyObject(count)}
