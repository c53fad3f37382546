from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Signing in and out: passwords with throttling, single sign-on, the second factor, members'
    one-time codes, sessions, and the staff of each unit as they join and leave."""

    name = "accounts"
    verbose_name = _("账号与登录")

    def ready(self):
        from . import checks, sessions  # noqa: F401  (system checks; the login signal's receiver)
