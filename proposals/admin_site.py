"""The admin is for correcting reference data (sessions, units, members' contact details, categories,
paragraph templates). Only the offices, supervisors and superusers may enter it; unit staff and
members do all their work in the app's pages."""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin import apps as admin_apps
from django.contrib.auth.decorators import login_not_required
from django.utils.decorators import method_decorator

from . import access


class AdminSite(admin.AdminSite):
    site_header = "办理 · 建议提案办理系统"
    site_title = "办理"
    index_title = "数据管理"

    def has_permission(self, request):
        # A verified second factor too (django-otp's OTPMiddleware sets is_verified).
        verified = not settings.BANLI_SECOND_FACTOR or getattr(request.user, "is_verified", lambda: False)()
        return access.can_use_admin(request.user) and verified

    @method_decorator(login_not_required)
    def login(self, request, extra_context=None):
        """One sign-in page for everything (throttled, with the second factor): the app's own."""
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.GET.get("next") or request.path.replace("login/", ""))


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin with the site above (INSTALLED_APPS names this instead of django.contrib.admin)."""

    default_site = "proposals.admin_site.AdminSite"
