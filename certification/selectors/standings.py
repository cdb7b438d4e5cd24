"""Reads for reports: each holder's standing on each certification track, for a batch of people
(``reports.facts`` keeps it in a summary table)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import NamedTuple

from ..models import Certificate, CertificateStatus

__all__ = ["TrackStanding", "track_standings"]


class TrackStanding(NamedTuple):
    """One holder on one track, from all their certificates on it."""

    user_id: int
    track_id: int
    first_issued_on: date
    latest_issued_on: date
    #: The latest expiry among the certificates not revoked (None: every one is revoked).
    valid_until: date | None
    #: The latest certificate (the highest sequence) is revoked.
    revoked: bool


def track_standings(*, user_ids: Collection[int]) -> list[TrackStanding]:
    """The standing of each of ``user_ids`` on each track they hold a certificate of, by user and
    track: one query whatever the number of people (a holder has a handful of certificates)."""
    ids = sorted(set(user_ids))
    if not ids:
        return []
    rows = (
        Certificate.objects.filter(user_id__in=ids)
        .order_by("user_id", "track_id", "sequence")
        .values_list("user_id", "track_id", "issued_on", "expires_on", "status")
    )
    standings: list[TrackStanding] = []
    current: tuple[int, int] | None = None
    first = latest = date.max
    valid_until: date | None = None
    revoked = False

    def close() -> None:
        if current is not None:
            standings.append(TrackStanding(*current, first, latest, valid_until, revoked))

    for user_id, track_id, issued_on, expires_on, status in rows:
        if (user_id, track_id) != current:
            close()
            current = (user_id, track_id)
            first, latest, valid_until = issued_on, issued_on, None
        first = min(first, issued_on)
        latest = max(latest, issued_on)
        is_revoked = status == CertificateStatus.REVOKED
        if not is_revoked and (valid_until is None or expires_on > valid_until):
            valid_until = expires_on
        revoked = is_revoked  # rows come by sequence: the last one read is the latest
    close()
    return standings
