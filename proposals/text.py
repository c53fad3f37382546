"""Chinese text folded for matching: traditional characters to simplified, full-width letters and
digits to ASCII. Only for comparing and searching; what people wrote is stored as they wrote it."""

import functools
import unicodedata


@functools.cache
def _converter():
    import opencc  # OpenCC's own tables: maintained, and they know the one-to-many characters

    return opencc.OpenCC("t2s")


def simplified(text):
    """The text in simplified characters, character for character (same length, same positions).

    OpenCC converts whole phrases; when a phrase would change the length, the characters are
    converted one by one instead, so a position in the result is a position in the original.
    """
    if not text:
        return text
    converted = _converter().convert(text)
    if len(converted) == len(text):
        return converted
    convert = _converter().convert
    return "".join(c if len(c := convert(ch)) == 1 else ch for ch in text)


def fold(text):
    """Simplified characters, ASCII letters and digits, no case: the form two texts are compared in."""
    return unicodedata.normalize("NFKC", simplified(text)).lower()
