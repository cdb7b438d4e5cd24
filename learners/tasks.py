"""Celery tasks: they take ids, load, and call a service."""

from __future__ import annotations

import logging

from celery import shared_task

from core.api import enqueue_on_commit

from .import_jobs import specialist_import_job_run, specialist_import_jobs_sweep

logger = logging.getLogger(__name__)

#: Write progress at most this often (seconds), so a long file does not hammer the database.
PROGRESS_INTERVAL = 0.5


@shared_task(name="learners.import_specialists_job")
def import_specialists_job(job_id: int) -> str:
    """Run a queued specialists import and store its result on the job. Safe to deliver twice:
    only one worker takes a job (``import_jobs``)."""
    try:
        return specialist_import_job_run(job_id=job_id, progress_interval=PROGRESS_INTERVAL)
    except Exception:
        logger.exception("Specialists import %s failed", job_id)
        raise


@shared_task(name="learners.import_jobs_sweep")
def import_jobs_sweep() -> dict[str, int]:
    """The sweep (Celery beat): mark failed the jobs whose worker died mid-run, and queue again
    the queued jobs whose task was lost or never queued. Also ``manage.py import_jobs_sweep``."""
    swept = specialist_import_jobs_sweep()
    for job_id in swept.requeued:
        enqueue_on_commit(import_specialists_job, job_id)
    if swept.failed:
        logger.warning("Import jobs %s lost their worker and were marked failed", swept.failed)
    return {"requeued": len(swept.requeued), "failed": len(swept.failed)}
