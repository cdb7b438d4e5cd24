"""The specialists import as a job in the CMS: the uploaded file is stored with the job, the
import runs in a Celery task (``tasks.import_specialists_job``) and writes its progress and result
on the job, which the status page shows. The people it names who cannot sign in yet are invited
(``invitations.specialists_invite``); the invitations' ids are kept in the job's result, so the
page shows how many emails have gone out."""

from __future__ import annotations

import time

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone, translation

from .importing import ImportResult, specialists_import
from .invitations import specialists_invite
from .models import SpecialistImportJob

__all__ = [
    "specialist_import_job_create",
    "specialist_import_job_run",
]


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
    the job's status. A job that has finished is not imported again (a redelivered task). The
    import runs in the uploader's language (``job.language``), so its messages are in it.

    Progress is written at most every ``progress_interval`` seconds, so a long file does not
    hammer the database. An exception marks the job failed and is raised again.
    """
    job = SpecialistImportJob.objects.get(pk=job_id)
    if job.finished:
        return str(job.status)
    _job_update(job_id, status=SpecialistImportJob.Status.RUNNING)
    last = 0.0

    def progress(done: int, total: int, label: str) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= progress_interval or done == total:
            last = now
            _job_update(job_id, done=done, total=total)

    try:
        with translation.override(job.language):
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
