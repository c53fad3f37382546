"""Pages of the 督查室 (and of each body's office, for its own body): the dashboard, the
overdue and due-soon lists with 催办, exports, search, and the public disclosure pages (the
only pages here open without login). The 交办清单 import has its own module, import_pages."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from proposals import access
from proposals.models import Assignment, Body, FinishedRank

from . import charts, exports, meetings, public, search, services, stats
from .filters import AssignmentFilter, PublicFilter, SearchForm, UrgeForm
from .models import Urge

LISTS = {
    "overdue": _l("逾期未办复"),
    "due_soon": _l("即将到期"),
    "all": _l("全部交办"),
}


# --- access --------------------------------------------------------------------------


def oversight_scope(user):
    """The 督查室 sees every body; an office (代表室/提案委) sees its own body; anyone else gets 404."""
    scope = access.scope_of(user)
    if not scope.oversees_any:
        raise Http404
    return scope


def dashboard_criteria(request):
    """The filter form, the criteria it and the user's reach add up to (a Q on Assignment), and
    the assignments in the user's scope that meet them.

    An office's reach is the same body clause `access.assignments_visible_to` applies, so the
    criteria never reach beyond `.visible_to(user)`; the dashboard passes them on to the
    statistics, which apply them to replies, contacts and feedback through their joins.
    """
    scope = oversight_scope(request.user)
    criteria = Q() if scope.everything else Q(proposal__session__body__in=sorted(scope.bodies))
    qs = Assignment.objects.visible_to(request.user)
    f = AssignmentFilter(request.GET or None, queryset=qs, scope=scope)
    if f.is_bound and f.is_valid():
        for name, flt in f.filters.items():
            value = f.form.cleaned_data.get(name)
            if value not in (None, ""):
                criteria &= Q(**{flt.field_name: getattr(value, "pk", value)})
    return f, criteria, qs.filter(criteria)


def _fmt(request):
    fmt = request.GET.get("export")
    return fmt if fmt in ("xlsx", "csv") else None


# --- dashboard -------------------------------------------------------------------------

PCT = "%"


def _pct(value):
    return "—" if value is None else f"{value}{PCT}"


UNIT_HEADERS = [
    _l("承办单位"),
    _l("办理方式"),
    _l("交办"),
    _l("签收"),
    _l("签收率"),
    _l("已办复"),
    _l("办复率"),
    _l("按期办复"),
    _l("按期办复率"),
    _l("已沟通"),
    _l("沟通率"),
    _l("收到反馈"),
    _l("反馈回收率"),
    _l("意见表份数"),
    _l("满意"),
    _l("基本满意"),
    _l("满意率"),
    _l("不满意"),
    _l("未表态"),
    "A",
    "B",
    "C",
    "D",
]


def _unit_row(r):
    return [
        r["unit"],
        r["role_label"],
        r["assigned"],
        r["signed"],
        _pct(r["signed_rate"]),
        r["replied"],
        _pct(r["replied_rate"]),
        r["on_time"],
        _pct(r["on_time_rate"]),
        r["contacted"],
        _pct(r["contact_rate"]),
        r["returned"],
        _pct(r["returned_rate"]),
        r["forms"],
        r["satisfied"],
        r["basically"],
        _pct(r["satisfied_rate"]),
        r["dissatisfied"],
        r["silent"],
        r["class_A"],
        r["class_B"],
        r["class_C"],
        r["class_D"],
    ]


def _summary_rows(s):
    return [
        (pgettext("assigned", "交办"), s["assigned"], ""),
        (_("签收"), s["signed"], _pct(s["signed_rate"])),
        (_("已办复（办复率）"), s["replied"], _pct(s["replied_rate"])),
        (_("按期办复（按期办复率）"), s["on_time"], _pct(s["on_time_rate"])),
        (_("已沟通（沟通率）"), s["contacted"], _pct(s["contact_rate"])),
        (_("收到反馈（反馈回收率）"), s["returned"], _pct(s["returned_rate"])),
        (_("收回意见表份数"), s["forms"], ""),
        (_("满意 + 基本满意（满意率）"), s["satisfied"] + s["basically"], _pct(s["satisfied_rate"])),
        (_("不满意"), s["dissatisfied"], ""),
        (_("未表态"), s["silent"], ""),
        (_("A 类答复"), s["class_A"], ""),
        (_("B 类答复"), s["class_B"], ""),
        (_("C 类答复"), s["class_C"], ""),
        (_("D 类答复"), s["class_D"], ""),
    ]


def dashboard(request):
    f, criteria, _qs = dashboard_criteria(request)
    figures = stats.figures(criteria)
    summary, units = figures["summary"], figures["units"]
    if fmt := _fmt(request):
        sheets = [
            (_("总体"), [_("指标"), _("件数/份数"), _("比率")], _summary_rows(summary)),
            (_("分单位"), UNIT_HEADERS, [_unit_row(r) for r in units]),
        ]
        return exports.download(fmt, _("办理情况统计"), sheets)
    context = {
        "filter": f,
        "query": f.query_string,
        "summary": summary,
        "units": units,
        "unit_chart": charts.unit_bars(units),
        "timeline": charts.timeline_bars(figures["months"]),
        "definitions": stats.DEFINITIONS,
        "overdue_count": figures["overdue"],
        "commitments": figures["commitments"],
        "due_soon_count": figures["due_soon"],
        "computed_at": figures["computed_at"],
        "meetings": (meeting_rates := meetings.unit_rates(criteria)),
        "meetings_below": meetings.below_full(meeting_rates),
    }
    return render(request, "supervision/dashboard.html", context)


# --- lists and 催办 ------------------------------------------------------------------------

LIST_HEADERS = [
    _l("编号"),
    _l("案由"),
    _l("会次"),
    _l("领衔人"),
    _l("承办单位"),
    _l("办理方式"),
    _l("状态"),
    _l("交办日期"),
    _l("签收日期"),
    _l("办理期限"),
    _l("剩余天数（负数为已超期）"),
    _l("催办次数"),
    _l("最近催办"),
]


def _list_queryset(qs, which, today):
    if which == "overdue":
        return qs.overdue(today).order_by("due_on", "pk")
    if which == "due_soon":
        return qs.due_soon(today).order_by("due_on", "pk")
    return qs.order_by("due_on", "pk")


def _page_keys(criteria, which, today):
    """The keys of the list's assignments in its order, read from an index in that order (open
    work: the inbox's; everything: by deadline), so that a page reads its own rows and those
    before it, each checked against the filters (joined to its proposal), not every matching
    assignment. A unit is compared as `unit_id + 0`: an index of the unit's would have the
    database sort all of that unit's assignments first."""
    qs = stats.unit_by_key(Assignment.objects, criteria).alias(finished=FinishedRank())
    if which == "overdue":
        qs = qs.filter(finished=0, due_on__lt=today)
    elif which == "due_soon":
        horizon = today + datetime.timedelta(days=settings.BANLI_DUE_SOON_DAYS)
        qs = qs.filter(finished=0, due_on__gte=today, due_on__lte=horizon)
    return qs.order_by("due_on", "pk").values_list("pk", flat=True)


def _with_details(qs):
    """The list's rows with their proposal, unit and 催办 count and latest time."""
    urges = Urge.objects.filter(assignment=OuterRef("pk"))
    return qs.select_related("proposal__session", "proposal__lead", "unit").annotate(
        urge_count=Subquery(urges.order_by().values("assignment").annotate(n=Count("pk")).values("n")[:1]),
        last_urged_at=Subquery(urges.order_by("-urged_at").values("urged_at")[:1]),
    )


def assignment_list(request, which):
    if which not in LISTS:
        raise Http404
    f, criteria, qs = dashboard_criteria(request)
    today = timezone.localdate()
    qs = _list_queryset(qs, which, today)
    if fmt := _fmt(request):
        qs = _with_details(qs)
        rows = (
            [
                a.proposal.number,
                a.proposal.title,
                a.proposal.session.name,
                a.proposal.lead.name,
                a.unit.short_name,
                a.get_role_display(),
                a.get_status_display(),
                a.assigned_on,
                a.signed_for_on,
                a.due_on,
                a.days_left(today) if a.is_open else "",
                a.urge_count or 0,
                timezone.localtime(a.last_urged_at).strftime("%Y-%m-%d %H:%M") if a.last_urged_at else "",
            ]
            for a in qs.iterator(chunk_size=2000)
        )
        return exports.download(fmt, str(LISTS[which]), [(LISTS[which], LIST_HEADERS, rows)])
    # The page is cut on the assignments' own columns (an index), and only its 50 rows are joined
    # and get their 催办 figures: not every overdue assignment before the sort. Still one query.
    paginator = Paginator(_page_keys(criteria, which, today), 50)
    paginator.count = stats.list_count(criteria, which, today)  # from the tally, not by counting rows
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = list(_with_details(Assignment.objects.filter(pk__in=page.object_list)).order_by("due_on", "pk"))
    for a in page.object_list:
        # Only what still waits on its unit has days left or overdue; a replied item has neither.
        a.left_days = a.days_left(today) if a.is_open else None
        a.wait_days = -a.left_days if a.is_open else 0
    context = {
        "filter": f,
        "query": f.query_string,
        "which": which,
        "title": LISTS[which],
        "lists": LISTS,
        "page_obj": page,
        "paginator": page.paginator,
        "is_paginated": page.has_other_pages(),
        "object_list": page.object_list,
        # The 催办 choices of every row, translated once for the page.
        "urge_methods": [(value, str(label)) for value, label in UrgeForm().fields["method"].choices],
    }
    return render(request, "supervision/assignment_list.html", context)


@require_POST
def urge(request, pk):
    oversight_scope(request.user)
    qs = Assignment.objects.routed_by(request.user)
    assignment = get_object_or_404(qs.select_related("proposal", "unit"), pk=pk)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("supervision:list", args=["overdue"])
    form = UrgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择催办方式。"))
        return redirect(back)
    _record, sent = services.urge(
        assignment=assignment, by=request.user, method=form.cleaned_data["method"], note=form.cleaned_data["note"]
    )
    if sent is True:
        messages.success(request, _("已催办%(unit)s，并已发送提醒邮件。") % {"unit": assignment.unit.short_name})
    elif sent is None:
        messages.success(
            request,
            _("已记录对%(unit)s的催办；该单位没有登记电子邮箱，未发邮件。") % {"unit": assignment.unit.short_name},
        )
    else:
        messages.success(
            request, _("已记录对%(unit)s的催办；本期限的提醒邮件此前已发送过。") % {"unit": assignment.unit.short_name}
        )
    return redirect(back)


# --- search ----------------------------------------------------------------------------------


def search_view(request):
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    context = {"form": form, "q": query}
    if query:
        terms = search.terms_of(query)
        proposals = list(search.proposals(request.user, query)[:50])
        replies = list(search.replies(request.user, query)[:50])
        for row in [*proposals, *replies]:
            row.title_html = search.highlight(row.title, terms)
            row.snippet = search.snippet(row.body, terms)
        context.update(proposals=proposals, replies=replies)
    return render(request, "supervision/search.html", context)


# --- public disclosure ---------------------------------------------------------------------------


def _public_item(reply):
    return {
        "pk": reply.pk,
        "title": public.redact(reply.title),
        "index_number": reply.disclosure.index_number,
        "publisher": reply.closing,
        "written_on": reply.written_on,
        "publication": reply.get_publication_display(),
        "doc_number": reply.doc_number,
    }


@login_not_required
def public_list(request):
    base = public.public_replies().select_related("assignment__unit", "disclosure").order_by("-written_on", "-pk")
    f = PublicFilter(request.GET or None, queryset=base)
    qs = f.qs if f.is_bound and f.is_valid() else base
    terms = f.terms if f.is_bound else []
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    items = []
    for reply in page.object_list:
        item = _public_item(reply)
        # Highlighted in the text the public reads: contact details masked before the excerpt is cut.
        item.update(
            title_html=search.highlight(item["title"], terms), snippet=search.snippet(public.redact(reply.body), terms)
        )
        items.append(item)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": f,
        "items": items,
        "page_obj": page,
        "paginator": page.paginator,
        "is_paginated": page.has_other_pages(),
        "query": query.urlencode(),
    }
    return render(request, "supervision/public_list.html", context)


@login_not_required
def public_detail(request, pk):
    reply = get_object_or_404(public.public_replies().select_related("assignment__unit", "disclosure"), pk=pk)
    item = _public_item(reply)
    item.update(
        addressees=reply.addressees,
        paragraphs=[public.redact(p) for p in reply.paragraphs],
        result_class=reply.get_result_class_display(),
    )
    return render(request, "supervision/public_detail.html", {"item": item})


def report_scope_label(f):
    """What the 通报 covers, in words, from the dashboard's filter (a session, a body, or everything)."""
    data = f.form.cleaned_data if f.is_bound and f.is_valid() else {}
    parts = []
    if data.get("session"):
        parts.append(data["session"].name)
    elif data.get("body"):
        parts.append(_("%(body)s各会次") % {"body": dict(Body.choices)[data["body"]]})
    else:
        parts.append(_("各会次"))
    if data.get("unit"):
        parts.append(data["unit"].name)
    return "".join(parts)
