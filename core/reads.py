"""Reads shared within one block: a page that asks the same question of the database in two
places (My learning's course cards and the certification panel both read the learner's records)
asks it once.

``with shared_reads():`` opens the block; inside it, :func:`read_once` runs each ``compute``
once per key and hands every later caller the same value. Outside a block it computes every
time, so code that writes and then reads (a POST, a task) is never served a value from before
its write. Open the block only around work that reads: a view's GET, its template included.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Hashable, Iterator, Mapping
from contextvars import ContextVar
from typing import Any, TypeVar, cast

from django.db import connection, models

__all__ = ["read_once", "rows_where", "shared_reads"]

T = TypeVar("T")
M = TypeVar("M", bound=models.Model)

_reads: ContextVar[dict[Hashable, Any] | None] = ContextVar("zhusan_shared_reads", default=None)


@contextlib.contextmanager
def shared_reads() -> Iterator[None]:
    """Share :func:`read_once` values until the block ends (nested blocks share the outer one)."""
    if _reads.get() is not None:
        yield
        return
    token = _reads.set({})
    try:
        yield
    finally:
        _reads.reset(token)


def read_once(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, once per ``key`` inside a :func:`shared_reads` block; every time outside."""
    reads = _reads.get()
    if reads is None:
        return compute()
    try:
        return cast(T, reads[key])
    except KeyError:
        value = reads[key] = compute()
        return value


def rows_where(model: type[M], where: Mapping[str, Any], order_by: tuple[str, ...] = ()) -> list[M]:
    """The rows of ``model`` whose fields equal ``where`` (None: IS NULL), ordered by field names
    (``-name`` descending), as model instances, through Django's ``raw()``.

    For a page's hot reads of one learner's rows: building the equivalent queryset costs about
    three times running the query (decision 0018). Every name comes from the model's metadata
    and is quoted; every value is a parameter, prepared as its field prepares it; ``raw()``
    converts the columns as a queryset would.
    """
    names = tuple(where)
    sql = _select_where(model, names, tuple(value is None for value in where.values()), order_by)
    params = [
        _field(model, name).get_db_prep_value(value, connection)
        for name, value in where.items()
        if value is not None
    ]
    return list(model.objects.raw(sql, params))  # type: ignore[attr-defined]


@functools.cache
def _select_where(
    model: type[models.Model],
    names: tuple[str, ...],
    nulls: tuple[bool, ...],
    order: tuple[str, ...],
) -> str:
    q = connection.ops.quote_name
    meta = model._meta

    def column(name: str) -> str:
        return q(_field(model, name).column)

    columns = ", ".join(q(f.column) for f in meta.concrete_fields)
    tests = " AND ".join(
        f"{column(n)} IS NULL" if null else f"{column(n)} = %s"
        for n, null in zip(names, nulls, strict=True)
    )
    ordering = ", ".join(
        f"{column(o.lstrip('-'))}{' DESC' if o.startswith('-') else ''}" for o in order
    )
    return (
        f"SELECT {columns} FROM {q(meta.db_table)} WHERE {tests}"  # noqa: S608 - names quoted
        + (f" ORDER BY {ordering}" if ordering else "")
    )


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    """``model``'s concrete field ``name`` (or its attname, ``user_id``)."""
    return cast("models.Field[Any, Any]", model._meta.get_field(name))
