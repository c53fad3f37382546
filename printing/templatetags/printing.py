"""Template filters for printed documents."""

from datetime import date

from django import template

register = template.Library()


@register.filter
def cn_date(value: date | None) -> str:
    """A date as printed on Chinese official documents: 2021年9月6日."""
    if not value:
        return ""
    return f"{value.year}年{value.month}月{value.day}日"
