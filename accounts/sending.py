"""Queue invitation emails: record them (``services``), then hand their ids to the Celery task
(``tasks.send_invitations``) once the caller's transaction commits; a broker that is down fails
nothing, and the sweep (``tasks.send_pending_invitations``) sends what was not queued. Kept apart
from ``services`` because the task calls the services."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.contrib.auth.models import User
from django.utils import timezone

from core.api import enqueue_on_commit

from .selectors import invitations_pending_ids
from .services import invitations_create
from .tasks import send_invitations

__all__ = ["invitations_queue", "invitations_retry"]


def _send_on_commit(ids: list[int]) -> None:
    if ids:
        enqueue_on_commit(send_invitations, ids)


def invitations_queue(
    *,
    user_ids: Iterable[int],
    languages: Mapping[int, str] | None = None,
    by: User | None = None,
    resend: bool = False,
) -> list[int]:
    """Invite each of ``user_ids`` who has never signed in (``services.invitations_create``:
    who, and in which language) and send the emails from a Celery task once this commits;
    returns the invitations' ids. Someone invited before is invited again only with
    ``resend``."""
    ids = invitations_create(user_ids=user_ids, languages=languages, by=by, resend=resend)
    _send_on_commit(ids)
    return ids


def invitations_retry(*, invitation_ids: Iterable[int]) -> int:
    """Send again, once this commits, those of ``invitation_ids`` still waiting to be sent (a
    lost task); returns how many."""
    ids = invitations_pending_ids(queued_before=timezone.now(), ids=invitation_ids)
    _send_on_commit(ids)
    return len(ids)
