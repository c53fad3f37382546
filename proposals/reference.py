"""The reference lists every filter form offers (sessions, units, categories), read from the cache.

They change a few times a year (by the office in the admin) and are on every list page: a page
builds its dropdowns from here instead of querying three tables. A save or delete of one of these
models drops the cached lists at once in this process; other processes (or servers sharing a
Redis cache, at once) see the change within `SECONDS`.
"""

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.utils.translation import get_language

SECONDS = 60
_KEY = "banli:reference:{label}:{language}"


def _rows(model):
    key = _KEY.format(label=model._meta.label_lower, language=get_language())
    cached = cache.get(key)
    if cached is None:
        cached = [(obj.pk, str(obj), getattr(obj, "name", str(obj))) for obj in model.objects.all()]
        cache.set(key, cached, SECONDS)
    return cached


def choices(model):
    """[(pk, str(obj))] of every row of `model`, in its default order."""
    return [(pk, label) for pk, label, _name in _rows(model)]


def names(model, pks):
    """The full names (`name`) of the rows with these keys."""
    wanted = set(pks)
    return [name for pk, _label, name in _rows(model) if pk in wanted]


def _forget(sender, **kwargs):
    cache.delete_many([_KEY.format(label=sender._meta.label_lower, language=code) for code, _ in settings.LANGUAGES])


def connect(*models):
    for model in models:
        post_save.connect(_forget, sender=model, dispatch_uid=f"reference:{model._meta.label_lower}:save")
        post_delete.connect(_forget, sender=model, dispatch_uid=f"reference:{model._meta.label_lower}:delete")
