"""The public check of a printed form's verification code.

Anyone holding a printout may check it: the page shows what the printout must match (the
ticks, the consent, the first characters of the opinion, the signature) and whether the stored
record still gives its seal, and nothing else about the member. A code that cannot be one is
a 404 before any look-up.
"""

import io

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from PIL import Image

from replies.models import ContactMethod

from .. import seals
from ..forms import PUBLISH_CHOICES
from ..models import Feedback, HandlingEffect, Satisfaction

OPINION_START = 20
THUMBNAIL = (240, 80)


def _normalised(code):
    return code.strip().replace("-", "").replace(" ", "").upper()


def _sealed_form(code):
    code = _normalised(code)
    if not seals.is_code(code):
        raise Http404
    feedback = (
        Feedback.objects.submitted()
        .filter(verification_code=code)
        .select_related("reply__assignment__proposal", "reply__assignment__unit")
        .prefetch_related("corrections")
        .first()
    )
    if feedback is None:
        raise Http404
    return feedback


def _masked(name):
    """程玮 → 程*: enough to match a printout, not a directory of who answered what."""
    return name[:1] + "*" * max(len(name) - 1, 1)


def _ticks(choices, chosen):
    return [(label, value in chosen) for value, label in choices]


def _facts(form):
    """What the printed form shows, row by row, as ☑/☐ (an answer `form` being the form or a correction)."""
    consent = form.publish_consent
    return {
        "effect": _ticks(HandlingEffect.choices, {form.handling_effect}),
        "satisfaction": _ticks(Satisfaction.choices, {form.satisfaction}),
        "consent": [(label, consent is (value == "yes")) for value, label in PUBLISH_CHOICES],
    }


@login_not_required
def verify_lookup(request):
    """Type the code printed on a paper form when there is no QR scanner at hand."""
    code = _normalised(request.GET.get("code", ""))
    if code:
        if not seals.is_code(code):
            return render(request, "feedback/verify.html", {"ask": True, "bad_code": True}, status=404)
        return redirect("feedback:verify", code=code)
    return render(request, "feedback/verify.html", {"ask": True})


@login_not_required
@never_cache
def verify(request, code):
    try:
        feedback = _sealed_form(code)
    except Http404:
        return render(request, "feedback/verify.html", {"ask": True, "not_found": True}, status=404)
    correction = feedback.current_correction
    methods = set(feedback.methods)
    context = {
        "code": feedback.verification_code,
        "feedback": feedback,
        "matches": feedback.matches_seal(),
        "legacy_seal": feedback.seal_key_id == seals.LEGACY_KEY_ID,
        "member_name": _masked(feedback.member.name),
        "methods": _ticks(ContactMethod.choices, methods),
        "printed": _facts(feedback),
        "opinion_start": feedback.opinion[:OPINION_START],
        "opinion_more": len(feedback.opinion) > OPINION_START,
        "correction": correction,
        "corrected": _facts(correction) if correction else None,
    }
    return render(request, "feedback/verify.html", context)


@login_not_required
def verify_signature(request, code):
    """A small picture of the signature on the sealed form, to hold against the printout."""
    feedback = _sealed_form(code)
    if not feedback.signature:
        raise Http404
    try:
        with feedback.signature.open("rb") as fh, Image.open(fh) as image:
            image.thumbnail(THUMBNAIL)
            out = io.BytesIO()
            image.save(out, format="PNG")
    except (OSError, ValueError, Image.DecompressionBombError):
        raise Http404 from None
    response = HttpResponse(out.getvalue(), content_type="image/png")
    response["Cache-Control"] = "no-store"
    return response
