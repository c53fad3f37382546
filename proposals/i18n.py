"""Language of what leaves the system.

The screens follow the user's language (Chinese first, English available), but printed
documents (reply letters, feedback forms, their Word versions) are Chinese official
documents, and e-mails go to deputies, members and units who read Chinese. Both are
produced in Chinese whatever language the person who triggers them has chosen.
"""

import functools

from django.utils import translation

DOCUMENT_LANGUAGE = "zh-hans"


def stored_text():
    """Context in which text that is saved into a record (timeline notes, sealed forms) is made.

    Records are kept in Chinese whoever writes them, so a line written by someone using the
    English screens reads the same to everyone else, and the sealed hash does not depend on it.
    """
    return translation.override(DOCUMENT_LANGUAGE)


def in_chinese(func):
    """Run `func` with Chinese active (a fresh override per call, so it is thread-safe)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with translation.override(DOCUMENT_LANGUAGE):
            return func(*args, **kwargs)

    return wrapper
