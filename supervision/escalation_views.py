"""Pages of graded 督办: the overview (recent 督办, each session's ladder), one assignment's 督办
with the manual form, and a session's ladder (levels and rules, with its 面商 rule) that the
supervisor edits.

Reading is for whoever follows the session (a supervisor, the office of its body); raising a 督办
by hand and changing a ladder is the 督查室's alone (`access.can_escalate`).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from proposals import access
from proposals.models import Assignment, Session, TransitionError

from . import escalation, services
from .forms import EscalateForm, LevelFormSetFactory, MeetingRuleForm, RuleFormSetFactory
from .models import Escalation, MeetingRule
from .views import oversight_scope


def _followed_sessions(user):
    scope = oversight_scope(user)
    return Session.objects.filter(body__in=scope.oversight_bodies).order_by("-year", "body", "name")


def overview(request):
    """Recent 督办 in the user's reach and the sessions whose ladders they follow."""
    sessions = list(_followed_sessions(request.user))
    recent = (
        Escalation.objects.visible_to(request.user)
        .filter(assignment__proposal__session__in=sessions)
        .select_related("assignment__proposal", "assignment__unit", "level", "by")[:50]
    )
    context = {
        "sessions": sessions,
        "recent": recent,
        "can_escalate": access.can_escalate(request.user),
    }
    return render(request, "supervision/escalation_overview.html", context)


def _assignment_or_404(user, pk):
    oversight_scope(user)
    qs = Assignment.objects.routed_by(user).select_related("proposal__session", "proposal__lead", "unit")
    return get_object_or_404(qs, pk=pk)


def assignment_escalations(request, pk):
    """One assignment's 督办: the level it stands at, every 督办 with its 通知单, and (for the
    督查室) the form to raise one by hand."""
    assignment = _assignment_or_404(request.user, pk)
    session = assignment.proposal.session
    allowed = access.can_escalate(request.user)
    current = escalation.current_level(assignment)
    if request.method == "POST":
        if not allowed:
            raise PermissionDenied
        form = EscalateForm(request.POST, session=session)
        if form.is_valid():
            try:
                services.escalate(
                    assignment=assignment,
                    level=form.cleaned_data["level"],
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    leader=form.cleaned_data["leader"],
                )
            except TransitionError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("已对%(unit)s%(level)s，并已通知。")
                    % {"unit": assignment.unit.short_name, "level": form.cleaned_data["level"].name},
                )
                return redirect("supervision:escalations", pk=assignment.pk)
    else:
        form = EscalateForm(session=session, current=current)
    context = {
        "assignment": assignment,
        "proposal": assignment.proposal,
        "current": current,
        "records": assignment.escalations.select_related("level", "by", "rule"),
        "form": form,
        "can_escalate": allowed and assignment.is_open,
        "has_ladder": session.escalation_levels.exists(),
    }
    return render(request, "supervision/escalation_assignment.html", context)


def _session_or_404(user, pk):
    session = get_object_or_404(Session, pk=pk)
    if not access.can_follow(user, session):
        raise Http404
    return session


def ladder(request, pk):
    """A session's levels and rules: read by whoever follows the session, changed by the 督查室."""
    session = _session_or_404(request.user, pk)
    allowed = access.can_escalate(request.user)
    levels_qs = session.escalation_levels.order_by("rank")
    rules_qs = session.escalation_rules.select_related("level").order_by("offset_days")
    levels = LevelFormSetFactory(queryset=levels_qs, session=session, prefix="levels")
    rules = RuleFormSetFactory(queryset=rules_qs, session=session, prefix="rules")
    meeting = MeetingRuleForm(instance=MeetingRule.of(session), prefix="meeting")
    if request.method == "POST":
        if not allowed:
            raise PermissionDenied
        levels = LevelFormSetFactory(request.POST, queryset=levels_qs, session=session, prefix="levels")
        rules = RuleFormSetFactory(request.POST, queryset=rules_qs, session=session, prefix="rules")
        meeting = MeetingRuleForm(request.POST, instance=MeetingRule.of(session), prefix="meeting")
        # Rules choose among the levels as they were: save the levels first when rules are valid too.
        if all([levels.is_valid(), rules.is_valid(), meeting.is_valid()]):
            try:
                with transaction.atomic():
                    levels.save()
                    rules.save()
                    meeting.save()
            except ProtectedError:
                messages.error(request, _("已按该规则督办过的规则不能删除，可修改其天数或级别。"))
            except IntegrityError:
                messages.error(request, _("级别或规则重复，未保存任何修改。"))
            else:
                messages.success(request, _("督办设置已保存。"))
                return redirect("supervision:ladder", pk=session.pk)
    context = {
        "session": session,
        "levels": levels,
        "rules": rules,
        "meeting": meeting,
        "can_edit": allowed,
        "empty": not levels_qs.exists(),
    }
    return render(request, "supervision/escalation_ladder.html", context)


@require_POST
def install_ladder(request, pk):
    session = _session_or_404(request.user, pk)
    if not access.can_escalate(request.user):
        raise PermissionDenied
    if escalation.install_default_ladder(session):
        messages.success(request, _("已采用默认督办设置，可按需修改。"))
    return redirect("supervision:ladder", pk=session.pk)
