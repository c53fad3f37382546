"""The seal of a submitted feedback form: an HMAC-SHA256 over what the member signed.

What is sealed: the form's content as canonical JSON (`Feedback.canonical_content`: reply,
member, channel, ticks, opinion, the office's note, who entered it, when, the verification
code), then the bytes of the signature image and of the paper scan, each prefixed with its
length. The key lives outside the database (BANLI_SEAL_KEY, see config/settings.py): someone
who can write to the database cannot compute a seal that verifies. Each seal records the id of
its key, so keys can change (the old ones stay listed in BANLI_SEAL_OLD_KEYS to verify with).

Forms sealed before keys existed carry a plain SHA-256 under the key id "sha256"; they are
checked the old way and say so on the verify page.
"""

import hashlib
import hmac
import secrets

from django.conf import settings

LEGACY_KEY_ID = "sha256"
CONTEXT = b"banli-feedback-seal-v2"
# Letters without look-alikes (no 0/O, 1/I/L): the code is read off paper and typed in.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10


def _file_bytes(field):
    if not field:
        return b""
    with field.storage.open(field.name, "rb") as f:
        return f.read()


def _parts(feedback, version):
    return (
        feedback.canonical_content(version=version),
        _file_bytes(feedback.signature),
        _file_bytes(feedback.paper_scan),
    )


def _digest(parts, key=None):
    digest = hmac.new(key, CONTEXT, hashlib.sha256) if key is not None else hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def compute(feedback, key_id=None):
    """The seal of the form as it is now, with the key `key_id` (the current key by default)."""
    key_id = key_id or settings.BANLI_SEAL_KEY_ID
    if key_id == LEGACY_KEY_ID:
        return _digest(_parts(feedback, version=1))
    return _digest(_parts(feedback, version=2), settings.BANLI_SEAL_KEYS[key_id])


def new_code(taken):
    """A fresh verification code; `taken(code)` says whether one is in use already."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not taken(code):
            return code


def is_code(text):
    """Whether `text` could be a verification code at all (checked before any look-up)."""
    return len(text) == CODE_LENGTH and all(c in CODE_ALPHABET for c in text)


def seal(feedback, taken):
    """Give the form its verification code (once) and its seal, just before the submitting write."""
    if not feedback.verification_code:
        feedback.verification_code = new_code(taken)
    feedback.seal_key_id = settings.BANLI_SEAL_KEY_ID
    feedback.seal = compute(feedback)


def verify(feedback):
    """Does the stored record (row and files) still give the seal it was given? False when it has
    none, its key is not configured any more, or a file cannot be read."""
    if not feedback.seal or not feedback.seal_key_id:
        return False
    if feedback.seal_key_id != LEGACY_KEY_ID and feedback.seal_key_id not in settings.BANLI_SEAL_KEYS:
        return False
    try:
        return hmac.compare_digest(compute(feedback, feedback.seal_key_id), feedback.seal)
    except OSError:
        return False
