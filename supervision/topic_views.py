"""Pages of 重点督办 topics: the list, a topic's progress page, and the form the 督查室 opens or
changes one with. An office reads the topics of its body; unit staff and members find none."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals import access
from proposals.models import Session

from . import topics
from .forms import TopicForm
from .models import KeyTopic
from .views import oversight_scope


def topic_list(request):
    oversight_scope(request.user)
    qs = KeyTopic.objects.visible_to(request.user).select_related("session").prefetch_related("proposals")
    context = {"topics": qs, "can_edit": access.can_escalate(request.user)}
    return render(request, "supervision/topic_list.html", context)


def topic_detail(request, pk):
    oversight_scope(request.user)
    topic = get_object_or_404(KeyTopic.objects.visible_to(request.user).select_related("session"), pk=pk)
    today = timezone.localdate()
    context = {
        "topic": topic,
        "progress": topics.progress(topic, today),
        "today": today,
        "can_edit": access.can_escalate(request.user),
    }
    return render(request, "supervision/topic_detail.html", context)


def topic_edit(request, pk=None):
    oversight_scope(request.user)
    topic = None
    if pk is not None:
        topic = get_object_or_404(KeyTopic.objects.visible_to(request.user), pk=pk)
    if not access.can_escalate(request.user):
        raise PermissionDenied
    sessions = Session.objects.order_by("-year", "body", "name")
    form = TopicForm(request.POST or None, instance=topic, sessions=sessions)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                saved = form.save(commit=False)
                if topic is None:
                    saved.created_by = request.user
                saved.save()
                saved.set_proposals(form.cleaned_data["proposals"], by=request.user)
        except IntegrityError:
            form.add_error("title", _("该会次已有同名专题。"))
        else:
            messages.success(request, _("重点督办专题已保存。"))
            return redirect(saved)
    return render(request, "supervision/topic_form.html", {"form": form, "topic": topic})
