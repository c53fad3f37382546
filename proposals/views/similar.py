"""Similar proposals at registration and import (并案 candidates): the list, and the link/并案 action."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import similar
from ..access import can_route, get_visible_or_404
from ..models import LinkKind, Proposal
from .common import require


def candidates(request, proposal):
    """The page part: most similar proposals of the same body, this year and before, each with its link if made."""
    if not can_route(request.user, proposal):
        return None
    found = similar.candidates_for(proposal, user=request.user)
    for c in found:
        c["percent"] = round(c["score"] * 100)
    return {"proposal": proposal, "candidates": found, "next": request.get_full_path()}


@require_POST
def link(request, pk):
    proposal = get_visible_or_404(Proposal.objects.select_related("session"), request.user, pk=pk)
    require(can_route(request.user, proposal))
    kind = request.POST.get("kind")
    if kind not in LinkKind.values:
        raise Http404
    others = Proposal.objects.visible_to(request.user).filter(session__body=proposal.session.body)
    other = get_object_or_404(others.exclude(pk=proposal.pk), pk=request.POST.get("other") or 0)
    similar.link(proposal=proposal, other=other, kind=kind, by=request.user)
    messages.success(
        request,
        _("已将 %(this)s 与 %(other)s 记为“%(kind)s”，两件的办理记录均已记载。")
        % {"this": proposal.number, "other": other.number, "kind": LinkKind(kind).label},
    )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        target = proposal.get_absolute_url()
    return redirect(target)
