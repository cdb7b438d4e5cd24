"""The specialists import as a job in the CMS: the uploaded file is stored with the job, the
import runs in a Celery task (``tasks.import_specialists_job``) and writes its progress and result
on the job, which the status page shows. The people it names who cannot sign in yet are invited
(``invitations.specialists_invite``); the invitations' ids are kept in the job's result, so the
page shows how many emails have gone out.

The job cannot be lost (``docs/decisions/0007-durable-tasks.md``): a worker takes a job by moving it
from "Queued" to "Running" in one update (:func:`_claim`), so a task delivered twice runs it once,
and writes a heartbeat while it runs. The sweep (:func:`specialist_import_jobs_sweep`, from beat)
queues again a job whose task was never queued or was lost, and marks failed a job "Running" with
no heartbeat for ``IMPORT_JOB_STALE_MINUTES`` (its worker died); the uploader can restart that one
(:func:`specialist_import_job_restart`). Importing a file again writes nothing twice
(``importing``)."""

from __future__ import annotations

import logging
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from core.api import heartbeat

from .importing import ImportResult, specialists_import
from .invitations import specialists_invite
from .models import SpecialistImportJob

__all__ = [
    "JOB_LOST_ERROR",
    "SweepResult",
    "specialist_import_job_create",
    "specialist_import_job_restart",
    "specialist_import_job_run",
    "specialist_import_jobs_sweep",
]

logger = logging.getLogger(__name__)

#: The error stored on a job whose worker died mid-run (the job's page explains it).
JOB_LOST_ERROR = "WorkerLost"
#: A running job writes a heartbeat this often (seconds), from a thread, so a long check of the
#: file (which reports no progress) does not look like a dead worker.
HEARTBEAT_SECONDS = 30.0
#: A queued job whose task is not running after this long was not queued (the broker was down)
#: or its task was lost: the sweep queues it again.
QUEUED_GRACE = timedelta(minutes=2)


def specialist_import_job_create(
    *, filename: str, data: bytes, partial: bool, by: User | None, language: str
) -> SpecialistImportJob:
    """Store an uploaded specialists file as a queued job. The caller queues
    ``tasks.import_specialists_job`` once the job is committed (the task reads the file from the
    job, so a retried task imports the same file). ``language`` is the uploader's: the result's
    messages are written in it."""
    return SpecialistImportJob.objects.create(
        filename=filename[:255], data=data, partial=partial, created_by=by, language=language
    )


def _job_update(job_id: int, **fields: object) -> None:
    SpecialistImportJob.objects.filter(pk=job_id).update(**fields)


def specialist_import_job_run(*, job_id: int, progress_interval: float) -> str:
    """Run a queued specialists import and store its progress and result on the job; returns
    the job's status. A job that has finished, or that another worker is running, is not
    imported again (a redelivered task: :func:`_claim`). The import runs in the uploader's
    language (``job.language``), so its messages are in it.

    Progress is written at most every ``progress_interval`` seconds, so a long file does not
    hammer the database. An exception marks the job failed and is raised again.
    """
    job = SpecialistImportJob.objects.get(pk=job_id)
    if not _claim(job_id):
        # Finished, or running in another worker (a task delivered twice): nothing to do.
        return str(job.status)
    last = 0.0

    def progress(done: int, total: int, label: str) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= progress_interval or done == total:
            last = now
            _job_update(job_id, done=done, total=total, heartbeat_at=timezone.now())

    try:
        with _heartbeat(job_id), translation.override(job.language):
            result = specialists_import(
                data=bytes(job.data), filename=job.filename, partial=job.partial, progress=progress
            )
            summary = _job_result(result)
    except Exception as exc:
        _job_update(
            job_id,
            status=SpecialistImportJob.Status.FAILED,
            result={"error": exc.__class__.__name__},
            finished_at=timezone.now(),
        )
        raise
    status = (
        SpecialistImportJob.Status.REJECTED if result.rejected else SpecialistImportJob.Status.DONE
    )
    # The invitations and the job's record of them commit together; the emails go out after.
    with transaction.atomic():
        if not result.rejected:
            summary["invitations"] = specialists_invite(
                emails=[*result.created, *result.updated, *result.unchanged], by=job.created_by
            )
        _job_update(job_id, status=status, result=summary, finished_at=timezone.now())
    return str(status)


def _job_result(result: ImportResult) -> dict[str, object]:
    return {
        "summary": result.summary(),
        "created": len(result.created),
        "updated": len(result.updated),
        "unchanged": len(result.unchanged),
        "invalid_rows": result.invalid_rows,
        "errors": [str(error) for error in result.errors],
        "notes": [str(note) for note in result.notes],
    }


def _heartbeat(job_id: int) -> AbstractContextManager[None]:
    """Write the job's heartbeat every :data:`HEARTBEAT_SECONDS` while the block runs."""
    return heartbeat(
        lambda: _job_update(job_id, heartbeat_at=timezone.now()),
        every=HEARTBEAT_SECONDS,
        name=f"import-job-{job_id}-heartbeat",
    )


def _stale_before() -> datetime:
    return timezone.now() - timedelta(minutes=settings.IMPORT_JOB_STALE_MINUTES)


def _claim(job_id: int) -> bool:
    """Take the job for this worker: queued, or running with no heartbeat since the stale limit
    (its worker died and the broker delivered the task again). One update, so of two workers
    given the same job only one takes it."""
    now = timezone.now()
    Status = SpecialistImportJob.Status
    return bool(
        SpecialistImportJob.objects.filter(pk=job_id)
        .filter(
            Q(status=Status.QUEUED)
            | Q(status=Status.RUNNING, heartbeat_at__lt=_stale_before())
            | Q(status=Status.RUNNING, heartbeat_at__isnull=True)
        )
        .update(status=Status.RUNNING, started_at=now, heartbeat_at=now, done=0)
    )


@dataclass(frozen=True)
class SweepResult:
    """What one sweep of the import jobs did: the ids queued again and the ids marked failed."""

    requeued: list[int]
    failed: list[int]


def specialist_import_jobs_sweep(*, now: datetime | None = None) -> SweepResult:
    """Mark failed every job "Running" with no heartbeat for ``IMPORT_JOB_STALE_MINUTES`` (its
    worker died; the uploader may restart it), and return the ids of the jobs queued more than
    :data:`QUEUED_GRACE` ago that no worker has taken, for the caller to queue again."""
    now_at = now or timezone.now()
    Status = SpecialistImportJob.Status
    stale = SpecialistImportJob.objects.filter(status=Status.RUNNING).filter(
        Q(heartbeat_at__lt=_stale_before()) | Q(heartbeat_at__isnull=True)
    )
    failed = list(stale.values_list("pk", flat=True))
    if failed:
        SpecialistImportJob.objects.filter(pk__in=failed, status=Status.RUNNING).filter(
            Q(heartbeat_at__lt=_stale_before()) | Q(heartbeat_at__isnull=True)
        ).update(
            status=Status.FAILED,
            result={"error": JOB_LOST_ERROR},
            finished_at=now_at,
        )
    requeued = list(
        SpecialistImportJob.objects.filter(
            status=Status.QUEUED, created_at__lt=now_at - QUEUED_GRACE
        )
        .order_by("created_at")
        .values_list("pk", flat=True)
    )
    return SweepResult(requeued=requeued, failed=failed)


def specialist_import_job_restart(*, job_id: int) -> bool:
    """Put a failed job back in the queue (the caller queues its task once this commits); returns
    False when the job has not failed (running, queued or finished well), so it is left alone."""
    Status = SpecialistImportJob.Status
    return bool(
        SpecialistImportJob.objects.filter(pk=job_id, status=Status.FAILED).update(
            status=Status.QUEUED,
            done=0,
            total=0,
            result={},
            started_at=None,
            heartbeat_at=None,
            finished_at=None,
        )
    )
