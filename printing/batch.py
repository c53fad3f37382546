"""Batch printing: the issued letters of a session (or one unit) as one PDF.

The letters are typeset by Typst as one document per chunk of letters: each letter starts on
a new page with its own page numbers, and a chunk embeds its fonts once. With forms, each
letter is followed by its signed feedback forms (WeasyPrint, each stored like a single
download); the parts are merged with pikepdf (qpdf).
"""

import io

from django.utils.translation import gettext as _

from feedback.models import Feedback
from replies.models import Reply

from . import documents, letters
from .pdf import PrintError

# Letters typeset as one Typst document: fonts are embedded once per chunk (fewer, larger
# chunks make a smaller file), and Typst keeps the layouts of its recent documents in memory
# (smaller chunks keep a worker smaller); bench/pdf.py's batch figure measures both.
CHUNK = 20


class BatchTooLarge(PrintError):
    pass


def replies_for(*, session=None, unit=None, ids=None, user=None):
    qs = Reply.objects.issued()
    if user is not None:
        qs = qs.visible_to(user)
    if session is not None:
        qs = qs.filter(assignment__proposal__session=session)
    if unit is not None:
        qs = qs.filter(assignment__unit=unit)
    if ids:
        qs = qs.filter(pk__in=ids)
    return qs.select_related("assignment__unit", "assignment__proposal").order_by(
        "assignment__proposal__serial", "assignment__pk", "round"
    )


def forms_for(replies):
    """{reply pk: its submitted feedback forms, in order}."""
    forms: dict[int, list] = {}
    submitted = (
        Feedback.objects.submitted()
        .filter(reply__in=[r.pk for r in replies])
        .select_related("reply__assignment__unit", "reply__assignment__proposal", "member", "received_by")
        .order_by("pk")
    )
    for feedback in submitted:
        forms.setdefault(feedback.reply_id, []).append(feedback)
    return forms


def count(replies, *, with_forms=False):
    """How many documents the batch holds: the letters, and their signed forms when asked for."""
    return len(replies) + (sum(len(f) for f in forms_for(replies).values()) if with_forms else 0)


def build(replies, *, limit, with_forms=False, site_url="", progress=None):
    """One PDF of the letters in order (each followed by its signed forms when asked for)."""
    import pikepdf

    replies = list(replies)
    forms = forms_for(replies) if with_forms else {}
    total = len(replies) + sum(len(f) for f in forms.values())
    if not replies:
        raise PrintError(_("没有可打印的答复函。"))
    if total > limit:
        raise BatchTooLarge(
            _("一次最多打印 %(limit)d 份文件，本次选择了 %(count)d 份，请按承办单位或编号分批打印。")
            % {"limit": limit, "count": total}
        )
    merged = pikepdf.new()
    sources: list = []  # pikepdf copies pages from their documents when it saves: keep them open until then
    done = 0
    try:
        for start in range(0, len(replies), CHUNK):
            chunk = replies[start : start + CHUNK]
            data, first_pages = letters.render_with_starts(chunk)
            letters_pdf = _open(data, sources)
            if not forms:
                merged.pages.extend(letters_pdf.pages)
            else:
                ends = [*first_pages[1:], len(letters_pdf.pages)]
                for reply, first, end in zip(chunk, first_pages, ends, strict=True):
                    merged.pages.extend(letters_pdf.pages[first:end])
                    for feedback in forms.get(reply.pk, ()):
                        stored = documents.stored_pdf(documents.feedback_form(feedback, site_url=site_url))
                        with stored.file.open("rb") as fh:
                            merged.pages.extend(_open(fh.read(), sources).pages)
            done += len(chunk) + sum(len(forms.get(r.pk, ())) for r in chunk)
            if progress:
                progress(done, total)
        out = io.BytesIO()
        merged.save(out)
        return out.getvalue()
    finally:
        for source in sources:
            source.close()
        merged.close()


def _open(data, sources):
    import pikepdf

    document = pikepdf.open(io.BytesIO(data))
    sources.append(document)
    return document
