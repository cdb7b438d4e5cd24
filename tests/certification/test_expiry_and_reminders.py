"""Nightly expiry and reminders (60, 30, 7 days before, and on expiry), each sent exactly once;
revocation by a ministry administrator, with who, when and why."""

from __future__ import annotations

from datetime import date, timedelta
from unittest import mock

import pytest
from django.core import mail

from certification.codes import new_code
from certification.models import Certificate, CertificateReminder, CertificationTrack
from certification.reminders import certificates_expire, reminders_due, reminders_send
from certification.services import RevocationRefused, certificate_revoke
from certification.tasks import nightly
from tests.factories import UserFactory, practitioner

pytestmark = pytest.mark.django_db

EXPIRES = date(2027, 6, 30)


@pytest.fixture
def certificate() -> Certificate:
    user = practitioner(email="holder@example.org")
    user.profile.preferred_language = "en"  # reminders are in the holder's language
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


def run_days(first: date, last: date) -> list[tuple[date, str]]:
    """Run the nightly work every day from ``first`` to ``last``; the emails sent, by day."""
    sent = []
    day = first
    while day <= last:
        before = len(mail.outbox)
        certificates_expire(today=day)
        reminders_send(today=day)
        sent.extend((day, m.subject) for m in mail.outbox[before:])
        day += timedelta(days=1)
    return sent


def test_each_reminder_goes_out_once_on_its_day(certificate: Certificate) -> None:
    sent = run_days(EXPIRES - timedelta(days=70), EXPIRES + timedelta(days=5))
    assert [day for day, _subject in sent] == [
        EXPIRES - timedelta(days=60),
        EXPIRES - timedelta(days=30),
        EXPIRES - timedelta(days=7),
        EXPIRES + timedelta(days=1),  # the first night after the last valid day
    ]
    assert "expires in 60 days" in sent[0][1]
    assert "has expired" in sent[-1][1]
    assert mail.outbox[0].to == ["holder@example.org"]
    assert "/learn/" in mail.outbox[0].body  # the way to renew
    certificate.refresh_from_db()
    assert certificate.status == "expired"
    assert CertificateReminder.objects.filter(sent_at__isnull=False).count() == 4


def test_running_twice_a_night_sends_nothing_twice(certificate: Certificate) -> None:
    day = EXPIRES - timedelta(days=30)
    assert reminders_send(today=day) == (1, 0)
    assert reminders_send(today=day) == (0, 0)
    assert len(mail.outbox) == 1


def test_a_missed_night_still_sends_the_nearest_reminder_once(
    certificate: Certificate,
) -> None:
    """The task did not run from 65 to 8 days before expiry: only the 30-day reminder is due, and
    it states the days truly left (it used to say "expires in 30 days", the reminder's bucket)."""
    assert reminders_send(today=EXPIRES - timedelta(days=20)) == (1, 0)
    assert "expires in 20 days" in mail.outbox[0].subject
    assert "30 days" not in mail.outbox[0].subject
    assert CertificateReminder.objects.get().kind == "30"
    assert [kind for _c, kind in reminders_due(today=EXPIRES - timedelta(days=20))] == []


def test_a_failed_email_is_retried_and_then_sent_once(certificate: Certificate) -> None:
    day = EXPIRES - timedelta(days=7)
    with mock.patch("certification.reminders.send_mail", side_effect=OSError("smtp down")):
        assert reminders_send(today=day) == (0, 1)
    reminder = CertificateReminder.objects.get()
    assert reminder.sent_at is None and "smtp down" in reminder.last_error
    assert reminders_send(today=day) == (1, 0)
    assert reminders_send(today=day) == (0, 0)
    assert len(mail.outbox) == 1


def test_the_nightly_task_expires_and_reminds(certificate: Certificate) -> None:
    with mock.patch("django.utils.timezone.localdate", return_value=EXPIRES + timedelta(days=1)):
        assert nightly() == {"expired": 1, "renewed": 0, "sent": 1, "failed": 0}
        assert nightly() == {"expired": 0, "renewed": 0, "sent": 0, "failed": 0}


def test_a_revoked_certificate_gets_no_reminders(certificate: Certificate) -> None:
    certificate_revoke(
        certificate=certificate, by=UserFactory(groups=["Ministry"]), reason="Issued in error"
    )
    assert run_days(EXPIRES - timedelta(days=61), EXPIRES + timedelta(days=2)) == []


def test_revocation_records_who_when_and_why(certificate: Certificate) -> None:
    official = UserFactory(groups=["Ministry"])
    revoked = certificate_revoke(certificate=certificate, by=official, reason="  Issued in error ")
    assert (revoked.status, revoked.revoked_by, revoked.revoked_reason) == (
        "revoked",
        official,
        "Issued in error",
    )
    assert revoked.revoked_at is not None
    # The CMS log has it too, whatever the route (here no view at all).
    from wagtail.models import ModelLogEntry

    (entry,) = ModelLogEntry.objects.filter(action="certification.revoke")
    assert (entry.object_id, entry.user_id, entry.data) == (
        str(certificate.pk),
        official.pk,
        {"reason": "Issued in error"},
    )
    with pytest.raises(RevocationRefused, match="already revoked"):
        certificate_revoke(certificate=certificate, by=official, reason="again")
    assert ModelLogEntry.objects.filter(action="certification.revoke").count() == 1


@pytest.mark.parametrize(
    ("groups", "reason", "message"),
    [
        (["Trainer"], "Issued in error", "only a ministry administrator"),
        (["Practitioner"], "Issued in error", "only a ministry administrator"),
        (["Ministry"], "   ", "give the reason"),
    ],
)
def test_revocation_is_refused(
    certificate: Certificate, groups: list[str], reason: str, message: str
) -> None:
    with pytest.raises(RevocationRefused, match=message):
        certificate_revoke(certificate=certificate, by=UserFactory(groups=groups), reason=reason)
    certificate.refresh_from_db()
    assert certificate.status == "valid"
