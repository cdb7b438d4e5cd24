"""Date arithmetic of certificates: validity in calendar months, the renewal window."""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from .models import Certificate

__all__ = ["add_months", "renewal_opens_on", "start_of"]


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months (the 31st becomes the month's last day)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def renewal_opens_on(certificate: Certificate) -> date:
    """The first day ``certificate`` can be renewed."""
    return certificate.expires_on - timedelta(days=certificate.track.renewal_window_days)


def start_of(day: date) -> datetime:
    """The first moment of ``day`` in the site's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))
