"""Reads for accounts: the state of invitations, and whether someone signs in with a code."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db.models import Q

from .models import Invitation

__all__ = [
    "InvitationState",
    "backup_codes_left",
    "invitation_state_of",
    "invitations_pending_ids",
    "invitations_progress",
    "two_factor_enabled",
]


@dataclass(frozen=True)
class InvitationState:
    """What became of one person's invitation, for the pages that list people."""

    queued_at: datetime
    sent_at: datetime | None
    pending: bool
    accepted_at: datetime | None
    send_count: int


def invitation_state_of(user: User) -> InvitationState | None:
    """``user``'s invitation, or None; no query when the user was loaded with
    ``select_related("invitation")``."""
    try:
        invitation = user.invitation
    except Invitation.DoesNotExist:
        return None
    return InvitationState(
        invitation.queued_at,
        invitation.sent_at,
        invitation.pending,
        invitation.accepted_at,
        invitation.send_count,
    )


def invitations_progress(*, invitation_ids: Iterable[int]) -> tuple[int, int]:
    """How many of ``invitation_ids`` have been dealt with (sent, or not needed since the person
    signed in), and how many there are (one query)."""
    ids = list(invitation_ids)
    if not ids:
        return 0, 0
    rows = Invitation.objects.filter(pk__in=ids)
    done = rows.filter(Q(pending=False) | Q(accepted_at__isnull=False)).count()
    return done, rows.count()


def invitations_pending_ids(
    *, queued_before: datetime, ids: Iterable[int] | None = None
) -> list[int]:
    """Invitations still waiting to be sent that were asked for before ``queued_before`` (the
    sweep leaves the newest to the task that is sending them), optionally among ``ids``."""
    rows = Invitation.objects.filter(pending=True, queued_at__lt=queued_before)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return list(rows.order_by("queued_at").values_list("pk", flat=True))


# --- two-factor sign-in ---------------------------------------------------------------------------


def two_factor_enabled(*, user: User) -> bool:
    """Whether ``user`` has a confirmed authenticator app (signing in asks for its code)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def backup_codes_left(*, user: User) -> int:
    """How many of ``user``'s one-time backup codes are still unused."""
    from django_otp.plugins.otp_static.models import StaticToken

    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
