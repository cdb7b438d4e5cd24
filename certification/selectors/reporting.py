"""Certificates counted by month for the oversight dashboard (``reports``): issued, renewed and
lapsed, grouped in SQL. Whose certificates is the caller's: a query of user ids (the dashboard's
scope and filters), so no id list travels between the apps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth

from ..models import Certificate, CertificateStatus

__all__ = ["CertificateMonth", "certificates_by_month"]


@dataclass(frozen=True)
class CertificateMonth:
    """One track's certificates in one month."""

    track_id: int
    month: date
    issued: int = 0
    renewals: int = 0
    lapsed: int = 0


def certificates_by_month(
    *, users: QuerySet[Any], since: date, until: date, track_id: int | None = None
) -> list[CertificateMonth]:
    """Per track and month from ``since`` to ``until``: certificates issued (of which renewals,
    the second or later of a holder's cycle) and certificates that lapsed (expired in that month,
    not revoked, with no renewal issued). ``users`` is a query of the user ids counted. Two
    queries whatever the number of certificates."""
    base = Certificate.objects.filter(user_id__in=users)
    if track_id:
        base = base.filter(track_id=track_id)
    rows: dict[tuple[int, date], dict[str, int]] = {}
    issued = (
        base.filter(issued_on__range=(since, until))
        .annotate(month=TruncMonth("issued_on"))
        .order_by()
        .values("track_id", "month")
        .annotate(issued=Count("id"), renewals=Count("id", filter=Q(sequence__gt=1)))
    )
    for row in issued:
        rows.setdefault((row["track_id"], _day(row["month"])), {}).update(
            issued=row["issued"], renewals=row["renewals"]
        )
    lapsed = (
        base.filter(expires_on__range=(since, until), renewal__isnull=True)
        .exclude(status=CertificateStatus.REVOKED)
        .annotate(month=TruncMonth("expires_on"))
        .order_by()
        .values("track_id", "month")
        .annotate(lapsed=Count("id"))
    )
    for row in lapsed:
        rows.setdefault((row["track_id"], _day(row["month"])), {})["lapsed"] = row["lapsed"]
    return [
        CertificateMonth(track_id=track, month=month, **counts)
        for (track, month), counts in sorted(rows.items())
    ]


def _day(value: Any) -> date:
    """TruncMonth of a date gives a date; of a datetime (some backends), its date."""
    return value.date() if hasattr(value, "date") and callable(value.date) else value
