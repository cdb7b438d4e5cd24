"""Celery tasks: they take ids, load, and call a service."""

from __future__ import annotations

import logging
import time

from celery import shared_task
from django.utils import timezone

from .importing import specialists_import
from .models import SpecialistImportJob

logger = logging.getLogger(__name__)

#: Write progress at most this often (seconds), so a long file does not hammer the database.
PROGRESS_INTERVAL = 0.5


@shared_task(name="learners.import_specialists_job")
def import_specialists_job(job_id: int) -> str:
    """Run a queued specialists import and store its result on the job."""
    job = SpecialistImportJob.objects.get(pk=job_id)
    if job.finished:
        return job.status  # a redelivered task does not import twice
    job.status = SpecialistImportJob.Status.RUNNING
    job.save(update_fields=["status"])
    last = 0.0

    def progress(done: int, total: int, label: str) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= PROGRESS_INTERVAL or done == total:
            last = now
            SpecialistImportJob.objects.filter(pk=job_id).update(done=done, total=total)

    try:
        result = specialists_import(
            data=bytes(job.data), filename=job.filename, partial=job.partial, progress=progress
        )
    except Exception as exc:
        logger.exception("Specialists import %s failed", job_id)
        SpecialistImportJob.objects.filter(pk=job_id).update(
            status=SpecialistImportJob.Status.FAILED,
            result={"error": exc.__class__.__name__},
            finished_at=timezone.now(),
        )
        raise
    status = (
        SpecialistImportJob.Status.REJECTED if result.rejected else SpecialistImportJob.Status.DONE
    )
    SpecialistImportJob.objects.filter(pk=job_id).update(
        status=status,
        result={
            "summary": result.summary(),
            "created": len(result.created),
            "updated": len(result.updated),
            "unchanged": len(result.unchanged),
            "invalid_rows": result.invalid_rows,
            "errors": [str(error) for error in result.errors],
        },
        finished_at=timezone.now(),
    )
    return str(status)
