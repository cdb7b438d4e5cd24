"""Celery tasks for accounts: they take ids, load, and call a service."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from .selectors import invitations_pending_ids
from .services import invitation_send

logger = logging.getLogger(__name__)

#: The sweep leaves invitations asked for less than this long ago to the task sending them.
SWEEP_GRACE = timedelta(minutes=5)


@shared_task(name="accounts.send_invitations")
def send_invitations(invitation_ids: list[int]) -> int:
    """Send the pending invitations among ``invitation_ids``; returns how many went out. One
    that fails is logged and stays pending, and the others are still sent."""
    sent = 0
    for invitation_id in invitation_ids:
        try:
            sent += invitation_send(invitation_id=invitation_id)
        except Exception:
            logger.exception("Invitation %s could not be sent; it stays pending", invitation_id)
    return sent


@shared_task(name="accounts.send_pending_invitations")
def send_pending_invitations() -> int:
    """The sweep: send every invitation still pending (its task was lost, or sending failed)."""
    ids = invitations_pending_ids(queued_before=timezone.now() - SWEEP_GRACE)
    return send_invitations(ids) if ids else 0
