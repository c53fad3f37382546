from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepliesConfig(AppConfig):
    name = "replies"
    verbose_name = _("答复办理")

    def ready(self):
        from proposals import page_parts

        from .views.page_part import PART

        page_parts.register(PART)
