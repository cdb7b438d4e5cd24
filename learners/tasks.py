"""Celery tasks: they take ids, load, and call a service."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from core.api import enqueue_on_commit

from .cohort_joining import CLAIM_TIMEOUT, SWEEP_GRACE
from .import_jobs import specialist_import_job_run, specialist_import_jobs_sweep
from .selectors import cohort_join_invitations_due_ids
from .services import cohort_join_invitation_send

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


@shared_task(name="learners.send_cohort_join_invitations")
def send_cohort_join_invitations(invitation_ids: list[int]) -> int:
    """Send the join invitations among ``invitation_ids`` still waiting; returns how many went
    out. One that fails is logged and waits for the sweep; the others are still sent. Safe to
    deliver twice: each is claimed before it is sent (``services.cohort_join_invitation_send``)."""
    sent = 0
    for invitation_id in invitation_ids:
        try:
            sent += cohort_join_invitation_send(invitation_id=invitation_id)
        except Exception:
            logger.exception("Cohort join invitation %s could not be sent", invitation_id)
    return sent


@shared_task(name="learners.cohort_join_invitations_sweep")
def cohort_join_invitations_sweep() -> int:
    """The sweep (Celery beat): send every join invitation still waiting some minutes after it
    was asked for (its task was lost, or the mail server refused it); returns how many went out."""
    now = timezone.now()
    ids = cohort_join_invitations_due_ids(
        asked_before=now - SWEEP_GRACE, claimed_before=now - CLAIM_TIMEOUT
    )
    return send_cohort_join_invitations(ids) if ids else 0
