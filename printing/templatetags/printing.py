"""Template filters for printed documents. User text is escaped here, never marked safe as-is."""

import re

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()

BOLD = re.compile(r"\*\*(.+?)\*\*")


@register.filter
def bold_marks(text):
    """Escape `text`, then print **…** (bold in the original letter) as <strong>…</strong>."""
    parts = BOLD.split(str(text))
    pieces = (format_html("<strong>{}</strong>", part) if odd else part for odd, part in _odd(parts))
    # format_html_join escapes the plain pieces and keeps the <strong> ones as built above.
    return format_html_join("", "{}", ((piece,) for piece in pieces))


def _odd(parts):
    return ((index % 2 == 1, part) for index, part in enumerate(parts))


@register.filter
def cn_date(value):
    """A date as printed on Chinese official documents: 2021年9月6日."""
    if not value:
        return ""
    return f"{value.year}年{value.month}月{value.day}日"
