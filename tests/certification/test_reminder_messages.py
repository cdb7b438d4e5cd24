"""Reminder emails on a frozen clock: the true number of days left (not the reminder's bucket),
counted in the site's local date, in the holder's language, with links on SITE_URL."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from certification.codes import new_code
from certification.models import Certificate, CertificateReminder, CertificationTrack
from certification.tasks import nightly
from tests.factories import UserFactory, practitioner

pytestmark = pytest.mark.django_db

ALMATY = ZoneInfo("Asia/Almaty")
EXPIRES = date(2027, 6, 30)


def night(day: date) -> datetime:
    """02:30 in Almaty on ``day``, when Celery beat runs ``certification.nightly``."""
    return datetime(day.year, day.month, day.day, 2, 30, tzinfo=ALMATY)


def holder_certificate(language: str | None) -> Certificate:
    if language is None:  # no profile yet
        user = UserFactory(email="holder@example.org", groups=["Practitioner"])
    else:
        user = practitioner(email="holder@example.org")
        user.profile.preferred_language = language
        user.profile.save()
    track = CertificationTrack.objects.create(name="Psychosocial support", slug="ps")
    return Certificate.objects.create(
        track=track,
        user=user,
        code=new_code(),
        holder_name="A Holder",
        issued_on=date(2025, 6, 30),
        expires_on=EXPIRES,
    )


def run_nightly_on(day: date) -> list[Any]:
    before = len(mail.outbox)
    with time_machine.travel(night(day), tick=False):
        nightly()
    return mail.outbox[before:]


def test_after_a_missed_night_the_subject_states_the_days_truly_left() -> None:
    holder_certificate("en")
    (first,) = run_nightly_on(date(2027, 5, 1))  # 60 days before: the first reminder
    assert first.subject == "Your certificate “Psychosocial support” expires in 60 days"
    # Beat did not run from 31 May (the 30-day reminder's night) until 10 June.
    (late,) = run_nightly_on(date(2027, 6, 10))
    assert late.subject == "Your certificate “Psychosocial support” expires in 20 days"
    assert "valid until 30 June 2027" in late.body
    assert CertificateReminder.objects.filter(kind="30", sent_at__isnull=False).exists()
    assert run_nightly_on(date(2027, 6, 11)) == []  # sent once


def test_days_are_counted_in_the_sites_local_date_not_utc() -> None:
    holder_certificate("en")
    # 21:00 UTC on 9 June is already 10 June in Almaty: 20 days left, not 21.
    with time_machine.travel(datetime(2027, 6, 9, 21, 0, tzinfo=ZoneInfo("UTC")), tick=False):
        nightly()
    (email,) = mail.outbox
    assert "expires in 20 days" in email.subject


def test_the_last_valid_day_reads_expires_today_and_one_day_is_singular() -> None:
    holder_certificate("en")
    (email,) = run_nightly_on(EXPIRES)  # every earlier night missed
    assert email.subject == "Your certificate “Psychosocial support” expires today"
    (expired,) = run_nightly_on(date(2027, 7, 1))
    assert expired.subject == "Your certificate “Psychosocial support” has expired"
    assert "expired on 30 June 2027" in expired.body


def test_one_day_left() -> None:
    holder_certificate("en")
    (email,) = run_nightly_on(date(2027, 6, 29))
    assert email.subject == "Your certificate “Psychosocial support” expires in 1 day"


def test_a_russian_holder_reads_russian(settings: Any) -> None:
    settings.SITE_URL = "https://academy.example.kz"
    holder_certificate("ru")
    (email,) = run_nightly_on(date(2027, 6, 10))
    assert email.subject == (
        "Срок действия вашего сертификата «Psychosocial support» истекает через 20 дней"
    )
    assert "действителен до 30 июня 2027" in email.body
    assert "заново сдать итоговые тесты" in email.body
    # The link is on the site's public address, in the holder's language.
    assert "https://academy.example.kz/ru/learn/" in email.body
    (expired,) = run_nightly_on(date(2027, 7, 1))
    assert expired.subject == "Срок действия вашего сертификата «Psychosocial support» истёк"


@pytest.mark.parametrize(
    ("day", "subject"),
    [
        (
            date(2027, 6, 8),
            "«Psychosocial support» сертификатыңыздың мерзімі 22 күннен кейін аяқталады",
        ),
        (
            date(2027, 6, 29),
            "«Psychosocial support» сертификатыңыздың мерзімі 1 күннен кейін аяқталады",
        ),
    ],
)
def test_a_kazakh_holder_reads_kazakh(day: date, subject: str) -> None:
    holder_certificate("kk")
    (email,) = run_nightly_on(day)
    assert email.subject == subject
    assert "30 маусым 2027" in email.body.lower()  # Django writes "Маусым"
    assert "/kk/learn/" in email.body


@pytest.mark.parametrize(("language_code", "word"), [("en", "expires in"), ("kk", "күннен")])
def test_a_holder_without_a_profile_gets_the_sites_language(
    settings: Any, language_code: str, word: str
) -> None:
    settings.LANGUAGE_CODE = language_code
    holder_certificate(None)
    (email,) = run_nightly_on(date(2027, 6, 10))
    assert word in email.subject


@pytest.mark.parametrize(
    ("plural_day", "ending"),
    [(date(2027, 6, 9), "21 день"), (date(2027, 6, 8), "22 дня"), (date(2027, 6, 25), "5 дней")],
)
def test_russian_plural_forms(plural_day: date, ending: str) -> None:
    holder_certificate("ru")
    (email,) = run_nightly_on(plural_day)
    assert email.subject.endswith(f"через {ending}")
