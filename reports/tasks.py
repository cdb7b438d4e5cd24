"""Celery tasks of ``reports``: keeping the summary tables current (``facts``).

``refresh_stale`` is queued after the commit of every change that marks someone stale
(``signals``), and beat runs it every two minutes as the sweep: the marks are in the database
(``StalePerson``), so a task lost with the broker or a worker leaves nothing undone
(docs/decisions/0007-durable-tasks.md). ``rebuild_facts`` recomputes everyone at night.
"""

from __future__ import annotations

import logging

from celery import shared_task

from .facts import facts_rebuild, stale_refresh

logger = logging.getLogger(__name__)

#: Rounds of ``stale_refresh`` one task runs at most: a steady stream of marks is left to the
#: next task rather than keeping one worker for ever.
MAX_ROUNDS = 100


@shared_task(name="reports.refresh_stale")
def refresh_stale() -> int:
    """Refresh everyone marked stale; returns how many. Safe to run twice at once: two workers
    never take the same people (``facts.stale_refresh``)."""
    total = 0
    for _round in range(MAX_ROUNDS):
        refreshed = stale_refresh()
        total += refreshed
        if not refreshed:
            break
    return total


@shared_task(name="reports.rebuild_facts")
def rebuild_facts() -> int:
    """Recompute every practitioner's facts (beat, at night); returns how many."""
    count = facts_rebuild()
    logger.info("Report facts rebuilt for %s practitioners", count)
    return count
