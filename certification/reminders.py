"""Expiry and reminders, run nightly by Celery beat (``certification.nightly``).

Reminders go out 60, 30 and 7 days before a certificate expires and when it has expired (the
night after its expiry date, its last valid day, when the same run marks it expired), each
exactly once: a ``CertificateReminder`` row is claimed (unique per certificate and kind) before
the email is sent, and marked sent after. A reminder whose email failed stays unsent and is
retried by the next run (and by the task's own retries); a run that finds a reminder already
sent skips it. A reminder that was due while the task did not run (a holiday, an outage) is
still sent, once, if the certificate has not expired since; the expiry notice is sent once.

Each email is in the holder's language (their profile's, else ``LANGUAGE_CODE``) and states the
true number of days left on the day it is sent, whichever reminder it is.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.api import absolute_url

from .models import (
    Certificate,
    CertificateReminder,
    CertificateStatus,
    CertificationTrack,
    ReminderKind,
    RenewalRule,
)

__all__ = [
    "certificates_expire",
    "holder_language",
    "reminder_message",
    "reminders_due",
    "reminders_send",
]

#: Days before expiry each reminder is due, nearest last.
SCHEDULE = ((ReminderKind.DAYS_60, 60), (ReminderKind.DAYS_30, 30), (ReminderKind.DAYS_7, 7))


def certificates_expire(*, today: date | None = None) -> int:
    """Mark valid certificates past their expiry date as expired; returns how many."""
    today = today or timezone.localdate()
    return Certificate.objects.filter(status=CertificateStatus.VALID, expires_on__lt=today).update(
        status=CertificateStatus.EXPIRED
    )


def reminders_due(*, today: date | None = None) -> list[tuple[Certificate, str]]:
    """Every (certificate, reminder kind) due today and not sent yet: the nearest reminder only
    (a certificate 6 days from expiry gets the 7-day one, not the 60-day one as well)."""
    today = today or timezone.localdate()
    candidates = Certificate.objects.filter(
        status__in=(CertificateStatus.VALID, CertificateStatus.EXPIRED),
        expires_on__lte=today + timedelta(days=60),
        expires_on__gte=today - timedelta(days=30),
        renewal__isnull=True,
    )
    # Only the candidates' reminders: the nightly run does not grow with the history.
    sent = set(
        CertificateReminder.objects.filter(
            sent_at__isnull=False, certificate__in=candidates.values("pk")
        ).values_list("certificate_id", "kind")
    )
    due: list[tuple[Certificate, str]] = []
    # The holder's language comes along in the same query (their profile, when they have one).
    rows = candidates.select_related("track__refresher_course", "user").annotate(
        holder_language=F("user__profile__preferred_language")
    )
    for certificate in rows:
        days_left = (certificate.expires_on - today).days
        kind: str | None
        if days_left < 0:  # valid through its expiry date: expired from the next night
            kind = ReminderKind.EXPIRED
        else:
            kind = next((k for k, days in reversed(SCHEDULE) if days_left <= days), None)
        if kind is not None and (certificate.pk, kind) not in sent:
            due.append((certificate, kind))
    return due


def reminders_send(*, today: date | None = None) -> tuple[int, int]:
    """Send the reminders due; returns (sent, failed). Failures are kept for the next run."""
    sent = failed = 0
    today = today or timezone.localdate()
    for certificate, kind in reminders_due(today=today):
        try:
            with transaction.atomic():
                reminder, _created = CertificateReminder.objects.get_or_create(
                    certificate=certificate, kind=kind
                )
        except IntegrityError:  # another worker claimed it this instant
            continue
        # Claim it: only the worker whose update matches sends (sent_at still empty).
        claimed = CertificateReminder.objects.filter(
            pk=reminder.pk, sent_at__isnull=True, attempts=reminder.attempts
        ).update(attempts=reminder.attempts + 1)
        if not claimed:
            continue
        try:
            _send(certificate, kind, today=today)
        except Exception as exc:  # noqa: BLE001 - any mail failure is retried on the next run
            CertificateReminder.objects.filter(pk=reminder.pk).update(last_error=str(exc)[:500])
            failed += 1
            continue
        CertificateReminder.objects.filter(pk=reminder.pk).update(
            sent_at=timezone.now(), last_error=""
        )
        sent += 1
    return sent, failed


def renewal_asks(track: CertificationTrack) -> str:
    """What renewing a certificate on ``track`` asks, in words for the reminder."""
    if track.renewal_rule == RenewalRule.REFRESHER and track.refresher_course:
        return _("complete the refresher course “%s”") % track.refresher_course.title
    return _("pass the final assessments of the certification's courses again")


def holder_language(language: str | None) -> str:
    """The language a holder's emails are written in: their profile's, else ``LANGUAGE_CODE``."""
    known = {code for code, _name in settings.LANGUAGES}
    return language if language and language in known else settings.LANGUAGE_CODE


def reminder_message(certificate: Certificate, kind: str, *, today: date) -> tuple[str, str]:
    """The subject and body of the reminder ``kind`` for ``certificate``, in the active language.

    The days left are counted from ``today`` (the site's local date) to the expiry date, not
    taken from the reminder's kind: a holder reminded late after a missed night reads the truth.
    """
    renew_url = absolute_url(reverse("learners:my_learning"))
    name = certificate.track.localized_name
    when = date_format(certificate.expires_on, "j E Y")
    asks = renewal_asks(certificate.track)
    days = (certificate.expires_on - today).days
    if kind == ReminderKind.EXPIRED or days < 0:
        subject = _("Your certificate “%(name)s” has expired") % {"name": name}
        body = _(
            "Your certificate “%(name)s” expired on %(when)s. You can still renew it: "
            "%(asks)s. See what is left: %(url)s"
        ) % {"name": name, "when": when, "asks": asks, "url": renew_url}
        return subject, body
    if days == 0:
        subject = _("Your certificate “%(name)s” expires today") % {"name": name}
    else:
        subject = ngettext(
            "Your certificate “%(name)s” expires in %(days)d day",
            "Your certificate “%(name)s” expires in %(days)d days",
            days,
        ) % {"name": name, "days": days}
    body = _(
        "Your certificate “%(name)s” is valid until %(when)s. You can renew it now: "
        "%(asks)s. See what is left: %(url)s"
    ) % {"name": name, "when": when, "asks": asks, "url": renew_url}
    return subject, body


def _send(certificate: Certificate, kind: str, *, today: date) -> None:
    user = certificate.user
    if not user.email:
        raise ValueError("the holder has no email address")
    language = holder_language(getattr(certificate, "holder_language", None))
    with translation.override(language):
        subject, body = reminder_message(certificate, kind, today=today)
    send_mail(subject, body, None, [user.email])
