"""A Celery broker that is down, for the tests of what users see when Redis is: the project's
Celery app switched out of eager mode and pointed at a closed port, with the production timeouts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from curriculum.celery import app

#: Nothing listens on port 1: connecting is refused at once, as with a stopped Redis.
CLOSED = "redis://127.0.0.1:1/0"


def _forget_connections() -> None:
    # Celery keeps one connection pool per app, made on first use from the broker URL.
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def broker_at(url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Queue to ``url`` (no eager mode) for the duration of the block."""
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    # Celery reads CELERY_BROKER_URL from the environment before its own settings.
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    monkeypatch.setitem(app.conf, "broker_url", url)
    _forget_connections()
    try:
        yield
    finally:
        _forget_connections()
