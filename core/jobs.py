"""A heartbeat for long jobs run by a worker (imports, exports): a thread that records a sign of
life every few seconds while the work runs, so a sweep can tell a job whose worker died from one
that is busy (decision 0007)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import connection

__all__ = ["heartbeat"]

logger = logging.getLogger(__name__)


@contextmanager
def heartbeat(beat: Callable[[], object], *, every: float, name: str) -> Iterator[None]:
    """Call ``beat`` (which writes the job's heartbeat) every ``every`` seconds while the block
    runs, from a thread named ``name``. A failed beat is logged, never raised: a missed
    heartbeat must not stop the job."""
    stop = threading.Event()

    def run() -> None:
        try:
            while not stop.wait(every):
                beat()
        except Exception:
            logger.warning("Heartbeat %s failed", name, exc_info=True)
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
