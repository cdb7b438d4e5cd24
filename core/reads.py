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
from collections.abc import Callable, Hashable, Iterator
from contextvars import ContextVar
from typing import Any, TypeVar, cast

__all__ = ["read_once", "shared_reads"]

T = TypeVar("T")

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
