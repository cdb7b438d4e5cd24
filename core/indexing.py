"""Wagtail's index updates, once per object in a bulk change: :func:`indexing_deferred`.

Wagtail keeps its reference index ("usage" in the CMS) and the search index up to date with a
Django Tasks task queued on every save of a tracked model, and the default backend runs each one
at once. A page the curriculum import creates is saved three times (created, revision, publish),
so its indexes were rebuilt three times, and these updates were a third of the import's time.

Inside :func:`indexing_deferred`, a task queued again with the same arguments is kept once, and
every kept task runs when the block ends, in the order first queued: each reads its object as it
is then, so the indexes end as the immediate updates would have left them. A block that raises
runs none of them (its transaction is rolled back with what they would have indexed). The
``TASKS`` setting makes :class:`DeferrableBackend` the default backend; outside the block it is
Django Tasks' immediate backend, unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.utils import timezone
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks.base import Task, TaskResult, TaskResultStatus
from django_tasks.utils import get_random_id

__all__ = ["DeferrableBackend", "indexing_deferred"]

#: The tasks held back in the current block, by task and arguments; None outside a block.
_held: ContextVar[dict[str, tuple[DeferrableBackend, TaskResult[Any]]] | None] = ContextVar(
    "zhusan_tasks_held", default=None
)


class DeferrableBackend(ImmediateBackend):
    """Django Tasks' immediate backend, which holds tasks back inside :func:`indexing_deferred`."""

    def enqueue(self, task: Task[Any, Any], args: Any, kwargs: Any) -> TaskResult[Any]:
        held = _held.get()
        if held is None:
            return super().enqueue(task, args, kwargs)
        self.validate_task(task)
        key = json.dumps([task.module_path, list(args), kwargs], sort_keys=True, default=str)
        if key not in held:
            held[key] = (
                self,
                TaskResult(
                    task=task,
                    id=get_random_id(),
                    status=TaskResultStatus.READY,
                    enqueued_at=timezone.now(),
                    started_at=None,
                    last_attempted_at=None,
                    finished_at=None,
                    args=list(args),
                    kwargs=dict(kwargs),
                    backend=self.alias,
                    errors=[],
                    worker_ids=[],
                ),
            )
        return held[key][1]


@contextmanager
def indexing_deferred() -> Iterator[None]:
    """Run the index updates queued inside the block once per object, when it ends. Nested
    blocks join the outermost one."""
    if _held.get() is not None:
        yield
        return
    held: dict[str, tuple[DeferrableBackend, TaskResult[Any]]] = {}
    token = _held.set(held)
    try:
        yield
    finally:
        _held.reset(token)
    for backend, result in held.values():
        backend._execute_task(result)  # as the immediate backend runs a task it was given
