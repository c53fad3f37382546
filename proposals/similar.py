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

Written to by `index()` only: `Proposal.objects.register` calls it, `index_all()` (re)builds it.
"""

import math
import re

from django.db import models, transaction
from django.db.models import Case, F, Sum, Value, When
from django.db.models.functions import Substr

from .choices import EventVerb, LinkKind
from .models import Event, GramFrequency, Proposal, ProposalLink, SimilarityGram
from .text import fold

TITLE, BODY = 1, 2
SHIFT = 21  # a code point fits in 21 bits: key = field << 42 | first << 21 | second
BODY_SKETCH = 24  # bigrams kept from a body
BODY_CHARS = 1000  # of a body, the part that is indexed and compared
POSTINGS_BUDGET = 8_000  # postings read at most by one look-up
CANDIDATES = 30  # compared in full
MIN_SCORE = 0.5  # below this a proposal is not shown as similar
TOTAL = 0  # GramFrequency key holding the number of indexed proposals
CHUNK = 900  # keys per query (SQLite's limit on parameters)

# Words every title has: they say nothing about the subject.
FRAME_RE = re.compile(r"^关于|的?(?:提案|建议|议案)$|^对|进一步")
TEXT_RE = re.compile(r"[\u3400-\u9fff0-9a-z]+")


def _runs(text):
    return TEXT_RE.findall(fold(text))


def bigrams(text):
    """The distinct character bigrams of `text` (within runs of Chinese characters, letters and digits)."""
    grams = set()
    for run in _runs(text):
        grams.update(run[i : i + 2] for i in range(len(run) - 1))
    return grams


def _key(field, gram):
    return (field << (2 * SHIFT)) | (ord(gram[0]) << SHIFT) | ord(gram[1])


def _mix(key):
    """A fixed pseudo-random order of keys (the sketch must be the same in every process)."""
    return (key * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF


def title_core(title):
    return FRAME_RE.sub("", fold(title).strip())


def keys_of(title, body):
    """The index keys of one proposal: all bigrams of its title, the sketch of its body."""
    keys = {_key(TITLE, g) for g in bigrams(title_core(title))}
    body_keys = {_key(BODY, g) for g in bigrams((body or "")[:BODY_CHARS])}
    keys.update(sorted(body_keys, key=_mix)[:BODY_SKETCH])
    return keys


# --- the index -------------------------------------------------------------------------------


def _count(deltas):
    """Add each key's change to its frequency (a weight: concurrent writers may race, which only nudges it)."""
    by_delta = {}
    for key, delta in deltas.items():
        if delta:
            by_delta.setdefault(delta, []).append(key)
    for delta, all_keys in by_delta.items():
        for start in range(0, len(all_keys), CHUNK):
            keys = all_keys[start : start + CHUNK]
            existing = set(GramFrequency.objects.filter(key__in=keys).values_list("key", flat=True))
            GramFrequency.objects.filter(key__in=existing).update(count=F("count") + delta)
            GramFrequency.objects.bulk_create(
                [GramFrequency(key=k, count=max(delta, 0)) for k in keys if k not in existing], ignore_conflicts=True
            )


def index(proposals):
    """(Re)index these proposals: their bigrams replace what the index held for them."""
    proposals = list(proposals)
    if not proposals:
        return
    with transaction.atomic():
        old = {}
        ids = [p.pk for p in proposals]
        for start in range(0, len(ids), CHUNK):
            pairs = SimilarityGram.objects.filter(proposal__in=ids[start : start + CHUNK]).values_list(
                "proposal", "key"
            )
            for proposal_id, key in pairs:
                old.setdefault(proposal_id, set()).add(key)
        deltas = {}
        rows = []
        for p in proposals:
            new = keys_of(p.title, p.body)
            before = old.get(p.pk, set())
            for key in new - before:
                deltas[key] = deltas.get(key, 0) + 1
            for key in before - new:
                deltas[key] = deltas.get(key, 0) - 1
            rows.extend(SimilarityGram(key=key, proposal_id=p.pk) for key in new)
            if not before:
                deltas[TOTAL] = deltas.get(TOTAL, 0) + 1
        for start in range(0, len(ids), CHUNK):
            if any(pk in old for pk in ids[start : start + CHUNK]):
                SimilarityGram.objects.filter(proposal__in=ids[start : start + CHUNK]).delete()
        SimilarityGram.objects.bulk_create(rows, batch_size=2000)
        _count(deltas)


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
