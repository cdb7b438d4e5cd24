"""Celery tasks of ``reports``: building exports (imported by ``apps.ReportsConfig.ready``).

They take ids and call the services of ``export_jobs``, which say how nothing is lost when a
worker or the broker dies (docs/decisions/0007-durable-tasks.md)."""

from __future__ import annotations

import logging

from celery import shared_task

from .export_jobs import (
    BUILD_TASK,
    export_files_tidy,
    export_job_run,
    export_jobs_delete_old,
    export_jobs_sweep,
)

logger = logging.getLogger(__name__)


@shared_task(name=BUILD_TASK)
def build_export(job_id: int) -> str:
    """Build a queued export and record its file on the job. Safe to deliver twice: only one
    worker takes a job (``export_jobs``)."""
    try:
        return export_job_run(job_id=job_id)
    except Exception:
        logger.exception("Export %s failed", job_id)
        raise


@shared_task(name="reports.export_jobs_sweep")
def export_jobs_sweep_task() -> dict[str, int]:
    """The sweep (Celery beat, every two minutes): queue again the exports whose task was lost
    or whose worker died, and delete the ones older than ``REPORTS_EXPORT_DAYS``."""
    swept = export_jobs_sweep()
    return {"requeued": len(swept.requeued), "deleted": swept.deleted}


@shared_task(name="reports.delete_old_exports")
def delete_old_exports() -> dict[str, int]:
    """Daily (Celery beat): delete the exports older than ``REPORTS_EXPORT_DAYS`` and the files
    no export refers to any more."""
    return {"deleted": export_jobs_delete_old(), "files": export_files_tidy()}
