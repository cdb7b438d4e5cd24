"""The certificate sweep (``certification.issue_due`` and ``manage.py issue_due_certificates``):
every learner due a certificate they do not hold gets one, exactly once, whatever happened to the
issuing task; it looks only at recent activity unless asked for everyone, and its cost per learner
is fixed."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from certification.models import Certificate
from certification.services import certificates_issue_due
from certification.tasks import issue_due
from learners.models import LessonProgress
from tests.certification.test_issuing import complete, course_with_lessons, track_for
from tests.factories import practitioner

pytestmark = pytest.mark.django_db


@pytest.fixture
def lost_tasks(django_capture_on_commit_callbacks: Any) -> Any:
    """Every issuing task queued in the block is lost (the broker took it and then went away)."""

    class Lost:
        def __enter__(self) -> mock.MagicMock:
            self._patch = mock.patch("certification.tasks.issue_for_user.delay")
            self._capture = django_capture_on_commit_callbacks(execute=True)
            queued = self._patch.__enter__()
            self._capture.__enter__()
            return queued

        def __exit__(self, *exc: Any) -> None:
            self._capture.__exit__(*exc)
            self._patch.__exit__(*exc)

    return Lost


def test_the_sweep_issues_every_missing_certificate_once(lost_tasks: Any) -> None:
    course, lessons = course_with_lessons(2)
    track = track_for(course)
    done = [practitioner() for _ in range(3)]
    halfway = practitioner()
    with lost_tasks() as queued:
        for user in done:
            complete(user, lessons)
        complete(halfway, lessons[:1])
    assert queued.call_count == 7  # queued, and lost: nobody holds a certificate
    assert not Certificate.objects.exists()

    report = issue_due()
    assert report == {"checked": 4, "issued": 3}
    assert sorted(Certificate.objects.values_list("user_id", flat=True)) == sorted(
        u.pk for u in done
    )
    assert set(Certificate.objects.values_list("track_id", flat=True)) == {track.pk}
    # Run again (the next beat, or two beats at once): nothing more is issued.
    assert issue_due() == {"checked": 4, "issued": 0}
    assert Certificate.objects.count() == 3


def test_the_beat_sweep_looks_at_the_window_and_the_command_at_everyone(
    lost_tasks: Any, settings: Any
) -> None:
    settings.CERTIFICATION_SWEEP_WINDOW_HOURS = 24
    course, lessons = course_with_lessons(1)
    track_for(course)
    recent, old = practitioner(), practitioner()
    with lost_tasks():
        complete(recent, lessons)
        complete(old, lessons)
    LessonProgress.objects.filter(user=old).update(
        completed_at=timezone.now() - timedelta(hours=25)
    )
    assert issue_due() == {"checked": 1, "issued": 1}
    assert list(Certificate.objects.values_list("user_id", flat=True)) == [recent.pk]

    out = StringIO()
    call_command("issue_due_certificates", "--all", "--batch-size", "1", stdout=out)
    assert Certificate.objects.filter(user=old).count() == 1
    lines = out.getvalue().splitlines()
    assert lines[0] == "Checking every learner with progress."
    assert lines[1:3] == [
        "  1 learners checked, 0 certificates issued",  # recent: already holds it
        "  2 learners checked, 1 certificates issued",
    ]
    assert lines[-1] == "Done: 2 learners checked, 1 certificates issued."


def test_the_command_with_hours_checks_that_window() -> None:
    course, lessons = course_with_lessons(1)
    track_for(course)
    user = practitioner()
    complete(user, lessons)  # eager: issued at once
    Certificate.objects.all().delete()  # as if its task had been lost
    LessonProgress.objects.update(completed_at=timezone.now() - timedelta(hours=5))
    call_command("issue_due_certificates", "--hours", "4", stdout=StringIO())
    assert not Certificate.objects.exists()
    call_command("issue_due_certificates", "--hours", "6", stdout=StringIO())
    assert Certificate.objects.filter(user=user).count() == 1


def test_nothing_to_check_without_an_active_track(lost_tasks: Any) -> None:
    course, lessons = course_with_lessons(1)
    track_for(course, active=False)
    with lost_tasks():
        complete(practitioner(), lessons)
    assert certificates_issue_due(since=None).checked == 0


def sweep_queries(learners: int) -> int:
    Certificate.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        report = certificates_issue_due(since=None, batch_size=100)
    assert len(report.issued) == learners
    return len(queries)


def test_the_cost_per_learner_is_fixed(lost_tasks: Any) -> None:
    """A fixed number of queries per batch plus the same number per learner: the sweep never
    does more per learner as there are more of them."""
    course, lessons = course_with_lessons(3)
    track_for(course)
    counts: list[int] = []
    for _ in range(3):
        with lost_tasks():
            complete(practitioner(), lessons)
        counts.append(sweep_queries(len(counts) + 1))
    per_learner = counts[1] - counts[0]
    assert counts[2] - counts[1] == per_learner
    assert per_learner <= 15
