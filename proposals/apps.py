from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = _("建议提案")

    def ready(self):
        from . import (
            checks,  # noqa: F401  (registers the system checks)
            reference,
        )
        from .models import Category, HandlingUnit, Session

        reference.connect(Session, HandlingUnit, Category)
