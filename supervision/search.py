"""Search over proposals and replies, always inside the user's scope.

On PostgreSQL the columns carry pg_trgm GIN indexes on UPPER(column) (migration 0002), which
serve Django's icontains (UPPER(col::text) LIKE UPPER('%q%')) for Chinese text, where word-based
full text search would find nothing (Chinese has no spaces between words); results are ranked
by trigram similarity of the title. A trigram index needs a term of three characters or more;
a two-character term ("养老") is a scan, as it is on SQLite, where icontains is always a scan.
"""

import re

from django.db import connection
from django.db.models import FloatField, Q, Value
from django.utils.html import conditional_escape, format_html, format_html_join

from proposals.models import Member, Proposal
from replies.models import Reply

PROPOSAL_FIELDS = ["number", "title", "body"]
REPLY_FIELDS = ["doc_number", "title", "body", "index_number", "disclosure__index_number"]
MAX_TERMS = 5


def terms_of(query):
    return [t for t in (query or "").split() if t][:MAX_TERMS]


def matching(qs, fields, terms, also=None):
    """Rows in which every term appears in at least one of the fields (or meets also(term))."""
    for term in terms:
        any_field = Q()
        for f in fields:
            any_field |= Q(**{f"{f}__icontains": term})
        if also:
            any_field |= also(term)
        qs = qs.filter(any_field)
    return qs


def _lead_named(term):
    # The matching members' ids as a list (one small query on the member table) rather than a
    # join or a subquery: with plain values PostgreSQL can combine the trigram indexes of the
    # proposal's own columns and the lead index in one BitmapOr.
    ids = list(Member.objects.filter(name__icontains=term).values_list("pk", flat=True)[:1000])
    return Q(lead_id__in=ids)


def _ranked(qs, query):
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramSimilarity

        return qs.annotate(rank=TrigramSimilarity("title", query)).order_by("-rank", "-pk")
    return qs.annotate(rank=Value(0.0, output_field=FloatField())).order_by("-pk")


def proposals(user, query):
    terms = terms_of(query)
    if not terms:
        return Proposal.objects.none()
    qs = matching(Proposal.objects.visible_to(user), PROPOSAL_FIELDS, terms, also=_lead_named)
    return _ranked(qs, query).select_related("session", "lead")


def replies(user, query):
    terms = terms_of(query)
    if not terms:
        return Reply.objects.none()
    qs = matching(Reply.objects.visible_to(user), REPLY_FIELDS, terms)
    return _ranked(qs, query).select_related("assignment__proposal", "assignment__unit")


SNIPPET_CONTEXT = 40  # characters kept before the first match; twice as many after it


def highlight(text, terms):
    """`text` escaped, with each occurrence of a term (case-insensitive) inside <mark>."""
    text = text or ""
    terms = [t for t in terms if t]
    if not terms:
        return conditional_escape(text)
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE)
    pieces, last = [], 0
    for match in pattern.finditer(text):
        pieces.append((text[last : match.start()], match.group(0)))
        last = match.end()
    return format_html_join("", "{}<mark>{}</mark>", pieces) + conditional_escape(text[last:])


def snippet(text, terms, context=SNIPPET_CONTEXT):
    """A short excerpt of `text` around the first term found in it, highlighted; "" if none is."""
    text = " ".join((text or "").split())
    lowered = text.lower()
    found = [i for i in (lowered.find(t.lower()) for t in terms if t) if i >= 0]
    if not found:
        return ""
    start = max(0, min(found) - context)
    end = min(len(text), min(found) + 2 * context + max(len(t) for t in terms))
    excerpt = highlight(text[start:end], terms)
    return format_html("{}{}{}", "…" if start else "", excerpt, "…" if end < len(text) else "")
