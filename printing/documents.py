"""What each printed document says: its HTML, its images, its version, and its stored PDF.

A document is built from the records (never from request input), rendered through the
templates under templates/printing/, and cached in `RenderedDocument` by a hash of the
HTML, what its images are made from (file bytes, QR text) and the stylesheet, so a change
anywhere makes a new version.
"""

import functools
import hashlib
import re
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from feedback.models import Channel, HandlingEffect, Satisfaction
from proposals.i18n import in_chinese
from replies.models import ContactMethod

from . import pdf
from .models import DocumentKind, RenderedDocument

LETTER_CSS = "css/print-letter.css"
FORM_CSS = "css/print-form.css"
# Where the feedback helper's verify page lives (feedback/urls.py on its branch).
VERIFY_PATH = "/verify/{code}/"

FIRST_LEVEL = re.compile(r"^[一二三四五六七八九十]+、")
SECOND_LEVEL = re.compile(r"^[（(][一二三四五六七八九十]+[）)]")


@dataclass
class Printable:
    """One document ready to render: which it is, its HTML and images, and its stylesheet."""

    kind: str
    object_id: int
    html: str
    stylesheet: str
    assets: list = field(default_factory=list)
    filename: str = "document.pdf"

    @functools.cached_property
    def content_hash(self):
        digest = hashlib.sha256()
        digest.update(self.kind.encode())
        digest.update(self.html.encode("utf-8"))
        css, _mime = pdf.read_static(self.stylesheet)
        digest.update(css or b"")
        for asset in sorted(self.assets, key=lambda a: a.name):
            digest.update(asset.name.encode())
            digest.update(asset.identity)  # what the image is made from: no image is decoded here
        return digest.hexdigest()

    def render(self):
        return pdf.render_pdf(self.html, stylesheets=[self.stylesheet], assets=self.assets)


# A version that failed to render is not tried again for this long: a letter that runs past the
# deadline would otherwise hold a render process for the whole deadline at every request.
FAILED_RENDER_SECONDS = 300


def _failure_key(printable):
    return f"printing:failed:{printable.kind}:{printable.object_id}:{printable.content_hash}"


def stored_pdf(printable):
    """The stored render of this version, rendering and storing it first if needed.

    A version whose render failed raises the same PrintError again, without rendering, for
    FAILED_RENDER_SECONDS (in the shared cache); a changed document is a new version and is tried.
    """
    content_hash = printable.content_hash
    existing = RenderedDocument.objects.lookup(printable.kind, printable.object_id, content_hash)
    if existing is not None and existing.file.storage.exists(existing.file.name):
        return existing
    if (failed := cache.get(_failure_key(printable))) is not None:
        raise pdf.PrintError(failed)
    started = time.perf_counter()
    try:
        data = printable.render()
    except pdf.PrintError as exc:
        message = _("%(error)s（%(minutes)s 分钟内不再重试）") % {"error": exc, "minutes": FAILED_RENDER_SECONDS // 60}
        cache.set(_failure_key(printable), message, FAILED_RENDER_SECONDS)
        raise
    elapsed = int((time.perf_counter() - started) * 1000)
    if existing is not None:  # the row outlived its file: replace it
        existing.delete()
    return store(printable, data, elapsed)


def store(printable, data, render_ms=0):
    """Keep a render of this version (see RenderedDocument.store)."""
    return RenderedDocument.store(
        kind=printable.kind,
        object_id=printable.object_id,
        content_hash=printable.content_hash,
        data=data,
        render_ms=render_ms,
    )


def fonts_context():
    return {role: pdf.css_family(names) for role, names in pdf.font_families().items()}


# --- reply letter ------------------------------------------------------------------------


def letter_blocks(reply):
    """The body as (kind, text) blocks: 'h1' for 一、…, 'h2' for （一）…, 'p' for paragraphs."""
    blocks = []
    for line in reply.paragraphs:
        if FIRST_LEVEL.match(line) and len(line) <= 40:
            blocks.append(("h1", line))
        elif SECOND_LEVEL.match(line) and len(line) <= 40:
            blocks.append(("h2", line))
        else:
            blocks.append(("p", line))
    return blocks


def letterhead_size(name):
    """Point size of the red unit name so that it fits the 156 mm type area on one line."""
    return max(16, min(30, int(400 / max(len(name), 1))))


@in_chinese
def reply_letter(reply, *, for_screen=False, csp_nonce=""):
    """The letter as printable HTML; `for_screen` gives the browser preview (which needs the CSP nonce)."""
    unit = reply.assignment.unit
    seal = pdf.Asset.from_image_file("seal", unit.seal) if unit.seal else None
    assets = [seal] if seal else []
    context = {
        "reply": reply,
        "unit": unit,
        "letterhead": unit.letterhead_name,
        "letterhead_pt": letterhead_size(unit.letterhead_name),
        "blocks": letter_blocks(reply),
        "seal_url": _asset_src(seal, for_screen),
        "fonts": fonts_context(),
        "for_screen": for_screen,
        "csp_nonce": csp_nonce,
    }
    html = render_to_string("printing/reply_letter.html", context)
    return Printable(
        kind=DocumentKind.REPLY_LETTER,
        object_id=reply.pk,
        html=html,
        stylesheet=LETTER_CSS,
        assets=assets,
        filename=f"reply-{reply.pk}.pdf",
    )


def _asset_src(asset, for_screen):
    if asset is None:
        return ""
    if for_screen:
        import base64

        return f"data:{asset.mime};base64,{base64.b64encode(asset.data).decode()}"
    return asset.url


# --- feedback form -------------------------------------------------------------------------


def spaced_name(name):
    """Two-character names are printed with a space, as on the form: 程 玮."""
    return " ".join(name) if len(name) == 2 else name


def _boxes(choices, ticked):
    return [{"label": label, "ticked": value in ticked} for value, label in choices]


def form_context(*, reply=None, member=None, feedback=None, site_url=""):
    """Rows of the seed form; ticks only where the record has them (a blank stays blank)."""
    ticks = {"methods": set(), "effect": set(), "satisfaction": set(), "publish": set()}
    if feedback is not None and feedback.is_submitted:
        ticks["methods"] = set(feedback.methods)
        ticks["effect"] = {feedback.handling_effect} - {""}
        ticks["satisfaction"] = {feedback.satisfaction} - {""}
        if feedback.publish_consent is not None:
            ticks["publish"] = {"yes" if feedback.publish_consent else "no"}
    assignment = reply.assignment if reply else None
    proposal = assignment.proposal if assignment else None
    signed = feedback is not None and feedback.is_submitted
    return {
        "reply": reply,
        "feedback": feedback,
        "signed": signed,
        "member_name": spaced_name(member.name) if member else "",
        "unit_name": assignment.unit.short_name if assignment else "",
        "proposal_title": proposal.title if proposal else "",
        "proposal_number": proposal.number if proposal else "",
        "methods": _boxes(ContactMethod.choices, ticks["methods"]),
        "other_method": feedback.other_method if signed else "",
        "effects": _boxes(HandlingEffect.choices, ticks["effect"]),
        "satisfactions": _boxes(Satisfaction.choices, ticks["satisfaction"]),
        "publish": _boxes([("yes", _("是")), ("no", _("否"))], ticks["publish"]),
        "opinion": feedback.opinion if signed else "",
        "needs_attention": feedback.needs_attention if signed else "",
        "paper": signed and feedback.channel == Channel.PAPER,
        "signed_on": timezone.localtime(feedback.submitted_at).date() if signed else None,
        "received_by": _person(feedback.received_by) if signed and feedback.received_by else "",
        "received_on": timezone.localtime(feedback.received_at).date() if signed and feedback.received_at else None,
        "verification_code": feedback.verification_code if signed else "",
        "verify_url": _verify_url(feedback, site_url) if signed and feedback.verification_code else "",
        "fonts": fonts_context(),
    }


def _person(user):
    return user.get_full_name() or user.get_username()


def _verify_url(feedback, site_url):
    return (settings.BANLI_SITE_URL or site_url.rstrip("/")) + VERIFY_PATH.format(code=feedback.verification_code)


@in_chinese
def feedback_form(feedback, *, site_url=""):
    """The form of one member on one reply: signed when submitted, pre-filled before."""
    context = form_context(reply=feedback.reply, member=feedback.member, feedback=feedback, site_url=site_url)
    assets = []
    if context["signed"]:
        signature = pdf.Asset.from_image_file("signature", feedback.signature) if feedback.signature else None
        if signature:
            assets.append(signature)
        if context["verify_url"]:
            assets.append(pdf.Asset.qr_code("qr", context["verify_url"]))
    context["signature_url"] = "banli-asset:signature" if any(a.name == "signature" for a in assets) else ""
    context["qr_url"] = "banli-asset:qr" if any(a.name == "qr" for a in assets) else ""
    return Printable(
        kind=DocumentKind.FEEDBACK_FORM,
        object_id=feedback.pk,
        html=render_to_string("printing/feedback_form.html", context),
        stylesheet=FORM_CSS,
        assets=assets,
        filename=f"feedback-{feedback.pk}.pdf",
    )


@in_chinese
def reply_form(reply, member):
    """The paper form that goes out with a reply, pre-filled with the member, unit, title and number."""
    context = form_context(reply=reply, member=member)
    context.update(signature_url="", qr_url="")
    return Printable(
        kind=DocumentKind.REPLY_FORM,
        # One stored form per reply and member: the member is part of the HTML, hence of the hash.
        object_id=reply.pk,
        html=render_to_string("printing/feedback_form.html", context),
        stylesheet=FORM_CSS,
        filename=f"feedback-form-{reply.pk}.pdf",
    )


@in_chinese
def blank_form():
    context = form_context()
    context.update(signature_url="", qr_url="")
    return Printable(
        kind=DocumentKind.BLANK_FORM,
        object_id=0,
        html=render_to_string("printing/feedback_form.html", context),
        stylesheet=FORM_CSS,
        filename="feedback-form.pdf",
    )
