from proposals.access import get_visible_or_404

from ..models import Reply


def visible_reply(request, pk):
    qs = Reply.objects.select_related("assignment__proposal__session", "assignment__unit", "signer")
    return get_visible_or_404(qs, request.user, pk=pk)
