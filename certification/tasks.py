"""Background work of certification."""

from celery import shared_task
from django.contrib.auth import get_user_model

from .selectors import active_tracks
from .services import certificate_issue


@shared_task(name="certification.issue_for_user")
def issue_for_user(user_id: int) -> list[int]:
    """Issue every certificate ``user_id`` has become eligible for; returns their ids.

    Queued with ``transaction.on_commit`` when a lesson is completed or a quiz passed; safe to
    run twice or concurrently (``services.certificate_issue``)."""
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return []
    issued = []
    for track in active_tracks():
        certificate = certificate_issue(user=user, track=track)
        if certificate is not None:
            issued.append(certificate.pk)
    return issued


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
