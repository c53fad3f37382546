from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrintingConfig(AppConfig):
    name = "printing"
    verbose_name = _("打印")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the font check)
