"""Batch printing: the issued letters of a session (or one unit) as one PDF, and mailing packets.

The letters are typeset by Typst as one document per chunk of letters: each letter starts on
a new page with its own page numbers, and a chunk embeds its fonts once. With forms, each
letter is followed by its signed feedback forms; as mailing packets, by the pre-filled forms
its members are to sign (WeasyPrint, each stored like a single download); the parts are
merged with pikepdf (qpdf).
"""

import io
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from feedback.models import Feedback, expected_members
from proposals.access import User
from proposals.models import HandlingUnit, Session
from replies.models import Reply

from . import documents, letters
from .pdf import PrintError

if TYPE_CHECKING:
    import pikepdf

# Letters typeset as one Typst document: fonts are embedded once per chunk (fewer, larger
# chunks make a smaller file), and a chunk's layout is held in memory until the next one
# (smaller chunks keep a worker smaller); bench/pdf.py's batch figure measures both.
CHUNK = 30


class BatchTooLarge(PrintError):
    pass


def replies_for(
    *,
    session: Session | None = None,
    unit: HandlingUnit | None = None,
    ids: Sequence[int] | None = None,
    user: "User | None" = None,
) -> QuerySet[Reply]:
    qs = Reply.objects.issued()
    if user is not None:
        qs = qs.handled_by(user)
    if session is not None:
        qs = qs.filter(assignment__proposal__session=session)
    if unit is not None:
        qs = qs.filter(assignment__unit=unit)
    if ids:
        qs = qs.filter(pk__in=ids)
    return qs.select_related("assignment__unit", "assignment__proposal").order_by(
        "assignment__proposal__serial", "assignment__pk", "round"
    )


def forms_for(replies: Iterable[Reply]) -> dict[int, list[Feedback]]:
    """{reply pk: its submitted feedback forms, in order}."""
    forms: dict[int, list[Feedback]] = {}
    submitted = (
        Feedback.objects.submitted()
        .filter(reply__in=[r.pk for r in replies])
        .select_related("reply__assignment__unit", "reply__assignment__proposal", "member", "received_by")
        .order_by("pk")
    )
    for feedback in submitted:
        forms.setdefault(feedback.reply_id, []).append(feedback)
    return forms


def attachments_for(
    replies: Sequence[Reply], *, with_forms: bool = False, packets: bool = False, site_url: str = ""
) -> dict[int, list[documents.Printable]]:
    """{reply pk: the documents printed after its letter}: its signed forms, and for a mailing
    packet the pre-filled forms of the members who answer it and have not yet."""
    attached: dict[int, list[documents.Printable]] = {}
    signed = forms_for(replies) if (with_forms or packets) else {}
    for reply in replies:
        docs = []
        if with_forms:
            docs += [documents.feedback_form(feedback, site_url=site_url) for feedback in signed.get(reply.pk, ())]
        if packets:
            answered = {feedback.member_id for feedback in signed.get(reply.pk, ())}
            docs += [documents.reply_form(reply, m) for m in expected_members(reply) if m.pk not in answered]
        if docs:
            attached[reply.pk] = docs
    return attached


def count(replies: Sequence[Reply], *, with_forms: bool = False, packets: bool = False) -> int:
    """How many documents the batch holds: the letters, and what is printed after each."""
    attached = attachments_for(replies, with_forms=with_forms, packets=packets)
    return len(replies) + sum(len(docs) for docs in attached.values())


def build(
    replies: Iterable[Reply],
    *,
    limit: int,
    with_forms: bool = False,
    packets: bool = False,
    site_url: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """One PDF of the letters in order, each followed by its signed forms or its mailing packet's forms when asked for."""
    import pikepdf

    replies = list(replies)
    attached = attachments_for(replies, with_forms=with_forms, packets=packets, site_url=site_url)
    total = len(replies) + sum(len(docs) for docs in attached.values())
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
        with letters.typesetter(replies) as render:
            for start in range(0, len(replies), CHUNK):
                chunk = replies[start : start + CHUNK]
                data, first_pages = render(chunk)
                letters_pdf = _open(data, sources)
                if not attached:
                    merged.pages.extend(letters_pdf.pages)
                else:
                    ends = [*first_pages[1:], len(letters_pdf.pages)]
                    for reply, first, end in zip(chunk, first_pages, ends, strict=True):
                        merged.pages.extend(letters_pdf.pages[first:end])
                        for printable in attached.get(reply.pk, ()):
                            merged.pages.extend(_stored(printable, sources).pages)
                done += len(chunk) + sum(len(attached.get(r.pk, ())) for r in chunk)
                if progress:
                    progress(done, total)
        out = io.BytesIO()
        merged.save(out)
        return out.getvalue()
    finally:
        for source in sources:
            source.close()
        merged.close()


def packet(reply: Reply) -> bytes:
    """The mailing packet of one issued reply: its letter, then a pre-filled form for each member
    who answers it (BANLI_FEEDBACK_FROM), to print and post together."""
    import pikepdf

    merged = pikepdf.new()
    sources: list = []
    try:
        for printable in [
            documents.reply_letter(reply),
            *(documents.reply_form(reply, m) for m in expected_members(reply)),
        ]:
            merged.pages.extend(_stored(printable, sources).pages)
        out = io.BytesIO()
        merged.save(out)
        return out.getvalue()
    finally:
        for source in sources:
            source.close()
        merged.close()


def _stored(printable: documents.Printable, sources: list["pikepdf.Pdf"]) -> "pikepdf.Pdf":
    stored = documents.stored_pdf(printable)
    with stored.file.open("rb") as fh:
        return _open(fh.read(), sources)


def _open(data: bytes, sources: list["pikepdf.Pdf"]) -> "pikepdf.Pdf":
    import pikepdf

    document = pikepdf.open(io.BytesIO(data))
    sources.append(document)
    return document
