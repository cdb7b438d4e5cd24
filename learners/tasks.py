"""Celery tasks: they take ids, load, and call a service."""

from __future__ import annotations

import logging

from celery import shared_task

from .import_jobs import specialist_import_job_run

logger = logging.getLogger(__name__)

#: Write progress at most this often (seconds), so a long file does not hammer the database.
PROGRESS_INTERVAL = 0.5


@shared_task(name="learners.import_specialists_job")
def import_specialists_job(job_id: int) -> str:
    """Run a queued specialists import and store its result on the job."""
    try:
        return specialist_import_job_run(job_id=job_id, progress_interval=PROGRESS_INTERVAL)
    except Exception:
        logger.exception("Specialists import %s failed", job_id)
        raise
