"""The user's notifications: the list, opening one (marks it read), marking read."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from .models import Notification


class NotificationList(ListView):
    template_name = "notifications/list.html"
    context_object_name = "notifications"
    paginate_by = settings.BANLI_INBOX_PAGE_SIZE

    def get_queryset(self):
        qs = Notification.objects.of(self.request.user)
        if self.request.GET.get("show") == "unread":
            qs = qs.unread()
        return qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["show_unread"] = self.request.GET.get("show") == "unread"
        context["query"] = "show=unread" if context["show_unread"] else ""
        return context


notification_list = never_cache(NotificationList.as_view())


def _own(request, pk):
    return get_object_or_404(Notification.objects.of(request.user), pk=pk)


def open_notification(request, pk):
    """Mark read and go where the notification leads (a path on this site only)."""
    notification = _own(request, pk)
    notification.mark_read()
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:list")


@require_POST
def mark_read(request, pk):
    _own(request, pk).mark_read()
    return redirect("notifications:list")


@require_POST
def mark_all_read(request):
    count = Notification.objects.of(request.user).unread().update(read_at=timezone.now())
    messages.success(request, _("已将 %(count)s 条通知标为已读。") % {"count": count})
    return redirect("notifications:list")
