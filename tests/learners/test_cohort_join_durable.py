"""Cohort join emails that cannot be lost (issue #12, deliver 1).

Asking an existing practitioner to join a cohort records a ``CohortJoinInvitation`` in the
trainer's request; a Celery task sends it after the commit and the sweep sends what is left. A
mail server that refuses, or a broker that is down, never fails the trainer's request, and the
email still goes, once. Adding the address again within the hour sends nothing more, decided by
the row (not the cache). Someone who joined, or is no longer a practitioner, is not emailed.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from smtplib import SMTPServerDisconnected
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.db.models import F
from django.test import Client
from django.utils import timezone
from kombu.exceptions import OperationalError

from learners.api import Cohort
from learners.cohort_joining import MAX_ATTEMPTS, join_token
from learners.models import CohortJoinInvitation
from learners.services import cohort_join_invitation_send
from learners.tasks import cohort_join_invitations_sweep, send_cohort_join_invitations
from tests.core.broker import CLOSED, broker_at
from tests.factories import UserFactory, practitioner

pytestmark = pytest.mark.django_db

Status = CohortJoinInvitation.Status
ADDRESS = "their.learner@example.org"
REFUSING = "tests.learners.test_cohort_join_durable.RefusingBackend"
#: What the trainer may wait for when the broker is down.
QUICK_SECONDS = 1.0


class RefusingBackend(BaseEmailBackend):
    """A mail server that hangs up on every message, as a down SMTP relay does."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        raise SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture
def trainer() -> User:
    user: Any = UserFactory(groups=["Trainer"], first_name="Gulnara", last_name="Trainer")
    return user


@pytest.fixture
def cohort(trainer: User) -> Cohort:
    cohort = Cohort.objects.create(name="Atyrau psychologists")
    cohort.trainers.add(trainer)
    return cohort


@pytest.fixture
def learner() -> User:
    user = practitioner(email=ADDRESS)
    user.profile.preferred_language = "ru"  # the join email is in their language
    user.profile.save()
    return user


def add(client: Client, cohort: Cohort, callbacks: Any, text: str = ADDRESS) -> float:
    """The trainer adds ``text`` to the cohort, running what waits for the commit; returns how
    long the request took (seconds)."""
    with callbacks(execute=True):
        started = time.perf_counter()
        response = client.post(
            f"/en/learn/cohorts/{cohort.pk}/members/", {"emails": text}, follow=True
        )
        elapsed = time.perf_counter() - started
    assert response.status_code == 200
    assert "1 address taken" in response.content.decode()
    return elapsed


def later(minutes: int) -> None:
    """Move every join invitation ``minutes`` into the past, as if that much time went by."""
    CohortJoinInvitation.objects.update(asked_at=F("asked_at") - timedelta(minutes=minutes))


def join_emails() -> list[Any]:
    return [m for m in mail.outbox if "/cohorts/join/" in m.body]


def test_a_refusing_mail_server_fails_nothing_and_the_sweep_sends_once(
    client: Client,
    cohort: Cohort,
    trainer: User,
    learner: User,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
    caplog: Any,
) -> None:
    client.force_login(trainer)
    settings.EMAIL_BACKEND = REFUSING
    add(client, cohort, django_capture_on_commit_callbacks)  # succeeds: the message is shown
    invitation = CohortJoinInvitation.objects.get()
    assert (invitation.cohort, invitation.user, invitation.invited_by) == (cohort, learner, trainer)
    assert invitation.status == Status.PENDING and invitation.sent_at is None
    assert invitation.attempts == 1
    assert "SMTPServerDisconnected" in invitation.last_error
    assert "could not be sent" in caplog.text

    later(4)
    assert cohort_join_invitations_sweep() == 0  # the sweep leaves the newest to their task
    later(2)
    assert cohort_join_invitations_sweep() == 0  # still refused: still waiting
    assert CohortJoinInvitation.objects.get().attempts == 2

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert cohort_join_invitations_sweep() == 1
    assert cohort_join_invitations_sweep() == 0
    [message] = mail.outbox
    assert message.to == [ADDRESS]
    assert "Gulnara Trainer приглашает вас вступить в группу" in message.body  # their language
    invitation.refresh_from_db()
    assert invitation.status == Status.SENT and invitation.sent_at is not None
    assert invitation.last_error == ""


def test_a_mail_server_refusing_for_hours_is_given_up_on(
    cohort: Cohort, trainer: User, learner: User, settings: Any
) -> None:
    invitation = CohortJoinInvitation.objects.create(
        cohort=cohort, user=learner, invited_by=trainer, language="en", asked_at=_hour_ago()
    )
    CohortJoinInvitation.objects.update(attempts=MAX_ATTEMPTS - 2)
    settings.EMAIL_BACKEND = REFUSING
    assert cohort_join_invitations_sweep() == 0
    assert CohortJoinInvitation.objects.get().status == Status.PENDING
    assert cohort_join_invitations_sweep() == 0
    invitation.refresh_from_db()
    assert (invitation.status, invitation.attempts) == (Status.FAILED, MAX_ATTEMPTS)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert cohort_join_invitations_sweep() == 0  # the sweep has stopped trying
    assert mail.outbox == []


@pytest.fixture(params=["publish-raises", "closed-port"])
def broker_down(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """``publish-raises``: publishing raises kombu's OperationalError, as Celery does when Redis
    is down. ``closed-port``: the real client against a port where nothing listens."""
    if request.param == "publish-raises":
        with mock.patch(
            "learners.tasks.send_cohort_join_invitations.delay",
            side_effect=OperationalError("Error 111 connecting to redis:6379. Connection refused."),
        ):
            yield request.param
    else:
        with broker_at(CLOSED, monkeypatch):
            yield request.param


def test_with_the_broker_down_the_request_succeeds_and_the_sweep_sends(
    broker_down: str,
    client: Client,
    cohort: Cohort,
    trainer: User,
    learner: User,
    django_capture_on_commit_callbacks: Any,
    caplog: Any,
) -> None:
    client.force_login(trainer)
    assert add(client, cohort, django_capture_on_commit_callbacks) < QUICK_SECONDS
    assert "Could not queue learners.send_cohort_join_invitations" in caplog.text
    assert mail.outbox == []
    assert CohortJoinInvitation.objects.get().status == Status.PENDING

    later(6)
    assert cohort_join_invitations_sweep() == 1
    assert cohort_join_invitations_sweep() == 0
    assert [m.to for m in mail.outbox] == [[ADDRESS]]


def test_the_task_delivered_twice_sends_once(cohort: Cohort, trainer: User, learner: User) -> None:
    invitation = CohortJoinInvitation.objects.create(
        cohort=cohort, user=learner, invited_by=trainer, language="en", asked_at=_hour_ago()
    )
    assert send_cohort_join_invitations([invitation.pk]) == 1
    assert send_cohort_join_invitations([invitation.pk]) == 0
    assert cohort_join_invitations_sweep() == 0
    assert len(mail.outbox) == 1
    assert CohortJoinInvitation.objects.get().attempts == 1


def test_a_send_in_progress_is_not_sent_again_by_another_worker(
    cohort: Cohort, trainer: User, learner: User
) -> None:
    invitation = CohortJoinInvitation.objects.create(
        cohort=cohort, user=learner, invited_by=trainer, language="en", asked_at=_hour_ago()
    )
    sent: list[bool] = []

    def second_worker(*args: Any, **kwargs: Any) -> int:
        # While the first worker's message is with the mail server, a second delivery of the
        # task, and the sweep, find the invitation claimed.
        sent.append(cohort_join_invitation_send(invitation_id=invitation.pk))
        sent.append(bool(cohort_join_invitations_sweep()))
        return 1

    with mock.patch.object(EmailMessage, "send", side_effect=second_worker, autospec=True):
        assert cohort_join_invitation_send(invitation_id=invitation.pk) is True
    assert sent == [False, False]
    assert CohortJoinInvitation.objects.get().status == Status.SENT


def test_a_claim_whose_worker_died_is_taken_over_by_the_sweep(
    cohort: Cohort, trainer: User, learner: User
) -> None:
    CohortJoinInvitation.objects.create(
        cohort=cohort,
        user=learner,
        invited_by=trainer,
        language="en",
        asked_at=_hour_ago(),
        claimed_at=_hour_ago(),
    )
    assert cohort_join_invitations_sweep() == 1
    assert len(mail.outbox) == 1


def test_adding_twice_within_the_hour_sends_once_even_with_the_cache_down(
    client: Client,
    cohort: Cohort,
    trainer: User,
    learner: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(trainer)
    with mock.patch("django.core.cache.cache.add", side_effect=ConnectionError("cache down")):
        add(client, cohort, django_capture_on_commit_callbacks)
        later(30)
        add(client, cohort, django_capture_on_commit_callbacks)
        later(31)
        assert cohort_join_invitations_sweep() == 0
    assert len(join_emails()) == 1
    assert CohortJoinInvitation.objects.count() == 1

    # Over an hour later, adding the address again asks again: one more email.
    later(1)
    add(client, cohort, django_capture_on_commit_callbacks)
    assert len(join_emails()) == 2
    assert CohortJoinInvitation.objects.get().status == Status.SENT


def test_someone_who_joined_before_the_email_went_gets_none(
    broker_down: str,
    client: Client,
    cohort: Cohort,
    trainer: User,
    learner: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # The broker was down, so the email waits for the sweep; meanwhile the person used a link
    # sent before (the row says when the link was used).
    client.force_login(trainer)
    add(client, cohort, django_capture_on_commit_callbacks)
    client.force_login(learner)
    link = f"/en/learn/cohorts/join/{join_token(cohort=cohort, user=learner)}/"
    assert client.post(link).status_code == 302
    invitation = CohortJoinInvitation.objects.get()
    assert invitation.joined_at is not None and invitation.status == Status.SKIPPED
    later(61)
    assert cohort_join_invitations_sweep() == 0
    assert mail.outbox == []
    # They are a member now: adding them again says so and sends nothing.
    client.force_login(trainer)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(
            f"/en/learn/cohorts/{cohort.pk}/members/", {"emails": ADDRESS}, follow=True
        ).content.decode()
    assert "1 address taken" not in page
    assert mail.outbox == []


def test_a_member_added_meanwhile_or_no_longer_a_practitioner_gets_none(
    cohort: Cohort, trainer: User, learner: User
) -> None:
    other = practitioner(email="now.a.trainer@example.org")
    for person in (learner, other):
        CohortJoinInvitation.objects.create(
            cohort=cohort, user=person, invited_by=trainer, language="en", asked_at=_hour_ago()
        )
    cohort.memberships.create(user=learner)  # joined by another way (an import, say)
    other.groups.add(*trainer.groups.all())  # became a trainer: out of trainers' reach
    assert cohort_join_invitations_sweep() == 0
    assert mail.outbox == []
    assert set(CohortJoinInvitation.objects.values_list("status", flat=True)) == {Status.SKIPPED}


def test_the_email_names_a_trainer_when_the_one_who_asked_is_gone(
    cohort: Cohort, learner: User
) -> None:
    gone: Any = UserFactory(groups=["Trainer"])
    CohortJoinInvitation.objects.create(
        cohort=cohort, user=learner, invited_by=gone, language="en", asked_at=_hour_ago()
    )
    gone.delete()
    assert cohort_join_invitations_sweep() == 1
    assert "Gulnara Trainer" in mail.outbox[0].body


def _hour_ago() -> datetime:
    return timezone.now() - timedelta(hours=1)
