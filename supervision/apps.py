from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("督查督办")

    def ready(self):
        from proposals import page_parts

        from .page_part import PART

        page_parts.register(PART)
