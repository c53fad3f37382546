"""The unread count in the top bar (counted only if a template shows it)."""

from django.utils.functional import SimpleLazyObject

from .models import Notification


def unread(request):
    def count():
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return 0
        return Notification.objects.of(user).unread().count()

    return {"unread_notifications": SimpleLazyObject(count)}
