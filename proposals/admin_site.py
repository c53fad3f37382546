"""The admin is for correcting reference data (sessions, units, members' contact details, categories,
paragraph templates). Only the offices, supervisors and superusers may enter it; unit staff and
members do all their work in the app's pages."""

from axes import apps as axes_apps
from django.contrib import admin
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _

from . import access


class AdminSite(admin.AdminSite):
    site_header = "办理 · 建议提案办理系统"
    site_title = "办理"
    index_title = "数据管理"

    def has_permission(self, request):
        return access.can_use_admin(request.user)


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin with the site above (INSTALLED_APPS names this instead of django.contrib.admin)."""

    default_site = "proposals.admin_site.AdminSite"


class AxesConfig(axes_apps.AppConfig):
    """django-axes (login throttling) under a Chinese name in the admin; its models' names are
    translated in locale/zh_Hans."""

    verbose_name = _("登录防护")
