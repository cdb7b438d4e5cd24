"""Issuing is exactly-once under real concurrency: eight threads, each with its own PostgreSQL
connection, issue the same learner's certificate at the same moment, and one certificate exists.

SQLite serialises every write, so these run on PostgreSQL only (``make test-postgres``).

A barrier releases the threads together; a second one holds each of them just after it has
found the learner eligible (so after it looked for an existing certificate, and found none)
until all eight are there. Every thread then tries to insert: one wins, seven hit the unique
constraint ``certification_one_per_cycle`` and must return the winner's certificate instead of
failing. Without the second barrier the race would depend on timing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any
from unittest import mock

import pytest
from django.db import connection

from certification import services
from certification.models import Certificate, CertificationTrack, TrackRequirement
from certification.services import certificate_issue
from certification.tasks import issue_for_user
from learners.api import lesson_progress_complete
from tests.factories import CoursePageFactory, LessonPageFactory, ModulePageFactory, practitioner

THREADS = 8

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrency"),
]


@pytest.fixture
def eligible(migrated_db: None) -> tuple[Any, CertificationTrack]:
    """A learner who has completed the one course an active track requires, with no certificate
    yet (committed, for the threads' connections to see)."""
    course = CoursePageFactory()
    lessons = [LessonPageFactory(parent=ModulePageFactory(parent=course)) for _ in range(2)]
    track = CertificationTrack.objects.create(name="Psychosocial support", slug="psychosocial")
    TrackRequirement.objects.create(track=track, course=course)
    learner = practitioner(first_name="Әйгерім", last_name="Құрманғалиқызы")
    # Completing queues the issuing task; here it must not run (eagerly or on a worker) before
    # the threads race.
    with mock.patch.object(issue_for_user, "delay"):
        for lesson in lessons:
            lesson_progress_complete(user=learner, lesson=lesson)
    assert not Certificate.objects.exists()
    return learner, track


@pytest.fixture
def held_at_the_door() -> Iterator[threading.Barrier]:
    """Hold every thread, once it has found the learner eligible, until all have."""
    door = threading.Barrier(THREADS, timeout=30)
    check = services.courses_completion

    def completion_then_wait(**kwargs: Any) -> Any:
        found = check(**kwargs)
        door.wait()
        return found

    with mock.patch.object(services, "courses_completion", side_effect=completion_then_wait):
        yield door


def at_once(work: Callable[[], Any]) -> tuple[list[Any], list[BaseException]]:
    """Run ``work`` in ``THREADS`` threads released together, each closing its own connection."""
    start = threading.Barrier(THREADS)
    results: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            start.wait()
            result = work()
            with lock:
                results.append(result)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted by the caller
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def test_concurrent_issuing_makes_one_certificate(
    eligible: tuple[Any, CertificationTrack], held_at_the_door: threading.Barrier
) -> None:
    """Eight ``certificate_issue`` calls racing to insert: one certificate, and every call
    returns it (the losers read the winner's row after the IntegrityError)."""
    learner, track = eligible

    results, errors = at_once(lambda: certificate_issue(user=learner, track=track))

    assert errors == []
    assert not held_at_the_door.broken, "the threads did not all reach the insert together"
    certificate = Certificate.objects.get(user=learner, track=track)
    assert [result.pk for result in results] == [certificate.pk] * THREADS
    assert certificate.sequence == 1 and certificate.holder_name == "Әйгерім Құрманғалиқызы"


def test_concurrent_tasks_make_one_certificate(
    eligible: tuple[Any, CertificationTrack], held_at_the_door: threading.Barrier
) -> None:
    """The task itself, run eight times at once (as several workers would after a burst of
    completions): one certificate, and every run reports it."""
    learner, track = eligible

    results, errors = at_once(lambda: issue_for_user(learner.pk))

    assert errors == []
    assert not held_at_the_door.broken, "the threads did not all reach the insert together"
    certificate = Certificate.objects.get(user=learner, track=track)
    assert results == [[certificate.pk]] * THREADS
