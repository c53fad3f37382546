"""Pages of unit scoring: the year's table (with the scheme beside it, exported to .xlsx) and one
unit's breakdown. For the 督查室 (every body, or one) and each body's office (its own body)."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals.models import Body, HandlingUnit, Session

from . import exports, scoring
from .views import oversight_scope


def _year_and_body(request):
    scope = oversight_scope(request.user)
    sessions = list(Session.objects.order_by().values_list("pk", "year", "body"))
    years = sorted({y for _pk, y, _b in sessions}, reverse=True)
    try:
        year = int(request.GET.get("year") or (years[0] if years else timezone.localdate().year))
    except ValueError:
        raise Http404 from None
    if not 2000 <= year <= 2100:
        raise Http404
    bodies = scope.oversight_bodies
    body = request.GET.get("body") or ""
    if body and body not in bodies:
        raise Http404
    if not scope.everything:
        body = body or bodies[0]
    ids = [pk for pk, y, b in sessions if y == year and (not body or b == body)]
    return year, body, years, bodies, ids


def _headers():
    return [
        _("承办单位"),
        _("办理方式"),
        _("交办"),
        *(str(label) for label in scoring.RATES.values()),
        *(str(label) for label in scoring.DEDUCTIONS.values()),
        _("总分"),
    ]


def score_table(request):
    year, body, years, bodies, ids = _year_and_body(request)
    scheme, scores = scoring.unit_scores(year, sessions=ids)
    if request.GET.get("export") == "xlsx":
        rows = [
            [s.unit.name, str(s.group_label), s.assigned, *(float(line.points) for line in s.lines), float(s.total)]
            for s in scores
        ]
        detail = [
            [s.unit.name, str(s.group_label), line.label, line.measure, line.rate, line.weight, float(line.points)]
            for s in scores
            for line in s.lines
        ]
        scheme_sheet = [
            [str(group), str(item), str(text)] for group, items in scoring.scheme_rows(scheme) for item, text in items
        ]
        sheets = [
            (_("考评得分"), _headers(), rows),
            (
                _("得分明细"),
                [_("承办单位"), _("办理方式"), _("项目"), _("计数"), _("比率（%）"), _("规则"), _("得分")],
                detail,
            ),
            (_("考评办法"), [_("办理方式"), _("项目"), _("规则")], scheme_sheet),
        ]
        return exports.download("xlsx", _("%(year)s年度承办单位考评") % {"year": year}, sheets)
    context = {
        "year": year,
        "years": years,
        "body": body,
        "bodies": [(b, Body(b).label) for b in bodies],
        "scheme": scheme,
        "scheme_rows": scoring.scheme_rows(scheme),
        "scores": scores,
        "rates": list(scoring.RATES.values()),
        "deductions": list(scoring.DEDUCTIONS.values()),
    }
    return render(request, "supervision/score_table.html", context)


def score_unit(request, pk):
    year, body, _years, _bodies, ids = _year_and_body(request)
    unit = get_object_or_404(HandlingUnit, pk=pk)
    scheme, scores = scoring.unit_scores(year, sessions=ids, unit=unit)
    context = {
        "year": year,
        "body": body,
        "unit": unit,
        "scheme": scheme,
        "scheme_rows": scoring.scheme_rows(scheme),
        "scores": scores,
    }
    return render(request, "supervision/score_unit.html", context)
