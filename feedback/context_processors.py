from django.utils.functional import SimpleLazyObject

from proposals import access


def member_nav(request):
    """Whether to show 「我的建议提案」 in the top bar; reuses the per-request scope (no extra query on scoped pages)."""
    return {"is_member": SimpleLazyObject(lambda: bool(access.scope_of(getattr(request, "user", None)).member_id))}
