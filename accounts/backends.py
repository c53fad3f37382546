"""Who a signed-in request's user is, loaded with what every page asks of them.

Each page asks the same of its user before its own work: the member they are
(`proposals.access.scope_of`), their unread notifications (the top bar) and, with the second
factor on, whether they enrolled a device (`accounts.second_factor.has_device`). All come in the
query that loads the user, read when the request starts; the roles follow in one more query,
read with it.
"""

import functools
import operator

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Exists, OuterRef
from django_otp import device_classes

from notifications.models import UNREAD_COUNT, Notification
from proposals.models import Role
from proposals.prepared import Param, Prepared

HAS_DEVICE = "banli_has_confirmed_device"


def _has_confirmed_device():
    """django_otp.user_has_device(user, confirmed=True) as a column: a confirmed device of any kind."""
    return functools.reduce(
        operator.or_, (Exists(kind.objects.filter(user=OuterRef("pk"), confirmed=True)) for kind in device_classes())
    )


@functools.cache
def _request_user(second_factor) -> Prepared:
    # Compiled once per connection (proposals/prepared.py): resolving the count's subquery and the
    # member's columns costs more than running the query. The device column only while the
    # second factor is on: off, only the account page asks, and looks it up (second_factor.has_device).
    annotations = {UNREAD_COUNT: Notification.objects.unread().count_per_user()}
    if second_factor:
        annotations[HAS_DEVICE] = _has_confirmed_device()
    User = get_user_model()
    return Prepared(
        lambda: User.objects.select_related("member").annotate(**annotations).filter(pk=Param("pk", User._meta.pk))
    )


# Every page asks what the user is (proposals.access.scope_of, for the menu at least).
_roles: Prepared[Role] = Prepared(lambda: Role.objects.filter(user=Param("user", Role.user.field)).order_by())


def request_user(user_id):
    """The user of a request, or None if there is none by that id; with its roles read
    (`banli_roles_read`, which scope_of uses)."""
    user = _request_user(settings.BANLI_SECOND_FACTOR).first(pk=user_id)
    if user is not None:
        user.banli_roles_read = _roles.all(user=user.pk)
    return user


class PasswordBackend(ModelBackend):
    """Username and password (Django's own check); the user of each request from `request_user`."""

    def get_user(self, user_id):
        user = request_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
