"""How long a text may be: one number per kind of text, used by the model field (and so by its
ModelForm), by the plain forms that write it, and by a CHECK in the database.

Generous for what people write (a reply letter of 30,000 characters is some 25 printed pages),
small enough that no single record can hold up a page, a PDF or an export.
"""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Length

# `field__length__lte` in constraints and queries.
models.CharField.register_lookup(Length)
models.TextField.register_lookup(Length)

LETTER = 30_000  # a reply letter's body, a proposal's text, a co-handling opinion
PARAGRAPH = 10_000  # a reusable paragraph template
SUMMARY = 5_000  # a contact's summary, a member's opinion on the feedback form
REASON = 2_000  # a request's reason, a decision, a correction's explanation, a timeline note
SEARCH = 200  # what a search box takes


def length_constraint(field, limit):
    """A CHECK that keeps `field` at most `limit` characters, named after the field."""
    return models.CheckConstraint(
        condition=Q(**{f"{field}__length__lte": limit}), name=f"%(app_label)s_%(class)s_{field}_length"
    )


def clip(text, limit=REASON):
    """Text the code writes from what people wrote (a timeline note quoting a reason), cut to fit."""
    text = text or ""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def typed(query, name, limit=SEARCH):
    """A text typed into a search box or the address bar (`query`: request.GET), ready to search by:
    trimmed, cut to `limit`, without NUL characters (which PostgreSQL refuses in any query)."""
    return query.get(name, "").replace("\x00", "").strip()[:limit]
