"""Infrastructure tasks, and the one way the project queues a task: :func:`enqueue_on_commit`.

Queuing must never fail the request that asked for it. The rows a task works from are committed
first; the task is published after the commit, and a broker that is down or slow costs a short,
bounded wait (the ``CELERY_BROKER_*`` timeouts in ``settings.base``) and a warning in the log.
Nothing is lost: every task whose loss matters has a periodic sweep that finds the work from the
database and does it (``docs/decisions/0007-durable-tasks.md``).
"""

from __future__ import annotations

import logging
import socket
from typing import Any

from celery import shared_task
from django.db import transaction
from kombu.exceptions import OperationalError as KombuOperationalError

logger = logging.getLogger(__name__)

__all__ = ["BROKER_ERRORS", "enqueue", "enqueue_on_commit", "ping"]


def _broker_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [KombuOperationalError, OSError, socket.timeout]
    try:  # the Redis client is there whenever the broker is Redis
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError
    except ImportError:  # pragma: no cover - another broker
        pass
    else:
        errors += [RedisConnectionError, RedisTimeoutError]
    return tuple(errors)


#: What publishing raises when the broker is down, refuses or does not answer in time.
BROKER_ERRORS = _broker_errors()


def enqueue(task: Any, *args: Any) -> bool:
    """Queue ``task(*args)`` now; returns whether the broker took it.

    A broker error is logged as a warning and swallowed: the task's sweep does the work later.
    In eager mode (no broker) the task runs here, and its own errors propagate as usual."""
    try:
        task.delay(*args)
    except BROKER_ERRORS as exc:
        logger.warning(
            "Could not queue %s%r (%s); the periodic sweep will do it",
            getattr(task, "name", task),
            args,
            exc.__class__.__name__,
        )
        return False
    return True


def enqueue_on_commit(task: Any, *args: Any) -> None:
    """Queue ``task(*args)`` once the current transaction commits (at once outside one), never
    raising for a broker that is down (:func:`enqueue`). ``args`` must be ids, not objects."""
    transaction.on_commit(lambda: enqueue(task, *args))


@shared_task(name="core.ping")
def ping() -> str:
    """Answer ``"pong"``: used by the health check of a worker and by the CI worker test."""
    return "pong"
