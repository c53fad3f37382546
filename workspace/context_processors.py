"""What the top navigation offers, by role (computed only if a template asks)."""

from django.utils.functional import SimpleLazyObject

from proposals import access


def navigation(request):
    def scope():
        return access.scope_of(getattr(request, "user", None))

    return {
        "is_member": SimpleLazyObject(lambda: bool(scope().member_id)),
        "can_oversee": SimpleLazyObject(lambda: scope().oversees_any),
        "can_use_admin": SimpleLazyObject(lambda: access.can_use_admin(request.user)),
        "can_batch_print": SimpleLazyObject(lambda: access.can_batch_print(request.user)),
        "is_staff_role": SimpleLazyObject(lambda: scope().is_staff_role),
        "is_office": SimpleLazyObject(lambda: bool(scope().bodies)),
    }
