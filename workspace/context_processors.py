"""What the top navigation offers, by role (computed only if a template asks)."""

import functools

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from proposals import access

# The top menu in its order: (URL name, label, who sees it: everyone signed in, or one of the
# reaches named in `_reaches`).
MENU = (
    ("feedback:portal", _("我的建议提案"), "member"),
    ("workspace:inbox", _("工作台"), "not_member"),
    ("proposals:list", _("建议提案"), None),
    ("feedback:office", _("意见表"), "office"),
    ("supervision:commitments", _("承诺事项"), "staff_role"),
    ("printing:batch", _("批量打印"), "batch_print"),
    ("supervision:dashboard", _("督查统计"), "oversee"),
    ("legacy:list", _("旧答复导入"), "oversee"),
    ("supervision:search", _("搜索"), None),
    ("admin:index", _("数据管理"), "admin"),
)


def _reaches(user):
    scope = access.scope_of(user)
    flags = {
        "member": bool(scope.member_id),
        "not_member": not scope.member_id,
        "office": bool(scope.bodies),
        "staff_role": scope.is_staff_role,
        "batch_print": access.can_batch_print(user),
        "oversee": scope.oversees_any,
        "admin": access.can_use_admin(user),
    }
    return frozenset(name for name, on in flags.items() if on)


@functools.lru_cache(maxsize=512)
def _menu(reaches, language, urlconf, prefix):
    # The same few menus for every page: their links and labels are made once per process, not
    # reversed and translated again on each page.
    return tuple(
        (reverse(name, urlconf=urlconf), str(label)) for name, label, who in MENU if who is None or who in reaches
    )


def navigation(request):
    def scope():
        return access.scope_of(getattr(request, "user", None))

    def menu():
        reaches = _reaches(request.user)
        return _menu(reaches, get_language(), get_urlconf(), get_script_prefix())

    return {
        "menu": SimpleLazyObject(menu),
        "is_member": SimpleLazyObject(lambda: bool(scope().member_id)),
        "can_oversee": SimpleLazyObject(lambda: scope().oversees_any),
        "can_use_admin": SimpleLazyObject(lambda: access.can_use_admin(request.user)),
        "can_batch_print": SimpleLazyObject(lambda: access.can_batch_print(request.user)),
        "is_staff_role": SimpleLazyObject(lambda: scope().is_staff_role),
        "is_office": SimpleLazyObject(lambda: bool(scope().bodies)),
    }
