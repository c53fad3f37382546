"""The documents the app prints, which engine prints each, their versions and their stored PDFs.

A document is built from the records (never from request input): a letter as JSON data for
a Typst template (printing/letters.py), a form as HTML from the templates under
templates/printing/ for WeasyPrint. It is cached in `RenderedDocument` by a hash of all it
is made from (the data or HTML, the template or stylesheet, what its images are made of),
so a change anywhere makes a new version.
"""

import base64
import functools
import hashlib
import json
import logging
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from feedback.models import Channel, HandlingEffect, Satisfaction
from proposals.i18n import in_chinese
from replies import body
from replies.models import ContactMethod

from . import letters, notices, pdf, typesetting
from .models import DocumentKind, RenderedDocument

logger = logging.getLogger(__name__)

FORM_CSS = "css/print-form.css"
# Where the feedback helper's verify page lives (feedback/urls.py on its branch).
VERIFY_PATH = "/verify/{code}/"


class Engine(models.TextChoices):
    TYPST = "typst", "Typst"
    WEASYPRINT = "weasyprint", "WeasyPrint"


# Which engine prints what: formal letters are typeset by Typst (justified Chinese lines,
# punctuation compression, kinsoku, PDF/A); forms and other HTML print views by WeasyPrint,
# from the same HTML as the pages. Callers ask for a document (below), never for an engine.
ENGINES: dict[str, Engine] = {
    DocumentKind.REPLY_LETTER: Engine.TYPST,
    DocumentKind.FEEDBACK_FORM: Engine.WEASYPRINT,
    DocumentKind.REPLY_FORM: Engine.WEASYPRINT,
    DocumentKind.BLANK_FORM: Engine.WEASYPRINT,
    DocumentKind.ESCALATION_NOTICE: Engine.TYPST,
}


@dataclass
class Printable:
    """One document ready to render: which it is, what it is made from, and how its file is named."""

    kind: str
    object_id: int
    filename: str = "document.pdf"

    @property
    def engine(self):
        return ENGINES[self.kind]

    def feed(self, digest) -> None:
        """Add everything the document is made from to `digest` (its cache key)."""
        raise NotImplementedError

    @functools.cached_property
    def content_hash(self):
        digest = hashlib.sha256()
        digest.update(self.kind.encode())
        self.feed(digest)
        return digest.hexdigest()


@dataclass
class HtmlPrintable(Printable):
    """A document WeasyPrint renders from escaped HTML, one stylesheet and its own images."""

    html: str = ""
    stylesheet: str = ""
    assets: list = field(default_factory=list)

    def feed(self, digest):
        digest.update(self.html.encode("utf-8"))
        css, _mime = pdf.read_static(self.stylesheet)
        digest.update(css or b"")
        for asset in sorted(self.assets, key=lambda a: a.name):
            digest.update(asset.name.encode())
            digest.update(asset.identity)  # what the image is made from: no image is decoded here

    @property
    def text(self):
        return self.html

    def render(self):
        return pdf.render_pdf(self.html, stylesheets=[self.stylesheet], assets=self.assets)


@dataclass
class TypstPrintable(Printable):
    """A document Typst typesets from a template of the repo and JSON data (no markup from users)."""

    template: str = ""
    data: dict = field(default_factory=dict)

    @functools.cached_property
    def payload(self):
        return json.dumps(self.data, ensure_ascii=False, sort_keys=True)

    def feed(self, digest):
        digest.update(self.payload.encode("utf-8"))
        digest.update(typesetting.template_source(self.template))

    @property
    def text(self):
        return self.payload

    def render(self):
        return typesetting.compile_pdf(self.template, self.data)


# A version whose render failed after a long time is not tried again for a while: otherwise every
# request for it would hold a render (and whoever waits behind it) for as long again. A failure
# that came quickly costs little and may be passing, so the next request tries again.
FAILED_RENDER_SECONDS = 300
SLOW_FAILURE_SECONDS = 1.0


def _failure_key(printable):
    return f"printing:failed:{printable.kind}:{printable.object_id}:{printable.content_hash}"


def stored_pdf(printable):
    """The stored render of this version, rendering and storing it first if needed.

    A version whose render failed after SLOW_FAILURE_SECONDS or more raises the same PrintError
    again, without rendering, for FAILED_RENDER_SECONDS (in the shared cache, so every app server
    knows); a changed document is a new version and is tried.
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
        if time.perf_counter() - started >= SLOW_FAILURE_SECONDS:
            message = _("%(error)s（%(minutes)s 分钟内不再重试）") % {
                "error": exc,
                "minutes": FAILED_RENDER_SECONDS // 60,
            }
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


def reply_letter(reply):
    """The letter as Typst typesets it (PDF/A-2b)."""
    return TypstPrintable(
        kind=DocumentKind.REPLY_LETTER,
        object_id=reply.pk,
        filename=f"reply-{reply.pk}.pdf",
        template=letters.TEMPLATE,
        data=letters.document_data([reply]),
    )


def reply_letters(replies):
    """Several letters as one Typst document, each with its own page numbers (batch printing)."""
    return TypstPrintable(
        kind=DocumentKind.REPLY_LETTER,
        object_id=0,
        filename="replies.pdf",
        template=letters.TEMPLATE,
        data=letters.document_data(replies),
    )


def escalation_notice(escalation):
    """The 督办通知单 of one 督办, typeset by Typst."""
    return TypstPrintable(
        kind=DocumentKind.ESCALATION_NOTICE,
        object_id=escalation.pk,
        filename=f"escalation-notice-{escalation.pk}.pdf",
        template=notices.TEMPLATE,
        data=notices.notice_data(escalation),
    )


@in_chinese
def reply_letter_preview(reply, *, csp_nonce=""):
    """The letter as an HTML page for the screen (and the browser's own printing), from the same structure."""
    unit = reply.assignment.unit
    seal = pdf.Asset.from_image_file("seal", unit.seal) if unit.seal else None
    context = {
        "reply": reply,
        "letterhead": unit.letterhead_name,
        "letterhead_pt": letters.letterhead_size(unit.letterhead_name),
        "title_lines": letters.title_lines(reply.title),
        "addressee_parts": letters.addressee_parts(reply.addressees),
        "paragraphs": body.paragraphs_of(reply),
        "seal_url": _data_url(seal),
        "note": reply.annotation,
        "fonts": fonts_context(),
        "csp_nonce": csp_nonce,
    }
    return render_to_string("printing/reply_letter.html", context)


def _data_url(asset):
    if asset is None or asset.data is None:
        return ""
    return f"data:{asset.mime};base64,{base64.b64encode(asset.data).decode()}"


# --- feedback form -------------------------------------------------------------------------


def spaced_name(name):
    """Two-character names are printed with a space, as on the form: 程 玮."""
    return " ".join(name) if len(name) == 2 else name


def _boxes(choices, ticked):
    return [{"label": label, "ticked": value in ticked} for value, label in choices]


def form_context(*, reply=None, member=None, feedback=None, site_url=""):
    """Rows of the seed form; ticks only where the record has them (a blank stays blank)."""
    ticks: dict[str, set[str]] = {"methods": set(), "effect": set(), "satisfaction": set(), "publish": set()}
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
        signature = (
            pdf.Asset.from_image_file("signature", feedback.signature, on_white=True) if feedback.signature else None
        )
        if signature:
            assets.append(signature)
        if context["verify_url"]:
            assets.append(pdf.Asset.qr_code("qr", context["verify_url"]))
    context["signature_url"] = "banli-asset:signature" if any(a.name == "signature" for a in assets) else ""
    context["qr_url"] = "banli-asset:qr" if any(a.name == "qr" for a in assets) else ""
    return HtmlPrintable(
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
    return HtmlPrintable(
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
    return HtmlPrintable(
        kind=DocumentKind.BLANK_FORM,
        object_id=0,
        html=render_to_string("printing/feedback_form.html", context),
        stylesheet=FORM_CSS,
        filename="feedback-form.pdf",
    )


def warm():
    """Prepare both engines in this process (a web worker at boot): Typst typesets a sample letter,
    WeasyPrint is imported and prints the blank form (fontconfig, fonts and print stylesheet
    loaded), so the first letter or signed form a supervisor prints does not wait for them.
    Returns the blank form's PDF, or None when it could not be printed (the worker still serves)."""
    letters.warm()
    try:
        return blank_form().render()
    except pdf.PrintError:
        logger.exception("Warming up the form printer failed")
        return None
