"""The feedback app's part of the proposal page: the members' forms on its replies."""

from proposals.page_parts import PagePart

from .models import Feedback


def prepare(request, proposal, assignments):
    forms = (
        Feedback.objects.visible_to(request.user)
        .submitted()
        .filter(reply__assignment__proposal=proposal)
        .select_related("member", "reply__assignment__unit")
        .prefetch_related("corrections")
    )
    return {"feedback": forms}


PART = PagePart(name="feedback", prepare=prepare, page="feedback/parts/feedback.html")
