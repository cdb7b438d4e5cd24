"""Background work of certification."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from .services import certificates_issue_due, certificates_issue_for_user


@shared_task(name="certification.issue_for_user")
def issue_for_user(user_id: int) -> list[int]:
    """Issue every certificate ``user_id`` has become eligible for; returns their ids.

    Queued once a lesson completion or a quiz pass commits (``signals``); safe to run twice or
    concurrently (``services.certificate_issue``). If it is lost, ``issue_due`` does its work."""
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return []
    return [certificate.pk for certificate in certificates_issue_for_user(user=user)]


@shared_task(name="certification.issue_due")
def issue_due() -> dict[str, int]:
    """The sweep (Celery beat, every ten minutes): issue the certificates that are due and missing
    to the learners active in the last ``CERTIFICATION_SWEEP_WINDOW_HOURS``. ``manage.py
    issue_due_certificates --all`` checks everyone."""
    since = timezone.now() - timedelta(hours=settings.CERTIFICATION_SWEEP_WINDOW_HOURS)
    report = certificates_issue_due(since=since)
    return {"checked": report.checked, "issued": len(report.issued)}


@shared_task(
    name="certification.nightly",
    autoretry_for=(Exception,),
    retry_backoff=60,
    max_retries=5,
)
def nightly() -> dict[str, int]:
    """Mark expired certificates, renew those whose refresher was finished before their renewal
    window opened, then send the reminders due (Celery beat, once a night).

    Safe to run again at any time: expiring is an update of what is past its date, renewing is
    exactly-once (``services``), and each reminder is sent once (``reminders``). Emails that
    failed are retried by the next run."""
    from .reminders import certificates_expire, reminders_send
    from .services import renewals_issue

    expired = certificates_expire()
    renewed = renewals_issue()
    sent, failed = reminders_send()
    return {"expired": expired, "renewed": renewed, "sent": sent, "failed": failed}


@shared_task(name="certification.assign_refresher")
def assign_refresher(request_id: int) -> dict[str, int] | None:
    """Do the refresher request ``request_id`` (the report's "Assign a refresher"): every holder
    enrolled in a few set-based queries (``services.refresher_request_run``). Queued once the
    request row commits; a task delivered twice runs it once (the claim). If it is lost,
    ``refresher_requests_sweep`` queues it again."""
    from .services import refresher_request_run

    request = refresher_request_run(request_id=request_id)
    if request is None:
        return None
    return {"holders": request.holders, "added": request.added}


@shared_task(name="certification.refresher_requests_sweep")
def refresher_requests_sweep() -> list[int]:
    """The sweep (Celery beat, every two minutes): queue again the refresher requests whose task
    was lost, or whose worker died mid-run (``services.refresher_requests_sweep``)."""
    from core.api import enqueue_on_commit

    from .services import refresher_requests_sweep as sweep

    ids = sweep()
    for request_id in ids:
        enqueue_on_commit(assign_refresher, request_id)
    return ids
