"""Small JSON answers for the registration page's script: members to pick, the number to expect.

The page works without them (a text box of names, the number shown when the page is drawn);
both are scoped to the bodies the office oversees, like the page itself.
"""

from django.http import Http404, JsonResponse
from django.views.decorators.http import require_GET

from .. import registration
from ..access import scope_of
from ..limits import typed
from ..models import Member, Proposal, Session

QUERY_MAX = 40


def _office_bodies(request):
    bodies = scope_of(request.user).oversight_bodies
    if not bodies:
        raise Http404
    return bodies


def _session(request, bodies):
    pk = request.GET.get("session", "")
    if not pk.isdigit():
        return None
    return Session.objects.filter(body__in=bodies, pk=int(pk)).first()


@require_GET
def member_search(request):
    """?q=…&session=…: up to 20 members (people and organisations) of the session's body, or of all the office's bodies."""
    bodies = _office_bodies(request)
    session = _session(request, bodies)
    members = Member.objects.filter(body=session.body) if session else Member.objects.filter(body__in=bodies)
    query = typed(request.GET, "q", QUERY_MAX)
    results = registration.search(members, query) if query else []
    return JsonResponse({"results": results})


@require_GET
def number_preview(request):
    """?session=…&serial=…: the number registering now would give (still assigned when saving)."""
    bodies = _office_bodies(request)
    session = _session(request, bodies)
    if session is None:
        return JsonResponse({"number": "", "taken": False})
    serial = request.GET.get("serial", "")
    serial = int(serial) if serial.isdigit() and 0 < int(serial) < 10**6 else None
    serial, number = Proposal.objects.next_number(session, serial=serial)
    taken = Proposal.objects.filter(session=session, serial=serial).exists()
    return JsonResponse({"number": number, "taken": taken})
