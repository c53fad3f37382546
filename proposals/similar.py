"""Similar proposals (并案 candidates), found by character bigrams: Chinese needs no word
segmentation for this, and two titles that say the same thing in other words still share most of
their bigrams ("加快老旧小区改造" / "推进老旧小区改造工作").

The index (`SimilarityGram`) holds, per proposal, every bigram of its title and a sketch of its
body: the bigrams whose hash is smallest (a bottom-k sketch: two bodies that share much share
much of their sketch). `GramFrequency` counts the proposals having each bigram, so a rare bigram
weighs more than "关于" or "建设". A look-up reads the postings of the query's rarest bigrams
only, scores the candidates in the database, and compares the best few in full here.

Texts are folded first (traditional → simplified, full-width → ASCII): a letter in traditional
characters finds its proposal. The stored texts are never changed.

Written to by `SimilarityGram.objects.index()` only: `Proposal.objects.register` calls it,
`index_all()` (re)builds it. The keys are made in `proposals.grams`.
"""

import math

from django.db import models, transaction
from django.db.models import Case, Sum, Value, When
from django.db.models.functions import Substr

from .choices import EventVerb, LinkKind
from .grams import BODY_CHARS, CHUNK, TITLE, TOTAL, bigrams, keys_of, title_core
from .grams import key as _key
from .models import Event, GramFrequency, Proposal, ProposalLink, SimilarityGram

POSTINGS_BUDGET = 8_000  # postings read at most by one look-up
CANDIDATES = 30  # compared in full
MIN_SCORE = 0.5  # below this a proposal is not shown as similar


def index(proposals):
    """(Re)index these proposals (the index's one writer is `SimilarityGram.objects.index`)."""
    SimilarityGram.objects.index(proposals)


def index_all(batch=2000):
    """Build the index from nothing (after a bulk load, or to repair it)."""
    with transaction.atomic():
        SimilarityGram.objects.all().delete()
        GramFrequency.objects.all().delete()
    ids = list(Proposal.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        index(Proposal.objects.filter(pk__in=ids[start : start + batch]).only("pk", "title", "body"))


# --- look-up -----------------------------------------------------------------------------------


def _dice(a, b):
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def _weighted_dice(a, b, weight):
    if not a or not b:
        return 0.0
    return 2 * sum(weight[k] for k in a & b) / (sum(weight[k] for k in a) + sum(weight[k] for k in b))


def _combined(title, body):
    """Title and body similarity in one figure: mostly the title, the body when both have one."""
    return title if body is None else 0.65 * title + 0.35 * body


def score(title_a, body_a, title_b, body_b):
    """How alike two proposals are, 0…1."""
    body = None
    if (body_a or "").strip() and (body_b or "").strip():
        body = _dice(bigrams(body_a[:BODY_CHARS]), bigrams(body_b[:BODY_CHARS]))
    return _combined(_dice(bigrams(title_core(title_a)), bigrams(title_core(title_b))), body)


def similar(*, title, body="", exclude=(), scope=None, limit=5, min_score=MIN_SCORE):
    """The proposals most like (title, body), best first, as (proposal, score) pairs.

    `scope`: a Proposal queryset the results must belong to (e.g. the same body, this year and
    earlier, what the user may see); `exclude`: primary keys never returned (the proposal itself).
    """
    keys = keys_of(title, body)
    if not keys:
        return []
    frequency = dict(GramFrequency.objects.filter(key__in=[*keys, TOTAL]).values_list("key", "count"))
    total = max(frequency.pop(TOTAL, 0), 1)
    known = sorted((frequency[k], k) for k in keys if frequency.get(k))
    chosen, budget = [], POSTINGS_BUDGET
    for count, key in known:
        # The rarest bigrams say most and cost least; very common ones are skipped once a few are in.
        if count > budget and len(chosen) >= 3:
            break
        chosen.append((key, math.log(1 + total / count)))
        budget -= count
    if not chosen:
        return []
    weight = Case(*(When(key=k, then=Value(w)) for k, w in chosen), output_field=models.FloatField())
    rows = (
        SimilarityGram.objects.filter(key__in=[k for k, _w in chosen])
        .exclude(proposal__in=list(exclude))
        .values("proposal")
        .annotate(weight=Sum(weight))
        .order_by("-weight", "proposal")[: CANDIDATES * 2]
    )
    rank = {row["proposal"]: i for i, row in enumerate(rows)}
    # The scope narrows the candidates already found (not the other way round: the scope may be large).
    candidates = (Proposal.objects.all() if scope is None else scope).filter(pk__in=list(rank))
    texts = candidates.values_list("pk", "title", Substr("body", 1, BODY_CHARS))
    best = sorted(texts, key=lambda row: rank[row[0]])[:CANDIDATES]
    titles = {pk: {_key(TITLE, g) for g in bigrams(title_core(t))} for pk, t, _b in best}
    query_title = {_key(TITLE, g) for g in bigrams(title_core(title))}
    unknown = set().union(*titles.values()) - set(frequency) - {TOTAL} if titles else set()
    unknown_list = sorted(unknown)
    for start in range(0, len(unknown_list), CHUNK):
        frequency.update(
            GramFrequency.objects.filter(key__in=unknown_list[start : start + CHUNK]).values_list("key", "count")
        )
    # A bigram few titles have says more than "建设" or "加强": each weighs its inverse frequency.
    idf = {k: math.log(1 + total / max(frequency.get(k, 0), 1)) for k in query_title.union(*titles.values())}
    query_body = bigrams(body[:BODY_CHARS]) if (body or "").strip() else None
    scored = []
    for pk, _other_title, other_body in best:
        body_score = None
        if query_body and (other_body or "").strip():
            body_score = _dice(query_body, bigrams(other_body))
        value = _combined(_weighted_dice(query_title, titles[pk], idf), body_score)
        if value >= min_score:
            scored.append((value, rank[pk], pk))
    scored.sort(key=lambda item: (-item[0], item[1]))
    scored = scored[:limit]
    found = Proposal.objects.select_related("session").in_bulk([pk for _v, _r, pk in scored])
    return [(found[pk], value) for value, _r, pk in scored]


def similar_to(proposal, *, scope=None, limit=5):
    """Proposals like this one, registered before it or in earlier years, never itself."""
    return similar(title=proposal.title, body=proposal.body, exclude=[proposal.pk], scope=scope, limit=limit)


def candidates_for(proposal, *, user, limit=5):
    """并案 candidates for the office: same body, this session's year or earlier, visible to the user,
    each with the link already made (if any)."""
    scope = Proposal.objects.visible_to(user).filter(
        session__body=proposal.session.body, session__year__lte=proposal.session.year
    )
    found = similar_to(proposal, scope=scope, limit=limit)
    links = linked(proposal)
    return [{"proposal": p, "score": s, "link": links.get(p.pk)} for p, s in found]


# --- links --------------------------------------------------------------------------------------


def linked(proposal):
    """{other proposal's pk: ProposalLink} for every link this proposal has, whichever side made it."""
    links = ProposalLink.objects.filter(models.Q(proposal=proposal) | models.Q(other=proposal))
    return {(link.other_id if link.proposal_id == proposal.pk else link.proposal_id): link for link in links}


def link(*, proposal, other, kind, by):
    """The office ties a proposal to a similar one (相关, or 并案); both timelines say so."""
    if proposal.pk == other.pk:
        raise ValueError("a proposal is not linked to itself")
    verb = EventVerb.MERGED if kind == LinkKind.MERGED else EventVerb.LINKED
    with transaction.atomic():
        existing = linked(proposal).get(other.pk)
        if existing is not None:
            if existing.kind == kind:
                return existing
            existing.kind = kind
            existing.save(update_fields=["kind"])
            result = existing
        else:
            result = ProposalLink.objects.create(proposal=proposal, other=other, kind=kind, created_by=by)
        Event.record(proposal=proposal, verb=verb, actor=by, note=f"{other.number} {other.title}")
        Event.record(proposal=other, verb=verb, actor=by, note=f"{proposal.number} {proposal.title}")
    return result
