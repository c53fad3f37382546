"""Whether to offer the supervision pages in the top navigation (computed only if a template asks)."""

from django.utils.functional import SimpleLazyObject

from proposals import access


def navigation(request):
    def can_oversee():
        scope = access.scope_of(request.user)
        return scope.everything or bool(scope.bodies)

    return {"can_oversee": SimpleLazyObject(can_oversee)}
