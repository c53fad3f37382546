"""The keys the similar-proposal index is made of: character bigrams of a proposal's title, and a
sketch of its body (the bigrams whose hash is smallest: two bodies that share much share much of
their sketch). Pure functions, used by the index's writer (`SimilarityGram.objects.index`) and by
the look-up (`proposals.similar`). Texts are folded first (traditional → simplified)."""

import re

from .text import fold

TITLE, BODY = 1, 2
SHIFT = 21  # a code point fits in 21 bits: key = field << 42 | first << 21 | second
BODY_SKETCH = 24  # bigrams kept from a body
BODY_CHARS = 1000  # of a body, the part that is indexed and compared
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


def key(field, gram):
    return (field << (2 * SHIFT)) | (ord(gram[0]) << SHIFT) | ord(gram[1])


def _mix(k):
    """A fixed pseudo-random order of keys (the sketch must be the same in every process)."""
    return (k * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF


def title_core(title):
    return FRAME_RE.sub("", fold(title).strip())


def keys_of(title, body):
    """The index keys of one proposal: all bigrams of its title, the sketch of its body."""
    keys = {key(TITLE, g) for g in bigrams(title_core(title))}
    body_keys = {key(BODY, g) for g in bigrams((body or "")[:BODY_CHARS])}
    keys.update(sorted(body_keys, key=_mix)[:BODY_SKETCH])
    return keys
