"""人员管理 for the committee offices and supervisors: who works in which unit, joining, leaving with
a handover, deactivating; and the login log for supervisors."""

import ipaddress

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from proposals import access
from proposals.limits import typed
from proposals.models import HandlingUnit, Role, TransitionError

from .. import second_factor, services
from ..forms import AddStaffForm, SuccessorForm
from ..models import FAILED_KINDS, LoginEvent, LoginEventKind, StaffChange


def can_manage_staff(user):
    return access.scope_of(user).oversees_any


def can_manage(by, person):
    """Offices manage unit staff; supervisors anyone with a role. Nobody manages superusers here."""
    if person.is_superuser or not can_manage_staff(by):
        return False
    if access.can_supervise(by):
        return True
    return not person.banli_roles.exclude(kind__in=services.UNIT_ROLES).exists()


def _require_manager(request):
    if not can_manage_staff(request.user):
        raise Http404


class StaffListView(ListView):
    template_name = "accounts/staff_list.html"
    context_object_name = "roles"
    paginate_by = 50

    def dispatch(self, request, *args, **kwargs):
        _require_manager(request)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        qs = Role.objects.filter(kind__in=services.UNIT_ROLES).select_related("user", "unit")
        self.unit = None
        unit_id = self.request.GET.get("unit", "")
        if unit_id.isdigit():
            self.unit = HandlingUnit.objects.filter(pk=unit_id).first()
            qs = qs.filter(unit=self.unit)
        return qs.order_by("unit__name", "kind", "user__username")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            units=HandlingUnit.objects.all(),
            unit=self.unit,
            form=AddStaffForm(initial={"unit": self.unit}),
            can_see_log=access.can_supervise(self.request.user),
        )
        return context


@require_POST
def add_staff(request):
    _require_manager(request)
    form = AddStaffForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            user, created = services.add_to_unit(
                unit=data["unit"],
                kind=data["kind"],
                by=request.user,
                username=data["username"],
                full_name=data["full_name"],
                email=data["email"],
            )
        except TransitionError as error:
            form.add_error("username", str(error))
        else:
            if created:
                password = services.initial_password(user)
                messages.success(
                    request,
                    _("已新建账号 %(username)s，初始密码：%(password)s（只显示这一次，请当面交给本人）。")
                    % {"username": user.username, "password": password},
                )
            else:
                messages.success(request, _("已将 %(username)s 加入该单位。") % {"username": user.username})
            return redirect("accounts:staff_detail", pk=user.pk)
    units = HandlingUnit.objects.all()
    return render(request, "accounts/staff_add.html", {"form": form, "units": units})


def staff_detail(request, pk):
    _require_manager(request)
    person = get_object_or_404(get_user_model().objects.prefetch_related("banli_roles__unit"), pk=pk)
    if not can_manage(request.user, person):
        raise Http404
    unit_ids = [r.unit_id for r in person.banli_roles.all() if r.unit_id]
    work = services.open_work(person, unit_ids)
    units = []
    for unit in HandlingUnit.objects.filter(pk__in=unit_ids):
        unit_work = services.open_work(person, [unit.pk])
        units.append(
            {
                "unit": unit,
                "roles": [r for r in person.banli_roles.all() if r.unit_id == unit.pk],
                "drafting": list(unit_work["drafting"]),
                "signing": list(unit_work["signing"]),
                "form": SuccessorForm(
                    colleagues=services.colleagues(person, [unit.pk]),
                    need_successor=unit_work["drafting"].exists() or unit_work["signing"].exists(),
                    prefix=f"u{unit.pk}",
                ),
            }
        )
    deactivate_form = SuccessorForm(
        colleagues=services.colleagues(person, unit_ids),
        need_successor=work["drafting"].exists() or work["signing"].exists(),
    )
    context = {
        "person": person,
        "units": units,
        "other_roles": [r for r in person.banli_roles.all() if not r.unit_id],
        "drafting": list(work["drafting"]),
        "signing": list(work["signing"]),
        "deactivate_form": deactivate_form,
        "changes": StaffChange.objects.filter(user=person).select_related("actor", "unit", "successor")[:50],
        "events": LoginEvent.objects.filter(user=person)[:20] if access.can_supervise(request.user) else None,
        "can_reset": access.can_supervise(request.user),
    }
    return render(request, "accounts/staff_detail.html", context)


def _person(request, pk):
    _require_manager(request)
    person = get_object_or_404(get_user_model(), pk=pk)
    if not can_manage(request.user, person):
        raise Http404
    return person


@require_POST
def remove_from_unit(request, pk, unit_pk):
    person = _person(request, pk)
    unit = get_object_or_404(HandlingUnit, pk=unit_pk)
    form = SuccessorForm(
        request.POST, colleagues=services.colleagues(person, [unit.pk]), need_successor=False, prefix=f"u{unit.pk}"
    )
    if form.is_valid():
        try:
            services.remove_from_unit(
                user=person,
                unit=unit,
                by=request.user,
                successor=form.cleaned_data["successor"],
                note=form.cleaned_data["note"],
            )
        except TransitionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("已调离%(unit)s。") % {"unit": unit})
    else:
        messages.error(request, _("请选择接手的同事。"))
    return redirect("accounts:staff_detail", pk=person.pk)


@require_POST
def deactivate(request, pk):
    person = _person(request, pk)
    unit_ids = list(person.banli_roles.filter(unit__isnull=False).values_list("unit_id", flat=True))
    form = SuccessorForm(request.POST, colleagues=services.colleagues(person, unit_ids), need_successor=False)
    if form.is_valid():
        try:
            services.deactivate(
                user=person, by=request.user, successor=form.cleaned_data["successor"], note=form.cleaned_data["note"]
            )
        except TransitionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("已停用该账号，其所有登录会话已结束。"))
    else:
        messages.error(request, _("请选择接手的同事。"))
    return redirect("accounts:staff_detail", pk=person.pk)


@require_POST
def reactivate(request, pk):
    person = _person(request, pk)
    try:
        services.reactivate(user=person, by=request.user)
    except TransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已恢复该账号。"))
    return redirect("accounts:staff_detail", pk=person.pk)


@require_POST
def reset_second_factor(request, pk):
    """A lost phone: the supervisor removes the person's devices; they enrol again at their next sign-in."""
    if not access.can_supervise(request.user):
        raise Http404
    person = _person(request, pk)
    second_factor.reset(person, by=request.user, request=request)
    messages.success(request, _("已重置两步验证：此人下次登录时重新设置。"))
    return redirect("accounts:staff_detail", pk=person.pk)


class LoginEventListView(ListView):
    """登录记录: every sign-in step, newest first; the supervisor's view."""

    template_name = "accounts/login_events.html"
    context_object_name = "events"
    paginate_by = 100

    def dispatch(self, request, *args, **kwargs):
        if not access.can_supervise(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        qs = LoginEvent.objects.select_related("user")
        q = self.request.GET
        self.filters = {
            "username": typed(q, "username", 150),
            "ip": typed(q, "ip", 45),
            "kind": q.get("kind", "") if q.get("kind", "") in LoginEventKind.values else "",
            "failed": q.get("failed") == "1",
        }
        if self.filters["username"]:
            qs = qs.filter(username=self.filters["username"].lower())
        if self.filters["ip"]:
            qs = qs.filter(ip=self.filters["ip"]) if _is_ip(self.filters["ip"]) else qs.none()
        if self.filters["kind"]:
            qs = qs.filter(kind=self.filters["kind"])
        if self.filters["failed"]:
            qs = qs.filter(kind__in=FAILED_KINDS)
        return qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(filters=self.filters, kinds=LoginEventKind.choices, query=query.urlencode())
        return context


def _is_ip(value):
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True
