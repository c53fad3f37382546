"""Look-ups made on every request, with their SQL compiled once per database connection, not per request.

Django turns a queryset into SQL each time it is evaluated: it walks every selected column, join
and condition again. For the wide look-ups of the feedback pages (a link or a reply with its
unit, proposal and lead, and whether a later round replaced it) that walk costs more than
running the query and building the objects. A `Prepared` look-up is written as an ordinary
queryset with `Param(...)` where each request's values go; it is compiled on first use by Django
itself (one compile per database connection, so nothing is shared between threads), and each
later call only binds the values, runs the SQL and builds the objects the way Django's
ModelIterable does: select_related objects and annotations included.

Only for look-ups whose SQL cannot change between calls: the values that change are Params,
and the queryset must not depend on anything else that does (the time, the language, settings
changed at run time). Values are adapted by the Param's field exactly as a filter's would be.
"""

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db import connections, models
from django.db.models.expressions import Expression
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]  # ModelIterable's own helper
from django.db.transaction import TransactionManagementError

M = TypeVar("M", bound=models.Model)


class _Slot:
    """Stands in the compiled parameters where a Param's value goes."""

    __slots__ = ("field", "name")

    def __init__(self, name: str, field: models.Field):
        self.name, self.field = name, field


class Param(Expression):
    """A value given when a Prepared look-up runs: `.filter(pk=Param("pk", Reply._meta.pk))`.
    `field` adapts the value for the database (a datetime for SQLite's text column, say)."""

    def __init__(self, name: str, field: models.Field):
        super().__init__(output_field=field)
        self.name = name

    def as_sql(self, compiler, connection):
        return "%s", [_Slot(self.name, self.output_field)]


class _Compiled:
    """One look-up compiled on one connection: its SQL, where the values go, how rows become objects."""

    def __init__(self, queryset: models.QuerySet, connection):
        if queryset._prefetch_related_lookups or queryset._fields is not None:  # type: ignore[attr-defined]
            raise ValueError("a Prepared look-up returns model instances, without prefetching")
        self.connection = connection
        compiler = queryset.query.get_compiler(connection=connection)
        # As Django's compiler decides: locking is refused outside a transaction (SQLite locks nothing).
        self.for_update = queryset.query.select_for_update and connection.features.has_select_for_update
        self.sql, params = compiler.as_sql()
        self.params = list(params)
        self.slots = [(index, p.name, p.field) for index, p in enumerate(self.params) if isinstance(p, _Slot)]
        self.names = {name for _index, name, _field in self.slots}
        self.compiler = compiler
        klass_info, select = compiler.klass_info, compiler.select
        self.model = klass_info["model"]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        self.model_columns = slice(start, end)
        self.init_list = [column[0].target.attname for column in select[start:end]]
        self.related_populators = get_related_populators(klass_info, select, queryset.db)
        self.annotations = list((compiler.annotation_col_map or {}).items())
        self.col_count = compiler.col_count if compiler.has_extra_select else None
        self.converters = compiler.get_converters([column[0] for column in select[: compiler.col_count]])


class Prepared(Generic[M]):
    """A look-up compiled once; `build()` returns its queryset, with a Param for each value."""

    def __init__(self, build: Callable[[], models.QuerySet]):
        self._build = build
        self._queryset: models.QuerySet | None = None  # for its database and model
        # Each thread has its own connection: compiled with it, used only by it, and gone with the thread.
        self._local = threading.local()

    def _for(self, queryset: models.QuerySet, connection) -> _Compiled:
        compiled = getattr(self._local, queryset.db, None)
        if compiled is None or compiled.connection is not connection:
            # Compiling sets up the query's aliases: each compile has a queryset of its own.
            compiled = _Compiled(self._build(), connection)
            setattr(self._local, queryset.db, compiled)
        elif compiled.for_update and connection.get_autocommit():
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        return compiled

    def all(self, **values: Any) -> list[M]:
        if self._queryset is None:  # two threads building it at once build the same: no lock needed
            self._queryset = self._build()
        queryset = self._queryset
        db = queryset.db
        connection = connections[db]
        compiled = self._for(queryset, connection)
        if values.keys() != compiled.names:
            raise TypeError(f"values for {sorted(compiled.names)} expected, not {sorted(values)}")
        params = list(compiled.params)
        for index, name, field in compiled.slots:
            value = values[name]
            if isinstance(value, models.Model):
                value = value.pk
            if value is None:
                raise ValueError(f"{name}: a Param takes a value, not None (SQL's = NULL matches nothing)")
            params[index] = field.get_db_prep_value(value, connection, prepared=False)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiled.col_count is not None:
            rows = [row[: compiled.col_count] for row in rows]
        if compiled.converters:
            rows = compiled.compiler.apply_converters(rows, compiled.converters)
        found = []
        for row in rows:
            obj = compiled.model.from_db(db, compiled.init_list, row[compiled.model_columns])
            for populator in compiled.related_populators:
                populator.populate(row, obj)
            for name, position in compiled.annotations:
                setattr(obj, name, row[position])
            found.append(obj)
        return found

    def first(self, **values: Any) -> M | None:
        """The one row the values select (the look-up is by a unique key), or None."""
        found = self.all(**values)
        if len(found) > 1:
            raise self._model().MultipleObjectsReturned(f"{len(found)} rows for {values}")
        return found[0] if found else None

    def get(self, **values: Any) -> M:
        """As QuerySet.get(): the one row, or the model's DoesNotExist."""
        found = self.first(**values)
        if found is None:
            raise self._model().DoesNotExist(f"none for {values}")
        return found

    def _model(self) -> Any:  # the model class, with its DoesNotExist
        assert self._queryset is not None  # built by all()
        return self._queryset.model
