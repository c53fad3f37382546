from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("征询意见")

    def ready(self):
        from proposals import page_parts
        from replies.signals import reply_issued

        from .page_part import PART
        from .services import on_reply_issued

        reply_issued.connect(on_reply_issued, dispatch_uid="feedback.notify_reply_issued")
        page_parts.register(PART)
