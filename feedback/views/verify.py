"""The public check of a printed form's verification code."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render

from ..models import (
    Feedback,
)


@login_not_required
def verify_lookup(request):
    """Type the code printed on a paper form when there is no QR scanner at hand."""
    code = request.GET.get("code", "").strip().replace("-", "").replace(" ", "")
    if code:
        return redirect("feedback:verify", code=code[:32])
    return render(request, "feedback/verify.html", {"ask": True})


@login_not_required
def verify(request, code):
    feedback = (
        Feedback.objects.filter(verification_code=code.strip().upper())
        .exclude(verification_code="")
        .select_related("member", "reply__assignment__proposal")
        .first()
    )
    context = {"code": code, "feedback": feedback, "matches": feedback.matches_seal() if feedback else False}
    return render(request, "feedback/verify.html", context, status=200 if feedback else 404)
