"""Template filters for printed documents. User text is escaped here, never marked safe as-is."""

import re

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()

BOLD = re.compile(r"\*\*(.+?)\*\*")


@register.filter
def bold_marks(text):
    """Escape `text`, then print **…** (bold in the original letter) as <strong>…</strong>."""
    parts = BOLD.split(str(text))
    html = "".join(format_html("<strong>{}</strong>", part) if odd else escape(part) for odd, part in _odd(parts))
    return mark_safe(html)  # every part went through escape()/format_html() above


def _odd(parts):
    return ((index % 2 == 1, part) for index, part in enumerate(parts))


@register.filter
def cn_date(value):
    """A date as printed on Chinese official documents: 2021年9月6日."""
    if not value:
        return ""
    return f"{value.year}年{value.month}月{value.day}日"
