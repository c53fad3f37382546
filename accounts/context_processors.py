"""What the top bar may offer a signed-in user who still owes the second factor: nothing but
signing out (the middleware would only send every other link back to the verify page)."""

from django.utils.functional import SimpleLazyObject

from . import second_factor


def second_factor_owed(request):
    user = getattr(request, "user", None)

    def owed():
        known = getattr(request, "banli_owes_second_factor", None)  # the middleware's answer
        if known is not None:
            return known
        return bool(user is not None and second_factor.needs_verification(user))

    return {"owes_second_factor": SimpleLazyObject(owed)}
